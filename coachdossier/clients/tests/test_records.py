"""Client records: personal data, trajectories, entries, consents and emergency access,
through the actions with `now` given (and the pages where the rule is about what is shown)."""

import datetime
import io
import os
import zipfile

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from coachdossier.audit.models import AccessLogEntry, Basis
from coachdossier.clients import access, actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import (
    ENTRY_TEXT_MAX_LENGTH,
    GOAL_TEXT_MAX_LENGTH,
    JUSTIFICATION_MAX_LENGTH,
    Attachment,
    BreakGlass,
    Client,
    ClientSource,
    Consent,
    DossierEntry,
    EntryKind,
    EntryVersion,
    PersonalData,
    TrajectoryStatus,
)
from coachdossier.lib import idempotency
from coachdossier.lib.idempotency import Once
from coachdossier.test import BaseTestCase as _BaseTestCase

DAY = datetime.timedelta(days=1)


class BaseTestCase(_BaseTestCase):
    """Messages are asserted in English (the msgids)."""

    def setUp(self):
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)


def attachment_files():
    root = settings.STORAGES["default"]["OPTIONS"]["location"]
    found = set()
    for folder, _dirs, files in os.walk(root):
        found |= {os.path.join(folder, f) for f in files}
    return found


class PersonalDataTestCase(BaseTestCase):
    def register(self, principal=None, **fields):
        personal = PersonalData(first_name="Eva", last_name="Smit", **fields)
        return actions.register_client(actor=self.management, personal=personal, principal=principal or self.employer,
                                       now=self.now)

    def assertRefused(self, field, principal=None, **fields):
        count = Client.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.register(principal, **fields)
        self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(Client.objects.count(), count)
        return caught.exception.message_dict[field][0]

    def test_gc_9_1_personal_data_are_exactly_the_allowed_fields(self):
        """GC-9.1, PR-1, PR-4: no field for religion, origin, political views or custom data."""
        self.assertEqual(list(PersonalData.__dataclass_fields__), [
            "first_name", "last_name", "street", "house_number", "postcode", "city", "email", "phone",
            "date_of_birth", "bsn", "background"])
        from coachdossier.clients.forms import PersonalDataForm

        self.assertEqual(set(PersonalDataForm.base_fields), set(PersonalData.__dataclass_fields__))

    def test_a_bsn_is_refused_for_a_client_whose_principal_is_not_uwv(self):
        """GC-9.1"""
        self.assertIn("UWV", self.assertRefused("bsn", bsn="111222333"))
        self.assertRefused("background", background="Lang ziek geweest")

    def test_a_bsn_failing_the_eleven_test_is_refused_and_a_valid_one_kept_for_uwv(self):
        """GC-9.1"""
        self.assertIn("eleven-test", self.assertRefused("bsn", principal=self.uwv, bsn="123456789"))
        client = self.register(self.uwv, bsn="111222333")
        self.assertEqual(client.personal.bsn, "111222333")

    def test_postcode_phone_and_birth_date_are_checked(self):
        """GC-9.1"""
        self.assertRefused("postcode", postcode="12345")
        self.assertRefused("postcode", postcode="0123 AB")
        self.assertRefused("phone", phone="12")
        tomorrow = (self.now.date() + DAY).isoformat()
        self.assertIn("future", self.assertRefused("date_of_birth", date_of_birth=tomorrow))
        client = self.register(postcode="3511ab", phone="0612345678", date_of_birth="1980-05-01")
        self.assertEqual((client.personal.postcode, client.personal.phone), ("3511 AB", "06 12345678"))

    def test_the_register_form_shows_the_message_next_to_the_field(self):
        """GC-9.1"""
        self.login(self.management)
        r = self.client.post("/clients/manage/new/", {
            "first_name": "Eva", "last_name": "Smit", "bsn": "111222333", "principal": self.employer.public_id,
            "coach": self.coach.public_id, "source": "umbrella"})
        self.assertEqual(r.status_code, 200)
        self.assertIn("bsn", r.context["form"].errors)
        self.assertEqual(Client.objects.count(), 2)


