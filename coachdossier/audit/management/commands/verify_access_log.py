import time

from django.core.management.base import BaseCommand

from coachdossier.audit.log import verify


class Command(BaseCommand):
    help = "Verify the access log's hash chain; print the first bad entry if any (exit 1)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = verify()
        seconds = time.perf_counter() - started
        if result.ok:
            self.stdout.write(f"access log OK: {result.checked} entries verified in {seconds:.2f} s")
            return
        self.stderr.write(f"access log BROKEN at entry #{result.first_bad_seq}: {result.problem} "
                          f"({result.checked} entries verified before it)")
        raise SystemExit(1)
