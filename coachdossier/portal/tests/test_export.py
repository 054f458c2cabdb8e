import io
import json
import zipfile

import jsonschema
from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import EntryKind
from coachdossier.portal import actions, export
from coachdossier.portal.models import RequestKind

from .base import CLIENT_GRANT, COACH_GRANT, PortalTestCase


class ExportTestCase(PortalTestCase):
    def setUp(self):
        super().setUp()
        from coachdossier.clients.management.commands.demo import DEMO_PDF

        self.pdf = DEMO_PDF
        self.fact = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                             occurred_on=self.now.date(), title="Werkuren", text="Werkt 32 uur.",
                                             now=self.now, files=[SimpleUploadedFile("rooster.pdf", DEMO_PDF)])
        client_actions.edit_entry(actor=self.coach, entry=self.fact, title="Werkuren", text="Werkt 24 uur.",
                                  reason="Correctie op verzoek", now=self.now, grant=COACH_GRANT, is_correction=True)
        client_actions.record_consent(actor=self.client_user, client=self.own_client, kind="disclosure",
                                      recipient="Bedrijfsarts Zorgvuldig", purpose="Afstemming", data_scope="Uren",
                                      given_via="portal", valid_from=self.now.date(), now=self.now, grant=CLIENT_GRANT)
        actions.send_message(actor=self.client_user, client=self.own_client, text="Wat betekent dit?", now=self.now,
                             grant=CLIENT_GRANT)
        client_actions.add_entry(actor=self.other_coach, client=self.other_client, kind=EntryKind.NOTE,
                                 occurred_on=self.now.date(), title="Daan intake", text="Geheim van Daan.", now=self.now)

    def test_law_20_the_export_validates_against_the_published_schema(self):
        """LAW-20: a JSON export with a published JSON Schema (draft 2020-12)."""
        data = export.build_export(self.own_client, now=self.now)
        schema = export.schema()
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            json.loads(export.to_json(data)))

    def test_law_20_an_export_with_every_request_status_validates_against_the_published_schema(self):
        """LAW-20: the schema names every status a request in the export can have (GC-1.3: withdrawn)."""
        from coachdossier.portal.models import ClientRequest, RequestKind, RequestStatus

        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                       now=self.now, grant=CLIENT_GRANT)
        validator = jsonschema.Draft202012Validator(export.schema())
        for status in RequestStatus.values:
            ClientRequest.objects.filter(pk=request.pk).update(status=status)
            validator.validate(json.loads(export.to_json(export.build_export(self.own_client, now=self.now))))

    def test_law_20_an_export_with_every_kind_of_entry_validates_against_the_published_schema(self):
        """LAW-20, GC-0.4: the signed coaching agreement is an entry of its own kind; the schema
        listed the kinds from before it, so her copy of a dossier holding it broke its own schema."""
        client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.AGREEMENT,
                                 occurred_on=self.now.date(), title="Overeenkomst", now=self.now,
                                 files=[SimpleUploadedFile("overeenkomst.pdf", self.pdf)])
        data = json.loads(export.to_json(export.build_export(self.own_client, now=self.now)))
        self.assertIn(EntryKind.AGREEMENT, {e["kind"] for e in data["entries"]})
        jsonschema.Draft202012Validator(export.schema()).validate(data)
        kinds = export.schema()["properties"]["entries"]["items"]["properties"]["kind"]["enum"]
        self.assertEqual(set(kinds), set(EntryKind.values))

    def test_law_15_the_export_holds_every_version_disclosures_messages_and_the_access_log(self):
        """LAW-15, GC-5.1"""
        data = export.build_export(self.own_client, now=self.now)
        entry = next(e for e in data["entries"] if e["id"] == str(self.fact.public_id))
        self.assertEqual([v["text"] for v in entry["versions"]], ["Werkt 32 uur.", "Werkt 24 uur."])
        self.assertTrue(entry["corrected"])
        self.assertEqual(entry["attachments"][0]["filename"], "rooster.pdf")
        self.assertEqual(data["disclosures"][0]["recipient"], "Bedrijfsarts Zorgvuldig")
        self.assertEqual(data["messages"][0]["text"], "Wat betekent dit?")
        self.assertTrue(data["access_log"])
        self.assertEqual(data["client"]["personal_data"]["first_name"], "Carla")

    def test_gc_5_1_nothing_of_another_client_appears(self):
        """GC-5.1: each client's inspection never touches another's confidentiality."""
        blob = export.to_json(export.build_export(self.own_client, now=self.now)).decode()
        self.assertNotIn("Daan", blob)
        self.assertNotIn("Geheim", blob)
        self.assertNotIn(str(self.other_client.public_id), blob)

    def test_a_withheld_entry_keeps_only_its_date_and_type(self):
        data = export.build_export(self.own_client, redacted=[self.fact.public_id], now=self.now)
        entry = next(e for e in data["entries"] if e["id"] == str(self.fact.public_id))
        self.assertTrue(entry["withheld"])
        self.assertEqual(entry["versions"], [])
        self.assertNotIn("32 uur", export.to_json(data).decode())

    def test_the_pdf_and_the_zip_contain_the_dossier_and_its_attachments(self):
        data = export.build_export(self.own_client, now=self.now)
        pdf_bytes = export.build_pdf(data, language="nl")
        self.assertTrue(pdf_bytes.startswith(b"%PDF"))
        archive = zipfile.ZipFile(io.BytesIO(export.build_zip(self.own_client, data, pdf_bytes)))
        names = archive.namelist()
        self.assertIn("export.json", names)
        self.assertIn("dossier.pdf", names)
        attachment = [n for n in names if n.startswith("attachments/")]
        self.assertEqual(len(attachment), 1)
        self.assertEqual(archive.read(attachment[0]), self.pdf)

    def test_gc_5_2_the_pdf_copy_names_kinds_and_states_in_the_clients_language(self):
        """GC-5.1, GC-5.2: "Toestemming", "Kopie van het dossier", "Actief", not "disclosure", "copy", "active"."""
        from django.utils import translation

        from coachdossier.reports.tests.helpers import pdf_text

        actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                             now=self.now, grant=CLIENT_GRANT, field="city", proposed="Zwolle", reason="Verhuisd.")
        with translation.override("nl"):
            data = export.build_export(self.own_client, now=self.now)
            text = pdf_text(export.build_pdf(data, language="nl"))
        for raw in ("(disclosure)", "(correction)", "(identity_verified)", "(intake)"):
            self.assertNotIn(raw, text)
        for label in ("(Verstrekking)", "(Correctie)", "(Identiteit)", "(Intake)"):  # narrow cells wrap per word
            self.assertIn(label, text)

    def test_gc_5_2_the_pdf_copy_shows_no_raw_json_of_the_other_apps_sections(self):
        """GC-5.1, GC-5.2: questionnaires, measurements, reports sent and hand-overs read as
        tables with Dutch headings, not as '"measurements": []' under the heading "measurements"."""
        from django.utils import translation

        from coachdossier.reports.tests.helpers import pdf_text

        with translation.override("nl"):
            data = export.build_export(self.own_client, now=self.now)
            text = pdf_text(export.build_pdf(data, language="nl"))
        self.assertEqual(set(data["extra"]), {"questionnaires", "measurements", "reports_sent", "uwv_handovers"})
        for raw in ("(measurements)", "(questionnaires)", "(reports_sent)", "(uwv_handovers)", "([])", "({)"):
            self.assertNotIn(raw, text)
        for title in ("(Vragenlijsten)", "(Biofeedbackmetingen)", "(Verzonden rapportages)",
                      "(Overdrachten aan UWV)"):
            self.assertIn(title, text)

    def test_later_apps_plug_their_data_in(self):
        export.EXPORT_SECTIONS.append(lambda client: ("questionnaires", [{"name": "UWES", "score": 4.2}]))
        try:
            data = export.build_export(self.own_client, now=self.now)
        finally:
            export.EXPORT_SECTIONS.pop()
        self.assertEqual(data["extra"]["questionnaires"][0]["score"], 4.2)
        jsonschema.Draft202012Validator(export.schema()).validate(data)

    def test_the_schema_is_served_publicly(self):
        r = self.client.get("/portal/schema.json")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["$schema"], "https://json-schema.org/draft/2020-12/schema")


