"""PR-8: the retention term, notices to management, automatic destruction and legal holds;
the daily job."""

import datetime
import io

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from coachdossier import policy
from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions as client_actions
from coachdossier.clients.crypto import ClientKey
from coachdossier.privacy import actions
from coachdossier.privacy.models import Checkpoint, LogVerification, RetentionNotice
from coachdossier.privacy.tests.base import PrivacyTestCase


def retention_mail():
    return [m for m in mail.outbox if "/privacy/retention/" in m.body]


class RetentionTestCase(PrivacyTestCase):
    def setUp(self):
        super().setUp()
        trajectory = self.own_client.current_trajectory
        client_actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        trajectory.refresh_from_db()
        self.due = trajectory.retention_until
        self.notice_day = self.at(self.due - datetime.timedelta(days=30))

    def at(self, day):
        return self.now.replace(year=day.year, month=day.month, day=day.day)

    def run_daily(self, now, *args):
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("run_daily", "--now", now.isoformat(), *args, stdout=out)
        return out.getvalue()


class RetentionTests(RetentionTestCase):
    def test_pr_8_closing_starts_a_five_year_term(self):
        self.assertEqual(self.due, datetime.date(2031, 11, 23))

    def test_pr_8_management_is_told_before_and_the_dossier_destroyed_when_the_term_ends(self):
        output = self.run_daily(self.notice_day)
        self.assertIn(f"retention notice: {self.own_client.reference}", output)
        notices = retention_mail()
        self.assertEqual(len(notices), 1)
        self.assertIn(self.own_client.reference, notices[0].body)
        self.assertNotIn("Carla", notices[0].body)  # a reference, never a name (GC-6.3)
        self.run_daily(self.at(self.due - datetime.timedelta(days=1)))
        self.own_client.refresh_from_db()
        self.assertIsNone(self.own_client.destroyed_at)
        output = self.run_daily(self.at(self.due))
        self.assertIn(f"destroy: {self.own_client.reference}", output)
        self.own_client.refresh_from_db()
        self.assertIsNotNone(self.own_client.destroyed_at)
        self.assertFalse(ClientKey.objects.filter(client_ref=self.own_client.public_id).exists())

    def test_pr_8_a_dossier_never_announced_waits_for_the_full_notice_period(self):
        late = self.at(self.due + datetime.timedelta(days=3))
        output = self.run_daily(late)
        self.assertIn("waiting for the notice period", output)
        self.own_client.refresh_from_db()
        self.assertIsNone(self.own_client.destroyed_at)
        self.run_daily(late + datetime.timedelta(days=30))
        self.own_client.refresh_from_db()
        self.assertIsNotNone(self.own_client.destroyed_at)

    def test_pr_8_a_dry_run_lists_what_it_would_do_and_changes_nothing(self):
        self.run_daily(self.notice_day)
        entries = AccessLogEntry.objects.count()
        output = self.run_daily(self.at(self.due), "--dry-run")
        self.assertIn(f"[dry run] destroy: {self.own_client.reference}", output)
        self.own_client.refresh_from_db()
        self.assertIsNone(self.own_client.destroyed_at)
        self.assertEqual(AccessLogEntry.objects.count(), entries)

    def test_pr_8_the_daily_job_is_idempotent(self):
        self.run_daily(self.notice_day)
        self.run_daily(self.notice_day)
        self.assertEqual(RetentionNotice.objects.count(), 1)
        self.assertEqual(len(retention_mail()), 1)
        self.assertEqual(Checkpoint.objects.count(), 1)  # the log's head did not move: nothing new to sign
        self.assertEqual(LogVerification.objects.filter(ok=True).count(), 2)

    def test_an_open_trajectory_keeps_the_dossier(self):
        self.assertEqual(actions.retention_backlog(self.due + datetime.timedelta(days=100))[0]["client"],
                         self.own_client)
        self.assertEqual([r["client"] for r in actions.retention_backlog(self.due)
                          if r["client"] == self.other_client], [])


