"""The report's life cycle as a table (PR-6, GC-6.1): every state against every event, the
review period's last day, why a report cannot be sent, the client's answers, the client
notice, and when a recipient's link stops working.

Reports are brought into each state through the real actions, with `now` given. These are
also the tests `script/mutation reports` runs, so they stay fast (a few seconds).
"""

import datetime
from unittest import mock

from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients import actions as actions_clients
from coachdossier.clients.access import Grant
from coachdossier.reports import actions, documents
from coachdossier.reports.models import TRANSITIONS, Delivery, Report, ReportState

from .helpers import CLIENT, COACH, ReportTestCase, pdf_text

S = ReportState
EVENTS = ("edit", "ready", "notified", "approve", "sign", "block", "object", "send", "revise")
ANSWERS = ("approve", "sign", "block", "object")
OBJECTION = "Ik ben het oneens met de conclusie over mijn belastbaarheid."

# PR-6, GC-6.1, written out: (state, event) -> the next state. Every pair not listed is refused.
LIFE_CYCLE = {
    (S.DRAFT, "edit"): S.DRAFT,
    (S.DRAFT, "ready"): S.READY,  # the text is frozen
    (S.READY, "notified"): S.CLIENT_COPY,  # the client's notice went out
    (S.CLIENT_COPY, "approve"): S.APPROVED,
    (S.CLIENT_COPY, "sign"): S.SIGNED,
    (S.CLIENT_COPY, "block"): S.BLOCKED,
    (S.CLIENT_COPY, "object"): S.OBJECTED,
    (S.OBJECTED, "sign"): S.SIGNED,  # an objection and, where required, a signature
    (S.CLIENT_COPY, "send"): S.SENT,  # after the review period (send_refusal)
    (S.APPROVED, "send"): S.SENT,
    (S.SIGNED, "send"): S.SENT,
    (S.OBJECTED, "send"): S.SENT,
    (S.SENT, "send"): S.SENT,  # a new link
    (S.READY, "revise"): S.SUPERSEDED,
    (S.CLIENT_COPY, "revise"): S.SUPERSEDED,
    (S.APPROVED, "revise"): S.SUPERSEDED,
    (S.SIGNED, "revise"): S.SUPERSEDED,
    (S.OBJECTED, "revise"): S.SUPERSEDED,
    (S.BLOCKED, "revise"): S.SUPERSEDED,
}
# The review period of a client copy made on Monday 23 November 2026: five working days.
LAST_REVIEW_DAY = datetime.date(2026, 11, 30)


def at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


class LifeCycleTestCase(ReportTestCase):
    def answer(self, report, event, *, actor=None, grant=CLIENT, now=None):
        actor, now = actor or self.client_user, now or self.now
        if event == "approve":
            return actions.approve_report(actor=actor, report=report, now=now, grant=grant)
        if event == "sign":
            return actions.sign_report(actor=actor, report=report, document_sha256=report.pdf_sha256, now=now,
                                       grant=grant)
        if event == "block":
            return actions.block_report(actor=actor, report=report, now=now, grant=grant)
        return actions.object_to_report(actor=actor, report=report, text=OBJECTION, now=now, grant=grant)

    def in_state(self, state, **draft) -> Report:
        """A report brought into `state` through the real actions."""
        if state == S.DRAFT:
            return self.draft(**draft)
        if state == S.READY:  # the client's notice failed
            with mock.patch("coachdossier.reports.emails.client_copy", side_effect=OSError("smtp down")):
                return self.ready(self.draft(**draft))
        report = self.client_copy(**draft)
        if state in (S.APPROVED, S.SIGNED, S.BLOCKED, S.OBJECTED):
            self.answer(report, {S.APPROVED: "approve", S.SIGNED: "sign", S.BLOCKED: "block",
                                 S.OBJECTED: "object"}[state])
        elif state == S.SENT:
            self.answer(report, "approve")
            self.send(report, now=self.now)
        elif state == S.SUPERSEDED:
            actions.revise_report(actor=self.coach, report=report, now=self.now, grant=COACH)
        report.refresh_from_db()
        self.assertEqual(report.state, state)
        return report

    def stored_state(self, report) -> str:
        return Report.objects.values_list("state", flat=True).get(pk=report.pk)


