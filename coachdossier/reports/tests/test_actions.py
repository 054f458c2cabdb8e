"""The report life cycle in the domain code: copy first, the client's answer, sending."""

import datetime
from unittest import mock

from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients import actions as client_actions
from coachdossier.clients.access import Grant
from coachdossier.clients.models import EntryKind
from coachdossier.lib import pdf
from coachdossier.reports import actions, documents
from coachdossier.reports.models import Delivery, Report, ReportState

from .helpers import AFTER_REVIEW, CLIENT, COACH, ReportTestCase, pdf_text


class CopyFirstTestCase(ReportTestCase):
    def test_pr_6_marking_ready_mails_the_client_a_notice_without_content(self):
        """PR-6, GC-6.3: the client gets a copy (in the portal) before anything is sent."""
        report = self.client_copy()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)
        self.assertEqual(report.client_notified_at, self.now)
        self.assertEqual(str(report.review_until), "2026-11-30")  # 5 working days after Monday 23 Nov
        [notice] = self.outbox_to("carla@example.com")
        self.assertIn(f"/reports/review/{report.public_id}/", notice.body)
        self.assertNotIn("twee ochtenden", notice.body)
        self.assertNotIn("Carla", notice.body)

    def test_pr_6_a_report_whose_notice_failed_stays_ready_and_cannot_be_sent(self):
        """PR-6: the copy counts as delivered only when the mail actually went out."""
        report = self.draft()
        with mock.patch("coachdossier.accounts.outbox.EmailMultiAlternatives.send", side_effect=OSError("smtp down")):
            self.ready(report)
        self.assertEqual(report.state, ReportState.READY)
        self.assertIsNone(report.client_notified_at)
        self.assertIsNotNone(report.notify_failed_at)
        with self.assertRaises(ValidationError) as cm:
            self.send(report)
        self.assertIn("PR-6", str(cm.exception))
        self.assertFalse(Delivery.objects.exists())
        self.assertTrue(actions.notify_client(actor=self.coach, report=report, now=self.now, grant=COACH))
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)

    def test_pr_6_a_draft_cannot_be_sent(self):
        """PR-6"""
        report = self.draft()
        with self.assertRaises(ValidationError):
            self.send(report)
        denied = AccessLogEntry.objects.filter(action="report.send", outcome=Outcome.DENIED)
        self.assertEqual(denied.count(), 1)

    def test_pr_6_sending_waits_for_the_review_period_unless_the_client_answered(self):
        """PR-6: the review period (policy.report_review_working_days) or the client's answer."""
        report = self.client_copy()
        with self.assertRaises(ValidationError) as cm:
            self.send(report, now=self.now)
        self.assertIn("answer until", str(cm.exception))
        self.send(report, now=self.now + AFTER_REVIEW)
        self.assertEqual(report.state, ReportState.SENT)

        early = self.client_copy()
        actions.approve_report(actor=self.client_user, report=early, now=self.now, grant=CLIENT)
        self.send(early, now=self.now)
        self.assertEqual(early.state, ReportState.SENT)

    def test_marking_ready_needs_a_portal_account(self):
        """PR-6: the client copy goes through the portal."""
        client_actions_client = self.other_client
        client_actions_client.user = None
        client_actions_client.save(update_fields=["user"])
        report = self.draft(client=self.other_client, coach=self.other_coach)
        with self.assertRaises(ValidationError) as cm:
            self.ready(report, coach=self.other_coach)
        self.assertIn("portal", str(cm.exception))

    def test_pr_6_a_change_after_the_client_copy_is_a_new_version_and_copy_first_starts_again(self):
        """PR-6"""
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        with self.assertRaises(ValidationError):
            actions.edit_report(actor=self.coach, report=report, now=self.now, subject="Anders", sections=[])
        new = actions.revise_report(actor=self.coach, report=report, now=self.now, grant=COACH)
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.SUPERSEDED)
        self.assertEqual((new.number, new.version, new.state), (report.number, 2, ReportState.DRAFT))
        self.assertEqual(new.content["sections"], report.content["sections"])
        self.assertEqual(new.reference, f"{report.reference}v2")
        with self.assertRaises(ValidationError):
            self.send(report)
        with self.assertRaises(ValidationError):
            self.send(new)

    def test_a_sent_report_cannot_be_edited_or_revised(self):
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        self.send(report)
        with self.assertRaisesMessage(ValidationError, "A sent report cannot be changed."):
            actions.edit_report(actor=self.coach, report=report, now=self.now, subject="x", sections=[])
        with self.assertRaisesMessage(ValidationError, "A sent report cannot be changed."):
            actions.revise_report(actor=self.coach, report=report, now=self.now)


