"""Privacy API: the coach registry, retention backlog, legal holds and signed checkpoints.
Thin: the same actions as the pages; bad input is a 422 with field errors."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from coachdossier.accounts.models import Role, User
from coachdossier.clients import access

from . import actions, checkpoints as checkpoint_log, registry
from .models import Checkpoint, CoachProfile, LegalHold, RegistrationStatus

router = Router(tags=["privacy"])


def _require(request, *roles):
    if not request.user.has_role(*roles):
        raise PermissionDenied


def _errors(exc: ValidationError):
    return 422, {"detail": exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}}


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
    detail: dict


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
    return 201, _profile_out(CoachProfile.objects.prefetch_related("fees").get(pk=profile.pk), timezone.localdate())


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
    return 201, _hold_out(hold)


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
