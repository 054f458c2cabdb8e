"""The client's portal capabilities in the JSON API: inspection (the export document and its
attachments), requests, statements, consents, messages, the communication agreement and the
access log; and the staff side: inviting, messages to the client, proposing a substitute,
handling the client's requests, management's destruction register. Same actions and
access-log entries as the pages; a destruction request or a copy needs the password again
(the API's re-authentication). Bad input: 422 with the field errors (api/api.py)."""

import datetime
import logging
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from coachdossier.accounts.models import Role, User
from coachdossier.api.pagination import Pages, Rows
from coachdossier.clients import access
from coachdossier.clients.models import Client, Consent, ConsentKind, DossierEntry

from . import accesslog, actions, export
from .models import (
    ClientRequest,
    CommunicationAgreement,
    Direction,
    EmailContent,
    Message,
    RequestChannel,
    RequestKind,
)
from .views.client import attachment_download, statement_of
from .views.shared import recently_authenticated

router = Router(tags=["portal"])
security_log = logging.getLogger("coachdossier.security")


def _own(request, action, log=True):
    record = getattr(request.user, "client_record", None)
    if record is None:
        access.deny(request.user, action)
    return access.get_client_for(request, record.public_id, action, log=log)


def _run(action, **kwargs):
    """An action at the time now; its refusal as a 422."""
    return action(now=timezone.now(), **kwargs)


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
@paginate(Pages)
def list_requests(request):
    """Her copy, correction and destruction requests, newest first, a page at a time."""
    client, grant = _own(request, "requests.own")
    return Rows(client.requests.select_related("client").order_by("-received_on", "-pk"), RequestOut.from_request)


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
    found = actions.file_request(actor=request.user, client=client, kind=payload.kind, now=timezone.now(),
                                 grant=grant, channel=RequestChannel.API, entry=entry, field=payload.field,
                                 proposed=payload.proposed, reason=payload.reason)
    return Status(201, RequestOut.from_request(found))


@router.post("/requests/{request_id}/withdraw", response=RequestOut)
def withdraw_request(request, request_id: uuid.UUID):
    """GC-1.3: withdraw an open request (a destruction request above all, before it is carried out)."""
    client, grant = _own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id).select_related("client").first()
    if found is None:
        access.deny(request.user, "request.withdraw", client_ref=client.public_id)
    return RequestOut.from_request(_run(actions.withdraw_request, actor=request.user, request=found, grant=grant))


REAUTHENTICATION_REQUIRED = ("Re-authentication required: sign in again (or confirm your password) in this "
                             "session, or POST your password to this copy.json.")
COPY_REFUSALS = {403: {"description": (
    "Re-authentication required (GC-5.1, LAW-15): `{\"detail\": \"Re-authentication required: …\"}` when the "
    "session's last sign-in or password confirmation is not recent (a token never is), `{\"detail\": "
    "\"Re-authentication failed: …\"}` for a wrong password; nothing was logged or sent."),
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}}


class PasswordIn(Schema):
    password: str = Field(description="Your current password: the copy needs re-authentication, as on the page.")


def _copy(request, request_id):
    client, grant = _own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id, kind=RequestKind.COPY, status="done").first()
    if found is None:
        access.deny(request.user, "copy.download", client_ref=client.public_id)
    return client, grant, found


def _copy_document(client, grant, found):
    access.log_access(client, grant, "copy.download", obj=found)
    return export.build_export(client, redacted=found.redacted_ids, now=timezone.now())


@router.get("/requests/{request_id}/copy.json", summary="A released copy as JSON (the export document)",
            openapi_extra={"responses": COPY_REFUSALS})
def copy_json(request, request_id: uuid.UUID):
    """GC-5.1, LAW-15/20: as the page's download, only when this session's last sign-in or
    re-authentication is recent (allauth's re-authentication, ACCOUNT_REAUTHENTICATION_TIMEOUT);
    otherwise 403: POST the password to the same path (a token has no session to be recent)."""
    client, grant, found = _copy(request, request_id)
    if not recently_authenticated(request):
        raise HttpError(403, REAUTHENTICATION_REQUIRED)
    return _copy_document(client, grant, found)


