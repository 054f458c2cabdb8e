"""GC-6.6: the auditor's security report (no client content) and the monthly log review."""

import datetime

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from coachdossier import audit
from coachdossier.accounts.models import Role
from coachdossier.audit.context import Actor, acting
from coachdossier.audit.models import Basis, Outcome
from coachdossier.lib.tests.test_pdf import pdf_text
from coachdossier.privacy import actions, report
from coachdossier.privacy.models import BackupKind, BackupRun, RegistrationStatus
from coachdossier.privacy.tests.base import PrivacyTestCase
from coachdossier.test import BaseTestCase, make_user


class SecurityReportTests(PrivacyTestCase):
    def test_gc_6_6_the_report_counts_mfa_keys_backups_breaches_and_inactive_accounts(self):
        make_user("nomfa@example.com", "Zonder Tweestaps", Role.COACH, totp=False)
        BackupRun.objects.create(kind=BackupKind.BACKUP, at=self.now, ok=True, location="/b")
        actions.record_data_breach(actor=self.management, discovered_at=self.now - datetime.timedelta(days=5),
                                   title="x", description="x", data_affected="x", people_affected="x", now=self.now)
        r = report.security_report(self.now + datetime.timedelta(days=100))
        self.assertEqual(r["mfa"]["without"], ["Zonder Tweestaps"])
        self.assertEqual(r["encryption"]["keys"], 2)
        self.assertEqual(r["last_backup"].location, "/b")
        self.assertIsNone(r["last_verified"])
        self.assertEqual((r["open_breaches"], r["late_breaches"]), (1, 1))
        self.assertIn("Alice Coach", [name for name, _ in r["inactive"]])  # nobody logged in for 100 days

    def test_law_33_the_report_counts_a_closed_breach_decided_after_72_hours_as_late(self):
        from coachdossier.privacy.models import BreachDecision

        breach = actions.record_data_breach(actor=self.management, discovered_at=self.now - datetime.timedelta(days=5),
                                            title="x", description="x", data_affected="x", people_affected="x",
                                            now=self.now)
        actions.decide_data_breach(actor=self.management, breach=breach, decision=BreachDecision.NOT_REQUIRED,
                                   reason="Versleuteld", now=self.now)
        actions.close_data_breach(actor=self.management, breach=breach, now=self.now)
        r = report.security_report(self.now)
        self.assertEqual((r["open_breaches"], r["late_breaches"], r["late_breach_decisions"]), (0, 0, 1))
        self.login(self.auditor)
        self.assertContains(self.client.get(reverse("privacy:security_report")),
                            "decided later than 72 hours after discovery, or still undecided</dt><dd>1 ")
        self.assertIn("decided later than 72 hours", " ".join(pdf_text(self.client.get(
            reverse("privacy:security_report_pdf")).content).split()))

    def test_gc_6_6_a_failed_last_backup_is_shown_as_failed_on_the_page_as_in_the_pdf_and_the_api(self):
        BackupRun.objects.create(kind=BackupKind.BACKUP, at=self.now - datetime.timedelta(days=1), ok=True,
                                 location="/b/1")
        BackupRun.objects.create(kind=BackupKind.BACKUP, at=self.now, ok=False, location="/b/2", detail="disk full")
        self.login(self.auditor)
        page = self.client.get(reverse("privacy:security_report"))
        self.assertContains(page, '<span class="badge badge-late">failed</span>', html=True)
        self.assertFalse(self.client.get("/api/privacy/security-report").json()["last_backup"]["ok"])

    def test_gc_6_6_the_auditor_sees_the_page_and_pdf_without_any_client_content(self):
        self.login(self.auditor)
        page = self.client.get(reverse("privacy:security_report"))
        self.assertContains(page, "Security report")
        for secret in ("Carla", "de Vries", "Daan", self.own_client.reference):
            self.assertNotContains(page, secret)
        pdf = self.client.get(reverse("privacy:security_report_pdf"))
        self.assertTrue(pdf.content.startswith(b"%PDF"))


