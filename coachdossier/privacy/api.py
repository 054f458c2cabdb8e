"""Privacy API: the coach registry, retention backlog, legal holds and signed checkpoints.
Thin: the same actions as the pages; bad input is a 422 with field errors."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from coachdossier.accounts.models import Role, User
from coachdossier.clients import access

from . import actions, registry
from . import checkpoints as checkpoint_log
from .models import Checkpoint, CoachProfile, LegalHold, RegistrationStatus

router = Router(tags=["privacy"])


def _require(request, *roles):
    if not request.user.has_role(*roles):
        raise PermissionDenied


def _errors(exc: ValidationError):
    return Status(422, {"detail": exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}})


class ProfileIn(Schema):
    registration_status: RegistrationStatus
    registration_number: str = ""
    registered_on: datetime.date | None = None
    insurer: str = ""
    policy_number: str = ""
    insurance_expires_on: datetime.date | None = None
    qualifications: str = ""
    methods: str = ""


class ProfileOut(Schema):
    id: uuid.UUID
    coach_id: uuid.UUID
    coach_name: str
    registration_status: str
    registration_number: str
    registered_on: datetime.date | None
    insurer: str
    policy_number: str
    insurance_expires_on: datetime.date | None
    fees_paid: list[int]
    cv_updated_on: datetime.date | None
    qualifications: str
    methods: str
    good_standing: bool
    problems: list[str]


class RegistryOut(Schema):
    profiles: list[ProfileOut]
    coaches_not_in_registry: list[uuid.UUID]


class FeeIn(Schema):
    year: int
    paid_on: datetime.date


class Error(Schema):
    detail: dict | list  # field errors from an action; ninja's own validation errors are a list


def _profile_out(profile: CoachProfile, today) -> dict:
    problems = [str(p) for p in profile.problems(today)]
    return {"id": profile.public_id, "coach_id": profile.coach.public_id, "coach_name": profile.coach.full_name,
            "registration_status": profile.registration_status, "registration_number": profile.registration_number,
            "registered_on": profile.registered_on, "insurer": profile.insurer, "policy_number": profile.policy_number,
            "insurance_expires_on": profile.insurance_expires_on, "fees_paid": [f.year for f in profile.fees.all()],
            "cv_updated_on": profile.cv_updated_on, "qualifications": profile.qualifications,
            "methods": profile.methods, "good_standing": not problems, "problems": problems}


@router.get("/registry", response=RegistryOut)
def registry_list(request):
    """GC-0.3, GC-4.4: every coach's standing (management)."""
    _require(request, Role.MANAGEMENT)
    today = timezone.localdate()
    profiles = CoachProfile.objects.select_related("coach").prefetch_related("fees")
    return {"profiles": [_profile_out(p, today) for p in profiles],
            "coaches_not_in_registry": [u.public_id for u in registry.coaches_without_profile()]}


@router.put("/registry/{coach_id}", response={200: ProfileOut, 422: Error})
def registry_save(request, coach_id: uuid.UUID, data: ProfileIn):
    _require(request, Role.MANAGEMENT)
    coach = get_object_or_404(User, public_id=coach_id, is_active=True)
    try:
        profile = actions.save_coach_profile(actor=request.user, coach=coach, now=timezone.now(), **data.dict())
    except ValidationError as exc:
        return _errors(exc)
    return _profile_out(CoachProfile.objects.prefetch_related("fees").get(pk=profile.pk), timezone.localdate())


@router.post("/registry/{coach_id}/fees", response={201: ProfileOut, 422: Error})
def fee_record(request, coach_id: uuid.UUID, data: FeeIn):
    _require(request, Role.MANAGEMENT)
    profile = get_object_or_404(CoachProfile.objects.select_related("coach"), coach__public_id=coach_id)
    try:
        actions.record_fee(actor=request.user, profile=profile, now=timezone.now(), **data.dict())
    except ValidationError as exc:
        return _errors(exc)
    profile = CoachProfile.objects.prefetch_related("fees").get(pk=profile.pk)
    return Status(201, _profile_out(profile, timezone.localdate()))


class BacklogOut(Schema):
    client_id: uuid.UUID
    reference: str
    keep_until: datetime.date
    overdue: bool
    management_notified_at: datetime.datetime | None
    postponed_because: list[str]


