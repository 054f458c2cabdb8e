"""The coach's dashboard names the questionnaires her clients completed since she last looked
at them (GC-9.1); opening the client's questionnaires (tab or result) takes them off."""

import datetime

from coachdossier.questionnaires import actions
from coachdossier.questionnaires.tests.test_workflow import EXAMPLE, QuestionnaireTestCase

PANEL = "Questionnaires completed since you last looked"


class CoachDashboardQuestionnairesTestCase(QuestionnaireTestCase):
    def complete(self, now=None):
        administration = self.send()
        actions.save_answers(actor=self.client_user, administration=administration, answers=EXAMPLE, submit=True,
                             now=now or self.now)
        return administration

    def dashboard(self, user=None):
        self.login(user or self.coach)
        return self.client.get("/")

    def test_gc_9_1_a_completed_questionnaire_shows_until_the_coach_opens_the_clients_questionnaires(self):
        administration = self.complete()
        r = self.dashboard()
        self.assertContains(r, PANEL)
        self.assertContains(r, f"/questionnaires/client/{self.own_client.public_id}/{administration.public_id}/")
        self.assertContains(r, self.own_client.reference)
        self.assertNotContains(r, "Carla")
        self.client.get(f"/clients/{self.own_client.public_id}/tab/questionnaires/")
        self.assertNotContains(self.dashboard(), PANEL)

    def test_a_questionnaire_completed_after_she_looked_shows_again(self):
        self.login(self.coach)
        self.client.get(f"/clients/{self.own_client.public_id}/tab/questionnaires/")
        self.complete(now=self.now + datetime.timedelta(minutes=5))
        self.assertContains(self.dashboard(), PANEL)

    def test_an_open_questionnaire_and_another_coachs_client_are_not_shown(self):
        self.send()
        self.assertNotContains(self.dashboard(), PANEL)
        self.complete()
        self.assertNotContains(self.dashboard(self.other_coach), PANEL)

