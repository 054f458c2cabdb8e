"""The outbox: a mail server that is down loses no mail. Messages are stored, tried at once,
and retried with backoff by `send_queued_mail` (and run_daily); mail that something depends
on raises, so the dependent step does not proceed until the mail really went."""

import datetime
import smtplib
import socket
import time
from io import StringIO

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings

from coachdossier.accounts import outbox
from coachdossier.accounts.models import MailStatus, OutgoingMail
from coachdossier.clients.access import C as COACH_BASIS
from coachdossier.clients.access import Grant
from coachdossier.test import BaseTestCase

FAILING = "coachdossier.accounts.tests.test_outbox.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def notice(to="carla@example.com"):
    return ("portal-destruction-done", [to], {})


class TestOutbox(BaseTestCase):
    def test_a_mail_that_goes_is_stored_as_sent(self):
        outbox.send(*notice())
        self.assertEqual(len(mail.outbox), 1)
        stored = OutgoingMail.objects.get()
        self.assertEqual((stored.status, stored.attempts, stored.to), (MailStatus.SENT, 1, ["carla@example.com"]))

    @override_settings(EMAIL_BACKEND=FAILING)
    def test_send_raises_when_the_server_is_down_and_the_mail_stays_queued(self):
        with self.assertRaises(outbox.MailNotSent):
            outbox.send(*notice())
        stored = OutgoingMail.objects.get()
        self.assertEqual((stored.status, stored.attempts), (MailStatus.QUEUED, 1))
        self.assertIn("SMTPServerDisconnected", stored.last_error)
        self.assertGreater(stored.next_attempt_at, stored.created_at)

    def test_a_mail_server_that_accepts_and_never_answers_leaves_the_mail_queued_within_the_timeout(self):
        """Without EMAIL_TIMEOUT the SMTP connection waited forever for a relay that took the
        connection and said nothing: run_daily hung holding its lock (so every later run did
        nothing and exited 0), and a page that sends a notice hung until gunicorn killed it."""
        from django.conf import settings

        self.assertTrue(0 < settings.EMAIL_TIMEOUT <= 30, settings.EMAIL_TIMEOUT)
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)  # the connection is taken, no greeting ever comes
            started = time.monotonic()
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                                   EMAIL_PORT=server.getsockname()[1], EMAIL_USE_TLS=False, EMAIL_TIMEOUT=0.5), \
                    self.assertLogs("coachdossier.mail", "WARNING"):
                self.assertFalse(outbox.send_or_queue(*notice()))
        self.assertLess(time.monotonic() - started, 10)
        stored = OutgoingMail.objects.get()
        self.assertEqual(stored.status, MailStatus.QUEUED)
        self.assertIn("timed out", stored.last_error)

    @override_settings(EMAIL_BACKEND=FAILING)
    def test_send_or_queue_never_raises_for_a_transport_error(self):
        self.assertFalse(outbox.send_or_queue(*notice()))
        self.assertEqual(OutgoingMail.objects.get().status, MailStatus.QUEUED)

    def test_the_queue_sends_it_once_the_server_is_back(self):
        with override_settings(EMAIL_BACKEND=FAILING):
            outbox.send_or_queue(*notice())
        stored = OutgoingMail.objects.get()
        out = StringIO()
        call_command("send_queued_mail", stdout=out)  # not due yet: the backoff holds it back
        self.assertEqual(len(mail.outbox), 0)
        self.assertEqual(outbox.send_queued(stored.next_attempt_at), "1 sent, 0 still not sent, "
                                                                      "0 old message(s) forgotten")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["carla@example.com"])
        self.assertEqual(OutgoingMail.objects.get().status, MailStatus.SENT)
        self.assertIsNone(outbox.send_queued(stored.next_attempt_at))  # nothing is sent twice

    @override_settings(EMAIL_BACKEND=FAILING)
    def test_retries_back_off_and_give_up_after_the_last_attempt(self):
        outbox.send_or_queue(*notice())
        waits = []
        for _ in range(OutgoingMail.MAX_ATTEMPTS - 1):
            stored = OutgoingMail.objects.get()
            self.assertEqual(stored.status, MailStatus.QUEUED)
            at = stored.next_attempt_at
            outbox.send_queued(at)
            waits.append(OutgoingMail.objects.get().next_attempt_at - at)
        self.assertEqual(waits[0], datetime.timedelta(minutes=4))
        self.assertEqual(waits[3], datetime.timedelta(minutes=32))
        self.assertEqual(max(waits), datetime.timedelta(hours=6))
        self.assertEqual(OutgoingMail.objects.get().status, MailStatus.FAILED)

    def test_gc_5_4_sent_and_given_up_messages_are_forgotten_after_30_days_with_their_addresses(self):
        """Given-up messages, with their recipients in plain text, were kept for ever."""
        with override_settings(EMAIL_BACKEND=FAILING):
            outbox.send_or_queue(*notice())
        OutgoingMail.objects.update(status=MailStatus.FAILED)
        outbox.send_or_queue(*notice())  # goes, is SENT
        created = OutgoingMail.objects.order_by("pk").first().created_at
        later = created + datetime.timedelta(days=29)
        self.assertIsNone(outbox.send_queued(later))
        self.assertEqual(OutgoingMail.objects.count(), 2)
        self.assertEqual(outbox.send_queued(created + datetime.timedelta(days=31)),
                         "0 sent, 0 still not sent, 2 old message(s) forgotten")
        self.assertFalse(OutgoingMail.objects.exists())

    def test_a_caller_retrying_after_a_failure_sends_the_queued_message_not_a_second_one(self):
        """The reports rule: the client's copy notice is retried by the report, not duplicated."""
        with override_settings(EMAIL_BACKEND=FAILING), self.assertRaises(outbox.MailNotSent):
            outbox.send(*notice())
        outbox.send(*notice())
        self.assertEqual(OutgoingMail.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIsNone(outbox.send_queued(OutgoingMail.objects.get().next_attempt_at))

    def test_a_step_that_depends_on_the_mail_does_not_proceed_until_it_went(self):
        """As reports.deliver_client_notice does: only a returned send() marks the client notified."""
        notified = []

        def deliver_notice():
            try:
                outbox.send(*notice())
            except Exception:
                return False
            notified.append(True)
            return True

        with override_settings(EMAIL_BACKEND=FAILING):
            self.assertFalse(deliver_notice())
        self.assertEqual(notified, [])
        self.assertTrue(deliver_notice())
        self.assertEqual((notified, len(mail.outbox)), ([True], 1))

    @override_settings(EMAIL_BACKEND=FAILING)
    def test_a_portal_invitation_while_the_server_is_down_is_saved_and_queued(self):
        from coachdossier.clients.models import Client
        from coachdossier.portal import actions as portal_actions

        client = Client.objects.get(pk=self.other_client.pk)
        client.user = None
        client.save(update_fields=["user"])
        with self.captureOnCommitCallbacks(execute=True):
            invitation = portal_actions.invite_client(actor=self.other_coach, client=client, now=self.now,
                                                      grant=Grant(COACH_BASIS))
        self.assertIsNotNone(invitation)
        self.assertEqual(OutgoingMail.objects.get().name, "portal-invitation")
        self.assertEqual(OutgoingMail.objects.get().status, MailStatus.QUEUED)

    def test_an_outcome_hook_runs_in_the_transaction_that_records_the_attempt(self):
        """What an app records about a mail (a report delivery's "Mail failed") and the outbox row
        commit together: when the app's step fails, the attempt is not recorded as sent and the
        queue tries the mail again (delivery is at least once)."""
        from unittest import mock

        with override_settings(EMAIL_BACKEND=FAILING):
            outbox.send_or_queue(*notice())
        seen = []

        def broken(*, mail, now):
            seen.append((mail.status, now))
            raise RuntimeError("the app's step failed")

        at = OutgoingMail.objects.get().next_attempt_at
        with mock.patch.object(outbox, "OUTCOME_HOOKS", [broken]), self.assertRaises(RuntimeError):
            outbox.send_queued(at)
        self.assertEqual(seen, [(MailStatus.SENT, at)])
        self.assertEqual(OutgoingMail.objects.get().status, MailStatus.QUEUED)
        self.assertEqual(outbox.send_queued(at + datetime.timedelta(minutes=5)),
                         "1 sent, 0 still not sent, 0 old message(s) forgotten")

    def test_gc_5_4_a_mail_forgotten_while_it_was_being_sent_records_nothing_and_raises_nothing(self):
        """A dossier destroyed while the queue is sending its client's mail deletes the row
        (forget_client); the attempt's outcome then has no row to go to."""
        queued = outbox.queue(*notice(), deliver_after_commit=False, client_ref=self.own_client.public_id)
        self.assertEqual(outbox.forget_client(client_ref=self.own_client.public_id), 1)
        self.assertTrue(outbox.deliver(queued, self.now))
        self.assertFalse(OutgoingMail.objects.exists())

    def test_run_daily_retries_the_queue(self):
        from coachdossier.privacy import daily

        self.assertIn(("coachdossier.accounts.outbox", "send_queued"), daily.OTHER_APPS)


class TestOneRecipientPerMessage(BaseTestCase):
    """GC-6.3, AVG data minimisation: a notice to several people goes to each in a message of their
    own; on one To: line every recipient saw the others' addresses."""

    def test_gc_6_3_send_or_queue_writes_one_message_per_address_each_address_once(self):
        self.assertTrue(outbox.send_or_queue("break-glass", ["mia@example.com", "max@example.com", "mia@example.com"],
                                             {"user_name": "Bob", "reference": "C-1", "at": self.now}))
        self.assertEqual([m.to for m in mail.outbox], [["mia@example.com"], ["max@example.com"]])
        self.assertEqual(sorted(OutgoingMail.objects.values_list("to", flat=True)),
                         [["max@example.com"], ["mia@example.com"]])

    @override_settings(EMAIL_BACKEND=FAILING)
    def test_gc_6_3_each_message_is_queued_and_retried_on_its_own(self):
        self.assertFalse(outbox.send_or_queue("portal-destruction-done", ["a@example.com", "b@example.com"], {}))
        self.assertEqual(sorted(OutgoingMail.objects.filter(status=MailStatus.QUEUED).values_list("to", flat=True)),
                         [["a@example.com"], ["b@example.com"]])

    def test_gc_6_3_send_and_queue_refuse_a_message_to_several_addresses(self):
        for fn in (outbox.send, outbox.queue):
            with self.subTest(fn.__name__), self.assertRaises(ValueError):
                fn("portal-destruction-done", ["a@example.com", "b@example.com"], {})
        self.assertFalse(OutgoingMail.objects.exists())

    def test_gc_6_3_the_upgrade_splits_a_message_queued_to_several_addresses(self):
        import importlib

        from django.apps import apps

        migration = importlib.import_module("coachdossier.accounts.migrations.0004_one_recipient_per_queued_mail")
        shared = OutgoingMail.objects.create(name="log-review", to=["mia@example.com", "aud@example.com"],
                                             from_email="x@example.com", subject="s", body="b", created_at=self.now,
                                             next_attempt_at=self.now, attempts=2)
        sent = OutgoingMail.objects.create(name="log-review", to=["a@example.com", "b@example.com"],
                                           status=MailStatus.SENT, from_email="x@example.com", subject="s", body="b",
                                           created_at=self.now, next_attempt_at=self.now)
        migration.split_queued(apps, None)
        queued = OutgoingMail.objects.filter(status=MailStatus.QUEUED).order_by("pk")
        self.assertEqual([(m.to, m.attempts, m.subject) for m in queued],
                         [(["mia@example.com"], 2, "s"), (["aud@example.com"], 2, "s")])
        self.assertEqual(queued[0].pk, shared.pk)
        self.assertEqual(OutgoingMail.objects.get(pk=sent.pk).to, ["a@example.com", "b@example.com"])  # history
