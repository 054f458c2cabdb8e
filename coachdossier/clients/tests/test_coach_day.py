"""What a coach reads on her working day, in Dutch: the words must say what they mean."""

from django.test import override_settings
from django.urls import reverse

from coachdossier.clients import actions
from coachdossier.test import BaseTestCase


@override_settings(LANGUAGE_CODE="nl")
class DutchWordingTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.coach)

    def test_a_session_by_phone_reads_telefonisch_not_telefoonnummer(self):
        actions.log_session(actor=self.coach, trajectory=self.own_client.current_trajectory, date=self.now.date(),
                            minutes=45, mode="phone", now=self.now)
        for url in (reverse("clients:detail", args=[self.own_client.public_id]),
                    reverse("clients:session_new", args=[self.own_client.public_id])):
            r = self.client.get(url)
            self.assertContains(r, "Telefonisch")
        self.assertNotContains(r, "Telefoonnummer")

    def test_gc_5_3_her_own_finding_is_explained_to_the_coach_not_as_if_to_the_client(self):
        entry = actions.add_entry(actor=self.coach, client=self.own_client, kind="finding",
                                  occurred_on=self.now.date(), title="Tussentijdse bevinding",
                                  text="De belastbaarheid neemt toe.", now=self.now)
        for url in (reverse("clients:entry", args=[self.own_client.public_id, entry.public_id]),
                    reverse("clients:detail", args=[self.own_client.public_id])):
            r = self.client.get(url)
            self.assertNotContains(r, "uw coach")
            self.assertContains(r, "De cliënt kan die niet laten corrigeren")


class EmptyTabsTestCase(BaseTestCase):
    def tab(self, key, user=None):
        self.login(user or self.coach)
        return self.client.get(reverse("clients:tab", args=[self.own_client.public_id, key]))

    def test_gc_9_1_an_empty_biofeedback_tab_offers_the_referral_that_brings_measurements(self):
        r = self.tab("measurements")
        self.assertContains(r, "A biofeedback therapist records them once you refer the client.")
        self.assertContains(r, reverse("clients:referral_new", args=[self.own_client.public_id]))

    def test_gc_9_1_after_the_referral_the_empty_tab_says_the_therapist_records_them(self):
        actions.refer_to_therapist(actor=self.coach, client=self.own_client, therapist=self.therapist, now=self.now)
        r = self.tab("measurements")
        self.assertContains(r, "The biofeedback therapist records them here after each session.")
        self.assertNotContains(r, reverse("clients:referral_new", args=[self.own_client.public_id]))


class ConsentFormTestCase(BaseTestCase):
    def test_gc_2_5_the_substitute_list_does_not_offer_the_clients_own_coach(self):
        self.login(self.coach)
        r = self.client.get(reverse("clients:consent_new", args=[self.own_client.public_id]))
        substitutes = r.context["form"].fields["substitute"].queryset
        self.assertNotIn(self.coach, substitutes)
        self.assertIn(self.other_coach, substitutes)
