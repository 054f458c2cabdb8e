"""The procedure end to end, through the actions, with the time given."""

import datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import AccessLogEntry, Basis
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.complaints import actions, letters
from coachdossier.complaints.deadlines import State
from coachdossier.complaints.models import (
    Complaint,
    ComplaintEvent,
    EventKind,
    Letter,
    LetterKind,
    LetterTemplate,
    ProcedureNotice,
    Reminder,
    Status,
    clocks_for,
)
from coachdossier.lib import pdf
from coachdossier.test import BaseTestCase, make_client, make_user

D = datetime.date


def at(day: datetime.date, hour=10):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class ComplaintsTestCase(BaseTestCase):
    coach_c: User
    coach_d: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.coach_c = make_user("cor@example.com", "Cor Coach", Role.COACH)
        cls.coach_d = make_user("dina@example.com", "Dina Coach", Role.COACH)

    def lodge(self, received=datetime.date(2026, 3, 24), **kwargs):
        args = dict(actor=self.client_user, now=at(received), received_on=received, channel="portal",
                    subject="coach", coach=self.coach,
                    category="communication", description="Mijn coach kwam twee keer niet opdagen.",
                    client=self.own_client, language="nl")  # the letters these tests read are Dutch
        args.update(kwargs)
        return actions.lodge_complaint(**args)

    def admitted_with_committee(self, received: datetime.date):
        """Registered, acknowledged and admitted on the day it came in, with a committee of two."""
        complaint = self.lodge(received=received)
        for step in (actions.register_complaint, actions.acknowledge):
            step(actor=self.outsider, complaint=complaint, now=at(received))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(received), admitted=True)
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=at(received))
        return complaint

    def clocks(self, complaint, today):
        complaint.refresh_from_db()
        return {c.key: c for c in clocks_for(complaint, today)}


class TestLodging(ComplaintsTestCase):
    def test_kr_1_a_client_lodges_a_complaint_sealed_with_their_key(self):
        """KR-1: a client lodges in the portal; the content is sealed, the plain columns are not."""
        complaint = self.lodge()
        self.assertEqual(complaint.status, Status.LODGED)
        self.assertEqual(complaint.complainant_user, self.client_user)
        self.assertNotIn(b"opdagen", bytes(complaint.sealed))
        self.assertEqual(Complaint.objects.get().content["description"], "Mijn coach kwam twee keer niet opdagen.")
        self.assertEqual(complaint.content["name"], "Carla de Vries")
        self.assertTrue(AccessLogEntry.objects.filter(action="complaint.lodge", basis=Basis.CLIENT).exists())

    def test_kr_2_1_staff_lodge_a_letter_with_its_source_document(self):
        """KR-2.1: a letter, attached encrypted; a complainant who is no client gets a key of their own."""
        complaint = actions.lodge_complaint(
            actor=self.outsider, now=self.now, channel="letter", subject="service", category="costs",
            description="De factuur klopt niet.", name="J. Pietersen", address_lines=["J. Pietersen", "Laan 1"],
            files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)])
        doc = complaint.documents.get()
        self.assertEqual(doc.name, "brief.pdf")
        self.assertEqual(actions.read_document(doc), DEMO_PDF)
        self.assertIsNone(complaint.client)
        self.assertEqual(Complaint.objects.get().content["name"], "J. Pietersen")

    def test_kr_2_2_a_phone_complaint_needs_the_offer_and_the_standard_form(self):
        """KR-2.2: refused without the recorded offer and the form; accepted with both."""
        with self.assertRaises(ValidationError) as cm:
            actions.lodge_complaint(actor=self.coach, now=self.now, channel="phone", subject="service",
                                    category="planning", description="Belde boos op.", client=self.own_client)
        self.assertIn("phone_offer_made", cm.exception.message_dict)
        self.assertIn("phone_summary", cm.exception.message_dict)
        self.assertFalse(Complaint.objects.exists())
        complaint = actions.lodge_complaint(
            actor=self.coach, now=self.now, channel="phone", subject="service", category="planning",
            description="Belde boos op.", client=self.own_client, phone_offer_made=True,
            phone_form={"summary": "Afspraak twee keer verzet", "wish": "Vaste afspraaktijd"})
        self.assertTrue(complaint.phone_offer_made)
        self.assertEqual(complaint.content["phone_form"]["wish"], "Vaste afspraaktijd")

    def test_a_receipt_date_in_the_future_is_refused_and_nothing_saved(self):
        with self.assertRaises(ValidationError) as cm:
            self.lodge(received=D(2026, 3, 24), now=at(D(2026, 3, 23)))
        self.assertIn("received_on", cm.exception.message_dict)
        self.assertFalse(Complaint.objects.exists())

    def test_kr_3_2_a_receipt_date_with_a_mistyped_year_is_refused_so_no_clock_runs_from_it(self):
        """KR-3.2: every clock runs from the receipt date; year 0026 for 2026 broke the register."""
        for received in (D(26, 3, 24), D(2025, 3, 23)):
            with self.assertRaises(ValidationError) as cm:
                self.lodge(received=received, now=at(D(2026, 3, 24)))
            self.assertIn("received_on", cm.exception.message_dict)
        self.assertFalse(Complaint.objects.exists())
        complaint = self.lodge(received=D(2025, 3, 24), now=at(D(2026, 3, 24)), actor=self.outsider, channel="letter")
        with self.assertRaises(ValidationError) as cm:
            actions.register_complaint(actor=self.management, complaint=complaint, now=at(D(2026, 3, 24)),
                                       received_on=D(26, 3, 24))
        self.assertIn("received_on", cm.exception.message_dict)

    def test_kr_3_2_the_receipt_date_is_not_moved_past_the_day_the_complaint_was_entered(self):
        """KR-3.2: every clock runs from the receipt date; moved later at registration, a complaint
        registered late read as registered in time."""
        letter = self.lodge(received=D(2026, 3, 20), now=at(D(2026, 3, 24)), actor=self.outsider, channel="letter")
        portal = self.lodge(received=D(2026, 3, 24))
        for complaint, received in ((letter, D(2026, 4, 7)), (letter, D(2026, 3, 25)), (portal, D(2026, 4, 7))):
            with self.subTest(complaint.channel, received=received), self.assertRaises(ValidationError) as cm:
                actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 8)),
                                           received_on=received)
            self.assertIn("received_on", cm.exception.message_dict)
        for complaint in (letter, portal):
            complaint.refresh_from_db()
            self.assertEqual(complaint.number, "")
            self.assertEqual(self.clocks(complaint, D(2026, 4, 8))["register"].state, State.LATE)
        # A typing error in the date of a letter is still corrected, to the day it was entered at the latest.
        actions.register_complaint(actor=self.outsider, complaint=letter, now=at(D(2026, 3, 25)),
                                   received_on=D(2026, 3, 24))
        self.assertEqual(letter.received_on, D(2026, 3, 24))

    def test_kr_3_2_a_client_lodges_through_the_portal_on_the_day_it_is_sent(self):
        """KR-3.2: a client dated their own complaint back to January (every clock late on arrival)
        or called it a letter or phone call; the channel and receipt date are the practice's record."""
        for kwargs in ({"received": D(2026, 1, 10), "now": at(D(2026, 3, 24))}, {"channel": "letter"},
                       {"channel": "phone", "phone_offer_made": True, "phone_form": {"summary": "a", "wish": "b"}}):
            with self.assertRaises(ValidationError) as cm:
                self.lodge(**kwargs)
            self.assertEqual(set(cm.exception.message_dict), {"received_on"} if "now" in kwargs else {"channel"})
        self.assertFalse(Complaint.objects.exists())
        complaint = self.lodge(received=D(2026, 3, 24), now=at(D(2026, 3, 24)))
        self.assertEqual((complaint.channel, complaint.received_on), ("portal", D(2026, 3, 24)))
        staff = self.lodge(received=D(2026, 1, 10), now=at(D(2026, 3, 24)), actor=self.outsider, channel="letter")
        self.assertEqual(staff.received_on, D(2026, 1, 10))

    def test_gc_0_2_a_complaint_about_a_coach_at_umbrella_level(self):
        """GC-0.2: a client of the umbrella organisation may complain at umbrella level."""
        complaint = self.lodge(level="umbrella")
        self.assertEqual(complaint.level, "umbrella")
        with self.assertRaises(ValidationError):
            self.lodge(coach=None)

    def test_kr_3_7_a_uwv_clients_complaint_is_marked_as_such(self):
        complaint = self.lodge(actor=self.other_client_user, client=self.other_client, coach=self.other_coach)
        self.assertTrue(complaint.is_uwv_client)
        self.assertFalse(self.lodge().is_uwv_client)


