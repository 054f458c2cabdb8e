"""GC-2.3 in the questionnaires API: answering is the client's own; her coach sees the
administration but may not answer in her place (403), a stranger does not see it (404)."""

from unittest import mock

from coachdossier.accounts import actions as account_actions
from coachdossier.api import pagination
from coachdossier.audit.models import AccessLogEntry, Basis
from coachdossier.clients.access import Grant
from coachdossier.questionnaires import actions
from coachdossier.questionnaires.models import Administration, QuestionnaireDefinition
from coachdossier.test import BaseTestCase


class AnsweringThroughTheApiTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        actions.ensure_shipped(now=self.now)
        definition = QuestionnaireDefinition.objects.get(key="dass-21")
        self.administration = actions.send_questionnaire(actor=self.coach, client=self.own_client,
                                                         definition=definition, moment="intake", now=self.now)

    def answer(self, user):
        _, secret = account_actions.create_api_token(actor=user, name="test", now=self.now)
        return self.client.post(f"/api/questionnaires/administrations/{self.administration.public_id}/answers",
                                {"answers": {}, "submit": False}, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {secret}")

    def test_the_coach_who_sees_the_client_is_refused_with_403(self):
        """GC-2.3: visible client, forbidden action: 403, not 404."""
        self.assertEqual(self.answer(self.coach).status_code, 403)

    def test_a_stranger_gets_404(self):
        """GC-2.3: not yours: 404."""
        self.assertEqual(self.answer(self.other_coach).status_code, 404)
        self.assertEqual(self.answer(self.other_client_user).status_code, 404)

    def test_the_client_saves_her_answers(self):
        response = self.answer(self.client_user)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "in_progress")


ALL_ONES = {f"q{n}": 1 for n in range(1, 22)}


