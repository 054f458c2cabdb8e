"""Things a user tripped over in the QA walk-through, held in place."""

from types import SimpleNamespace

from django.urls import reverse

from coachdossier.audit.context import Actor, acting
from coachdossier.audit.models import Basis, Outcome
from coachdossier.clients import access
from coachdossier.clients.access import ACTIONS, Grant
from coachdossier.complaints.models import Complaint
from coachdossier.portal.accesslog import describe
from coachdossier.reports import actions as report_actions
from coachdossier.reports.tests.helpers import CLIENT, ReportTestCase
from coachdossier.test import BaseTestCase


def _entry(action, basis=Basis.COACH):
    actor = SimpleNamespace(full_name="Alice Coach")
    return SimpleNamespace(actor_id=1, actor=actor, basis=basis, role="coach", action=action,
                           outcome=Outcome.ALLOWED, basis_ref="", at=None)


class TestWhoLookedAtMyFileSpeaksPlainLanguage(BaseTestCase):
    def test_law_nen7513_no_access_action_reaches_the_client_as_a_code(self):
        """LAW-NEN7513: every named access action reads as a sentence, never as 'dossier.write'."""
        for action in ACTIONS:
            sentence = describe(_entry(action), client_user_id=2).sentence
            self.assertNotIn(action, sentence, action)
            self.assertIn("Alice Coach", sentence)

    def test_an_unknown_action_still_reads_without_its_code(self):
        sentence = describe(_entry("something.new"), client_user_id=2).sentence
        self.assertNotIn("something.new", sentence)
        self.assertIn("accessed your dossier", sentence)

    def test_the_page_shows_a_coachs_work_in_the_dossier_as_a_sentence(self):
        with acting(Actor(user=self.coach, channel="web")):
            access.log_access(self.own_client, Grant(Basis.COACH), "dossier.write")
        self.login(self.client_user)
        page = self.client.get(reverse("portal:access_log"))
        self.assertNotContains(page, "dossier.write")
        self.assertContains(page, "opened your dossier to work in it")


class TestManagementBackLinks(BaseTestCase):
    def test_opening_a_trajectory_links_back_to_the_management_page_not_the_dossier(self):
        """Management cannot open the coach's client page (PR-7); the back link must not lead to a 403."""
        self.login(self.management)
        page = self.client.get(reverse("clients:trajectory_new", args=[self.own_client.public_id]))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, reverse("clients:admin_detail", args=[self.own_client.public_id]))
        self.assertNotContains(page, f'href="{reverse("clients:detail", args=[self.own_client.public_id])}"')


class TestClientsComplaintPage(BaseTestCase):
    def test_the_client_sees_the_due_dates_without_rule_codes(self):
        self.login(self.client_user)
        self.client.post(reverse("complaints:lodge"), {
            "subject": "coach", "coach": self.coach.pk, "category": "communication", "level": "practice",
            "description": "Mijn coach reageert niet op mails."})
        complaint = Complaint.objects.get()
        page = self.client.get(reverse("complaints:mine", args=[complaint.public_id]))
        self.assertContains(page, "Entered in the register")
        self.assertNotContains(page, "KR-3.2")


class TestReportReviewAfterTheAnswer(ReportTestCase):
    def test_a_blocked_report_no_longer_invites_the_client_to_answer(self):
        report = self.client_copy(client=self.own_client)
        self.login(self.client_user)
        page = self.client.get(reverse("reports:review", args=[report.public_id]))
        self.assertContains(page, "You can answer until")
        report_actions.block_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        page = self.client.get(reverse("reports:review", args=[report.public_id]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "You can answer until")


class TestAuditorDashboard(BaseTestCase):
    def test_the_auditor_finds_the_security_report_and_log_review_from_the_dashboard(self):
        self.login(self.auditor)
        page = self.client.get(reverse("home"))
        for name in ("privacy:security_report", "privacy:log_review", "privacy:checkpoints", "privacy:processing"):
            self.assertContains(page, f'href="{reverse(name)}"')
            self.assertEqual(self.client.get(reverse(name)).status_code, 200, name)


class TestCoachReachesComplaints(BaseTestCase):
    def test_kr_2_2_a_coach_off_any_committee_reaches_the_complaint_form_from_the_nav(self):
        """KR-2.2: a coach registers a complaint that reached them; the way there is in the navigation."""
        self.login(self.other_coach)
        home = self.client.get(reverse("home"))
        self.assertContains(home, f'href="{reverse("complaints:register")}"')
        register = self.client.get(reverse("complaints:register"))
        self.assertEqual(register.status_code, 200)
        self.assertContains(register, f'href="{reverse("complaints:new")}"')
        self.assertContains(register, "Lodge it here")
        self.assertEqual(self.client.get(reverse("complaints:new")).status_code, 200)


class TestEveryTranslatableStringReachesTheTranslator(BaseTestCase):
    def test_no_gettext_call_hides_inside_an_f_string_where_makemessages_cannot_find_it(self):
        """The Dutch evaluation CSV and processing-register PDF said 'mean', 'data inventory'."""
        import re
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent
        hidden = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py") if "tests" not in path.parts
                  for n, line in enumerate(path.read_text().splitlines(), 1) if re.search(r"\{_\(", line)]
        self.assertEqual(hidden, [])