class TransitionTableTestCase(LifeCycleTestCase):
    def test_pr_6_the_state_machine_is_exactly_the_life_cycle(self):
        """PR-6, GC-6.1: no transition more, none less."""
        self.assertEqual(TRANSITIONS, LIFE_CYCLE)

    def test_pr_6_gc_6_1_every_state_takes_exactly_its_events_and_refuses_the_others(self):
        """PR-6, GC-6.1: each (state, event) pair on a real report in that state: an allowed
        step moves it to the next state and stores that; a refused one names the state and
        changes nothing."""
        for state in S.values:
            report = self.in_state(state)
            for event in EVENTS:
                with self.subTest(state=state, event=event):
                    target = LIFE_CYCLE.get((state, event))
                    self.assertEqual(report.can(event), target is not None)
                    if target is None:
                        with self.assertRaises(ValidationError) as cm:
                            actions._move(report, event)
                        self.assertEqual(cm.exception.message_dict, {"state": [
                            f"This step is not possible for a report in the state “{S(state).label}”."]})
                        self.assertEqual((report.state, self.stored_state(report)), (state, state))
                    else:
                        actions._move(report, event)
                        self.assertEqual((report.state, self.stored_state(report)), (target, target))
                        Report.objects.filter(pk=report.pk).update(state=state)
                        report.state = state

    def test_a_move_stores_the_fields_it_names_with_the_new_state(self):
        """PR-6: the state and the fields of the step are saved together."""
        report = self.in_state(S.CLIENT_COPY)
        report.answered_at = self.now
        report.sent_sha256 = "a" * 64  # not named: stays as stored
        actions._move(report, "approve", fields=["answered_at"])
        stored = Report.objects.get(pk=report.pk)
        self.assertEqual((stored.state, stored.answered_at, stored.sent_sha256), (S.APPROVED, self.now, ""))

    def test_the_list_helpers_follow_the_states(self):
        """PR-6: "current" leaves out replaced versions; "awaiting the client" is the client copy."""
        waiting = self.in_state(S.CLIENT_COPY)
        replaced = self.in_state(S.SUPERSEDED)
        approved = self.in_state(S.APPROVED)
        self.assertEqual(set(Report.objects.current()), {waiting, approved, replaced.next_version})
        self.assertEqual(list(Report.objects.awaiting_client()), [waiting])

    def test_gc_2_3_reports_are_visible_only_through_the_clients_policy(self):
        """GC-2.3, PR-7: the coach sees her client's reports, another coach none, management
        their status."""
        own = self.in_state(S.DRAFT)
        other = self.draft(client=self.other_client, coach=self.other_coach)
        self.assertEqual(list(Report.objects.visible_to(self.coach, "reports.write", self.now)), [own])
        self.assertEqual(list(Report.objects.visible_to(self.other_coach, "reports.write", self.now)), [other])
        self.assertEqual(set(Report.objects.visible_to(self.management, "reports.status")), {own, other})
        self.assertEqual(list(Report.objects.visible_to(self.management, "reports.write", self.now)), [])


    def test_gc_2_5_a_substitutes_reports_are_visible_during_the_consent_only(self):
        """GC-2.5: the report list asks the policy about the moment it is given."""
        report = self.in_state(S.DRAFT)
        actions_clients.record_consent(actor=self.client_user, client=self.own_client, kind="substitute",
                                       substitute=self.other_coach, given_via="portal",
                                       valid_from=self.now.date(), valid_until=self.now.date() + datetime.timedelta(2),
                                       now=self.now, grant=CLIENT)
        self.assertEqual(list(Report.objects.visible_to(self.other_coach, "reports.write", self.now)), [report])
        self.assertEqual(list(Report.objects.visible_to(self.other_coach, "reports.write",
                                                        self.now + datetime.timedelta(days=3))), [])


