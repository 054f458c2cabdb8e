"""GC-6.3: mail goes through Django's email framework to a real SMTP server, and carries a
notice and a link only."""

import email
import socket

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from django.test import override_settings

from coachdossier.portal import actions
from coachdossier.test import make_client

from .base import COACH_GRANT, PortalTestCase


class Collector(MessageHandler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpIntegrationTestCase(PortalTestCase):
    def test_gc_6_3_the_invitation_travels_over_smtp_without_dossier_content(self):
        """GC-6.3"""
        newcomer = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Emma",
                               last="Bakker")
        handler = Collector()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                                   EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_USE_TLS=False,
                                   EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD=""):
                with self.captureOnCommitCallbacks(execute=True):
                    _, token = actions.invite_client(actor=self.coach, client=newcomer, now=self.now,
                                                     grant=COACH_GRANT)
        finally:
            controller.stop()
        self.assertEqual(len(handler.messages), 1)
        received = handler.messages[0]
        self.assertEqual(received["To"], "emma@example.com")
        body = received.get_payload(decode=True).decode() if not received.is_multipart() else \
            email.message_from_string(received.as_string()).get_payload(0).get_payload(decode=True).decode()
        self.assertIn(f"/portal/invitation/{token}/", body)
        for secret in ("Emma", "Bakker", "Terug naar werk", newcomer.reference):
            self.assertNotIn(secret, body)
            self.assertNotIn(secret, received["Subject"])