@router.post("/requests/{request_id}/copy.json", summary="A released copy as JSON, with the password",
             openapi_extra={"responses": COPY_REFUSALS})
def copy_json_reauthenticated(request, request_id: uuid.UUID, payload: PasswordIn):
    """GC-5.1, LAW-15/20: the copy for any caller, a token too, re-authenticated by the password
    (as a copy or destruction request is); a wrong one is a 403."""
    client, grant, found = _copy(request, request_id)
    _reauthenticate(request, payload.password)
    return _copy_document(client, grant, found)


@router.post("/statements", response={201: dict})
def add_statement(request, payload: StatementIn):
    client, grant = _own(request, "dossier.statement", log=False)
    entry, _outcome = actions.add_statement(actor=request.user, client=client, title=payload.title,
                                            text=payload.text, now=timezone.now(), grant=grant)
    return Status(201, {"id": str(entry.public_id)})


class WithdrawnStatementOut(Schema):
    id: uuid.UUID
    withdrawn_at: datetime.datetime


@router.post("/statements/{entry_id}/withdraw", response=WithdrawnStatementOut)
def withdraw_statement(request, entry_id: uuid.UUID):
    """GC-5.3: withdraw a statement the client added; what it said leaves the dossier, the
    coach sees that and when. A report already sent keeps it as sent."""
    client, grant = _own(request, "dossier.statement", log=False)
    entry = statement_of(client, entry_id)
    if entry is None:
        access.deny(request.user, "entry.withdraw_statement", client_ref=client.public_id)
    entry = _run(actions.withdraw_statement, actor=request.user, entry=entry, grant=grant)
    return {"id": entry.public_id, "withdrawn_at": entry.withdrawn_at}


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
            raise ValidationError({"substitute": ["Unknown coach."]})
    consent = actions.grant_consent(actor=request.user, client=client, kind=payload.kind, now=timezone.now(),
                                    grant=grant, valid_from=payload.valid_from, valid_until=payload.valid_until,
                                    substitute=substitute, recipient=payload.recipient, purpose=payload.purpose,
                                    data_scope=payload.data_scope)
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


def _thread(client):
    """Her messages, newest first; `pk` keeps two of the same instant in one order."""
    return Message.objects.filter(client=client).select_related("sender", "client").order_by("-created_at", "-pk")


def _message_out(m: Message) -> dict:
    return {"id": m.public_id, "direction": m.direction, "sender": m.sender.full_name, "text": m.body,
            "created_at": m.created_at}


@router.get("/messages", response=list[MessageOut])
@paginate(Pages)
def list_messages(request):
    """Her secure messages with the practice, newest first, a page at a time."""
    client, grant = _own(request, "messages.read")
    return Rows(_thread(client), _message_out)


@router.post("/messages", response={201: MessageOut})
def send_message(request, payload: MessageIn):
    client, grant = _own(request, "messages.write", log=False)
    about = None
    if payload.about:
        about = DossierEntry.objects.filter(client=client, public_id=payload.about).first()
        if about is None:
            access.deny(request.user, "message.send", client_ref=client.public_id)
    m = actions.send_message(actor=request.user, client=client, text=payload.text, now=timezone.now(),
                             grant=grant, about=about)
    return Status(201, _message_out(m))


def _log_line(line: accesslog.Line) -> dict:
    return {"at": line.at, "action": line.action, "description": line.sentence, "denied": line.denied,
            "break_glass": line.break_glass, "reason": line.reason}


@router.get("/access-log", response=list[LogLine])
@paginate(Pages)
def access_log(request, others_only: bool = False):
    """LAW-NEN7513, AVG art. 15: every line the log keeps about her dossier, newest first, a
    page at a time; `others_only` leaves out what the client did herself, as the page does."""
    client, grant = _own(request, "access_log.read")
    describe = accesslog.describer(client)
    return Rows(accesslog.entries_for(client, others_only=others_only), lambda e: _log_line(describe(e)))