class LegalHoldTests(RetentionTestCase):
    def test_gc_5_4_a_legal_hold_postpones_destruction_with_the_reason_shown(self):
        self.run_daily(self.notice_day)
        hold = actions.place_legal_hold(actor=self.management, client=self.own_client,
                                        reason="Rechtszaak over ontslag", now=self.now)
        output = self.run_daily(self.at(self.due))
        self.assertIn("postponed", output)
        self.assertIn("legal hold", output)
        self.own_client.refresh_from_db()
        self.assertIsNone(self.own_client.destroyed_at)
        self.login(self.management)
        page = self.client.get(reverse("privacy:retention"))
        self.assertContains(page, "Rechtszaak over ontslag")
        row = actions.retention_backlog(self.due)[0]
        self.assertEqual(row["blockers"], ["A legal hold is active: the dossier must be kept until it is released."])
        actions.release_legal_hold(actor=self.management, hold=hold, now=self.now)
        self.run_daily(self.at(self.due + datetime.timedelta(days=1)))
        self.own_client.refresh_from_db()
        self.assertIsNotNone(self.own_client.destroyed_at)

    def test_gc_5_4_a_destruction_request_is_refused_while_a_hold_is_active(self):
        actions.place_legal_hold(actor=self.management, client=self.own_client, reason="Claim", now=self.now)
        with self.assertRaises(ValidationError) as ctx:
            client_actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="verzoek")
        self.assertIn("legal hold", str(ctx.exception))
        self.own_client.refresh_from_db()
        self.assertIsNone(self.own_client.destroyed_at)

    def test_a_hold_needs_a_reason_and_the_reason_is_sealed(self):
        with self.assertRaises(ValidationError):
            actions.place_legal_hold(actor=self.management, client=self.own_client, reason="  ", now=self.now)
        hold = actions.place_legal_hold(actor=self.management, client=self.own_client, reason="Zaak 12", now=self.now)
        self.assertNotIn(b"Zaak 12", bytes(hold.reason_sealed))
        self.assertEqual(hold.reason, "Zaak 12")

    def test_management_places_and_releases_a_hold_in_the_ui(self):
        self.login(self.management)
        url = reverse("privacy:legal_hold_new", args=[self.own_client.public_id])
        self.assertEqual(self.client.post(url, {"reason": ""}).status_code, 200)
        self.assertRedirects(self.client.post(url, {"reason": "Bodemprocedure"}), reverse("privacy:retention"))
        hold = self.own_client.legal_holds.get()
        response = self.client.post(reverse("privacy:legal_hold_release", args=[self.own_client.public_id,
                                                                                hold.public_id]))
        self.assertRedirects(response, url)
        hold.refresh_from_db()
        self.assertIsNotNone(hold.released_at)

    def test_the_reference_search_leads_to_the_hold_page(self):
        self.login(self.management)
        response = self.client.get(reverse("privacy:retention"), {"reference": self.other_client.reference})
        self.assertRedirects(response, reverse("privacy:legal_hold_new", args=[self.other_client.public_id]))


class DailyJobTests(PrivacyTestCase):
    def test_the_daily_job_calls_another_apps_reminders_when_that_app_has_them(self):
        import sys
        import types

        from coachdossier.privacy import daily

        calls = []
        fake = types.ModuleType("coachdossier_fake_reminders")
        fake.send_due_reminders = lambda now: calls.append(now) or 2
        sys.modules["coachdossier_fake_reminders"] = fake
        self.addCleanup(sys.modules.pop, "coachdossier_fake_reminders")
        step = daily._other("coachdossier_fake_reminders", "send_due_reminders")
        self.assertEqual(step(self.now, True), ["would call coachdossier_fake_reminders.send_due_reminders"])
        self.assertEqual(calls, [])
        self.assertEqual(step(self.now, False), ["coachdossier_fake_reminders.send_due_reminders: 2"])
        self.assertEqual(calls, [self.now])
        self.assertEqual(daily._other("coachdossier.nonexistent.actions", "x")(self.now, False), [])

    def test_law_30_the_daily_job_removes_access_log_entries_past_their_term_and_the_chain_still_verifies(self):
        """LAW-30, LAW-NEN7513: the register states the log's term as a maximum, so the daily
        job enforces it; before, only a `prune_access_log` run by hand removed anything."""
        from coachdossier.privacy import daily

        years = policy.current().access_log_retention_years
        made = AccessLogEntry.objects.count()  # the personas' world, made at NOW
        self.assertGreater(made, 0)
        day_before = self.now.replace(year=self.now.year + years) - datetime.timedelta(days=1)
        self.assertEqual(daily.access_log_retention(day_before, False), [])
        later = self.now.replace(year=self.now.year + years) + datetime.timedelta(days=1)
        self.assertEqual(daily.access_log_retention(later, True),
                         [f"would remove access-log entries older than {years} years"])
        self.assertEqual(AccessLogEntry.objects.count(), made)
        self.assertEqual(daily.access_log_retention(later, False),
                         [f"removed {made} access-log entries older than {years} years"])
        self.assertFalse(AccessLogEntry.objects.exists())
        self.assertTrue(daily.access_log(later, False)[0].startswith("access log OK"))
        # A step of run_daily, before the verification and the checkpoint of what is left.
        self.assertEqual(daily.STEPS[-2:], [daily.access_log_retention, daily.access_log])

    def test_a_failing_step_is_reported_and_the_others_still_run(self):
        from unittest import mock

        from coachdossier.privacy import daily

        def broken(now, dry_run):
            raise RuntimeError("boom")

        with mock.patch.object(daily, "STEPS", [broken, daily.access_log]), self.assertLogs("coachdossier.privacy"):
            lines = daily.run(now=self.now)
        self.assertEqual(lines[0], "FAILED: broken (see the log)")
        self.assertTrue(lines[1].startswith("access log OK"))
