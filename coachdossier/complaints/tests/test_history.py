"""KR-3.3e: every step is an event in the complaint's history, and the history reads in the
reader's language. A step's decision used to be stored as text in the language of the page it
was taken on: a ruling recorded in Dutch read "Gedeeltelijk gegrond" on the English page."""

import datetime
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from coachdossier.complaints import actions, sealing
from coachdossier.complaints.models import ComplaintEvent, EventKind

from .test_actions import ComplaintsTestCase, at

D = datetime.date
migration = import_module("coachdossier.complaints.migrations.0006_event_codes")


class HistoryTestCase(ComplaintsTestCase):
    def summaries(self, complaint, language):
        with translation.override(language):
            return {e.kind: e.summary for e in complaint.events.all() if e.summary}

    def umbrella_in_dutch(self):
        """An umbrella complaint whose ruling is recorded and communicated, then closed, all on Dutch pages."""
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        with translation.override("nl"):
            actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
            actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="partly",
                                  ruling_on=D(2026, 1, 31))
            actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 10)))
            actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 2, 11)),
                                    outcome="withdrawn", note="Klager trok de klacht in.")
        return complaint


class TestStepsAreCodes(HistoryTestCase):
    def test_kr_3_3e_a_ruling_recorded_on_a_dutch_page_reads_in_english_on_an_english_page(self):
        complaint = self.umbrella_in_dutch()
        self.assertEqual(self.summaries(complaint, "en"), {
            EventKind.RULING: "Partly founded",
            EventKind.RULING_COMMUNICATED: "Letters with the ruling to the complainant and to the coach Alice Coach.",
            EventKind.CLOSED: "Withdrawn by the complainant"})
        self.assertEqual(self.summaries(complaint, "nl")[EventKind.RULING], "Gedeeltelijk gegrond")
        self.login(self.management)
        url = reverse("complaints:detail", args=[complaint.public_id])
        english = self.client.get(url)
        self.assertContains(english, "Partly founded", count=2)  # the case's ruling and its event
        self.assertNotContains(english, "Gedeeltelijk gegrond")
        self.assertContains(english, "Klager trok de klacht in.")  # what someone wrote stays as written
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        dutch = self.client.get(url)
        self.assertContains(dutch, "Gedeeltelijk gegrond", count=2)
        self.assertContains(dutch, "Ingetrokken door de klager")
        self.assertNotContains(dutch, "Partly founded")

    def test_kr_3_3e_each_step_keeps_its_decision_as_codes_and_only_written_words_as_note(self):
        complaint = self.lodge(received=D(2026, 3, 24), actor=self.coach, channel="phone", phone_offer_made=True,
                               phone_form={"summary": "Afspraak verzet", "wish": "Vaste dag"})
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), admitted=True)
        with translation.override("nl"):
            actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 5, 1)),
                                new_date=D(2026, 6, 1), told_via="phone", text="Klager gebeld.")
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=at(D(2026, 5, 2)))
        actions.settle(actor=self.outsider, complaint=complaint, now=at(D(2026, 5, 20)), text="Opgelost.")
        with translation.override("nl"):
            actions.log_call(actor=self.management, complaint=complaint, now=at(D(2026, 5, 21)), reached=True,
                             satisfied=False, note="Wil mediation.")
        events = {e.kind: e for e in complaint.events.all()}
        self.assertEqual({kind: e.params for kind, e in events.items() if e.params}, {
            EventKind.LODGED: {"phone_offer": True},
            EventKind.EXTENDED: {"new_date": "2026-06-01", "told_via": "phone"},
            EventKind.AFTERCARE: {"reached": True, "satisfied": False}})
        self.assertEqual((events[EventKind.EXTENDED].note, events[EventKind.AFTERCARE].note),
                         ("Klager gebeld.", "Wil mediation."))
        self.assertEqual(self.summaries(complaint, "en"), {
            EventKind.LODGED: "Offered by phone to register it as a complaint; accepted (KR-2.2).",
            EventKind.EXTENDED: "Extended to 1 June 2026; the complainant was told by phone.",
            EventKind.AFTERCARE: "Reached, not satisfied"})
        self.assertEqual(self.summaries(complaint, "nl")[EventKind.EXTENDED],
                         "Verlengd tot 1 juni 2026; de klager is telefonisch op de hoogte gebracht.")

    def test_kr_3_3e_a_code_this_version_does_not_know_is_shown_as_it_is(self):
        event = self.umbrella_in_dutch().events.get(kind=EventKind.CLOSED)
        event.params = {"outcome": "settled_elsewhere"}
        self.assertEqual(event.summary, "outcome: settled_elsewhere")


