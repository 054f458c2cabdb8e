from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coachdossier.privacy import backup
from coachdossier.privacy.models import BackupKind, BackupRun


class Command(BaseCommand):
    help = ("Back up the main database with the attachments, and the key store separately (GC-5.4). "
            "--verify SET checks a backup set: signature, checksums, and a restore into a scratch database.")

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path,
                            help="where main sets go (default $COACHDOSSIER_BACKUP_DIR, else backups/ in the state "
                                 "directory $COACHDOSSIER_STATE_DIR)")
        parser.add_argument("--keys-dir", type=Path,
                            help="where key-store sets go (default $COACHDOSSIER_KEY_BACKUP_DIR, else key-backups/ in "
                                 "the state directory); keep them on other media than the main sets")
        parser.add_argument("--verify", type=Path, metavar="SET", help="verify this backup set instead")

    def handle(self, *args, **options):
        now = timezone.now()
        if options["verify"]:
            problems = backup.check(options["verify"])
            BackupRun.objects.create(kind=BackupKind.VERIFY, at=now, ok=not problems, location=str(options["verify"]),
                                     detail="; ".join(problems))
            if problems:
                raise CommandError("backup set does NOT verify: " + "; ".join(problems))
            self.stdout.write(f"backup set OK: {options['verify']} (signature, checksums, scratch restore)")
            return
        try:
            result = backup.create(now=now, root=options["dir"], keys_root=options["keys_dir"])
        except Exception as exc:
            BackupRun.objects.create(kind=BackupKind.BACKUP, at=now, ok=False, location=str(options["dir"] or ""),
                                     detail=str(exc)[:2000])
            raise CommandError(f"backup failed: {exc}") from exc
        BackupRun.objects.create(kind=BackupKind.BACKUP, at=now, ok=True, location=str(result.main),
                                 detail=f"key store: {result.keys}")
        self.stdout.write(f"main set:      {result.main}\nkey-store set: {result.keys}\n"
                          "Keep the key-store sets on other media than the main sets.")
        left = backup.unfinished(result.main.parent, result.keys.parent)
        if left:
            self.stdout.write(f"{len(left)} unfinished set(s) of interrupted runs (never used by restore; delete "
                              f"them when no backup is running): " + ", ".join(str(p) for p in left))
