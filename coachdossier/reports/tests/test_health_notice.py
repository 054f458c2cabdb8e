"""PR-4: a report to the principal never carries diagnoses; the coach is told before the copy goes out."""

from coachdossier.reports import actions

from .helpers import ReportTestCase

HERNIA = [{"title": "Verloop", "text": "Carla komt wekelijks. Ze heeft last van haar hernia."}]


class HealthNoticeTestCase(ReportTestCase):
    def page(self, report):
        self.login(self.coach)
        return self.client.get(f"/reports/{self.own_client.public_id}/{report.public_id}/")

    def test_pr_4_a_draft_to_the_principal_that_names_a_diagnosis_shows_a_warning_before_the_copy_goes_out(self):
        report = self.draft(sections=HERNIA)
        self.assertIn("hernia", actions.health_notice(report))
        r = self.page(report)
        self.assertContains(r, "This report to the principal mentions health information (hernia)")
        self.assertContains(r, "Ready: send the client a copy")

    def test_pr_4_a_draft_about_limitations_and_possibilities_gets_no_warning(self):
        report = self.draft()
        self.assertEqual(actions.health_notice(report), "")
        self.assertNotContains(self.page(report), "mentions health information")

    def test_pr_4_a_report_to_the_company_doctor_may_name_the_diagnosis(self):
        report = self.draft(
            addressee="company_doctor",
            sections=HERNIA,
            recipient={"name": "Dr. Jansen", "organisation": "", "address": "", "email": ""},
        )
        self.assertEqual(actions.health_notice(report), "")

    def test_pr_4_the_warning_is_gone_once_the_copy_went_to_the_client(self):
        report = self.ready(self.draft(sections=HERNIA))
        self.assertNotContains(self.page(report), "mentions health information")
