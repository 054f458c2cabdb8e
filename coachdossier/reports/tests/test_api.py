"""The reports API calls the same actions as the pages; bad input is a 422 with field errors."""

import hashlib
import json

import time_machine

from coachdossier.accounts import actions as account_actions
from coachdossier.audit.models import AccessLogEntry, Basis
from coachdossier.clients.access import Grant
from coachdossier.reports import actions
from coachdossier.reports.models import Report, ReportState

from .helpers import AFTER_REVIEW, ReportTestCase


class ReportApiCalls(ReportTestCase):
    def call(self, user, method, path, data=None):
        _, raw = account_actions.create_api_token(actor=user, name="test", now=self.now)
        return self.client.generic(method, f"/api/reports{path}", data=json.dumps(data) if data is not None else "",
                                   content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")

    def base(self, client=None):
        return f"/clients/{(client or self.own_client).public_id}/reports"


class ReportApiTestCase(ReportApiCalls):
    def test_the_coach_creates_edits_and_marks_a_report_ready(self):
        """PR-6"""
        r = self.call(self.coach, "POST", self.base(), {"kind": "final", "addressee": "principal"})
        self.assertEqual(r.status_code, 201, r.content)
        report_id = r.json()["id"]
        r = self.call(self.coach, "PUT", f"{self.base()}/{report_id}", {
            "subject": "Eindrapportage", "sections": [{"title": "Resultaat", "text": "Weer aan het werk."}]})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["sections"], [{"title": "Resultaat", "text": "Weer aan het werk."}])
        with self.captureOnCommitCallbacks(execute=True):
            r = self.call(self.coach, "POST", f"{self.base()}/{report_id}/ready")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(Report.objects.get().state, ReportState.CLIENT_COPY)

    def test_bad_input_is_422_with_field_errors_and_saves_nothing(self):
        report = self.draft()
        r = self.call(self.coach, "PUT", f"{self.base()}/{report.public_id}", {"subject": "", "sections": []})
        self.assertEqual(r.status_code, 422)
        self.assertIn("subject", r.json()["errors"])
        report.refresh_from_db()
        self.assertEqual(report.content["subject"], "Voortgangsrapportage")

    def test_sending_too_early_is_422(self):
        """PR-6"""
        report = self.client_copy()
        r = self.call(self.coach, "POST", f"{self.base()}/{report.public_id}/send", {"code_channel": "email"})
        self.assertEqual(r.status_code, 422)
        self.assertIn("state", r.json()["errors"])

    def test_the_client_signs_and_the_coach_sends_with_a_code_by_phone(self):
        report = self.client_copy(signature_required=True)
        r = self.call(self.client_user, "POST", f"/review/{report.public_id}/sign",
                      {"document_sha256": report.pdf_sha256})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["state"], "signed")
        r = self.call(self.coach, "POST", f"{self.base()}/{report.public_id}/send", {"code_channel": "phone"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertRegex(r.json()["code"], r"^\d{6}$")

    def test_blocking_a_uwv_report_is_422(self):
        """GC-6.1"""
        report = self.client_copy(client=self.other_client, coach=self.other_coach)
        r = self.call(self.other_client_user, "POST", f"/review/{report.public_id}/block")
        self.assertEqual(r.status_code, 422)
        self.assertNotIn("GC-", r.content.decode())  # the client reads why in words, not a rule code
        r = self.call(self.other_client_user, "POST", f"/review/{report.public_id}/object", {"text": "Niet mee eens."})
        self.assertEqual(r.json()["state"], "objected")

    def test_another_client_gets_404(self):
        report = self.client_copy()
        r = self.call(self.other_client_user, "POST", f"/review/{report.public_id}/approve")
        self.assertEqual(r.status_code, 404)

    def test_management_lists_states_without_content_and_cannot_write(self):
        """PR-7"""
        self.client_copy()
        r = self.call(self.management, "GET", self.base())
        self.assertEqual(r.status_code, 200)
        [row] = r.json()["results"]
        self.assertEqual(row["state"], "client_copy")
        self.assertNotIn("sections", row)
        self.assertEqual(self.call(self.management, "POST", self.base(), {"kind": "plan", "addressee": "principal"})
                         .status_code, 403)
        self.assertEqual(self.call(self.other_coach, "GET", self.base()).status_code, 404)


class ReportApiParityTestCase(ReportApiCalls):
    """The report pages' remaining capabilities in the API, with their access-log entries."""

    def logged_since(self, seq):
        return [(e.action, e.object_ref) for e in AccessLogEntry.objects.filter(
            seq__gt=seq, client_ref=self.own_client.public_id)]

    def test_pr_6_the_client_reads_the_report_under_review_and_the_read_is_logged(self):
        report = self.client_copy()
        before = AccessLogEntry.objects.last().seq
        r = self.call(self.client_user, "GET", f"/review/{report.public_id}")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["subject"], r.json()["state"]), ("Voortgangsrapportage", "client_copy"))
        self.assertEqual(self.logged_since(before), [("report.review", str(report.public_id))])
        self.assertEqual(self.call(self.coach, "GET", f"/review/{report.public_id}").status_code, 403)
        self.assertEqual(self.call(self.other_client_user, "GET", f"/review/{report.public_id}").status_code, 404)

    def test_pr_6_the_client_signs_the_pdf_she_downloaded_by_its_sha256(self):
        report = self.client_copy(signature_required=True)
        pdf = self.call(self.client_user, "GET", f"/review/{report.public_id}/pdf")
        self.assertEqual((pdf.status_code, pdf["Content-Type"]), (200, "application/pdf"))
        r = self.call(self.client_user, "POST", f"/review/{report.public_id}/sign",
                      {"document_sha256": hashlib.sha256(pdf.content).hexdigest()})
        self.assertEqual((r.status_code, r.json()["state"]), (200, "signed"))

    def test_the_coach_downloads_a_drafts_preview_and_the_download_is_logged(self):
        report = self.draft()
        before = AccessLogEntry.objects.last().seq
        r = self.call(self.coach, "GET", f"{self.base()}/{report.public_id}/pdf")
        self.assertEqual((r.status_code, r.content[:5]), (200, b"%PDF-"))
        self.assertEqual(self.logged_since(before), [("report.download", str(report.public_id))])

    def test_pr_6_a_change_after_the_client_copy_is_a_new_version_and_a_draft_is_422(self):
        report = self.client_copy()
        r = self.call(self.coach, "POST", f"{self.base()}/{report.public_id}/revise")
        self.assertEqual((r.status_code, r.json()["version"], r.json()["state"]), (201, 2, "draft"))
        draft = self.draft()
        r = self.call(self.coach, "POST", f"{self.base()}/{draft.public_id}/revise")
        self.assertEqual(r.status_code, 422)
        self.assertIn("state", r.json()["errors"])
        self.assertEqual(Report.objects.filter(number=draft.number).count(), 1)

    def test_the_notice_of_a_delivered_copy_is_not_sent_again(self):
        report = self.client_copy()
        r = self.call(self.coach, "POST", f"{self.base()}/{report.public_id}/notify")
        self.assertEqual(r.status_code, 422)
        self.assertIn("state", r.json()["errors"])

    def test_a_recipient_email_that_is_no_address_is_422_and_nothing_is_sent(self):
        """The page's SendForm has an EmailField; the API sent the link to any string."""
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=Grant(Basis.CLIENT))
        with time_machine.travel(self.now + AFTER_REVIEW, tick=False):
            r = self.call(self.coach, "POST", f"{self.base()}/{report.public_id}/send",
                          {"code_channel": "email", "recipient_email": "arts at arbodienst"})
        self.assertEqual(r.status_code, 422, r.content)
        self.assertIn("recipient_email", r.json()["errors"])
        report.refresh_from_db()
        self.assertEqual((report.state, report.sent_at), ("approved", None))

    def test_a_company_doctors_email_that_is_no_address_is_422_and_the_draft_keeps_its_recipient(self):
        """The page's ReportForm has an EmailField for it; the API took any string."""
        report = self.draft(addressee="company_doctor", recipient={"name": "Dr. Arts", "email": "arts@example.com"})
        r = self.call(self.coach, "PUT", f"{self.base()}/{report.public_id}", {
            "subject": "Voortgang", "sections": [{"title": "Verloop", "text": "Goed."}],
            "recipient": {"name": "Dr. Arts", "email": "arts@"}})
        self.assertEqual(r.status_code, 422, r.content)
        self.assertIn("recipient_email", r.json()["errors"])
        report.refresh_from_db()
        self.assertEqual(report.content["recipient"]["email"], "arts@example.com")
