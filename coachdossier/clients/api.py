"""The client-records API, mounted at /api/clients/. Thin: every route reaches the client
through access.py (which writes the access-log entry) and changes things only through
clients.actions. Bad input: 422 with field errors, nothing saved (see api/api.py)."""

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, HeaderEx, P, Router, Schema, Status
from ninja.files import UploadedFile

from coachdossier.accounts.models import Role, User
from coachdossier.lib.idempotency import Once

from . import access, actions, crypto
from .models import (
    Attachment,
    Client,
    ClientSource,
    Consent,
    ConsentChannel,
    ConsentKind,
    DossierEntry,
    EntryKind,
    PersonalData,
    Principal,
    PrincipalKind,
    SessionMode,
    Trajectory,
)

router = Router(tags=["clients"])
PAGE_SIZE = 50


def _require_role(request, *roles):
    """A role opens an endpoint (like role_required on pages); the policy decides per client."""
    if not request.user.has_role(*roles):
        raise PermissionDenied


def _person(public_id, role: str, field: str) -> User:
    user = User.objects.filter(public_id=public_id, is_active=True, role_grants__role=role).first()
    if user is None:
        raise ValidationError({field: f"No active {role} with this id."})
    return user


# --- Schemas -------------------------------------------------------------------------------


class PrincipalIn(Schema):
    name: str
    kind: PrincipalKind
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""
    statutory_report_right: bool = False


class PrincipalOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    contact_name: str
    contact_email: str
    contact_phone: str
    statutory_report_right: bool


def _principal_out(p: Principal) -> dict:
    return {"id": p.public_id, "name": p.name, "kind": p.kind, "contact_name": p.contact_name,
            "contact_email": p.contact_email, "contact_phone": p.contact_phone,
            "statutory_report_right": p.statutory_report_right}


class PersonalIn(Schema):
    """GC-9.1: exactly these fields; BSN and background only for UWV clients."""

    first_name: str
    last_name: str
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    date_of_birth: datetime.date | None = None
    bsn: str = ""
    background: str = ""

    def personal(self) -> PersonalData:
        data = {k: v for k, v in self.dict().items() if k in PersonalData.__dataclass_fields__}
        dob = data.pop("date_of_birth")
        return PersonalData(**data, date_of_birth=dob.isoformat() if dob else "")


class TrajectoryIn(Schema):
    principal: uuid.UUID
    coach: uuid.UUID
    source: ClientSource
    uwv_order_number: str = ""
    approved_hours: Decimal | None = None
    agreement_date: datetime.date | None = None
    vulnerable: bool = False
    goal_text: str = ""
    goal_justification: str = ""

    def opening(self) -> dict:
        """The keyword arguments of actions.open_trajectory, the principal and coach looked up
        (422 naming the field when there is no such one)."""
        principal = Principal.objects.filter(public_id=self.principal).first()
        if principal is None:
            raise ValidationError({"principal": "Unknown principal."})
        fields = {k: v for k, v in self.dict().items() if k in TrajectoryIn.model_fields}
        return fields | {"principal": principal, "coach": _person(self.coach, Role.COACH, "coach")}


class RegisterIn(PersonalIn, TrajectoryIn):
    pass


class TrajectoryMeta(Schema):
    """PR-7: what management sees of a trajectory."""

    id: uuid.UUID
    status: str
    principal: str
    principal_kind: str
    coach: str
    source: str
    opened_on: datetime.date
    activated_on: datetime.date | None
    closed_on: datetime.date | None
    vulnerable: bool
    approved_hours: Decimal | None


class TrajectoryOut(TrajectoryMeta):
    hours_used: float | None = None


def _trajectory_out(t: Trajectory, *, content: bool) -> dict:
    out = {"id": t.public_id, "status": t.status, "principal": t.principal.name, "principal_kind": t.principal.kind,
           "coach": t.coach.full_name, "source": t.source, "opened_on": t.opened_on, "activated_on": t.activated_on,
           "closed_on": t.closed_on, "vulnerable": t.vulnerable, "approved_hours": t.approved_hours}
    if content:
        out["hours_used"] = t.hours_used()
    return out