@router.get("/retention", response=list[BacklogOut])
def retention(request):
    """PR-8: dossiers at or past the end of their retention term (references only)."""
    from coachdossier import policy

    _require(request, Role.MANAGEMENT)
    rows = actions.retention_backlog(timezone.localdate(), within_days=policy.current().retention_notice_days)
    access.log_list(request.user, "retention.list", [r["client"] for r in rows])
    return [{"client_id": r["client"].public_id, "reference": r["client"].reference, "keep_until": r["due_on"],
             "overdue": r["overdue"], "management_notified_at": r["notified_at"],
             "postponed_because": [str(b) for b in r["blockers"]]} for r in rows]


class HoldIn(Schema):
    reason: str


class HoldOut(Schema):
    id: uuid.UUID
    reason: str
    placed_at: datetime.datetime
    released_at: datetime.datetime | None


def _hold_out(hold):
    return {"id": hold.public_id, "reason": hold.reason, "placed_at": hold.placed_at, "released_at": hold.released_at}


@router.get("/clients/{client_id}/holds", response=list[HoldOut])
def holds(request, client_id: uuid.UUID):
    _require(request, Role.MANAGEMENT)
    client, _grant = access.get_client_for(request, client_id, "privacy.manage")
    return [_hold_out(h) for h in client.legal_holds.all()]