class SecurityReportEvidenceTests(PrivacyTestCase):
    """What the auditor checks beyond the counts: a tested restore (LAW-32), the coaches'
    standing in the registry (GC-0.3, GC-4.4) and the signed confidentiality statements
    (PR-R1-R2), the same on the page, in the PDF and in the API."""

    def views(self):
        self.login(self.auditor)
        page = self.client.get(reverse("privacy:security_report")).content.decode()
        pdf = " ".join(pdf_text(self.client.get(reverse("privacy:security_report_pdf")).content).split())
        return page, pdf, self.client.get("/api/privacy/security-report").json()

    def test_law_32_the_report_shows_the_last_tested_restore(self):
        at = timezone.make_aware(datetime.datetime(2026, 11, 2, 14, 5))
        BackupRun.objects.create(kind=BackupKind.RESTORE, at=at, ok=True, location="/r")
        page, pdf, api = self.views()
        self.assertIn("Last tested restore", page)
        self.assertIn("Last tested restore", pdf)
        self.assertIn("2 November 2026, 14:05", pdf)
        self.assertEqual(api["last_restore"], {"at": "2026-11-02T13:05:00Z", "ok": True})

    def test_law_32_a_practice_that_never_tested_a_restore_is_told_so(self):
        page, pdf, api = self.views()
        self.assertIn("Last tested restore", page)
        self.assertIn("Last tested restore never", pdf)
        self.assertIsNone(api["last_restore"])

    def test_law_32_a_failed_latest_verification_is_not_hidden_behind_the_last_successful_one(self):
        """The report showed the last successful verification only: a verification failing
        since then left the auditor looking at an older date as if all was well."""
        BackupRun.objects.create(kind=BackupKind.VERIFY, at=self.now - datetime.timedelta(days=2), ok=True,
                                 location="/b/1")
        BackupRun.objects.create(kind=BackupKind.VERIFY, at=self.now - datetime.timedelta(days=1), ok=False,
                                 location="/b/2", detail="checksum mismatch")
        page, pdf, api = self.views()
        self.assertIn("Latest verification failed", page)
        self.assertIn("Latest verification failed", pdf)
        self.assertEqual(api["last_verified_backup"]["ok"], True)
        self.assertEqual(api["last_backup_verification"]["ok"], False)

    def test_pr_8_a_dossier_past_its_term_under_a_legal_hold_is_counted_as_kept_not_as_overdue(self):
        """A dossier a legal hold keeps is past its term lawfully: the auditor must tell it from
        one the daily job failed to destroy."""
        from coachdossier.clients import actions as client_actions

        trajectory = self.other_client.current_trajectory
        client_actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        actions.place_legal_hold(actor=self.management, client=self.other_client, reason="Rechtszaak", now=self.now)
        later = self.now + datetime.timedelta(days=6 * 366)
        r = report.security_report(later)
        self.assertEqual((r["retention_backlog"], r["retention_kept"]), (1, 1))
        self.login(self.auditor)
        self.assertEqual(self.client.get("/api/privacy/security-report").json()["retention_kept"], 0)

    def test_gc_0_3_the_report_names_the_coaches_not_in_good_standing_and_not_in_the_registry(self):
        profile = actions.save_coach_profile(actor=self.management, coach=self.other_coach, now=self.now,
                                             registration_status=RegistrationStatus.REGISTERED,
                                             registered_on=datetime.date(2020, 1, 1), insurer="V", policy_number="1",
                                             insurance_expires_on=datetime.date(2027, 1, 1))
        r = report.security_report(self.now)
        self.assertEqual((r["registry"]["coaches"], r["registry"]["good_standing"]), (2, 0))
        self.assertEqual(r["registry"]["not_in_registry"], ["Alice Coach"])
        page, pdf, api = self.views()
        self.assertIn("Bob Coach (annual fee for 2026 not paid)", page)
        self.assertIn("Bob Coach (annual fee for 2026 not paid)", pdf)
        self.assertEqual(api["registry"]["not_in_good_standing"],
                         [{"coach": "Bob Coach", "problems": ["annual fee for 2026 not paid"]}])
        actions.record_fee(actor=self.management, profile=profile, year=2026, paid_on=self.now.date(), now=self.now)
        self.assertEqual(report.security_report(self.now)["registry"]["good_standing"], 1)

    def test_pr_r1_the_report_counts_the_staff_who_signed_the_current_confidentiality_statement(self):
        make_user("nieuw@example.com", "Nog Niet Getekend", Role.COACH, accepted=False)
        r = report.security_report(self.now)
        self.assertEqual(r["confidentiality"]["without"], ["Nog Niet Getekend"])
        self.assertEqual(r["confidentiality"]["signed"], r["confidentiality"]["staff"] - 1)
        page, pdf, api = self.views()
        self.assertIn("Nog Niet Getekend", page)
        self.assertIn("Nog Niet Getekend", pdf)
        self.assertEqual(api["confidentiality"]["without"], ["Nog Niet Getekend"])


