"""The deadline engine (pure): every clock from the receipt date, on Dutch working days.
Concrete dates are worked out by hand in the comments; the properties hold for any input."""

import datetime
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from coachdossier.complaints.deadlines import Facts, State, clocks, handled_in_term, nearest
from coachdossier.lib.workdays import HOLIDAYS_NL, WorkingCalendar
from coachdossier.policy import Policy

D = datetime.date
CAL = WorkingCalendar()
POLICY = Policy()


def clock(facts, key, today, calendar=CAL, policy=POLICY):
    return {c.key: c for c in clocks(facts, calendar, policy, today)}[key]


class TestConcreteDates:
    def test_kr_3_2_register_term_skips_christmas_and_boxing_day(self):
        """KR-3.2: Fri 18 Dec 2026 + 5 working days: 21, 22, 23, 24, (25, 26, 27 off), 28 Dec."""
        assert clock(Facts(D(2026, 12, 18)), "register", D(2026, 12, 18)).due == D(2026, 12, 28)

    def test_register_term_over_new_year(self):
        """Wed 30 Dec 2026: 31 Dec (1), Fri 1 Jan 2027 off, 4, 5, 6, 7 Jan -> Thu 7 Jan 2027."""
        assert clock(Facts(D(2026, 12, 30)), "register", D(2026, 12, 30)).due == D(2027, 1, 7)

    def test_register_term_over_kings_day_and_liberation_day(self):
        """Fri 24 Apr 2026: Mon 27 Apr King's Day off; 28, 29, 30 Apr, 1 May, Mon 4 May (5 May is off too)."""
        assert clock(Facts(D(2026, 4, 24)), "register", D(2026, 4, 24)).due == D(2026, 5, 4)

    def test_register_term_over_easter_counts_good_friday_under_the_terms_act(self):
        """Thu 2 Apr 2026: Good Friday 3 Apr counts (Algemene termijnenwet), Easter Monday 6 Apr does
        not: 3, 7, 8, 9, 10 -> Fri 10 Apr. Under the holidays package Good Friday is off -> Mon 13 Apr."""
        assert clock(Facts(D(2026, 4, 2)), "register", D(2026, 4, 2)).due == D(2026, 4, 10)
        nl = WorkingCalendar(HOLIDAYS_NL)
        assert clock(Facts(D(2026, 4, 2)), "register", D(2026, 4, 2), calendar=nl).due == D(2026, 4, 13)

    def test_register_term_over_ascension_and_whit_monday(self):
        """Wed 13 May 2026: Ascension Thu 14 off -> 15, 18, 19, 20, 21 May. Thu 21 May: Whit Monday
        25 May off -> 22, 26, 27, 28, 29 May."""
        assert clock(Facts(D(2026, 5, 13)), "register", D(2026, 5, 13)).due == D(2026, 5, 21)
        assert clock(Facts(D(2026, 5, 21)), "register", D(2026, 5, 21)).due == D(2026, 5, 29)

    def test_practice_closure_days_are_no_working_days(self):
        """Wed 23 Dec 2026 with 29-31 Dec closed: 24, 28, (29-31 closed, 1 Jan off), 4, 5, 6 Jan 2027."""
        closed = WorkingCalendar(closures={D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31)})
        assert clock(Facts(D(2026, 12, 23)), "register", D(2026, 12, 23)).due == D(2026, 12, 31)
        assert clock(Facts(D(2026, 12, 23)), "register", D(2026, 12, 23), calendar=closed).due == D(2027, 1, 6)

    def test_kr_3_3a_two_weeks_ending_on_christmas_move_to_the_next_working_day(self):
        """KR-3.3a: Fri 11 Dec 2026 + 2 weeks = Fri 25 Dec (Christmas) -> Mon 28 Dec."""
        assert clock(Facts(D(2026, 12, 11)), "acknowledge", D(2026, 12, 11)).due == D(2026, 12, 28)

    def test_kr_3_3c_and_d_four_and_six_weeks(self):
        """KR-3.3c/d: Tue 24 Mar 2026 + 4 weeks = Tue 21 Apr; + 6 weeks = Tue 5 May (Liberation Day,
        off every year under the terms act) -> Wed 6 May."""
        facts = Facts(D(2026, 3, 24))
        assert clock(facts, "non_admission", facts.received_on).due == D(2026, 4, 21)
        assert clock(facts, "settle", facts.received_on).due == D(2026, 5, 6)

    def test_kr_3_4a_aftercare_counts_from_the_answer_letter(self):
        """KR-3.4a: answer letter Fri 24 Apr 2026 -> 5 working days -> Mon 4 May."""
        facts = Facts(D(2026, 3, 20), admitted=True, answered_on=D(2026, 4, 24))
        assert clock(facts, "aftercare", D(2026, 4, 24)).due == D(2026, 5, 4)
        assert clock(Facts(D(2026, 3, 20)), "aftercare", D(2026, 4, 24)).state == State.NOT_APPLICABLE

    def test_gc_8_2_umbrella_ruling_is_communicated_within_a_month(self):
        """GC-8.2: ruling Sat 31 Jan 2026 + 1 month = Sat 28 Feb -> Mon 2 Mar. Only at umbrella level."""
        facts = Facts(D(2026, 1, 5), umbrella=True, ruling_on=D(2026, 1, 31))
        assert clock(facts, "ruling", D(2026, 2, 2)).due == D(2026, 3, 2)
        assert clock(replace(facts, umbrella=False), "ruling", D(2026, 2, 2)).state == State.NOT_APPLICABLE

    def test_terms_come_from_the_policy(self):
        """A practice with the Wkkgz's 6 + 4 weeks changes the policy, not the code."""
        wkkgz = Policy(complaint_settle_weeks=10)
        assert clock(Facts(D(2026, 3, 24)), "settle", D(2026, 3, 24), policy=wkkgz).due == D(2026, 6, 2)


