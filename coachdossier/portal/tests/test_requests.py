import datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions as client_actions
from coachdossier.clients import hooks
from coachdossier.clients.models import Client, EntryKind
from coachdossier.portal import actions
from coachdossier.portal.models import (
    ClientRequest,
    Message,
    RecipientNotice,
    RequestChannel,
    RequestKind,
    RequestStatus,
)

from .base import CLIENT_GRANT, COACH_GRANT, MANAGEMENT_GRANT, PortalTestCase


def fact(test, text="Werkt 32 uur per week.", **kwargs):
    return client_actions.add_entry(actor=test.coach, client=test.own_client, kind=EntryKind.FACT,
                                    occurred_on=test.now.date(), title="Werkuren", text=text, now=test.now, **kwargs)


class DeadlineTestCase(PortalTestCase):
    def test_avg_requests_get_one_calendar_month_moved_to_a_working_day(self):
        """LAW-15: one month, under the Algemene termijnenwet a weekend end moves to Monday."""
        self.assertEqual(actions.deadline_for(RequestKind.COPY, datetime.date(2026, 11, 23)),
                         datetime.date(2026, 12, 23))
        # 31 October + 1 month = 30 November 2026 (a Monday)
        self.assertEqual(actions.deadline_for(RequestKind.CORRECTION, datetime.date(2026, 10, 31)),
                         datetime.date(2026, 11, 30))
        # 17 October 2026 + 1 month = 17 November? No: 17 Oct is a Saturday; + 1 month is Tuesday 17 Nov.
        self.assertEqual(actions.deadline_for(RequestKind.COPY, datetime.date(2026, 9, 12)),
                         datetime.date(2026, 10, 12))

    def test_gc_5_4_destruction_gets_four_weeks(self):
        """GC-5.4: at the latest 4 weeks after receipt."""
        self.assertEqual(actions.deadline_for(RequestKind.DESTRUCTION, datetime.date(2026, 11, 23)),
                         datetime.date(2026, 12, 21))


class CopyRequestTestCase(PortalTestCase):
    def test_gc_5_1_a_copy_is_released_at_once_when_nothing_concerns_others(self):
        """GC-5.1, LAW-15"""
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.COPY,
                                       now=self.now, grant=CLIENT_GRANT)
        self.assertEqual(request.status, RequestStatus.DONE)
        self.assertEqual([e.step for e in request.events.all()], ["received", "identity_verified", "released"])
        self.assertEqual(request.details["identity_check"], "Re-authenticated in the portal")

    def test_entries_naming_others_are_reviewed_and_the_redaction_is_recorded(self):
        """LAW-15: AVG art. 15(4), staff may withhold what concerns other people."""
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                         occurred_on=self.now.date(), title="Gesprek",
                                         text="Haar collega Jan Pieterse vertelde over het conflict.", now=self.now)
        entry.names_others = True
        entry.save(update_fields=["names_others"])
        with self.captureOnCommitCallbacks(execute=True):
            request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.COPY,
                                           now=self.now, grant=CLIENT_GRANT)
        self.assertEqual(request.status, RequestStatus.IDENTITY_VERIFIED)
        self.assertEqual(mail.outbox[-1].to, ["alice@example.com"])
        with self.assertRaises(ValidationError):
            actions.release_copy(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT,
                                 redact=[entry.public_id])  # no reason
        actions.release_copy(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT,
                             redact=[entry.public_id], reason="Gaat over een collega.")
        request = ClientRequest.objects.get(pk=request.pk)
        self.assertEqual(request.status, RequestStatus.DONE)
        self.assertEqual(request.redacted_ids, {str(entry.public_id)})
        self.assertIn("redacted", [e.step for e in request.events.all()])

    def test_a_copy_cannot_be_requested_by_staff_in_the_portal(self):
        with self.assertRaises(ValidationError) as caught:
            actions.file_request(actor=self.coach, client=self.own_client, kind=RequestKind.COPY, now=self.now,
                                 grant=COACH_GRANT)
        self.assertIn("channel", caught.exception.message_dict)


