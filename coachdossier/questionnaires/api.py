"""Questionnaires API: the same actions and access-log entries as the pages. Coaches list,
send, read results (answers and scores) and trends; the client lists, reads and answers
their own administrations. Bad input gives 422 with the problems per item (`errors`)."""

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min
from django.http import Http404
from django.utils import timezone
from ninja import Field, HeaderEx, P, Router, Schema, Status
from ninja.pagination import paginate

from coachdossier.accounts.models import Role
from coachdossier.api.pagination import Pages, Rows
from coachdossier.clients import access
from coachdossier.clients.models import Client

from . import actions, trends
from .models import Administration, Moment, QuestionnaireDefinition
from .views import administration_for

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


class OptionOut(Schema):
    value: int | float | str
    label: dict


class ItemOut(Schema):
    id: str
    text: dict
    required: bool
    options: list[OptionOut]
    answer: int | float | str | None = None


class AdministrationDetail(AdministrationOut):
    """One administration: its questions with the options and the answers so far, and once
    submitted (`status` completed) the scores and bands in `result`. Texts in Dutch and English."""

    title: dict
    instructions: dict
    items: list[ItemOut]


class TrendSubscale(Schema):
    key: str
    title: dict
    min_score: float
    max_score: float


class TrendScore(Schema):
    key: str
    score: float | None
    band: dict | None = None


class TrendPoint(Schema):
    administration: uuid.UUID
    completed_at: datetime.datetime
    moment: str
    definition_version: str
    scores: list[TrendScore]


class TrendOut(Schema):
    """A questionnaire with completed results: its subscales (as its first result has them)
    and how many results there are. The results themselves come a page at a time from
    `trends/{questionnaire}`."""

    questionnaire: str
    title: dict
    subscales: list[TrendSubscale]
    count: int = Field(description="Completed results; they come a page at a time from trends/{questionnaire}.")


@router.get("/definitions", response=list[DefinitionOut])
def list_definitions(request):
    return [_definition_out(d) for d in actions.available_definitions(now=timezone.now())]


def _administrations(client) -> Rows:
    """The client's questionnaires, newest first, a page at a time."""
    return Rows(Administration.objects.for_client(client).order_by("-sent_at", "-pk"), _out)


@router.get("/clients/{client_id}/administrations", response=list[AdministrationOut])
@paginate(Pages)
def list_administrations(request, client_id: uuid.UUID):
    """The client's questionnaires, open and completed, newest first, a page at a time."""
    client, grant = access.get_client_for(request, client_id, "questionnaires.read")
    return _administrations(client)


@router.post("/clients/{client_id}/administrations", response={201: AdministrationOut})
def send(request, client_id: uuid.UUID, payload: SendQuestionnaireIn):
    client, grant = access.get_client_for(request, client_id, "questionnaires.send", log=False)
    now = timezone.now()
    definition = actions.available_definitions(now=now).filter(public_id=payload.definition).first()
    if definition is None:
        raise ValidationError({"definition": "No such questionnaire."})
    administration = actions.send_questionnaire(actor=request.user, client=client, definition=definition,
                                                moment=payload.moment, now=now, grant=grant)
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
    # GC-2.3: the accessor decides: 404 for a stranger, 403 for staff who see the client
    # (her coach) but may not answer in her place.
    administration, client, grant = administration_for(request, administration_id, "questionnaires.answer")
    administration = actions.save_answers(actor=request.user, administration=administration,
                                          answers=payload.answers, submit=payload.submit, now=timezone.now(),
                                          grant=grant, idempotency_key=idempotency_key.strip())
    return _out(administration)


@router.get("/mine", response=list[AdministrationOut])
@paginate(Pages)
def my_administrations(request):
    """The client's own questionnaires, open and completed (the page "My questionnaires"),
    newest first, a page at a time."""
    if not request.user.has_role(Role.CLIENT):
        raise PermissionDenied
    client = Client.objects.visible_to(request.user, "questionnaires.answer").first()
    if client is None:
        access.deny(request.user, "questionnaires.read")
    client, grant = access.get_client_for(request, client.public_id, "questionnaires.read")
    return _administrations(client)


@router.get("/administrations/{administration_id}", response=AdministrationDetail)
def administration_detail(request, administration_id: uuid.UUID):
    """The questions, the answers so far and, once submitted, the scores: the coach's result
    page and the client's own form in one. Logged as the pages log it: a client opening an
    open questionnaire to fill it in as `questionnaires.answer`, every other read as
    `questionnaires.read`."""
    administration, client, grant = administration_for(request, administration_id, "questionnaires.read")
    filling = grant.basis == access.SELF and not administration.is_completed
    access.log_access(client, grant, "questionnaires.answer" if filling else "questionnaires.read",
                      obj=administration)
    definition, answers = administration.definition.definition, administration.answers
    return {**_out(administration), "title": definition.title.to_dict(),
            "instructions": definition.instructions.to_dict(),
            "items": [{"id": item.id, "text": item.text.to_dict(), "required": item.required,
                       "options": [{"value": o.value, "label": o.label.to_dict()}
                                   for o in definition.scale(item.scale).options],
                       "answer": answers.get(item.id)} for item in definition.items]}


def _completed(client):
    return Administration.objects.for_client(client).completed()


def _trend_out(first: Administration, count: int) -> dict:
    definition = first.definition
    return {"questionnaire": definition.key, "title": {"nl": definition.title_nl, "en": definition.title_en},
            "subscales": [{"key": g["key"], "title": g["title"], "min_score": g["min_score"],
                           "max_score": g["max_score"]} for g in trends.groups(first.result)],
            "count": count}


def _point_out(administration: Administration, keys: list[str]) -> dict:
    result = administration.result
    by_key = {g["key"]: g for g in trends.groups(result)}
    return {"administration": administration.public_id, "completed_at": administration.completed_at,
            "moment": administration.moment, "definition_version": str(result["definition_version"]),
            "scores": [{"key": k, "score": by_key.get(k, {}).get("score"), "band": by_key.get(k, {}).get("band")}
                       for k in keys]}


@router.get("/clients/{client_id}/trends", response=list[TrendOut])
def client_trends(request, client_id: uuid.UUID):
    """Each questionnaire the client completed, in the order she first did, with its subscales
    and the bands' range (coach, substitute, the client themself): the series of the pages'
    trend charts. The results come a page at a time from `trends/{questionnaire}` (years of
    results are no one answer)."""
    client, grant = access.get_client_for(request, client_id, "questionnaires.read")
    counts = (_completed(client).order_by().values_list("definition__key")
              .annotate(n=Count("pk"), first=Min("completed_at")).order_by("first"))
    return [_trend_out(_completed(client).filter(definition__key=key).order_by("completed_at", "pk").first(), n)
            for key, n, _first in counts]


@router.get("/clients/{client_id}/trends/{questionnaire}", response=list[TrendPoint])
@paginate(Pages)
def client_trend(request, client_id: uuid.UUID, questionnaire: str):
    """One questionnaire's completed results, newest first, a page at a time, each with its
    scores and bands per subscale of `trends` (a later version of an instrument may lack one:
    its score is null). 404 for a key that is no questionnaire."""
    client, grant = access.get_client_for(request, client_id, "questionnaires.read")
    if not QuestionnaireDefinition.objects.filter(key=questionnaire).exists():
        raise Http404
    results = _completed(client).filter(definition__key=questionnaire)
    first = results.order_by("completed_at", "pk").first()
    keys = [g["key"] for g in trends.groups(first.result)] if first else []
    return Rows(results.order_by("-completed_at", "-pk"), lambda a: _point_out(a, keys))
