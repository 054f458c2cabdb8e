"""A client's lists that grow with the years are paged in the API (`{count, page, results}`,
newest first) at the same number of queries on every page: her messages and requests (her own
and the staff's view of them), her measurement sessions, questionnaires and reports. Until
2026-12 each answered the whole list, however long it had grown."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachdossier.clients import actions as client_actions
from coachdossier.measurements import actions as measurement_actions
from coachdossier.portal import actions as portal_actions
from coachdossier.portal.models import RequestKind
from coachdossier.portal.tests.base import CLIENT_GRANT
from coachdossier.questionnaires import actions as questionnaire_actions
from coachdossier.questionnaires.models import QuestionnaireDefinition
from coachdossier.reports import actions as report_actions
from coachdossier.test import BaseTestCase


class ClientListsArePagedTestCase(BaseTestCase):
    def assert_paged(self, user, url, make):
        """At 3 rows and at 60 the same queries; 60 rows are 50 on page 1 and 10 on page 2.
        `make(i)` adds the i-th row through its action."""
        for i in range(3):
            make(i)
        self.login(user)
        self.client.get(url)
        with CaptureQueriesContext(connection) as at_3:
            r = self.client.get(url)
        self.assertEqual(r.json()["count"], 3, r.content)
        for i in range(3, 60):
            make(i)
        with self.assertNumQueries(len(at_3)):
            r = self.client.get(url)
        self.assertEqual((r.json()["count"], r.json()["page"], len(r.json()["results"])), (60, 1, 50))
        self.assertEqual(len(self.client.get(f"{url}?page=2").json()["results"]), 10)
        return r.json()["results"]

    def message(self, i):
        portal_actions.send_message(actor=self.client_user, client=self.own_client, text=f"Vraag {i}", now=self.now,
                                    grant=CLIENT_GRANT)

    def test_her_messages_are_paged_newest_first(self):
        results = self.assert_paged(self.client_user, "/api/portal/messages", self.message)
        self.assertEqual(results[0]["text"], "Vraag 59")  # the same instant: the newest row decides

    def test_the_coach_reads_her_messages_a_page_at_a_time_newest_first(self):
        results = self.assert_paged(self.coach, f"/api/portal/clients/{self.own_client.public_id}/messages",
                                    self.message)
        self.assertEqual(results[0]["text"], "Vraag 59")

    def request(self, i):
        portal_actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.COPY,
                                    now=self.now, grant=CLIENT_GRANT)

    def test_her_requests_are_paged(self):
        self.assert_paged(self.client_user, "/api/portal/requests", self.request)

    def test_the_staff_read_her_requests_a_page_at_a_time(self):
        self.assert_paged(self.coach, f"/api/portal/clients/{self.own_client.public_id}/requests", self.request)

    def test_her_measurement_sessions_are_paged_newest_first(self):
        client_actions.refer_to_therapist(actor=self.coach, client=self.own_client, therapist=self.therapist,
                                          now=self.now)

        def session(i):
            measurement_actions.record_session(actor=self.therapist, client=self.own_client,
                                               measured_on=self.now.date() - datetime.timedelta(days=60 - i),
                                               protocol="rest", values={"breathing_rate_per_min": 9}, now=self.now)
        results = self.assert_paged(self.coach, f"/api/measurements/clients/{self.own_client.public_id}/sessions",
                                    session)
        self.assertEqual(results[0]["date"], str(self.now.date() - datetime.timedelta(days=1)))

    def questionnaire(self, i):
        if not i:
            questionnaire_actions.ensure_shipped(now=self.now)
        questionnaire_actions.send_questionnaire(actor=self.coach, client=self.own_client,
                                                 definition=QuestionnaireDefinition.objects.get(key="dass-21"),
                                                 moment="intake", now=self.now)

    def test_her_questionnaires_are_paged_for_her_coach(self):
        self.assert_paged(self.coach, f"/api/questionnaires/clients/{self.own_client.public_id}/administrations",
                          self.questionnaire)

    def test_her_own_questionnaires_are_paged(self):
        self.assert_paged(self.client_user, "/api/questionnaires/mine", self.questionnaire)

    def test_her_reports_are_paged_newest_first(self):
        def report(i):
            report_actions.create_report(actor=self.coach, client=self.own_client, kind="progress",
                                         addressee="principal", now=self.now)
        results = self.assert_paged(self.coach, f"/api/reports/clients/{self.own_client.public_id}/reports", report)
        self.assertEqual(results[0]["reference"], self.own_client.reports.order_by("-number")[0].reference)
