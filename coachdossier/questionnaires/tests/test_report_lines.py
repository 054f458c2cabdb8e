"""PR-4, PR-5: a report's trajectory data says that questionnaires were completed, never
their scores or bands (health data an employer, municipality or UWV may not receive)."""

from coachdossier.questionnaires import actions
from coachdossier.questionnaires.summary import report_lines
from coachdossier.reports.actions import TRAJECTORY_SUMMARIES

from .test_workflow import EXAMPLE, QuestionnaireTestCase


class ReportLinesTestCase(QuestionnaireTestCase):
    def test_pr_4_a_report_line_counts_completed_questionnaires_without_scores(self):
        administration = self.send()
        actions.save_answers(actor=self.client_user, administration=administration, answers=EXAMPLE, submit=True,
                             now=self.now, grant=None)
        lines = report_lines(self.own_client.current_trajectory)
        self.assertEqual(len(lines), 1)
        label, value = lines[0]
        self.assertIn("1", value)
        self.assertNotIn("28", value)  # the depression score of EXAMPLE
        self.assertNotIn("severe", value.lower())

    def test_the_reports_app_uses_the_questionnaire_and_measurement_lines(self):
        names = {f.__module__ for f in TRAJECTORY_SUMMARIES}
        self.assertEqual(names, {"coachdossier.questionnaires.summary", "coachdossier.measurements.summary"})