class TestTheWholeProcedure(ComplaintsTestCase):
    def test_kr_3_from_receipt_to_closure_with_every_clock(self):
        """KR-3.2, KR-3.3a, KR-3.3b, KR-3.3d, KR-3.3e, KR-3.4a, KR-3.5: the procedure end to end."""
        complaint = self.lodge(received=D(2026, 3, 24))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 26)))
        self.assertEqual(complaint.number, "K-2026-001")
        actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 30)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 30)), admitted=True)
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=at(D(2026, 3, 31)))
        clocks = self.clocks(complaint, D(2026, 4, 1))
        self.assertEqual(clocks["register"].state, State.MET)
        self.assertEqual(clocks["acknowledge"].state, State.MET)
        self.assertEqual(clocks["settle"].state, State.OPEN)
        actions.settle(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 24)), text="Excuses; nieuwe coach.",
                       measures="Afspraken worden voortaan bevestigd per sms.")
        actions.log_call(actor=self.management, complaint=complaint, now=at(D(2026, 4, 28)), reached=True,
                         satisfied=True, note="Tevreden met de nieuwe coach.")
        actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 28)), outcome="satisfied")
        clocks = self.clocks(complaint, D(2026, 6, 1))
        self.assertEqual({k: c.state for k, c in clocks.items()}, {
            "register": State.MET, "acknowledge": State.MET, "non_admission": State.NOT_APPLICABLE,
            "settle": State.MET, "aftercare": State.MET, "ruling": State.NOT_APPLICABLE})
        self.assertEqual(complaint.status, Status.CLOSED)
        kinds = list(complaint.events.values_list("kind", flat=True))
        self.assertEqual(kinds, [EventKind.LODGED, EventKind.REGISTERED, EventKind.ACKNOWLEDGED, EventKind.ADMITTED,
                                 EventKind.COMMITTEE, EventKind.SETTLED, EventKind.AFTERCARE, EventKind.CLOSED])
        self.assertEqual(list(complaint.letters.values_list("kind", flat=True)),
                         [LetterKind.ACKNOWLEDGEMENT, LetterKind.SETTLEMENT])
        self.assertIn("Tevreden", ComplaintEvent.objects.get(kind=EventKind.AFTERCARE).note)

    def test_kr_3_3d_extension_only_before_expiry(self):
        """KR-3.3d: recorded before the term ends, with new date and how told; refused after."""
        complaint = self.lodge(received=D(2026, 3, 24))  # settle due Wed 6 May 2026
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), admitted=True)
        with self.assertRaises(ValidationError) as cm:
            actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 5, 7)),
                                new_date=D(2026, 6, 1), told_via="phone")
        self.assertIn("new_date", cm.exception.message_dict)
        complaint.refresh_from_db()
        self.assertIsNone(complaint.extended_to)
        with self.assertRaises(ValidationError) as cm:
            actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 5, 6)),
                                new_date=D(2026, 6, 1), told_via="")
        self.assertIn("told_via", cm.exception.message_dict)
        actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 5, 6)), new_date=D(2026, 6, 1),
                            told_via="letter")
        self.assertEqual(self.clocks(complaint, D(2026, 5, 20))["settle"].state, State.EXTENDED)
        self.assertEqual(complaint.letters.get().kind, LetterKind.EXTENSION)
        self.assertIn("1 juni 2026", complaint.letters.get().content["body"])

    def test_kr_3_3d_an_extension_with_a_mistyped_year_is_refused(self):
        """KR-3.3d: 9999-12-31 (or 2207 for 2027) kept the settlement clock open, never late."""
        complaint = self.lodge(received=D(2026, 3, 24))  # settle due Wed 6 May 2026
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        for new_date in (D(9999, 12, 31), D(2207, 1, 5), D(2027, 3, 25)):
            with self.assertRaises(ValidationError) as cm:
                actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 1)),
                                    new_date=new_date, told_via="phone")
            self.assertIn("check the year", cm.exception.message_dict["new_date"][0])
        complaint.refresh_from_db()
        self.assertIsNone(complaint.extended_to)
        actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 1)), new_date=D(2027, 3, 24),
                            told_via="phone")
        self.assertEqual(self.clocks(complaint, D(2026, 4, 2))["settle"].due, D(2027, 3, 24))

    def test_kr_3_3d_a_refused_extension_names_the_due_date_as_the_page_writes_dates(self):
        """KR-3.3d: the message gave the due date as 2026-05-06 in a page that writes 6 mei 2026."""
        from django.utils import translation

        complaint = self.lodge(received=D(2026, 3, 24))  # settle due Wed 6 May 2026
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), admitted=True)
        for language, written in (("nl", "6 mei 2026"), ("en", "6 May 2026")):
            for today in (D(2026, 5, 6), D(2026, 5, 7)):  # a date not after it; a term already expired
                with translation.override(language), self.assertRaises(ValidationError) as cm:
                    actions.extend_term(actor=self.outsider, complaint=complaint, now=at(today),
                                        new_date=D(2026, 5, 1), told_via="phone")
                [message] = cm.exception.message_dict["new_date"]
                self.assertIn(written, message)
                self.assertNotIn("2026-05-06", message)

    def test_a_letter_text_longer_than_ten_thousand_characters_is_refused_and_nothing_is_saved(self):
        """KR-3.3: 100,000 characters went into a complaint letter; its free text now has a limit."""
        too_long, longest = "x" * (actions.LETTER_TEXT_MAX + 1), "x" * actions.LETTER_TEXT_MAX
        complaint = self.lodge(received=D(2026, 3, 24))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        with self.assertRaises(ValidationError) as cm:
            actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), text=too_long)
        self.assertEqual(cm.exception.message_dict["text"], ["A letter text can be at most 10,000 characters."])
        with self.assertRaises(ValidationError) as cm:
            actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)),
                                     admitted=False, reason=too_long)
        self.assertIn("reason", cm.exception.message_dict)
        complaint.refresh_from_db()
        self.assertIsNone(complaint.acknowledged_on)
        self.assertIsNone(complaint.admitted)
        self.assertFalse(Letter.objects.exists())
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), admitted=True)
        with self.assertRaises(ValidationError) as cm:
            actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 5, 6)),
                                new_date=D(2026, 6, 1), told_via="letter", text=too_long)
        self.assertIn("text", cm.exception.message_dict)
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=at(D(2026, 3, 26)))
        with self.assertRaises(ValidationError) as cm:
            actions.settle(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 1)), text=too_long,
                           measures=too_long)
        self.assertEqual(set(cm.exception.message_dict), {"text", "measures"})
        self.assertFalse(Letter.objects.exists())
        actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), text=longest)
        self.assertEqual(Letter.objects.count(), 1)

    def test_kr_3_3c_non_admission_needs_a_reason_and_sends_the_letter(self):
        """KR-3.3c: no reason, nothing saved; with a reason the letter says it."""
        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        with self.assertRaises(ValidationError) as cm:
            actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 30)), admitted=False)
        self.assertIn("reason", cm.exception.message_dict)
        complaint.refresh_from_db()
        self.assertIsNone(complaint.admitted)
        letter = actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 30)),
                                          admitted=False, reason="De klacht gaat over een andere organisatie.")
        self.assertIn("andere organisatie", letter.content["body"])
        self.assertEqual(self.clocks(complaint, D(2026, 4, 1))["non_admission"].state, State.MET)
        with self.assertRaises(ValidationError):
            actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 1)),
                                    outcome="satisfied")
        actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 1)), outcome="not_admitted")

    def test_closing_without_an_outcome_or_with_one_that_does_not_apply_is_refused(self):
        """KR-3.5: a closed complaint has its outcome; GC-8.2: a practice-level complaint does
        not close with an umbrella committee's ruling."""
        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        for outcome in ("", "ruling"):
            with self.subTest(outcome=outcome), self.assertRaises(ValidationError) as cm:
                actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 26)),
                                        outcome=outcome)
            self.assertIn("outcome", cm.exception.message_dict)
        complaint.refresh_from_db()
        self.assertEqual(complaint.status, Status.REGISTERED)


