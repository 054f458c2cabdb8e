"""What a coach tripped over in a working week with the demo (the rule each fix serves in the name)."""

import datetime
import decimal

import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions, validation
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind
from coachdossier.clients.screening import SpecialCategory
from coachdossier.test import BaseTestCase

RAMADAN = "Carla vertelt dat de ramadan haar energie kost."


class EntryScreeningNoticesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.coach)
        self.url = f"/clients/{self.own_client.public_id}/entries/new/"

    def post(self, text, **extra):
        return self.client.post(
            self.url,
            {
                "kind": EntryKind.NOTE,
                "occurred_on": self.now.date().isoformat(),
                "title": "Gesprek",
                "text": text,
                **extra,
            },
            follow=True,
        )

    def warnings(self, response):
        return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]

    def test_gc_5_2_saving_a_note_that_names_other_people_says_whom_it_names(self):
        r = self.post("Haar zus Fatima Yilmaz en haar manager Jan de Vries helpen met het rooster.")
        self.assertContains(r, "The entry has been added to the dossier.")
        self.assertContains(r, "Fatima Yilmaz")
        self.assertTrue(
            any("names other people" in w and "Jan de Vries" in w and "GC-5.2" in w for w in self.warnings(r)),
            self.warnings(r),
        )

    def test_pr_4_saving_a_note_about_health_not_marked_medical_advises_marking_it(self):
        r = self.post("Haar diabetes speelt op; ze slaapt slecht.")
        self.assertTrue(any("not marked medical" in w for w in self.warnings(r)), self.warnings(r))

    def test_pr_4_a_note_about_health_marked_medical_gets_no_advice(self):
        r = self.post("Haar diabetes speelt op.", is_medical="on")
        self.assertEqual(self.warnings(r), [])

    def test_gc_5_2_an_ordinary_note_about_the_client_alone_gets_no_warning(self):
        r = self.post("Carla wandelt elke dag en wil volgende week weer een ochtend werken.")
        self.assertEqual(self.warnings(r), [])

    def test_gc_5_2_changing_an_entry_warns_about_the_people_its_new_version_names(self):
        entry = actions.add_entry(
            actor=self.coach,
            client=self.own_client,
            kind=EntryKind.NOTE,
            occurred_on=self.now.date(),
            title="Gesprek",
            text="Rustige week.",
            now=self.now,
        )
        r = self.client.post(
            f"/clients/{self.own_client.public_id}/entries/{entry.public_id}/edit/",
            {"title": "Gesprek", "text": "Haar collega Jan de Vries neemt taken over.", "reason": "Aangevuld"},
            follow=True,
        )
        self.assertTrue(any("Jan de Vries" in w for w in self.warnings(r)), self.warnings(r))


class EntryEditJustificationTestCase(BaseTestCase):
    def test_pr_4_changing_a_justified_entry_keeps_its_justification_in_the_form(self):
        entry = actions.add_entry(
            actor=self.coach,
            client=self.own_client,
            kind=EntryKind.NOTE,
            occurred_on=self.now.date(),
            title="Geloof",
            text=RAMADAN,
            justification="De ramadan bepaalt het opbouwschema.",
            now=self.now,
        )
        self.login(self.coach)
        url = f"/clients/{self.own_client.public_id}/entries/{entry.public_id}/edit/"
        self.assertContains(self.client.get(url), "De ramadan bepaalt het opbouwschema.</textarea>")
        # Fixing a typo sends the form back as it was shown: saved, without arguing PR-4 again.
        r = self.client.post(
            url,
            {
                "title": "Geloof",
                "text": RAMADAN + " Ze rust 's middags.",
                "reason": "Aangevuld",
                "justification": "De ramadan bepaalt het opbouwschema.",
            },
        )
        self.assertEqual(r.status_code, 302)
        entry.refresh_from_db()
        self.assertEqual(entry.current.content["justification"], "De ramadan bepaalt het opbouwschema.")


class SpecialCategoryWordingTestCase(BaseTestCase):
    def test_pr_4_every_special_category_has_a_readable_name(self):
        self.assertEqual(set(validation.CATEGORY_LABELS), {str(c) for c in SpecialCategory})

    def test_pr_4_the_justification_request_names_the_categories_in_the_readers_language(self):
        text = "Ze is moslim en lid van de FNV."
        with translation.override("en"):
            message = validation.require_justification(text, "")["text"]
        self.assertIn("(religion, trade union membership)", message)
        with translation.override("nl"):
            message = validation.require_justification(text, "")["text"]
        self.assertIn("(religie, vakbondslidmaatschap)", message)

    def test_pr_4_sexual_orientation_reads_without_the_codes_underscore(self):
        with translation.override("nl"):
            message = validation.require_justification("Ze is lesbisch.", "")["text"]
        self.assertIn("seksuele geaardheid", message)


