"""PR-6, GC-6.1: the coach's report page keeps saying what the client answered after sending."""

from coachdossier.reports import actions

from .helpers import CLIENT, ReportTestCase


class AnswerAfterSendingTestCase(ReportTestCase):
    def page(self, report):
        self.login(self.coach)
        return self.client.get(f"/reports/{self.own_client.public_id}/{report.public_id}/")

    def test_pr_6_a_sent_report_still_shows_that_the_client_approved_it(self):
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        self.send(report)
        self.assertEqual(report.state, "sent")
        self.assertContains(self.page(report), "<dt>Client answered</dt><dd>Approved by the client · ", html=False)

    def test_gc_6_1_a_sent_report_still_shows_that_the_client_objected(self):
        report = self.client_copy()
        actions.object_to_report(
            actor=self.client_user, report=report, text="Het tempo klopt niet.", now=self.now, grant=CLIENT
        )
        self.send(report)
        self.assertContains(self.page(report), "<dt>Client answered</dt><dd>Client objected · ", html=False)

    def test_pr_6_before_sending_the_answer_is_the_reports_state(self):
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        self.assertEqual(report.get_answer_display(), "Approved by the client")
