"""Tests for the working-day calculator behind complaint deadlines (KR-3.2, KR-3.3a-d, KR-3.4a).

Every expected date below was worked out by hand from a paper calendar; the comment next to it
shows the counting, so a reader can check it without running anything.
"""

import datetime

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachdossier.lib.workdays import (
    ALGEMENE_TERMIJNENWET,
    DEFAULT_POLICY,
    HOLIDAYS_NL,
    WorkingCalendar,
    public_holidays,
)

D = datetime.date
TERMIJNENWET = WorkingCalendar(ALGEMENE_TERMIJNENWET)
PACKAGE = WorkingCalendar(HOLIDAYS_NL)
# Monday to Thursday between Christmas 2026 and New Year's Day 2027.
CHRISTMAS_WEEK_CLOSED = [D(2026, 12, 28), D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31)]


# Policies


def test_the_default_policy_is_the_algemene_termijnenwet():
    assert DEFAULT_POLICY == ALGEMENE_TERMIJNENWET
    assert WorkingCalendar() == TERMIJNENWET


def test_the_holidays_nl_policy_is_exactly_what_the_holidays_package_gives():
    for year in range(2020, 2031):
        package = set(holidays.country_holidays("NL", years=year))
        assert public_holidays(HOLIDAYS_NL, year) == package


def test_the_termijnenwet_differs_from_the_package_only_by_good_friday_and_5_may():
    for year in range(2020, 2031):
        package = set(holidays.country_holidays("NL", years=year))
        good_friday = holidays.country_holidays("NL", years=year, language="en_US").get_named(
            "Good Friday", lookup="exact"
        )
        expected = (package - set(good_friday)) | {D(year, 5, 5)}
        assert public_holidays(ALGEMENE_TERMIJNENWET, year) == expected


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar("bank-holidays")


def test_a_datetime_is_refused_because_it_would_never_match_a_holiday():
    with pytest.raises(TypeError):
        TERMIJNENWET.is_working_day(datetime.datetime(2026, 12, 25, 9, 0))


def test_a_calendar_takes_its_closure_days_from_any_iterable_and_stays_hashable():
    calendar = WorkingCalendar(closures=[D(2026, 12, 28), D(2026, 12, 29)])
    assert calendar.closures == frozenset({D(2026, 12, 28), D(2026, 12, 29)})
    assert hash(calendar) == hash(WorkingCalendar(closures={D(2026, 12, 29), D(2026, 12, 28)}))


# Working days: KR-3.2 (register entry) and KR-3.4a (aftercare call), both "5 working days"


def test_kr_3_2_a_deadline_five_working_days_after_christmas_eve_skips_both_christmas_days():
    # Receipt Thu 24 Dec 2026. Fri 25 and Sat 26 (Christmas), Sun 27 off; Mon 28 (1),
    # Tue 29 (2), Wed 30 (3), Thu 31 (4); Fri 1 Jan is New Year's Day; Mon 4 Jan (5).
    assert TERMIJNENWET.add_working_days(D(2026, 12, 24), 5) == D(2027, 1, 4)
    assert PACKAGE.add_working_days(D(2026, 12, 24), 5) == D(2027, 1, 4)


def test_kr_3_2_closure_days_between_christmas_and_new_year_push_the_deadline_further():
    calendar = WorkingCalendar(closures=CHRISTMAS_WEEK_CLOSED)
    # Receipt Thu 24 Dec 2026; the practice is closed until New Year, which is a holiday:
    # Mon 4 (1), Tue 5 (2), Wed 6 (3), Thu 7 (4), Fri 8 Jan 2027 (5).
    assert calendar.add_working_days(D(2026, 12, 24), 5) == D(2027, 1, 8)
    assert not calendar.is_working_day(D(2026, 12, 29))
    assert TERMIJNENWET.is_working_day(D(2026, 12, 29))


def test_kr_3_2_receipt_on_a_weekday_without_holidays_ends_a_week_later():
    # Receipt Mon 9 Nov 2026: Tue 10 (1) ... Fri 13 (4), Mon 16 (5).
    assert TERMIJNENWET.add_working_days(D(2026, 11, 9), 5) == D(2026, 11, 16)


def test_kr_3_2_the_day_of_receipt_never_counts_even_when_it_is_a_saturday():
    # Receipt Sat 14 Nov 2026: Mon 16 (1) ... Fri 20 (5).
    assert TERMIJNENWET.add_working_days(D(2026, 11, 14), 5) == D(2026, 11, 20)


