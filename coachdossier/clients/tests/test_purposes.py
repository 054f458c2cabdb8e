"""GC-9.2 and GC-U.1: every access is tied to a role and a purpose; the client's goals are
recorded in their own words and shown to them."""

from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions
from coachdossier.privacy import inventory
from coachdossier.test import BaseTestCase


class PurposeTestCase(BaseTestCase):
    def test_gc_9_2_every_logged_dossier_access_names_the_role_and_the_relationship_it_rests_on(self):
        self.login(self.coach)
        self.client.get(f"/clients/{self.own_client.public_id}/")
        self.login(self.client_user)
        self.client.get("/portal/dossier/")
        reads = AccessLogEntry.objects.filter(action="dossier.read", client_ref=self.own_client.public_id)
        self.assertEqual({(e.role, e.basis) for e in reads}, {("coach", "coach"), ("client", "client")})

    def test_gc_9_2_the_processing_register_names_both_purposes_of_the_dossier(self):
        dossier = inventory.ACTIVITIES[0]
        self.assertIn("Guiding the client", str(dossier.purpose))
        self.assertIn("reporting to the principal or the company doctor", str(dossier.purpose))

    def test_gc_u_1_the_goal_in_the_clients_own_words_is_shown_in_the_portal_with_its_history(self):
        trajectory = self.own_client.current_trajectory
        actions.reformulate_goal(actor=self.coach, trajectory=trajectory, text="Ik wil weer lesgeven, drie dagen",
                                 reason="Cliënt formuleerde het scherper", now=self.now)
        self.login(self.client_user)
        page = self.client.get("/portal/dossier/")
        self.assertContains(page, "Ik wil weer lesgeven, drie dagen")
        self.assertContains(page, "Terug naar werk in eigen tempo")  # the earlier wording stays visible
