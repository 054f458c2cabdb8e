"""What a coach reads on her working day, in Dutch: the words must say what they mean."""

from django.test import override_settings
from django.urls import reverse

from coachdossier.clients import actions
from coachdossier.test import BaseTestCase


@override_settings(LANGUAGE_CODE="nl")
class DutchWordingTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.coach)

    def test_a_session_by_phone_reads_telefonisch_not_telefoonnummer(self):
        actions.log_session(actor=self.coach, trajectory=self.own_client.current_trajectory, date=self.now.date(),
                            minutes=45, mode="phone", now=self.now)
        for url in (reverse("clients:detail", args=[self.own_client.public_id]),
                    reverse("clients:session_new", args=[self.own_client.public_id])):
            r = self.client.get(url)
            self.assertContains(r, "Telefonisch")
        self.assertNotContains(r, "Telefoonnummer")

    def test_gc_5_3_her_own_finding_is_explained_to_the_coach_not_as_if_to_the_client(self):
        entry = actions.add_entry(actor=self.coach, client=self.own_client, kind="finding",
                                  occurred_on=self.now.date(), title="Tussentijdse bevinding",
                                  text="De belastbaarheid neemt toe.", now=self.now)
        for url in (reverse("clients:entry", args=[self.own_client.public_id, entry.public_id]),
                    reverse("clients:detail", args=[self.own_client.public_id])):
            r = self.client.get(url)
            self.assertNotContains(r, "uw coach")
            self.assertContains(r, "De cliënt kan die niet laten corrigeren")


class EmptyTabsTestCase(BaseTestCase):
    def tab(self, key, user=None):
        self.login(user or self.coach)
        return self.client.get(reverse("clients:tab", args=[self.own_client.public_id, key]))

    def test_gc_9_1_an_empty_biofeedback_tab_offers_the_referral_that_brings_measurements(self):
        r = self.tab("measurements")
        self.assertContains(r, "A biofeedback therapist records them once you refer the client.")
        self.assertContains(r, reverse("clients:referral_new", args=[self.own_client.public_id]))

    def test_gc_9_1_after_the_referral_the_empty_tab_says_the_therapist_records_them(self):
        actions.refer_to_therapist(actor=self.coach, client=self.own_client, therapist=self.therapist, now=self.now)
        r = self.tab("measurements")
        self.assertContains(r, "The biofeedback therapist records them here after each session.")
        self.assertNotContains(r, reverse("clients:referral_new", args=[self.own_client.public_id]))


class ConsentFormTestCase(BaseTestCase):
    def test_gc_2_5_the_substitute_list_does_not_offer_the_clients_own_coach(self):
        self.login(self.coach)
        r = self.client.get(reverse("clients:consent_new", args=[self.own_client.public_id]))
        substitutes = r.context["form"].fields["substitute"].queryset
        self.assertNotIn(self.coach, substitutes)
        self.assertIn(self.other_coach, substitutes)


class EntryAttachmentsTestCase(BaseTestCase):
    """A scan that arrives after the entry was written is added to that entry, on the page and in
    the API, through the same action."""

    def setUp(self):
        super().setUp()
        self.entry = actions.add_entry(actor=self.coach, client=self.own_client, kind="correspondence_in",
                                       occurred_on=self.now.date(), title="Brief van de werkgever", text="Zie bijlage.",
                                       now=self.now)
        self.url = reverse("clients:entry_attachments", args=[self.own_client.public_id, self.entry.public_id])

    def pdf(self, name="brief.pdf"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from coachdossier.clients.management.commands.demo import DEMO_PDF

        return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")

    def test_the_coach_adds_a_scan_to_an_existing_entry_on_its_page(self):
        self.login(self.coach)
        page = self.client.get(reverse("clients:entry", args=[self.own_client.public_id, self.entry.public_id]))
        self.assertContains(page, f'action="{self.url}"')
        r = self.client.post(self.url, {"files": [self.pdf()]}, follow=True)
        self.assertContains(r, "The attachments have been added to the entry.")
        self.assertContains(r, "brief.pdf")
        self.assertEqual(self.entry.attachments.count(), 1)

    def test_without_a_file_or_with_a_refused_file_nothing_is_added_and_the_page_says_why(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.login(self.coach)
        r = self.client.post(self.url, {}, follow=True)
        self.assertContains(r, "Choose one or more files to attach.")
        r = self.client.post(self.url, {"files": [self.pdf(), SimpleUploadedFile("virus.exe", b"MZ\x90\x00")]},
                             follow=True)
        self.assertContains(r, "virus.exe")
        self.assertEqual(self.entry.attachments.count(), 0)

    def test_the_api_adds_attachments_and_answers_422_for_a_refused_file(self):
        from coachdossier.api.tests.test_clients_api import ApiTestCase

        call = ApiTestCase.call.__get__(self)
        self.token = ApiTestCase.token.__get__(self)
        path = f"/api/clients/{self.own_client.public_id}/entries/{self.entry.public_id}/attachments"
        r = call(self.coach, "POST_MULTIPART", path, {"files": [self.pdf()]})
        self.assertEqual(r.status_code, 201)
        self.assertEqual(r.json()[0]["filename"], "brief.pdf")
        r = call(self.coach, "POST_MULTIPART", path, {})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(self.entry.attachments.count(), 1)

    def test_gc_5_3_a_clients_own_statement_gets_no_attachment_from_the_coach(self):
        from coachdossier.audit.models import Basis
        from coachdossier.clients.access import Grant

        statement = actions.add_entry(actor=self.client_user, client=self.own_client, kind="client_statement",
                                      occurred_on=self.now.date(), title="Mijn kijk", text="Ik voel me gehoord.",
                                      now=self.now, grant=Grant(Basis.CLIENT))
        self.login(self.coach)
        r = self.client.post(reverse("clients:entry_attachments", args=[self.own_client.public_id,
                                                                         statement.public_id]), {"files": [self.pdf()]})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(statement.attachments.count(), 0)


class ActivateButtonTestCase(BaseTestCase):
    def test_gc_7_1_make_active_is_offered_only_once_the_trajectory_has_a_goal(self):
        from coachdossier.clients.models import ClientSource, PersonalData

        client = actions.register_client(actor=self.management, principal=self.employer, now=self.now,
                                         personal=PersonalData(first_name="Eveline", last_name="Bos"))
        trajectory = actions.open_trajectory(actor=self.management, client=client, principal=self.employer,
                                             coach=self.coach, source=ClientSource.UMBRELLA, now=self.now)
        activate = reverse("clients:trajectory_activate", args=[client.public_id, trajectory.public_id])
        self.login(self.coach)
        r = self.client.get(reverse("clients:detail", args=[client.public_id]))
        self.assertContains(r, "No goal or question yet.")
        self.assertNotContains(r, activate)
        actions.reformulate_goal(actor=self.coach, trajectory=trajectory, text="Weer aan het werk", now=self.now)
        self.assertContains(self.client.get(reverse("clients:detail", args=[client.public_id])), activate)
