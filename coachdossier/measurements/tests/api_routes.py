"""API access-matrix rows for the measurements router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The target client is Carla (`w.own_client`); the
therapist is referred to her."""

from coachdossier.clients import actions as client_actions

EVERYONE = ("coach", "other_coach", "committee", "client", "other_client", "management", "therapist", "outsider",
            "auditor")


def setup(w):
    from coachdossier.measurements import actions

    client_actions.refer_to_therapist(actor=w.coach, client=w.own_client, therapist=w.therapist, now=w.now)
    # A session, so that the list has content to check for another client's identifiers.
    actions.record_session(actor=w.therapist, client=w.own_client, measured_on=w.now.date(), protocol="rest",
                           values={"breathing_rate_per_min": 12}, conclusions="Rustig.", now=w.now)


def carla(w):
    return {"client_id": w.own_client.public_id}


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
]