class TrajectoryTestCase(BaseTestCase):
    def new_client(self, **trajectory):
        client = actions.register_client(actor=self.management, personal=PersonalData(first_name="Eva", last_name="Smit"),
                                         principal=self.employer, now=self.now)
        defaults = {"source": ClientSource.OWN}
        trajectory = actions.open_trajectory(actor=self.management, client=client, principal=self.employer,
                                             coach=self.coach, now=self.now, **{**defaults, **trajectory})
        return client, trajectory

    def test_gc_0_1_gc_0_4_gc_0_5_a_trajectory_knows_its_source_agreement_and_principal(self):
        """GC-0.1, GC-0.4, GC-0.5"""
        client, trajectory = self.new_client(agreement_date=self.now.date(), goal_text="Werk vinden")
        trajectory.refresh_from_db()
        self.assertEqual((trajectory.source, trajectory.principal, trajectory.agreement_date),
                         ("own", self.employer, self.now.date()))
        self.assertEqual(self.employer.contact_email, "hr@example.com")

    def test_a_uwv_trajectory_needs_the_order_number(self):
        """GC-0.5"""
        client = actions.register_client(actor=self.management, personal=PersonalData(first_name="A", last_name="B"),
                                         principal=self.uwv, now=self.now)
        with self.assertRaises(ValidationError) as caught:
            actions.open_trajectory(actor=self.management, client=client, principal=self.uwv, coach=self.coach,
                                    source="umbrella", now=self.now)
        self.assertIn("uwv_order_number", caught.exception.message_dict)
        self.assertFalse(client.trajectories.exists())

    def test_gc_7_1_a_trajectory_cannot_become_active_without_a_goal(self):
        """GC-7.1"""
        client, trajectory = self.new_client()
        with self.assertRaises(ValidationError) as caught:
            actions.activate_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        self.assertIn("goal", caught.exception.message_dict)
        trajectory.refresh_from_db()
        self.assertEqual(trajectory.status, TrajectoryStatus.INTAKE)
        with self.assertRaises(ValidationError):
            actions.reformulate_goal(actor=self.coach, trajectory=trajectory, text="  ", now=self.now)
        actions.reformulate_goal(actor=self.coach, trajectory=trajectory, text="Werk vinden", now=self.now)
        actions.activate_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        self.assertEqual(trajectory.status, TrajectoryStatus.ACTIVE)

    def test_gc_7_1_a_reformulated_goal_keeps_its_history_and_needs_a_reason(self):
        """GC-7.1"""
        client, trajectory = self.new_client(goal_text="Werk vinden")
        with self.assertRaises(ValidationError) as caught:
            actions.reformulate_goal(actor=self.coach, trajectory=trajectory, text="Eigen bedrijf", now=self.now)
        self.assertIn("reason", caught.exception.message_dict)
        actions.reformulate_goal(actor=self.coach, trajectory=trajectory, text="Eigen bedrijf",
                                 reason="Wens van de cliënt", now=self.now)
        self.assertEqual([g.content["text"] for g in trajectory.goals.order_by("number")],
                         ["Werk vinden", "Eigen bedrijf"])

    def test_gc_1_6_the_vulnerable_marker_is_kept_and_shown(self):
        """GC-1.6"""
        client, trajectory = self.new_client(vulnerable=True, goal_text="Werk vinden")
        self.login(self.coach)
        self.assertContains(self.client.get(f"/clients/{client.public_id}/"), "badge badge-warn")
        self.assertTrue(client.trajectories.get().vulnerable)

    def test_hours_used_count_against_the_approved_hours(self):
        client, trajectory = self.new_client(approved_hours=10, goal_text="Werk vinden")
        actions.log_session(actor=self.coach, trajectory=trajectory, date=self.now.date(), minutes=90, mode="video",
                            now=self.now)
        with self.assertRaises(ValidationError):
            actions.log_session(actor=self.coach, trajectory=trajectory, date=self.now.date() + DAY, minutes=60,
                                mode="video", now=self.now)
        self.assertEqual(trajectory.hours_used(), 1.5)

    def test_a_session_before_the_trajectory_began_is_refused_as_a_mistyped_year(self):
        """0001-01-02 for 2026 was accepted and shown as 1-1-1; the trajectory says when it began."""
        client, trajectory = self.new_client(goal_text="Werk vinden")
        for day in (datetime.date(1, 1, 2), self.now.date() - DAY):
            with translation.override("nl"), self.assertRaises(ValidationError) as caught:
                actions.log_session(actor=self.coach, trajectory=trajectory, date=day, minutes=60, mode="video",
                                    now=self.now)
            self.assertEqual(caught.exception.message_dict["date"], [
                "Een sessie kan niet vóór het begin van het traject liggen (23 november 2026); controleer het jaar."])
        self.assertFalse(trajectory.sessions.exists())
        actions.log_session(actor=self.coach, trajectory=trajectory, date=self.now.date(), minutes=60, mode="video",
                            now=self.now)

    def test_the_session_page_shows_a_mistyped_year_next_to_the_date(self):
        self.login(self.coach)
        page = self.client.post(f"/clients/{self.own_client.public_id}/sessions/new/",
                                {"date": "0001-01-02", "minutes": 60, "mode": "video"})
        self.assertEqual(page.status_code, 200)
        self.assertIn("check the year", page.context["form"].errors["date"][0])
        self.assertFalse(self.own_client.current_trajectory.sessions.exists())

    def test_gc_0_4_a_trajectory_recorded_after_its_agreement_takes_sessions_from_the_agreement_on(self):
        """GC-0.4: the sessions of a running trajectory, recorded here later, can still be logged."""
        agreed = self.now.date() - 30 * DAY
        client, trajectory = self.new_client(goal_text="Werk vinden", agreement_date=agreed)
        actions.log_session(actor=self.coach, trajectory=trajectory, date=agreed, minutes=60, mode="video",
                            now=self.now)
        with self.assertRaises(ValidationError):
            actions.log_session(actor=self.coach, trajectory=trajectory, date=agreed - DAY, minutes=60, mode="video",
                                now=self.now)
        self.assertEqual(trajectory.sessions.count(), 1)

    def test_gc_0_4_an_agreement_date_before_1900_or_in_the_future_is_refused_and_no_trajectory_opened(self):
        """GC-0.4: agreement year 0001 for 2026 was accepted, and then let sessions of year 1 through."""
        client = actions.register_client(actor=self.management, personal=PersonalData(first_name="Eva", last_name="Smit"),
                                         principal=self.employer, now=self.now)
        for agreed, message in ((datetime.date(1, 11, 20), "The date is before 1900; check the year."),
                                (self.now.date() + DAY, "The date cannot be in the future.")):
            with self.assertRaises(ValidationError) as caught:
                actions.open_trajectory(actor=self.management, client=client, principal=self.employer,
                                        coach=self.coach, source=ClientSource.OWN, agreement_date=agreed, now=self.now)
            self.assertEqual(caught.exception.message_dict, {"agreement_date": [message]})
        self.assertFalse(client.trajectories.exists())

    def test_the_trajectory_page_shows_a_mistyped_agreement_year_next_to_the_date(self):
        """GC-0.4"""
        client = actions.register_client(actor=self.management, personal=PersonalData(first_name="Eva", last_name="Smit"),
                                         principal=self.employer, now=self.now)
        self.login(self.management)
        page = self.client.post(f"/clients/manage/{client.public_id}/trajectories/new/", {
            "principal": self.employer.public_id, "coach": self.coach.public_id, "source": "own",
            "agreement_date": "0001-11-20"})
        self.assertEqual(page.status_code, 200)
        self.assertIn("check the year", page.context["form"].errors["agreement_date"][0])
        self.assertFalse(client.trajectories.exists())

    def test_gc_6_2_a_closed_dossier_stays_under_the_same_access_rules(self):
        """GC-6.2"""
        trajectory = self.own_client.current_trajectory
        actions.close_trajectory(actor=self.management, trajectory=trajectory, now=self.now)
        self.login(self.coach)
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/").status_code, 200)
        self.login(self.other_coach)
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/").status_code, 404)
        self.login(self.management)
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/").status_code, 403)


