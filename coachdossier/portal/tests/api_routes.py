"""API access-matrix rows for the portal router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The portal acts on the caller's own record: Carla
(`client`) and Daan (`other_client`) each reach their own; a path naming one of Carla's objects
is 404 for Daan; staff have no client record here (404, as for anything that is not theirs)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.accounts.models import Role
from coachdossier.audit.models import Basis
from coachdossier.clients import access
from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind
from coachdossier.portal import actions
from coachdossier.portal.models import RequestChannel, RequestKind
from coachdossier.privacy import actions as privacy_actions
from coachdossier.test import PASSWORD, make_client, make_user

STAFF = ("coach", "other_coach", "committee", "management", "therapist", "outsider", "auditor")
OWN_RECORD = {p: 404 for p in STAFF} | {"client": 200, "other_client": 200}
CARLAS = {p: 404 for p in STAFF} | {"client": 200, "other_client": 404}


EVERYONE = (*STAFF, "client", "other_client")
# Staff operations on a client of Alice's: a role opens them (403 for the rest), then the policy
# decides (Bob has no relationship: 404).
COACH_STAFF = {p: 403 for p in EVERYONE} | {"coach": 200, "other_coach": 404, "committee": 404}
HANDLERS = COACH_STAFF | {"management": 200}
MANAGEMENT_ONLY = {p: 403 for p in EVERYONE} | {"management": 200}


def created(table):
    return {p: (201 if s == 200 else s) for p, s in table.items()}


def setup(w):
    carla = access.Grant(Basis.CLIENT)
    w.portal_api_entry = client_actions.add_entry(actor=w.coach, client=w.own_client, kind=EntryKind.FACT,
                                                  occurred_on=w.now.date(), title="Werkuren", text="Werkt 20 uur.",
                                                  now=w.now)
    w.portal_api_consent = client_actions.record_consent(
        actor=w.client_user, client=w.own_client, kind="disclosure", recipient="Bedrijfsarts", purpose="Afstemming",
        data_scope="Voortgang", given_via="portal", valid_from=w.now.date(), now=w.now, grant=carla)
    w.portal_api_copy = actions.file_request(actor=w.client_user, client=w.own_client, kind=RequestKind.COPY,
                                             now=w.now, grant=carla, channel=RequestChannel.API)
    w.portal_api_correction = actions.file_request(
        actor=w.client_user, client=w.own_client, kind=RequestKind.CORRECTION, now=w.now, grant=carla,
        channel=RequestChannel.API, entry=w.portal_api_entry, proposed="Werkt 24 uur.", reason="Sinds oktober.")
    w.portal_api_statement, _ = actions.add_statement(actor=w.client_user, client=w.own_client, title="Mijn kijk",
                                                      text="Het contact is goed.", now=w.now, grant=carla)
    w.portal_api_proposal = actions.propose_substitute(
        actor=w.coach, client=w.own_client, substitute=w.other_coach, valid_from=w.now.date(),
        valid_until=w.now.date() + datetime.timedelta(days=14), now=w.now, grant=access.Grant(Basis.COACH))
    w.portal_api_attachment = client_actions.add_entry(
        actor=w.coach, client=w.own_client, kind=EntryKind.CORRESPONDENCE_IN, occurred_on=w.now.date(),
        title="Brief", now=w.now, files=[SimpleUploadedFile("brief.pdf", DEMO_PDF)]).attachments.get()
    staff_side(w)


def staff_side(w):
    """Alice's other clients, for the staff operations: one without a portal account (to
    invite), Eva with an open copy and an open correction request, Finn with a destruction
    request that a legal hold blocks (so the matrix never really destroys a dossier)."""
    w.portal_api_newcomer = make_client(actor=w.management, coach=w.coach, principal=w.employer, first="Nina",
                                        last="Nieuw")
    eva = make_client(actor=w.management, coach=w.coach, principal=w.employer, first="Eva", last="Smit",
                      user=make_user("eva@example.com", "Eva Smit", Role.CLIENT))
    as_eva = access.Grant(Basis.CLIENT)
    names_others = client_actions.add_entry(actor=w.coach, client=eva, kind=EntryKind.NOTE, occurred_on=w.now.date(),
                                            title="Gesprek", text="Over haar collega Jan Pieterse.", now=w.now)
    names_others.names_others = True
    names_others.save(update_fields=["names_others"])
    w.portal_api_eva = eva
    w.portal_api_eva_copy = actions.file_request(actor=eva.user, client=eva, kind=RequestKind.COPY, now=w.now,
                                                 grant=as_eva, channel=RequestChannel.API)
    fact = client_actions.add_entry(actor=w.coach, client=eva, kind=EntryKind.FACT, occurred_on=w.now.date(),
                                    title="Werkuren", text="Werkt 20 uur.", now=w.now)
    w.portal_api_eva_correction = actions.file_request(
        actor=eva.user, client=eva, kind=RequestKind.CORRECTION, now=w.now, grant=as_eva,
        channel=RequestChannel.API, entry=fact, proposed="Werkt 24 uur.", reason="Sinds oktober.")
    finn = make_client(actor=w.management, coach=w.coach, principal=w.employer, first="Finn", last="Bakker",
                       user=make_user("finn@example.com", "Finn Bakker", Role.CLIENT))
    w.portal_api_finn = finn
    w.portal_api_finn_destruction = actions.file_request(actor=finn.user, client=finn, kind=RequestKind.DESTRUCTION,
                                                         now=w.now, grant=as_eva, channel=RequestChannel.API)
    privacy_actions.place_legal_hold(actor=w.management, client=finn, reason="Rechtszaak", now=w.now)


def on(attr):
    return lambda w: {"client_id": getattr(w, attr).public_id}


def request_of(client_attr, request_attr):
    return lambda w: {"client_id": getattr(w, client_attr).public_id,
                      "request_id": getattr(w, request_attr).public_id}


API_ROUTES = [
    ("get", "/api/portal/dossier", {}, None, None, OWN_RECORD),
    ("get", "/api/portal/requests", {}, None, None, OWN_RECORD),
    ("post", "/api/portal/requests", {}, lambda w: {"kind": "copy", "password": PASSWORD}, "json",
     created(OWN_RECORD)),
    ("post", "/api/portal/requests/{request_id}/withdraw",
     lambda w: {"request_id": w.portal_api_correction.public_id}, None, None, CARLAS),
    # GC-5.1: a token is no recent authentication: the copy asks the password (POST).
    ("get", "/api/portal/requests/{request_id}/copy.json", lambda w: {"request_id": w.portal_api_copy.public_id},
     None, None, CARLAS | {"client": 403}),
    ("post", "/api/portal/requests/{request_id}/copy.json", lambda w: {"request_id": w.portal_api_copy.public_id},
     lambda w: {"password": PASSWORD}, "json", CARLAS),
    ("post", "/api/portal/statements", {}, lambda w: {"title": "Reactie", "text": "Ik werk 24 uur."}, "json",
     created(OWN_RECORD)),
    ("post", "/api/portal/statements/{entry_id}/withdraw",
     lambda w: {"entry_id": w.portal_api_statement.public_id}, None, None, CARLAS),
    ("get", "/api/portal/consents", {}, None, None, OWN_RECORD),
    ("post", "/api/portal/consents", {}, lambda w: {
        "kind": "disclosure", "valid_from": w.now.date().isoformat(), "recipient": "Bedrijfsarts",
        "purpose": "Afstemming", "data_scope": "Voortgang"}, "json", created(OWN_RECORD)),
    ("post", "/api/portal/consents/{consent_id}/withdraw", lambda w: {"consent_id": w.portal_api_consent.public_id},
     None, None, CARLAS),
    ("get", "/api/portal/consents/proposals", {}, None, None, OWN_RECORD),
    ("post", "/api/portal/consents/proposals/{proposal_id}/{decision}",
     lambda w: {"proposal_id": w.portal_api_proposal.public_id, "decision": "accept"}, None, None, CARLAS),
    ("get", "/api/portal/messages", {}, None, None, OWN_RECORD),
    ("post", "/api/portal/messages", {}, lambda w: {"text": "Kunnen we de afspraak verzetten?"}, "json",
     created(OWN_RECORD)),
    ("get", "/api/portal/access-log", {}, None, None, OWN_RECORD),
    ("get", "/api/portal/attachments/{attachment_id}",
     lambda w: {"attachment_id": w.portal_api_attachment.public_id}, None, None, CARLAS),
    ("get", "/api/portal/communication", {}, None, None, OWN_RECORD),
    ("put", "/api/portal/communication", {}, lambda w: {
        "by_email": True, "by_phone": False, "by_letter": True, "email_content": "notice_only"}, "json", OWN_RECORD),
    # staff
    ("post", "/api/portal/clients/{client_id}/invitation", on("portal_api_newcomer"), None, None, created(HANDLERS)),
    ("get", "/api/portal/clients/{client_id}/messages", on("own_client"), None, None, COACH_STAFF),
    ("post", "/api/portal/clients/{client_id}/messages", on("own_client"),
     lambda w: {"text": "Zullen we donderdag bellen?"}, "json", created(COACH_STAFF)),
    ("post", "/api/portal/clients/{client_id}/consent-proposals", on("own_client"), lambda w: {
        "substitute": str(w.other_coach.public_id), "valid_from": w.now.date().isoformat(),
        "valid_until": (w.now.date() + datetime.timedelta(days=7)).isoformat()}, "json", created(COACH_STAFF)),
    ("get", "/api/portal/clients/{client_id}/requests", on("portal_api_eva"), None, None, HANDLERS),
    ("get", "/api/portal/clients/{client_id}/requests/{request_id}",
     request_of("portal_api_eva", "portal_api_eva_copy"), None, None, HANDLERS),
    ("post", "/api/portal/clients/{client_id}/requests/{request_id}/release",
     request_of("portal_api_eva", "portal_api_eva_copy"), lambda w: {"redact": [], "reason": ""}, "json",
     COACH_STAFF),
    ("post", "/api/portal/clients/{client_id}/requests/{request_id}/decision",
     request_of("portal_api_eva", "portal_api_eva_correction"),
     lambda w: {"decision": "refuse", "reason": "Het rooster zegt 20 uur."}, "json", COACH_STAFF),
    ("post", "/api/portal/clients/{client_id}/requests/{request_id}/destruction",
     request_of("portal_api_finn", "portal_api_finn_destruction"), lambda w: {"confirm": True}, "json",
     MANAGEMENT_ONLY),
    ("get", "/api/portal/destructions", {}, None, None, MANAGEMENT_ONLY),
]