class TestAcknowledgementByLevel(ComplaintsTestCase):
    """KR-3.3a, GC-8.1: the acknowledgement told every complainant that two of the practice's
    coaches would handle the complaint and settle it within six weeks, also when the umbrella
    organisation's committee handles it under its own regulation."""

    def acknowledgement(self, **kwargs):
        complaint = self.lodge(received=D(2026, 3, 24), **kwargs)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        return actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 26))).content["body"]

    def test_kr_3_3a_gc_8_1_an_umbrella_complaint_is_told_the_umbrella_committee_handles_it(self):
        body = self.acknowledgement(level="umbrella")
        self.assertIn("door de klachtencommissie van de koepelorganisatie, volgens haar eigen klachtenreglement", body)
        self.assertIn("Binnen één maand na de uitspraak van die commissie brengen wij u en de coach over wie uw "
                      "klacht gaat schriftelijk op de hoogte", body)
        self.assertNotIn("twee coaches", body)
        self.assertNotIn("weken", body)  # the practice's settlement term is not its term

    def test_kr_3_3a_kr_3_3b_a_practice_complaint_is_told_two_uninvolved_coaches_handle_it(self):
        body = self.acknowledgement()
        self.assertIn("klachtencommissie van twee coaches die zelf niet bij de klacht betrokken zijn", body)
        self.assertIn("binnen 6 weken na de ontvangstdatum", body)
        self.assertNotIn("koepelorganisatie", body)

    def test_kr_3_3a_gc_8_1_the_procedure_reads_right_in_english_too(self):
        practice = self.lodge()
        umbrella = self.lodge(level="umbrella", subject="service", coach=None)
        self.assertIn("two coaches who are not themselves involved", letters.procedure_words(practice, "en"))
        self.assertIn("within 6 weeks", letters.procedure_words(practice, "en"))
        english = letters.procedure_words(umbrella, "en")
        self.assertIn("the umbrella organisation's complaints committee, under its own complaints regulation", english)
        self.assertIn("Within one month of that committee's ruling we will inform you in writing", english)
        self.assertNotIn("two coaches", english)

    def test_kr_3_3a_an_umbrella_complaint_that_names_no_coach_is_told_only_the_complainant_hears(self):
        body = self.acknowledgement(level="umbrella", subject="service", coach=None)
        self.assertIn("brengen wij u schriftelijk op de hoogte", body)

    def test_kr_3_3a_a_stored_template_with_the_old_paragraph_gets_the_placeholder_and_an_edited_one_is_kept(self):
        """The default was saved on first use: without the migration every practice that had
        sent one acknowledgement kept telling umbrella complainants about its two coaches."""
        from importlib import import_module

        from django.apps import apps

        migration = import_module("coachdossier.complaints.migrations.0008_acknowledgement_procedure_by_level")
        old_body = letters.DEFAULTS[LetterKind.ACKNOWLEDGEMENT][1].replace("{procedure}", migration.OLD_PARAGRAPH)
        stored = LetterTemplate.objects.create(kind=LetterKind.ACKNOWLEDGEMENT, language="nl", subject="Ontvangst",
                                               body=old_body)
        edited = LetterTemplate.objects.create(kind=LetterKind.ACKNOWLEDGEMENT, language="en", subject="Receipt",
                                               body="Dear {name},\n\nOur own words.")
        migration.forwards(apps, None)
        stored.refresh_from_db()
        edited.refresh_from_db()
        self.assertEqual(stored.body, letters.DEFAULTS[LetterKind.ACKNOWLEDGEMENT][1])
        self.assertEqual(edited.body, "Dear {name},\n\nOur own words.")
        self.assertIn("koepelorganisatie", self.acknowledgement(level="umbrella"))


