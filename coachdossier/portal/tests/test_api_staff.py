"""The portal's remaining pages in the API: the client's attachments and communication
agreement, and the staff side (inviting, messages, proposing a substitute, handling the
client's requests, the destruction register), with the pages' access-log entries; bad input
422 naming the field (`loc`), nothing saved."""

import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import Client, EntryKind
from coachdossier.portal import actions
from coachdossier.portal.models import (
    ClientRequest,
    CommunicationAgreement,
    ConsentProposal,
    Message,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from coachdossier.privacy import actions as privacy_actions
from coachdossier.test import make_client

from .base import CLIENT_GRANT, PortalTestCase


class PortalApiParityTestCase(PortalTestCase):
    def call(self, user, method, path, body=None):
        self.login(user)
        if body is None:
            return self.client.generic(method, f"/api/portal{path}")
        return self.client.generic(method, f"/api/portal{path}", json.dumps(body), content_type="application/json")

    def fields(self, response):
        return list(response.json()["errors"])

    def logged_since(self, seq, client=None):
        return [(e.action, e.object_ref) for e in AccessLogEntry.objects.filter(
            seq__gt=seq, client_ref=(client or self.own_client).public_id)]

    def last_seq(self):
        return AccessLogEntry.objects.last().seq

    def copy_request(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                         occurred_on=self.now.date(), title="Gesprek",
                                         text="Over haar collega Jan Pieterse.", now=self.now)
        entry.names_others = True
        entry.save(update_fields=["names_others"])
        return entry, actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.COPY,
                                           now=self.now, grant=CLIENT_GRANT, channel=RequestChannel.API)

    def correction_request(self):
        fact = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                        occurred_on=self.now.date(), title="Uren", text="20 uur.", now=self.now)
        return fact, actions.file_request(actor=self.client_user, client=self.own_client,
                                          kind=RequestKind.CORRECTION, now=self.now, grant=CLIENT_GRANT,
                                          channel=RequestChannel.API, entry=fact, proposed="24 uur.",
                                          reason="Sinds oktober.")

    def staff_url(self, found, suffix=""):
        return f"/clients/{self.own_client.public_id}/requests/{found.public_id}{suffix}"

    # --- the client ---

    def test_gc_5_1_the_client_downloads_an_attachment_of_her_dossier_and_it_is_logged(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.CORRESPONDENCE_IN,
                                         occurred_on=self.now.date(), title="Brief", now=self.now,
                                         files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)])
        attachment = entry.attachments.get()
        before = self.last_seq()
        r = self.call(self.client_user, "GET", f"/attachments/{attachment.public_id}")
        self.assertEqual((r.status_code, r.content), (200, DEMO_PDF))
        self.assertEqual(self.logged_since(before), [("attachment.download", str(attachment.public_id))])
        self.assertEqual(self.call(self.other_client_user, "GET", f"/attachments/{attachment.public_id}").status_code,
                         404)

    def test_gc_6_3_the_client_reads_the_defaults_and_sets_her_communication_agreement(self):
        self.assertEqual(self.call(self.client_user, "GET", "/communication").json()["agreed"], False)
        r = self.call(self.client_user, "PUT", "/communication",
                      {"by_email": False, "by_phone": True, "by_letter": False, "email_content": "notice_only"})
        self.assertEqual((r.status_code, r.json()["agreed"]), (200, True))
        self.assertFalse(CommunicationAgreement.objects.get(client=self.own_client).by_email)

    def test_gc_6_3_no_way_of_contact_at_all_is_422_and_nothing_saved(self):
        r = self.call(self.client_user, "PUT", "/communication",
                      {"by_email": False, "by_phone": False, "by_letter": False, "email_content": "notice_only"})
        self.assertEqual((r.status_code, self.fields(r)), (422, ["by_email"]))
        self.assertFalse(CommunicationAgreement.objects.exists())

    # --- staff ---

    def test_the_coach_invites_a_client_without_an_account_and_one_with_one_is_422(self):
        newcomer = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Nina",
                               last="Nieuw")
        r = self.call(self.coach, "POST", f"/clients/{newcomer.public_id}/invitation")
        self.assertEqual(r.status_code, 201, r.content)
        r = self.call(self.coach, "POST", f"/clients/{self.own_client.public_id}/invitation")
        self.assertEqual((r.status_code, self.fields(r)), (422, ["client"]))
        self.assertEqual(self.call(self.other_coach, "POST", f"/clients/{newcomer.public_id}/invitation").status_code,
                         404)

    def test_the_coach_reads_and_writes_messages_and_reading_marks_the_clients_read(self):
        actions.send_message(actor=self.client_user, client=self.own_client, text="Vraagje", now=self.now,
                             grant=CLIENT_GRANT)
        before = self.last_seq()
        r = self.call(self.coach, "GET", f"/clients/{self.own_client.public_id}/messages")
        self.assertEqual([m["text"] for m in r.json()["results"]], ["Vraagje"])
        self.assertEqual(self.logged_since(before), [("messages.read", "")])
        self.assertIsNotNone(Message.objects.get().read_at)
        r = self.call(self.coach, "POST", f"/clients/{self.own_client.public_id}/messages", {"text": "Antwoord"})
        self.assertEqual((r.status_code, r.json()["direction"]), (201, "to_client"))

    def test_an_empty_message_is_422_and_nothing_is_sent(self):
        r = self.call(self.coach, "POST", f"/clients/{self.own_client.public_id}/messages", {"text": "  "})
        self.assertEqual((r.status_code, self.fields(r)), (422, ["text"]))
        self.assertFalse(Message.objects.exists())

    def test_gc_2_5_a_substitute_proposal_ending_before_it_starts_is_422_and_not_made(self):
        today = self.now.date()
        r = self.call(self.coach, "POST", f"/clients/{self.own_client.public_id}/consent-proposals", {
            "substitute": str(self.other_coach.public_id), "valid_from": today.isoformat(),
            "valid_until": (today - datetime.timedelta(days=1)).isoformat()})
        self.assertEqual((r.status_code, self.fields(r)), (422, ["valid_until"]))
        self.assertFalse(ConsentProposal.objects.exists())

    def test_gc_2_5_a_substitute_proposal_for_a_lifetime_is_422_before_the_client_is_asked(self):
        r = self.call(self.coach, "POST", f"/clients/{self.own_client.public_id}/consent-proposals", {
            "substitute": str(self.other_coach.public_id), "valid_from": self.now.date().isoformat(),
            "valid_until": "9999-12-31"})
        self.assertEqual((r.status_code, self.fields(r)), (422, ["valid_until"]))
        self.assertFalse(ConsentProposal.objects.exists())

    def test_pr_7_the_coach_sees_a_requests_content_and_management_only_its_dates(self):
        fact, found = self.correction_request()
        before = self.last_seq()
        coach = self.call(self.coach, "GET", self.staff_url(found)).json()
        self.assertEqual((coach["proposed"], coach["client_reason"], coach["entry"]),
                         ("24 uur.", "Sinds oktober.", str(fact.public_id)))
        self.assertEqual(self.logged_since(before), [("requests.handle", str(found.public_id))])
        management = self.call(self.management, "GET", self.staff_url(found)).json()
        self.assertEqual((management["proposed"], management["events"], management["deadline"]),
                         ("", [], coach["deadline"]))

    def test_law_15_the_coach_releases_a_copy_withholding_an_entry_that_names_others(self):
        entry, found = self.copy_request()
        r = self.call(self.coach, "POST", self.staff_url(found, "/release"),
                      {"redact": [str(entry.public_id)], "reason": "Gaat over een collega."})
        self.assertEqual((r.status_code, r.json()["status"]), (200, "done"))
        self.assertEqual(ClientRequest.objects.get(pk=found.pk).redacted_ids, {str(entry.public_id)})

    def test_law_15_withholding_an_entry_that_names_nobody_is_422_and_the_copy_waits(self):
        """As the page, which offers only entries that concern other people."""
        _entry, found = self.copy_request()
        plain = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                         occurred_on=self.now.date(), title="Intake", text="Goed gesprek.",
                                         now=self.now)
        r = self.call(self.coach, "POST", self.staff_url(found, "/release"),
                      {"redact": [str(plain.public_id)], "reason": "Liever niet."})
        self.assertEqual((r.status_code, self.fields(r)), (422, ["redact"]))
        self.assertTrue(ClientRequest.objects.get(pk=found.pk).is_open)

    def test_gc_5_3_refusing_a_correction_without_a_reason_is_422_and_it_stays_open(self):
        fact, found = self.correction_request()
        r = self.call(self.coach, "POST", self.staff_url(found, "/decision"), {"decision": "refuse"})
        self.assertEqual((r.status_code, self.fields(r)), (422, ["reason"]))
        self.assertTrue(ClientRequest.objects.get(pk=found.pk).is_open)
        r = self.call(self.coach, "POST", self.staff_url(found, "/decision"), {"decision": "accept"})
        self.assertEqual((r.status_code, r.json()["status"]), (200, "done"))
        self.assertEqual(fact.current.content["text"], "24 uur.")

    def test_gc_5_4_a_destruction_needs_confirming_and_a_legal_hold_blocks_it(self):
        found = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                     now=self.now, grant=CLIENT_GRANT, channel=RequestChannel.API)
        r = self.call(self.management, "POST", self.staff_url(found, "/destruction"), {"confirm": False})
        self.assertEqual((r.status_code, self.fields(r)), (422, ["confirm"]))
        self.assertTrue(ClientRequest.objects.get(pk=found.pk).is_open)
        privacy_actions.place_legal_hold(actor=self.management, client=self.own_client, reason="Rechtszaak",
                                         now=self.now)
        r = self.call(self.management, "POST", self.staff_url(found, "/destruction"), {"confirm": True})
        self.assertEqual((r.status_code, r.json()["status"]), (200, RequestStatus.BLOCKED))
        self.assertEqual(self.call(self.coach, "POST", self.staff_url(found, "/destruction"),
                                   {"confirm": True}).status_code, 403)

    def test_gc_5_4_the_destruction_register_lists_every_destruction_request(self):
        found = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                     now=self.now, grant=CLIENT_GRANT, channel=RequestChannel.API)
        r = self.call(self.management, "GET", "/destructions")
        self.assertEqual([(row["id"], row["client_reference"]) for row in r.json()["results"]],
                         [(str(found.public_id), self.own_client.reference)])

    def test_a_correction_longer_than_the_forms_limit_is_422_and_not_filed(self):
        """The page's CorrectionForm refuses it; the API took it."""
        self.login(self.client_user)
        r = self.client.post("/api/portal/requests", json.dumps({"kind": "correction", "field": "city",
                                                                 "proposed": "U" * 5001, "reason": "Verhuisd."}),
                             content_type="application/json")
        self.assertEqual((r.status_code, self.fields(r)), (422, ["proposed"]))
        self.assertFalse(ClientRequest.objects.exists())

    def test_gc_5_3_a_statement_longer_than_the_forms_limit_is_422_and_not_added(self):
        """The page's StatementForm refuses it; the API took it."""
        self.login(self.client_user)
        r = self.client.post("/api/portal/statements", json.dumps({"title": "Reactie", "text": "S" * 20001}),
                             content_type="application/json")
        self.assertEqual((r.status_code, self.fields(r)), (422, ["text"]))
        self.assertFalse(self.own_client.entries.exists())

    def test_gc_5_4_management_carries_out_a_destruction_and_the_request_stays_as_a_tombstone(self):
        found = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                     now=self.now, grant=CLIENT_GRANT, channel=RequestChannel.API)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.call(self.management, "POST", self.staff_url(found, "/destruction"), {"confirm": True})
        self.assertEqual((r.status_code, r.json()["status"], r.json()["reason_given"]), (200, "done", ""))
        self.assertIsNotNone(Client.objects.get(pk=self.own_client.pk).destroyed_at)
        [row] = self.call(self.management, "GET", "/destructions").json()["results"]
        self.assertEqual((row["id"], row["dossier_destroyed"]), (str(found.public_id), True))