class ReviewPeriodTestCase(LifeCycleTestCase):
    def test_pr_6_the_review_period_ends_after_its_last_day_not_on_it(self):
        """PR-6: five working days after the notice; the report may go the day after."""
        report = self.in_state(S.CLIENT_COPY)
        self.assertEqual(report.review_until, LAST_REVIEW_DAY)
        self.assertFalse(report.review_passed(LAST_REVIEW_DAY))
        self.assertTrue(report.review_passed(LAST_REVIEW_DAY + datetime.timedelta(days=1)))
        self.assertFalse(self.in_state(S.DRAFT).review_passed(datetime.date(2030, 1, 1)))  # no period yet

    def test_pr_6_the_last_day_to_answer_is_written_in_the_readers_language(self):
        """The message hard-coded 30-11-2026, so the English UI got the Dutch way of writing it."""
        from django.utils import translation

        report = self.in_state(S.CLIENT_COPY)
        with translation.override("nl"):
            self.assertEqual(str(report.send_refusal(at(2026, 11, 30, 12))),
                             "De cliënt kan reageren tot 30 november 2026; daarna kan de rapportage worden "
                             "verzonden (PR-6).")
        with translation.override("en"):
            self.assertIn("until 30 November 2026;", str(report.send_refusal(at(2026, 11, 30, 12))))

    def test_pr_6_an_unanswered_copy_is_refused_until_midnight_after_the_last_day_and_then_sent(self):
        """PR-6: the last review day counts in Amsterdam time; the refusal is logged."""
        report = self.in_state(S.CLIENT_COPY)
        last_minute, first_minute = at(2026, 11, 30, 23, 59, 59), at(2026, 12, 1, 0, 0)
        waiting = "The client may answer until 30 November 2026; the report can be sent after that (PR-6)."
        self.assertEqual(str(report.send_refusal(last_minute)), waiting)
        self.assertIsNone(report.send_refusal(first_minute))
        with self.assertRaises(ValidationError) as cm:
            self.send(report, now=last_minute)
        self.assertEqual(cm.exception.message_dict, {"state": [waiting]})
        self.assertEqual(self.stored_state(report), S.CLIENT_COPY)
        self.assertFalse(report.deliveries.exists())
        denied = AccessLogEntry.objects.get(action="report.send", outcome=Outcome.DENIED)
        self.assertEqual((denied.object_ref, denied.basis), (str(report.public_id), Basis.COACH))
        self.send(report, now=first_minute)
        self.assertEqual((report.state, report.sent_at), (S.SENT, first_minute))

    def test_pr_6_the_period_is_counted_in_working_days_from_the_day_the_notice_went(self):
        """PR-6: a notice that only went on Friday 27 November leaves the client until Friday 4 December."""
        with mock.patch("coachdossier.reports.emails.client_copy", side_effect=OSError("smtp down")):
            report = self.ready(self.draft())
        friday = at(2026, 11, 27, 16, 0)
        self.assertTrue(actions.notify_client(actor=self.coach, report=report, now=friday, grant=COACH))
        report.refresh_from_db()
        self.assertEqual((report.state, report.client_notified_at, report.review_until),
                         (S.CLIENT_COPY, friday, datetime.date(2026, 12, 4)))


