from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coachdossier.privacy import backup
from coachdossier.privacy.models import BackupKind, BackupRun


class Command(BaseCommand):
    help = ("Restore a main backup set and/or a key-store set (stop the application first). Refuses, changing "
            "nothing, a set that does not verify or needs a master key the environment lacks. Replaces each "
            "database as a whole, migrates a set made by an earlier release to this one, and replays the erasure "
            "registry afterwards, so erased clients stay erased.")

    def add_arguments(self, parser):
        parser.add_argument("main", type=Path, nargs="?", help="the main backup set (folder)")
        parser.add_argument("--keys", type=Path, help="the key-store backup set (folder)")

    def handle(self, *args, **options):
        now = timezone.now()
        try:
            outcome = backup.restore(main=options["main"], keys=options["keys"], now=now)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        BackupRun.objects.create(kind=BackupKind.RESTORE, at=now, ok=True,
                                 location=str(options["main"] or options["keys"]),
                                 detail=f"erased again after the restore: {outcome['clients_erased_again']}")
        if outcome["migrations_applied"]:
            self.stdout.write(f"the set was made by an earlier release: {outcome['migrations_applied']} "
                              "migration(s) applied to bring it up to this one")
        self.stdout.write(f"restored. Erasure registry replayed: {outcome['clients_erased_again']} client(s) "
                          f"erased again, {outcome['erasures_merged']} erasure(s) learnt from the backup.")
        for problem in outcome["erasure_copies_not_used"]:
            self.stderr.write(f"erasure registry copy {problem}")