class TrajectoryDataTestCase(ReportTestCase):
    def test_a_dutch_letter_writes_hours_with_a_decimal_comma(self):
        """The client and the principal read "5,5 / 30,0" in a Dutch letter, not "5.5 / 30.0"."""
        from decimal import Decimal

        trajectory = self.own_client.current_trajectory
        trajectory.approved_hours = Decimal("30.0")
        trajectory.save(update_fields=["approved_hours"])
        client_actions.log_session(actor=self.coach, trajectory=trajectory, date=self.now.date(), minutes=90,
                                   mode="in_person", now=self.now)
        self.assertIn(["Gebruikte uren", "1,5 / 30,0"], actions.trajectory_data(trajectory, "nl"))
        self.assertIn(["Hours used", "1.5 / 30.0"], actions.trajectory_data(trajectory, "en"))


class SignatureTestCase(ReportTestCase):
    def test_pr_6_a_report_that_needs_a_signature_is_never_sent_unsigned(self):
        """PR-6"""
        report = self.client_copy(signature_required=True)
        with self.assertRaises(ValidationError):
            actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        with self.assertRaisesMessage(ValidationError, "signature"):
            self.send(report, now=self.now + AFTER_REVIEW * 3)

    def test_pr_6_the_signature_records_time_account_and_the_hash_of_the_exact_pdf_and_appears_on_the_sent_pdf(self):
        """PR-6"""
        report = self.client_copy(signature_required=True)
        self.assertEqual(report.pdf_sha256, documents.sha256(documents.render(report)))
        with self.assertRaises(ValidationError) as cm:
            actions.sign_report(actor=self.client_user, report=report, document_sha256="0" * 64, now=self.now,
                                grant=CLIENT)
        self.assertIn("document_sha256", cm.exception.message_dict)
        actions.sign_report(actor=self.client_user, report=report, document_sha256=report.pdf_sha256, now=self.now,
                            grant=CLIENT)
        report.refresh_from_db()
        self.assertEqual((report.state, report.answered_by, report.answered_at, report.signed_sha256),
                         (ReportState.SIGNED, self.client_user, self.now, report.pdf_sha256))
        sent = self.send(report)
        text = pdf_text(actions.read_sent_pdf(report))
        self.assertIn("Ondertekend door", text)
        self.assertIn(report.signed_sha256, text)
        self.assertEqual(sent.delivery.sha256, documents.sha256(actions.read_sent_pdf(report)))

    def test_gc_1_6_a_client_in_a_vulnerable_position_always_signs(self):
        """GC-1.6"""
        trajectory = self.own_client.current_trajectory
        trajectory.vulnerable = True
        trajectory.save(update_fields=["vulnerable"])
        report = self.draft(signature_required=False)
        self.assertTrue(report.signature_required)
        report = self.ready(report)
        with self.assertRaises(ValidationError):
            actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)

    def test_only_the_client_can_sign_their_own_report(self):
        """PR-6: signing as another client is refused."""
        report = self.client_copy(signature_required=True)
        with self.assertRaises(ValidationError):
            actions.sign_report(actor=self.other_client_user, report=report, document_sha256=report.pdf_sha256,
                                now=self.now, grant=CLIENT)
        with self.assertRaises(ValidationError):
            actions.sign_report(actor=self.client_user, report=report, document_sha256=report.pdf_sha256,
                                now=self.now, grant=Grant(Basis.COACH))
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)