class SendRefusalTestCase(LifeCycleTestCase):
    BLOCKED = "The client blocked this report; it can never be sent (GC-6.1)."
    NOT_DELIVERED = "The client's copy has not been delivered yet (PR-6)."
    WRONG_STATE = "A report in this state cannot be sent."
    UNSIGNED = "This report needs the client's signature before it can be sent (PR-6)."
    WAITING = "The client may answer until 30 November 2026; the report can be sent after that (PR-6)."

    def refusal(self, report, now):
        refusal = report.send_refusal(now)
        return None if refusal is None else str(refusal)

    def test_pr_6_gc_6_1_why_a_report_in_each_state_cannot_be_sent_during_and_after_the_review_period(self):
        """PR-6, GC-6.1: a report the client answered may go at once; a block is forever."""
        during, after = self.now, at(2026, 12, 1, 9, 0)
        expected = {
            S.DRAFT: (self.NOT_DELIVERED, self.NOT_DELIVERED),
            S.READY: (self.NOT_DELIVERED, self.NOT_DELIVERED),
            S.CLIENT_COPY: (self.WAITING, None),
            S.APPROVED: (None, None),
            S.SIGNED: (None, None),
            S.OBJECTED: (None, None),  # GC-6.1: an objection does not stop it; it travels with it
            S.BLOCKED: (self.BLOCKED, self.BLOCKED),
            S.SENT: (None, None),  # a new link
            S.SUPERSEDED: (self.WRONG_STATE, self.WRONG_STATE),
        }
        self.assertEqual(set(expected), set(S.values))
        for state, (while_reviewing, afterwards) in expected.items():
            report = self.in_state(state)
            with self.subTest(state=state):
                self.assertEqual((self.refusal(report, during), self.refusal(report, after)),
                                 (while_reviewing, afterwards))

    def test_pr_6_a_report_that_needs_a_signature_goes_only_signed(self):
        """PR-6, GC-6.1: neither the end of the review period nor an objection replaces the signature."""
        after = at(2026, 12, 1, 9, 0)
        unanswered = self.in_state(S.CLIENT_COPY, signature_required=True)
        self.assertEqual(self.refusal(unanswered, self.now), self.UNSIGNED)
        self.assertEqual(self.refusal(unanswered, after), self.UNSIGNED)
        objected = self.in_state(S.OBJECTED, signature_required=True)
        self.assertEqual(self.refusal(objected, after), self.UNSIGNED)
        self.answer(objected, "sign")
        objected.refresh_from_db()
        self.assertEqual((objected.state, self.refusal(objected, self.now)), (S.SIGNED, None))
        self.assertEqual(objected.objection, OBJECTION)
        with self.assertRaises(ValidationError) as cm:
            self.send(unanswered, now=after)
        self.assertEqual(cm.exception.message_dict, {"state": [self.UNSIGNED]})

    def test_gc_6_1_a_blocked_report_is_refused_even_with_a_signature_requirement_met(self):
        """GC-6.1: the block is the first reason given."""
        report = self.in_state(S.BLOCKED, signature_required=True)
        self.assertEqual(self.refusal(report, at(2027, 1, 1, 9, 0)), self.BLOCKED)


class ClientAnswerTestCase(LifeCycleTestCase):
    def test_pr_6_gc_6_1_only_a_copy_awaiting_the_client_takes_an_answer(self):
        """PR-6, GC-6.1: approve, sign, block or object while the copy waits; after an objection
        only the signature; in any other state nothing, and nothing changes."""
        for state in S.values:
            report = self.in_state(state)
            for event in ANSWERS:
                if (state, event) in LIFE_CYCLE:
                    continue
                with self.subTest(state=state, event=event):
                    since = AccessLogEntry.objects.count()
                    with self.assertRaises(ValidationError) as cm:
                        self.answer(report, event)
                    self.assertEqual(cm.exception.message_dict, {"state": ["This report is not waiting for your "
                                                                           "answer."]})
                    self.assertEqual(self.stored_state(report), state)
                    self.assertEqual(AccessLogEntry.objects.count(), since)

    def test_pr_6_gc_6_1_an_answer_moves_the_report_records_who_and_when_and_is_logged(self):
        """PR-6, GC-6.1, LAW-NEN7513"""
        later = at(2026, 11, 25, 14, 30)
        for state, event in [(S.CLIENT_COPY, e) for e in ANSWERS] + [(S.OBJECTED, "sign")]:
            with self.subTest(state=state, event=event):
                report = self.in_state(state)
                self.answer(report, event, now=later)
                stored = Report.objects.get(pk=report.pk)
                self.assertEqual((stored.state, stored.answered_at, stored.answered_by),
                                 (LIFE_CYCLE[(state, event)], later, self.client_user))
                entry = AccessLogEntry.objects.filter(action=f"report.{event}").order_by("-seq").first()
                self.assertEqual((entry.outcome, entry.object_ref, entry.basis, entry.role),
                                 (Outcome.ALLOWED, str(report.public_id), Basis.CLIENT, "client"))

    def test_pr_6_nobody_but_the_client_answers_for_the_client(self):
        """PR-6, PR-7: not management, not the coach, not another client with a client grant."""
        report = self.in_state(S.CLIENT_COPY)
        for actor, grant in ((self.management, Grant(Basis.MANAGEMENT)), (self.coach, COACH),
                             (self.other_client_user, CLIENT), (self.client_user, COACH)):
            for event in ANSWERS:
                with self.subTest(actor=actor.email, grant=grant.basis, event=event):
                    with self.assertRaises(ValidationError) as cm:
                        self.answer(report, event, actor=actor, grant=grant)
                    self.assertEqual(cm.exception.message_dict,
                                     {"state": ["Only the client can answer on their own report."]})
                    self.assertEqual(self.stored_state(report), S.CLIENT_COPY)
        self.assertIsNone(Report.objects.get(pk=report.pk).answered_at)


