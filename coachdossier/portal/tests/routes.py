"""Access matrix rows for the client portal (see coachdossier/tests/matrix.py).

Portal pages have no client id in the URL: each client reaches only their own record, so
Daan (other_client) sees his own pages too, and staff get 403. Carla's objects (her
attachment, consent, request) are 404 for Daan. POSTs that need a fresh identity check
redirect to allauth's re-authentication (302) after a plain login."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.audit.models import Basis
from coachdossier.clients import access
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import EntryKind
from coachdossier.portal import actions
from coachdossier.portal.models import Invitation, RequestKind
from coachdossier.tests.matrix import Route

TOKEN = "matrix-invitation-token"
STAFF = ("coach", "other_coach", "committee", "management", "therapist", "outsider", "auditor")
CLIENT_OWN = {"client": 200, "other_client": 200, **{p: 403 for p in STAFF}}
CLIENT_OBJECT = {"client": 200, "other_client": 404, **{p: 403 for p in STAFF}}
EVERYONE = {"anonymous": 200, "client": 200, "other_client": 200, **{p: 200 for p in STAFF}}
MANAGEMENT_ONLY = {"coach": 403, "other_coach": 403, "committee": 403, "client": 403, "other_client": 403,
                   "management": 200, "therapist": 403, "outsider": 403, "auditor": 403}
COACH_POST = {"coach": 302, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403, "management": 403,
              "therapist": 403, "outsider": 403, "auditor": 403}
HANDLERS = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403, "management": 200,
            "therapist": 403, "outsider": 403, "auditor": 403}


def setup(w):
    carla = access.Grant(Basis.CLIENT)
    pdf = b"%PDF-1.4\n%%EOF\n"
    entry = client_actions.add_entry(actor=w.coach, client=w.own_client, kind=EntryKind.FACT, occurred_on=w.now.date(),
                                     title="Werkuren", text="Werkt 20 uur.", now=w.now,
                                     files=[SimpleUploadedFile("brief.pdf", pdf)])
    w.portal_attachment = entry.attachments.first()
    w.portal_consent = client_actions.record_consent(
        actor=w.client_user, client=w.own_client, kind="disclosure", recipient="Bedrijfsarts", purpose="Afstemming",
        data_scope="Voortgang", given_via="portal", valid_from=w.now.date(), now=w.now, grant=carla)
    w.copy_request = actions.file_request(actor=w.client_user, client=w.own_client, kind=RequestKind.COPY, now=w.now,
                                          grant=carla)
    w.correction_request = actions.file_request(actor=w.client_user, client=w.own_client,
                                                kind=RequestKind.CORRECTION, now=w.now, grant=carla, entry=entry,
                                                proposed="Werkt 24 uur.", reason="Sinds oktober meer uren.")
    w.proposal = actions.propose_substitute(actor=w.coach, client=w.own_client, substitute=w.other_coach,
                                            valid_from=w.now.date(), valid_until=w.now.date() + datetime.timedelta(days=14),
                                            now=w.now, grant=access.Grant(Basis.COACH))
    w.portal_statement, _ = actions.add_statement(actor=w.client_user, client=w.own_client, title="Mijn kijk",
                                                  text="Het contact is goed.", now=w.now, grant=carla)
    Invitation.objects.create(client=w.other_client, digest=Invitation.digest_of(TOKEN), invited_by=w.other_coach,
                              created_at=w.now, expires_at=w.now + datetime.timedelta(days=3650))


def req(w, found):
    return {"client_id": w.own_client.public_id, "request_id": found.public_id}


ROUTES = [
    Route("portal:home", expect=CLIENT_OWN),
    Route("portal:schema", public=True, expect=EVERYONE),
    Route("portal:accept", lambda w: {"token": TOKEN}, public=True, expect=EVERYONE),
    Route("portal:dossier", expect=CLIENT_OWN),
    Route("portal:attachment", lambda w: {"attachment_id": w.portal_attachment.public_id}, expect=CLIENT_OBJECT),
    Route("portal:copy", expect=CLIENT_OWN),
    Route("portal:copy_request", method="POST", expect={**CLIENT_OWN, "client": 302, "other_client": 302}),
    Route("portal:copy_download", lambda w: {"request_id": w.copy_request.public_id, "fmt": "pdf"},
          expect={**CLIENT_OBJECT, "client": 302}),
    Route("portal:requests", expect=CLIENT_OWN),
    Route("portal:request_withdraw", lambda w: {"request_id": w.correction_request.public_id}, method="POST",
          expect={**CLIENT_OBJECT, "client": 302}),
    Route("portal:correction", expect=CLIENT_OWN),
    Route("portal:destruction", expect=CLIENT_OWN),
    Route("portal:statement", expect=CLIENT_OWN),
    Route("portal:statement_withdraw", lambda w: {"entry_id": w.portal_statement.public_id}, expect=CLIENT_OBJECT),
    Route("portal:consents", expect=CLIENT_OWN),
    Route("portal:consent_withdraw", lambda w: {"consent_id": w.portal_consent.public_id}, method="POST",
          expect={**CLIENT_OBJECT, "client": 302}),
    Route("portal:proposal_decide", lambda w: {"proposal_id": w.proposal.public_id, "decision": "accept"},
          method="POST", expect={**CLIENT_OBJECT, "client": 302}),
    Route("portal:propose_consent", lambda w: {"client_id": w.own_client.public_id}, method="POST",
          expect=COACH_POST),
    Route("portal:messages", expect=CLIENT_OWN),
    Route("portal:communication", expect=CLIENT_OWN),
    Route("portal:access_log", expect=CLIENT_OWN),
    Route("portal:destructions", expect=MANAGEMENT_ONLY),
    Route("portal:manage_client", lambda w: {"client_id": w.own_client.public_id}, expect=MANAGEMENT_ONLY),
    Route("portal:invite", lambda w: {"client_id": w.own_client.public_id}, method="POST",
          expect={**COACH_POST, "management": 302}),
    Route("portal:coach_message", lambda w: {"client_id": w.own_client.public_id}, method="POST",
          data=lambda w: {"text": "Tot dinsdag."}, expect=COACH_POST),
    Route("portal:letter_request", lambda w: {"client_id": w.own_client.public_id}, expect=HANDLERS),
    Route("portal:request", lambda w: req(w, w.correction_request), expect=HANDLERS),
    Route("portal:staff_copy", lambda w: req(w, w.copy_request),
          expect={**HANDLERS, "management": 403}),
    Route("portal:release", lambda w: req(w, w.copy_request), method="POST", expect=COACH_POST),
    Route("portal:decide", lambda w: req(w, w.correction_request), method="POST",
          data=lambda w: {"decision": "refuse", "reason": "Klopt volgens de werkgever."}, expect=COACH_POST),
    Route("portal:recipients", lambda w: req(w, w.correction_request), method="POST",
          expect={**COACH_POST, "management": 302}),
    Route("portal:destroy", lambda w: req(w, w.correction_request), method="POST",
          expect={**{p: 403 for p in CLIENT_OWN}, "management": 302}),
]
