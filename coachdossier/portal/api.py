"""The client's portal capabilities in the JSON API: inspection (the export document),
requests, statements, consents, messages and the access log. Same actions as the pages;
a destruction request or a copy needs the password again (the API's re-authentication)."""

import datetime
import logging
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from coachdossier.accounts.models import User
from coachdossier.clients import access
from coachdossier.clients.models import Consent, DossierEntry

from . import accesslog, actions, export
from .models import ClientRequest, Message, RequestChannel, RequestKind

router = Router(tags=["portal"])
security_log = logging.getLogger("coachdossier.security")


def _own(request, action, log=True):
    record = getattr(request.user, "client_record", None)
    if record is None:
        access.deny(request.user, action)
    return access.get_client_for(request, record.public_id, action, log=log)


def _fail(exc: ValidationError):
    """An action's field errors as a 422 in ninja's own error format."""
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    raise NinjaValidationError([{"loc": ["body", field], "msg": " ".join(messages), "type": "value_error"}
                                for field, messages in detail.items()]) from exc


def _run(action, **kwargs):
    """An action at the time now; its refusal as a 422."""
    try:
        return action(now=timezone.now(), **kwargs)
    except ValidationError as exc:
        _fail(exc)


def _reauthenticate(request, password: str):
    if not password or not request.user.check_password(password):
        security_log.warning("api: re-authentication failed for user_id=%s", request.user.pk)
        raise HttpError(403, "Re-authentication failed: give your current password.")


class RequestOut(Schema):
    id: uuid.UUID
    kind: str
    status: str
    channel: str
    received_on: datetime.date
    deadline: datetime.date
    closed_at: datetime.datetime | None = None
    reason_given: str = ""

    @staticmethod
    def from_request(r: ClientRequest) -> dict:
        return {"id": r.public_id, "kind": r.kind, "status": r.status, "channel": r.channel,
                "received_on": r.received_on, "deadline": r.deadline, "closed_at": r.closed_at,
                "reason_given": r.details.get("decision_reason") or r.details.get("blocked_reason") or ""}


class RequestIn(Schema):
    kind: RequestKind
    password: str = ""
    entry: uuid.UUID | None = None
    field: str = ""
    proposed: str = ""
    reason: str = ""


class StatementIn(Schema):
    title: str = ""
    text: str


class ConsentIn(Schema):
    kind: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    substitute: uuid.UUID | None = None
    recipient: str = ""
    purpose: str = ""
    data_scope: str = ""


class OwnConsentOut(Schema):
    id: uuid.UUID
    kind: str
    substitute: str = ""
    recipient: str = ""
    purpose: str = ""
    data_scope: str = ""
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    withdrawn_at: datetime.datetime | None = None


class MessageIn(Schema):
    text: str
    about: uuid.UUID | None = None


class MessageOut(Schema):
    id: uuid.UUID
    direction: str
    sender: str
    text: str
    created_at: datetime.datetime


class LogLine(Schema):
    at: datetime.datetime
    action: str
    description: str
    denied: bool
    break_glass: bool
    reason: str = ""


def _consent_out(c: Consent) -> dict:
    return {"id": c.public_id, "kind": c.kind, "substitute": c.substitute.full_name if c.substitute else "",
            "recipient": c.details.get("recipient", ""), "purpose": c.details.get("purpose", ""),
            "data_scope": c.details.get("data_scope", ""), "valid_from": c.valid_from, "valid_until": c.valid_until,
            "withdrawn_at": c.withdrawn_at}


@router.get("/dossier", summary="The whole dossier (the export document; see /portal/schema.json)")
def dossier(request):
    client, grant = _own(request, "dossier.read")
    return export.build_export(client, now=timezone.now())


@router.get("/requests", response=list[RequestOut])
def list_requests(request):
    client, grant = _own(request, "requests.own")
    return [RequestOut.from_request(r) for r in client.requests.select_related("client")]


@router.post("/requests", response={201: RequestOut})
def file_request(request, payload: RequestIn):
    """Copy, correction or destruction. Copy and destruction need `password` (re-authentication)."""
    client, grant = _own(request, "requests.own", log=False)
    if payload.kind in (RequestKind.COPY, RequestKind.DESTRUCTION):
        _reauthenticate(request, payload.password)
    entry = None
    if payload.entry:
        entry = DossierEntry.objects.filter(client=client, public_id=payload.entry, deleted_at__isnull=True).first()
        if entry is None:
            access.deny(request.user, "request.correction", client_ref=client.public_id)
    try:
        found = actions.file_request(actor=request.user, client=client, kind=payload.kind, now=timezone.now(),
                                     grant=grant, channel=RequestChannel.API, entry=entry, field=payload.field,
                                     proposed=payload.proposed, reason=payload.reason)
    except ValidationError as exc:
        _fail(exc)
    return Status(201, RequestOut.from_request(found))


@router.post("/requests/{request_id}/withdraw", response=RequestOut)
def withdraw_request(request, request_id: uuid.UUID):
    """GC-1.3: withdraw an open request (a destruction request above all, before it is carried out)."""
    client, grant = _own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id).select_related("client").first()
    if found is None:
        access.deny(request.user, "request.withdraw", client_ref=client.public_id)
    return RequestOut.from_request(_run(actions.withdraw_request, actor=request.user, request=found, grant=grant))