@router.get("/attachments/{attachment_id}")
def download_attachment(request, attachment_id: uuid.UUID):
    """An attachment of the client's own dossier (the `attachments` of `GET /dossier`). Logged."""
    return attachment_download(request, attachment_id)


class CommunicationIn(Schema):
    """GC-6.3: how the practice may contact the client (at least one way), and what an email
    may say."""

    by_email: bool
    by_phone: bool
    by_letter: bool
    email_content: EmailContent


class CommunicationOut(CommunicationIn):
    agreed: bool
    updated_at: datetime.datetime | None = None


@router.get("/communication", response=CommunicationOut)
def communication(request):
    """The client's communication agreement; before one is made, the practice's defaults
    (`agreed` false), as the page shows them."""
    client, grant = _own(request, "communication.own", log=False)
    current = CommunicationAgreement.objects.filter(client=client).first()
    if current is None:
        return {"by_email": True, "by_phone": True, "by_letter": True, "email_content": EmailContent.NOTICE_ONLY,
                "agreed": False}
    return {"by_email": current.by_email, "by_phone": current.by_phone, "by_letter": current.by_letter,
            "email_content": current.email_content, "agreed": True, "updated_at": current.updated_at}


@router.put("/communication", response=CommunicationOut)
def set_communication(request, payload: CommunicationIn):
    client, grant = _own(request, "communication.own", log=False)
    agreement = actions.set_communication_agreement(actor=request.user, client=client, now=timezone.now(),
                                                    grant=grant, **payload.dict())
    return {**payload.dict(), "agreed": True, "updated_at": agreement.updated_at}


# --- Staff ---------------------------------------------------------------------------------


def _staff(request, client_id, action, *roles, log=False):
    """A role opens the operation (as role_required on the page); the policy decides per client."""
    if not request.user.has_role(*roles):
        raise PermissionDenied
    return access.get_client_for(request, client_id, action, log=log)


class InvitationIn(Schema):
    language: str | None = None  # the client's ("nl" or "en"): the invitation and her account's; Dutch if left out


class InvitationOut(Schema):
    id: uuid.UUID
    expires_at: datetime.datetime
    language: str


@router.post("/clients/{client_id}/invitation", response={201: InvitationOut})
def invite(request, client_id: uuid.UUID, payload: InvitationIn | None = None):
    """A one-time link to the client's email address (nothing of the dossier); earlier links
    stop working. 422 without an email address, for an unknown language, or when the client
    already has an account."""
    client, grant = _staff(request, client_id, "portal.invite", Role.COACH, Role.MANAGEMENT)
    invitation, _token = actions.invite_client(actor=request.user, client=client, now=timezone.now(), grant=grant,
                                               language=payload.language if payload else None)
    return Status(201, {"id": invitation.public_id, "expires_at": invitation.expires_at,
                        "language": invitation.language})


@router.get("/clients/{client_id}/messages", response=list[MessageOut])
@paginate(Pages)
def client_messages(request, client_id: uuid.UUID):
    """The secure messages with the client, newest first, a page at a time (the coach and a
    substitute). As on the client page, reading them marks the client's messages read."""
    client, grant = _staff(request, client_id, "messages.read", Role.COACH, log=True)
    actions.mark_read(client=client, direction=Direction.TO_COACH, now=timezone.now())
    return Rows(_thread(client), _message_out)


class CoachMessageIn(Schema):
    text: str


@router.post("/clients/{client_id}/messages", response={201: MessageOut})
def message_client(request, client_id: uuid.UUID, payload: CoachMessageIn):
    """A message to the client; the client gets an email saying only that a message waits."""
    client, grant = _staff(request, client_id, "messages.write", Role.COACH)
    m = actions.send_message(actor=request.user, client=client, text=payload.text, now=timezone.now(),
                             grant=grant)
    return Status(201, _message_out(m))


class ProposalIn(Schema):
    substitute: uuid.UUID
    valid_from: datetime.date
    valid_until: datetime.date


class ProposalMade(Schema):
    id: uuid.UUID
    substitute: str
    valid_from: datetime.date
    valid_until: datetime.date


