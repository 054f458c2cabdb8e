"""The reports API calls the same actions as the pages; bad input is a 422 with field errors."""

import json

from coachdossier.accounts import actions as account_actions
from coachdossier.reports.models import Report, ReportState

from .helpers import ReportTestCase


class ReportApiTestCase(ReportTestCase):
    def call(self, user, method, path, data=None):
        _, raw = account_actions.create_api_token(actor=user, name="test", now=self.now)
        return self.client.generic(method, f"/api/reports{path}", data=json.dumps(data) if data is not None else "",
                                   content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")

    def base(self, client=None):
        return f"/clients/{(client or self.own_client).public_id}/reports"

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
        self.assertIn("subject", r.json()["detail"])
        report.refresh_from_db()
        self.assertEqual(report.content["subject"], "Voortgangsrapportage")

    def test_sending_too_early_is_422(self):
        """PR-6"""
        report = self.client_copy()
        r = self.call(self.coach, "POST", f"{self.base()}/{report.public_id}/send", {"code_channel": "email"})
        self.assertEqual(r.status_code, 422)
        self.assertIn("state", r.json()["detail"])

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
        [row] = r.json()
        self.assertEqual(row["state"], "client_copy")
        self.assertNotIn("sections", row)
        self.assertEqual(self.call(self.management, "POST", self.base(), {"kind": "plan", "addressee": "principal"})
                         .status_code, 403)
        self.assertEqual(self.call(self.other_coach, "GET", self.base()).status_code, 404)