class BreakGlassReferenceTestCase(BaseTestCase):
    def test_gc_2_3_a_reference_that_matches_no_client_is_refused_next_to_the_field_keeping_the_reason(self):
        self.login(self.other_coach)
        reason = "Cliënt belt in paniek en haar eigen coach is afwezig."
        r = self.client.post("/clients/break-glass/", {"reference": "Carla de Vries", "reason": reason})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "No client has this reference.")
        self.assertContains(r, reason)
        last = AccessLogEntry.objects.last()
        self.assertEqual(
            (last.action, last.outcome, last.actor), ("break_glass.start", Outcome.DENIED, self.other_coach)
        )

    def test_gc_2_3_the_right_reference_still_opens_the_dossier_for_two_hours(self):
        self.login(self.other_coach)
        r = self.client.post(
            "/clients/break-glass/",
            {
                "reference": f" {self.own_client.reference} ",
                "reason": "Cliënt belt in paniek en haar coach is afwezig.",
            },
        )
        self.assertRedirects(r, f"/clients/{self.own_client.public_id}/")


class ClosedTrajectoryTestCase(BaseTestCase):
    """The trajectory was closed today (NOW); the coach logs sessions two days later."""

    def setUp(self):
        super().setUp()
        self.trajectory = self.own_client.current_trajectory
        actions.close_trajectory(actor=self.management, trajectory=self.trajectory, now=self.now)
        self.later = self.now + datetime.timedelta(days=2)
        self.login(self.coach)

    def test_gc_0_4_a_session_after_the_closing_date_is_refused_next_to_the_date(self):
        with time_machine.travel(self.later, tick=False):
            self.login(self.coach)  # a new working day, a new sign-in
            r = self.client.post(
                f"/clients/{self.own_client.public_id}/sessions/new/",
                {"date": self.later.date().isoformat(), "minutes": 60, "mode": "video"},
            )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "A session cannot be after the trajectory was closed")
        self.assertFalse(self.trajectory.sessions.exists())

    def test_gc_0_4_the_last_session_may_still_be_logged_on_the_closing_date_afterwards(self):
        actions.log_session(
            actor=self.coach,
            trajectory=self.trajectory,
            date=self.now.date(),
            minutes=60,
            mode="video",
            now=self.later,
        )
        self.assertEqual(self.trajectory.sessions.count(), 1)

    def test_gc_7_1_a_closed_trajectory_offers_no_goal_reformulation_it_would_refuse(self):
        r = self.client.get(f"/clients/{self.own_client.public_id}/")
        self.assertNotContains(r, f"/clients/{self.own_client.public_id}/goal/")
        self.assertContains(r, f"/clients/{self.own_client.public_id}/sessions/new/")


class ApprovedHoursTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.trajectory = self.own_client.current_trajectory
        self.trajectory.approved_hours = decimal.Decimal("2.0")
        self.trajectory.save(update_fields=["approved_hours"])
        self.login(self.coach)
        self.url = f"/clients/{self.own_client.public_id}/sessions/new/"

    def log(self, minutes):
        return self.client.post(
            self.url, {"date": self.now.date().isoformat(), "minutes": minutes, "mode": "video"}, follow=True
        )

    def warnings(self, response):
        return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]

    def test_gc_0_5_a_session_within_the_approved_hours_logs_without_a_warning(self):
        r = self.log(90)
        self.assertEqual(self.warnings(r), [])
        self.assertNotContains(r, "more than approved")

    def test_gc_0_5_the_session_that_passes_the_approved_hours_says_so_and_the_dossier_marks_it(self):
        self.log(90)
        r = self.log(60)
        self.assertEqual(
            self.warnings(r),
            [
                "This trajectory has now used 2.5 of the 2.0 hours the principal approved. Ask the principal "
                "for more hours; management records them in the trajectory's terms."
            ],
        )
        self.assertContains(r, "more than approved")


class ConsentEvidenceTitleTestCase(BaseTestCase):
    def record(self, **kwargs):
        consent = actions.record_consent(
            actor=self.coach,
            client=self.own_client,
            given_via="writing",
            valid_from=self.now.date(),
            evidence=SimpleUploadedFile("toestemming.pdf", DEMO_PDF),
            now=self.now,
            **kwargs,
        )
        return consent.evidence.entry.current.content["title"]

    def test_gc_2_5_the_evidence_of_a_substitute_consent_names_the_substitute(self):
        with translation.override("en"):
            title = self.record(
                kind="substitute",
                substitute=self.other_coach,
                valid_until=self.now.date() + datetime.timedelta(days=14),
            )
        self.assertEqual(title, "Evidence of consent: Substitute coach (Bob Coach)")

    def test_gc_6_4_the_evidence_of_a_disclosure_consent_names_the_recipient_in_dutch(self):
        with translation.override("nl"):
            title = self.record(kind="disclosure", recipient="Werkfit", purpose="Training", data_scope="Voortgang")
        self.assertEqual(title, "Bewijs van toestemming: Verstrekking aan een derde partij (Werkfit)")
