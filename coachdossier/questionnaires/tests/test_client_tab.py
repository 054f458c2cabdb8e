"""The questionnaires tab of the coach's client page says what comes before a questionnaire can be sent."""

from coachdossier.questionnaires.tests.test_workflow import QuestionnaireTestCase


class QuestionnairesTabTestCase(QuestionnaireTestCase):
    def test_gc_9_1_without_a_portal_account_the_tab_offers_the_invitation_not_a_form_that_is_refused(self):
        from django.urls import reverse

        self.own_client.user = None
        self.own_client.save(update_fields=["user"])
        self.login(self.coach)
        r = self.client.get(reverse("clients:tab", args=[self.own_client.public_id, "questionnaires"]))
        self.assertContains(r, "Invite the client to the portal first.")
        self.assertContains(r, reverse("clients:tab", args=[self.own_client.public_id, "portal"]))
        self.assertNotContains(r, reverse("questionnaires:send", args=[self.own_client.public_id]))

    def test_with_a_portal_account_the_tab_offers_the_form(self):
        from django.urls import reverse

        self.login(self.coach)
        r = self.client.get(reverse("clients:tab", args=[self.own_client.public_id, "questionnaires"]))
        self.assertContains(r, reverse("questionnaires:send", args=[self.own_client.public_id]))
        self.assertNotContains(r, "Invite the client to the portal first.")