def test_good_friday_is_a_working_day_under_the_termijnenwet_but_not_under_the_package():
    # Easter 2026 is Sunday 5 April, so Good Friday is 3 April and Easter Monday 6 April.
    assert TERMIJNENWET.is_working_day(D(2026, 4, 3))
    assert not PACKAGE.is_working_day(D(2026, 4, 3))
    assert not TERMIJNENWET.is_working_day(D(2026, 4, 6))
    assert not PACKAGE.is_working_day(D(2026, 4, 6))


def test_kr_3_2_a_deadline_across_easter_depends_on_the_policy():
    # Receipt Thu 2 Apr 2026.
    # Termijnenwet: Fri 3 (1), [Mon 6 Easter Monday], Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 (5).
    assert TERMIJNENWET.add_working_days(D(2026, 4, 2), 5) == D(2026, 4, 10)
    # Package: [Fri 3 Good Friday], [Mon 6], Tue 7 (1), Wed 8 (2), Thu 9 (3), Fri 10 (4),
    # Mon 13 (5).
    assert PACKAGE.add_working_days(D(2026, 4, 2), 5) == D(2026, 4, 13)


def test_kings_day_on_a_monday_is_not_a_working_day():
    # 27 April 2026 is a Monday. Receipt Fri 24 Apr: [Mon 27], Tue 28 (1).
    assert not TERMIJNENWET.is_working_day(D(2026, 4, 27))
    assert TERMIJNENWET.add_working_days(D(2026, 4, 24), 1) == D(2026, 4, 28)


def test_kings_day_moves_to_26_april_when_27_april_is_a_sunday():
    # 27 April 2025 is a Sunday, so King's Day is Saturday 26 April 2025.
    assert TERMIJNENWET.is_public_holiday(D(2025, 4, 26))
    assert not TERMIJNENWET.is_public_holiday(D(2025, 4, 27))
    assert PACKAGE.is_public_holiday(D(2025, 4, 26))


def test_5_may_in_a_non_lustrum_year_is_a_holiday_only_under_the_termijnenwet():
    # 5 May 2026 is a Tuesday; 2026 is not a lustrum year (2025 and 2030 are).
    assert not TERMIJNENWET.is_working_day(D(2026, 5, 5))
    assert PACKAGE.is_working_day(D(2026, 5, 5))
    # Receipt Mon 4 May 2026: Termijnenwet skips Tue 5 and gives Wed 6; the package gives Tue 5.
    assert TERMIJNENWET.add_working_days(D(2026, 5, 4), 1) == D(2026, 5, 6)
    assert PACKAGE.add_working_days(D(2026, 5, 4), 1) == D(2026, 5, 5)


def test_5_may_in_a_lustrum_year_is_a_holiday_under_both_policies():
    # 5 May 2025 is a Monday.
    assert not TERMIJNENWET.is_working_day(D(2025, 5, 5))
    assert not PACKAGE.is_working_day(D(2025, 5, 5))


def test_kr_3_4a_an_aftercare_call_after_an_answer_on_1_may_2026_depends_on_5_may():
    # Answer letter Fri 1 May 2026.
    # Termijnenwet: Mon 4 (1), [Tue 5], Wed 6 (2), Thu 7 (3), Fri 8 (4), Mon 11 (5).
    assert TERMIJNENWET.add_working_days(D(2026, 5, 1), 5) == D(2026, 5, 11)
    # Package: Mon 4 (1), Tue 5 (2), Wed 6 (3), Thu 7 (4), Fri 8 (5).
    assert PACKAGE.add_working_days(D(2026, 5, 1), 5) == D(2026, 5, 8)


def test_kr_3_4a_ascension_day_is_skipped():
    # Ascension 2026 is Thursday 14 May. Answer Mon 11 May:
    # Tue 12 (1), Wed 13 (2), [Thu 14], Fri 15 (3), Mon 18 (4), Tue 19 (5).
    assert TERMIJNENWET.add_working_days(D(2026, 5, 11), 5) == D(2026, 5, 19)


def test_kr_3_4a_whit_monday_is_skipped():
    # Whit Monday 2026 is 25 May. Answer Tue 19 May:
    # Wed 20 (1), Thu 21 (2), Fri 22 (3), [Mon 25], Tue 26 (4), Wed 27 (5).
    assert TERMIJNENWET.add_working_days(D(2026, 5, 19), 5) == D(2026, 5, 27)
    assert PACKAGE.add_working_days(D(2026, 5, 19), 5) == D(2026, 5, 27)


