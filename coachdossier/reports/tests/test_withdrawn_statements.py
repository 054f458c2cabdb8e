"""GC-5.3: a statement the client withdrew, and the reports that quote it."""

from django.core.exceptions import ValidationError

from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.portal import actions as portal_actions
from coachdossier.reports import actions
from coachdossier.reports.models import ReportState

from .helpers import CLIENT, ReportTestCase, pdf_text

STATEMENT = "Ik werk graag twee ochtenden."


class WithdrawnStatementTestCase(ReportTestCase):
    def setUp(self):
        super().setUp()
        self.statement, _ = portal_actions.add_statement(actor=self.client_user, client=self.own_client,
                                                         title="Mijn kijk", text=STATEMENT, now=self.now, grant=CLIENT)

    def withdraw(self):
        portal_actions.withdraw_statement(actor=self.client_user, entry=self.statement, now=self.now, grant=CLIENT)

    def test_gc_5_3_a_report_sent_before_the_withdrawal_keeps_the_statement_as_sent(self):
        report = self.client_copy(entry_ids=[self.statement.public_id])
        self.send(report)
        self.withdraw()
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.SENT)
        self.assertIn(STATEMENT, pdf_text(actions.read_sent_pdf(report)))
        self.assertEqual([e["text"] for e in report.content["entries"]], [STATEMENT])

    def test_gc_5_3_a_report_not_yet_sent_cannot_go_out_quoting_a_withdrawn_statement(self):
        report = self.client_copy(entry_ids=[self.statement.public_id])
        self.withdraw()
        with self.assertRaises(ValidationError) as caught:
            self.send(report)
        self.assertIn("withdrew a statement", caught.exception.message_dict["state"][0])
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)
        self.assertTrue(AccessLogEntry.objects.filter(action="report.send", outcome=Outcome.DENIED).exists())

    def test_gc_5_3_the_coach_reads_on_the_report_why_it_cannot_go_out_before_she_tries(self):
        report = self.client_copy(entry_ids=[self.statement.public_id])
        self.withdraw()
        self.login(self.coach)
        page = self.client.get(f"/reports/{self.own_client.public_id}/{report.public_id}/")
        self.assertContains(page, "withdrew a statement that this report quotes")
        self.assertNotContains(page, f"/reports/{self.own_client.public_id}/{report.public_id}/send/")

    def test_gc_5_3_she_reads_on_the_report_she_reviews_that_it_cannot_go_out_with_her_statement(self):
        report = self.client_copy(entry_ids=[self.statement.public_id])
        self.login(self.client_user)
        self.assertNotContains(self.client.get(f"/reports/review/{report.public_id}/"), "you have withdrawn since")
        self.withdraw()
        self.assertContains(self.client.get(f"/reports/review/{report.public_id}/"), "you have withdrawn since")

    def test_gc_5_3_a_draft_quoting_a_withdrawn_statement_is_not_marked_ready_until_it_is_taken_out(self):
        report = self.draft(entry_ids=[self.statement.public_id])
        self.withdraw()
        with self.assertRaises(ValidationError) as caught:
            self.ready(report)
        self.assertIn("entries", caught.exception.message_dict)
        report = actions.remove_entry(actor=self.coach, report=report, entry_id=str(self.statement.public_id),
                                      now=self.now)
        self.assertEqual(self.ready(report).state, ReportState.CLIENT_COPY)

    def test_gc_5_3_a_withdrawn_statement_cannot_be_chosen_for_a_report(self):
        self.withdraw()
        with self.assertRaises(ValidationError):
            self.draft(entry_ids=[self.statement.public_id])
        self.login(self.coach)
        report = self.draft()
        page = self.client.get(f"/reports/{self.own_client.public_id}/{report.public_id}/edit/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, str(self.statement.public_id))