class CorrectionTestCase(PortalTestCase):
    def test_gc_5_3_a_fact_is_corrected_as_a_new_version_and_the_old_one_kept(self):
        """GC-5.3, PR-3"""
        entry = fact(self)
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                       now=self.now, grant=CLIENT_GRANT, entry=entry, proposed="Werkt 24 uur.",
                                       reason="Sinds oktober minder uren.")
        self.assertEqual(request.deadline, datetime.date(2026, 12, 23))
        with self.captureOnCommitCallbacks(execute=True):
            actions.decide_correction(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT, accept=True)
        entry.refresh_from_db()
        versions = list(entry.versions.order_by("number"))
        self.assertEqual([v.content["text"] for v in versions], ["Werkt 32 uur per week.", "Werkt 24 uur."])
        self.assertTrue(versions[1].is_correction)
        self.assertEqual(ClientRequest.objects.get(pk=request.pk).status, RequestStatus.DONE)
        self.assertEqual(mail.outbox[-1].to, ["carla@example.com"])
        self.assertNotIn("24 uur", mail.outbox[-1].body)

    def test_gc_5_3_a_finding_cannot_be_the_subject_and_the_attempt_is_logged(self):
        """GC-5.3: findings and conclusions are the coach's; a statement is offered instead."""
        finding = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FINDING,
                                           occurred_on=self.now.date(), title="Beeld", text="Motivatie wisselend.",
                                           now=self.now)
        with self.assertRaises(ValidationError) as caught:
            actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                 now=self.now, grant=CLIENT_GRANT, entry=finding, proposed="Motivatie hoog.",
                                 reason="Klopt niet.")
        self.assertIn("statement", caught.exception.message_dict["entry"][0])
        self.assertFalse(ClientRequest.objects.exists())
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)

    def test_gc_5_3_the_same_correction_sent_twice_is_one_request(self):
        """GC-5.3: back and 'send' again (or a double tap) must not give the coach two requests."""
        entry = fact(self)
        for target in ({"entry": entry}, {"field": "city"}):
            actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                 now=self.now, grant=CLIENT_GRANT, proposed="Utrecht", reason="Verhuisd.", **target)
            with self.assertRaises(ValidationError) as caught:
                actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                     now=self.now, grant=CLIENT_GRANT, proposed=" Utrecht ", reason="Verhuisd!",
                                     **target)
            self.assertIn("already asked", caught.exception.message_dict["proposed"][0])
        self.assertEqual(ClientRequest.objects.count(), 2)
        actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                             now=self.now, grant=CLIENT_GRANT, field="city", proposed="Amersfoort", reason="Toch.")
        self.assertEqual(ClientRequest.objects.count(), 3)

    def test_personal_data_is_corrected_through_the_records_action(self):
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                       now=self.now, grant=CLIENT_GRANT, field="city", proposed="Utrecht",
                                       reason="Verhuisd.")
        actions.decide_correction(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT, accept=True)
        client = Client.objects.get(pk=self.own_client.pk)
        self.assertEqual(client.personal.city, "Utrecht")
        self.assertTrue(AccessLogEntry.objects.filter(action="client.personal_correct").exists())

    def test_a_refusal_needs_a_reason_the_client_reads(self):
        entry = fact(self)
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                       now=self.now, grant=CLIENT_GRANT, entry=entry, proposed="x", reason="y")
        with self.assertRaises(ValidationError):
            actions.decide_correction(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT, accept=False)
        actions.decide_correction(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT, accept=False,
                                  reason="De werkgever bevestigt 32 uur.")
        request = ClientRequest.objects.get(pk=request.pk)
        self.assertEqual(request.status, RequestStatus.REFUSED)
        self.assertEqual(request.details["decision_reason"], "De werkgever bevestigt 32 uur.")
        self.assertEqual(entry.versions.count(), 1)

    def test_law_15_recipients_of_the_data_are_listed_and_recorded_as_told(self):
        """AVG art. 19 after a correction: every disclosure recipient, and that each was told."""
        client_actions.record_consent(actor=self.client_user, client=self.own_client, kind="disclosure",
                                      recipient="Bedrijfsarts Zorgvuldig", purpose="Afstemming", data_scope="Uren",
                                      given_via="portal", valid_from=self.now.date(), now=self.now,
                                      grant=CLIENT_GRANT)
        entry = fact(self)
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                       now=self.now, grant=CLIENT_GRANT, entry=entry, proposed="24 uur", reason="y")
        actions.decide_correction(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT, accept=True)
        notice = RecipientNotice.objects.get(request=request)
        self.assertEqual(notice.recipient, "Bedrijfsarts Zorgvuldig")
        self.assertIsNone(notice.told_at)
        self.login(self.coach)
        with override_settings(LANGUAGE_CODE="nl"):
            page = self.client.post(reverse("portal:recipients", args=[self.own_client.public_id, request.public_id]),
                                    {"notice": [notice.pk]}, follow=True)
        self.assertContains(page, "1 ontvanger vastgelegd als geïnformeerd.")  # not "ontvanger(s)"
        notice.refresh_from_db()
        self.assertEqual(notice.told_by, self.coach)

    def test_a_letter_needs_the_identity_check_recorded(self):
        with self.assertRaises(ValidationError) as caught:
            actions.file_request(actor=self.coach, client=self.own_client, kind=RequestKind.COPY, now=self.now,
                                 grant=COACH_GRANT, channel=RequestChannel.LETTER, received_on=self.now.date())
        self.assertIn("identity_check", caught.exception.message_dict)
        request = actions.file_request(actor=self.coach, client=self.own_client, kind=RequestKind.CORRECTION,
                                       now=self.now, grant=COACH_GRANT, channel=RequestChannel.LETTER,
                                       received_on=datetime.date(2026, 11, 16), field="phone",
                                       proposed="06 12345678", reason="Nieuw nummer",
                                       identity_check="Handtekening vergeleken met de overeenkomst")
        self.assertEqual(request.deadline, datetime.date(2026, 12, 16))
        self.assertEqual(request.details["identity_check"], "Handtekening vergeleken met de overeenkomst")

    def test_law_15_a_letter_received_date_with_a_mistyped_year_is_refused_not_a_server_error(self):
        """LAW-15: the one-month deadline runs from the receipt date; year 0026 gave a 500."""
        for received in (datetime.date(26, 11, 16), self.now.date() - datetime.timedelta(days=366)):
            with self.assertRaises(ValidationError) as caught:
                actions.file_request(actor=self.coach, client=self.own_client, kind=RequestKind.COPY,
                                     now=self.now, grant=COACH_GRANT, channel=RequestChannel.LETTER,
                                     received_on=received, identity_check="ID gezien")
            self.assertIn("received_on", caught.exception.message_dict)
        self.assertFalse(ClientRequest.objects.exists())

    def test_a_copy_by_letter_waits_for_the_coach_who_then_downloads_it_for_the_post(self):
        request = actions.file_request(actor=self.coach, client=self.own_client, kind=RequestKind.COPY, now=self.now,
                                       grant=COACH_GRANT, channel=RequestChannel.LETTER, received_on=self.now.date(),
                                       identity_check="Kopie ID gezien")
        self.assertEqual(request.status, RequestStatus.IDENTITY_VERIFIED)
        actions.release_copy(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT)
        self.login(self.coach)
        r = self.client.get(f"/portal/manage/{self.own_client.public_id}/requests/{request.public_id}/copy.pdf")
        self.assertEqual(r["Content-Type"], "application/pdf")


