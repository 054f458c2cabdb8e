from types import SimpleNamespace

from coachdossier.accounts.models import Role
from coachdossier.portal import demo
from coachdossier.portal.models import ClientRequest, Invitation, Message, RequestKind, RequestStatus
from coachdossier.test import make_client, make_user

from .base import PortalTestCase


class DemoTestCase(PortalTestCase):
    def test_the_demo_clients_get_requests_messages_a_statement_and_an_invitation(self):
        third = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Fien",
                            last="Smit", user=make_user("fien@example.com", "Fien Smit", Role.CLIENT))
        invitee = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Gijs",
                              last="Kok")
        ctx = SimpleNamespace(now=self.now, management=self.management,
                              clients=[self.own_client, self.other_client, third, invitee],
                              coaches=lambda: [self.coach, self.other_coach])
        demo.seed(ctx)
        self.assertTrue(ClientRequest.objects.filter(client=self.own_client, kind=RequestKind.CORRECTION,
                                                     status=RequestStatus.IDENTITY_VERIFIED).exists())
        self.assertTrue(ClientRequest.objects.filter(client=self.other_client, kind=RequestKind.DESTRUCTION).exists())
        self.assertTrue(ClientRequest.objects.filter(status=RequestStatus.REFUSED).exists())
        self.assertTrue(ClientRequest.objects.filter(client=third, kind=RequestKind.COPY,
                                                     status=RequestStatus.IDENTITY_VERIFIED).exists())
        self.assertEqual(Message.objects.filter(client=self.own_client).count(), 2)
        self.assertTrue(self.own_client.entries.filter(kind="client_statement").exists())
        self.assertTrue(Invitation.objects.pending(self.now).filter(client=invitee).exists())
        self.assertTrue(self.own_client.consent_proposals.open().exists())
