from django.core.management.base import BaseCommand

from coachdossier.privacy.checkpoints import load_file, verify_checkpoints


class Command(BaseCommand):
    help = ("Prove that today's access log extends every signed checkpoint (RFC 6962 model). "
            "--file: the checkpoints an auditor downloaded earlier, checked with the key in that file.")

    def add_arguments(self, parser):
        parser.add_argument("--file", help="checkpoints.json as downloaded by the auditor")

    def handle(self, *args, **options):
        if options["file"]:
            checkpoints, public_key = load_file(options["file"])
            problems = verify_checkpoints(checkpoints, public_key)
            count = len(checkpoints)
        else:
            from coachdossier.privacy.models import Checkpoint

            problems, count = verify_checkpoints(), Checkpoint.objects.count()
        if problems:
            for p in problems:
                self.stderr.write(f"checkpoint #{p.size}: {p.message}")
            raise SystemExit(1)
        self.stdout.write(f"checkpoints OK: the access log extends all {count} checkpoint(s)")
