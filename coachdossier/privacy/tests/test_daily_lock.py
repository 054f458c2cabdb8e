"""PR-8: the daily job acts once, even when two app servers' timers start it at the same
time: the second finds the lock held and does nothing."""

import fcntl
import io
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from coachdossier.privacy import daily
from coachdossier.privacy.models import LogVerification


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
