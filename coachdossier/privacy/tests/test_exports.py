"""GC-6.9 supervision and GC-6.8 research exports: de-identified, reviewed, labelled
pseudonymised; identifiable only with consent; research only with both consents."""

import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind
from coachdossier.privacy import actions, deid_service
from coachdossier.privacy.tests.base import PrivacyTestCase

NOTE = "Gesprek met Carla de Vries over haar werk bij Bakkerij Broodnodig BV. Zij woont in Utrecht."


class ExportTestCase(PrivacyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.entry = client_actions.add_entry(actor=cls.coach, client=cls.own_client, kind=EntryKind.NOTE,
                                             occurred_on=cls.now.date(), title="Voortgang", text=NOTE, now=cls.now)

    def setUp(self):
        super().setUp()
        deid_service.warm_up_now()  # built once per test run; cheap afterwards

    def consent(self, kind):
        return client_actions.record_consent(actor=self.coach, client=self.own_client, kind=kind, given_via="writing",
                                             valid_from=self.now.date(), now=self.now,
                                             evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF))


class SupervisionTests(ExportTestCase):
    def url(self):
        return reverse("privacy:supervision", args=[self.own_client.public_id])

    def test_gc_6_9_the_summary_has_no_identifiers_and_is_labelled_pseudonymised(self):
        self.login(self.coach)
        review = self.client.post(self.url(), {"step": "prepare", "entries": [str(self.entry.public_id)]})
        summary = review.context["form"].initial["summary"]
        for identifier in ("Carla", "Vries", "Broodnodig", "Utrecht"):
            self.assertNotIn(identifier, summary)
        self.assertIn("[PERSOON-1]", summary)
        download = self.client.post(self.url(), {"step": "download", "summary": summary + "\nEigen aanvulling."})
        body = download.content.decode()
        self.assertTrue(body.startswith("PSEUDONYMISED"))
        self.assertIn("Eigen aanvulling.", body)
        self.assertIn("gepseudonimiseerd", download["Content-Disposition"])

    def test_gc_6_9_in_the_dutch_ui_the_download_is_labelled_gepseudonimiseerd(self):
        from django.conf import settings

        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        self.login(self.coach)
        download = self.client.post(self.url(), {"step": "download", "summary": "[PERSOON-1] werkt weer."})
        self.assertTrue(download.content.decode().startswith("GEPSEUDONIMISEERD"))

    def test_gc_6_9_an_identifier_typed_back_during_review_is_refused(self):
        self.login(self.coach)
        response = self.client.post(self.url(), {"step": "download", "summary": "Casus van Carla de Vries."})
        self.assertEqual(response.status_code, 200)
        self.assertIn("identifying details", str(response.context["form"].errors["summary"]))

    def test_gc_6_9_identifiable_use_needs_the_supervision_consent(self):
        self.login(self.coach)
        refused = self.client.post(self.url(), {"step": "prepare", "entries": [str(self.entry.public_id)],
                                                "identifiable": "on"})
        self.assertContains(refused, "supervision consent")
        forged = self.client.post(self.url(), {"step": "download", "summary": NOTE, "identifiable": "True"})
        self.assertEqual(forged.status_code, 200)
        self.consent("supervision")
        allowed = self.client.post(self.url(), {"step": "download", "summary": NOTE, "identifiable": "True"})
        self.assertIn("IDENTIFIABLE", allowed.content.decode())

    def test_gc_6_9_while_deduce_is_not_ready_the_page_asks_to_wait(self):
        deid_service.forget()
        self.login(self.coach)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "try again in a minute", status_code=503)
        self.assertEqual(response["Retry-After"], "60")


class ResearchTests(ExportTestCase):
    def test_gc_6_8_no_export_without_both_consents(self):
        self.login(self.coach)
        self.consent("research")  # the client's consent, not yet approved by the umbrella organisation
        response = self.client.post(reverse("privacy:research"), {"date_mode": "month", "fmt": "csv"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "nothing may be exported")

    def test_gc_6_8_with_both_consents_the_dataset_is_de_identified_with_coarsened_dates(self):
        consent = self.consent("research")
        actions.record_umbrella_approval(actor=self.coach, consent=consent, approved_on=self.now.date(), now=self.now)
        self.login(self.coach)
        response = self.client.post(reverse("privacy:research"), {"date_mode": "month", "fmt": "csv"})
        text = response.content.decode()
        self.assertTrue(text.startswith("# Pseudonymised"))
        rows = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))
        note = next(r for r in rows if r["kind"] == "note")
        self.assertEqual(note["date"], "2026-11")
        self.assertNotIn("Carla", note["text"])
        self.assertTrue(note["client"].startswith("P-"))

    def test_gc_6_8_shifted_dates_in_json(self):
        consent = self.consent("research")
        actions.record_umbrella_approval(actor=self.coach, consent=consent, approved_on=self.now.date(), now=self.now)
        self.login(self.coach)
        data = json.loads(self.client.post(reverse("privacy:research"), {"date_mode": "shift", "fmt": "json"}).content)
        self.assertEqual(data["label"], "Pseudonymised")
        self.assertEqual(len(data["records"][0]["date"]), 10)

    def test_the_umbrella_approval_is_recorded_only_on_a_research_consent(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            actions.record_umbrella_approval(actor=self.coach, consent=self.consent("supervision"),
                                             approved_on=self.now.date(), now=self.now)