class ClientNoticeTestCase(LifeCycleTestCase):
    def test_pr_6_the_notice_starts_the_review_period_once_and_is_logged_as_the_system(self):
        """PR-6, GC-6.3"""
        report = self.in_state(S.CLIENT_COPY)
        self.assertEqual((report.client_notified_at, report.notify_failed_at, report.review_until),
                         (self.now, None, LAST_REVIEW_DAY))
        entry = AccessLogEntry.objects.get(action="report.client_notified")
        self.assertEqual((entry.outcome, entry.basis, entry.role, entry.object_ref),
                         (Outcome.ALLOWED, Basis.SYSTEM, "", str(report.public_id)))
        # A second delivery (a retried job) does nothing: no mail, no new period.
        sent = len(mail.outbox)
        self.assertFalse(actions.deliver_client_notice(report_id=report.pk, now=self.now + datetime.timedelta(3)))
        report.refresh_from_db()
        self.assertEqual((len(mail.outbox), report.client_notified_at, report.review_until),
                         (sent, self.now, LAST_REVIEW_DAY))
        with self.assertRaises(ValidationError) as cm:
            actions.notify_client(actor=self.coach, report=report, now=self.now, grant=COACH)
        self.assertEqual(cm.exception.message_dict, {"state": ["The client's copy was already delivered."]})

    def test_pr_6_a_failed_notice_keeps_the_report_ready_until_a_retry_goes_out(self):
        """PR-6, GC-2.5: only a notice that went out counts; each retry is logged under the grant
        of whoever pressed the button (here a substitute coach)."""
        report = self.in_state(S.READY)
        self.assertEqual((report.client_notified_at, report.notify_failed_at, report.review_until),
                         (None, self.now, None))
        substitute = Grant(Basis.SUBSTITUTE, "consent-ref")
        later = self.now + datetime.timedelta(hours=2)
        with mock.patch("coachdossier.reports.emails.client_copy", side_effect=OSError("still down")), \
                self.assertLogs("coachdossier.reports", "ERROR") as logs:
            self.assertFalse(actions.notify_client(actor=self.other_coach, report=report, now=later, grant=substitute))
        self.assertEqual([r.getMessage() for r in logs.records],
                         [f"client copy notice for report {report.public_id} failed"])
        report.refresh_from_db()
        self.assertEqual((report.state, report.notify_failed_at, report.client_notified_at), (S.READY, later, None))
        self.assertTrue(actions.notify_client(actor=self.other_coach, report=report, now=later, grant=substitute))
        report.refresh_from_db()
        self.assertEqual((report.state, report.client_notified_at, report.notify_failed_at),
                         (S.CLIENT_COPY, later, None))
        retries = AccessLogEntry.objects.filter(action="report.notify_retry", outcome=Outcome.ALLOWED)
        self.assertEqual([(e.basis, e.basis_ref, e.role, e.object_ref) for e in retries],
                         [(Basis.SUBSTITUTE, "consent-ref", "coach", str(report.public_id))] * 2)

    def test_pr_6_of_two_notices_sent_at_once_only_the_first_to_finish_starts_the_review_period(self):
        """PR-6: a retry pressed while the job was mailing; the one that finds the copy already
        delivered (after its own mail) changes nothing and says so."""
        with mock.patch("coachdossier.reports.emails.client_copy", side_effect=OSError("smtp down")):
            report = self.ready(self.draft())
        later = self.now + datetime.timedelta(days=2)

        def the_other_one_finishes_first(report):
            with mock.patch("coachdossier.reports.emails.client_copy"):  # its mail went
                self.assertTrue(actions.deliver_client_notice(report_id=report.pk, now=self.now))

        with mock.patch("coachdossier.reports.emails.client_copy", side_effect=the_other_one_finishes_first):
            self.assertFalse(actions.deliver_client_notice(report_id=report.pk, now=later))
        report.refresh_from_db()
        self.assertEqual((report.state, report.client_notified_at, report.review_until),
                         (S.CLIENT_COPY, self.now, LAST_REVIEW_DAY))
        self.assertEqual(AccessLogEntry.objects.filter(action="report.client_notified").count(), 1)

    def test_pr_6_a_draft_gets_no_notice(self):
        """PR-6: the notice belongs to a report marked ready."""
        report = self.in_state(S.DRAFT)
        self.assertFalse(actions.deliver_client_notice(report_id=report.pk, now=self.now))
        self.assertEqual((self.stored_state(report), mail.outbox), (S.DRAFT, []))
        with self.assertRaises(ValidationError):
            actions.notify_client(actor=self.coach, report=report, now=self.now, grant=COACH)


