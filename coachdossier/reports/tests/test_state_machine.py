"""PR-6, GC-6.1, GC-1.6: random sequences of actions by coach, client and management never
break the report's invariants:

- nothing is sent before the client copy was delivered, nor unsigned when a signature is
  required, nor after a block;
- every objection travels with its report (it is in the PDF that is sent);
- every transition is in the access log.
"""

import datetime
from unittest import mock

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients.access import Grant
from coachdossier.reports import actions
from coachdossier.reports.models import Delivery, Report, ReportState

from .helpers import SECTIONS, ReportTestCase, pdf_text

S = ReportState
TRANSITION_ACTIONS = {"report.create", "report.edit", "report.ready", "report.client_notified", "report.approve",
                      "report.sign", "report.block", "report.object", "report.send", "report.supersede"}
ANSWERS = {"approve": actions.approve_report, "sign": actions.sign_report, "block": actions.block_report,
           "object": actions.object_to_report}


class ReportMachine(RuleBasedStateMachine):
    case: ReportTestCase  # set by the test case before the machine runs

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.now = self.case.now
        self.reports: list[Report] = []
        self.transitions: dict[str, int] = {}
        self.blocked: set[int] = set()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def count(self, report, n=1):
        key = str(report.public_id)
        self.transitions[key] = self.transitions.get(key, 0) + n

    @property
    def report(self) -> Report:
        return self.reports[-1]

    @initialize(statutory=st.booleans(), signature=st.booleans(), vulnerable=st.booleans())
    def start(self, statutory, signature, vulnerable):
        c = self.case
        self.client, self.coach, self.user, self.stranger = (
            (c.other_client, c.other_coach, c.other_client_user, c.client_user) if statutory
            else (c.own_client, c.coach, c.client_user, c.other_client_user))
        trajectory = self.client.current_trajectory
        trajectory.vulnerable = vulnerable
        trajectory.save(update_fields=["vulnerable"])
        self.client.__dict__.pop("current_trajectory", None)
        report = actions.create_report(actor=self.coach, client=self.client, kind="progress", addressee="principal",
                                       now=self.now, signature_required=signature)
        actions.edit_report(actor=self.coach, report=report, now=self.now, subject="Voortgang", sections=SECTIONS)
        self.reports.append(report)
        self.count(report, 2)

    def attempt(self, fn, **kwargs):
        try:
            fn(**kwargs)
        except ValidationError:
            return False
        return True

    @rule()
    def coach_edits(self):
        before = self.report.state
        if self.attempt(actions.edit_report, actor=self.coach, report=self.report, now=self.now, subject="Voortgang",
                        sections=SECTIONS):
            assert before == S.DRAFT
            self.count(self.report)
        else:
            assert before != S.DRAFT

    @rule(mail_works=st.booleans())
    def coach_marks_ready(self, mail_works):
        report = self.report
        if not self.attempt(actions.mark_ready, actor=self.coach, report=report, now=self.now):
            return
        self.count(report)
        self.deliver(report, mail_works)

    def deliver(self, report, mail_works):
        failure = None if mail_works else OSError("mail server down")
        with mock.patch("coachdossier.reports.emails.client_copy", side_effect=failure):
            delivered = actions.deliver_client_notice(report_id=report.pk, now=self.now)
        report.refresh_from_db()
        assert delivered == mail_works
        assert (report.state == S.CLIENT_COPY) == mail_works
        if delivered:
            self.count(report)

    @rule(mail_works=st.booleans())
    def notice_is_retried(self, mail_works):
        if self.report.state == S.READY:
            self.deliver(self.report, mail_works)

    @rule(answer=st.sampled_from(sorted(ANSWERS)), as_someone_else=st.booleans(), stale_hash=st.booleans())
    def client_answers(self, answer, as_someone_else, stale_hash):
        report = self.report
        before = report.state
        kwargs = {"actor": self.stranger if as_someone_else else self.user, "report": report, "now": self.now,
                  "grant": Grant(Basis.CLIENT)}
        if answer == "sign":
            kwargs["document_sha256"] = "0" * 64 if stale_hash else report.pdf_sha256
        if answer == "object":
            kwargs["text"] = "Ik ben het oneens met de conclusie over mijn belastbaarheid."
        done = self.attempt(ANSWERS[answer], **kwargs)
        report.refresh_from_db()
        if as_someone_else or (answer == "sign" and stale_hash):
            assert not done and report.state == before
        if done:
            self.count(report)
            if answer == "block":
                assert not self.client.current_trajectory.principal.statutory_report_right
                self.blocked.add(report.pk)
            if answer == "approve":
                assert not report.signature_required

    @rule()
    def management_tries_to_answer(self):
        report = self.report
        before = report.state
        done = self.attempt(actions.approve_report, actor=self.case.management, report=report, now=self.now,
                            grant=Grant(Basis.MANAGEMENT))
        report.refresh_from_db()
        assert not done and report.state == before

    @rule(days=st.sampled_from([2, 8]))  # 8 days always passes the review period
    def time_passes(self, days):
        self.now += datetime.timedelta(days=days)

    @rule(channel=st.sampled_from(["email", "phone"]), days_later=st.sampled_from([0, 2, 8]))
    def coach_sends(self, channel, days_later):
        self.now += datetime.timedelta(days=days_later)  # 8 days always passes the review period
        report = self.report
        before = report.state
        if not self.attempt(actions.send_report, actor=self.coach, report=report, code_channel=channel,
                            now=self.now):
            return
        self.count(report)
        report.refresh_from_db()
        # Unanswered, it goes only after the review period (PR-6).
        assert before != S.CLIENT_COPY or self.now.date() > report.review_until
        if report.objection:
            assert report.objection in pdf_text(actions.read_sent_pdf(report))

    @rule()
    def coach_writes_a_new_version(self):
        report = self.report
        try:
            new = actions.revise_report(actor=self.coach, report=report, now=self.now)
        except ValidationError:
            assert report.state in (S.DRAFT, S.SENT)
            return
        self.count(report)
        self.count(new)
        self.reports.append(new)

    @invariant()
    def nothing_is_sent_too_early_unsigned_or_after_a_block(self):
        for report in Report.objects.filter(pk__in=[r.pk for r in self.reports], sent_at__isnull=False):
            assert report.client_notified_at is not None and report.client_notified_at <= report.sent_at
            assert not report.signature_required or report.signed_sha256 == report.pdf_sha256
            assert report.pk not in self.blocked
            # Unanswered, a report goes only after the review period.
            assert report.answered_at is not None or report.sent_at.date() > report.review_until
            assert report.state == S.SENT
        assert not Delivery.objects.filter(report__pk__in=self.blocked).exists()

    @invariant()
    def a_vulnerable_clients_report_needs_a_signature(self):
        if self.client.current_trajectory.vulnerable and self.reports and self.report.state != S.DRAFT:
            assert self.report.signature_required

    @invariant()
    def every_transition_is_in_the_access_log(self):
        for report in self.reports:
            logged = AccessLogEntry.objects.filter(object_ref=str(report.public_id), outcome=Outcome.ALLOWED,
                                                   action__in=TRANSITION_ACTIONS).count()
            assert logged == self.transitions.get(str(report.public_id), 0), (report.state, logged)


class ReportStateMachineTestCase(ReportTestCase):
    def test_pr_6_and_gc_6_1_invariants_hold_for_random_sequences_of_actions(self):
        """PR-6, GC-6.1, GC-1.6"""
        ReportMachine.case = self
        run_state_machine_as_test(ReportMachine, settings=settings(
            max_examples=100, stateful_step_count=10, deadline=None, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