class CopyDownloadTestCase(PortalTestCase):
    def test_gc_5_1_one_click_gives_the_pdf_json_and_zip_after_re_authentication(self):
        """GC-5.1, LAW-15, LAW-20"""
        self.reauthenticated(self.client_user)
        r = self.client.post("/portal/copy/request/")
        self.assertRedirects(r, "/portal/copy/", fetch_redirect_response=False)
        request = self.own_client.requests.get(kind=RequestKind.COPY)
        for fmt, content_type in (("pdf", "application/pdf"), ("json", "application/json"),
                                  ("zip", "application/zip")):
            r = self.client.get(f"/portal/copy/{request.public_id}/{fmt}/")
            self.assertEqual(r.status_code, 200, fmt)
            self.assertEqual(r["Content-Type"], content_type)
        self.assertEqual(json.loads(r.content if fmt == "json" else
                                    zipfile.ZipFile(io.BytesIO(r.content)).read("export.json"))["client"]["reference"],
                         self.own_client.reference)

    def test_without_a_recent_login_the_client_must_re_authenticate_first(self):
        self.login(self.client_user)
        r = self.client.post("/portal/copy/request/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/reauthenticate/", r["Location"])
        self.assertFalse(self.own_client.requests.exists())

    def test_another_clients_copy_is_404(self):
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.COPY,
                                       now=self.now, grant=CLIENT_GRANT)
        self.reauthenticated(self.other_client_user)
        self.assertEqual(self.client.get(f"/portal/copy/{request.public_id}/pdf/").status_code, 404)


class DisclosureSourceTestCase(PortalTestCase):
    def test_law_15_reports_sent_join_the_disclosures_and_the_recipients_to_tell(self):
        """LAW-15: every disclosure and report sent, with recipient and date; AVG art. 19 notices."""
        from coachdossier.portal.models import RecipientNotice

        source = lambda client: [{"recipient": "UWV Utrecht", "purpose": "Voortgangsrapportage",  # noqa: E731
                                  "date": "2026-11-01"}]
        export.DISCLOSURE_SOURCES.append(source)
        try:
            data = export.build_export(self.own_client, now=self.now)
            entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                             occurred_on=self.now.date(), title="t", text="x", now=self.now)
            request = actions.file_request(actor=self.client_user, client=self.own_client,
                                           kind=RequestKind.CORRECTION, now=self.now, grant=CLIENT_GRANT, entry=entry,
                                           proposed="y", reason="z")
            actions.decide_correction(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT,
                                      accept=True)
        finally:
            export.DISCLOSURE_SOURCES.remove(source)
        self.assertEqual(data["disclosures"], [{"recipient": "UWV Utrecht", "purpose": "Voortgangsrapportage",
                                                "data_scope": "", "date": "2026-11-01", "source": "report"}])
        jsonschema.Draft202012Validator(export.schema()).validate(data)
        self.assertEqual([n.recipient for n in RecipientNotice.objects.filter(request=request)], ["UWV Utrecht"])
