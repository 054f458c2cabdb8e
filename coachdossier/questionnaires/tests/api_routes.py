"""API access-matrix rows for the questionnaires router (the format of
coachdossier/clients/tests/api_routes.py: method, OpenAPI path, path values, body builder,
body kind, expected status per persona). The target client is Carla (`w.own_client`)."""

from coachdossier.questionnaires import actions
from coachdossier.questionnaires.models import QuestionnaireDefinition

EVERYONE = ("coach", "other_coach", "committee", "client", "other_client", "management", "therapist", "outsider",
            "auditor")


def setup(w):
    actions.ensure_shipped(now=w.now)
    w.q_definition = QuestionnaireDefinition.objects.get(key="dass-21")
    w.q_open = actions.send_questionnaire(actor=w.coach, client=w.own_client, definition=w.q_definition,
                                          moment="intake", now=w.now)


def carla(w):
    return {"client_id": w.own_client.public_id}


READ = {"coach": 200, "other_coach": 404, "committee": 404, "client": 200, "other_client": 404, "management": 403, "therapist": 404,
        "outsider": 404, "auditor": 404}

API_ROUTES = [
    ("get", "/api/questionnaires/definitions", {}, None, None, {p: 200 for p in EVERYONE}),
    # questionnaires.read: coach, substitute, the client themself
    ("get", "/api/questionnaires/clients/{client_id}/administrations", carla, None, None,
     {"coach": 200, "other_coach": 404, "committee": 404, "client": 200, "other_client": 404, "management": 403,
      "therapist": 404, "outsider": 404, "auditor": 404}),
    # questionnaires.send: coach, substitute
    ("post", "/api/questionnaires/clients/{client_id}/administrations", carla,
     lambda w: {"definition": str(w.q_definition.public_id), "moment": "intake"}, "json",
     {"coach": 201, "other_coach": 404, "committee": 404, "client": 403, "other_client": 404, "management": 403,
      "therapist": 404, "outsider": 404, "auditor": 404}),
    # questionnaires.answer: the client themself
    ("post", "/api/questionnaires/administrations/{administration_id}/answers",
     lambda w: {"administration_id": w.q_open.public_id}, lambda w: {"answers": {}, "submit": False}, "json",
     {"coach": 403, "other_coach": 404, "committee": 404, "client": 200, "other_client": 404, "management": 403,
      "therapist": 404, "outsider": 404, "auditor": 404}),
    # the client's own list (the page "My questionnaires"): clients only
    ("get", "/api/questionnaires/mine", {}, None, None,
     {p: 403 for p in EVERYONE} | {"client": 200, "other_client": 200}),
    # questionnaires.read, through the administration's client
    ("get", "/api/questionnaires/administrations/{administration_id}",
     lambda w: {"administration_id": w.q_open.public_id}, None, None, READ),
    ("get", "/api/questionnaires/clients/{client_id}/trends", carla, None, None, READ),
    ("get", "/api/questionnaires/clients/{client_id}/trends/{questionnaire}",
     lambda w: {"client_id": w.own_client.public_id, "questionnaire": w.q_definition.key}, None, None, READ),
]