class EntryTestCase(BaseTestCase):
    def add(self, **kwargs):
        defaults = {"kind": EntryKind.NOTE, "occurred_on": self.now.date(), "title": "Gesprek", "text": "Goed gesprek."}
        return actions.add_entry(actor=self.coach, client=self.own_client, now=self.now, **{**defaults, **kwargs})

    def test_pr_2_entry_types_cover_notes_correspondence_and_received_documents_with_source(self):
        """PR-2"""
        for kind in ("note", "correspondence_in", "correspondence_out", "fact", "finding"):
            self.add(kind=kind)
        with self.assertRaises(ValidationError) as caught:
            self.add(kind="received_document")
        self.assertIn("source", caught.exception.message_dict)
        entry = self.add(kind="received_document", source="UWV")
        self.assertEqual(entry.current.content["source"], "UWV")

    def test_an_entry_dated_before_1900_is_a_mistyped_year_but_a_history_of_years_back_is_not(self):
        """An entry dated 0001-01-02 for 2026 was accepted and shown as 1-1-1 in the report's entry picker."""
        for day in (datetime.date(1, 1, 2), datetime.date(26, 11, 20), datetime.date(1899, 12, 31)):
            with translation.override("nl"), self.assertRaises(ValidationError) as caught:
                self.add(occurred_on=day)
            self.assertEqual(caught.exception.message_dict["occurred_on"],
                             ["De datum ligt vóór 1900; controleer het jaar."])
        self.assertFalse(DossierEntry.objects.filter(client=self.own_client).exists())
        self.add(kind="fact", title="Medische voorgeschiedenis", occurred_on=datetime.date(1998, 5, 1))

    def test_editing_keeps_every_earlier_version_with_author_and_time(self):
        entry = self.add(kind="fact", title="Werk", text="32 uur")
        later = self.now + DAY
        actions.edit_entry(actor=self.other_coach, entry=entry, title="Werk", text="24 uur", reason="Gewijzigd",
                           now=later)
        versions = list(EntryVersion.objects.filter(entry=entry).order_by("number"))
        self.assertEqual([v.content["text"] for v in versions], ["32 uur", "24 uur"])
        self.assertEqual([(v.author, v.created_at) for v in versions], [(self.coach, self.now),
                                                                        (self.other_coach, later)])

    def test_pr_4_medical_entries_are_hidden_from_the_timeline_unless_asked_and_asking_is_logged(self):
        """PR-4"""
        self.add(title="Huisarts", text="Medicatie gewijzigd.", is_medical=True,
                 justification="Nodig voor belastbaarheid.")
        self.login(self.coach)
        url = f"/clients/{self.own_client.public_id}/"
        self.assertNotContains(self.client.get(url), "Medicatie gewijzigd.")
        self.assertContains(self.client.get(url + "?medical=1"), "Medicatie gewijzigd.")
        self.assertEqual(AccessLogEntry.objects.last().action, "dossier.read_medical")

    def test_pr_4_a_special_category_needs_a_justification_which_is_stored(self):
        """PR-4"""
        count = DossierEntry.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.add(text="Zij is lid van een politieke partij en gaat naar de moskee.")
        self.assertIn("special category", caught.exception.message_dict["text"][0])
        self.assertEqual(DossierEntry.objects.count(), count)
        entry = self.add(text="Zij gaat naar de moskee.", justification="Gebedstijden bepalen het rooster.")
        self.assertTrue(entry.special_category)
        self.assertEqual(entry.current.content["justification"], "Gebedstijden bepalen het rooster.")

    def test_pr_4_the_entry_form_warns_before_saving(self):
        """PR-4"""
        self.login(self.coach)
        r = self.client.post(f"/clients/{self.own_client.public_id}/entries/new/", {
            "kind": "note", "occurred_on": self.now.date().isoformat(), "text": "Hij is moslim."})
        self.assertEqual(r.status_code, 200)
        self.assertIn("text", r.context["form"].errors)

    def test_gc_5_2_an_entry_naming_other_people_is_flagged(self):
        """GC-5.2"""
        self.assertFalse(self.add(text="Carla vertelde over haar werk.").names_others)
        entry = self.add(text="Gesproken met mevrouw Jansen, haar leidinggevende.")
        self.assertTrue(entry.names_others)
        self.login(self.coach)
        self.assertContains(self.client.get(f"/clients/{self.own_client.public_id}/"), "(GC-5.2)")

    def test_only_the_client_can_add_a_client_statement(self):
        with self.assertRaises(ValidationError):
            self.add(kind=EntryKind.CLIENT_STATEMENT)

    def test_an_entry_text_longer_than_ten_pages_is_refused_everywhere_and_nothing_saved(self):
        """A coach's entry had no length limit: a pasted document of any size was sealed into
        the dossier, the timeline and every copy for the client. Longer documents are
        attachments; the page, the API and an edit refuse the text alike."""
        entry = self.add(text="x" * ENTRY_TEXT_MAX_LENGTH)
        count = DossierEntry.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.add(text="x" * (ENTRY_TEXT_MAX_LENGTH + 1), justification="j" * (JUSTIFICATION_MAX_LENGTH + 1))
        self.assertEqual(set(caught.exception.message_dict), {"text", "justification"})
        self.assertEqual(DossierEntry.objects.count(), count)
        with self.assertRaises(ValidationError) as caught:
            actions.edit_entry(actor=self.coach, entry=entry, title="", text="x" * (ENTRY_TEXT_MAX_LENGTH + 1),
                               reason="Aangevuld", now=self.now)
        self.assertIn("text", caught.exception.message_dict)
        self.assertEqual(EntryVersion.objects.filter(entry=entry).count(), 1)
        self.login(self.coach)
        r = self.client.post(f"/clients/{self.own_client.public_id}/entries/new/", {
            "kind": "note", "occurred_on": self.now.date().isoformat(), "text": "x" * (ENTRY_TEXT_MAX_LENGTH + 1)})
        self.assertIn("text", r.context["form"].errors)
        r = self.client.post(f"/api/clients/{self.own_client.public_id}/entries", {
            "kind": "note", "occurred_on": self.now.date().isoformat(), "text": "x" * (ENTRY_TEXT_MAX_LENGTH + 1)})
        self.assertEqual(r.status_code, 422, r.content)
        self.assertEqual(DossierEntry.objects.count(), count)

    def test_gc_7_1_a_goal_and_an_emergency_reason_have_a_length_limit_and_nothing_is_saved(self):
        trajectory = self.own_client.current_trajectory
        goals = trajectory.goals.count()
        with self.assertRaises(ValidationError) as caught:
            actions.reformulate_goal(actor=self.coach, trajectory=trajectory, text="d" * (GOAL_TEXT_MAX_LENGTH + 1),
                                     reason="r" * 501, now=self.now)
        self.assertEqual(set(caught.exception.message_dict), {"text", "reason"})
        self.assertEqual(trajectory.goals.count(), goals)
        with self.assertRaises(ValidationError) as caught:
            actions.break_glass(actor=self.other_coach, client=self.own_client, reason="Acuut. " * 200, now=self.now)
        self.assertIn("reason", caught.exception.message_dict)
        self.assertFalse(BreakGlass.objects.filter(client=self.own_client).exists())


