"""GC-6.9 supervision and GC-6.8 research exports: de-identified, reviewed, labelled
pseudonymised; identifiable only with consent; research only with both consents."""

import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachdossier.accounts.models import Role
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind, PrincipalKind
from coachdossier.complaints import actions as complaints
from coachdossier.privacy import actions, deid_service, exports
from coachdossier.privacy.tests.base import PrivacyTestCase
from coachdossier.test import make_client, make_user

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

    def test_gc_6_9_the_dutch_wait_page_is_dutch_throughout(self):
        """GC-6.9: its main sentence was never extracted for translation and stayed English."""
        from django.conf import settings

        deid_service.forget()
        self.login(self.coach)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        response = self.client.get(self.url())
        self.assertContains(response, "probeer het over een minuut opnieuw", status_code=503)
        self.assertNotContains(response, "try again in a minute", status_code=503)


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

    def approved_research_consent(self, client, coach):
        entry_text = "Gesprek over het werk in de bakkerij."
        client_actions.add_entry(actor=coach, client=client, kind=EntryKind.NOTE, occurred_on=self.now.date(),
                                 title="Voortgang", text=entry_text, now=self.now)
        consent = client_actions.record_consent(actor=coach, client=client, kind="research", given_via="writing",
                                                valid_from=self.now.date(), now=self.now,
                                                evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF))
        actions.record_umbrella_approval(actor=coach, consent=consent, approved_on=self.now.date(), now=self.now)

    def test_gc_6_8_management_exports_the_whole_practice_de_identified_and_logged_per_client(self):
        """GC-6.8, PR-7: management has no dossier.read, but "research.export" gives it the
        pseudonymised dataset of every consenting client of every coach, each exported client
        logged on the management basis; clients without both consents stay out."""
        from coachdossier.audit.models import AccessLogEntry, Basis

        self.approved_research_consent(self.own_client, self.coach)
        self.approved_research_consent(self.other_client, self.other_coach)
        self.login(self.management)
        page = self.client.get(reverse("privacy:research"))
        self.assertContains(page, self.other_client.display_name)
        self.assertNotContains(page, 'name="approved_on"')  # approving is the coach's, with consent.manage
        data = json.loads(self.client.post(reverse("privacy:research"), {"date_mode": "month", "fmt": "json"}).content)
        self.assertEqual(data["label"], "Pseudonymised")
        self.assertEqual(len({r["client"] for r in data["records"]}), 2)
        dumped = json.dumps(data, ensure_ascii=False)
        for client in (self.own_client, self.other_client):
            self.assertNotIn(client.personal.last_name, dumped)
        logged = AccessLogEntry.objects.filter(action="research.export")
        self.assertEqual({(str(e.client_ref), e.basis) for e in logged},
                         {(str(self.own_client.public_id), Basis.MANAGEMENT),
                          (str(self.other_client.public_id), Basis.MANAGEMENT)})

    def test_gc_6_8_a_coach_still_exports_only_their_own_clients(self):
        from coachdossier.audit.models import AccessLogEntry, Basis

        self.approved_research_consent(self.own_client, self.coach)
        self.approved_research_consent(self.other_client, self.other_coach)
        self.login(self.coach)
        self.assertNotContains(self.client.get(reverse("privacy:research")), self.other_client.display_name)
        data = json.loads(self.client.post(reverse("privacy:research"), {"date_mode": "month", "fmt": "json"}).content)
        self.assertEqual(len({r["client"] for r in data["records"]}), 1)
        self.assertEqual([(str(e.client_ref), e.basis) for e in AccessLogEntry.objects.filter(action="research.export")],
                         [(str(self.own_client.public_id), Basis.COACH)])

    def test_management_still_cannot_read_a_dossier(self):
        """PR-7: the research action opens nothing else: management gets 403 on a dossier page."""
        self.login(self.management)
        self.assertEqual(self.client.get(reverse("clients:detail", args=[self.own_client.public_id])).status_code, 403)

    def test_the_umbrella_approval_is_recorded_only_on_a_research_consent(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            actions.record_umbrella_approval(actor=self.coach, consent=self.consent("supervision"),
                                             approved_on=self.now.date(), now=self.now)


class KnownNamesTests(ExportTestCase):
    """GC-6.8, GC-6.9: the exports remove every name the system holds, also names that no
    list knows (Polish, Turkish, Moroccan, Surinamese, Frisian: all fictional)."""

    NOTE = ("Derde gesprek met Małgorzata. Ze werkt als inpakster bij Bakkerij De Vries BV; Grzegorz belde "
            "namens De Vries. Rypma neemt het over tijdens mijn vakantie, Lachmon meet de HRV. Ouaali ziet haar "
            "over vier weken. Haar broer Fouad Ouchan diende de klacht in. Alice en Kübra Parlak waren er ook. "
            "De cursus betaalt ze op eigen rekening.")
    NAMES = ("Małgorzata", "Wiśniewska", "Bakkerij", "De Vries", "Grzegorz", "Rypma", "Lachmon", "Ouaali", "Fouad",
             "Ouchan", "Alice")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.substitute = make_user("hylke@example.com", "Hylke Rypma", Role.COACH)
        make_user("oedit@example.com", "Oedit Lachmon", Role.THERAPIST)
        make_user("kubra@example.com", "Kübra Parlak", Role.COACH)  # a colleague in another coach's caseload
        bakery = client_actions.create_principal(actor=cls.management, name="Bakkerij De Vries B.V.",
                                                 kind=PrincipalKind.EMPLOYER, contact_name="Grzegorz Wójcik")
        client_actions.create_principal(actor=cls.management, name="Eigen rekening", kind=PrincipalKind.SELF)
        cls.polish = make_client(actor=cls.management, coach=cls.coach, principal=bakery, first="Małgorzata",
                                 last="Wiśniewska", city="Ede", email="m.wisniewska@example.com")
        for kind, extra in (("substitute", {"substitute": cls.substitute, "valid_until": cls.now.date()}),
                            ("disclosure", {"recipient": "Bedrijfsarts K. Ouaali (ArboNed)", "purpose": "Advies",
                                            "data_scope": "Belastbaarheid"}),
                            ("research", {})):
            consent = client_actions.record_consent(actor=cls.coach, client=cls.polish, kind=kind, given_via="writing",
                                                    valid_from=cls.now.date(), now=cls.now,
                                                    evidence=SimpleUploadedFile("ok.pdf", DEMO_PDF), **extra)
        actions.record_umbrella_approval(actor=cls.coach, consent=consent, approved_on=cls.now.date(), now=cls.now)
        complaints.lodge_complaint(actor=cls.management, now=cls.now, channel="letter", subject="service",
                                   category="communication", description="Namens mijn zus.", client=cls.polish,
                                   name="Fouad Ouchan")
        cls.note = client_actions.add_entry(actor=cls.coach, client=cls.polish, kind=EntryKind.NOTE,
                                            occurred_on=cls.now.date(), title="Voortgang", text=cls.NOTE, now=cls.now)

    def left(self, text):
        return [n for n in self.NAMES if n.casefold() in text.casefold()]

    def test_gc_6_9_the_summary_names_nobody_the_system_knows(self):
        summary = exports.supervision_summary(self.polish, [self.note])
        self.assertEqual(self.left(summary), [])
        self.assertIn("op eigen rekening", summary)  # a self-paying principal's label is no name

    def test_gc_6_8_the_research_dataset_names_nobody_the_system_knows(self):
        rows = exports.research_rows([self.polish], today=self.now.date(), date_mode="month")
        text = next(r["text"] for r in rows if r["kind"] == "note")
        self.assertEqual(self.left(text), [])

    def test_gc_6_9_a_known_name_typed_back_during_review_is_refused(self):
        self.assertEqual(exports.leftover_identifiers(self.polish, "[PERSOON-1] sprak met Grzegorz en Ouaali."),
                         ["Grzegorz", "Ouaali"])
        self.assertEqual(exports.leftover_identifiers(self.polish, "Ze betaalt op eigen rekening."), [])

    def test_gc_6_9_a_word_that_contains_the_clients_town_is_no_leftover(self):
        self.assertEqual(exports.leftover_identifiers(self.polish, "Ze zoekt vrede met haar werk."), [])
        self.assertEqual(exports.leftover_identifiers(self.polish, "Ze woont in Ede."), ["Ede"])

    def test_gc_5_2_a_note_naming_the_principals_contact_or_a_colleague_is_flagged(self):
        """GC-5.2: names no list knows count as other persons when the system knows them."""
        for text in ("Grzegorz belde over het rooster.", "Rypma neemt het over."):
            entry = client_actions.add_entry(actor=self.coach, client=self.polish, kind=EntryKind.NOTE,
                                             occurred_on=self.now.date(), title="Voortgang", text=text, now=self.now)
            self.assertTrue(entry.names_others, text)
        own = client_actions.add_entry(actor=self.coach, client=self.polish, kind=EntryKind.NOTE,
                                       occurred_on=self.now.date(), title="Voortgang", text="Małgorzata is moe.",
                                       now=self.now)
        self.assertFalse(own.names_others)


class ResearchApiTests(ExportTestCase):
    """GC-6.8 through the API as on the page: who is in and who is left out, and the
    de-identified dataset of those with both consents, each exported client logged."""

    def approve(self):
        consent = self.consent("research")
        actions.record_umbrella_approval(actor=self.coach, consent=consent, approved_on=self.now.date(), now=self.now)

    def export(self, **body):
        return self.client.post("/api/privacy/research/export", json.dumps({"date_mode": "month", "fmt": "json",
                                                                            **body}),
                                content_type="application/json")

    def test_gc_6_8_the_api_lists_the_clients_with_their_research_consents(self):
        self.approve()
        self.login(self.coach)
        listed = self.client.get("/api/privacy/research").json()
        self.assertEqual(listed["excluded"], 0)
        self.assertEqual([(c["client_id"], c["eligible"]) for c in listed["clients"]],
                         [(str(self.own_client.public_id), True)])

    def test_gc_6_8_the_api_exports_the_de_identified_dataset_and_logs_each_client(self):
        from coachdossier.audit.models import AccessLogEntry

        self.approve()
        self.login(self.coach)
        response = self.export()
        self.assertEqual(response.status_code, 200)
        data = json.loads(response.content)
        self.assertEqual(data["label"], "Pseudonymised")
        self.assertNotIn("Carla", json.dumps(data))
        self.assertEqual([str(e.client_ref) for e in AccessLogEntry.objects.filter(action="research.export")],
                         [str(self.own_client.public_id)])

    def test_gc_6_8_without_both_consents_nothing_is_exported_and_bad_input_is_a_422(self):
        self.consent("research")  # not approved by the umbrella organisation
        self.login(self.coach)
        refused = self.export()
        self.assertEqual(refused.status_code, 422)
        self.assertIn("nothing may be exported", refused.json()["errors"]["__all__"][0])
        self.assertEqual(self.export(fmt="xlsx").status_code, 422)

    def test_only_coaches_and_management_export_for_research(self):
        self.login(self.auditor)
        self.assertEqual(self.client.get("/api/privacy/research").status_code, 403)
        self.assertEqual(self.export().status_code, 403)


class SupervisionApiTests(ExportTestCase):
    """GC-6.9 through the API as on the page: the coach asks for the de-identified summary of
    chosen entries, reviews and edits it, and exports it; an identifier typed back is refused,
    identifiable use needs the client's consent."""

    def post(self, step, **body):
        return self.client.post(f"/api/privacy/clients/{self.own_client.public_id}/supervision/{step}",
                                json.dumps(body), content_type="application/json")

    def test_gc_6_9_the_summary_is_de_identified_and_the_export_labelled_and_logged(self):
        from coachdossier.audit.models import AccessLogEntry

        self.login(self.coach)
        summary = self.post("summary", entries=[str(self.entry.public_id)]).json()["summary"]
        for identifier in ("Carla", "Vries", "Broodnodig", "Utrecht"):
            self.assertNotIn(identifier, summary)
        exported = self.post("export", summary=summary + "\nEigen aanvulling.")
        self.assertEqual(exported.status_code, 200)
        self.assertTrue(exported.content.decode().startswith("PSEUDONYMISED"))
        self.assertIn("Eigen aanvulling.", exported.content.decode())
        self.assertTrue(AccessLogEntry.objects.filter(action="supervision.export",
                                                      client_ref=self.own_client.public_id).exists())

    def test_gc_6_9_an_identifier_typed_back_and_identifiable_use_without_consent_are_422(self):
        self.login(self.coach)
        typed_back = self.post("export", summary="Gesprek met Carla de Vries.")
        self.assertEqual(typed_back.status_code, 422)
        self.assertIn("summary", typed_back.json()["errors"])
        self.assertEqual(self.post("summary", entries=[str(self.entry.public_id)], identifiable=True).status_code, 422)
        self.assertEqual(self.post("summary", entries=[]).status_code, 422)

    def test_gc_6_9_only_the_clients_coach_reaches_it(self):
        self.login(self.other_coach)
        self.assertEqual(self.post("summary", entries=[str(self.entry.public_id)]).status_code, 404)
        self.login(self.management)
        self.assertEqual(self.post("summary", entries=[str(self.entry.public_id)]).status_code, 403)
