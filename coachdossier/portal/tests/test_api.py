import datetime
import json

import jsonschema

from coachdossier.accounts import actions as account_actions
from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import Consent, EntryKind
from coachdossier.portal import actions, export
from coachdossier.portal.models import ClientRequest, RequestKind
from coachdossier.test import PASSWORD

from .base import CLIENT_GRANT, PortalTestCase


class PortalApiTestCase(PortalTestCase):
    def setUp(self):
        super().setUp()
        _, self.secret = account_actions.create_api_token(actor=self.client_user, name="app", now=self.now)
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}

    def get(self, path):
        return self.client.get(f"/api/portal{path}", **self.auth)

    def post(self, path, body=None):
        return self.client.post(f"/api/portal{path}", data=json.dumps(body or {}), content_type="application/json",
                                **self.auth)

    def test_law_20_the_dossier_comes_as_the_schema_document(self):
        """LAW-20, GC-5.1"""
        r = self.get("/dossier")
        self.assertEqual(r.status_code, 200)
        jsonschema.Draft202012Validator(export.schema()).validate(r.json())
        self.assertEqual(r.json()["client"]["reference"], self.own_client.reference)

    def test_gc_5_4_a_destruction_request_needs_the_password(self):
        """GC-5.4"""
        r = self.post("/requests", {"kind": "destruction"})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(ClientRequest.objects.exists())
        r = self.post("/requests", {"kind": "destruction", "password": PASSWORD})
        self.assertEqual(r.status_code, 201)
        received = datetime.date.fromisoformat(r.json()["received_on"])
        self.assertEqual(r.json()["deadline"], actions.deadline_for(RequestKind.DESTRUCTION, received).isoformat())
        self.assertEqual(self.get("/requests").json()["results"][0]["kind"], "destruction")

    def test_gc_1_3_a_destruction_request_is_withdrawn_through_the_api_as_on_the_page(self):
        """GC-1.3: the API offers what the requests page offers."""
        request_id = self.post("/requests", {"kind": "destruction", "password": PASSWORD}).json()["id"]
        r = self.post(f"/requests/{request_id}/withdraw")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["status"], "withdrawn")
        self.assertEqual(self.post(f"/requests/{request_id}/withdraw").status_code, 422)

    def test_gc_5_3_a_statement_is_withdrawn_through_the_api_as_on_the_page(self):
        """GC-5.3: the API offers what the dossier page offers, with the same action and log."""
        statement_id = self.post("/statements", {"title": "Mijn kijk", "text": "Het loopt stroef."}).json()["id"]
        r = self.post(f"/statements/{statement_id}/withdraw")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["id"], statement_id)
        self.assertIsNotNone(r.json()["withdrawn_at"])
        self.assertNotIn("stroef", json.dumps(self.get("/dossier").json()))
        self.assertTrue(AccessLogEntry.objects.filter(action="entry.withdraw_statement", object_ref=statement_id)
                        .exists())
        again = self.post(f"/statements/{statement_id}/withdraw")
        self.assertEqual(again.status_code, 422)
        self.assertEqual(list(again.json()["errors"]), ["entry"])

    def test_gc_5_3_only_a_statement_can_be_withdrawn(self):
        finding = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FINDING,
                                           occurred_on=self.now.date(), title="Beeld", text="x", now=self.now)
        self.assertEqual(self.post(f"/statements/{finding.public_id}/withdraw").status_code, 404)
        self.assertIsNone(self.own_client.entries.get(pk=finding.pk).withdrawn_at)

    def test_a_correction_on_a_finding_is_422_with_the_field(self):
        """GC-5.3"""
        finding = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FINDING,
                                           occurred_on=self.now.date(), title="Beeld", text="x", now=self.now)
        r = self.post("/requests", {"kind": "correction", "entry": str(finding.public_id), "proposed": "y",
                                    "reason": "z"})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(list(r.json()["errors"]), ["entry"])

    def test_the_api_keeps_a_clients_free_text_to_the_pages_limits_and_saves_nothing_over_them(self):
        """GC-5.3, GC-6.4: the pages refuse a statement over 20,000 characters (title 200), a
        correction over 5,000 (reason 2,000) and a consent's recipient over 200; the API took
        200,000, which made the dossier page of the client and her coach 100,000 px long."""
        statement = {"title": "Mijn kijk", "text": "x" * 20_001}
        for body, field in (({**statement, "title": "t" * 201, "text": "Kort."}, "title"), (statement, "text")):
            response = self.post("/statements", body)
            self.assertEqual(response.status_code, 422, response.content)
            self.assertEqual(list(response.json()["errors"]), [field])
        correction = {"kind": "correction", "field": "city", "proposed": "Utrecht", "reason": "Verhuisd."}
        for field, limit in (("proposed", 5_000), ("reason", 2_000)):
            response = self.post("/requests", {**correction, field: "x" * (limit + 1)})
            self.assertEqual(response.status_code, 422, response.content)
            self.assertEqual(list(response.json()["errors"]), [field])
        consent = {"kind": "disclosure", "valid_from": self.now.date().isoformat(), "recipient": "Bedrijfsarts",
                   "purpose": "Afstemming", "data_scope": "Uren"}
        for field, limit in (("recipient", 200), ("purpose", 500), ("data_scope", 500)):
            response = self.post("/consents", {**consent, field: "x" * (limit + 1)})
            self.assertEqual(response.status_code, 422, response.content)
            self.assertEqual(list(response.json()["errors"]), [field])
        self.assertFalse(self.own_client.entries.filter(kind=EntryKind.CLIENT_STATEMENT).exists())
        self.assertFalse(ClientRequest.objects.exists())
        self.assertFalse(Consent.objects.filter(client=self.own_client, given_via="portal").exists())
        self.assertEqual(self.post("/statements", {**statement, "text": "x" * 20_000}).status_code, 201)

    def test_a_forged_entry_id_is_404(self):
        other = client_actions.add_entry(actor=self.other_coach, client=self.other_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="Daan", text="x", now=self.now)
        r = self.post("/requests", {"kind": "correction", "entry": str(other.public_id), "proposed": "y",
                                    "reason": "z"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)

    def test_gc_1_3_consents_are_granted_and_withdrawn_and_others_are_404(self):
        """GC-1.3, GC-6.4"""
        r = self.post("/consents", {"kind": "disclosure", "valid_from": "2026-11-23", "recipient": "Arts",
                                    "purpose": "Afstemming", "data_scope": "Uren"})
        self.assertEqual(r.status_code, 201)
        consent_id = r.json()["id"]
        r = self.post(f"/consents/{consent_id}/withdraw")
        self.assertEqual(r.status_code, 200)
        self.assertIsNotNone(r.json()["withdrawn_at"])
        daans = client_actions.record_consent(actor=self.other_client_user, client=self.other_client,
                                              kind="disclosure", recipient="A", purpose="p", data_scope="d",
                                              given_via="portal", valid_from=self.now.date(), now=self.now,
                                              grant=CLIENT_GRANT)
        self.assertEqual(self.post(f"/consents/{daans.public_id}/withdraw").status_code, 404)
        self.assertIsNone(Consent.objects.get(pk=daans.pk).withdrawn_at)

    def test_statements_messages_and_the_access_log(self):
        self.assertEqual(self.post("/statements", {"text": "Mijn kijk op de begeleiding."}).status_code, 201)
        self.assertEqual(self.post("/messages", {"text": "Vraag over mijn dossier"}).status_code, 201)
        self.assertEqual(self.post("/messages", {"text": "  "}).status_code, 422)
        self.assertEqual(self.get("/messages").json()["results"][0]["text"], "Vraag over mijn dossier")
        lines = self.get("/access-log").json()["results"]
        self.assertTrue(any(line["action"] == "message.send" for line in lines))
        self.assertTrue(self.own_client.entries.filter(kind=EntryKind.CLIENT_STATEMENT).exists())

    def test_staff_tokens_reach_no_client_record_here(self):
        _, secret = account_actions.create_api_token(actor=self.coach, name="coach", now=self.now)
        r = self.client.get("/api/portal/dossier", HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.assertEqual(r.status_code, 404)

    def test_gc_5_1_a_released_copy_is_available_as_json_with_the_password(self):
        """GC-5.1, LAW-15: a token is no recent authentication, so the copy asks the password, as the page does."""
        r = self.post("/requests", {"kind": "copy", "password": PASSWORD})
        self.assertEqual(r.json()["status"], "done")
        url = f"/requests/{r.json()['id']}/copy.json"
        refused = self.get(url)
        self.assertEqual(refused.status_code, 403)
        self.assertTrue(refused.json()["detail"].startswith("Re-authentication required"))
        wrong = self.post(url, {"password": "not-it"})
        self.assertEqual(wrong.status_code, 403)
        self.assertTrue(wrong.json()["detail"].startswith("Re-authentication failed"))
        self.assertFalse(AccessLogEntry.objects.filter(action="copy.download").exists())
        r = self.post(url, {"password": PASSWORD})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["client"]["reference"], self.own_client.reference)
        self.assertEqual(AccessLogEntry.objects.filter(action="copy.download").count(), 1)
        self.assertEqual(ClientRequest.objects.get().kind, RequestKind.COPY)

    def test_gc_5_1_the_copy_in_the_session_needs_a_recent_sign_in_as_the_page_download_does(self):
        """GC-5.1, LAW-15: allauth's re-authentication records, with the page's timeout."""
        copy = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.COPY,
                                    now=self.now, grant=CLIENT_GRANT)
        url = f"/api/portal/requests/{copy.public_id}/copy.json"
        self.reauthenticated(self.client_user, seconds_ago=3600)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.get(f"/portal/copy/{copy.public_id}/json/").status_code, 302)  # the page asks
        self.reauthenticated(self.client_user)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_gc_5_1_the_openapi_document_says_the_copy_needs_re_authentication(self):
        schema = self.client.get("/api/openapi.json").json()
        operations = schema["paths"]["/api/portal/requests/{request_id}/copy.json"]
        for method in ("get", "post"):
            self.assertIn("Re-authentication required", operations[method]["responses"]["403"]["description"])
        self.assertEqual(operations["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
                         "#/components/schemas/PasswordIn")
        self.assertEqual(schema["components"]["schemas"]["PasswordIn"]["required"], ["password"])

    def test_gc_1_3_a_proposed_substitute_is_accepted_through_the_api(self):
        """GC-1.3"""
        from .base import COACH_GRANT

        proposal = actions.propose_substitute(actor=self.coach, client=self.own_client, substitute=self.other_coach,
                                              valid_from=self.now.date(), valid_until=datetime.date(2026, 12, 31),
                                              now=self.now, grant=COACH_GRANT)
        self.assertEqual(self.get("/consents/proposals").json()[0]["substitute"], "Bob Coach")
        r = self.post(f"/consents/proposals/{proposal.public_id}/accept")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(Consent.objects.get(public_id=r.json()["consent"]).substitute, self.other_coach)
        self.assertEqual(self.post(f"/consents/proposals/{proposal.public_id}/accept").status_code, 422)
