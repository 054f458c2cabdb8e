"""GC-6.3, AVG data minimisation: no email goes to several people on one To: or Cc: line, where
every recipient saw the others' addresses. A day in the practice with two managers and two
complaints officers, in which every staff notice to several people is sent; then every
message that went, and every outbox row, is read."""

import datetime

from django.core import mail

from coachdossier.accounts.models import OutgoingMail, Role
from coachdossier.audit.models import Basis
from coachdossier.clients import actions as client_actions
from coachdossier.clients.access import Grant
from coachdossier.complaints import actions as complaint_actions
from coachdossier.portal import actions as portal_actions
from coachdossier.portal.models import RequestKind
from coachdossier.privacy import actions as privacy_actions
from coachdossier.privacy import emails as privacy_emails
from coachdossier.privacy.models import RegistrationStatus
from coachdossier.test import BaseTestCase, make_user

MANAGERS = {"mia@example.com", "max@example.com"}
OFFICERS = {"kees@example.com", "klara@example.com"}


class TestEveryMessageHasOneRecipient(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_user("max@example.com", "Max Manager", Role.MANAGEMENT)
        make_user("klara@example.com", "Klara Klachten", Role.COMPLAINTS_OFFICER)

    def a_day_of_notices(self):
        now = self.now
        with self.captureOnCommitCallbacks(execute=True):
            client_actions.break_glass(actor=self.other_coach, client=self.own_client, now=now,
                                       reason="Cliënt in crisis, eigen coach onbereikbaar.")
        with self.captureOnCommitCallbacks(execute=True):
            portal_actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                        now=now, grant=Grant(Basis.CLIENT))
        with self.captureOnCommitCallbacks(execute=True):
            complaint_actions.lodge_complaint(actor=self.client_user, client=self.own_client, now=now,
                                              channel="portal", subject="service", category="planning",
                                              description="Afspraken werden vaak verzet.")
        privacy_actions.save_coach_profile(
            actor=self.management, coach=self.coach, now=now, registration_status=RegistrationStatus.REGISTERED,
            registration_number="CSR-001", registered_on=datetime.date(2020, 1, 1), insurer="Verzekeraar NV",
            policy_number="AV-1", insurance_expires_on=now.date() + datetime.timedelta(days=20),
            qualifications="Loopbaancoach", methods="Oplossingsgericht")
        with self.captureOnCommitCallbacks(execute=True):
            privacy_actions.send_insurance_reminders(now=now)
        privacy_actions.record_data_breach(actor=self.management, discovered_at=now, title="Laptop kwijt",
                                           description="In de trein.", data_affected="Agenda",
                                           people_affected="Cliënten", now=now)
        with self.captureOnCommitCallbacks(execute=True):
            privacy_actions.send_breach_reminders(now=now + datetime.timedelta(hours=25))
        with self.captureOnCommitCallbacks(execute=True):
            privacy_actions.announce_log_review(now=datetime.datetime(2026, 12, 1, 7, 0, tzinfo=now.tzinfo))
        privacy_emails.retention_notice(items=[(self.own_client.reference, now.date())])

    def test_gc_6_3_every_notice_reaches_each_recipient_in_a_message_of_their_own(self):
        self.a_day_of_notices()
        shared = [(m.subject, m.to, m.cc) for m in mail.outbox if len(m.to) + len(m.cc) > 1]
        self.assertEqual(shared, [])
        self.assertEqual([r for r in OutgoingMail.objects.values_list("name", "to") if len(r[1]) != 1], [])
        received: dict[str, set] = {}
        for name, to in OutgoingMail.objects.values_list("name", "to"):
            received.setdefault(name, set()).update(to)
        self.assertEqual(received, {
            "break-glass": MANAGERS,
            "portal-request-received": MANAGERS,
            "complaint-received": OFFICERS,
            "insurance-expiring": MANAGERS | {"alice@example.com"},
            "breach-deadline": MANAGERS,
            "log-review": MANAGERS | {"aud@example.com"},
            "retention-notice": MANAGERS,
        })
        self.assertEqual(len(mail.outbox), OutgoingMail.objects.count())