@router.post("/clients/{client_id}/holds", response={201: HoldOut, 422: Error})
def hold_place(request, client_id: uuid.UUID, data: HoldIn):
    _require(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    try:
        hold = actions.place_legal_hold(actor=request.user, client=client, reason=data.reason, now=timezone.now(),
                                        grant=grant)
    except ValidationError as exc:
        return _errors(exc)
    return Status(201, _hold_out(hold))


@router.post("/clients/{client_id}/holds/{hold_id}/release", response={200: HoldOut, 422: Error})
def hold_release(request, client_id: uuid.UUID, hold_id: uuid.UUID):
    _require(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    hold = get_object_or_404(LegalHold, client=client, public_id=hold_id)
    try:
        actions.release_legal_hold(actor=request.user, hold=hold, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        return _errors(exc)
    return _hold_out(hold)


@router.get("/checkpoints")
def checkpoints(request):
    """The signed access-log checkpoints with the public key (management, auditor)."""
    _require(request, Role.MANAGEMENT, Role.AUDITOR)
    return checkpoint_log.as_json(Checkpoint.objects.order_by("size", "at"))


# --- Registers ------------------------------------------------------------------------------------


class BreachIn(Schema):
    discovered_at: datetime.datetime
    title: str
    description: str
    data_affected: str
    people_affected: str
    measures: str = ""


class DecisionIn(Schema):
    decision: str
    reason: str = ""
    authority_notified_at: datetime.datetime | None = None
    authority_reference: str = ""


class BreachOut(Schema):
    id: uuid.UUID
    discovered_at: datetime.datetime
    deadline: datetime.datetime
    late: bool
    title: str
    decision: str
    authority_notified_at: datetime.datetime | None
    closed_at: datetime.datetime | None


def _breach_out(breach):
    from coachdossier import policy

    hours = policy.current().breach_notify_hours
    return {"id": breach.public_id, "discovered_at": breach.discovered_at, "deadline": breach.deadline(hours),
            "late": breach.is_late(timezone.now(), hours), "title": breach.title, "decision": breach.decision,
            "authority_notified_at": breach.authority_notified_at, "closed_at": breach.closed_at}


@router.get("/breaches", response=list[BreachOut])
def breaches(request):
    """LAW-33: the data-breach register with the 72-hour clock (management)."""
    from .models import DataBreach

    _require(request, Role.MANAGEMENT)
    return [_breach_out(b) for b in DataBreach.objects.all()]


@router.post("/breaches", response={201: BreachOut, 422: Error})
def breach_record(request, data: BreachIn):
    _require(request, Role.MANAGEMENT)
    try:
        breach = actions.record_data_breach(actor=request.user, now=timezone.now(), **data.dict())
    except ValidationError as exc:
        return _errors(exc)
    return Status(201, _breach_out(breach))


@router.post("/breaches/{breach_id}/decision", response={200: BreachOut, 422: Error})
def breach_decide(request, breach_id: uuid.UUID, data: DecisionIn):
    from .models import DataBreach

    _require(request, Role.MANAGEMENT)
    breach = get_object_or_404(DataBreach, public_id=breach_id)
    try:
        actions.decide_data_breach(actor=request.user, breach=breach, decision=data.decision, reason=data.reason,
                                   notified_at=data.authority_notified_at, reference=data.authority_reference,
                                   now=timezone.now())
    except ValidationError as exc:
        return _errors(exc)
    return _breach_out(breach)


@router.get("/confidentiality-breaches")
def confidentiality_breaches(request):
    """GC-6.5: the register without content (management)."""
    from .models import ConfidentialityBreach

    _require(request, Role.MANAGEMENT)
    return [{"id": str(c.public_id), "client_reference": c.client.reference, "occurred_on": c.occurred_on,
             "legal_ground": c.legal_ground, "client_informed": c.client_informed, "informed_on": c.informed_on,
             "acute_danger": c.acute_danger} for c in ConfidentialityBreach.objects.select_related("client")]


@router.get("/processing-register")
def processing_register(request):
    """LAW-30: the processing register generated from the data inventory (management, auditor)."""
    from . import inventory
    from .models import Dpia, Processor

    _require(request, Role.MANAGEMENT, Role.AUDITOR)
    dpia = Dpia.objects.first()
    return {
        "inventory_fingerprint": inventory.fingerprint(),
        "activities": [{"name": str(r["activity"].name), "purpose": str(r["activity"].purpose),
                        "legal_basis": str(r["activity"].legal_basis), "subjects": str(r["activity"].subjects),
                        "recipients": str(r["activity"].recipients), "retention": r["retention"],
                        "categories": [{"category": str(label), "fields": [{"field": f, "protection": p}
                                                                           for f, p in items]}
                                       for label, items in r["categories"]]} for r in inventory.register()],
        "processors": [{"name": p.name, "service": p.service, "agreement_reference": p.agreement_reference,
                        "agreement_date": p.agreement_date, "location": p.location} for p in Processor.objects.all()],
        "dpia": None if dpia is None else {"title": dpia.title, "version": dpia.version,
                                           "approved_on": dpia.approved_on,
                                           "inventory_fingerprint": dpia.inventory_fingerprint},
    }


# --- Hand-over and reports ----------------------------------------------------------------------------


class HandoverIn(Schema):
    trajectory_id: uuid.UUID


class HandoverOut(Schema):
    id: uuid.UUID
    created_at: datetime.datetime
    sha256: str
    files: int
    delivered_at: datetime.datetime | None


def _handover_out(item):
    return {"id": item.public_id, "created_at": item.created_at, "sha256": item.sha256, "files": item.file_count,
            "delivered_at": item.delivered_at}


@router.post("/clients/{client_id}/handovers", response={201: HandoverOut, 422: Error})
def handover_create(request, client_id: uuid.UUID, data: HandoverIn):
    """PR-R4: make the hand-over package of a closed UWV trajectory (download it on the page)."""
    _require(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    trajectory = client.trajectories.filter(public_id=data.trajectory_id).select_related("principal").first()
    if trajectory is None:
        return Status(422, {"detail": {"trajectory_id": ["This trajectory does not belong to the client."]}})
    try:
        item = actions.create_handover(actor=request.user, client=client, trajectory=trajectory, now=timezone.now(),
                                       grant=grant)
    except ValidationError as exc:
        return _errors(exc)
    return Status(201, _handover_out(item))


@router.get("/clients/{client_id}/handovers", response=list[HandoverOut])
def handover_list(request, client_id: uuid.UUID):
    _require(request, Role.MANAGEMENT)
    client, _grant = access.get_client_for(request, client_id, "privacy.manage")
    return [_handover_out(h) for h in client.handovers.all()]


@router.get("/security-report")
def security_report(request):
    """GC-6.6: the auditor's security report as data (no client content)."""
    from coachdossier import audit

    from . import report

    _require(request, Role.AUDITOR, Role.MANAGEMENT)
    audit.record(action="security_report.view", object_type="report", role=",".join(sorted(request.user.roles)))
    r = report.security_report(timezone.now())

    def run(item):
        return None if item is None else {"at": item.at, "ok": item.ok}

    return {"generated_at": r["generated_at"], "mfa": r["mfa"], "encryption": r["encryption"],
            "last_backup": run(r["last_backup"]), "last_verified_backup": run(r["last_verified"]),
            "last_access_log_verification": run(r["last_log_check"]),
            "inactive_accounts": [name for name, _login in r["inactive"]], "open_breaches": r["open_breaches"],
            "late_breaches": r["late_breaches"], "overdue_destruction_requests": r["overdue_destruction_requests"],
            "retention_backlog": r["retention_backlog"]}
