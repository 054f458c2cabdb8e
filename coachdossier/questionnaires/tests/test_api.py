"""GC-2.3 in the questionnaires API: answering is the client's own; her coach sees the
administration but may not answer in her place (403), a stranger does not see it (404)."""

from coachdossier.accounts import actions as account_actions
from coachdossier.questionnaires import actions
from coachdossier.questionnaires.models import QuestionnaireDefinition
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