class TestCommittee(ComplaintsTestCase):
    def setUp(self):
        super().setUp()
        self.complaint = self.lodge(coach=self.other_coach)
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=at(D(2026, 3, 25)))

    def appoint(self, *coaches):
        return actions.appoint_committee(actor=self.outsider, complaint=self.complaint, coaches=coaches,
                                         now=at(D(2026, 3, 26)))

    def test_kr_3_3b_it_refuses_the_clients_own_coach(self):
        """KR-3.3b: Alice is Carla's coach."""
        with self.assertRaises(ValidationError) as cm:
            self.appoint(self.coach, self.coach_c)
        self.assertIn("own coach", str(cm.exception.message_dict["coaches"]))
        self.assertFalse(self.complaint.committee.exists())

    def test_kr_3_3b_it_refuses_the_clients_substitute_coach_also_after_the_consented_period(self):
        """KR-3.3b, GC-2.5: Dina stood in for Carla's coach, with her dossier open to her."""
        client_actions.record_consent(actor=self.coach, client=self.own_client, kind="substitute",
                                      substitute=self.coach_d, given_via="writing", valid_from=D(2026, 2, 1),
                                      valid_until=D(2026, 2, 28), evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF),
                                      now=at(D(2026, 2, 1)))
        with self.assertRaises(ValidationError) as cm:
            self.appoint(self.coach_c, self.coach_d)
        self.assertIn("substitute coach", str(cm.exception.message_dict["coaches"]))
        self.assertFalse(self.complaint.committee.exists())

    def test_kr_3_3b_a_committee_member_who_became_the_clients_substitute_cannot_settle_the_complaint(self):
        """KR-3.3b, GC-2.5: Dina was uninvolved when appointed, then stood in for Carla's coach; the
        committee she sat on settled the complaint all the same."""
        actions.decide_admission(actor=self.outsider, complaint=self.complaint, now=at(D(2026, 3, 26)), admitted=True)
        self.appoint(self.coach_c, self.coach_d)
        client_actions.record_consent(actor=self.coach, client=self.own_client, kind="substitute",
                                      substitute=self.coach_d, given_via="writing", valid_from=D(2026, 4, 1),
                                      valid_until=D(2026, 4, 30), evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF),
                                      now=at(D(2026, 4, 1)))
        with self.assertRaises(ValidationError) as cm:
            actions.settle(actor=self.outsider, complaint=self.complaint, now=at(D(2026, 4, 2)), text="Opgelost.")
        self.assertEqual(cm.exception.message_dict["complaint"], [
            "Dina Coach is, or was, the client's substitute coach.",
            "Appoint a new committee of two uninvolved coaches first (KR-3.3b)."])
        self.complaint.refresh_from_db()
        self.assertEqual((self.complaint.answered_on, self.complaint.letters.count()), (None, 0))
        self.appoint(self.coach_c, make_user("eva@example.com", "Eva Coach", Role.COACH))
        actions.settle(actor=self.outsider, complaint=self.complaint, now=at(D(2026, 4, 2)), text="Opgelost.")

    def test_kr_3_3b_it_refuses_the_coach_complained_about(self):
        with self.assertRaises(ValidationError) as cm:
            self.appoint(self.other_coach, self.coach_c)
        self.assertIn("complaint is about", str(cm.exception.message_dict["coaches"]))

    def test_kr_3_3b_it_refuses_the_complainant(self):
        coach_complaint = actions.lodge_complaint(actor=self.coach_c, now=self.now, channel="email",
                                                  subject="service", category="other", description="x", name="Cor")
        coach_complaint.complainant_user = self.coach_c
        coach_complaint.save()
        actions.register_complaint(actor=self.outsider, complaint=coach_complaint, now=self.now)
        with self.assertRaises(ValidationError) as cm:
            actions.appoint_committee(actor=self.outsider, complaint=coach_complaint,
                                      coaches=[self.coach_c, self.coach_d], now=self.now)
        self.assertIn("complainant", str(cm.exception.message_dict["coaches"]))

    def test_kr_3_3b_the_committee_that_handled_a_settled_complaint_cannot_be_replaced(self):
        """KR-3.3b, KR-3.3e: the API replaced the committee after the settlement letter."""
        actions.decide_admission(actor=self.outsider, complaint=self.complaint, now=at(D(2026, 3, 26)), admitted=True)
        [first, second] = self.appoint(self.coach_c, self.coach_d)
        actions.settle(actor=self.outsider, complaint=self.complaint, now=at(D(2026, 4, 1)), text="Antwoord.")
        third = make_user("eef@example.com", "Eef Coach", Role.COACH)
        with self.assertRaises(ValidationError) as cm:
            self.appoint(self.coach_c, third)
        self.assertIn("coaches", cm.exception.message_dict)
        self.assertEqual(list(self.complaint.committee.values_list("pk", flat=True)), [first.pk, second.pk])

    def test_kr_3_3b_a_complaint_that_is_not_admitted_gets_no_committee(self):
        actions.decide_admission(actor=self.outsider, complaint=self.complaint, now=at(D(2026, 3, 26)),
                                 admitted=False, reason="Gaat over een andere organisatie.")
        with self.assertRaises(ValidationError) as cm:
            self.appoint(self.coach_c, self.coach_d)
        self.assertIn("coaches", cm.exception.message_dict)
        self.assertFalse(self.complaint.committee.exists())

    def test_kr_3_3b_exactly_two_coaches(self):
        for coaches in ([self.coach_c], [self.coach_c, self.coach_c], [self.coach_c, self.coach_d, self.coach]):
            with self.assertRaises(ValidationError):
                self.appoint(*coaches)
        self.appoint(self.coach_c, self.coach_d)
        self.assertEqual(self.complaint.committee.count(), 2)


class TestAftercare(ComplaintsTestCase):
    def answered(self):
        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), admitted=True)
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=at(D(2026, 3, 26)))
        actions.settle(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 24)), text="Antwoord.")
        return complaint

    def test_kr_3_4b_after_the_failed_calls_the_standard_letter_is_proposed(self):
        """KR-3.4b: three statements and the contact person and number from the policy."""
        complaint = self.answered()
        with self.assertRaises(ValidationError):
            actions.send_not_reached_letter(actor=self.management, complaint=complaint, now=at(D(2026, 4, 27)))
        for day in (27, 28, 29):
            actions.log_call(actor=self.management, complaint=complaint, now=at(D(2026, 4, day)), reached=False)
        self.assertTrue(actions.proposes_not_reached_letter(complaint))
        letter = actions.send_not_reached_letter(actor=self.management, complaint=complaint, now=at(D(2026, 4, 30)))
        body = letter.content["body"]
        self.assertIn("niet telefonisch kunnen bereiken", body)
        self.assertIn("naar tevredenheid is afgehandeld", body)
        self.assertIn("A. de Klachtenfunctionaris, 030 123 45 67", body)
        self.assertEqual(self.clocks(complaint, D(2026, 5, 1))["aftercare"].state, State.MET)
        actions.close_complaint(actor=self.management, complaint=complaint, now=at(D(2026, 5, 1)),
                                outcome="assumed_satisfied")

    def test_kr_3_4c_disagreement_leads_to_a_mediation_referral(self):
        """KR-3.4c: a mediation referral letter, then closing through mediation."""
        complaint = self.answered()
        actions.log_call(actor=self.management, complaint=complaint, now=at(D(2026, 4, 27)), reached=True,
                         satisfied=False)
        letter = actions.refer_to_mediation(actor=self.management, complaint=complaint, now=at(D(2026, 4, 28)),
                                            text="Mediator: mr. B. Bemiddel.")
        self.assertIn("erkend mediator", letter.content["body"])
        self.assertEqual(complaint.status, Status.MEDIATION)
        actions.close_complaint(actor=self.management, complaint=complaint, now=at(D(2026, 6, 1)), outcome="mediation")

    def test_a_reached_call_needs_the_satisfaction_answer(self):
        complaint = self.answered()
        with self.assertRaises(ValidationError) as cm:
            actions.log_call(actor=self.management, complaint=complaint, now=at(D(2026, 4, 27)), reached=True)
        self.assertIn("satisfied", cm.exception.message_dict)