def test_zero_working_days_is_the_day_itself_or_the_next_working_day():
    assert TERMIJNENWET.add_working_days(D(2026, 11, 11), 0) == D(2026, 11, 11)  # a Wednesday
    assert TERMIJNENWET.add_working_days(D(2026, 11, 14), 0) == D(2026, 11, 16)  # Sat -> Mon


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError):
        TERMIJNENWET.add_working_days(D(2026, 11, 11), -1)


def test_working_days_between_counts_after_the_first_day_up_to_and_including_the_second():
    # (Thu 24 Dec 2026, Mon 4 Jan 2027]: Mon 28, Tue 29, Wed 30, Thu 31, Mon 4 = 5.
    assert TERMIJNENWET.working_days_between(D(2026, 12, 24), D(2027, 1, 4)) == 5
    assert TERMIJNENWET.working_days_between(D(2026, 12, 24), D(2026, 12, 24)) == 0
    assert TERMIJNENWET.working_days_between(D(2027, 1, 4), D(2026, 12, 24)) == -5


def test_working_days_between_over_a_whole_year():
    # 2026 has 261 weekdays (365 days, starting on a Thursday: 52 weeks + Thu).
    # Weekday holidays under the Termijnenwet: 1 Jan (Thu), 6 Apr, 27 Apr, 5 May, 14 May,
    # 25 May, 25 Dec (Fri); 26 Dec is a Saturday. 261 - 7 = 254.
    assert TERMIJNENWET.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 254
    # The package swaps 5 May for Good Friday 3 April: also 254.
    assert PACKAGE.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 254


# Calendar terms: KR-3.3a (2 weeks), KR-3.3c (4 weeks), KR-3.3d (6 weeks), months


def test_kr_3_3a_an_acknowledgement_due_on_boxing_day_moves_to_the_next_working_day():
    # Receipt Fri 12 Dec 2025 + 2 weeks = Fri 26 Dec 2025 (Boxing Day); Sat, Sun; Mon 29 Dec.
    assert TERMIJNENWET.add_weeks(D(2025, 12, 12), 2) == D(2025, 12, 29)
    plain = TERMIJNENWET.add_weeks(D(2025, 12, 12), 2, termijnenwet_extension=False)
    assert plain == D(2025, 12, 26)


def test_kr_3_3a_a_term_on_an_ordinary_weekday_is_not_extended():
    # Receipt Wed 11 Nov 2026 + 2 weeks = Wed 25 Nov 2026.
    assert TERMIJNENWET.add_weeks(D(2026, 11, 11), 2) == D(2026, 11, 25)


def test_kr_3_3d_a_six_week_term_ending_on_5_may_2026_depends_on_the_policy():
    # Receipt Tue 24 Mar 2026 + 6 weeks = Tue 5 May 2026.
    # Termijnenwet: 5 May is a holiday, so the term runs to Wed 6 May.
    assert TERMIJNENWET.add_weeks(D(2026, 3, 24), 6) == D(2026, 5, 6)
    # Package: 5 May 2026 is an ordinary Tuesday, and no extension applies by default.
    assert PACKAGE.add_weeks(D(2026, 3, 24), 6) == D(2026, 5, 5)


def test_kr_3_3c_a_four_week_term_ending_on_a_closure_day_moves_past_it():
    calendar = WorkingCalendar(closures=CHRISTMAS_WEEK_CLOSED)
    # Receipt Mon 30 Nov 2026 + 4 weeks = Mon 28 Dec (closed) ... Thu 31 (closed),
    # Fri 1 Jan (New Year), Sat, Sun: Mon 4 Jan 2027.
    assert calendar.add_weeks(D(2026, 11, 30), 4) == D(2027, 1, 4)


def test_the_package_policy_extends_only_when_asked():
    # Receipt Fri 20 Mar 2026 + 2 weeks = Fri 3 Apr 2026, Good Friday under the package.
    assert PACKAGE.add_weeks(D(2026, 3, 20), 2) == D(2026, 4, 3)
    # Extended: [Fri 3], Sat 4, Sun 5, [Mon 6 Easter Monday]: Tue 7 Apr.
    assert PACKAGE.add_weeks(D(2026, 3, 20), 2, termijnenwet_extension=True) == D(2026, 4, 7)


