"""API access-matrix rows for the measurements router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The target client is Carla (`w.own_client`); the
therapist is referred to her."""

from django.core.files.uploadedfile import SimpleUploadedFile

from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF

EVERYONE = ("coach", "other_coach", "committee", "client", "other_client", "management", "therapist", "outsider",
            "auditor")


def setup(w):
    from coachdossier.measurements import actions

    client_actions.refer_to_therapist(actor=w.coach, client=w.own_client, therapist=w.therapist, now=w.now)
    # A session, so that the list has content to check for another client's identifiers.
    actions.record_session(actor=w.therapist, client=w.own_client, measured_on=w.now.date(), protocol="rest",
                           values={"breathing_rate_per_min": 12}, conclusions="Rustig.", now=w.now)
    # One with both files, for the downloads.
    w.m_session = actions.record_session(
        actor=w.therapist, client=w.own_client, measured_on=w.now.date(), protocol="rest", values={}, now=w.now,
        report=SimpleUploadedFile("rapport.pdf", DEMO_PDF), rr_file=rr_file())


def rr_file():
    """Five minutes of intervals around 800 ms: a recording the analysis accepts."""
    return SimpleUploadedFile("rr.txt", "\n".join(str(800 + (i % 7) * 10) for i in range(375)).encode())


def session(w):
    return {"client_id": w.own_client.public_id, "session_id": w.m_session.public_id}


def carla(w):
    return {"client_id": w.own_client.public_id}


READ = {"coach": 200, "other_coach": 404, "committee": 404, "client": 200, "other_client": 404, "management": 403, "therapist": 200,
        "outsider": 404, "auditor": 404}
WRITE = {"coach": 403, "other_coach": 404, "committee": 404, "client": 403, "other_client": 404, "management": 403, "therapist": 200,
         "outsider": 404, "auditor": 404}

API_ROUTES = [
    # measurements.read: coach, substitute, referred therapist, the client themself
    ("get", "/api/measurements/clients/{client_id}/sessions", carla, None, None,
     {"coach": 200, "other_coach": 404, "committee": 404, "client": 200, "other_client": 404, "management": 403,
      "therapist": 200, "outsider": 404, "auditor": 404}),
    # measurements.write: the referred therapist only
    ("post", "/api/measurements/clients/{client_id}/sessions", carla,
     lambda w: {"date": "2026-11-20", "protocol": "rest", "values": {"breathing_rate_per_min": 12},
                "conclusions": "Rustig."}, "json",
     {"coach": 403, "other_coach": 404, "committee": 404, "client": 403, "other_client": 404, "management": 403,
      "therapist": 201, "outsider": 404, "auditor": 404}),
    # the therapist's caseload: therapists only
    ("get", "/api/measurements/clients", {}, None, None, {p: 403 for p in EVERYONE} | {"therapist": 200}),
    ("get", "/api/measurements/clients/{client_id}/sessions/{session_id}", session, None, None, READ),
    ("post", "/api/measurements/clients/{client_id}/sessions/{session_id}/rr", session,
     lambda w: {"rr_file": rr_file()}, "multipart", WRITE),
    ("get", "/api/measurements/clients/{client_id}/sessions/{session_id}/report", session, None, None, READ),
    ("get", "/api/measurements/clients/{client_id}/sessions/{session_id}/rr", session, None, None, READ),
    ("get", "/api/measurements/clients/{client_id}/trends", carla, None, None, READ),
    ("get", "/api/measurements/clients/{client_id}/trends/{key}",
     lambda w: {"client_id": w.own_client.public_id, "key": "breathing_rate_per_min"}, None, None, READ),
]