class DestructionTestCase(PortalTestCase):
    def file(self, **kwargs):
        return actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                    now=self.now, grant=CLIENT_GRANT, **kwargs)

    def test_gc_5_4_execution_destroys_the_dossier_and_keeps_a_tombstone_of_the_request(self):
        """GC-5.4, LAW-17"""
        fact(self)
        actions.send_message(actor=self.client_user, client=self.own_client, text="Graag vernietigen.", now=self.now,
                             grant=CLIENT_GRANT)
        request = self.file()
        self.assertEqual(request.deadline, datetime.date(2026, 12, 21))
        with self.captureOnCommitCallbacks(execute=True):
            actions.execute_destruction(actor=self.management, request=request, now=self.now, grant=MANAGEMENT_GRANT)
        client = Client.objects.get(pk=self.own_client.pk)
        self.assertIsNotNone(client.destroyed_at)
        self.assertFalse(client.entries.exists())
        self.assertFalse(Message.objects.filter(client=client).exists())
        tombstone = ClientRequest.objects.get(pk=request.pk)
        self.assertEqual(tombstone.status, RequestStatus.DONE)
        self.assertEqual(tombstone.closed_by, self.management)
        self.assertEqual(tombstone.received_on, self.now.date())
        self.assertEqual(bytes(tombstone.sealed), b"")
        self.assertEqual(mail.outbox[-1].to, ["carla@example.com"])
        self.assertNotIn("Carla", mail.outbox[-1].body)

    def test_the_destruction_notice_survives_a_process_killed_right_after_the_commit(self):
        """script/crashtest-server: the address goes with the dossier, so the notice must be in
        the outbox with the destruction's commit; the after-commit attempt never runs here."""
        from django.utils import timezone

        from coachdossier.accounts import outbox
        from coachdossier.accounts.models import MailStatus, OutgoingMail

        request = self.file()
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=False):
            actions.execute_destruction(actor=self.management, request=request, now=self.now, grant=MANAGEMENT_GRANT)
        self.assertIsNotNone(Client.objects.get(pk=self.own_client.pk).destroyed_at)
        queued = OutgoingMail.objects.get(name="portal-destruction-done")
        self.assertEqual((queued.status, queued.to), (MailStatus.QUEUED, ["carla@example.com"]))
        outbox.send_queued(timezone.now() + datetime.timedelta(minutes=2))
        self.assertEqual([m.to for m in mail.outbox], [["carla@example.com"]])

    def test_gc_5_4_destruction_takes_the_clients_mail_out_of_the_outbox_queued_and_sent(self):
        """GC-5.4, PR-8: sent mail kept the client's login and personal address in the outbox
        for 30 days, and queued mail would still go. Their linked mail goes; a row without a
        link (written before there was one) loses their address, and goes when none is left;
        staff mail stays; the notice that the dossier was destroyed loses the address once it went."""
        from dataclasses import replace

        from django.test import override_settings

        from coachdossier.accounts import outbox
        from coachdossier.accounts.models import MailStatus, OutgoingMail
        from coachdossier.accounts.tests.test_outbox import FAILING
        from coachdossier.portal import emails

        client_actions.update_personal_data(actor=self.management, client=self.own_client, now=self.now,
                                            personal=replace(self.own_client.personal, email="carla.thuis@example.com"))
        request = self.file()
        emails.request_updated(request_id=request.pk)  # sent, to the login address
        with override_settings(EMAIL_BACKEND=FAILING):
            emails.request_updated(request_id=request.pk)  # queued
        outbox.send_or_queue("portal-request-updated", ["carla.thuis@example.com"], {"kind": "x"})
        # Sent to several addresses on one line, as mail was before it went one message per address.
        OutgoingMail.objects.create(name="portal-request-updated", to=["carla@example.com", "alice@example.com"],
                                    from_email="x@example.com", subject="s", body="b", status=MailStatus.SENT,
                                    created_at=self.now, next_attempt_at=self.now, sent_at=self.now)
        outbox.send_or_queue("portal-request-updated", ["alice@example.com"], {"kind": "x"})
        addresses = {"carla@example.com", "carla.thuis@example.com"}
        self.assertEqual({MailStatus.SENT, MailStatus.QUEUED},
                         {m.status for m in OutgoingMail.objects.all() if addresses & set(m.to)})
        with self.captureOnCommitCallbacks(execute=True):
            actions.execute_destruction(actor=self.management, request=request, now=self.now, grant=MANAGEMENT_GRANT)
        self.assertEqual(mail.outbox[-1].to, ["carla.thuis@example.com"])  # the notice did go
        left = {m.pk: m.to for m in OutgoingMail.objects.all()}
        self.assertEqual([pk for pk, to in left.items() if addresses & set(to)], [])
        self.assertEqual(list(left.values()).count(["alice@example.com"]), 2)
        notice = OutgoingMail.objects.get(name="portal-destruction-done")
        self.assertEqual((notice.status, notice.to), (MailStatus.SENT, []))

    def open_copy_and_correction(self):
        copy = actions.file_request(actor=self.coach, client=self.own_client, kind=RequestKind.COPY, now=self.now,
                                    grant=COACH_GRANT, channel=RequestChannel.LETTER, received_on=self.now.date(),
                                    identity_check="Kopie ID gezien")
        correction = actions.file_request(actor=self.client_user, client=self.own_client,
                                          kind=RequestKind.CORRECTION, now=self.now, grant=CLIENT_GRANT,
                                          entry=fact(self), proposed="Werkt 24 uur.", reason="Minder uren.")
        self.assertEqual({copy.status, correction.status}, {RequestStatus.IDENTITY_VERIFIED})
        return copy, correction

    def assertClosedAsDestroyed(self, requests, actor):
        for request in requests:
            request.refresh_from_db()
            self.assertEqual((request.status, request.closed_at, request.closed_by),
                             (RequestStatus.DOSSIER_DESTROYED, self.now, actor))
            last = request.events.last()
            self.assertEqual((last.status, last.step, bytes(last.note_sealed)),
                             (RequestStatus.DOSSIER_DESTROYED, "dossier_destroyed", b""))
        self.assertFalse(ClientRequest.objects.open().filter(client=self.own_client).exists())

    def test_gc_5_4_executing_a_destruction_closes_the_clients_other_open_requests_as_dossier_destroyed(self):
        """GC-5.4: an open copy or correction request cannot be handled any more; it is closed
        with a status that says why, so no to-do list or reminder keeps it."""
        copy, correction = self.open_copy_and_correction()
        request = self.file()
        logged = AccessLogEntry.objects.count()
        with self.captureOnCommitCallbacks(execute=True):
            actions.execute_destruction(actor=self.management, request=request, now=self.now, grant=MANAGEMENT_GRANT)
        self.assertClosedAsDestroyed([copy, correction], self.management)
        request.refresh_from_db()
        self.assertEqual(request.status, RequestStatus.DONE)  # carried out, not cut short
        self.assertEqual([e.step for e in request.events.all()][-2:], ["recipients_listed", "destroyed"])
        # The destruction's own entries cover the closing: no entry per request, no content.
        self.assertEqual(list(AccessLogEntry.objects.filter(seq__gt=logged).values_list("action", flat=True)),
                         ["client.destroy"])
        late = self.now + datetime.timedelta(days=40)
        self.assertEqual(actions.send_due_reminders(late), 0)

    def test_pr_8_destruction_at_the_end_of_the_retention_term_closes_open_requests_too(self):
        """PR-8: the daily job destroys without a request (actor None); what was open closes."""
        copy, correction = self.open_copy_and_correction()
        client_actions.destroy_client(actor=None, client=self.own_client, now=self.now, reason="retention")
        self.assertClosedAsDestroyed([copy, correction], None)

    def test_a_legal_duty_to_keep_blocks_it_records_the_reason_and_tells_the_client(self):
        """GC-5.4: an open complaint or statutory hand-over blocks destruction."""
        request = self.file()
        blocker = lambda *, client, today: "Open complaint K-2026-001"  # noqa: E731
        hooks.DESTRUCTION_BLOCKERS.append(blocker)
        try:
            with self.captureOnCommitCallbacks(execute=True):
                result = actions.execute_destruction(actor=self.management, request=request, now=self.now,
                                                     grant=MANAGEMENT_GRANT)
        finally:
            hooks.DESTRUCTION_BLOCKERS.remove(blocker)
        self.assertEqual(result.status, RequestStatus.BLOCKED)
        self.assertEqual(ClientRequest.objects.get(pk=request.pk).details["blocked_reason"],
                         "Open complaint K-2026-001")
        self.assertIsNone(Client.objects.get(pk=self.own_client.pk).destroyed_at)
        self.assertEqual(mail.outbox[-1].to, ["carla@example.com"])
        self.assertNotIn("K-2026-001", mail.outbox[-1].body)

    def test_only_one_destruction_request_is_open_at_a_time(self):
        self.file()
        with self.assertRaises(ValidationError):
            self.file()

    def test_staff_register_a_letter_with_its_scan(self):
        from coachdossier.clients.management.commands.demo import DEMO_PDF

        request = actions.file_request(actor=self.management, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                       now=self.now, grant=MANAGEMENT_GRANT, channel=RequestChannel.LETTER,
                                       received_on=datetime.date(2026, 11, 20), identity_check="Kopie ID gezien",
                                       scan=SimpleUploadedFile("brief.pdf", DEMO_PDF))
        self.assertEqual(request.deadline, datetime.date(2026, 12, 18))
        self.assertTrue(self.own_client.entries.filter(kind=EntryKind.CORRESPONDENCE_IN).exists())


class ReminderTestCase(PortalTestCase):
    def test_reminders_go_once_a_week_before_and_once_when_overdue(self):
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                       now=self.now, grant=CLIENT_GRANT)
        early = self.now + datetime.timedelta(days=3)
        self.assertEqual(actions.send_due_reminders(early), 0)
        soon = self.now + datetime.timedelta(days=22)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(actions.send_due_reminders(soon), 1)
            self.assertEqual(actions.send_due_reminders(soon), 0)
        self.assertEqual(mail.outbox[-1].to, ["mia@example.com"])
        late = self.now + datetime.timedelta(days=30)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(actions.send_due_reminders(late), 1)
        self.assertEqual(actions.send_due_reminders(late), 0)
        self.assertEqual(ClientRequest.objects.get(pk=request.pk).reminder_stage, 2)

    def test_the_command_runs_the_reminders(self):
        from io import StringIO

        out = StringIO()
        call_command("portal_reminders", stdout=out)
        self.assertIn("portal reminders sent: 0", out.getvalue())
