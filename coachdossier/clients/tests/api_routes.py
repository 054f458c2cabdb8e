"""API access-matrix rows for the client-records and accounts routers (see
coachdossier/api/tests/test_api_matrix.py): (method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The target client is Carla (`w.own_client`)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.accounts.models import Role
from coachdossier.clients import actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind, PersonalData
from coachdossier.test import make_user

STAFF = ("coach", "other_coach", "committee", "management", "therapist", "outsider", "auditor")
EVERYONE = ("coach", "other_coach", "committee", "client", "other_client", *STAFF[3:])
DOSSIER_READ = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403,
                "management": 403, "therapist": 404, "outsider": 404, "auditor": 403}
COACH_ONLY = {"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403, "management": 403,
              "therapist": 403, "outsider": 403, "auditor": 403}
MANAGEMENT_ONLY = {p: 403 for p in EVERYONE} | {"management": 200}


def created(table):
    return {p: (201 if s == 200 else s) for p, s in table.items()}


def pdf():
    return SimpleUploadedFile("bewijs.pdf", DEMO_PDF, content_type="application/pdf")


# (method, OpenAPI path, path values, body builder, body kind, expected status per persona)
API_ROUTES = [
    ("get", "/api/accounts/me", {}, None, None, {p: 200 for p in EVERYONE}),
    ("put", "/api/accounts/me/language", {}, lambda w: {"language": "en"}, "json", {p: 200 for p in EVERYONE}),
    ("get", "/api/accounts/tokens", {}, None, None, {p: 200 for p in EVERYONE}),
    ("post", "/api/accounts/tokens/{token_id}/revoke", lambda w: {"token_id": w.tokens["management"][0].public_id},
     None, None, {p: 404 for p in EVERYONE} | {"management": 200}),
    ("get", "/api/clients/principals", {}, None, None, MANAGEMENT_ONLY),
    ("post", "/api/clients/principals", {}, lambda w: {"name": "Gemeente Utrecht", "kind": "municipality"}, "json",
     created(MANAGEMENT_ONLY)),
    ("get", "/api/clients/", {}, None, None, {**MANAGEMENT_ONLY, "coach": 200, "other_coach": 200, "committee": 200}),
    ("post", "/api/clients/", {}, lambda w: {
        "first_name": "Eva", "last_name": "Smit", "principal": str(w.employer.public_id),
        "coach": str(w.coach.public_id), "source": "umbrella", "goal_text": "Weer aan het werk"}, "json",
     created(MANAGEMENT_ONLY)),
    ("get", "/api/clients/{client_id}", "client", None, None, DOSSIER_READ),
    ("get", "/api/clients/{client_id}/entries", "client", None, None, DOSSIER_READ),
    ("get", "/api/clients/{client_id}/entries", lambda w: {"client_id": w.own_client.public_id,
                                                           "_query": "?medical=true&page=2"}, None, None, DOSSIER_READ),
    ("put", "/api/clients/{client_id}/personal", "client",
     lambda w: {"first_name": "Carla", "last_name": "de Vries", "postcode": "3511 AB"}, "json", COACH_ONLY),
    ("post", "/api/clients/{client_id}/entries", "client",
     lambda w: {"kind": "note", "occurred_on": "2026-11-20", "title": "Gesprek", "text": "Tweede gesprek."},
     "multipart", created(COACH_ONLY)),
    ("get", "/api/clients/{client_id}/entries/{entry_id}", "entry", None, None, DOSSIER_READ),
    ("put", "/api/clients/{client_id}/entries/{entry_id}", "entry",
     lambda w: {"title": "Werkgever", "text": "Werkt 24 uur.", "reason": "Uren gewijzigd"}, "json", COACH_ONLY),
    ("post", "/api/clients/{client_id}/entries/{entry_id}/attachments", "entry", lambda w: {"files": pdf()},
     "multipart", created(COACH_ONLY)),
    ("get", "/api/clients/{client_id}/attachments/{attachment_id}", "attachment", None, None, DOSSIER_READ),
    ("post", "/api/clients/{client_id}/goals", "client",
     lambda w: {"text": "Duurzaam terug in eigen functie", "reason": "Scherper geformuleerd"}, "json",
     created(COACH_ONLY)),
    ("post", "/api/clients/{client_id}/sessions", "client",
     # the day the persona's trajectory opened: a session cannot be before it
     lambda w: {"date": "2026-11-23", "minutes": 60, "mode": "video"}, "json", created(COACH_ONLY)),
    ("post", "/api/clients/{client_id}/trajectories/{trajectory_id}/activate", "trajectory", None, None,
     {**COACH_ONLY, "management": 200}),
    ("post", "/api/clients/{client_id}/trajectories/{trajectory_id}/close", "trajectory", None, None,
     MANAGEMENT_ONLY),
    ("put", "/api/clients/{client_id}/trajectories/{trajectory_id}/terms", "trajectory",
     lambda w: {"uwv_order_number": "", "approved_hours": "14.0", "agreement_date": "2026-11-20", "vulnerable": False},
     "json", MANAGEMENT_ONLY),
    ("get", "/api/clients/{client_id}/trajectories", "client", None, None, MANAGEMENT_ONLY),
    ("post", "/api/clients/{client_id}/trajectories", lambda w: {"client_id": w.unassigned_client.public_id},
     lambda w: {"principal": str(w.employer.public_id), "coach": str(w.coach.public_id), "source": "umbrella",
                "goal_text": "Weer aan het werk"}, "json", created(MANAGEMENT_ONLY)),
    ("post", "/api/clients/{client_id}/trajectories/{trajectory_id}/coach", "trajectory",
     lambda w: {"coach": str(w.assignable_coach.public_id)}, "json", MANAGEMENT_ONLY),
    ("post", "/api/clients/{client_id}/consents", "client",
     lambda w: {"kind": "disclosure", "given_via": "writing", "valid_from": "2026-11-20", "recipient": "Bedrijfsarts",
                "purpose": "Afstemming", "data_scope": "Voortgang", "evidence": pdf()}, "multipart",
     created(COACH_ONLY)),
    ("post", "/api/clients/{client_id}/consents/{consent_id}/withdraw", "consent", None, None, COACH_ONLY),
    ("post", "/api/clients/{client_id}/referrals", "client", lambda w: {"therapist": str(w.new_therapist.public_id)},
     "json", created(COACH_ONLY)),
    ("post", "/api/clients/break-glass", {},
     lambda w: {"reference": w.own_client.reference, "reason": "Cliënt belt in crisis, coach onbereikbaar."},
     "json", {p: 201 for p in EVERYONE} | {"client": 403, "other_client": 403, "auditor": 403}),
]

PATH_VALUES = {
    "client": lambda w: {"client_id": w.own_client.public_id},
    "entry": lambda w: {"client_id": w.own_client.public_id, "entry_id": w.entry.public_id},
    "attachment": lambda w: {"client_id": w.own_client.public_id, "attachment_id": w.attachment.public_id},
    "trajectory": lambda w: {"client_id": w.own_client.public_id, "trajectory_id": w.trajectory.public_id},
    "consent": lambda w: {"client_id": w.own_client.public_id, "consent_id": w.consent.public_id},
}


def setup(w):
    w.entry = actions.add_entry(actor=w.coach, client=w.own_client, kind=EntryKind.FACT, occurred_on=w.now.date(),
                                title="Werkgever", text="Werkt 32 uur.", now=w.now)
    w.consent = actions.record_consent(actor=w.coach, client=w.own_client, kind="disclosure", recipient="Bedrijfsarts",
                                       purpose="Afstemming", data_scope="Voortgang", given_via="writing",
                                       valid_from=w.now.date(), now=w.now, evidence=pdf())
    w.attachment = w.consent.evidence
    w.trajectory = w.own_client.current_trajectory
    # A therapist not yet referred to Carla (other apps' rows may refer `w.therapist`).
    w.new_therapist = make_user("api-new-therapist@example.com", "Theo Therapeut", Role.THERAPIST)
    # A coach management may assign, and a registered client without a trajectory yet.
    w.assignable_coach = make_user("api-assignable-coach@example.com", "Cor Coach", Role.COACH)
    w.unassigned_client = actions.register_client(actor=w.management, principal=w.employer, now=w.now,
                                                   personal=PersonalData(first_name="Eva", last_name="Smit"))
