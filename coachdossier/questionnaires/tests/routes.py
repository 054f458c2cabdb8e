"""Access matrix rows for the questionnaire pages (see coachdossier/tests/matrix.py)."""

from coachdossier.questionnaires import actions
from coachdossier.questionnaires.models import QuestionnaireDefinition
from coachdossier.tests.matrix import Route

STAFF = ("coach", "other_coach", "committee", "management", "therapist", "outsider", "auditor")


def setup(w):
    actions.ensure_shipped(now=w.now)
    dass = QuestionnaireDefinition.objects.get(key="dass-21")
    w.open_administration = actions.send_questionnaire(actor=w.coach, client=w.own_client, definition=dass,
                                                       moment="intake", now=w.now)
    done = actions.send_questionnaire(actor=w.coach, client=w.own_client, definition=dass, moment="intake", now=w.now)
    w.completed_administration = actions.save_answers(
        actor=w.client_user, administration=done, answers={item.id: 1 for item in dass.definition.items},
        submit=True, now=w.now)


CLIENT_ONLY = {**{p: 403 for p in STAFF}, "client": 200, "other_client": 200}

ROUTES = [
    Route("questionnaires:mine", expect=CLIENT_ONLY),
    Route("questionnaires:fill", lambda w: {"administration_id": w.open_administration.public_id},
          expect={**CLIENT_ONLY, "other_client": 404}),
    Route("questionnaires:send", lambda w: {"client_id": w.own_client.public_id},
          expect={"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403,
                  "management": 403, "therapist": 403, "outsider": 403, "auditor": 403}),
    Route("questionnaires:result", lambda w: {"client_id": w.own_client.public_id,
                                              "administration_id": w.completed_administration.public_id},
          expect={"coach": 200, "other_coach": 404, "committee": 404, "client": 403, "other_client": 403,
                  "management": 403, "therapist": 404, "outsider": 404, "auditor": 403}),
]