class BlockAndObjectTestCase(ReportTestCase):
    def test_gc_6_1_the_client_may_block_a_report_to_a_principal_without_statutory_right(self):
        """GC-6.1: a blocked report can never be sent; the coach may write a new version."""
        report = self.client_copy()
        actions.block_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        self.assertEqual(report.state, ReportState.BLOCKED)
        with self.assertRaisesMessage(ValidationError, "blocked"):
            self.send(report, now=self.now + AFTER_REVIEW * 5)
        new = actions.revise_report(actor=self.coach, report=report, now=self.now)
        self.assertEqual(new.state, ReportState.DRAFT)

    def test_gc_6_1_a_report_to_a_principal_with_statutory_right_cannot_be_blocked(self):
        """GC-6.1"""
        report = self.client_copy(client=self.other_client, coach=self.other_coach)
        with self.assertRaises(ValidationError) as cm:
            actions.block_report(actor=self.other_client_user, report=report, now=self.now, grant=CLIENT)
        self.assertIn("UWV Utrecht may demand this report by law", str(cm.exception))
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)

    def test_gc_6_1_an_objection_is_attached_and_always_sent_with_the_report(self):
        """GC-6.1"""
        report = self.client_copy(client=self.other_client, coach=self.other_coach)
        with self.assertRaises(ValidationError):
            actions.object_to_report(actor=self.other_client_user, report=report, text="kort", now=self.now,
                                     grant=CLIENT)
        actions.object_to_report(actor=self.other_client_user, report=report, now=self.now, grant=CLIENT,
                                 text="Ik werk inmiddels drie ochtenden, niet twee.")
        self.assertEqual(report.state, ReportState.OBJECTED)
        sent = self.send(report, coach=self.other_coach, now=self.now)
        text = pdf_text(actions.read_sent_pdf(report))
        self.assertIn("Ik werk inmiddels drie ochtenden, niet twee.", text)
        self.assertIn("Bijlage 1", text)
        self.assertEqual(actions.download(delivery=sent.delivery, token=sent.token, code=sent.code, now=self.now),
                         actions.read_sent_pdf(report))