class TestUmbrellaRuling(ComplaintsTestCase):
    def test_gc_8_1_gc_8_2_the_ruling_is_communicated_within_a_month(self):
        """GC-8.1, GC-8.2: an umbrella complaint gets a ruling that goes to complainant and coach."""
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="partly",
                              ruling_on=D(2026, 1, 31), measures="Extra intervisie voor de coach.")
        self.assertEqual(self.clocks(complaint, D(2026, 2, 3))["ruling"].due, D(2026, 3, 2))
        letter = actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 10)))
        self.assertIn("gedeeltelijk gegrond", letter.content["body"])
        self.assertEqual(self.clocks(complaint, D(2026, 2, 11))["ruling"].state, State.MET)

    def test_gc_8_2_the_ruling_and_measures_go_to_the_coach_in_a_letter_of_their_own(self):
        """GC-8.2: the ruling is put to the complainant and the coach. Only the complainant got a
        letter, while the register said both had been told."""
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="partly",
                              ruling_on=D(2026, 1, 31), measures="Extra intervisie voor de coach.")
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 10)),
                                       text="Wij bieden u onze excuses aan.", coach_text="Bel mij gerust.")
        to_complainant, to_coach = complaint.letters.all()
        self.assertEqual((to_complainant.kind, to_coach.kind), (LetterKind.RULING, LetterKind.RULING_COACH))
        self.assertEqual(to_coach.content["recipient_lines"], ["Alice Coach"])
        body = to_coach.content["body"]
        self.assertTrue(body.startswith("Beste Alice Coach,"))
        for words in ("K-2026-001", "gedeeltelijk gegrond", "Extra intervisie voor de coach.", "Bel mij gerust."):
            self.assertIn(words, body)
        self.assertNotIn("excuses", body)  # each letter its own words
        self.assertNotIn("Carla", body)  # the coach's letter does not name the complainant
        self.assertIn("Extra intervisie voor de coach.", to_complainant.content["body"])
        self.assertTrue(letters.render(to_coach).startswith(b"%PDF"))
        # The complainant's portal notice is for her letter; the coach's goes by post.
        self.assertEqual([m.to for m in mail.outbox], [["carla@example.com"]])
        self.assertFalse(Letter.objects.get(pk=to_coach.pk).emailed)
        event = complaint.events.get(kind=EventKind.RULING_COMMUNICATED)
        self.assertEqual(event.summary, "Letters with the ruling to the complainant and to the coach Alice Coach.")

    def test_gc_8_2_a_ruling_on_a_complaint_that_names_no_coach_is_one_letter_and_the_register_says_so(self):
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5), subject="service", coach=None)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="unfounded",
                              ruling_on=D(2026, 1, 31))
        actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 10)))
        self.assertEqual(list(complaint.letters.values_list("kind", flat=True)), [LetterKind.RULING])
        self.assertIn("uitspraak: geen.", complaint.letters.get().content["body"])
        self.assertEqual(complaint.events.get(kind=EventKind.RULING_COMMUNICATED).summary,
                         "Letter with the ruling to the complainant; the complaint names no coach.")

    def test_gc_8_2_a_ruling_once_recorded_and_communicated_cannot_be_overwritten(self):
        """GC-8.2: the API recorded 'unfounded' over the 'partly founded' the complainant was told."""
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="partly",
                              ruling_on=D(2026, 1, 31))
        actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 10)))
        with self.assertRaises(ValidationError) as cm:
            actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 11)),
                                  ruling="unfounded", ruling_on=D(2026, 2, 11))
        self.assertIn("ruling", cm.exception.message_dict)
        complaint.refresh_from_db()
        self.assertEqual((complaint.ruling, complaint.ruling_on), ("partly", D(2026, 1, 31)))


class TestUmbrellaClosing(ComplaintsTestCase):
    """GC-8.1, GC-8.2: an umbrella complaint is handled by the umbrella organisation's committee
    under its own regulation; the practice records the ruling and tells complainant and coach.
    Before, it could close only as "withdrawn" (every other outcome needs the practice's
    settlement letter, which needs a committee of the practice's own coaches), and its KR-3.3d
    settlement clock ran late while nobody at the practice could settle it."""

    def ruled(self, communicated=True):
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)), admitted=True)
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 3, 2)), ruling="founded",
                              ruling_on=D(2026, 2, 27))
        if communicated:
            actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 3, 3)))
        return complaint

    def test_gc_8_2_an_umbrella_complaint_closes_with_the_ruling_once_both_parties_were_told(self):
        complaint = self.ruled(communicated=False)
        with self.assertRaises(ValidationError) as cm:
            actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 3)), outcome="ruling")
        self.assertIn("whose ruling was communicated", cm.exception.message_dict["outcome"][0])
        actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 3, 3)))
        actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 4)), outcome="ruling")
        complaint.refresh_from_db()
        self.assertEqual((complaint.status, complaint.outcome, complaint.closed_on), ("closed", "ruling", D(2026, 3, 4)))
        self.assertEqual({k: c.state for k, c in self.clocks(complaint, D(2026, 6, 1)).items()}, {
            "register": State.MET, "acknowledge": State.MET, "non_admission": State.NOT_APPLICABLE,
            "settle": State.NOT_APPLICABLE, "aftercare": State.NOT_APPLICABLE, "ruling": State.MET})

    def test_gc_8_1_the_practice_appoints_no_committee_of_its_own_and_sends_no_settlement_for_it(self):
        complaint = self.ruled(communicated=False)
        attempts = {
            "committee": lambda: actions.appoint_committee(actor=self.outsider, complaint=complaint,
                                                           coaches=[self.coach_c, self.coach_d], now=at(D(2026, 1, 7))),
            "extension": lambda: actions.extend_term(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 7)),
                                                     new_date=D(2026, 3, 30), told_via="phone"),
            "settlement": lambda: actions.settle(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 7)),
                                                 text="Opgelost."),
        }
        for step, attempt in attempts.items():
            with self.subTest(step=step), self.assertRaises(ValidationError) as cm:
                attempt()
            self.assertIn("umbrella organisation's complaints committee", str(cm.exception))
        complaint.refresh_from_db()
        self.assertEqual((complaint.committee.count(), complaint.extended_to, complaint.answered_on), (0, None, None))

    def test_gc_8_1_the_practices_six_week_settlement_clock_does_not_run_late_on_an_umbrella_complaint(self):
        complaint = self.ruled(communicated=False)  # received 5 Jan: six weeks were up on 16 Feb
        clocks = self.clocks(complaint, D(2026, 3, 3))
        self.assertEqual(clocks["settle"].state, State.NOT_APPLICABLE)
        self.assertEqual(clocks["ruling"].state, State.OPEN)  # the practice's own term: tell both parties