class ClientSummary(Schema):
    """What a list shows: for management exactly the metadata PR-7 allows."""

    id: uuid.UUID
    reference: str
    name: str
    trajectory: TrajectoryMeta | None


class ClientList(Schema):
    count: int
    page: int
    results: list[ClientSummary]


class GoalOut(Schema):
    number: int
    text: str
    reason: str
    author: str
    created_at: datetime.datetime


class CoachingSessionOut(Schema):
    id: uuid.UUID
    date: datetime.date
    minutes: int
    mode: str


class AttachmentOut(Schema):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int


class EntryOut(Schema):
    id: uuid.UUID
    kind: str
    occurred_on: datetime.date
    title: str
    text: str
    source: str
    is_medical: bool
    names_others: bool
    special_category: bool
    version: int
    author: str
    created_at: datetime.datetime
    attachments: list[AttachmentOut]
    withdrawn_at: datetime.datetime | None = None  # GC-5.3: a statement the client withdrew (its text is gone)


class VersionOut(Schema):
    number: int
    title: str
    text: str
    reason: str
    author: str
    created_at: datetime.datetime
    is_correction: bool


class EntryDetail(EntryOut):
    versions: list[VersionOut]


class ConsentOut(Schema):
    id: uuid.UUID
    kind: str
    substitute: str | None
    valid_from: datetime.date
    valid_until: datetime.date | None
    given_via: str
    withdrawn_at: datetime.datetime | None


class EntryList(Schema):
    """One page of a dossier's entries, newest first, `PAGE_SIZE` to a page."""

    count: int = Field(description="All entries listed (medical ones only when asked for), over every page.")
    page: int
    results: list[EntryOut]


class ClientDetail(Schema):
    id: uuid.UUID
    reference: str
    personal: dict
    trajectory: TrajectoryOut | None
    goals: list[GoalOut]
    sessions: list[CoachingSessionOut]
    entries: list[EntryOut] = Field(description=(
        "The newest entries: the first page of `GET /api/clients/{id}/entries` (at most 50). A dossier "
        "with more has `entries_next`; before this was paged, every entry came here."))
    entry_count: int = Field(description="All entries listed (medical ones only when asked for).")
    entries_next: str | None = Field(description=(
        "The path of the next page of entries (`/api/clients/{id}/entries?page=2`, with the same "
        "`medical`), or null when `entries` holds them all."))
    medical_hidden: int
    consents: list[ConsentOut]


def _entry_out(entry: DossierEntry) -> dict:
    current = entry.current
    content = current.content
    return {"id": entry.public_id, "kind": entry.kind, "occurred_on": entry.occurred_on,
            "title": content.get("title", ""), "text": content.get("text", ""), "source": content.get("source", ""),
            "is_medical": entry.is_medical, "names_others": entry.names_others,
            "special_category": entry.special_category, "version": current.number,
            "author": entry.created_by.full_name, "created_at": entry.created_at,
            "attachments": [{"id": a.public_id, "filename": a.filename, "content_type": a.content_type,
                             "size": a.size} for a in entry.attachments.all()],
            "withdrawn_at": entry.withdrawn_at}


def _consent_out(c: Consent) -> dict:
    return {"id": c.public_id, "kind": c.kind, "substitute": c.substitute.full_name if c.substitute else None,
            "valid_from": c.valid_from, "valid_until": c.valid_until, "given_via": c.given_via,
            "withdrawn_at": c.withdrawn_at}


# --- Principals (management) ---------------------------------------------------------------


@router.get("/principals", response=list[PrincipalOut])
def list_principals(request):
    _require_role(request, Role.MANAGEMENT)
    return [_principal_out(p) for p in Principal.objects.all()]


@router.post("/principals", response={201: PrincipalOut})
def create_principal(request, payload: PrincipalIn):
    _require_role(request, Role.MANAGEMENT)
    principal = actions.create_principal(actor=request.user, **payload.dict())
    return Status(201, _principal_out(principal))


# --- Clients -------------------------------------------------------------------------------