@router.get("/requests/{request_id}/copy.json", summary="A released copy as JSON (the export document)")
def copy_json(request, request_id: uuid.UUID):
    client, grant = _own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id, kind=RequestKind.COPY, status="done").first()
    if found is None:
        access.deny(request.user, "copy.download", client_ref=client.public_id)
    access.log_access(client, grant, "copy.download", obj=found)
    return export.build_export(client, redacted=found.redacted_ids, now=timezone.now())


@router.post("/statements", response={201: dict})
def add_statement(request, payload: StatementIn):
    client, grant = _own(request, "dossier.statement", log=False)
    try:
        entry, _outcome = actions.add_statement(actor=request.user, client=client, title=payload.title,
                                                text=payload.text, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        _fail(exc)
    return Status(201, {"id": str(entry.public_id)})


@router.get("/consents", response=list[OwnConsentOut])
def list_consents(request):
    client, grant = _own(request, "consent.own")
    return [_consent_out(c) for c in client.consents.select_related("substitute", "client")]


@router.post("/consents", response={201: OwnConsentOut})
def grant_consent(request, payload: ConsentIn):
    client, grant = _own(request, "consent.own", log=False)
    substitute = None
    if payload.substitute:
        substitute = User.objects.filter(public_id=payload.substitute, is_active=True).first()
        if substitute is None:
            raise NinjaValidationError([{"loc": ["body", "substitute"], "msg": "Unknown coach.",
                                         "type": "value_error"}])
    try:
        consent = actions.grant_consent(actor=request.user, client=client, kind=payload.kind, now=timezone.now(),
                                        grant=grant, valid_from=payload.valid_from, valid_until=payload.valid_until,
                                        substitute=substitute, recipient=payload.recipient, purpose=payload.purpose,
                                        data_scope=payload.data_scope)
    except ValidationError as exc:
        _fail(exc)
    return Status(201, _consent_out(consent))


@router.post("/consents/{consent_id}/withdraw", response=OwnConsentOut)
def withdraw_consent(request, consent_id: uuid.UUID):
    client, grant = _own(request, "consent.own", log=False)
    consent = Consent.objects.filter(client=client, public_id=consent_id).select_related("client").first()
    if consent is None:
        access.deny(request.user, "consent.withdraw", client_ref=client.public_id)
    return _consent_out(_run(actions.withdraw_own_consent, actor=request.user, consent=consent, grant=grant))


class ProposalOut(Schema):
    id: uuid.UUID
    substitute: str
    proposed_by: str
    valid_from: datetime.date
    valid_until: datetime.date


@router.get("/consents/proposals", response=list[ProposalOut])
def list_proposals(request):
    """Substitute coaches the coach proposed, waiting for the client's answer (GC-2.5)."""
    client, grant = _own(request, "consent.own")
    return [{"id": p.public_id, "substitute": p.substitute.full_name, "proposed_by": p.proposed_by.full_name,
             "valid_from": p.valid_from, "valid_until": p.valid_until}
            for p in client.consent_proposals.open().select_related("substitute", "proposed_by")]


@router.post("/consents/proposals/{proposal_id}/{decision}", response={200: dict})
def decide_proposal(request, proposal_id: uuid.UUID, decision: str):
    client, grant = _own(request, "consent.own", log=False)
    proposal = client.consent_proposals.filter(public_id=proposal_id).select_related("client").first()
    if proposal is None or decision not in ("accept", "decline"):
        access.deny(request.user, "consent.own", client_ref=client.public_id)
    proposal = _run(actions.decide_proposal, actor=request.user, proposal=proposal, accept=decision == "accept",
                    grant=grant)
    return {"consent": str(proposal.consent.public_id) if proposal.consent else None}


@router.get("/messages", response=list[MessageOut])
def list_messages(request):
    client, grant = _own(request, "messages.read")
    return [{"id": m.public_id, "direction": m.direction, "sender": m.sender.full_name, "text": m.body,
             "created_at": m.created_at} for m in Message.objects.filter(client=client).select_related("sender")]


@router.post("/messages", response={201: MessageOut})
def send_message(request, payload: MessageIn):
    client, grant = _own(request, "messages.write", log=False)
    about = None
    if payload.about:
        about = DossierEntry.objects.filter(client=client, public_id=payload.about).first()
        if about is None:
            access.deny(request.user, "message.send", client_ref=client.public_id)
    try:
        m = actions.send_message(actor=request.user, client=client, text=payload.text, now=timezone.now(),
                                 grant=grant, about=about)
    except ValidationError as exc:
        _fail(exc)
    return Status(201, {"id": m.public_id, "direction": m.direction, "sender": m.sender.full_name, "text": m.body,
                        "created_at": m.created_at})


@router.get("/access-log", response=list[LogLine])
def access_log(request, others_only: bool = False):
    """The newest 500 lines; `others_only` leaves out what the client did herself, as the page does."""
    client, grant = _own(request, "access_log.read")
    return [{"at": line.at, "action": line.action, "description": line.sentence, "denied": line.denied,
             "break_glass": line.break_glass, "reason": line.reason}
            for line in accesslog.lines_for(client, others_only=others_only)]