class TestUmbrellaClocks(ComplaintsTestCase):
    """GC-8.1 with KR-3.3c: once a complaint is at umbrella level, the umbrella organisation's
    committee decides whether it takes it into handling, under its own regulation. The practice
    keeps its own terms for what it does itself: the register (KR-3.2), the acknowledgement
    (KR-3.3a) and putting the ruling to both parties (GC-8.2). Its four-week non-admission term
    ran on every umbrella complaint not yet ruled on: late in the register, on the dashboard and
    in the daily reminders."""

    def umbrella(self, received=datetime.date(2026, 1, 5)):
        complaint = self.lodge(level="umbrella", received=received)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(received))
        actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(received))
        return complaint

    def test_gc_8_1_kr_3_3c_the_practices_non_admission_clock_does_not_run_on_an_unruled_umbrella_complaint(self):
        complaint = self.umbrella()  # received 5 Jan: four weeks were up on 2 Feb
        clocks = self.clocks(complaint, D(2026, 3, 3))
        self.assertEqual((clocks["non_admission"].state, clocks["non_admission"].due), (State.NOT_APPLICABLE, None))
        self.assertFalse(any(c.state == State.LATE for c in clocks.values()))
        self.assertEqual({k: c.state for k, c in clocks.items()}, {
            "register": State.MET, "acknowledge": State.MET, "non_admission": State.NOT_APPLICABLE,
            "settle": State.NOT_APPLICABLE, "aftercare": State.NOT_APPLICABLE, "ruling": State.NOT_APPLICABLE})

    def test_gc_8_1_kr_3_3c_no_daily_reminder_for_the_non_admission_of_an_umbrella_complaint(self):
        complaint = self.umbrella()
        for day in (D(2026, 1, 30), D(2026, 2, 2), D(2026, 3, 3)):  # due soon, due, overdue under KR-3.3c
            self.assertEqual(actions.send_deadline_reminders(at(day)), 0)
        self.assertFalse(Reminder.objects.filter(complaint=complaint).exists())
        # A practice complaint received the same day still gets its reminder.
        practice = self.lodge(received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=practice, now=at(D(2026, 1, 5)))
        actions.acknowledge(actor=self.outsider, complaint=practice, now=at(D(2026, 1, 5)))
        actions.decide_admission(actor=self.outsider, complaint=practice, now=at(D(2026, 1, 5)), admitted=True)
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 2, 13))), 1)  # settle due 16 Feb
        self.assertEqual(list(Reminder.objects.values_list("complaint", "clock")), [(practice.pk, "settle")])

    def test_gc_8_1_an_unruled_umbrella_complaint_is_not_overdue_on_the_register_or_the_dashboard(self):
        from coachdossier.complaints.dashboard import panels
        from coachdossier.complaints.views import register_rows

        self.umbrella(received=D(2026, 10, 5))  # four weeks were up on 2 Nov; today is 23 Nov
        [row] = register_rows(self.outsider, D(2026, 11, 23))
        self.assertFalse(row["late"])
        self.assertIsNone(row["nearest"])
        [panel] = panels(type("R", (), {"user": self.outsider})(), self.now)
        self.assertEqual(panel.context["late"], 0)

    def test_gc_8_2_the_ruling_clock_still_runs_and_reminds_once_the_ruling_is_recorded(self):
        complaint = self.umbrella()
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 3, 2)), ruling="founded",
                              ruling_on=D(2026, 2, 27))
        clocks = self.clocks(complaint, D(2026, 3, 26))
        self.assertEqual((clocks["ruling"].due, clocks["ruling"].state), (D(2026, 3, 27), State.OPEN))
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 3, 26))), 1)
        self.assertEqual(list(Reminder.objects.values_list("clock", flat=True)), ["ruling"])


class TestUmbrellaNotAdmitted(ComplaintsTestCase):
    """GC-8.1/8.2: the umbrella committee rules only on a complaint taken into handling."""

    def not_admitted(self):
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 20)), admitted=False,
                                 reason="Valt buiten het klachtenreglement.")
        return complaint

    def test_gc_8_2_a_ruling_on_an_umbrella_complaint_that_was_not_admitted_is_refused_and_nothing_changes(self):
        complaint = self.not_admitted()
        events = complaint.events.count()
        with self.assertRaises(ValidationError) as cm:
            actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="founded",
                                  ruling_on=D(2026, 1, 31), measures="Extra intervisie.")
        self.assertEqual(cm.exception.message_dict["complaint"],
                         ["This complaint was not admitted: there is no ruling to record for it."])
        complaint = Complaint.objects.get(pk=complaint.pk)
        self.assertEqual((complaint.ruling, complaint.ruling_on, complaint.status), ("", None, Status.NOT_ADMITTED))
        self.assertNotIn("measures", complaint.content)
        self.assertEqual(complaint.events.count(), events)
        with self.assertRaises(ValidationError):
            actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)))
        self.assertEqual(list(complaint.letters.values_list("kind", flat=True)), [LetterKind.NON_ADMISSION])

    def test_gc_8_1_an_umbrella_complaint_the_committee_ruled_on_cannot_then_be_marked_not_admitted(self):
        complaint = self.lodge(level="umbrella", received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 6)))
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 2, 2)), ruling="unfounded",
                              ruling_on=D(2026, 1, 31))
        with self.assertRaises(ValidationError) as cm:
            actions.decide_admission(actor=self.outsider, complaint=complaint, now=at(D(2026, 2, 3)), admitted=False,
                                     reason="Toch niet.")
        self.assertIn("already ruled", cm.exception.message_dict["complaint"][0])
        complaint.refresh_from_db()
        self.assertEqual((complaint.admitted, complaint.status), (None, Status.REGISTERED))
        self.assertFalse(complaint.letters.exists())


class TestHandingToTheUmbrella(ComplaintsTestCase):
    """GC-0.2, GC-8.1: a complaint lodged with the practice can go to the umbrella organisation's
    committee (the complainant took it there). There was no way to record that: the case stayed
    a practice case whose six-week term ran late, and the umbrella's ruling could not be recorded."""

    def admitted(self):
        return self.admitted_with_committee(D(2026, 1, 5))

    def test_gc_8_1_a_complaint_handed_to_the_umbrella_runs_the_umbrella_clocks_and_takes_its_ruling(self):
        complaint = self.admitted()
        self.assertEqual(self.clocks(complaint, D(2026, 3, 3))["settle"].state, State.LATE)  # six weeks: 16 Feb
        actions.hand_to_umbrella(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 20)),
                                 note="De klaagster diende haar klacht in bij de koepel.")
        complaint.refresh_from_db()
        self.assertEqual(complaint.level, "umbrella")
        clocks = self.clocks(complaint, D(2026, 3, 3))
        self.assertEqual((clocks["settle"].state, clocks["non_admission"].state),
                         (State.NOT_APPLICABLE, State.NOT_APPLICABLE))
        # The practice's committee no longer handles it, nor sees the case (GC-9.4).
        self.assertFalse(complaint.committee.exists())
        self.assertFalse(Complaint.objects.visible_to(self.coach_c).filter(pk=complaint.pk).exists())
        event = complaint.events.get(kind=EventKind.UMBRELLA)
        self.assertEqual(event.note, "De klaagster diende haar klacht in bij de koepel.")
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 3, 2)), ruling="partly",
                              ruling_on=D(2026, 2, 27))
        self.assertEqual(self.clocks(complaint, D(2026, 3, 3))["ruling"].due, D(2026, 3, 27))

    def test_gc_8_1_a_complaint_the_practice_settled_or_refused_is_not_handed_over_and_nothing_changes(self):
        settled = self.admitted()
        actions.settle(actor=self.outsider, complaint=settled, now=at(D(2026, 2, 2)), text="Opgelost.")
        refused = self.lodge(received=D(2026, 1, 5))
        actions.register_complaint(actor=self.outsider, complaint=refused, now=at(D(2026, 1, 5)))
        actions.decide_admission(actor=self.outsider, complaint=refused, now=at(D(2026, 1, 6)), admitted=False,
                                 reason="Niet onze dienstverlening.")
        umbrella = self.lodge(received=D(2026, 1, 5), level="umbrella")
        actions.register_complaint(actor=self.outsider, complaint=umbrella, now=at(D(2026, 1, 5)))
        for complaint, words in ((settled, "already settled"), (refused, "did not admit"), (umbrella, "already")):
            events = complaint.events.count()
            with self.subTest(words), self.assertRaises(ValidationError) as cm:
                actions.hand_to_umbrella(actor=self.outsider, complaint=complaint, now=at(D(2026, 2, 3)))
            self.assertIn(words, cm.exception.message_dict["complaint"][0])
            self.assertEqual(complaint.events.count(), events)
        settled.refresh_from_db()
        self.assertEqual((settled.level, settled.committee.count()), ("practice", 2))


