"""The coach's dashboard names her reports that wait for the client or for her (PR-6, GC-6.1)."""

from coachdossier.reports import actions
from coachdossier.reports.tests.helpers import AFTER_REVIEW, CLIENT, ReportTestCase


class CoachDashboardReportsTestCase(ReportTestCase):
    def dashboard(self, user=None):
        self.login(user or self.coach)
        return self.client.get("/")

    def test_pr_6_a_report_waiting_for_the_clients_answer_shows_with_the_end_of_the_review_period(self):
        report = self.client_copy()
        r = self.dashboard()
        self.assertContains(r, "Reports waiting for the client or for you")
        self.assertContains(r, report.reference)
        self.assertContains(r, "Waiting for the client&#x27;s answer.")
        self.assertContains(r, "30 Nov 2026")  # Mon 23 Nov + 5 working days
        self.assertNotContains(r, "Carla")  # references only, as the other coach panels

    def test_gc_6_1_an_objection_and_a_block_tell_the_coach_what_comes_next(self):
        objected = self.client_copy()
        actions.object_to_report(actor=self.client_user, report=objected, text="Ik werk al drie ochtenden.",
                                 now=self.now, grant=CLIENT)
        blocked = self.client_copy()
        actions.block_report(actor=self.client_user, report=blocked, now=self.now, grant=CLIENT)
        r = self.dashboard()
        self.assertContains(r, "The client objected: read the objection; it is sent along with the report (GC-6.1).")
        self.assertContains(r, "The client blocked the report: it will not be sent (GC-6.1).")

    def test_pr_6_an_approved_report_can_be_sent_and_leaves_the_dashboard_once_sent(self):
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        self.assertContains(self.dashboard(), "The client answered: the report can be sent.")
        self.send(report, now=self.now + AFTER_REVIEW)
        self.assertNotContains(self.dashboard(), report.reference)

    def test_a_draft_is_not_waiting_and_another_coachs_report_is_not_shown(self):
        self.draft()
        theirs = self.client_copy(client=self.other_client, coach=self.other_coach)
        r = self.dashboard()
        self.assertNotContains(r, "Reports waiting for the client or for you")
        self.assertContains(self.dashboard(self.other_coach), theirs.reference)

