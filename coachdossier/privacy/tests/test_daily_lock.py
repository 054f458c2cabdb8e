"""PR-8: the daily job acts once, even when two app servers' timers start it at the same
time: the second finds the lock held and does nothing."""

import datetime
import fcntl
import io
from contextlib import contextmanager

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from coachdossier.privacy import daily
from coachdossier.privacy.models import Checkpoint, LogVerification


@contextmanager
def held_elsewhere():
    """The lock as another host (another database session, another open file) holds it."""
    if connection.vendor == "postgresql":
        import psycopg

        cfg = connection.settings_dict
        with psycopg.connect(host=cfg["HOST"] or "localhost", port=str(cfg["PORT"] or 5432), user=cfg["USER"] or None,
                             password=cfg["PASSWORD"] or None, dbname=cfg["NAME"], autocommit=True) as other:
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [daily.LOCK_KEY]).fetchone()[0]
            yield
        return
    with open(settings.LOCAL_STATE_DIR / "run_daily.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield


class DailyLockTestCase(TestCase):
    databases = {"default", "keys"}

    def run_daily(self) -> str:
        out = io.StringIO()
        call_command("run_daily", now="2026-11-23T06:00:00", stdout=out)
        return out.getvalue()

    def test_pr_8_a_second_run_daily_while_the_first_holds_the_lock_does_nothing(self):
        """PR-8"""
        with held_elsewhere():
            self.assertIn("another run_daily is running", self.run_daily())
        self.assertFalse(LogVerification.objects.exists())

    def test_pr_8_once_the_lock_is_free_the_next_run_does_the_work(self):
        """PR-8"""
        with held_elsewhere():
            self.run_daily()
        self.assertIn("access log OK", self.run_daily())
        self.assertEqual(LogVerification.objects.count(), 1)

    def test_the_lock_is_released_after_a_run_so_runs_one_after_another_both_act(self):
        """PR-8"""
        self.run_daily()
        with daily.single_run() as mine:
            self.assertTrue(mine)


class DailyClockTestCase(TestCase):
    """`run_daily --now` with a time before the job's last checkpoint ran as if the clock went
    back: it judged retention and deadlines by that day and signed a checkpoint dated before
    the last one that covered more of the log."""

    databases = {"default", "keys"}

    def run_daily(self, now, *args) -> str:
        out = io.StringIO()
        call_command("run_daily", "--now", now, *args, stdout=out)
        return out.getvalue()

    def test_a_time_before_the_last_checkpoint_is_refused_naming_it_and_nothing_runs(self):
        self.run_daily("2026-11-23T06:00:00")
        runs, signed = LogVerification.objects.count(), Checkpoint.objects.count()
        with self.assertRaisesMessage(CommandError, "is before the daily job's last checkpoint (2026-11-23T06:00"):
            self.run_daily("2026-11-22T06:00:00")
        with self.assertRaisesMessage(CommandError, "nothing was run"):
            self.run_daily("2026-11-22T06:00:00", "--dry-run")
        self.assertEqual((LogVerification.objects.count(), Checkpoint.objects.count()), (runs, signed))

    def test_the_same_time_again_or_a_later_one_runs(self):
        self.run_daily("2026-11-23T06:00:00")
        self.assertIn("access log OK", self.run_daily("2026-11-23T06:00:00"))
        self.assertIn("access log OK", self.run_daily("2026-11-24T06:00:00"))

    def test_rerun_says_on_purpose_and_runs_as_of_the_earlier_time(self):
        self.run_daily("2026-11-23T06:00:00")
        self.assertIn("access log OK", self.run_daily("2026-11-22T06:00:00", "--rerun"))
        self.assertEqual(LogVerification.objects.order_by("-pk").first().at.day, 22)

    def test_without_now_the_timers_run_is_never_refused_even_by_a_clock_behind_another_hosts(self):
        """Two app servers' timers: the second host's clock a minute behind the first's must not
        fail its unit; only a --now someone gave is checked."""
        self.run_daily((timezone.now() + datetime.timedelta(minutes=1)).isoformat())
        out = io.StringIO()
        call_command("run_daily", stdout=out)
        self.assertIn("access log OK", out.getvalue())