def _page(qs, page: int) -> tuple[int, int, list]:
    """The API's paging: `count` over all pages, page `page` (1 at the least) of `PAGE_SIZE` rows."""
    page = max(page, 1)
    count = qs.count()
    # A page past the end is empty, without asking SQL for an offset beyond its integers.
    rows = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]) if (page - 1) * PAGE_SIZE < count else []
    return count, page, rows


@router.get("/", response=ClientList)
def list_clients(request, q: str = "", page: int = 1):
    """A coach's caseload (own clients and substitutions), or for management every client
    with name, status, coach and dates only (PR-7). Every client listed is logged."""
    _require_role(request, Role.COACH, Role.MANAGEMENT)
    action = "dossier.read" if request.user.has_role(Role.COACH) else "trajectory.manage"
    qs = (Client.objects.visible_to(request.user, action)
          .prefetch_related("trajectories__principal", "trajectories__coach"))
    qs = qs.search(q)
    count, page, clients = _page(qs, page)
    crypto.KeyRing.load(c.public_id for c in clients)
    access.log_list(request.user, "client.search" if q.strip() else "client.list", clients)
    results = []
    for c in clients:
        t = c.current_trajectory
        results.append({"id": c.public_id, "reference": c.reference, "name": c.display_name,
                        "trajectory": _trajectory_out(t, content=False) if t else None})
    return {"count": count, "page": page, "results": results}


@router.post("/", response={201: ClientSummary})
def register_client(request, payload: RegisterIn):
    """Management registers a client and opens the first trajectory, all or nothing."""
    _require_role(request, Role.MANAGEMENT)
    opening = payload.opening()
    now = timezone.now()
    with transaction.atomic():
        client = actions.register_client(actor=request.user, personal=payload.personal(),
                                         principal=opening["principal"], now=now)
        trajectory = actions.open_trajectory(actor=request.user, client=client, now=now, **opening)
    return Status(201, {"id": client.public_id, "reference": client.reference, "name": client.display_name,
                        "trajectory": _trajectory_out(trajectory, content=False)})