class LogReviewTests(PrivacyTestCase):
    def test_the_monthly_review_flags_break_glass_refusals_odd_hours_and_exports(self):
        night = timezone.make_aware(datetime.datetime(2026, 11, 14, 23, 30))  # a Saturday night
        with acting(Actor(user=self.other_coach, channel="web")):
            audit.record(action="dossier.read", client=self.own_client, basis=Basis.BREAK_GLASS, now=night)
            audit.record(action="dossier.read", client=self.own_client, outcome=Outcome.DENIED, basis=Basis.NONE,
                         now=night)
        with acting(Actor(user=self.coach, channel="web")):
            audit.record(action="dossier.export", client=self.own_client, basis=Basis.COACH, now=self.now)
        r = report.log_review(datetime.date(2026, 11, 1))
        self.assertEqual([(name, action) for _at, name, action in r["break_glass"]], [("Bob Coach", "dossier.read")])
        self.assertEqual(dict(r["outside_caseload"]), {"Bob Coach": 1})
        self.assertEqual(dict(r["odd_hours"])["Bob Coach"], 2)
        self.assertEqual(dict(r["exports"]), {"Alice Coach": 1})

    def test_nen_7513_a_client_list_showing_the_whole_caseload_is_not_bulk_access(self):
        """A list page logs one entry per client shown; opening that many records is bulk access."""
        import uuid

        from coachdossier.clients.access import LIST_ACTIONS

        caseload = [uuid.uuid4() for _ in range(report.BULK_THRESHOLD)]
        with acting(Actor(user=self.coach, channel="web")):
            for action in sorted(LIST_ACTIONS):
                audit.record_many(action=action, clients=caseload, basis=Basis.COACH, role="coach", now=self.now)
        self.assertEqual(report.log_review(datetime.date(2026, 11, 1))["bulk"], [])
        with acting(Actor(user=self.coach, channel="web")):
            audit.record_many(action="dossier.read", clients=caseload, basis=Basis.COACH, role="coach", now=self.now)
        r = report.log_review(datetime.date(2026, 11, 1))
        self.assertEqual(r["bulk"], [("Alice Coach", self.now.date(), report.BULK_THRESHOLD)])
        self.assertEqual(r["entries"], report.BULK_THRESHOLD * (len(LIST_ACTIONS) + 1))  # the lists stay logged

    def test_nen_7513_the_review_page_and_api_say_that_lists_are_not_counted_as_bulk_access(self):
        self.login(self.management)
        self.assertContains(self.client.get(reverse("privacy:log_review")),
                            "Names shown in a list or search result are logged but not counted here")
        schema = self.client.get("/api/openapi.json").json()["components"]["schemas"]["LogReviewOut"]
        self.assertIn("not counted", schema["properties"]["bulk"]["description"])

    def test_nen_7513_exports_count_client_data_leaving_not_views_of_the_hand_over_or_the_audit_reports(self):
        """Viewing a hand-over page, listing the hand-overs or recording a delivery is no export,
        nor is the auditor's download of the checkpoints (no client in it); the package's
        download is."""
        with acting(Actor(user=self.management, channel="web")):
            for action in ("handover.view", "handover.list", "handover.create", "handover.deliver"):
                audit.record(action=action, client=self.other_client, basis=Basis.MANAGEMENT, now=self.now)
            audit.record(action="handover.download", client=self.other_client, basis=Basis.MANAGEMENT, now=self.now)
        with acting(Actor(user=self.auditor, channel="web")):
            audit.record(action="checkpoints.download", object_type="checkpoint", role="auditor", now=self.now)
            audit.record(action="security_report.download", object_type="report", role="auditor", now=self.now)
        r = report.log_review(datetime.date(2026, 11, 1))
        self.assertEqual(dict(r["exports"]), {"Mia Directie": 1})

    def test_management_opens_the_review_for_a_month_and_a_bad_month_is_explained(self):
        self.login(self.management)
        self.assertContains(self.client.get(reverse("privacy:log_review"), {"month": "2026-10"}), "2026")
        self.assertContains(self.client.get(reverse("privacy:log_review"), {"month": "okt"}), "YYYY-MM")

    def test_a_month_at_the_ends_of_the_calendar_is_explained_rather_than_a_server_error(self):
        self.login(self.management)
        for month in ("0001-01", "9999-12"):
            with self.subTest(month=month):
                page = self.client.get(reverse("privacy:log_review"), {"month": month})
                self.assertContains(page, "Choose a month between 1900 and 9998.")