class OnceTestCase(BaseTestCase):
    """add_entry_once: one entry per request key, per user and client, whichever way it arrives."""

    def once(self, key, *, actor=None, client=None, **kwargs):
        fields = {"kind": EntryKind.NOTE, "occurred_on": self.now.date(), "title": "Gesprek", "text": "Goed gesprek.",
                  **kwargs}
        return actions.add_entry_once(idempotency_key=key, actor=actor or self.coach, client=client or self.own_client,
                                      now=self.now, **fields)

    def test_the_same_key_gives_the_first_entry_back_and_makes_no_second(self):
        entry, outcome = self.once("k-1")
        self.assertEqual(self.once("k-1"), (entry, Once.REPEATED))
        self.assertIs(outcome, Once.CREATED)
        self.assertEqual(DossierEntry.objects.filter(client=self.own_client).count(), 1)

    def test_only_a_hash_of_the_user_and_key_is_kept_never_the_key_or_content(self):
        entry, _ = self.once("k-1")
        self.assertEqual(entry.idempotency_key_sha256, idempotency.key_digest(self.coach.pk, "k-1"))
        self.assertNotIn("k-1", entry.idempotency_key_sha256)

    def test_the_same_key_from_another_user_is_another_request(self):
        """Two users working in one dossier (a coach and her substitute, GC-2.5) never get each
        other's entry back by choosing the same key."""
        mine, _ = self.once("k-1")
        theirs, outcome = self.once("k-1", actor=self.other_coach)
        self.assertIs(outcome, Once.CREATED)
        self.assertNotEqual(mine, theirs)

    def test_a_twin_request_that_committed_first_is_returned_and_no_second_entry_is_made(self):
        """Two requests with one key at the same moment: the unique constraint stops the second."""
        from unittest import mock

        from django.db.models.query import QuerySet

        twin = actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                 occurred_on=self.now.date(), title="Gesprek", now=self.now,
                                 idempotency_key_sha256=idempotency.key_digest(self.coach.pk, "k-1"))
        real_first, looked = QuerySet.first, []

        def first_misses_the_twin(queryset):  # the twin committed just after this request looked
            looked.append(queryset.model)
            return None if len(looked) == 1 else real_first(queryset)

        with mock.patch.object(QuerySet, "first", first_misses_the_twin):
            self.assertEqual(self.once("k-1", text=""), (twin, Once.REPEATED))
        self.assertEqual(looked[0], DossierEntry)
        self.assertEqual(DossierEntry.objects.filter(client=self.own_client).count(), 1)

    def test_gc_6_6_the_same_key_with_changed_content_is_a_conflict_and_saves_none_of_it(self):
        """A first post saved but never answered; the coach changed the still-open form and sent it
        again: she must be told, so the repeat is a CONFLICT, and the entry stays as it was."""
        entry, _ = self.once("k-1", source="UWV")
        changes = {"title": "Ander gesprek", "text": "Goed gesprek, met aanvulling.", "source": "Gemeente",
                   "justification": "Nodig voor het traject.", "kind": EntryKind.FACT, "is_medical": True,
                   "occurred_on": self.now.date() - datetime.timedelta(days=1)}
        for field, value in changes.items():
            with self.subTest(field=field):
                sent = {"source": "UWV", field: value}
                self.assertEqual(self.once("k-1", **sent), (entry, Once.CONFLICT))
        entry.refresh_from_db()
        self.assertEqual((entry.version_count, entry.kind, entry.is_medical, entry.current.content["text"]),
                         (1, EntryKind.NOTE, False, "Goed gesprek."))
        self.assertEqual(DossierEntry.objects.filter(client=self.own_client).count(), 1)

    def test_an_exact_retry_stays_a_plain_repeat_after_the_entry_was_edited(self):
        entry, _ = self.once("k-1")
        actions.edit_entry(actor=self.coach, entry=entry, title="Gesprek", text="Bijgewerkt.", reason="Aangevuld",
                           is_medical=True, now=self.now)
        self.assertEqual(self.once("k-1"), (entry, Once.REPEATED))
        self.assertEqual(self.once("k-1", text="Bijgewerkt."), (entry, Once.CONFLICT))

    def test_gc_6_6_attachments_count_the_same_file_again_is_a_repeat_another_or_none_a_conflict(self):
        def pdf(name="brief.pdf", data=DEMO_PDF):
            return SimpleUploadedFile(name, data)

        entry, _ = self.once("k-1", files=[pdf()])
        self.assertEqual(self.once("k-1", files=[pdf()]), (entry, Once.REPEATED))
        other = DEMO_PDF.replace(b"200 200", b"300 300")  # the same size, other bytes
        self.assertNotEqual(other, DEMO_PDF)
        for files in ([], [pdf(data=other)], [pdf(name="andere.pdf")], [pdf(), pdf(name="tweede.pdf")]):
            with self.subTest(files=[f.name for f in files]):
                self.assertEqual(self.once("k-1", files=files), (entry, Once.CONFLICT))
        self.assertEqual(Attachment.objects.filter(entry=entry).count(), 1)

    def test_law_nen7513_a_conflicting_repeat_is_logged_like_any_repeat_and_the_chain_stays_whole(self):
        """Nothing but the one `dossier.write` reference to the entry: no gap, no content."""
        from coachdossier.audit import log

        entry, _ = self.once("k-1")
        before = AccessLogEntry.objects.order_by("-seq").first().seq
        files_before = attachment_files()
        self.once("k-1", text="Veranderd.", files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)])
        logged = list(AccessLogEntry.objects.filter(seq__gt=before))
        self.assertEqual([(e.seq, e.action, e.object_ref) for e in logged],
                         [(before + 1, "dossier.write", str(entry.public_id))])
        self.assertTrue(log.verify().ok)
        self.assertEqual(attachment_files(), files_before)