@router.post("/clients/{client_id}/consent-proposals", response={201: ProposalMade})
def propose_substitute(request, client_id: uuid.UUID, payload: ProposalIn):
    """GC-2.5: the coach proposes a substitute coach for a period; the client decides in the
    portal (`POST /consents/proposals/{id}/accept`)."""
    client, grant = _staff(request, client_id, "consent.manage", Role.COACH)
    substitute = User.objects.filter(public_id=payload.substitute).first()
    if substitute is None:
        raise ValidationError({"substitute": ["No coach with this id."]})
    proposal = actions.propose_substitute(actor=request.user, client=client, substitute=substitute,
                                          valid_from=payload.valid_from, valid_until=payload.valid_until,
                                          now=timezone.now(), grant=grant)
    return Status(201, {"id": proposal.public_id, "substitute": proposal.substitute.full_name,
                        "valid_from": proposal.valid_from, "valid_until": proposal.valid_until})


class RequestEventOut(Schema):
    at: datetime.datetime
    step: str
    status: str
    actor: str
    note: str = ""


class RecipientNoticeOut(Schema):
    id: uuid.UUID
    recipient: str = ""
    told_at: datetime.datetime | None = None


class HandledRequestOut(RequestOut):
    """A client's request as the staff page shows it. Its content (the entry, the field, what
    it should say, the notes, the recipients) only for the coach and a substitute; management
    gets kind, dates and statuses (PR-7)."""

    entry: uuid.UUID | None = None
    field: str = ""
    proposed: str = ""
    client_reason: str = ""
    events: list[RequestEventOut] = []
    notices: list[RecipientNoticeOut] = []


def _handled_out(found: ClientRequest, grant, *, detail: bool) -> dict:
    content = grant.basis in (access.C, access.S)
    out = RequestOut.from_request(found)
    if not content:
        return out | {"reason_given": ""}
    details = found.details
    out |= {"entry": found.entry.public_id if found.entry else None, "field": details.get("field", ""),
            "proposed": details.get("proposed", ""), "client_reason": details.get("reason", "")}
    if detail:
        out |= {"events": [{"at": e.at, "step": e.step, "status": e.status,
                            "actor": e.actor.full_name if e.actor else "", "note": e.note}
                           for e in found.events.select_related("actor", "request__client")],
                "notices": [{"id": n.public_id, "recipient": n.recipient, "told_at": n.told_at}
                            for n in found.notices.select_related("request__client")]}
    return out


@router.get("/clients/{client_id}/requests", response=list[HandledRequestOut])
@paginate(Pages)
def client_requests(request, client_id: uuid.UUID):
    """The client's copy, correction and destruction requests with their deadlines (coach,
    substitute, management), newest first, a page at a time."""
    client, grant = _staff(request, client_id, "requests.handle", Role.COACH, Role.MANAGEMENT, log=True)
    return Rows(client.requests.select_related("client", "entry").order_by("-received_on", "-pk"),
                lambda r: _handled_out(r, grant, detail=False))


def _handled(request, client_id, request_id, action, *roles):
    """As the page: the client through the policy, then the request among theirs (404,
    logged); the read logged as `requests.handle`."""
    client, grant = _staff(request, client_id, action, *roles)
    found = ClientRequest.objects.filter(client=client, public_id=request_id).select_related("client", "entry").first()
    if found is None:
        access.deny(request.user, action, client_ref=client.public_id)
    access.log_access(client, grant, "requests.handle", obj=found)
    return client, grant, found


@router.get("/clients/{client_id}/requests/{request_id}", response=HandledRequestOut)
def client_request(request, client_id: uuid.UUID, request_id: uuid.UUID):
    client, grant, found = _handled(request, client_id, request_id, "requests.handle", Role.COACH, Role.MANAGEMENT)
    return _handled_out(found, grant, detail=True)


class ReleaseIn(Schema):
    redact: list[uuid.UUID] = []
    reason: str = ""


