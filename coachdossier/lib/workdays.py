"""Dutch working days and calendar terms for deadline clocks.

Used by the complaints procedure (KR-3.2 "entered in the register within 5 working days",
KR-3.3a-d terms of 2, 4 and 6 weeks, KR-3.4a aftercare call within 5 working days) and the
report review period. Everything here is pure: callers pass dates in, nothing reads the clock.

Which days are public holidays is a policy choice, made explicit (see facts.md):

* ``"algemene-termijnenwet"`` (the default): the days the Dutch general terms act recognises,
  art. 3: New Year's Day, Easter Sunday and Monday, Ascension Day, Whit Sunday and Monday,
  King's Day, 5 May every year, Christmas Day and Boxing Day. Not Good Friday.
* ``"holidays-nl"``: exactly what the ``holidays`` package gives for NL. It adds Good Friday
  and has 5 May only in lustrum years (2025, 2030, ...).

Both are built on the ``holidays`` package, so Easter and King's Day moving to 26 April when
27 April is a Sunday are not computed by hand here.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections.abc import Collection
from dataclasses import dataclass, field

import holidays

ALGEMENE_TERMIJNENWET = "algemene-termijnenwet"
HOLIDAYS_NL = "holidays-nl"
POLICIES = (ALGEMENE_TERMIJNENWET, HOLIDAYS_NL)

# The complaints procedure states its terms without naming a calendar. The general terms act
# is the calendar Dutch law itself uses to count terms, so it is the one a complaints
# committee or court would apply. A practice that also closes on Good Friday can add it as a
# closure day rather than switch policy.
DEFAULT_POLICY = ALGEMENE_TERMIJNENWET

_SATURDAY = 5


@functools.cache
def public_holidays(policy: str, year: int) -> frozenset[datetime.date]:
    """The public holidays of one year under a policy (cached: deadlines hit the same years)."""
    if policy not in POLICIES:
        raise ValueError(f"Unknown holiday policy {policy!r}; choose one of {POLICIES}")

    # The language is fixed so that looking Good Friday up by name does not depend on the
    # package's default locale.
    nl = holidays.country_holidays("NL", years=year, language="en_US")
    days = set(nl)
    if policy == ALGEMENE_TERMIJNENWET:
        good_fridays = nl.get_named("Good Friday", lookup="exact")
        if len(good_fridays) != 1:
            # Fail loudly rather than silently keep (or lose) a day if the package renames it.
            raise RuntimeError(f"Expected one Good Friday in {year}, found {good_fridays}")
        days.difference_update(good_fridays)
        # Algemene termijnenwet art. 3: 5 May every year, not only in lustrum years.
        days.add(datetime.date(year, 5, 5))
    return frozenset(days)


def _as_date(value: datetime.date) -> datetime.date:
    # A datetime is a date subclass but never equals a date, so it would silently miss every
    # holiday. Callers convert to the practice's local date first.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        kind = type(value).__name__
        raise TypeError(f"Expected a date, got a {kind}: convert to a local date first")
    return value


def _weekdays_in(a: datetime.date, b: datetime.date) -> int:
    """Number of Monday-to-Friday days in (a, b], for a <= b."""
    days = (b - a).days
    full_weeks, rest = divmod(days, 7)
    first = a.weekday() + 1  # weekday of a + 1 day, not reduced mod 7 yet
    partial = sum(1 for i in range(rest) if (first + i) % 7 < _SATURDAY)
    return full_weeks * 5 + partial


@dataclass(frozen=True)
class WorkingCalendar:
    """The working days of one practice: Monday to Friday, minus public holidays under
    ``policy`` and minus the practice's own ``closures`` (e.g. the days between Christmas
    and New Year).

    Conventions, as the complaints procedure reads:

    * "within 5 working days after receipt on day D" ends on ``add_working_days(D, 5)``, the
      5th working day after D. D itself never counts, whether or not it is a working day.
    * "within 2 weeks" / "within 1 month" ends on ``add_weeks(D, 2)`` / ``add_months(D, 1)``:
      the same weekday or day of the month, moved to the next working day if it falls on a
      non-working day (the Algemene termijnenwet extension, see ``extend_to_working_day``).
    """

    policy: str = DEFAULT_POLICY
    closures: Collection[datetime.date] = field(default_factory=frozenset)  # a frozenset after __post_init__

    def __post_init__(self):
        if self.policy not in POLICIES:
            raise ValueError(f"Unknown holiday policy {self.policy!r}; choose one of {POLICIES}")
        # Accept any iterable of dates but store a frozenset, so the calendar stays hashable
        # and equal calendars compare equal.
        closures = frozenset(_as_date(d) for d in self.closures)
        object.__setattr__(self, "closures", closures)

    def is_public_holiday(self, d: datetime.date) -> bool:
        d = _as_date(d)
        return d in public_holidays(self.policy, d.year)

    def is_working_day(self, d: datetime.date) -> bool:
        d = _as_date(d)
        return d.weekday() < _SATURDAY and d not in self.closures and not self.is_public_holiday(d)

    def extend_to_working_day(self, d: datetime.date) -> datetime.date:
        """``d`` if it is a working day, else the first working day after it.

        Algemene termijnenwet art. 1: a term that would end on a Saturday, Sunday or
        recognised holiday is extended to the next day that is none of these. The practice's
        own closure days are treated the same way, because a term cannot reasonably end on a
        day the practice is closed.

        (Art. 2, a term of three days or more must contain two days that are not Saturday,
        Sunday or holiday, only bites for terms shorter than a week, which this project does
        not have.)
        """
        d = _as_date(d)
        while not self.is_working_day(d):
            d += datetime.timedelta(days=1)
        return d

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The ``n``-th working day strictly after ``start``.

        Receipt on day D with "a deadline of 5 working days" gives ``add_working_days(D, 5)``.
        ``n=0`` gives ``start`` itself when it is a working day, else the next working day
        (the same as ``extend_to_working_day``).
        """
        start = _as_date(start)
        if n < 0:
            raise ValueError("n must be 0 or more: terms run forward")
        if n == 0:
            return self.extend_to_working_day(start)

        d = start
        while n:
            d += datetime.timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """The number of working days in (a, b]: after ``a``, up to and including ``b``.

        The inverse of ``add_working_days``:
        ``working_days_between(d, add_working_days(d, n)) == n`` for every n >= 1.
        Negative when ``b`` is before ``a`` (e.g. how many working days a deadline is overdue).
        """
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)

        # Count weekdays arithmetically and subtract the days off that fall on a weekday, so a
        # span of years costs a handful of set operations instead of a loop over every day.
        days_off = set(self.closures)
        for year in range(a.year, b.year + 1):
            days_off |= public_holidays(self.policy, year)
        weekdays_off = sum(1 for d in days_off if a < d <= b and d.weekday() < _SATURDAY)
        return _weekdays_in(a, b) - weekdays_off

    def add_weeks(
        self, start: datetime.date, n: int, *, termijnenwet_extension: bool | None = None
    ) -> datetime.date:
        """The end of a term of ``n`` weeks from ``start`` (KR-3.3a: 2 weeks, KR-3.3d: 6 weeks).

        With ``termijnenwet_extension`` (default: on for the Algemene termijnenwet policy,
        off for "holidays-nl") an end on a non-working day moves to the next working day.
        """
        start = _as_date(start)
        if n < 0:
            raise ValueError("n must be 0 or more: terms run forward")
        end = start + datetime.timedelta(weeks=n)
        return self._maybe_extend(end, termijnenwet_extension)

    def add_months(
        self, start: datetime.date, n: int, *, termijnenwet_extension: bool | None = None
    ) -> datetime.date:
        """The end of a term of ``n`` calendar months from ``start``.

        The same day of the month, clamped to the month's last day when that month is shorter
        (31 January + 1 month = 28 or 29 February). Extension as in ``add_weeks``.
        """
        start = _as_date(start)
        if n < 0:
            raise ValueError("n must be 0 or more: terms run forward")
        year, month0 = divmod(start.month - 1 + n, 12)
        year += start.year
        last_day = calendar.monthrange(year, month0 + 1)[1]
        end = datetime.date(year, month0 + 1, min(start.day, last_day))
        return self._maybe_extend(end, termijnenwet_extension)

    def _maybe_extend(self, end: datetime.date, termijnenwet_extension: bool | None):
        if termijnenwet_extension is None:
            termijnenwet_extension = self.policy == ALGEMENE_TERMIJNENWET
        return self.extend_to_working_day(end) if termijnenwet_extension else end