class UploadTestCase(BaseTestCase):
    """GC-6.6, GC-2.3: attachments are checked on content; a refused upload stores nothing."""

    def upload(self, name, data):
        before_files, before_entries = attachment_files(), DossierEntry.objects.count()
        with self.assertRaises(ValidationError) as caught:
            actions.add_entry(actor=self.coach, client=self.own_client, kind="note", occurred_on=self.now.date(),
                              title="Bijlage", now=self.now, files=[SimpleUploadedFile(name, data)])
        self.assertEqual(attachment_files(), before_files, "no orphan file")
        self.assertEqual(DossierEntry.objects.count(), before_entries)
        self.assertEqual(Attachment.objects.count(), 0)
        return caught.exception.message_dict["files"][0]

    def test_a_renamed_executable_is_refused(self):
        self.assertIn("not accepted", self.upload("rapport.pdf", b"MZ\x90\x00\x03" + b"\x00" * 500))
        self.assertIn("not accepted", self.upload("script.docx", b"\x7fELF\x02\x01\x01" + b"\x00" * 500))

    @override_settings(MAX_ATTACHMENT_BYTES=1024)
    def test_an_oversize_file_is_refused(self):
        self.assertIn("larger", self.upload("groot.pdf", DEMO_PDF + b" " * 2000))

    def test_a_zip_bomb_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", b"0" * (5 * 1024 * 1024))
        self.assertIn("zip bomb", self.upload("brief.docx", buffer.getvalue()))

    def test_a_pdf_with_javascript_is_refused(self):
        evil = DEMO_PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>")
        self.assertIn("scripts", self.upload("brief.pdf", evil))

    def test_a_good_pdf_is_stored_encrypted_and_read_back(self):
        entry = actions.add_entry(actor=self.coach, client=self.own_client, kind="note", occurred_on=self.now.date(),
                                  title="Bijlage", now=self.now, files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)])
        attachment = entry.attachments.get()
        self.assertEqual(actions.read_attachment(attachment), DEMO_PDF)
        from django.core.files.storage import default_storage

        with default_storage.open(attachment.storage_name, "rb") as fh:
            self.assertNotIn(b"%PDF", fh.read())
        default_storage.delete(attachment.storage_name)


