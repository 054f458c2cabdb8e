import os
import time

from django.core.management.base import BaseCommand

from coachdossier.audit.log import verify


class Command(BaseCommand):
    help = "Verify the access log's hash chain; print the first bad entry if any (exit 1)."

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                            help="SQLite: walk the log in this many worker processes (default: one per core)")

    def handle(self, *args, **options):
        started = time.perf_counter()
        processes = max(1, options["processes"])
        result = verify(parts=processes, processes=processes)
        seconds = time.perf_counter() - started
        if result.ok:
            self.stdout.write(f"access log OK: {result.checked} entries verified in {seconds:.2f} s")
            return
        self.stderr.write(f"access log BROKEN at entry #{result.first_bad_seq}: {result.problem} "
                          f"({result.checked} entries verified before it)")
        raise SystemExit(1)
