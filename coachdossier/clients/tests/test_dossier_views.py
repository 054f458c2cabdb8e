from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions
from coachdossier.clients.models import EntryKind
from coachdossier.test import BaseTestCase


class ClientDetailTestCase(BaseTestCase):
    def url(self, client):
        return f"/clients/{client.public_id}/"

    def test_a_coach_sees_her_own_clients_dossier_and_the_read_is_logged(self):
        """GC-2.3, LAW-NEN7513"""
        actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE, occurred_on=self.now.date(),
                          title="Intake", text="Eerste gesprek verliep goed.", now=self.now)
        self.login(self.coach)
        before = AccessLogEntry.objects.count()
        r = self.client.get(self.url(self.own_client))
        self.assertContains(r, "Eerste gesprek verliep goed.")
        self.assertContains(r, "Carla de Vries")
        entries = AccessLogEntry.objects.filter(seq__gt=before)
        self.assertEqual([e.action for e in entries], ["dossier.read"])
        self.assertEqual(entries[0].client_ref, self.own_client.public_id)
        self.assertEqual(entries[0].basis, "coach")
        self.assertIn("no-store", r["Cache-Control"])

    def test_another_coach_gets_404_and_the_attempt_is_logged_as_denied(self):
        """GC-2.3"""
        self.login(self.other_coach)
        r = self.client.get(self.url(self.own_client))
        self.assertEqual(r.status_code, 404)
        last = AccessLogEntry.objects.last()
        self.assertEqual(last.outcome, Outcome.DENIED)
        self.assertEqual(last.actor, self.other_coach)

    def test_management_gets_403_on_dossier_content(self):
        """PR-7"""
        self.login(self.management)
        r = self.client.get(self.url(self.own_client))
        self.assertEqual(r.status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        r = self.client.get(self.url(self.own_client))
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])

    def test_post_is_not_allowed(self):
        self.login(self.coach)
        self.assertEqual(self.client.post(self.url(self.own_client)).status_code, 405)