class LogReviewNoticeTests(PrivacyTestCase):
    def test_the_daily_job_announces_last_months_review_once_with_counts_only(self):
        from django.core import mail

        first = timezone.make_aware(datetime.datetime(2026, 12, 1, 7, 0))
        type(self.management).objects.update(language="nl")  # they read Dutch (User.language)
        with acting(Actor(user=self.other_coach, channel="web")):
            audit.record(action="dossier.read", client=self.own_client, basis=Basis.BREAK_GLASS, now=self.now)
        with self.captureOnCommitCallbacks(execute=True):
            lines = actions.announce_log_review(now=first)
        self.assertEqual(lines, ["log review 2026-11 ready: 1 flag(s)"])
        self.assertEqual(actions.announce_log_review(now=first + datetime.timedelta(days=1)), [])
        # One message each (GC-6.3): management and the auditor need not see each other's addresses.
        self.assertEqual(sorted(m.to for m in mail.outbox), [["aud@example.com"], ["mia@example.com"]])
        self.assertNotIn("Bob", mail.outbox[0].body)
        # One item, in the singular: the mail said "1 punt(en) verdienen".
        self.assertIn("1 punt verdient een tweede blik", mail.outbox[0].body)


@override_settings(LANGUAGE_CODE="nl")
class AuditorPagesInDutchTests(BaseTestCase):  # not PrivacyTestCase: that one sets an English cookie
    """The UI is Dutch by default (tests otherwise run in English): the umbrella auditor's pages
    and management's security report, pages and PDF, read Dutch unless the reader chose English."""

    PAGES = {
        "/": "Auditor van de koepelorganisatie",
        "/privacy/": "Privacy en governance",
        "/privacy/checkpoints/": "Ondertekende controlepunten van het inzagelog",
        "/privacy/security-report/": "Laatste gecontroleerde back-up",
        "/privacy/log-review/": "Controle van het inzagelog",
        "/privacy/processing/": "Verwerkingsverantwoordelijke",
    }
    ENGLISH = ("Security report", "Last backup", "Signed checkpoints", "Log review", "Controller")

    def assert_dutch(self, response, expected):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Language"], "nl")
        self.assertContains(response, expected)
        for english in self.ENGLISH:
            self.assertNotContains(response, english)

    def test_gc_6_6_the_auditors_pages_are_dutch_even_for_an_english_browser(self):
        self.login(self.auditor)
        for url, expected in self.PAGES.items():
            with self.subTest(url):
                self.assert_dutch(self.client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"), expected)

    def test_gc_6_6_the_security_report_pdf_is_dutch_for_the_auditor_and_for_management(self):
        """Its times read "2026-11-23 10:00" (and in the server's time zone) in either language."""
        BackupRun.objects.create(kind=BackupKind.BACKUP, at=self.now, ok=True, location="/b")
        for user in (self.auditor, self.management):
            self.login(user)
            with self.subTest(user.email):
                self.assert_dutch(self.client.get("/privacy/security-report/"), "Laatste gecontroleerde back-up")
                text = pdf_text(self.client.get("/privacy/security-report.pdf").content)
                self.assertIn("Beveiligingsrapport", text)
                self.assertNotIn("Security report", text)
                self.assertIn("23 november 2026 10:00", text)