class TestMadeKnown(ComplaintsTestCase):
    def test_kr_3_1_opening_a_trajectory_sends_the_procedure_and_keeps_proof(self):
        """KR-3.1: the client gets the procedure PDF; proof (time, address hash) is kept."""
        trajectory = self.own_client.current_trajectory
        client_actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        with self.captureOnCommitCallbacks(execute=True):
            new = client_actions.open_trajectory(actor=self.management, client=self.own_client,
                                                 principal=self.employer, coach=self.coach, source="own", now=self.now)
        message = [m for m in mail.outbox if m.attachments][0]
        self.assertEqual(message.to, ["carla@example.com"])
        self.assertEqual(message.attachments[0][2], "application/pdf")
        notice = ProcedureNotice.objects.get(trajectory=new)
        self.assertNotIn("carla", notice.recipient_sha256)
        self.assertEqual(len(notice.recipient_sha256), 64)

    def test_kr_3_1_a_freelance_coach_is_sent_the_procedure(self):
        actions.send_procedure_to_coach(actor=self.management, coach=self.coach_c, now=self.now)
        self.assertTrue(ProcedureNotice.objects.filter(coach=self.coach_c).exists())
        self.assertEqual(mail.outbox[-1].to, ["cor@example.com"])

    def test_kr_3_1_the_procedure_mail_is_in_the_clients_language(self):
        """It was Dutch for everyone; a client who reads English gets it in English (User.language)."""
        trajectory = self.own_client.current_trajectory
        for language, subject, filename in (("en", "The complaints procedure of", "complaints-procedure.pdf"),
                                            ("nl", "De klachtenregeling van", "klachtenregeling.pdf")):
            User.objects.filter(pk=self.client_user.pk).update(language=language)
            client_actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
            with self.captureOnCommitCallbacks(execute=True):
                trajectory = client_actions.open_trajectory(actor=self.management, client=self.own_client, principal=self.employer,
                                               coach=self.coach, source="own", now=self.now)
            message = [m for m in mail.outbox if m.attachments][-1]
            self.assertTrue(message.subject.startswith(subject), message.subject)
            self.assertEqual(message.attachments[0][0], filename)

    def test_kr_3_1_the_procedure_mail_to_an_address_without_an_account_stays_dutch(self):
        emma = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Emma",
                           last="Bakker")  # every account here reads English (the tests' site language)
        actions.send_procedure_for_trajectory(actor=self.management, trajectory=emma.current_trajectory, now=self.now)
        self.assertTrue(mail.outbox[-1].subject.startswith("De klachtenregeling van"), mail.outbox[-1].subject)


class TestDestruction(ComplaintsTestCase):
    def test_an_open_complaint_blocks_destruction_and_a_closed_one_loses_its_content(self):
        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        client_actions.close_trajectory(actor=self.management, trajectory=self.own_client.current_trajectory,
                                        now=self.now)
        with self.assertRaises(ValidationError) as cm:
            client_actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="AVG")
        self.assertIn("K-2026-001", str(cm.exception))
        actions.close_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 26)), outcome="withdrawn")
        client_actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="AVG")
        complaint.refresh_from_db()
        self.assertIsNone(complaint.client)
        self.assertEqual(bytes(complaint.sealed), b"")
        self.assertEqual(complaint.content, {})
        self.assertEqual(complaint.outcome, "withdrawn")


class TestStaffNotices(ComplaintsTestCase):
    """KR-3.2: the complaints officers hear of a new complaint and of deadlines coming, each in a
    message of their own: in one To: line every officer saw the others' addresses."""

    def setUp(self):
        super().setUp()
        make_user("klara@example.com", "Klara Klachten", Role.COMPLAINTS_OFFICER)
        mail.outbox.clear()

    def assert_one_message_per_officer(self, name):
        from coachdossier.accounts.models import OutgoingMail

        self.assertEqual(sorted(m.to for m in mail.outbox), [["kees@example.com"], ["klara@example.com"]])
        self.assertTrue(all(not m.cc and not m.bcc for m in mail.outbox))
        self.assertEqual(sorted(OutgoingMail.objects.filter(name=name).values_list("to", flat=True)),
                         [["kees@example.com"], ["klara@example.com"]])

    def test_kr_3_2_each_complaints_officer_gets_the_new_complaint_notice_in_a_message_of_their_own(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.lodge(received=D(2026, 3, 24))
        self.assert_one_message_per_officer("complaint-received")

    def test_kr_3_2_each_complaints_officer_gets_a_deadline_reminder_in_a_message_of_their_own(self):
        self.lodge(received=D(2026, 3, 24))  # register due 31 Mar
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 3, 27))), 1)
        self.assert_one_message_per_officer("complaint-reminder")


