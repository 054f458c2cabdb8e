"""The deadline clocks of a complaint, all counted from the receipt date (pure: no clock,
no database; the caller passes the facts, the calendar, the policy and today).

    register        receipt + 5 working days              KR-3.2
    acknowledge     receipt + 2 weeks                     KR-3.3a
    non_admission   receipt + 4 weeks (when not admitted) KR-3.3c
                    (not at umbrella level: the umbrella's committee decides it, GC-8.1)
    settle          receipt + 6 weeks, or the new date of an extension recorded in time  KR-3.3d
                    (not at umbrella level: the umbrella's committee handles it, GC-8.1)
    aftercare       answer letter + 5 working days        KR-3.4a
    ruling          umbrella ruling + 1 month             GC-8.2

Terms come from `coachdossier.policy` and the working days from `lib.workdays`, so a practice
with other terms changes its policy file, not this code.

States: open (running), met (done on or before the due date), late (done after it, or still
open after it), extended (the settlement term runs to a new date that was recorded before the
old one expired), not applicable (the step does not arise, or cannot be counted yet).
A clock is late only after its due date has passed: the due date itself still counts as in time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class State(StrEnum):
    OPEN = "open"
    MET = "met"
    LATE = "late"
    EXTENDED = "extended"
    NOT_APPLICABLE = "n/a"


STATE_LABELS = {
    State.OPEN: _("open"),
    State.MET: _("met"),
    State.LATE: _("late"),
    State.EXTENDED: _("extended"),
    State.NOT_APPLICABLE: _("not applicable"),
}
STATE_BADGES = {State.OPEN: "badge-warn", State.MET: "badge-ok", State.LATE: "badge-late",
                State.EXTENDED: "badge-warn", State.NOT_APPLICABLE: "badge-muted"}

CLOCKS = {
    "register": ("KR-3.2", _("Entered in the register")),
    "acknowledge": ("KR-3.3a", _("Acknowledgement of receipt")),
    "non_admission": ("KR-3.3c", _("Notice of non-admission")),
    "settle": ("KR-3.3d", _("Written settlement")),
    "aftercare": ("KR-3.4a", _("Aftercare call")),
    "ruling": ("GC-8.2", _("Ruling communicated")),
}


@dataclass(frozen=True)
class Facts:
    """What the clocks need to know about one complaint."""

    received_on: datetime.date
    registered_on: datetime.date | None = None
    acknowledged_on: datetime.date | None = None
    admitted: bool | None = None
    admission_decided_on: datetime.date | None = None
    extended_to: datetime.date | None = None
    answered_on: datetime.date | None = None
    aftercare_done_on: datetime.date | None = None
    umbrella: bool = False
    ruling_on: datetime.date | None = None
    ruling_communicated_on: datetime.date | None = None
    closed_on: datetime.date | None = None

    @classmethod
    def of(cls, complaint) -> Facts:
        names = {f.name for f in fields(cls)} - {"umbrella"}
        return cls(umbrella=complaint.level == "umbrella", **{n: getattr(complaint, n) for n in names})


@dataclass(frozen=True)
class Clock:
    key: str
    due: datetime.date | None
    done_on: datetime.date | None
    state: State

    @property
    def rule(self) -> str:
        return CLOCKS[self.key][0]

    @property
    def label(self):
        return CLOCKS[self.key][1]

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def badge(self) -> str:
        return STATE_BADGES[self.state]

    @property
    def is_running(self) -> bool:
        return self.state in (State.OPEN, State.EXTENDED) or (self.state == State.LATE and self.done_on is None)

    @property
    def is_overdue(self) -> bool:
        """Still to do and past its due date: what the register and dashboard call overdue and
        the daily job reminds of. A step done late stays late in its clock, and in the annual
        evaluation (KR-3.6), but is no longer overdue."""
        return self.is_running and self.state == State.LATE


def _state(due, done_on, today, *, extended=False, closed_on=None) -> State:
    if done_on is not None:
        return State.MET if done_on <= due else State.LATE
    if closed_on is not None:
        # Closed without this step (withdrawn, say): late only if the term had run out.
        return State.LATE if closed_on > due else State.NOT_APPLICABLE
    if today > due:
        return State.LATE
    return State.EXTENDED if extended else State.OPEN


def admission(facts: Facts) -> bool | None:
    """Whether the complaint was taken into handling (KR-3.3c; KR-3.7 "in behandeling genomen"):
    the practice's decision, or, at umbrella level, the umbrella committee's ruling (GC-8.1): it
    rules only on a complaint it took into handling, and the practice need not decide that for
    it. None while undecided."""
    if facts.admitted is None and facts.umbrella and facts.ruling_on is not None:
        return True
    return facts.admitted


def settle_due(facts: Facts, calendar, policy) -> datetime.date:
    """The original settlement date (KR-3.3d), before any extension."""
    return calendar.add_weeks(facts.received_on, policy.complaint_settle_weeks)


def non_admission_due(facts: Facts, calendar, policy) -> datetime.date:
    return calendar.add_weeks(facts.received_on, policy.complaint_non_admission_weeks)


def ruling_due(facts: Facts, calendar, policy) -> datetime.date:
    """GC-8.2: the date by which the umbrella committee's ruling is put to complainant and coach."""
    return calendar.add_months(facts.ruling_on, policy.complaint_ruling_months)


