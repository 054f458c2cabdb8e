"""KR-3.6 and KR-3.7 on a seeded set whose right answers are worked out by hand below."""

import datetime

from coachdossier.accounts.models import Role
from coachdossier.complaints import actions, reports
from coachdossier.complaints.deadlines import State
from coachdossier.complaints.models import Complaint, clocks_for
from coachdossier.test import make_client, make_user

from .test_actions import ComplaintsTestCase, at

D = datetime.date


class TestUwvQuarterlyReport(ComplaintsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.uwv_user = make_user("eva@example.com", "Eva UWV", Role.CLIENT)
        cls.uwv_client = make_client(actor=cls.management, coach=cls.other_coach, principal=cls.uwv, first="Eva",
                                     last="Bos", user=cls.uwv_user)

    def complaint(self, received, *, uwv=True, admitted=None, decided=None, answered=None, extended_to=None,
                  extend_on=None):
        client, user = (self.uwv_client, self.uwv_user) if uwv else (self.own_client, self.client_user)
        c = actions.lodge_complaint(actor=user, now=at(received), received_on=received, channel="portal",
                                    subject="service", category="quality", description="Klacht.", client=client)
        actions.register_complaint(actor=self.outsider, complaint=c, now=at(received))
        if admitted is False:
            actions.decide_admission(actor=self.outsider, complaint=c, now=at(decided), admitted=False, reason="Nee.")
        elif admitted:
            actions.decide_admission(actor=self.outsider, complaint=c, now=at(received), admitted=True)
            actions.appoint_committee(actor=self.outsider, complaint=c, coaches=[self.coach_c, self.coach_d],
                                      now=at(received))
            if extended_to:
                actions.extend_term(actor=self.outsider, complaint=c, now=at(extend_on), new_date=extended_to,
                                    told_via="phone")
            if answered:
                actions.settle(actor=self.outsider, complaint=c, now=at(answered), text="Antwoord.")
        return c

    def test_kr_3_7_the_five_figures_for_a_quarter(self):
        """KR-3.7. Q2 2026 is 1 Apr - 30 Jun. By hand:
        A  UWV, received 1 Apr (Wed): not admitted on 29 Apr; term 4 weeks = 29 Apr   -> not admitted, in term
        B  UWV, received 2 Apr (Thu): not admitted on 1 May; term ends 30 Apr         -> not admitted, late
        C  UWV, received 7 Apr (Tue): settled 19 May; 6 weeks = 19 May                -> admitted, in term
        D  UWV, received 8 Apr (Wed): settled 21 May; 6 weeks = 20 May                -> admitted, late
        E  UWV, received 9 Apr (Thu): extended on 20 May to 5 Jun, settled 4 Jun       -> admitted, in term
        F  UWV, received 15 Jun: admitted, not settled yet                             -> admitted, not in term
        G  UWV, received 16 Jun: undecided                                             -> total only
        H  not UWV, received 10 Apr: admitted and settled in time                      -> not counted
        I  UWV, received 31 Mar (Q1), settled in time                                  -> not counted
        Total 7; not admitted 2, of which in term 1; admitted 4, of which in term 2."""
        self.complaint(D(2026, 4, 1), admitted=False, decided=D(2026, 4, 29))
        self.complaint(D(2026, 4, 2), admitted=False, decided=D(2026, 5, 1))
        self.complaint(D(2026, 4, 7), admitted=True, answered=D(2026, 5, 19))
        self.complaint(D(2026, 4, 8), admitted=True, answered=D(2026, 5, 21))
        self.complaint(D(2026, 4, 9), admitted=True, extend_on=D(2026, 5, 20), extended_to=D(2026, 6, 5),
                       answered=D(2026, 6, 4))
        self.complaint(D(2026, 6, 15), admitted=True)
        self.complaint(D(2026, 6, 16))
        self.complaint(D(2026, 4, 10), uwv=False, admitted=True, answered=D(2026, 5, 1))
        self.complaint(D(2026, 3, 31), admitted=True, answered=D(2026, 4, 20))
        start, end = reports.quarter_bounds(2026, 2)
        self.assertEqual((start, end), (D(2026, 4, 1), D(2026, 6, 30)))
        figures = reports.uwv_figures(start, end)
        self.assertEqual((figures.total, figures.not_admitted, figures.not_admitted_in_term, figures.admitted,
                          figures.admitted_in_term), (7, 2, 1, 4, 2))
        self.assertEqual(len(figures.rows()), 5)
        csv = reports.uwv_csv(figures).decode("utf-8-sig")
        self.assertEqual(csv.count("\n"), 6)
        self.assertTrue(reports.uwv_pdf(figures).startswith(b"%PDF"))
        # Any period: the first two weeks of April hold A-E only.
        self.assertEqual(reports.uwv_figures(D(2026, 4, 1), D(2026, 4, 14)).total, 5)

    def umbrella_complaint(self, received, *, ruling_on, communicated=None):
        c = actions.lodge_complaint(actor=self.uwv_user, now=at(received), received_on=received, channel="portal",
                                    subject="coach", coach=self.other_coach, level="umbrella",
                                    category="quality", description="Klacht.", client=self.uwv_client)
        actions.register_complaint(actor=self.outsider, complaint=c, now=at(received))
        actions.decide_admission(actor=self.outsider, complaint=c, now=at(received), admitted=True)
        actions.record_ruling(actor=self.management, complaint=c, now=at(ruling_on), ruling="founded",
                              ruling_on=ruling_on)
        if communicated:
            actions.communicate_ruling(actor=self.management, complaint=c, now=at(communicated))
        return c

    def test_kr_3_7_an_umbrella_complaint_counts_in_term_when_its_ruling_went_out_within_a_month(self):
        """KR-3.7 with GC-8.2. Q2 2026, by hand:
        J  UWV, umbrella, received 1 Apr: ruling 29 May, told 26 Jun; 29 May + 1 month = 29 Jun -> in term
        K  UWV, umbrella, received 2 Apr: ruling 1 May, told 2 Jun; 1 May + 1 month = 1 Jun     -> late
        L  UWV, umbrella, received 3 Apr: ruling 29 May, not told yet                          -> not in term
        Admitted 3, of which in term 1. Before, none: the practice sends no settlement letter for them."""
        self.umbrella_complaint(D(2026, 4, 1), ruling_on=D(2026, 5, 29), communicated=D(2026, 6, 26))
        self.umbrella_complaint(D(2026, 4, 2), ruling_on=D(2026, 5, 1), communicated=D(2026, 6, 2))
        self.umbrella_complaint(D(2026, 4, 3), ruling_on=D(2026, 5, 29))
        figures = reports.uwv_figures(*reports.quarter_bounds(2026, 2))
        self.assertEqual((figures.total, figures.not_admitted, figures.not_admitted_in_term, figures.admitted,
                          figures.admitted_in_term), (3, 0, 0, 3, 1))

    def test_kr_3_7_an_umbrella_complaint_the_practice_never_admitted_counts_as_admitted_once_ruled(self):
        """KR-3.7 with GC-8.1: the umbrella committee took it into handling and ruled; the practice
        has no admission of its own to record for it, and it counted in the total only. By hand, Q2 2026:
        M  UWV, umbrella, received 1 Apr, no admission recorded: ruling 29 May, told 26 Jun -> admitted, in term
        N  UWV, umbrella, received 2 Apr, no admission recorded: ruling 1 May, told 2 Jun   -> admitted, late
        O  UWV, umbrella, received 3 Apr, no admission recorded, no ruling yet              -> total only
        Total 3; admitted 2, of which in term 1."""
        for received, ruling_on, told in ((D(2026, 4, 1), D(2026, 5, 29), D(2026, 6, 26)),
                                          (D(2026, 4, 2), D(2026, 5, 1), D(2026, 6, 2)), (D(2026, 4, 3), None, None)):
            c = actions.lodge_complaint(actor=self.uwv_user, now=at(received), received_on=received, channel="portal",
                                        subject="coach", coach=self.other_coach, level="umbrella",
                                        category="quality", description="Klacht.", client=self.uwv_client)
            actions.register_complaint(actor=self.outsider, complaint=c, now=at(received))
            if ruling_on:
                actions.record_ruling(actor=self.management, complaint=c, now=at(ruling_on), ruling="unfounded",
                                      ruling_on=ruling_on)
                actions.communicate_ruling(actor=self.management, complaint=c, now=at(told))
                actions.close_complaint(actor=self.management, complaint=c, now=at(told), outcome="ruling")
        figures = reports.uwv_figures(*reports.quarter_bounds(2026, 2))
        self.assertEqual((figures.total, figures.not_admitted, figures.not_admitted_in_term, figures.admitted,
                          figures.admitted_in_term), (3, 0, 0, 2, 1))
        self.assertIn("counts as admitted once its complaints committee ruled on it", reports.uwv_footnote())
        # Nor does a ruled one's notice-of-non-admission term run late: it was taken into handling
        # (KR-3.3c); it was late in the register and the annual evaluation.
        ruled = Complaint.objects.get(received_on=D(2026, 4, 1))
        self.assertEqual({c.key: c.state for c in clocks_for(ruled, D(2026, 12, 31))}["non_admission"],
                         State.NOT_APPLICABLE)

    def test_kr_3_7_the_report_says_how_umbrella_complaints_are_counted(self):
        """KR-3.7: UWV reads the PDF without the page; both say which term an umbrella complaint has."""
        from coachdossier.lib.tests.test_pdf import pdf_text

        figures = reports.uwv_figures(*reports.quarter_bounds(2026, 2))
        self.assertIn("umbrella", reports.uwv_footnote())
        self.assertIn("within a month of the ruling", " ".join(pdf_text(reports.uwv_pdf(figures)).split()))

    def test_kr_3_6_the_annual_evaluation_counts_and_lead_times(self):
        """KR-3.6: by channel, category and outcome; lead times; deadlines met; measures."""
        c = self.complaint(D(2026, 4, 7), admitted=True, answered=D(2026, 5, 19))
        actions.log_call(actor=self.management, complaint=c, now=at(D(2026, 5, 20)), reached=True, satisfied=True)
        actions.close_complaint(actor=self.outsider, complaint=c, now=at(D(2026, 5, 21)), outcome="satisfied")
        self.complaint(D(2026, 4, 2), admitted=False, decided=D(2026, 5, 1))
        report = reports.evaluation(2026, D(2026, 12, 31))
        self.assertEqual(report["total"], 2)
        self.assertIn(("Client portal", 2), report["by_channel"])
        self.assertIn(("Settled to the complainant's satisfaction", 1), report["by_outcome"])
        self.assertEqual(report["lead_closed"]["max"], 44)  # 7 Apr -> 21 May
        rows = {label: (met, decided) for label, rule, met, decided, pct in report["deadlines"]}
        self.assertEqual(rows["Notice of non-admission"], (0, 1))
        self.assertEqual(rows["Written settlement"], (1, 1))
        self.assertTrue(reports.evaluation_pdf(report).startswith(b"%PDF"))
        self.assertIn("Total", reports.evaluation_csv(report).decode("utf-8-sig"))

    def test_kr_3_6_the_dutch_csv_of_the_evaluation_has_no_english_labels(self):
        """KR-3.6: management hands the CSV on; 'mean', 'longest' and 'Deadline met' stayed English."""
        from django.utils import translation

        self.complaint(D(2026, 4, 7), admitted=True, answered=D(2026, 5, 19))
        with translation.override("nl"):
            text = reports.evaluation_csv(reports.evaluation(2026, D(2026, 12, 31))).decode("utf-8-sig")
        self.assertIn("Doorlooptijd tot sluiting (dagen): gemiddeld", text)
        self.assertIn("Termijn gehaald: ", text)
        for english in ("mean", "median", "longest", "Deadline met"):
            self.assertNotIn(english, text)

    def test_kr_2_1_channels_read_as_how_the_complaint_came_in_not_as_form_fields(self):
        """KR-2.1: 'Kanaal: E-mailadres' named a field, not the channel e-mail."""
        from django.utils import translation

        with translation.override("nl"):
            text = reports.evaluation_csv(reports.evaluation(2026, D(2026, 12, 31))).decode("utf-8-sig")
        self.assertIn("Kanaal: E-mail;", text)
        self.assertIn("Kanaal: Telefoon;", text)

    def test_kr_3_7_the_dutch_uwv_report_names_the_five_figures_in_the_regulations_words(self):
        """KR-3.7: the report for UWV said "niet-ontvankelijk" and "ontvankelijk" for two of the
        figures the regulation calls "(niet) in behandeling genomen", next to rows that used those."""
        from django.utils import translation

        with translation.override("nl"):
            labels = [label for label, _n in reports.uwv_figures(D(2026, 1, 1), D(2026, 3, 31)).rows()]
        self.assertEqual(labels, [
            "Totaal aantal ingediende klachten",
            "Klachten niet in behandeling genomen",
            "Klachten niet in behandeling genomen en binnen de termijn afgehandeld",
            "Klachten in behandeling genomen",
            "Klachten in behandeling genomen en binnen de termijn afgehandeld",
        ])