class MedicalContentTestCase(ReportTestCase):
    def setUp(self):
        super().setUp()
        self.medical = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.RECEIVED_DOCUMENT,
                                                occurred_on=self.now.date(), title="Advies bedrijfsarts",
                                                text="Diagnose: burn-out.", source="Arbodienst", is_medical=True,
                                                justification="Nodig voor de bedrijfsarts.",
                                                now=self.now)
        self.fact = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                             occurred_on=self.now.date(), title="Werkgever", text="Werkt 32 uur.",
                                             now=self.now)

    def test_a_quoted_entry_is_dated_in_the_reports_language_like_the_letters_other_dates(self):
        """The snapshot said "23-11-2026" in a Dutch and in an English report alike."""
        for language, expected in (("nl", "23 november 2026"), ("en", "23 November 2026")):
            report = actions.create_report(actor=self.coach, client=self.own_client, kind="progress",
                                           addressee="principal", now=self.now, grant=COACH, language=language,
                                           entry_ids=[self.fact.public_id])
            self.assertEqual([e["date"] for e in report.content["entries"]], [expected])

    def test_pr_4_a_medical_entry_never_goes_to_the_employer(self):
        """PR-4, GC-9.4: the domain code refuses, whatever the page sends."""
        report = self.draft()
        with self.assertRaises(ValidationError):
            actions.edit_report(actor=self.coach, report=report, now=self.now, subject="x", sections=SECTIONS_,
                                entry_ids=[self.medical.public_id])
        with self.assertRaises(ValidationError):
            actions.add_medical_entry(actor=self.coach, report=report, entry=self.medical, acknowledged=True,
                                      now=self.now)
        actions.edit_report(actor=self.coach, report=report, now=self.now, subject="x", sections=SECTIONS_,
                            entry_ids=[self.fact.public_id])
        self.assertEqual([e["title"] for e in report.content["entries"]], ["Werkgever"])

    def test_pr_4_a_report_to_the_company_doctor_takes_medical_entries_one_by_one_after_the_warning(self):
        """PR-4"""
        report = self.draft(addressee="company_doctor", recipient={"name": "Dr. Jansen", "email": "arts@example.com"})
        with self.assertRaises(ValidationError) as cm:
            actions.add_medical_entry(actor=self.coach, report=report, entry=self.medical, acknowledged=False,
                                      now=self.now)
        self.assertIn("acknowledged", cm.exception.message_dict)
        actions.add_medical_entry(actor=self.coach, report=report, entry=self.medical, acknowledged=True,
                                  now=self.now)
        self.assertEqual([e["medical"] for e in report.content["entries"]], [True])
        self.assertTrue(AccessLogEntry.objects.filter(action="report.add_medical_entry",
                                                      object_ref=str(self.medical.public_id)).exists())
        # It cannot be readdressed to the employer while it holds medical content.
        with self.assertRaises(ValidationError):
            actions.edit_report(actor=self.coach, report=report, now=self.now, addressee="principal", subject="x",
                                sections=SECTIONS_)

    def test_pr_4_an_entry_marked_medical_after_it_was_chosen_stops_the_report(self):
        """PR-4"""
        report = self.draft(entry_ids=[self.fact.public_id])
        client_actions.edit_entry(actor=self.coach, entry=self.fact, title="Werkgever", text="Werkt 32 uur.",
                                  reason="Medisch", is_medical=True, now=self.now)
        with self.assertRaises(ValidationError):
            self.ready(report)

    def test_gc_9_4_a_report_goes_only_to_the_principal_or_the_company_doctor(self):
        """GC-9.4, GC-9.2"""
        with self.assertRaises(ValidationError):
            actions.create_report(actor=self.coach, client=self.own_client, kind="progress", addressee="neighbour",
                                  now=self.now)


SECTIONS_ = [{"title": "Verloop", "text": "Goed."}]