def test_one_month_after_31_january_is_the_last_day_of_february():
    # 2024 is a leap year: Thu 29 Feb 2024 is a working day.
    assert TERMIJNENWET.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    # 28 Feb 2026 is a Saturday: without extension it stands, with it the term runs to Mon 2 Mar.
    plain = TERMIJNENWET.add_months(D(2026, 1, 31), 1, termijnenwet_extension=False)
    assert plain == D(2026, 2, 28)
    assert TERMIJNENWET.add_months(D(2026, 1, 31), 1) == D(2026, 3, 2)


def test_months_roll_over_the_year_end():
    # Wed 31 Dec 2025 + 2 months = 28 Feb 2026 (clamped, no extension asked).
    plain = TERMIJNENWET.add_months(D(2025, 12, 31), 2, termijnenwet_extension=False)
    assert plain == D(2026, 2, 28)
    # Thu 15 Oct 2026 + 3 months = Fri 15 Jan 2027.
    assert TERMIJNENWET.add_months(D(2026, 10, 15), 3) == D(2027, 1, 15)


def test_extend_to_working_day_keeps_a_working_day_and_moves_a_holiday():
    assert TERMIJNENWET.extend_to_working_day(D(2026, 11, 11)) == D(2026, 11, 11)
    # Sun 5 Apr 2026 (Easter Sunday), Mon 6 (Easter Monday): Tue 7 Apr.
    assert TERMIJNENWET.extend_to_working_day(D(2026, 4, 5)) == D(2026, 4, 7)


# Properties, for any start date, any number of days, either policy, any closure days

POLICIES = st.sampled_from([ALGEMENE_TERMIJNENWET, HOLIDAYS_NL])
STARTS = st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31))


@st.composite
def calendars_and_starts(draw):
    start = draw(STARTS)
    # Closures near the start, so they actually fall inside the terms being computed.
    offsets = draw(st.frozensets(st.integers(min_value=-5, max_value=90), max_size=15))
    closures = [start + datetime.timedelta(days=o) for o in offsets]
    return WorkingCalendar(draw(POLICIES), closures=closures), start


N = st.integers(min_value=0, max_value=60)


@given(calendars_and_starts(), N)
def test_adding_working_days_always_lands_on_a_working_day(calendar_and_start, n):
    calendar, start = calendar_and_start
    assert calendar.is_working_day(calendar.add_working_days(start, n))


@given(calendars_and_starts(), N.filter(lambda n: n >= 1))
def test_adding_n_working_days_then_counting_back_gives_n(calendar_and_start, n):
    calendar, start = calendar_and_start
    assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


@given(calendars_and_starts(), N, N)
def test_adding_working_days_is_monotone_in_n(calendar_and_start, n, m):
    calendar, start = calendar_and_start
    if n <= m:
        assert calendar.add_working_days(start, n) <= calendar.add_working_days(start, m)


@given(calendars_and_starts(), N)
def test_one_more_working_day_is_strictly_later(calendar_and_start, n):
    calendar, start = calendar_and_start
    later = calendar.add_working_days(start, n + 1)
    if n >= 1 or calendar.is_working_day(start):
        assert later > calendar.add_working_days(start, n)
    else:
        # The one exception, by the n=0 convention: from a non-working day, "0 working days"
        # and "1 working day" both give the next working day.
        assert later == calendar.add_working_days(start, n)


@given(calendars_and_starts(), st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)))
def test_counting_working_days_agrees_with_checking_every_day(calendar_and_start, end):
    calendar, start = calendar_and_start
    a, b = sorted([start, end])
    b = min(b, a + datetime.timedelta(days=800))  # keep the day-by-day oracle quick
    days = ((a + datetime.timedelta(days=i)) for i in range(1, (b - a).days + 1))
    assert calendar.working_days_between(a, b) == sum(calendar.is_working_day(d) for d in days)


@given(calendars_and_starts(), st.integers(min_value=0, max_value=26))
def test_an_extended_term_ends_on_the_first_working_day_on_or_after_the_plain_end(
    calendar_and_start, weeks
):
    calendar, start = calendar_and_start
    plain = calendar.add_weeks(start, weeks, termijnenwet_extension=False)
    extended = calendar.add_weeks(start, weeks, termijnenwet_extension=True)
    assert calendar.is_working_day(extended)
    assert plain <= extended
    assert calendar.working_days_between(plain, extended) == (0 if plain == extended else 1)