class TestStates:
    def test_states_open_met_late(self):
        facts = Facts(D(2026, 11, 2))  # register due Mon 9 Nov
        assert clock(facts, "register", D(2026, 11, 9)).state == State.OPEN  # the due day itself is in time
        assert clock(facts, "register", D(2026, 11, 10)).state == State.LATE
        assert clock(replace(facts, registered_on=D(2026, 11, 9)), "register", D(2026, 12, 1)).state == State.MET
        assert clock(replace(facts, registered_on=D(2026, 11, 10)), "register", D(2026, 12, 1)).state == State.LATE

    def test_kr_3_3d_an_extension_moves_the_settlement_date(self):
        """KR-3.3d: with a recorded extension the clock runs to the new date and reads 'extended'."""
        facts = Facts(D(2026, 3, 24), admitted=True, extended_to=D(2026, 6, 1))
        assert clock(facts, "settle", D(2026, 5, 20)).state == State.EXTENDED
        assert clock(facts, "settle", D(2026, 5, 20)).due == D(2026, 6, 1)
        assert clock(replace(facts, answered_on=D(2026, 5, 28)), "settle", D(2026, 6, 5)).state == State.MET

    def test_non_admission_excludes_settlement_and_admission_excludes_the_notice(self):
        refused = Facts(D(2026, 3, 24), admitted=False, admission_decided_on=D(2026, 4, 1))
        assert clock(refused, "settle", D(2026, 4, 2)).state == State.NOT_APPLICABLE
        assert clock(refused, "non_admission", D(2026, 4, 2)).state == State.MET
        admitted = Facts(D(2026, 3, 24), admitted=True)
        assert clock(admitted, "non_admission", D(2026, 4, 2)).state == State.NOT_APPLICABLE

    def test_nearest_puts_a_late_clock_first(self):
        facts = Facts(D(2026, 11, 2))
        assert nearest(clocks(facts, CAL, POLICY, D(2026, 11, 12))).key == "register"

    def test_kr_3_7_handled_within_the_term(self):
        """KR-3.7: within the non-admission term, or within the (validly extended) settlement term."""
        received = D(2026, 3, 24)  # non-admission due 21 Apr, settle due 6 May
        assert handled_in_term(Facts(received, admitted=False, admission_decided_on=D(2026, 4, 21)), CAL, POLICY)
        assert not handled_in_term(Facts(received, admitted=False, admission_decided_on=D(2026, 4, 22)), CAL, POLICY)
        assert handled_in_term(Facts(received, admitted=True, answered_on=D(2026, 5, 6)), CAL, POLICY)
        assert not handled_in_term(Facts(received, admitted=True, answered_on=D(2026, 5, 7)), CAL, POLICY)
        assert handled_in_term(Facts(received, admitted=True, answered_on=D(2026, 5, 20),
                                     extended_to=D(2026, 6, 1)), CAL, POLICY)
        assert not handled_in_term(Facts(received), CAL, POLICY)

    def test_kr_3_7_an_admitted_umbrella_complaint_is_in_term_when_its_ruling_went_out_within_a_month(self):
        """KR-3.7 with GC-8.1/8.2: the umbrella's committee settles it, never the practice's letter;
        the practice's term is to put the ruling to both parties within a month. Ruling Sat 31 Jan
        2026 + 1 month = Sat 28 Feb -> Mon 2 Mar. Before, no umbrella complaint was ever in term."""
        ruled = Facts(D(2026, 1, 5), admitted=True, umbrella=True, ruling_on=D(2026, 1, 31))
        assert handled_in_term(replace(ruled, ruling_communicated_on=D(2026, 3, 2)), CAL, POLICY)
        assert not handled_in_term(replace(ruled, ruling_communicated_on=D(2026, 3, 3)), CAL, POLICY)
        assert not handled_in_term(ruled, CAL, POLICY)  # ruled, not yet told
        # The practice's six weeks do not apply to it, kept or not.
        assert not handled_in_term(replace(ruled, ruling_on=None, answered_on=D(2026, 1, 20)), CAL, POLICY)


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(received=dates, today=dates)
    def test_every_due_date_is_a_working_day_after_receipt(self, received, today):
        """KR-3.2, KR-3.3a-d: each due date lies after the receipt date and is a working day."""
        for c in clocks(Facts(received), CAL, POLICY, today):
            if c.due is not None:
                assert c.due > received
                assert CAL.is_working_day(c.due)

    @settings(max_examples=150, deadline=None)
    @given(received=dates, today=dates)
    def test_the_clocks_come_in_procedure_order(self, received, today):
        c = {k.key: k for k in clocks(Facts(received), CAL, POLICY, today)}
        assert c["register"].due <= c["acknowledge"].due <= c["non_admission"].due <= c["settle"].due

    @settings(max_examples=150, deadline=None)
    @given(received=dates, today=dates, done=st.integers(min_value=0, max_value=60))
    def test_a_step_is_met_exactly_when_done_by_its_due_date(self, received, today, done):
        done_on = received + datetime.timedelta(days=done)
        c = clock(Facts(received, registered_on=done_on), "register", today)
        assert (c.state == State.MET) == (done_on <= c.due)
        assert c.state in (State.MET, State.LATE)

    @settings(max_examples=150, deadline=None)
    @given(received=dates, a=dates, b=dates)
    def test_an_open_clock_never_turns_from_late_back_to_open(self, received, a, b):
        early, late = sorted([a, b])
        if clock(Facts(received), "acknowledge", early).state == State.LATE:
            assert clock(Facts(received), "acknowledge", late).state == State.LATE