class DownloadTestCase(ReportTestCase):
    def sent(self, channel="email"):
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        return report, self.send(report, channel=channel, now=self.now)

    def test_the_link_and_the_code_travel_in_separate_mails_without_content(self):
        """GC-6.3"""
        report, sent = self.sent()
        link, code = self.outbox_to("hr@example.com")
        self.assertIn(f"/reports/d/{sent.token}/", link.body)
        self.assertNotIn(sent.code, link.body)
        self.assertIn(sent.code, code.body)
        self.assertNotIn(sent.token, code.body)
        for message in (link, code):
            self.assertNotIn("Carla", message.body + message.subject)
        delivery = Delivery.objects.get()
        self.assertNotEqual(delivery.token_sha256, sent.token)
        self.assertNotIn(sent.code, delivery.code_hmac)

    def test_a_sending_process_killed_right_after_the_commit_still_gets_the_link_and_code_out(self):
        """script/crashtest-server: only the token's hash is stored, so the link mail must be in
        the outbox with the commit; the after-commit attempt never runs here (as after a SIGKILL)."""
        from coachdossier.accounts import outbox
        from coachdossier.accounts.models import MailStatus, OutgoingMail

        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=False):
            sent = actions.send_report(actor=self.coach, report=report, code_channel="email", now=self.now,
                                       grant=COACH)
        queued = OutgoingMail.objects.filter(status=MailStatus.QUEUED).order_by("pk")
        self.assertEqual([m.name for m in queued], ["report-link", "report-code"])
        self.assertEqual(mail.outbox, [])
        outbox.send_queued(timezone.now() + datetime.timedelta(minutes=2))
        link, code = self.outbox_to("hr@example.com")
        self.assertIn(f"/reports/d/{sent.token}/", link.body)
        self.assertIn(sent.code, code.body)

    def test_a_link_mail_that_fails_now_stays_queued_and_marks_the_delivery(self):
        from coachdossier.accounts.models import MailStatus, OutgoingMail

        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")):
            self.send(report, now=self.now)
        delivery = Delivery.objects.get()
        self.assertIsNotNone(delivery.mail_failed_at)
        self.assertIsNone(delivery.link_mailed_at)
        self.assertEqual(report.state, ReportState.SENT)
        self.assertTrue(OutgoingMail.objects.filter(name="report-link", status=MailStatus.QUEUED).exists())

    def test_a_code_by_phone_is_not_mailed(self):
        report, sent = self.sent(channel="phone")
        [link] = self.outbox_to("hr@example.com")
        self.assertIn("telefonisch", link.body)  # mail to recipients is Dutch by default
        self.assertNotIn(sent.code, link.body)

    def test_the_link_works_once(self):
        report, sent = self.sent()
        data = actions.download(delivery=sent.delivery, token=sent.token, code=sent.code, now=self.now)
        self.assertEqual(documents.sha256(data), report.sent_sha256)
        again = actions.download(delivery=sent.delivery, token=sent.token, code=sent.code, now=self.now)
        self.assertTrue(actions.is_refused(again))
        self.assertIn("already been used", again)

    def test_an_expired_link_is_refused_and_logged(self):
        report, sent = self.sent()
        result = actions.download(delivery=sent.delivery, token=sent.token, code=sent.code,
                                  now=sent.delivery.expires_at)
        self.assertTrue(actions.is_refused(result))
        self.assertTrue(AccessLogEntry.objects.filter(action="report.download", outcome=Outcome.DENIED).exists())

    def test_five_wrong_codes_lock_the_link(self):
        report, sent = self.sent()
        for _ in range(4):
            self.assertIn("attempts left", actions.download(delivery=sent.delivery, token=sent.token, code="000000",
                                                             now=self.now))
        self.assertIn("locked", actions.download(delivery=sent.delivery, token=sent.token, code="000000",
                                                 now=self.now))
        self.assertTrue(actions.is_refused(actions.download(delivery=sent.delivery, token=sent.token,
                                                            code=sent.code, now=self.now)))
        sent.delivery.refresh_from_db()
        self.assertEqual(sent.delivery.failed_attempts, 5)
        self.assertIsNotNone(sent.delivery.locked_at)

    def test_a_new_link_replaces_the_old_one(self):
        report, first = self.sent()
        second = self.send(report, now=self.now)
        self.assertTrue(actions.is_refused(actions.download(delivery=first.delivery, token=first.token,
                                                            code=first.code, now=self.now)))
        self.assertFalse(actions.is_refused(actions.download(delivery=second.delivery, token=second.token,
                                                             code=second.code, now=self.now)))
        self.assertEqual(Report.objects.get(pk=report.pk).state, ReportState.SENT)

    def test_law_15_every_delivery_and_download_is_listed_for_the_clients_copy(self):
        """LAW-15, GC-6.4: who received which report, when, and its fingerprint."""
        from coachdossier.reports.export import sent_reports

        report, sent = self.sent()
        actions.download(delivery=sent.delivery, token=sent.token, code=sent.code, now=self.now)
        [row] = sent_reports(self.own_client)
        self.assertEqual(row["recipient"], "Bakkerij Broodnodig BV")
        self.assertEqual(row["type"], "progress")
        self.assertEqual(row["sha256"], report.sent_sha256)
        self.assertIsNotNone(row["downloaded_at"])
        self.assertEqual(sent_reports(self.other_client), [])