@router.post("/clients/{client_id}/requests/{request_id}/release", response=HandledRequestOut)
def release_copy(request, client_id: uuid.UUID, request_id: uuid.UUID, payload: ReleaseIn):
    """Release a copy, withholding the entries in `redact` where they concern other people
    (AVG art. 15(4)), with the reason; the client is notified."""
    client, grant, found = _handled(request, client_id, request_id, "dossier.write", Role.COACH)
    actions.release_copy(actor=request.user, request=found, now=timezone.now(), grant=grant,
                         redact=payload.redact, reason=payload.reason)
    return _handled_out(found, grant, detail=True)


class CorrectionDecisionIn(Schema):
    decision: Literal["accept", "refuse"]
    text: str = Field("", description="The corrected text (of the entry, or the personal-data field); "
                                      "empty: what the client proposed.")
    reason: str = ""


@router.post("/clients/{client_id}/requests/{request_id}/decision", response=HandledRequestOut)
def decide_correction(request, client_id: uuid.UUID, request_id: uuid.UUID, payload: CorrectionDecisionIn):
    """GC-5.3: accept a correction (a new version, the old one kept and marked) or refuse it
    with a reason; the client is told either way."""
    client, grant, found = _handled(request, client_id, request_id, "dossier.write", Role.COACH)
    replacement = payload.text or None
    actions.decide_correction(actor=request.user, request=found, now=timezone.now(), grant=grant,
                              accept=payload.decision == "accept", reason=payload.reason,
                              text=replacement if found.entry_id else None,
                              value=replacement if not found.entry_id else None)
    return _handled_out(found, grant, detail=True)


class DestroyIn(Schema):
    confirm: bool = Field(description="Must be true: the dossier is destroyed now and this cannot be undone.")
    told: list[uuid.UUID] = Field([], description="Disclosure consents whose recipients were already told "
                                                  "(AVG art. 19).")


@router.post("/clients/{client_id}/requests/{request_id}/destruction", response=HandledRequestOut)
def execute_destruction(request, client_id: uuid.UUID, request_id: uuid.UUID, payload: DestroyIn):
    """GC-5.4: management carries out a destruction request. A legal duty to keep blocks it
    (status `blocked`, the client is told); otherwise the dossier is destroyed and the request
    stays as a tombstone."""
    client, grant, found = _handled(request, client_id, request_id, "privacy.manage", Role.MANAGEMENT)
    errors = {}
    if not payload.confirm:
        errors["confirm"] = ["Confirm the destruction: it cannot be undone."]
    known = {c.public_id for c in client.consents.filter(kind=ConsentKind.DISCLOSURE)}
    if set(payload.told) - known:
        errors["told"] = ["Name disclosure consents of this client."]
    if errors:
        raise ValidationError(errors)
    found = actions.execute_destruction(actor=request.user, request=found, now=timezone.now(), grant=grant,
                                        told=[str(t) for t in payload.told])
    return _handled_out(found, grant, detail=False)


class DestructionRow(Schema):
    id: uuid.UUID
    client_reference: str
    status: str
    received_on: datetime.date
    deadline: datetime.date
    overdue: bool
    closed_at: datetime.datetime | None = None
    closed_by: str = ""
    dossier_destroyed: bool


@router.get("/destructions", response=list[DestructionRow])
@paginate(Pages)
def destructions(request):
    """GC-5.4: the destruction register: every destruction request with its 4-week deadline,
    including the tombstones of dossiers already destroyed (dates and who executed them),
    newest first, a page at a time: the register of every year grows without end."""
    if not request.user.has_role(Role.MANAGEMENT):
        raise PermissionDenied
    today = timezone.localdate()
    found = ClientRequest.objects.destruction_register(Client.objects.visible_to(request.user, "privacy.manage"))
    return Rows(found, lambda r: {
        "id": r.public_id, "client_reference": r.client.reference, "status": r.status,
        "received_on": r.received_on, "deadline": r.deadline, "overdue": r.is_overdue(today),
        "closed_at": r.closed_at, "closed_by": r.closed_by.full_name if r.closed_by else "",
        "dossier_destroyed": r.client.destroyed_at is not None})
