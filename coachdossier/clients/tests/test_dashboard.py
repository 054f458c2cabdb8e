"""The coach's dashboard names her trajectories in intake without a goal (GC-7.1) and the
substitute consents that end soon (GC-2.5), by reference, the nearest date first."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.clients import actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import ClientSource, PersonalData
from coachdossier.test import BaseTestCase


class CoachDashboardTestCase(BaseTestCase):
    def dashboard(self, user=None):
        self.login(user or self.coach)
        return self.client.get("/")

    def new_client_in_intake(self, first="Eveline", **goal):
        client = actions.register_client(actor=self.management, principal=self.employer, now=self.now,
                                         personal=PersonalData(first_name=first, last_name="Bos"))
        actions.open_trajectory(actor=self.management, client=client, principal=self.employer, coach=self.coach,
                                source=ClientSource.UMBRELLA, now=self.now, **goal)
        return client

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