class TestReminders(ComplaintsTestCase):
    def test_reminders_go_once_per_clock_per_day(self):
        complaint = self.lodge(received=D(2026, 3, 24))  # register due 31 Mar
        mail.outbox.clear()
        sent = actions.send_deadline_reminders(at(D(2026, 3, 27)))
        self.assertEqual(sent, 1)
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 3, 27, ), 15)), 0)
        self.assertEqual(Reminder.objects.filter(complaint=complaint).count(), 1)
        self.assertNotIn("opdagen", mail.outbox[0].body)
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 3, 30))), 1)

    def test_kr_3_2_a_reminder_names_the_clock_in_the_language_of_the_mail(self):
        """KR-3.2: the Dutch reminder said '"Entered in the register" (KR-3.2) verloopt op ...'."""
        User.objects.update(language="nl")  # the officers read Dutch
        self.lodge(received=D(2026, 3, 24))
        mail.outbox.clear()
        actions.send_deadline_reminders(at(D(2026, 3, 27)))
        self.assertIn('"Ingeschreven in het klachtenregister" (KR-3.2) verloopt op', mail.outbox[0].body)


    def test_kr_3_4a_the_aftercare_reminder_reaches_management_who_make_the_call(self):
        """KR-3.4a: management phones the complainant within five working days of the answer
        letter; its reminder went only to the complaints officers, so the people who had to call
        never heard the term was running out."""
        complaint = self.admitted_with_committee(D(2026, 3, 24))
        actions.settle(actor=self.outsider, complaint=complaint, now=at(D(2026, 4, 20)), text="Opgelost.")
        mail.outbox.clear()
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 4, 23))), 1)  # aftercare due 27 Apr
        self.assertEqual(sorted(m.to for m in mail.outbox), [["kees@example.com"], ["mia@example.com"]])

    def test_gc_8_2_the_reminder_to_put_the_ruling_to_both_parties_reaches_management(self):
        """GC-8.2: the director puts the umbrella committee's ruling to complainant and coach."""
        complaint = self.lodge(received=D(2026, 1, 5), level="umbrella")
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 5)))
        actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 1, 5)))
        actions.record_ruling(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 2)), ruling="founded",
                              ruling_on=D(2026, 2, 27))
        mail.outbox.clear()
        self.assertEqual(actions.send_deadline_reminders(at(D(2026, 3, 26))), 1)  # due 27 Mar
        self.assertEqual(sorted(m.to for m in mail.outbox), [["kees@example.com"], ["mia@example.com"]])

    def test_kr_3_2_the_officers_own_steps_are_not_sent_to_management(self):
        self.lodge(received=D(2026, 3, 24))  # register due 31 Mar
        mail.outbox.clear()
        actions.send_deadline_reminders(at(D(2026, 3, 27)))
        self.assertEqual([m.to for m in mail.outbox], [["kees@example.com"]])


class TestOverdue(ComplaintsTestCase):
    def test_kr_3_2_a_step_done_late_is_no_longer_overdue_on_the_register_or_the_dashboard(self):
        """KR-3.2, KR-3.3a: the register and the dashboard counted a complaint as overdue for as long
        as it was open once any step had been done late (registered a day late, everything else in
        time), while the daily job rightly sent no reminder for it: the overdue count hid the cases
        that still had a step to take."""
        from coachdossier.complaints.dashboard import panels
        from coachdossier.complaints.views import register_rows

        done_late = self.lodge(received=D(2026, 11, 2))  # register due 9 Nov
        actions.register_complaint(actor=self.outsider, complaint=done_late, now=at(D(2026, 11, 10)))
        actions.acknowledge(actor=self.outsider, complaint=done_late, now=at(D(2026, 11, 10)))
        actions.decide_admission(actor=self.outsider, complaint=done_late, now=at(D(2026, 11, 10)), admitted=True)
        overdue = self.lodge(received=D(2026, 11, 3))  # register due 10 Nov, not done
        self.assertEqual(self.clocks(done_late, D(2026, 11, 23))["register"].state, State.LATE)  # it stays late
        rows = {row["complaint"]: row for row in register_rows(self.outsider, D(2026, 11, 23))}
        self.assertEqual((rows[done_late]["late"], rows[overdue]["late"]), (False, True))
        [panel] = panels(type("R", (), {"user": self.outsider})(), self.now)
        self.assertEqual(panel.context["late"], 1)
        self.assertEqual([r["complaint"] for r in panel.context["rows"]], [overdue, done_late])
        actions.send_deadline_reminders(at(D(2026, 11, 23)))
        self.assertEqual(set(Reminder.objects.values_list("complaint", "clock")),
                         {(overdue.pk, "register"), (overdue.pk, "acknowledge")})


class TestReminderCommand(ComplaintsTestCase):
    def test_the_command_sends_todays_reminders_once(self):
        from io import StringIO

        from django.core.management import call_command
        from django.utils import timezone

        self.lodge(received=timezone.localdate() - datetime.timedelta(days=10))
        first, second = StringIO(), StringIO()
        call_command("complaint_reminders", stdout=first)
        self.assertNotIn("0 reminder(s)", first.getvalue())  # the register term has passed: at least that one
        self.assertTrue(Reminder.objects.filter(clock="register").exists())
        call_command("complaint_reminders", stdout=second)
        self.assertEqual(second.getvalue().strip(), "0 reminder(s) sent.")


class TestRendererVersions(ComplaintsTestCase):
    """lib.pdf is versioned: a letter is rendered again whenever it is shown, with the version it
    was made with, so it stays the letter that was sent."""

    def acknowledged(self):
        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 26)))
        return actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 30)))

    def test_kr_3_3a_a_new_letter_is_made_with_version_2_and_renders_the_same_bytes_every_time(self):
        """KR-3.3a"""
        letter = Letter.objects.get(pk=self.acknowledged().pk)
        self.assertEqual(letter.pdf_renderer, 2)
        data = letters.render(letter)
        self.assertIn(b"/BaseFont /AAAAAA+DejaVuSans", data)
        self.assertEqual(letters.render(Letter.objects.get(pk=letter.pk)), data)

    def test_kr_3_3a_a_letter_made_with_version_1_is_still_rendered_as_it_was_sent(self):
        """KR-3.3a: letters from before version 2 get 1 from the migration and keep it."""
        letter = self.acknowledged()
        Letter.objects.filter(pk=letter.pk).update(pdf_renderer=1)
        old = Letter.objects.get(pk=letter.pk)
        data = letters.render(old)
        self.assertNotIn(b"DejaVu", data)
        content = old.content
        body = [pdf.Paragraph(part) for part in content["body"].split("\n\n") if part.strip()]
        self.assertEqual(data, pdf.build_letter(letterhead=letters.letterhead(), recipient_lines=content["recipient_lines"],
                                                reference=old.complaint.number, date=old.date,
                                                subject=content["subject"], body=body, renderer=1))

    def test_kr_3_1_the_procedure_notice_records_the_renderer_its_hash_holds_for(self):
        """KR-3.1: the proof's SHA-256 is reproducible with the recorded version (policy unchanged)."""
        actions.send_procedure_to_coach(actor=self.management, coach=self.coach_c, now=self.now)
        notice = ProcedureNotice.objects.get(coach=self.coach_c)
        self.assertEqual(notice.document_renderer, 2)
        self.assertEqual(notice.document_sha256,
                         letters.sha256(letters.procedure_pdf(notice.document_renderer, notice.document_language)))
        self.assertNotEqual(notice.document_sha256, letters.sha256(letters.procedure_pdf(1, notice.document_language)))

    def test_the_migration_gives_existing_letters_and_notices_version_1_and_new_ones_version_2(self):
        from importlib import import_module

        operations = import_module("coachdossier.complaints.migrations.0002_pdf_renderer").Migration.operations
        self.assertEqual([(type(o).__name__, o.model_name, o.name, o.field.default) for o in operations], [
            ("AddField", "letter", "pdf_renderer", 1), ("AlterField", "letter", "pdf_renderer", 2),
            ("AddField", "procedurenotice", "document_renderer", 1),
            ("AlterField", "procedurenotice", "document_renderer", 2)])