class TestMigration(HistoryTestCase):
    """0006_event_codes turns the texts written before it into codes, in either language."""

    def old_event(self, complaint, kind, note):
        event = ComplaintEvent.objects.create(complaint=complaint, kind=kind, at=self.now, actor=self.outsider)
        event.sealed_note = sealing.seal_json(complaint, {"note": note}, f"complaint-event:{event.public_id}")
        event.save()
        return event

    def test_kr_3_3e_known_texts_in_dutch_and_english_become_codes_and_free_text_stays(self):
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        rows = [
            (EventKind.RULING, "Gedeeltelijk gegrond", {"ruling": "partly"}, ""),
            (EventKind.RULING, "Unfounded", {"ruling": "unfounded"}, ""),
            (EventKind.LODGED, "Telefonisch aangeboden dit als klacht te registreren; aanvaard (KR-2.2).",
             {"phone_offer": True}, ""),
            (EventKind.EXTENDED, "2026-03-01 (Telefonisch): Klager gebeld: commissie wil beide partijen horen.",
             {"new_date": "2026-03-01", "told_via": "phone"}, "Klager gebeld: commissie wil beide partijen horen."),
            (EventKind.EXTENDED, "2026-03-01 (In writing)", {"new_date": "2026-03-01", "told_via": "letter"}, ""),
            (EventKind.RULING_COMMUNICATED, "Brieven met de uitspraak aan de klager en aan de coach Alice Coach.",
             {"coach_letter": True}, ""),
            (EventKind.RULING_COMMUNICATED, "Letter with the ruling to the complainant; the complaint names no coach.",
             {"coach_letter": False}, ""),
            (EventKind.AFTERCARE, "niet bereikt. Geen gehoor.", {"reached": False, "satisfied": None}, "Geen gehoor."),
            (EventKind.AFTERCARE, "reached, not satisfied.", {"reached": True, "satisfied": False}, ""),
            (EventKind.CLOSED, "Ingetrokken door de klager. Via de telefoon.", {"outcome": "withdrawn"},
             "Via de telefoon."),
            (EventKind.CLOSED, "Taken as settled (complainant not reached, KR-3.4b).",
             {"outcome": "assumed_satisfied"}, ""),
            # Not written by the code: left as they are.
            (EventKind.CLOSED, "Klacht opgelost na gesprek.", {}, "Klacht opgelost na gesprek."),
            (EventKind.RULING, "Gegrond, met excuses", {}, "Gegrond, met excuses"),
            (EventKind.NOTE, "Gedeeltelijk gegrond", {}, "Gedeeltelijk gegrond"),
            (EventKind.NOT_ADMITTED, "Ingetrokken door de klager. Over UWV.", {}, "Ingetrokken door de klager. Over UWV."),
        ]
        events = [self.old_event(complaint, kind, note) for kind, note, _params, _rest in rows]
        migration.to_codes(apps, None)
        for event, (_kind, note, params, rest) in zip(events, rows, strict=True):
            with self.subTest(note=note):
                event = ComplaintEvent.objects.get(pk=event.pk)
                self.assertEqual((event.params, event.note), (params, rest))
                self.assertEqual(bytes(event.sealed_note) == b"", not rest)
        with translation.override("en"):
            self.assertEqual(ComplaintEvent.objects.get(pk=events[0].pk).summary, "Partly founded")

    def test_back_the_codes_become_the_dutch_text_they_were(self):
        complaint = self.umbrella_in_dutch()
        before = {e.kind: (e.params, e.note) for e in complaint.events.all()}
        migration.to_text(apps, None)
        self.assertEqual({e.kind: e.note for e in complaint.events.all() if e.note}, {
            EventKind.RULING: "Gedeeltelijk gegrond",
            EventKind.RULING_COMMUNICATED: "Brieven met de uitspraak aan de klager en aan de coach Alice Coach.",
            EventKind.CLOSED: "Ingetrokken door de klager. Klager trok de klacht in."})
        migration.to_codes(apps, None)
        self.assertEqual({e.kind: (e.params, e.note) for e in complaint.events.all()}, before)

    def test_the_notes_of_a_destroyed_clients_complaint_are_left_alone(self):
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        event = self.old_event(complaint, EventKind.RULING, "Gegrond")
        type(complaint).objects.filter(pk=complaint.pk).update(content_removed_at=self.now)
        migration.to_codes(apps, None)
        event.refresh_from_db()
        self.assertEqual(event.params, {})
