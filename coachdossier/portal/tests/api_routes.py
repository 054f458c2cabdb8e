"""API access-matrix rows for the portal router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The portal acts on the caller's own record: Carla
(`client`) and Daan (`other_client`) each reach their own; a path naming one of Carla's objects
is 404 for Daan; staff have no client record here (404, as for anything that is not theirs)."""

import datetime

from coachdossier.audit.models import Basis
from coachdossier.clients import access
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import EntryKind
from coachdossier.portal import actions
from coachdossier.portal.models import RequestChannel, RequestKind
from coachdossier.test import PASSWORD

STAFF = ("coach", "other_coach", "management", "therapist", "outsider", "auditor")
OWN_RECORD = {p: 404 for p in STAFF} | {"client": 200, "other_client": 200}
CARLAS = {p: 404 for p in STAFF} | {"client": 200, "other_client": 404}


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
    w.portal_api_proposal = actions.propose_substitute(
        actor=w.coach, client=w.own_client, substitute=w.other_coach, valid_from=w.now.date(),
        valid_until=w.now.date() + datetime.timedelta(days=14), now=w.now, grant=access.Grant(Basis.COACH))


API_ROUTES = [
    ("get", "/api/portal/dossier", {}, None, None, OWN_RECORD),
    ("get", "/api/portal/requests", {}, None, None, OWN_RECORD),
    ("post", "/api/portal/requests", {}, lambda w: {"kind": "copy", "password": PASSWORD}, "json",
     created(OWN_RECORD)),
    ("post", "/api/portal/requests/{request_id}/withdraw",
     lambda w: {"request_id": w.portal_api_correction.public_id}, None, None, CARLAS),
    ("get", "/api/portal/requests/{request_id}/copy.json", lambda w: {"request_id": w.portal_api_copy.public_id},
     None, None, CARLAS),
    ("post", "/api/portal/statements", {}, lambda w: {"title": "Reactie", "text": "Ik werk 24 uur."}, "json",
     created(OWN_RECORD)),
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
]