def _read_dossier(request, client_id, medical: bool):
    """The client, through the access policy, with the read logged as the web page logs it:
    asking for medical entries is logged as such (PR-4)."""
    _require_role(request, Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
    client, _grant = access.get_client_for(request, client_id, "dossier.read",
                                           log_action="dossier.read_medical" if medical else "dossier.read")
    return client


def _entry_page(client, *, medical: bool, page: int) -> tuple[int, int, list[dict]]:
    """A page of entries at a fixed number of queries, however many the dossier holds."""
    count, page, entries = _page(client.entries.for_timeline(include_medical=medical), page)
    return count, page, [_entry_out(e) for e in entries]


@router.get("/{uuid:client_id}", response=ClientDetail)
def client_detail(request, client_id: uuid.UUID, medical: bool = False):
    """The dossier, with the newest page of its entries; the rest through
    `GET /api/clients/{id}/entries` (`entries_next`). Medical entries only when asked for,
    logged as such (PR-4)."""
    client = _read_dossier(request, client_id, medical)
    trajectory = client.current_trajectory
    count, _first, entries = _entry_page(client, medical=medical, page=1)
    goals = list(trajectory.goals.select_related("author").order_by("-number")) if trajectory else []
    return {
        "id": client.public_id, "reference": client.reference,
        "personal": {k: v for k, v in client.personal.__dict__.items()},
        "trajectory": _trajectory_out(trajectory, content=True) if trajectory else None,
        "goals": [{"number": g.number, "text": g.content.get("text", ""), "reason": g.content.get("reason", ""),
                   "author": g.author.full_name, "created_at": g.created_at} for g in goals],
        "sessions": [{"id": s.public_id, "date": s.date, "minutes": s.minutes, "mode": s.mode}
                     for s in (trajectory.sessions.all() if trajectory else [])],
        "entries": entries, "entry_count": count,
        "entries_next": (reverse("api:list_entries", args=[client.public_id]) + "?page=2"
                         + ("&medical=true" if medical else "") if count > PAGE_SIZE else None),
        "medical_hidden": 0 if medical else client.entries.filter(is_medical=True, deleted_at__isnull=True).count(),
        "consents": [_consent_out(c) for c in client.consents.select_related("substitute")],
    }


@router.put("/{uuid:client_id}/personal", response=dict)
def update_personal(request, client_id: uuid.UUID, payload: PersonalIn):
    _require_role(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    actions.update_personal_data(actor=request.user, client=client, personal=payload.personal(), now=timezone.now(),
                                 grant=grant)
    return {"id": str(client.public_id)}


# --- Entries -------------------------------------------------------------------------------


@router.get("/{uuid:client_id}/entries", response=EntryList)
def list_entries(request, client_id: uuid.UUID, page: int = 1, medical: bool = False):
    """The dossier's entries, newest first, 50 to a page (`page` from 1; past the end an empty
    page). Each page read is logged as a dossier read; medical entries only when asked for,
    and that read logged as such (PR-4)."""
    client = _read_dossier(request, client_id, medical)
    count, page, entries = _entry_page(client, medical=medical, page=page)
    return {"count": count, "page": page, "results": entries}


def _entry_for(request, client_id, entry_id, action, log_action):
    client, grant = access.get_client_for(request, client_id, action, log=False)
    entry = (DossierEntry.objects.filter(client=client, public_id=entry_id, deleted_at__isnull=True)
             .select_related("created_by").prefetch_related("versions__author", "attachments").first())
    if entry is None:
        access.deny(request.user, log_action, client_ref=client.public_id)
    return client, grant, entry


IDEMPOTENCY_KEY = P(alias="Idempotency-Key", max_length=255, description=(
    "Optional: a random value of your own (a UUID, say) that names this request. Send the same "
    "key again (a retry after a lost response) and no second entry is made: the answer is 200 "
    "with the entry the first request made, or 409 if this request's content differs from what "
    "the first request sent. Keys are per user and per client."))


class EntryConflict(Schema):
    """The `Idempotency-Key` was used before, by a request with other content than this one:
    nothing of this request was saved. Change the entry with PUT on it, or send the
    new entry with another key."""

    detail: str
    entry: uuid.UUID


@router.post("/{uuid:client_id}/entries", response={200: EntryOut, 201: EntryOut, 409: EntryConflict})
def add_entry(request, client_id: uuid.UUID, kind: Form[EntryKind], occurred_on: Form[datetime.date],
              title: Form[str] = "", text: Form[str] = "", source: Form[str] = "", is_medical: Form[bool] = False,
              justification: Form[str] = "", files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
              idempotency_key: HeaderEx[str, IDEMPOTENCY_KEY] = ""):
    """multipart/form-data: the fields, and attachments under `files`. All or nothing. 201 with
    the new entry; 200 with the earlier one when its `Idempotency-Key` is sent again; 409 naming
    the earlier one when the key is sent again with other content (which is not saved)."""
    _require_role(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    entry, outcome = actions.add_entry_once(
        idempotency_key=idempotency_key.strip(), actor=request.user, client=client, kind=kind, occurred_on=occurred_on,
        title=title, text=text, source=source, is_medical=is_medical, justification=justification,
        files=files or [], now=timezone.now(), grant=grant)
    if outcome is Once.CONFLICT:
        return Status(409, {"detail": "This Idempotency-Key was already used, with other content, for the entry "
                                      "named here. Nothing of this request was saved.",
                            "entry": entry.public_id})
    entry = DossierEntry.objects.select_related("created_by").prefetch_related("versions", "attachments").get(
        pk=entry.pk)
    return Status(201 if outcome is Once.CREATED else 200, _entry_out(entry))


@router.get("/{uuid:client_id}/entries/{uuid:entry_id}", response=EntryDetail)
def entry_detail(request, client_id: uuid.UUID, entry_id: uuid.UUID):
    """One entry with every version, author and time."""
    _require_role(request, Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
    client, grant, entry = _entry_for(request, client_id, entry_id, "dossier.read", "entry.read")
    access.log_access(client, grant, "entry.read_medical" if entry.is_medical else "entry.read", obj=entry)
    out = _entry_out(entry)
    out["versions"] = [{"number": v.number, "title": v.content.get("title", ""), "text": v.content.get("text", ""),
                        "reason": v.content.get("reason", ""), "author": v.author.full_name,
                        "created_at": v.created_at, "is_correction": v.is_correction}
                       for v in sorted(entry.versions.all(), key=lambda v: -v.number)]
    return out


class EntryEditIn(Schema):
    title: str = ""
    text: str = ""
    reason: str
    is_medical: bool | None = None
    justification: str = ""


@router.put("/{uuid:client_id}/entries/{uuid:entry_id}", response=dict)
def edit_entry(request, client_id: uuid.UUID, entry_id: uuid.UUID, payload: EntryEditIn):
    """A new version; every earlier version stays."""
    _require_role(request, Role.COACH)
    client, grant, entry = _entry_for(request, client_id, entry_id, "dossier.write", "entry.edit")
    if entry.kind == EntryKind.CLIENT_STATEMENT:
        access.deny(request.user, "entry.edit", client_ref=client.public_id, status=403)
    version = actions.edit_entry(actor=request.user, entry=entry, now=timezone.now(), grant=grant, **payload.dict())
    return {"id": str(entry.public_id), "version": version.number}


@router.post("/{uuid:client_id}/entries/{uuid:entry_id}/attachments", response={201: list[AttachmentOut]})
def add_attachments(request, client_id: uuid.UUID, entry_id: uuid.UUID,
                    files: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """multipart/form-data: files under `files`, added to an existing entry, all or nothing.
    Not to a client's own statement (403, GC-5.3)."""
    _require_role(request, Role.COACH)
    client, grant, entry = _entry_for(request, client_id, entry_id, "dossier.write", "attachment.add")
    if entry.kind == EntryKind.CLIENT_STATEMENT:
        access.deny(request.user, "attachment.add", client_ref=client.public_id, status=403)
    stored = actions.add_attachments(actor=request.user, entry=entry, files=files or [], now=timezone.now(),
                                     grant=grant)
    return Status(201, [{"id": a.public_id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
                        for a in stored])


@router.get("/{uuid:client_id}/attachments/{uuid:attachment_id}")
def download_attachment(request, client_id: uuid.UUID, attachment_id: uuid.UUID):
    _require_role(request, Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
    client, grant = access.get_client_for(request, client_id, "dossier.read", log=False)
    attachment = (Attachment.objects.filter(public_id=attachment_id, entry__client=client,
                                            entry__deleted_at__isnull=True).select_related("entry__client").first())
    if attachment is None:
        access.deny(request.user, "attachment.download", client_ref=client.public_id)
    access.log_access(client, grant, "attachment.download", obj=attachment)
    response = HttpResponse(actions.read_attachment(attachment), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.public_id}"'
    return response


# --- Trajectory: goals, sessions, activation, closing --------------------------------------


def _current_trajectory(client) -> Trajectory:
    trajectory = client.current_trajectory
    if trajectory is None:
        raise Http404
    return trajectory


class GoalIn(Schema):
    text: str
    reason: str = ""
    justification: str = ""


@router.post("/{uuid:client_id}/goals", response={201: dict})
def reformulate_goal(request, client_id: uuid.UUID, payload: GoalIn):
    """GC-7.1: a new wording of the goal; earlier ones stay."""
    _require_role(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    goal = actions.reformulate_goal(actor=request.user, trajectory=_current_trajectory(client), now=timezone.now(),
                                    grant=grant, **payload.dict())
    return Status(201, {"number": goal.number})


class CoachingSessionIn(Schema):
    date: datetime.date
    minutes: int
    mode: SessionMode


@router.post("/{uuid:client_id}/sessions", response={201: CoachingSessionOut})
def log_session(request, client_id: uuid.UUID, payload: CoachingSessionIn):
    _require_role(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    session = actions.log_session(actor=request.user, trajectory=_current_trajectory(client), now=timezone.now(),
                                  grant=grant, **payload.dict())
    return Status(201, {"id": session.public_id, "date": session.date, "minutes": session.minutes, "mode": session.mode})


def _trajectory(client, trajectory_id) -> Trajectory:
    trajectory = Trajectory.objects.filter(client=client, public_id=trajectory_id).select_related(
        "principal", "coach").first()
    if trajectory is None:
        raise Http404
    return trajectory


@router.post("/{uuid:client_id}/trajectories/{uuid:trajectory_id}/activate", response=TrajectoryOut)
def activate_trajectory(request, client_id: uuid.UUID, trajectory_id: uuid.UUID):
    """GC-7.1: refused (422) without a goal or question."""
    _require_role(request, Role.COACH, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "client.see", log=False)
    if grant.basis not in (access.C, access.S, access.M):
        access.deny(request.user, "trajectory.activate", client_ref=client.public_id, status=403)
    trajectory = _trajectory(client, trajectory_id)
    actions.activate_trajectory(actor=request.user, trajectory=trajectory, now=timezone.now(), grant=grant)
    return _trajectory_out(trajectory, content=False)


@router.post("/{uuid:client_id}/trajectories/{uuid:trajectory_id}/close", response=TrajectoryOut)
def close_trajectory(request, client_id: uuid.UUID, trajectory_id: uuid.UUID):
    _require_role(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    trajectory = _trajectory(client, trajectory_id)
    actions.close_trajectory(actor=request.user, trajectory=trajectory, now=timezone.now(), grant=grant)
    return _trajectory_out(trajectory, content=False)


class TermsIn(Schema):
    """The whole set of terms: a field left out is an error, never a silent clearing."""

    uwv_order_number: str
    approved_hours: Decimal | None
    agreement_date: datetime.date | None
    vulnerable: bool


class TermChangeOut(Schema):
    field: str
    old: str
    new: str
    author: str
    changed_at: datetime.datetime


class TermsOut(Schema):
    trajectory: TrajectoryOut
    changes: list[TermChangeOut]


@router.put("/{uuid:client_id}/trajectories/{uuid:trajectory_id}/terms", response=TermsOut)
def change_trajectory_terms(request, client_id: uuid.UUID, trajectory_id: uuid.UUID, payload: TermsIn):
    """Management changes a trajectory's terms after opening (GC-0.4, GC-1.6); every changed
    term is kept with its earlier value. 422 when nothing changes or the trajectory is closed."""
    _require_role(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    trajectory = _trajectory(client, trajectory_id)
    actions.change_trajectory_terms(actor=request.user, trajectory=trajectory, now=timezone.now(), grant=grant,
                                    **payload.dict())
    changes = trajectory.changes.select_related("author")
    return {"trajectory": _trajectory_out(trajectory, content=False),
            "changes": [{"field": c.field, "old": c.old, "new": c.new, "author": c.author.full_name,
                         "changed_at": c.changed_at} for c in changes]}


class ManagedTrajectoryOut(TrajectoryOut):
    """PR-7: a trajectory as management's client page shows it, without content."""

    uwv_order_number: str
    agreement_date: datetime.date | None
    retention_until: datetime.date | None
    goal_described: bool
    agreement_in_dossier: bool = Field(description="Whether the signed agreement is in the dossier (GC-0.4); "
                                                   "never the document.")
    changes: list[TermChangeOut]


def _managed_out(t: Trajectory) -> dict:
    in_dossier = t.has_agreement  # type: ignore[attr-defined]  # annotated by for_management()
    return {**_trajectory_out(t, content=True), "uwv_order_number": t.uwv_order_number,
            "agreement_date": t.agreement_date, "retention_until": t.retention_until,
            "goal_described": bool(t.goals.all()), "agreement_in_dossier": in_dossier,
            "changes": [{"field": c.field, "old": c.old, "new": c.new, "author": c.author.full_name,
                         "changed_at": c.changed_at} for c in t.changes.all()]}


@router.get("/{uuid:client_id}/trajectories", response=list[ManagedTrajectoryOut])
def list_trajectories(request, client_id: uuid.UUID):
    """Every trajectory of the client, newest first, as management's client page shows them
    (PR-7: no dossier content). Logged as the page logs it (`client.see`)."""
    _require_role(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log_action="client.see")
    return [_managed_out(t) for t in client.trajectories.for_management()]


@router.post("/{uuid:client_id}/trajectories", response={201: ManagedTrajectoryOut})
def open_trajectory(request, client_id: uuid.UUID, payload: TrajectoryIn):
    """Management opens a new trajectory for a registered client (a new assignment)."""
    _require_role(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    trajectory = actions.open_trajectory(actor=request.user, client=client, now=timezone.now(), **payload.opening())
    return Status(201, _managed_out(client.trajectories.for_management().get(pk=trajectory.pk)))


class AssignCoachIn(Schema):
    coach: uuid.UUID


@router.post("/{uuid:client_id}/trajectories/{uuid:trajectory_id}/coach", response=ManagedTrajectoryOut)
def assign_coach(request, client_id: uuid.UUID, trajectory_id: uuid.UUID, payload: AssignCoachIn):
    """Management assigns (another) coach to an open trajectory; 422 for a coach who may not
    take it on (registry, GC-0.3) or who already has it."""
    _require_role(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    trajectory = _trajectory(client, trajectory_id)
    actions.assign_coach(actor=request.user, trajectory=trajectory,
                         coach=_person(payload.coach, Role.COACH, "coach"), now=timezone.now())
    return _managed_out(client.trajectories.for_management().get(pk=trajectory.pk))


# --- Consents, referrals, break-glass ------------------------------------------------------


@router.post("/{uuid:client_id}/consents", response={201: ConsentOut})
def record_consent(request, client_id: uuid.UUID, kind: Form[ConsentKind], given_via: Form[ConsentChannel],
                   valid_from: Form[datetime.date], valid_until: Form[datetime.date | None] = None,
                   substitute: Form[uuid.UUID | None] = None, recipient: Form[str] = "", purpose: Form[str] = "",
                   data_scope: Form[str] = "", evidence: File[UploadedFile] = None):  # type: ignore[assignment]
    """multipart/form-data; the evidence document under `evidence` (GC-2.5: a substitute
    coach gets access only in the consented period)."""
    _require_role(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "consent.manage", log=False)
    substitute_user = _person(substitute, Role.COACH, "substitute") if substitute else None
    consent = actions.record_consent(actor=request.user, client=client, kind=kind, given_via=given_via,
                                     valid_from=valid_from, valid_until=valid_until, substitute=substitute_user,
                                     recipient=recipient, purpose=purpose, data_scope=data_scope, evidence=evidence,
                                     now=timezone.now(), grant=grant)
    return Status(201, _consent_out(consent))


@router.post("/{uuid:client_id}/consents/{uuid:consent_id}/withdraw", response=ConsentOut)
def withdraw_consent(request, client_id: uuid.UUID, consent_id: uuid.UUID):
    """Withdrawal ends the access it gave at once."""
    _require_role(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "consent.manage", log=False)
    consent = Consent.objects.filter(client=client, public_id=consent_id).select_related("substitute").first()
    if consent is None:
        access.deny(request.user, "consent.withdraw", client_ref=client.public_id)
    actions.withdraw_consent(actor=request.user, consent=consent, now=timezone.now(), grant=grant)
    return _consent_out(consent)


class ReferralIn(Schema):
    therapist: uuid.UUID


@router.post("/{uuid:client_id}/referrals", response={201: dict})
def refer(request, client_id: uuid.UUID, payload: ReferralIn):
    _require_role(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "referral.manage", log=False)
    therapist = _person(payload.therapist, Role.THERAPIST, "therapist")
    referral = actions.refer_to_therapist(actor=request.user, client=client, therapist=therapist,
                                          now=timezone.now(), grant=grant)
    return Status(201, {"id": str(referral.public_id)})


class BreakGlassIn(Schema):
    reference: str
    reason: str


@router.post("/break-glass", response={201: dict})
def break_glass(request, payload: BreakGlassIn):
    """Emergency access with a stated reason: logged as such, management told, the client
    sees it. Read only, for two hours."""
    _require_role(request, Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
    actions.check_break_glass_reason(payload.reason)  # first: a short reason must not tell which references exist
    client = Client.objects.alive().filter(reference=payload.reference.strip()).first()
    if client is None:
        access.deny(request.user, "break_glass.start")
    glass = actions.break_glass(actor=request.user, client=client, reason=payload.reason, now=timezone.now())
    return Status(201, {"client": str(client.public_id), "expires_at": glass.expires_at.isoformat()})