class MailRetryTestCase(ReportTestCase):
    """PR-6: a link or code mail that the mail server refused stays in the outbox; when a retry
    sends it, the coach's report page says so, and a mail given up keeps saying it failed."""

    def approved(self):
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        return report

    def send_while(self, refusing, report, **kwargs):
        """Send the report with the mail server answering each mail by `refusing` in turn."""
        with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refusing):
            sent = self.send(report, now=self.now, **kwargs)
        sent.delivery.refresh_from_db()
        return sent.delivery

    def retry(self, at, *, refusing=None):
        """One run of `send_queued_mail` at `at`."""
        from coachdossier.accounts import outbox

        if refusing is None:
            return outbox.send_queued(at)
        with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refusing):
            return outbox.send_queued(at)

    def mailed(self, delivery):
        delivery.refresh_from_db()
        return (str(delivery.status_label), delivery.link_mailed_at, delivery.code_mailed_at, delivery.mail_failed_at)

    def test_pr_6_a_link_mail_that_goes_on_a_retry_turns_mail_failed_into_waiting_for_download(self):
        """PR-6, GC-6.3"""
        delivery = self.send_while(OSError("smtp down"), self.approved())
        self.assertEqual(self.mailed(delivery), ("Mail failed", None, None, self.now))
        later = self.now + datetime.timedelta(minutes=10)
        self.assertEqual(self.retry(later), "2 sent, 0 still not sent, 0 old message(s) forgotten")
        self.assertEqual(self.mailed(delivery), ("Waiting for download", later, later, None))
        self.assertEqual(sum("/reports/d/" in m.body for m in self.outbox_to("hr@example.com")), 1)

    def test_pr_6_a_code_mail_that_failed_says_so_until_a_retry_sends_it(self):
        """PR-6, GC-6.3: the link went at once, the code only on the retry. Until then the
        recipient has a link they cannot open, and the coach sees that, not "Waiting for download"."""
        delivery = self.send_while([None, OSError("smtp down")], self.approved())
        self.assertEqual(self.mailed(delivery), ("Code mail failed", self.now, None, self.now))
        later = self.now + datetime.timedelta(minutes=10)
        self.retry(later)
        self.assertEqual(self.mailed(delivery), ("Waiting for download", self.now, later, None))

    def test_pr_6_a_code_mail_given_up_keeps_saying_code_mail_failed(self):
        """PR-6: the outbox stops trying the code mail; the link alone is of no use to the recipient."""
        from coachdossier.accounts.models import MailStatus, OutgoingMail

        delivery = self.send_while([None, OSError("smtp down")], self.approved())
        at = self.now
        while OutgoingMail.objects.filter(status=MailStatus.QUEUED).exists():
            at = OutgoingMail.objects.filter(status=MailStatus.QUEUED).latest("next_attempt_at").next_attempt_at
            self.retry(at, refusing=OSError("smtp down"))
        self.assertEqual(OutgoingMail.objects.get(name="report-code").status, MailStatus.FAILED)
        self.assertEqual(self.mailed(delivery), ("Code mail failed", self.now, None, at))

    def test_pr_6_a_retry_that_fails_again_keeps_the_failure_with_its_time(self):
        """PR-6"""
        delivery = self.send_while(OSError("smtp down"), self.approved())
        later = self.now + datetime.timedelta(minutes=10)
        self.assertEqual(self.retry(later, refusing=OSError("smtp down")),
                         "0 sent, 2 still not sent, 0 old message(s) forgotten")
        self.assertEqual(self.mailed(delivery), ("Mail failed", None, None, later))

    def test_pr_6_a_link_mail_given_up_keeps_saying_mail_failed(self):
        """PR-6: after OutgoingMail.MAX_ATTEMPTS the outbox stops trying; the coach sees the failure."""
        from coachdossier.accounts.models import MailStatus, OutgoingMail

        delivery = self.send_while(OSError("smtp down"), self.approved())
        at = self.now
        while OutgoingMail.objects.filter(status=MailStatus.QUEUED).exists():
            at = OutgoingMail.objects.filter(status=MailStatus.QUEUED).latest("next_attempt_at").next_attempt_at
            self.retry(at, refusing=OSError("smtp down"))
        self.assertEqual(set(OutgoingMail.objects.filter(name__in=("report-link", "report-code"))
                             .values_list("name", "status")),
                         {("report-link", MailStatus.FAILED), ("report-code", MailStatus.FAILED)})
        self.assertEqual(self.mailed(delivery), ("Mail failed", None, None, at))
        self.assertIsNone(self.retry(at + datetime.timedelta(days=1)))  # nothing left to try
        self.assertEqual(self.mailed(delivery), ("Mail failed", None, None, at))

    def test_pr_6_mails_a_killed_process_left_queued_are_marked_when_the_queue_sends_them(self):
        """PR-6, script/crashtest-server: the attempt after the commit never ran; the queue's did."""
        with self.captureOnCommitCallbacks(execute=False):
            sent = actions.send_report(actor=self.coach, report=self.approved(), code_channel="email",
                                       now=self.now, grant=COACH)
        delivery = sent.delivery
        later = self.now + datetime.timedelta(minutes=10)
        self.retry(later, refusing=[None, OSError("smtp down")])
        self.assertEqual(self.mailed(delivery), ("Code mail failed", later, None, later))
        self.retry(later + datetime.timedelta(minutes=10))
        self.assertEqual(self.mailed(delivery), ("Waiting for download", later, later + datetime.timedelta(minutes=10),
                                                 None))

    def test_a_new_link_is_not_marked_by_the_earlier_links_mails(self):
        """PR-6: each delivery follows its own outbox rows."""
        report = self.approved()
        first = self.send_while(OSError("smtp down"), report)
        second = self.send(report, now=self.now + datetime.timedelta(minutes=1)).delivery
        self.assertEqual(self.mailed(second)[0], "Waiting for download")
        self.retry(self.now + datetime.timedelta(hours=1), refusing=OSError("smtp down"))
        self.assertEqual(self.mailed(second)[0], "Waiting for download")
        self.assertEqual(self.mailed(first)[0], "Withdrawn")

    def test_pr_6_a_delivery_made_before_mails_were_linked_is_caught_up_by_the_migration(self):
        """PR-6: reports migration 0002 finds the link mail by its token's hash; a link that went
        on a retry no longer shows "Mail failed"."""
        from importlib import import_module

        from django.apps import apps

        delivery = self.send_while(OSError("smtp down"), self.approved())
        Delivery.objects.filter(pk=delivery.pk).update(link_mail=None, code_mail=None)  # as before the fix
        later = self.now + datetime.timedelta(minutes=10)
        self.retry(later)
        self.assertEqual(self.mailed(delivery), ("Mail failed", None, None, self.now))  # the defect
        import_module("coachdossier.reports.migrations.0002_delivery_mails").link_existing_mails(apps, None)
        # Only the link mail can be found again; what became of the code mail is unknown, so
        # its failure stays shown rather than a "Waiting for download" nobody can vouch for.
        self.assertEqual(self.mailed(delivery), ("Code mail failed", later, None, self.now))
        self.assertEqual(delivery.link_mail.name, "report-link")