def clocks(facts: Facts, calendar, policy, today: datetime.date) -> list[Clock]:
    """Every clock of one complaint, in procedure order."""
    received = facts.received_on
    result = []
    due = calendar.add_working_days(received, policy.complaint_register_working_days)
    result.append(Clock("register", due, facts.registered_on,
                        _state(due, facts.registered_on, today, closed_on=facts.closed_on)))
    due = calendar.add_weeks(received, policy.complaint_acknowledge_weeks)
    result.append(Clock("acknowledge", due, facts.acknowledged_on,
                        _state(due, facts.acknowledged_on, today, closed_on=facts.closed_on)))

    due = non_admission_due(facts, calendar, policy)
    if facts.umbrella:
        # GC-8.1: at umbrella level the umbrella organisation's committee decides whether it takes
        # the complaint into handling, under its own regulation and on its own terms; KR-3.3c's
        # four weeks are the practice's term for refusing a complaint it handles itself. The clock
        # ran on every umbrella complaint not yet ruled on: late in the register, on the dashboard
        # and in the daily reminders while nobody at the practice could meet it. A non-admission
        # the practice passed on keeps its date.
        done = facts.admission_decided_on if facts.admitted is False else None
        result.append(Clock("non_admission", None, done, State.NOT_APPLICABLE))
    elif admission(facts) is True:
        result.append(Clock("non_admission", due, None, State.NOT_APPLICABLE))
    else:
        # Undecided: the 4 weeks are the time left to refuse it.
        done = facts.admission_decided_on if facts.admitted is False else None
        result.append(Clock("non_admission", due, done, _state(due, done, today, closed_on=facts.closed_on)))

    due = settle_due(facts, calendar, policy)
    if facts.admitted is False or facts.umbrella:
        # GC-8.1: an umbrella complaint is settled by the umbrella committee's ruling, on its
        # regulation's terms; the practice's clock for it is the ruling's (GC-8.2, below). As a
        # practice term it ran late on every umbrella complaint the practice could not settle.
        result.append(Clock("settle", due, None, State.NOT_APPLICABLE))
    else:
        extended = facts.extended_to is not None
        due = facts.extended_to or due
        result.append(Clock("settle", due, facts.answered_on,
                            _state(due, facts.answered_on, today, extended=extended, closed_on=facts.closed_on)))

    if facts.answered_on is None or facts.admitted is False:
        result.append(Clock("aftercare", None, None, State.NOT_APPLICABLE))
    else:
        due = calendar.add_working_days(facts.answered_on, policy.complaint_aftercare_working_days)
        result.append(Clock("aftercare", due, facts.aftercare_done_on,
                            _state(due, facts.aftercare_done_on, today, closed_on=facts.closed_on)))

    if not facts.umbrella or facts.ruling_on is None:
        result.append(Clock("ruling", None, None, State.NOT_APPLICABLE))
    else:
        due = ruling_due(facts, calendar, policy)
        result.append(Clock("ruling", due, facts.ruling_communicated_on,
                            _state(due, facts.ruling_communicated_on, today,
                                   closed_on=facts.closed_on)))
    return result


def nearest(clock_list: list[Clock]) -> Clock | None:
    """The running clock due first (a late one before any open one), or None."""
    running = [(c.due, c) for c in clock_list if c.is_running and c.due is not None]
    return min(running, key=lambda due_and_clock: due_and_clock[0])[1] if running else None


def handled_in_term(facts: Facts, calendar, policy) -> bool:
    """KR-3.7 "binnen de termijn afgehandeld": a non-admitted complaint whose notice went out
    within the non-admission term; an admitted one settled within the settlement term (as
    validly extended, KR-3.3d). An admitted umbrella complaint is settled by the umbrella
    committee's ruling under its own regulation (GC-8.1), never by the practice's settlement
    letter; the practice's term for it is GC-8.2's: the ruling put to complainant and coach
    within a month of the ruling. Admitted as `admission` says."""
    admitted = admission(facts)
    if admitted is False:
        return (facts.admission_decided_on is not None
                and facts.admission_decided_on <= non_admission_due(facts, calendar, policy))
    if admitted is True and facts.umbrella:
        return (facts.ruling_on is not None and facts.ruling_communicated_on is not None
                and facts.ruling_communicated_on <= ruling_due(facts, calendar, policy))
    if facts.admitted is True:
        due = facts.extended_to or settle_due(facts, calendar, policy)
        return facts.answered_on is not None and facts.answered_on <= due
    return False
