"""Questionnaires API: the same actions as the pages. Coaches list and send; the client
answers their own administrations. Bad input gives 422 with the problems per item."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import HeaderEx, P, Router, Schema, Status
from ninja.errors import HttpError

from coachdossier.clients import access

from . import actions
from .models import Administration, Moment

router = Router(tags=["questionnaires"])


class DefinitionOut(Schema):
    id: uuid.UUID
    key: str
    version: str
    title: dict
    fictional: bool


class AdministrationOut(Schema):
    id: uuid.UUID
    questionnaire: str
    definition_version: str
    moment: str
    status: str
    sent_at: str
    completed_at: str | None = None
    answered: int
    result: dict | None = None


class SendQuestionnaireIn(Schema):
    definition: uuid.UUID
    moment: str = Moment.OTHER


class AnswersIn(Schema):
    answers: dict[str, Any]
    submit: bool = False


def _definition_out(d):
    return {"id": d.public_id, "key": d.key, "version": d.version, "title": {"nl": d.title_nl, "en": d.title_en},
            "fictional": d.fictional}


def _out(a):
    return {"id": a.public_id, "questionnaire": a.definition.key, "definition_version": a.definition.version,
            "moment": a.moment, "status": a.status, "sent_at": a.sent_at.isoformat(),
            "completed_at": a.completed_at.isoformat() if a.completed_at else None, "answered": a.answered_count,
            "result": a.result or None}


def _unprocessable(exc: ValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in detail.items()))


@router.get("/definitions", response=list[DefinitionOut])
def list_definitions(request):
    return [_definition_out(d) for d in actions.available_definitions(now=timezone.now())]


@router.get("/clients/{client_id}/administrations", response=list[AdministrationOut])
def list_administrations(request, client_id: uuid.UUID):
    client, grant = access.get_client_for(request, client_id, "questionnaires.read")
    return [_out(a) for a in Administration.objects.for_client(client)]


@router.post("/clients/{client_id}/administrations", response={201: AdministrationOut})
def send(request, client_id: uuid.UUID, payload: SendQuestionnaireIn):
    client, grant = access.get_client_for(request, client_id, "questionnaires.send", log=False)
    now = timezone.now()
    definition = actions.available_definitions(now=now).filter(public_id=payload.definition).first()
    if definition is None:
        raise HttpError(422, "definition: no such questionnaire")
    try:
        administration = actions.send_questionnaire(actor=request.user, client=client, definition=definition,
                                                    moment=payload.moment, now=now, grant=grant)
    except ValidationError as exc:
        _unprocessable(exc)
    return Status(201, _out(administration))


IDEMPOTENCY_KEY = P(alias="Idempotency-Key", max_length=255, description=(
    "Optional, for a submission: a random value of your own (a UUID, say) that names this "
    "request. Send the same key with the same answers again (a retry after a lost response) "
    "and the answer is the result the first request recorded, not an error. Keys are per user."))


@router.post("/administrations/{administration_id}/answers", response=AdministrationOut)
def answer(request, administration_id: uuid.UUID, payload: AnswersIn,
           idempotency_key: HeaderEx[str, IDEMPOTENCY_KEY] = ""):
    """The client saves answers (submit=false) or submits them (submit=true). A completed
    questionnaire cannot be submitted again (422), except by its own submission repeated
    with its `Idempotency-Key` and the same answers (200 with the result)."""
    administration = (Administration.objects.filter(public_id=administration_id)
                      .select_related("definition", "client").first())
    if administration is None:
        access.deny(request.user, "questionnaires.answer")
    # GC-2.3: the accessor decides: 404 for a stranger, 403 for staff who see the client
    # (her coach) but may not answer in her place.
    client, grant = access.get_client_for(request, administration.client.public_id, "questionnaires.answer",
                                          log=False)
    try:
        administration = actions.save_answers(actor=request.user, administration=administration,
                                              answers=payload.answers, submit=payload.submit, now=timezone.now(),
                                              grant=grant, idempotency_key=idempotency_key.strip())
    except ValidationError as exc:
        _unprocessable(exc)
    return _out(administration)