class ConsentTestCase(BaseTestCase):
    def substitute(self, valid_from, valid_until, **kwargs):
        return actions.record_consent(actor=self.coach, client=self.own_client, kind="substitute",
                                      substitute=self.other_coach, given_via="writing", valid_from=valid_from,
                                      valid_until=valid_until, evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF),
                                      now=self.now, **kwargs)

    def test_gc_2_5_a_substitute_coach_has_access_only_during_the_consented_period(self):
        """GC-2.5, GC-3.5"""
        today = self.now.date()
        self.assertIsNone(access.grant_for(self.other_coach, self.own_client, "dossier.read", self.now))
        self.substitute(today + DAY, today + 3 * DAY)
        self.assertIsNone(access.grant_for(self.other_coach, self.own_client, "dossier.read", self.now))
        during = self.now + 2 * DAY
        grant = access.grant_for(self.other_coach, self.own_client, "dossier.read", during)
        self.assertEqual(grant.basis, Basis.SUBSTITUTE)
        self.assertIn(self.own_client, Client.objects.visible_to(self.other_coach, "dossier.read", during))
        self.assertIsNone(access.grant_for(self.other_coach, self.own_client, "dossier.read", self.now + 4 * DAY))
        self.assertNotIn(self.own_client, Client.objects.visible_to(self.other_coach, "dossier.read",
                                                                     self.now + 4 * DAY))

    def test_gc_2_5_withdrawal_ends_the_substitutes_access_at_once(self):
        """GC-2.5"""
        consent = self.substitute(self.now.date(), self.now.date() + 10 * DAY)
        self.login(self.other_coach)
        url = f"/clients/{self.own_client.public_id}/"
        r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(AccessLogEntry.objects.last().basis, Basis.SUBSTITUTE)
        self.assertEqual(AccessLogEntry.objects.last().basis_ref, str(consent.public_id))
        actions.withdraw_consent(actor=self.coach, consent=consent, now=self.now)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_consent_without_evidence_is_refused_and_nothing_saved(self):
        with self.assertRaises(ValidationError) as caught:
            actions.record_consent(actor=self.coach, client=self.own_client, kind="substitute",
                                   substitute=self.other_coach, given_via="writing", valid_from=self.now.date(),
                                   valid_until=self.now.date() + DAY, now=self.now)
        self.assertIn("evidence", caught.exception.message_dict)
        self.assertEqual(Consent.objects.count(), 0)

    def test_a_substitute_consent_needs_a_period(self):
        with self.assertRaises(ValidationError) as caught:
            self.substitute(self.now.date(), None)
        self.assertIn("valid_until", caught.exception.message_dict)

    def test_gc_2_5_a_consent_period_with_a_mistyped_year_is_refused_and_nothing_saved(self):
        """GC-2.5, GC-6.4: 9999 as the end year would give the substitute access for life."""
        today = self.now.date()
        for valid_from, valid_until, field in ((today, datetime.date(9999, 12, 31), "valid_until"),
                                               (datetime.date(9999, 1, 1), datetime.date(9999, 2, 1), "valid_from"),
                                               (datetime.date(2016, 1, 1), datetime.date(2016, 2, 1), "valid_from"),
                                               (today + 400 * DAY, today + 410 * DAY, "valid_from")):
            with self.subTest(valid_from=valid_from), self.assertRaises(ValidationError) as caught:
                self.substitute(valid_from, valid_until)
            self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(Consent.objects.count(), 0)

    def test_gc_2_5_a_consent_for_next_years_leave_or_given_on_paper_last_year_is_taken(self):
        today = self.now.date()
        self.substitute(today + 300 * DAY, today + 330 * DAY)
        self.substitute(today - 300 * DAY, today + 30 * DAY)
        self.assertEqual(Consent.objects.count(), 2)

    def test_gc_2_5_the_api_refuses_a_consent_period_of_a_lifetime_with_the_field_named(self):
        self.login(self.coach)
        response = self.client.post(f"/api/clients/{self.own_client.public_id}/consents", {
            "kind": "substitute", "given_via": "writing", "substitute": str(self.other_coach.public_id),
            "valid_from": str(self.now.date()), "valid_until": "9999-12-31",
            "evidence": SimpleUploadedFile("ok.pdf", DEMO_PDF)})
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("valid_until", response.content.decode())
        self.assertEqual(Consent.objects.count(), 0)


