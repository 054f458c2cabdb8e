import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coachdossier.audit.context import Actor, acting
from coachdossier.privacy import daily


class Command(BaseCommand):
    help = ("The daily job: retention notices and destruction (PR-8), orphaned keys and files, the erasure "
            "registry, insurance and data-breach reminders, other apps' reminders and the outbox, the monthly "
            "log-review notice, access-log entries past their term, then access-log verification and a signed "
            "checkpoint. Idempotent; one run at a time. Exit code 1 when a step failed (FAILED: <step>) or the "
            "access log does not verify; exit code 1 and nothing run when --now is before the last checkpoint "
            "(unless --rerun).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what it would do, change nothing")
        parser.add_argument("--now", help="ISO date-time to run as (for tests and catching up); refused when it is "
                            "before the last checkpoint the job signed")
        parser.add_argument("--rerun", action="store_true",
                            help="with --now: run as of that time although it is before the last checkpoint")

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        with daily.single_run() as mine:
            if not mine:
                # Another host (or an earlier run still going) is doing today's work.
                self.stdout.write("another run_daily is running (it holds the lock): nothing done")
                return
            # Under the lock, so that no run signs a later checkpoint between the check and the work.
            # Only a --now someone typed: the timer's own clock a little behind another host's
            # must not fail the unit.
            refused = daily.refusal(now) if options["now"] and not options["rerun"] else None
            if refused:
                raise CommandError(refused)
            with acting(Actor(user=None, channel="job")):
                lines = daily.run(now=now, dry_run=options["dry_run"])
        for line in lines or ["nothing to do"]:
            self.stdout.write(("[dry run] " if options["dry_run"] else "") + line)
        if any(line.startswith("FAILED") for line in lines):
            raise SystemExit(1)