class DestructionTestCase(ReportTestCase):
    def test_destroying_a_client_deletes_their_reports_and_deliveries(self):
        """GC-5.4"""
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        self.send(report, now=self.now)
        actions.revise_report  # noqa: B018 (a sent report has no newer version)
        name = report.sent_storage_name
        from django.core.files.storage import default_storage

        self.assertTrue(default_storage.exists(name))
        with self.captureOnCommitCallbacks(execute=True):
            client_actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="test")
        self.assertFalse(Report.objects.filter(client=self.own_client).exists())
        self.assertFalse(Delivery.objects.exists())
        self.assertFalse(default_storage.exists(name))


class DailyRetryTestCase(ReportTestCase):
    def test_pr_6_the_daily_job_sends_a_client_notice_that_failed_and_a_second_run_does_nothing(self):
        """PR-6: a report waits for its client copy; the daily job retries the notice until it goes."""
        from coachdossier.privacy import daily

        with mock.patch("coachdossier.reports.emails.client_copy", side_effect=OSError("smtp down")):
            report = self.ready(self.draft())
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.READY)
        first = "\n".join(daily.run(now=self.now))
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)
        self.assertIn("client notices: 1 delivered, 0 still failing", first)
        self.assertNotIn("client notices", "\n".join(daily.run(now=self.now)))


