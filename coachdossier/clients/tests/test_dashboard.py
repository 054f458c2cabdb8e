"""The coach's dashboard names her trajectories in intake without a goal (GC-7.1) and the
substitute consents that end soon (GC-2.5), by reference, the nearest date first."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.clients import actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import ClientSource, PersonalData
from coachdossier.test import BaseTestCase


class DashboardTestCase(BaseTestCase):
    def new_client_in_intake(self, first="Eveline", **goal):
        client = actions.register_client(actor=self.management, principal=self.employer, now=self.now,
                                         personal=PersonalData(first_name=first, last_name="Bos"))
        actions.open_trajectory(actor=self.management, client=client, principal=self.employer, coach=self.coach,
                                source=ClientSource.UMBRELLA, now=self.now, **goal)
        return client


class CoachDashboardTestCase(DashboardTestCase):
    def dashboard(self, user=None):
        self.login(user or self.coach)
        return self.client.get("/")

    def substitute(self, valid_until, substitute=None):
        return actions.record_consent(actor=self.coach, client=self.own_client, kind="substitute",
                                      substitute=substitute or self.other_coach, given_via="writing",
                                      valid_from=self.now.date(), valid_until=valid_until, now=self.now,
                                      evidence=SimpleUploadedFile("toestemming.pdf", DEMO_PDF))

    def test_gc_7_1_a_trajectory_in_intake_without_a_goal_shows_with_a_link_to_write_it(self):
        client = self.new_client_in_intake()
        self.new_client_in_intake(first="Fleur", goal_text="Weer aan het werk")  # has a goal: not listed
        r = self.dashboard()
        self.assertContains(r, "Trajectories in intake without a goal (GC-7.1)")
        self.assertContains(r, f'href="/clients/{client.public_id}/goal/"', count=1)
        self.assertContains(r, client.reference)
        self.assertNotContains(r, "Eveline")  # references only: the dashboard decrypts no names
        self.assertNotContains(self.dashboard(self.other_coach), "Trajectories in intake without a goal")

    def test_gc_2_5_a_substitute_consent_ending_within_two_weeks_shows_to_both_coaches_soonest_first(self):
        today = self.now.date()
        later = self.substitute(today + datetime.timedelta(days=14))
        sooner = self.substitute(today + datetime.timedelta(days=3), substitute=self.make_third_coach())
        self.substitute(today + datetime.timedelta(days=15))  # not yet worth a reminder
        r = self.dashboard()
        self.assertContains(r, "Substitute consents ending soon (GC-2.5)")
        html = r.content.decode()
        self.assertLess(html.index(sooner.valid_until.strftime("%-d %b %Y")),
                        html.index(later.valid_until.strftime("%-d %b %Y")))
        self.assertNotIn("22 Dec 2026", html)
        theirs = self.dashboard(self.other_coach)
        self.assertContains(theirs, "Substitute consents ending soon (GC-2.5)")
        self.assertContains(theirs, "<td>You</td>", html=True)

    def test_nothing_to_do_shows_no_empty_panels(self):
        r = self.dashboard()
        self.assertNotContains(r, "Trajectories in intake without a goal")
        self.assertNotContains(r, "Substitute consents ending soon")

    def make_third_coach(self):
        from coachdossier.accounts.models import Role
        from coachdossier.test import make_user

        return make_user("cor@example.com", "Cor Coach", Role.COACH)


class CoachDashboardQueriesTestCase(DashboardTestCase):
    def count(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from zeal import zeal_context

        self.login(self.coach)
        self.client.get("/")  # the first request of a session also passes the staff gate once
        with zeal_context(), CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/").status_code, 200)
        return len(queries)

    def add_work(self, n):
        """n clients in intake without a goal, each with a report waiting for her, a completed
        questionnaire and a substitute consent ending in a week."""
        from coachdossier.accounts.models import Role
        from coachdossier.questionnaires import actions as q_actions
        from coachdossier.questionnaires.models import QuestionnaireDefinition
        from coachdossier.questionnaires.tests.test_workflow import EXAMPLE
        from coachdossier.reports import actions as r_actions
        from coachdossier.reports.tests.helpers import SECTIONS
        from coachdossier.test import make_user

        q_actions.ensure_shipped(now=self.now)
        dass = QuestionnaireDefinition.objects.get(key="dass-21")
        for i in range(n):
            user = make_user(f"klant{self._n}{i}@example.com", f"Klant {i}", Role.CLIENT)
            client = self.new_client_in_intake(first=f"Klant{self._n}{i}")
            client.user = user
            client.save(update_fields=["user"])
            report = r_actions.create_report(actor=self.coach, client=client, kind="progress", addressee="principal",
                                             now=self.now)
            r_actions.edit_report(actor=self.coach, report=report, now=self.now, subject="Voortgang",
                                  sections=SECTIONS)
            with self.captureOnCommitCallbacks(execute=True):
                r_actions.mark_ready(actor=self.coach, report=report, now=self.now)
            administration = q_actions.send_questionnaire(actor=self.coach, client=client, definition=dass,
                                                          now=self.now)
            q_actions.save_answers(actor=user, administration=administration, answers=EXAMPLE, submit=True,
                                   now=self.now)
            actions.record_consent(actor=self.coach, client=client, kind="substitute", substitute=self.other_coach,
                                   given_via="writing", valid_from=self.now.date(),
                                   valid_until=self.now.date() + datetime.timedelta(days=7), now=self.now,
                                   evidence=SimpleUploadedFile("toestemming.pdf", DEMO_PDF))
        self._n += 1

    def test_each_client_reference_on_the_dashboard_leads_to_the_page_its_reader_may_open(self):
        """The coach opens the dossier from a request or a completed questionnaire; management,
        who may not read dossiers (PR-7), opens the client's overview from a destruction request."""
        from coachdossier.audit.models import Basis
        from coachdossier.clients import access
        from coachdossier.portal import actions as p_actions
        from coachdossier.portal.models import RequestKind
        from coachdossier.questionnaires.models import Administration

        self._n = 0
        self.add_work(1)
        completed = Administration.objects.get(completed_at__isnull=False).client
        as_client = access.Grant(Basis.CLIENT)
        p_actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                               field="city", proposed="Zwolle", reason="Verhuisd", now=self.now, grant=as_client)
        p_actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                               now=self.now, grant=as_client)
        self.login(self.coach)
        theirs = '<a href="/clients/{}/">{}</a>'
        r = self.client.get("/")
        self.assertContains(r, theirs.format(completed.public_id, completed.reference))  # questionnaire
        self.assertContains(r, theirs.format(self.own_client.public_id, self.own_client.reference))  # request
        self.login(self.management)
        r = self.client.get("/")
        self.assertContains(r, f'<a href="/clients/manage/{self.own_client.public_id}/">{self.own_client.reference}</a>')
        self.assertNotContains(r, f'href="/clients/{self.own_client.public_id}/"')

    def test_the_coachs_dashboard_costs_the_same_with_one_and_with_five_of_everything(self):
        self._n = 0
        self.add_work(1)
        small = self.count()
        self.add_work(4)
        r = self.client.get("/")
        for title in ("Reports waiting for the client or for you", "Trajectories in intake without a goal",
                      "Questionnaires completed since you last looked", "Substitute consents ending soon"):
            self.assertContains(r, title)
        self.assertEqual(self.count(), small)