class QuestionnaireApiParityTests(BaseTestCase):
    """The pages' capabilities in the API: a result with its answers and scores, the client's
    own list and form, the trends; the pages' access-log entries (LAW-NEN7513) and access
    answers (GC-2.3); bad input 422 with field errors and nothing saved."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actions.ensure_shipped(now=cls.now)
        cls.definition = QuestionnaireDefinition.objects.get(key="dass-21")

    def send(self, moment="intake"):
        return actions.send_questionnaire(actor=self.coach, client=self.own_client, definition=self.definition,
                                          moment=moment, now=self.now)

    def submit(self, administration, answers=ALL_ONES):
        actions.save_answers(actor=self.client_user, administration=administration, answers=answers, submit=True,
                             now=self.now, grant=Grant(Basis.CLIENT))

    def logged_since(self, seq):
        return [(e.action, e.object_ref) for e in AccessLogEntry.objects.filter(
            seq__gt=seq, client_ref=self.own_client.public_id)]

    def test_the_coach_reads_a_result_with_its_answers_and_scores_logged_as_the_result_page_logs_it(self):
        administration = self.send()
        self.submit(administration)
        self.login(self.coach)
        before = AccessLogEntry.objects.last().seq
        response = self.client.get(f"/api/questionnaires/administrations/{administration.public_id}")
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["status"], len(body["items"]), body["items"][0]["answer"]), ("completed", 21, 1))
        self.assertEqual([o["value"] for o in body["items"][0]["options"]], [0, 1, 2, 3])
        self.assertEqual({s["key"] for s in body["result"]["subscales"]}, {"depression", "anxiety", "stress"})
        self.assertEqual(self.logged_since(before), [("questionnaires.read", str(administration.public_id))])

    def test_the_client_opens_her_open_questionnaire_logged_as_answering_like_the_fill_page(self):
        administration = self.send()
        self.login(self.client_user)
        before = AccessLogEntry.objects.last().seq
        response = self.client.get(f"/api/questionnaires/administrations/{administration.public_id}")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual((response.json()["result"], response.json()["items"][0]["answer"]), (None, None))
        self.assertEqual(self.logged_since(before), [("questionnaires.answer", str(administration.public_id))])

    def test_gc_2_3_a_result_is_404_for_another_coach_and_403_for_management(self):
        administration = self.send()
        for user, status in ((self.other_coach, 404), (self.other_client_user, 404), (self.management, 403)):
            self.login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get(
                    f"/api/questionnaires/administrations/{administration.public_id}").status_code, status)

    def trends(self, suffix="", **params):
        return self.client.get(f"/api/questionnaires/clients/{self.own_client.public_id}/trends{suffix}", params)

    def test_the_trends_list_each_completed_questionnaire_with_its_subscales_and_how_many_results(self):
        first, second = self.send("intake"), self.send("end")
        self.submit(first)
        self.submit(second, {**ALL_ONES, "q1": 3, "q6": 3})
        self.send("during")  # open: no result yet
        self.login(self.coach)
        response = self.trends()
        self.assertEqual(response.status_code, 200, response.content)
        [trend] = response.json()
        self.assertEqual((trend["questionnaire"], trend["count"]), ("dass-21", 2))
        self.assertEqual([s["key"] for s in trend["subscales"]], ["depression", "anxiety", "stress"])
        self.assertNotIn("points", trend)

    def test_a_questionnaires_results_come_a_page_at_a_time_newest_first_with_scores_and_bands(self):
        """Years of results came in one response; now as every list that grows: {count, page, results}."""
        administrations = [self.send(moment) for moment in ("intake", "during", "end")]
        for n, administration in enumerate(administrations):
            self.submit(administration, {**ALL_ONES, "q1": n, "q6": n})
        self.login(self.coach)
        before = AccessLogEntry.objects.last().seq
        with mock.patch.object(pagination, "PAGE_SIZE", 2):
            first, second = self.trends("/dass-21"), self.trends("/dass-21", page=2)
        self.assertEqual(first.status_code, 200, first.content)
        self.assertEqual((first.json()["count"], first.json()["page"]), (3, 1))
        self.assertEqual([p["moment"] for p in first.json()["results"]], ["end", "during"])
        self.assertEqual([p["moment"] for p in second.json()["results"]], ["intake"])
        stress = next(s for s in first.json()["results"][0]["scores"] if s["key"] == "stress")
        self.assertEqual(stress["score"], 18)  # 7 items, two of them 2: (5 + 4) x 2
        self.assertIn("nl", stress["band"]["label"])
        self.assertEqual(self.logged_since(before), [("questionnaires.read", "")] * 2)

    def test_a_key_that_is_no_questionnaire_is_404(self):
        self.login(self.coach)
        self.assertEqual(self.trends("/no-such-questionnaire").status_code, 404)

    def test_the_client_lists_her_own_questionnaires_and_staff_are_refused(self):
        self.send()
        self.login(self.client_user)
        response = self.client.get("/api/questionnaires/mine")
        self.assertEqual((response.status_code, len(response.json()["results"])), (200, 1))
        self.login(self.coach)
        self.assertEqual(self.client.get("/api/questionnaires/mine").status_code, 403)

    def test_sending_with_an_unknown_moment_is_422_naming_the_field_and_sends_nothing(self):
        self.login(self.coach)
        response = self.client.post(f"/api/questionnaires/clients/{self.own_client.public_id}/administrations",
                                    {"definition": str(self.definition.public_id), "moment": "someday"},
                                    content_type="application/json")
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("moment", response.json()["errors"])
        self.assertFalse(Administration.objects.exists())

    def test_sending_an_unknown_questionnaire_is_422_naming_the_definition(self):
        self.login(self.coach)
        response = self.client.post(f"/api/questionnaires/clients/{self.own_client.public_id}/administrations",
                                    {"definition": str(self.own_client.public_id)}, content_type="application/json")
        self.assertEqual((response.status_code, list(response.json()["errors"])), (422, ["definition"]))

    def test_an_answer_off_the_scale_is_422_naming_the_item_and_nothing_is_saved(self):
        administration = self.send()
        self.login(self.client_user)
        response = self.client.post(f"/api/questionnaires/administrations/{administration.public_id}/answers",
                                    {"answers": {"q1": 1, "q2": 7}, "submit": False}, content_type="application/json")
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(list(response.json()["errors"]), ["q2"])
        administration.refresh_from_db()
        self.assertEqual((administration.status, administration.answered_count), ("sent", 0))