class DeliveryTestCase(ReportTestCase):
    """A recipient's link: single use, time-limited, locked after wrong codes, withdrawable."""

    NOW = at(2026, 12, 1, 9, 0)
    EXPIRES = at(2026, 12, 15, 9, 0)

    def delivery(self, **fields):
        return Delivery(created_at=self.NOW, expires_at=self.EXPIRES, **fields)

    def test_pr_6_a_link_works_until_just_before_it_expires(self):
        """PR-6: expires_at itself is too late."""
        link = self.delivery()
        self.assertIsNone(link.refusal(self.EXPIRES - datetime.timedelta(microseconds=1)))
        self.assertEqual(str(link.refusal(self.EXPIRES)), "This link has expired. Ask the practice for a new one.")
        self.assertEqual(str(link.refusal(self.EXPIRES + datetime.timedelta(days=1))),
                         "This link has expired. Ask the practice for a new one.")

    def test_pr_6_a_link_that_was_withdrawn_used_or_locked_says_so_first(self):
        """PR-6: the most telling reason first: withdrawn, then used, then locked, then expired."""
        late = self.EXPIRES + datetime.timedelta(days=1)
        cases = [
            ({"revoked_at": self.NOW, "downloaded_at": self.NOW, "locked_at": self.NOW}, "This link was withdrawn."),
            ({"downloaded_at": self.NOW, "locked_at": self.NOW},
             "This link has already been used. Ask the practice for a new one."),
            ({"locked_at": self.NOW},
             "This link is locked after too many wrong codes. Ask the practice for a new one."),
        ]
        for fields, message in cases:
            with self.subTest(fields=sorted(fields)):
                self.assertEqual(str(self.delivery(**fields).refusal(self.NOW)), message)
                self.assertEqual(str(self.delivery(**fields).refusal(late)), message)

    def test_the_coach_sees_what_became_of_each_link(self):
        """PR-6: the status on the report page."""
        by_email = {"code_channel": Delivery.CodeChannel.EMAIL}
        cases = [
            ({"downloaded_at": self.NOW, "locked_at": self.NOW, "revoked_at": self.NOW}, "Downloaded"),
            ({"locked_at": self.NOW, "revoked_at": self.NOW}, "Locked"),
            ({"revoked_at": self.NOW, "mail_failed_at": self.NOW}, "Withdrawn"),
            ({"mail_failed_at": self.NOW}, "Mail failed"),
            ({**by_email, "mail_failed_at": self.NOW, "link_mailed_at": self.NOW}, "Code mail failed"),
            ({**by_email, "link_mailed_at": self.NOW}, "Waiting for download"),  # the code mail is still queued
            ({**by_email, "link_mailed_at": self.NOW, "code_mailed_at": self.NOW}, "Waiting for download"),
            ({}, "Waiting for download"),
        ]
        for fields, label in cases:
            with self.subTest(fields=sorted(fields)):
                self.assertEqual(str(self.delivery(**fields).status_label), label)

    def test_pr_6_a_code_mail_that_failed_says_so_even_though_the_link_went(self):
        """PR-6, GC-6.3: without the code the recipient cannot open the link; "Waiting for
        download" would hide that. A code passed on by phone has no mail to fail."""
        went = {"link_mailed_at": self.NOW, "mail_failed_at": self.NOW}
        self.assertEqual(str(self.delivery(code_channel=Delivery.CodeChannel.EMAIL, **went).status_label),
                         "Code mail failed")
        self.assertEqual(str(self.delivery(code_channel=Delivery.CodeChannel.PHONE, **went).status_label),
                         "Waiting for download")
        with translation.override("nl"):
            self.assertEqual(str(self.delivery(code_channel=Delivery.CodeChannel.EMAIL, **went).status_label),
                             "Verzenden van e-mail met code mislukt")