class BreakGlassTestCase(BaseTestCase):
    def test_gc_2_3_the_api_judges_the_reason_before_the_reference_so_no_answer_tells_which_exist(self):
        self.login(self.other_coach)
        answers = [self.client.post("/api/clients/break-glass", {"reference": reference, "reason": "kort"},
                                    content_type="application/json")
                   for reference in (self.own_client.reference, "2099-9999")]
        self.assertEqual([r.status_code for r in answers], [422, 422])
        self.assertEqual(answers[0].json(), answers[1].json())
        self.assertFalse(AccessLogEntry.objects.filter(action="break_glass.start").exists())

    def test_break_glass_needs_a_reason_is_logged_notifies_management_and_is_visible(self):
        """GC-2.3, LAW-NEN7513: emergency access."""
        with self.assertRaises(ValidationError):
            actions.break_glass(actor=self.other_coach, client=self.own_client, reason="kort", now=self.now)
        self.login(self.other_coach)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post("/clients/break-glass/", {"reference": self.own_client.reference,
                                                          "reason": "Cliënt in crisis, eigen coach onbereikbaar."})
        self.assertRedirects(r, f"/clients/{self.own_client.public_id}/", fetch_redirect_response=False)
        start = AccessLogEntry.objects.get(action="break_glass.start")
        self.assertEqual((start.basis, start.actor, start.client_ref), (Basis.BREAK_GLASS, self.other_coach,
                                                                        self.own_client.public_id))
        self.assertEqual([m.to for m in mail.outbox], [["mia@example.com"]])
        self.assertNotIn("crisis", mail.outbox[0].body)
        r = self.client.get(f"/clients/{self.own_client.public_id}/")
        self.assertContains(r, "badge badge-late")
        read = AccessLogEntry.objects.last()
        self.assertEqual((read.action, read.basis), ("dossier.read", Basis.BREAK_GLASS))
        # Read only, and for two hours.
        self.assertIsNone(access.grant_for(self.other_coach, self.own_client, "dossier.write"))
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/entries/new/").status_code, 403)
