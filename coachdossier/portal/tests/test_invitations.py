import datetime

from django.core import mail
from django.core.exceptions import ValidationError

from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.portal import actions
from coachdossier.portal.models import Invitation
from coachdossier.test import make_client

from .base import COACH_GRANT, PortalTestCase


class InvitationTestCase(PortalTestCase):
    def setUp(self):
        super().setUp()
        self.newcomer = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Emma",
                                    last="Bakker")

    def invite(self, now=None):
        with self.captureOnCommitCallbacks(execute=True):
            return actions.invite_client(actor=self.coach, client=self.newcomer, now=now or self.now,
                                         grant=COACH_GRANT)

    def test_the_invitation_stores_only_a_hash_and_the_email_carries_no_dossier_content(self):
        """GC-6.3: a notice and a link, nothing of the dossier."""
        invitation, token = self.invite()
        self.assertEqual(invitation.digest, Invitation.digest_of(token))
        self.assertFalse(Invitation.objects.filter(digest=token).exists())
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["emma@example.com"])
        self.assertIn(f"/portal/invitation/{token}/", message.body)
        for secret in ("Emma", "Bakker", "Terug naar werk", self.newcomer.reference):
            self.assertNotIn(secret, message.body + message.subject)

    def test_it_expires_after_the_policy_term(self):
        invitation, token = self.invite()
        self.assertEqual(invitation.expires_at, self.now + datetime.timedelta(days=7))
        self.assertIsNone(actions.invitation_for(token, self.now + datetime.timedelta(days=8)))

    def test_accepting_creates_a_client_account_linked_to_the_record(self):
        invitation, token = self.invite()
        user = actions.accept_invitation(token=token, password="een lange zin als wachtwoord", now=self.now)
        self.newcomer.refresh_from_db()
        self.assertEqual(self.newcomer.user, user)
        self.assertEqual(user.roles, {Role.CLIENT})
        self.assertTrue(user.check_password("een lange zin als wachtwoord"))

    def test_a_used_link_is_refused_logged_and_changes_nothing(self):
        _, token = self.invite()
        actions.accept_invitation(token=token, password="een lange zin als wachtwoord", now=self.now)
        with self.assertRaises(ValidationError):
            actions.accept_invitation(token=token, password="een andere lange zin hier", now=self.now)
        user = User.objects.get(email="emma@example.com")
        self.assertTrue(user.check_password("een lange zin als wachtwoord"))
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)

    def test_a_new_invitation_invalidates_the_old_link(self):
        _, old = self.invite()
        _, new = self.invite(self.now + datetime.timedelta(hours=1))
        self.assertIsNone(actions.invitation_for(old, self.now + datetime.timedelta(hours=2)))
        self.assertIsNotNone(actions.invitation_for(new, self.now + datetime.timedelta(hours=2)))

    def test_a_weak_password_is_refused_by_the_django_validators(self):
        _, token = self.invite()
        with self.assertRaises(Exception) as caught:
            actions.accept_invitation(token=token, password="kort", now=self.now)
        self.assertIn("password1", caught.exception.message_dict)
        self.assertIsNone(User.objects.filter(email="emma@example.com").first())

    def test_the_page_sets_the_password_and_sends_the_client_to_log_in(self):
        _, token = self.invite()
        url = f"/portal/invitation/{token}/"
        self.assertContains(self.client.get(url), "password1")
        r = self.client.post(url, {"password1": "een lange zin als wachtwoord",
                                   "password2": "een lange zin als wachtwoord"})
        self.assertRedirects(r, "/accounts/login/", fetch_redirect_response=False)
        r = self.client.post(url, {"password1": "x", "password2": "x"})
        self.assertEqual(r.status_code, 410)

    def test_an_unknown_link_shows_a_clear_message(self):
        r = self.client.get("/portal/invitation/nonsense/")
        self.assertEqual(r.status_code, 410)

    def test_the_coach_invites_from_the_client_page(self):
        self.login(self.coach)
        page = self.client.get(f"/clients/{self.newcomer.public_id}/tab/portal/")
        self.assertContains(page, f"/portal/manage/{self.newcomer.public_id}/invite/")
        r = self.client.post(f"/portal/manage/{self.newcomer.public_id}/invite/")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Invitation.objects.filter(client=self.newcomer).count(), 1)

    def test_another_coach_cannot_invite_her_client(self):
        self.login(self.other_coach)
        r = self.client.post(f"/portal/manage/{self.newcomer.public_id}/invite/")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Invitation.objects.exists())


class ManagementPortalPageTestCase(PortalTestCase):
    def test_management_sees_the_portal_status_and_requests_without_content_and_invites(self):
        """PR-7: dates and statuses, no dossier content."""
        newcomer = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Emma",
                               last="Bakker")
        self.login(self.management)
        self.assertContains(self.client.get(f"/clients/manage/{newcomer.public_id}/"),
                            f"/portal/manage/{newcomer.public_id}/")
        page = self.client.get(f"/portal/manage/{newcomer.public_id}/")
        self.assertContains(page, "Invite to the portal")
        r = self.client.post(f"/portal/manage/{newcomer.public_id}/invite/")
        self.assertRedirects(r, f"/portal/manage/{newcomer.public_id}/", fetch_redirect_response=False)
        self.assertContains(self.client.get(f"/portal/manage/{newcomer.public_id}/"), "invited, link valid until")
