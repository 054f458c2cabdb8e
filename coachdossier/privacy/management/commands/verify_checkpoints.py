from django.core.management.base import BaseCommand, CommandError

from coachdossier.privacy.checkpoints import load_file, verify_checkpoints


class Command(BaseCommand):
    help = ("Prove that today's access log extends every signed checkpoint (RFC 6962 model). "
            "--file: the checkpoints an auditor downloaded earlier, checked with the key in that file.")

    def add_arguments(self, parser):
        parser.add_argument("--file", help="checkpoints.json as downloaded by the auditor")

    def handle(self, *args, **options):
        if options["file"]:
            try:
                checkpoints, public_key = load_file(options["file"])
            except ValueError as exc:
                raise CommandError(f"{options['file']}: {exc}") from None
            problems = verify_checkpoints(checkpoints, public_key)
            count = len(checkpoints)
        else:
            from coachdossier.privacy.models import Checkpoint

            problems, count = verify_checkpoints(), Checkpoint.objects.count()
        if problems:
            for p in problems:
                # A break in the chain itself is about an entry, not about a checkpoint of that size.
                self.stderr.write(p.message if p.size is None else f"checkpoint #{p.size}: {p.message}")
            raise SystemExit(1)
        self.stdout.write(f"checkpoints OK: the access log extends all {count} checkpoint(s)")