class RendererVersionTestCase(ReportTestCase):
    """lib.pdf is versioned: a report's PDFs are rendered again with the version it was marked
    ready with, so the hashes the client signed and the practice sent keep holding."""

    NAME = "Łukasz Wiśniewski en Nguyễn Thị Minh Khai"

    def named(self, **kwargs):
        return self.client_copy(sections=[{"title": "Verloop", "text": f"Gesprek met {self.NAME}."}], **kwargs)

    def test_pr_6_a_report_marked_ready_now_is_rendered_with_version_2_and_its_hash_is_of_that_rendering(self):
        """PR-6, GC-5.1: the client copy prints names as written."""
        report = self.named()
        self.assertEqual(report.pdf_renderer, 2)
        data = documents.render(report)
        self.assertEqual(report.pdf_sha256, documents.sha256(data))
        self.assertIn(b"/BaseFont /AAAAAA+DejaVuSans", data)
        self.assertIn(self.NAME, pdf_text_exactly(data))

    def test_pr_6_a_report_made_with_version_1_still_matches_its_hash_and_is_signed_and_sent_in_version_1(self):
        """PR-6: a report marked ready before version 2 existed (simulated by making version 1
        the current one while it is marked ready)."""
        with mock.patch.object(pdf, "RENDERER", 1):
            report = self.named(signature_required=True)
        self.assertEqual(report.pdf_renderer, 1)
        data = documents.render(report)
        self.assertEqual(report.pdf_sha256, documents.sha256(data))
        self.assertNotIn(b"DejaVu", data)
        self.assertIn("?ukasz Wisniewski en Nguyen Thi Minh Khai", pdf_text_exactly(data))  # folded, as then
        actions.sign_report(actor=self.client_user, report=report, document_sha256=report.pdf_sha256, now=self.now,
                            grant=CLIENT)
        report.refresh_from_db()
        self.send(report)
        sent = actions.read_sent_pdf(report)
        self.assertNotIn(b"DejaVu", sent)
        self.assertIn(report.signed_sha256, pdf_text_exactly(sent))

    def test_a_draft_marked_ready_after_version_2_came_gets_version_2_whatever_it_was_created_with(self):
        report = self.draft()
        Report.objects.filter(pk=report.pk).update(pdf_renderer=1)  # a draft from before the migration
        report.refresh_from_db()
        report.letter_date = self.now.date()  # as the preview view does
        self.assertIn(b"DejaVuSans", documents.render(report))  # its preview shows what ready will make
        report = self.ready(report)
        self.assertEqual(report.pdf_renderer, 2)
        self.assertEqual(report.pdf_sha256, documents.sha256(documents.render(report)))

    def test_pr_6_the_migration_gives_existing_reports_version_1_and_new_ones_version_2(self):
        """PR-6: reports that exist when the field is added were made with version 1."""
        from importlib import import_module

        from django.db import migrations

        add, alter = import_module("coachdossier.reports.migrations.0003_report_pdf_renderer").Migration.operations
        self.assertIsInstance(add, migrations.AddField)
        self.assertEqual((add.name, add.field.default, alter.field.default), ("pdf_renderer", 1, 2))
        self.assertEqual(Report._meta.get_field("pdf_renderer").default, pdf.RENDERER)


def pdf_text_exactly(data: bytes) -> str:
    from coachdossier.lib.tests.test_pdf import pdf_text as poppler_text

    return poppler_text(data).replace("\n", " ")