class SendingTestCase(LifeCycleTestCase):
    """The `send` transition (PR-6, GC-6.3): the first sending fixes the PDF; every sending,
    the first and a new link alike, makes one single-use link and withdraws the earlier one."""

    def approved(self, **draft):
        return self.in_state(S.APPROVED, **draft)

    def sent_now(self, report, *, now, channel="email", **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            sent = actions.send_report(actor=self.coach, report=report, code_channel=channel, now=now, grant=COACH,
                                       **kwargs)
        report.refresh_from_db()
        sent.delivery.refresh_from_db()
        return sent

    def test_pr_6_the_first_sending_fixes_the_pdf_and_makes_one_link_for_the_principal(self):
        """PR-6, GC-6.3, GC-9.4"""
        report = self.approved()
        first = at(2026, 11, 24, 10, 0)
        sent = self.sent_now(report, now=first)
        pdf = actions.read_sent_pdf(report)
        self.assertEqual((report.state, report.sent_at, report.sent_sha256),
                         (S.SENT, first, documents.sha256(pdf)))
        link = sent.delivery
        self.assertEqual(
            (link.addressee, link.code_channel, link.sha256, link.created_by, link.created_at, link.expires_at,
             link.recipient, link.link_mailed_at, link.code_mailed_at, link.revoked_at),
            ("principal", "email", report.sent_sha256, self.coach, first, at(2026, 12, 8, 10, 0),
             {"name": "", "organisation": "Bakkerij Broodnodig BV", "email": "hr@example.com"}, first, first, None))
        self.assertEqual((link.token_sha256, link.code_hmac),
                         (Delivery.hash_token(sent.token), Delivery.hash_code(sent.token, sent.code)))
        self.assertRegex(sent.code, r"^\d{6}$")
        link_mail, code_mail = self.outbox_to("hr@example.com")  # the link, and the code apart
        self.assertIn(f"/reports/d/{sent.token}/", link_mail.body)
        self.assertIn(sent.code, code_mail.body)
        logged = AccessLogEntry.objects.filter(action__in=("report.send", "report.delivery")).order_by("seq")
        self.assertEqual([(e.action, e.outcome, e.basis, e.object_ref) for e in logged],
                         [("report.send", Outcome.ALLOWED, Basis.COACH, str(report.public_id)),
                          ("report.delivery", Outcome.ALLOWED, Basis.COACH, str(link.public_id))])

    def test_pr_6_a_new_link_keeps_the_sent_pdf_and_withdraws_the_unused_earlier_link(self):
        """PR-6: what was sent stays what was sent; one valid link at a time."""
        report = self.approved()
        first, second, third = at(2026, 11, 24, 10, 0), at(2026, 11, 26, 10, 0), at(2026, 11, 27, 10, 0)
        one = self.sent_now(report, now=first)
        sha, stored = report.sent_sha256, report.sent_storage_name
        two = self.sent_now(report, now=second, channel="phone")
        one.delivery.refresh_from_db()
        self.assertEqual((report.state, report.sent_at, report.sent_sha256, report.sent_storage_name),
                         (S.SENT, first, sha, stored))
        self.assertEqual((one.delivery.revoked_at, two.delivery.revoked_at, two.delivery.sha256), (second, None, sha))
        self.assertIsNone(two.delivery.code_mailed_at)  # by phone: the coach passes the code on
        # A link that was used is history, not withdrawn.
        actions.download(delivery=two.delivery, token=two.token, code=two.code, now=second)
        self.sent_now(report, now=third)
        one.delivery.refresh_from_db()
        two.delivery.refresh_from_db()
        self.assertEqual((two.delivery.revoked_at, str(two.delivery.status_label)), (None, "Downloaded"))
        self.assertEqual(one.delivery.revoked_at, second)  # withdrawn once, when it was replaced

    def test_gc_9_4_a_report_to_the_company_doctor_goes_to_the_doctor_named_in_it(self):
        """GC-9.4, PR-4: the recipient the coach named; an address typed when sending wins."""
        report = self.approved(addressee="company_doctor",
                               recipient={"name": "Dr. Jansen", "organisation": "Arbodienst", "email": "arts@example.com"})
        sent = self.sent_now(report, now=at(2026, 11, 24, 10, 0))
        self.assertEqual(sent.delivery.recipient, {"name": "Dr. Jansen", "organisation": "Arbodienst",
                                                   "address": "", "email": "arts@example.com"})
        again = self.sent_now(report, now=at(2026, 11, 25, 10, 0), recipient_email="  praktijk@example.com ")
        self.assertEqual(again.delivery.recipient["email"], "praktijk@example.com")
        self.assertEqual(len(self.outbox_to("praktijk@example.com")), 2)

    def test_gc_9_4_nothing_is_sent_without_an_address_or_a_way_for_the_code(self):
        """GC-9.4, GC-6.3: a clear message, and the report stays as it was."""
        no_address = self.approved(addressee="company_doctor", recipient={"name": "Dr. Jansen"})
        cases = [
            (no_address, "email", {"recipient_email": ["Give the recipient's email address."]}),
            (self.approved(), "pigeon", {"code_channel": ["Choose how the code reaches the recipient."]}),
        ]
        for report, channel, errors in cases:
            with self.subTest(errors=sorted(errors)):
                with self.assertRaises(ValidationError) as cm:
                    self.sent_now(report, now=at(2026, 11, 24, 10, 0), channel=channel)
                self.assertEqual(cm.exception.message_dict, errors)
                self.assertEqual((self.stored_state(report), report.deliveries.count()), (S.APPROVED, 0))
        self.assertFalse(AccessLogEntry.objects.filter(action="report.send").exists())

    def test_gc_6_1_the_sent_pdf_carries_the_objection_and_the_signature(self):
        """GC-6.1, PR-6: the objection is always annexed to what is sent, with the signature block."""
        report = self.in_state(S.OBJECTED, signature_required=True)
        self.answer(report, "sign")
        self.assertNotIn("belastbaarheid", pdf_text(documents.render(report)))  # the client copy has neither
        self.sent_now(report, now=at(2026, 11, 24, 10, 0))
        sent = pdf_text(actions.read_sent_pdf(report))
        self.assertIn("belastbaarheid", sent)
        self.assertIn(report.signed_sha256, sent)

    def test_gc_2_5_a_substitute_sends_under_the_consent_and_a_refusal_is_logged_so_too(self):
        """GC-2.5, LAW-NEN7513: the log shows on which consent a substitute sent (or tried to)."""
        report = self.in_state(S.CLIENT_COPY)
        substitute = Grant(Basis.SUBSTITUTE, "consent-ref")
        for now in (self.now, at(2026, 12, 1, 9, 0)):  # refused during the review period, then sent
            try:
                with self.captureOnCommitCallbacks(execute=True):
                    actions.send_report(actor=self.other_coach, report=report, code_channel="phone", now=now,
                                        grant=substitute)
            except ValidationError:
                pass
        logged = AccessLogEntry.objects.filter(action__in=("report.send", "report.delivery")).order_by("seq")
        self.assertEqual([(e.action, e.outcome, e.basis, e.basis_ref, e.role) for e in logged],
                         [("report.send", Outcome.DENIED, Basis.SUBSTITUTE, "consent-ref", "coach"),
                          ("report.send", Outcome.ALLOWED, Basis.SUBSTITUTE, "consent-ref", "coach"),
                          ("report.delivery", Outcome.ALLOWED, Basis.SUBSTITUTE, "consent-ref", "coach")])

    def test_the_one_time_code_is_any_of_the_million_six_digit_numbers(self):
        """GC-6.3: five guesses out of a million; the code is always six digits, zeros included."""
        codes = []
        for draw in (lambda n: n - 1, lambda n: 0, lambda n: 4207):
            report = self.approved()
            with mock.patch("coachdossier.reports.actions.secrets.randbelow", side_effect=draw) as randbelow:
                codes.append(self.sent_now(report, now=at(2026, 11, 24, 10, 0), channel="phone").code)
            randbelow.assert_called_once_with(1_000_000)
        self.assertEqual(codes, ["999999", "000000", "004207"])
