"""Privacy API: the coach registry, retention backlog, legal holds, signed checkpoints, the
registers (data breaches, confidentiality breaches, processors, UWV hand-overs), the security
report and the monthly log review. Thin: the same actions and access-log entries as the
pages; bad input is a 422 with the field errors (api/api.py)."""

import datetime
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from coachdossier.accounts.models import Role, User
from coachdossier.clients import access
from coachdossier.clients.models import Client

from . import actions, registry, views
from . import checkpoints as checkpoint_log
from .models import Checkpoint, CoachProfile, LegalGround, LegalHold, RegistrationStatus

router = Router(tags=["privacy"])


def _require(request, *roles):
    if not request.user.has_role(*roles):
        raise PermissionDenied


class ProfileIn(Schema):
    registration_status: RegistrationStatus
    registration_number: str = ""
    registered_on: datetime.date | None = None
    insurer: str = ""
    policy_number: str = ""
    insurance_expires_on: datetime.date | None = None
    qualifications: str = ""
    methods: str = ""


class Unavailable(Schema):
    """503: a part the operation needs is not ready yet (see Retry-After)."""

    detail: str


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
    updated_at: datetime.datetime = Field(description="When the registry entry last changed (GC-4.5).")
    good_standing: bool
    problems: list[str]


class RegistryOut(Schema):
    profiles: list[ProfileOut]
    coaches_not_in_registry: list[uuid.UUID]


class FeeIn(Schema):
    year: int
    paid_on: datetime.date


def _profile_out(profile: CoachProfile, today) -> dict:
    problems = [str(p) for p in profile.problems(today)]
    return {"id": profile.public_id, "coach_id": profile.coach.public_id, "coach_name": profile.coach.full_name,
            "registration_status": profile.registration_status, "registration_number": profile.registration_number,
            "registered_on": profile.registered_on, "insurer": profile.insurer, "policy_number": profile.policy_number,
            "insurance_expires_on": profile.insurance_expires_on, "fees_paid": [f.year for f in profile.fees.all()],
            "cv_updated_on": profile.cv_updated_on, "qualifications": profile.qualifications,
            "methods": profile.methods, "updated_at": profile.updated_at, "good_standing": not problems,
            "problems": problems}


@router.get("/registry", response=RegistryOut)
def registry_list(request):
    """GC-0.3, GC-4.4: every coach's standing (management)."""
    _require(request, Role.MANAGEMENT)
    today = timezone.localdate()
    profiles = CoachProfile.objects.select_related("coach").prefetch_related("fees")
    return {"profiles": [_profile_out(p, today) for p in profiles],
            "coaches_not_in_registry": [u.public_id for u in registry.coaches_without_profile()]}


@router.put("/registry/{coach_id}", response={200: ProfileOut})
def registry_save(request, coach_id: uuid.UUID, data: ProfileIn):
    _require(request, Role.MANAGEMENT)
    coach = get_object_or_404(User, public_id=coach_id, is_active=True)
    profile = actions.save_coach_profile(actor=request.user, coach=coach, now=timezone.now(), **data.dict())
    return _profile_out(CoachProfile.objects.prefetch_related("fees").get(pk=profile.pk), timezone.localdate())


@router.post("/registry/{coach_id}/fees", response={201: ProfileOut})
def fee_record(request, coach_id: uuid.UUID, data: FeeIn):
    _require(request, Role.MANAGEMENT)
    profile = get_object_or_404(CoachProfile.objects.select_related("coach"), coach__public_id=coach_id)
    actions.record_fee(actor=request.user, profile=profile, now=timezone.now(), **data.dict())
    profile = CoachProfile.objects.prefetch_related("fees").get(pk=profile.pk)
    return Status(201, _profile_out(profile, timezone.localdate()))


def _registry_profile(coach_id):
    return get_object_or_404(CoachProfile.objects.select_related("coach").prefetch_related("fees"),
                             coach__public_id=coach_id)


@router.post("/registry/{coach_id}/cv", response={200: ProfileOut})
def cv_upload(request, coach_id: uuid.UUID, cv: File[UploadedFile]):
    """multipart/form-data: the coach's CV under `cv`, replacing the one before (GC-4.5)."""
    _require(request, Role.MANAGEMENT)
    profile = _registry_profile(coach_id)
    actions.upload_cv(actor=request.user, profile=profile, upload=cv, now=timezone.now())
    return _profile_out(_registry_profile(coach_id), timezone.localdate())


@router.get("/registry/{coach_id}/cv")
def cv_download(request, coach_id: uuid.UUID):
    """The coach's CV as uploaded (404 when there is none)."""
    _require(request, Role.MANAGEMENT)
    return views.cv_file(_registry_profile(coach_id))


@router.get("/registry/{coach_id}/profile.pdf")
def profile_pdf(request, coach_id: uuid.UUID):
    """GC-4.5: the coach's profile (registration, insurance, qualifications, methods, when it was
    last updated) to share with a client or principal."""
    _require(request, Role.MANAGEMENT)
    return views.profile_pdf_file(_registry_profile(coach_id), language=request.LANGUAGE_CODE[:2])


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


@router.post("/clients/{client_id}/holds", response={201: HoldOut})
def hold_place(request, client_id: uuid.UUID, data: HoldIn):
    _require(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    hold = actions.place_legal_hold(actor=request.user, client=client, reason=data.reason, now=timezone.now(),
                                    grant=grant)
    return Status(201, _hold_out(hold))


@router.post("/clients/{client_id}/holds/{hold_id}/release", response={200: HoldOut})
def hold_release(request, client_id: uuid.UUID, hold_id: uuid.UUID):
    _require(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    hold = get_object_or_404(LegalHold, client=client, public_id=hold_id)
    actions.release_legal_hold(actor=request.user, hold=hold, now=timezone.now(), grant=grant)
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
    measures: str | None = None  # left out: the measures recorded so far stay
    decided_at: datetime.datetime | None = Field(None, description=(
        "When the decision was taken (AVG art. 33(5)). Left out: the notification's time for `notified`, else "
        "now; the same decision sent again keeps its time and who took it."))


class BreachOut(Schema):
    id: uuid.UUID
    discovered_at: datetime.datetime
    deadline: datetime.datetime = Field(description="The 72 hours from discovery (AVG art. 33(1)).")
    late: bool = Field(description=(
        "The decision was taken, or is still missing, after the deadline, or the authority was notified after it. "
        "A late `not_required` is late too."))
    title: str
    decision: str
    decided_at: datetime.datetime | None = Field(description="When the decision was taken; null while pending.")
    decided_by: str | None = Field(description="Who took the decision (the account's name).")
    authority_notified_at: datetime.datetime | None
    closed_at: datetime.datetime | None


def _breach_out(breach):
    from coachdossier import policy

    hours = policy.current().breach_notify_hours
    return {"id": breach.public_id, "discovered_at": breach.discovered_at, "deadline": breach.deadline(hours),
            "late": breach.is_late(timezone.now(), hours), "title": breach.title, "decision": breach.decision,
            "decided_at": breach.decided_at, "decided_by": breach.decided_by.full_name if breach.decided_by else None,
            "authority_notified_at": breach.authority_notified_at, "closed_at": breach.closed_at}


@router.get("/breaches", response=list[BreachOut])
def breaches(request):
    """LAW-33: the data-breach register with the 72-hour clock (management)."""
    from .models import DataBreach

    _require(request, Role.MANAGEMENT)
    return [_breach_out(b) for b in DataBreach.objects.select_related("decided_by")]


@router.post("/breaches", response={201: BreachOut})
def breach_record(request, data: BreachIn):
    _require(request, Role.MANAGEMENT)
    breach = actions.record_data_breach(actor=request.user, now=timezone.now(), **data.dict())
    return Status(201, _breach_out(breach))


@router.post("/breaches/{breach_id}/decision", response={200: BreachOut})
def breach_decide(request, breach_id: uuid.UUID, data: DecisionIn):
    from .models import DataBreach

    _require(request, Role.MANAGEMENT)
    breach = get_object_or_404(DataBreach, public_id=breach_id)
    actions.decide_data_breach(actor=request.user, breach=breach, decision=data.decision, reason=data.reason,
                               notified_at=data.authority_notified_at, reference=data.authority_reference,
                               measures=data.measures, decided_at=data.decided_at, now=timezone.now())
    return _breach_out(breach)


class BreachClientIn(Schema):
    reference: str
    notified_on: datetime.date | None = None


@router.post("/breaches/{breach_id}/clients", response={200: BreachOut})
def breach_client(request, breach_id: uuid.UUID, data: BreachClientIn):
    """AVG art. 34: a client affected by the breach (by reference), and when they were told."""
    from .models import DataBreach

    _require(request, Role.MANAGEMENT)
    breach = get_object_or_404(DataBreach, public_id=breach_id)
    client = (Client.objects.visible_to(request.user, "privacy.manage")
              .filter(reference__iexact=data.reference.strip()).first())
    if client is None:
        raise ValidationError({"reference": ["No dossier with this reference."]})
    client, grant = access.get_client_for(request, client.public_id, "privacy.manage")
    actions.add_breach_client(actor=request.user, breach=breach, client=client, grant=grant,
                              notified_on=data.notified_on, now=timezone.now())
    return _breach_out(breach)


@router.post("/breaches/{breach_id}/close", response={200: BreachOut})
def breach_close(request, breach_id: uuid.UUID):
    """422 while the decision on notifying the authority is pending."""
    from .models import DataBreach

    _require(request, Role.MANAGEMENT)
    breach = get_object_or_404(DataBreach, public_id=breach_id)
    actions.close_data_breach(actor=request.user, breach=breach, now=timezone.now())
    return _breach_out(breach)


class ConfidentialityIn(Schema):
    occurred_on: datetime.date
    legal_ground: LegalGround
    reason: str
    recipient: str
    shared: str
    client_informed: bool = False
    informed_on: datetime.date | None = None
    why_not_told: str = ""
    acute_danger: bool = False


class ConfidentialityOut(Schema):
    id: uuid.UUID
    occurred_on: datetime.date
    legal_ground: str
    client_informed: bool
    informed_on: datetime.date | None
    acute_danger: bool


@router.post("/clients/{client_id}/confidentiality-breaches", response={201: ConfidentialityOut})
def confidentiality_record(request, client_id: uuid.UUID, data: ConfidentialityIn):
    """GC-6.5: the coach records that secrecy was broken as a last resort: why, with whom,
    what, and whether the client was told (or why not). The register shows no content."""
    _require(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "dossier.write")
    item = actions.record_confidentiality_breach(actor=request.user, client=client, now=timezone.now(),
                                                 grant=grant, **data.dict())
    return Status(201, {"id": item.public_id, "occurred_on": item.occurred_on, "legal_ground": item.legal_ground,
                        "client_informed": item.client_informed, "informed_on": item.informed_on,
                        "acute_danger": item.acute_danger})


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
        "controller": inventory.controller(),
        "security_measures": [str(measure) for measure in inventory.security_measures()],
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


class ProcessorIn(Schema):
    name: str
    service: str
    agreement_reference: str
    agreement_date: datetime.date
    location: str


@router.post("/processors", response={201: dict})
def processor_add(request, data: ProcessorIn):
    """LAW-30: a processor and its processing agreement, for the processing register."""
    _require(request, Role.MANAGEMENT)
    processor = actions.add_processor(actor=request.user, now=timezone.now(), **data.dict())
    return Status(201, {"id": str(processor.public_id)})


class DpiaOut(Schema):
    id: uuid.UUID
    title: str
    version: str
    approved_on: datetime.date
    inventory_fingerprint: str
    outdated: bool = Field(description="The data inventory changed since this DPIA assessed it: review it.")
    uploaded_at: datetime.datetime


def _dpia_out(dpia, fingerprint):
    return {"id": dpia.public_id, "title": dpia.title, "version": dpia.version, "approved_on": dpia.approved_on,
            "inventory_fingerprint": dpia.inventory_fingerprint,
            "outdated": dpia.inventory_fingerprint != fingerprint, "uploaded_at": dpia.uploaded_at}


@router.get("/dpias", response=list[DpiaOut])
def dpias(request):
    """GC-9.5: every DPIA kept, newest first, with the data inventory it assessed."""
    from . import inventory
    from .models import Dpia

    _require(request, Role.MANAGEMENT, Role.AUDITOR)
    fingerprint = inventory.fingerprint()
    return [_dpia_out(d, fingerprint) for d in Dpia.objects.all()]


@router.post("/dpias", response={201: DpiaOut})
def dpia_upload(request, title: Form[str], version: Form[str], approved_on: Form[datetime.date],
                document: File[UploadedFile]):
    """multipart/form-data: keep a DPIA with the current data inventory's fingerprint (GC-9.5)."""
    from . import inventory

    _require(request, Role.MANAGEMENT)
    dpia = actions.upload_dpia(actor=request.user, title=title, version=version, approved_on=approved_on,
                               upload=document, now=timezone.now())
    return Status(201, _dpia_out(dpia, inventory.fingerprint()))


@router.get("/dpias/{dpia_id}/document")
def dpia_document(request, dpia_id: uuid.UUID):
    """The DPIA document as uploaded."""
    _require(request, Role.MANAGEMENT, Role.AUDITOR)
    return views.dpia_document(dpia_id)


# --- De-identified exports: supervision (GC-6.9), research and education (GC-6.8) -------------------


def _deid_waiting():
    """deduce is never built inside a request: start it in the background and ask to wait."""
    from django.http import JsonResponse

    from . import deid_service

    deid_service.ensure_warming()
    if deid_service.is_ready():
        return None
    response = JsonResponse({"detail": "The de-identification model is loading; try again in a minute."},
                            status=503)
    response["Retry-After"] = "60"
    return response


class SupervisionDraftIn(Schema):
    entries: list[uuid.UUID] = Field(description="The entries to discuss (never medical ones).")
    identifiable: bool = Field(False, description="Identifiable, with the client's supervision consent.")


class SupervisionDraftOut(Schema):
    summary: str = Field(description="Review and edit it, then send it to .../supervision/export.")
    identifiable: bool


class SupervisionExportIn(Schema):
    summary: str
    identifiable: bool = False


@router.post("/clients/{client_id}/supervision/summary", response={200: SupervisionDraftOut, 503: Unavailable})
def supervision_summary(request, client_id: uuid.UUID, data: SupervisionDraftIn):
    """GC-6.9: the case summary of the chosen entries for the coach to review: names, places,
    dates, numbers and every identifier the system knows replaced by tags."""
    from . import exports

    _require(request, Role.COACH)
    client, _grant = access.get_client_for(request, client_id, "dossier.write", log_action="supervision.view")
    wanted = set(data.entries)
    chosen = [e for e in exports.supervision_entries(client) if e.public_id in wanted]
    # Only de-identifying needs deduce: bad input is answered without waiting for it.
    if chosen and not data.identifiable and (waiting := _deid_waiting()) is not None:
        return waiting
    summary = exports.supervision_draft(client, chosen, identifiable=data.identifiable,
                                        today=timezone.localdate())
    return {"summary": summary, "identifiable": data.identifiable}


@router.post("/clients/{client_id}/supervision/export", response={200: None})
def supervision_export(request, client_id: uuid.UUID, data: SupervisionExportIn):
    """GC-6.9: the reviewed summary as a labelled text file, logged. 422 when an identifier the
    system knows was typed back, or identifiable use lacks the client's consent."""
    from django.http import HttpResponse

    from . import exports

    _require(request, Role.COACH)
    client, grant = access.get_client_for(request, client_id, "dossier.write", log_action="supervision.view")
    # No deduce needed: the check for identifiers typed back is the fast one.
    body = exports.supervision_export(client, grant, data.summary, identifiable=data.identifiable,
                                      today=timezone.localdate(), language=request.LANGUAGE_CODE[:2])
    response = HttpResponse(body.encode(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = views.supervision_filename(data.identifiable)
    return response


# --- Research and education (GC-6.8) ------------------------------------------------------------


class ResearchConsentOut(Schema):
    id: uuid.UUID
    valid_from: datetime.date
    valid_until: datetime.date | None
    umbrella_approved_on: datetime.date | None


class ResearchClientOut(Schema):
    client_id: uuid.UUID
    reference: str
    eligible: bool = Field(description="Both consents: the client's and the umbrella organisation's approval.")
    consents: list[ResearchConsentOut]


class ResearchOut(Schema):
    clients: list[ResearchClientOut]
    excluded: int = Field(description="Clients left out: not both consents.")


class ResearchExportIn(Schema):
    date_mode: Literal["month", "shift"] = Field(description="Dates coarsened to the month, or shifted per client.")
    fmt: Literal["csv", "json"]


@router.get("/research", response=ResearchOut)
def research(request):
    """GC-6.8: the clients a research dataset may hold (a coach: their own; management: the
    practice), with their research consents. Logged per client listed."""
    from . import exports

    _require(request, Role.COACH, Role.MANAGEMENT)
    rows = exports.research_candidates(request.user, timezone.localdate())
    access.log_list(request.user, "research.list", [r["client"] for r in rows])
    return {"excluded": sum(1 for r in rows if not r["eligible"]), "clients": [
        {"client_id": r["client"].public_id, "reference": r["client"].reference, "eligible": r["eligible"],
         "consents": [{"id": k.public_id, "valid_from": k.valid_from, "valid_until": k.valid_until,
                       "umbrella_approved_on": k.umbrella_approved_on} for k in r["consents"]]} for r in rows]}


@router.post("/research/export", response={200: None, 503: Unavailable})
def research_export(request, data: ResearchExportIn):
    """GC-6.8: the de-identified dataset (CSV or JSON, labelled pseudonymised) of the clients
    with both consents; the others are left out. Every exported client is logged. 503 with
    Retry-After while the de-identification model is still loading."""
    from django.http import HttpResponse

    from . import exports

    _require(request, Role.COACH, Role.MANAGEMENT)
    today = timezone.localdate()
    eligible = [r["client"] for r in exports.research_candidates(request.user, today) if r["eligible"]]
    if not eligible:
        raise ValidationError(str(exports.NOTHING_TO_EXPORT))
    if (waiting := _deid_waiting()) is not None:
        return waiting
    content, content_type, ext = exports.research_export(request.user, eligible, today=today,
                                                         date_mode=data.date_mode, fmt=data.fmt,
                                                         language=request.LANGUAGE_CODE[:2])
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="onderzoek-gepseudonimiseerd.{ext}"'
    return response


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


@router.post("/clients/{client_id}/handovers", response={201: HandoverOut})
def handover_create(request, client_id: uuid.UUID, data: HandoverIn):
    """PR-R4: make the hand-over package of a closed UWV trajectory (download it on the page)."""
    _require(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    trajectory = client.trajectories.filter(public_id=data.trajectory_id).select_related("principal").first()
    if trajectory is None:
        raise ValidationError({"trajectory_id": ["This trajectory does not belong to the client."]})
    item = actions.create_handover(actor=request.user, client=client, trajectory=trajectory, now=timezone.now(),
                                   grant=grant)
    return Status(201, _handover_out(item))


class ClosedUwvTrajectoryOut(Schema):
    client_id: uuid.UUID
    reference: str
    trajectory_id: uuid.UUID
    uwv_order_number: str
    closed_on: datetime.date | None
    handover: HandoverOut | None = Field(description="The latest package; null when none was made yet.")


@router.get("/handovers", response=list[ClosedUwvTrajectoryOut])
def handovers(request):
    """PR-R4: the closed UWV trajectories and whether their package was made and delivered."""
    from . import handover

    _require(request, Role.MANAGEMENT)
    rows = handover.closed_uwv_trajectories(request.user)
    access.log_list(request.user, "handover.list", [r["trajectory"].client for r in rows])
    return [{"client_id": r["trajectory"].client.public_id, "reference": r["trajectory"].client.reference,
             "trajectory_id": r["trajectory"].public_id, "uwv_order_number": r["trajectory"].uwv_order_number,
             "closed_on": r["trajectory"].closed_on,
             "handover": r["handover"] and _handover_out(r["handover"])} for r in rows]


@router.get("/clients/{client_id}/handovers", response=list[HandoverOut])
def handover_list(request, client_id: uuid.UUID):
    _require(request, Role.MANAGEMENT)
    client, _grant = access.get_client_for(request, client_id, "privacy.manage")
    return [_handover_out(h) for h in client.handovers.all()]


@router.get("/clients/{client_id}/handovers/{handover_id}/package")
def handover_package(request, client_id: uuid.UUID, handover_id: uuid.UUID):
    """The hand-over package (zip) for UWV. Logged."""
    _require(request, Role.MANAGEMENT)
    return views.handover_package(request, client_id, handover_id)


class DeliveryIn(Schema):
    delivered_on: datetime.date
    method: str
    recipient: str = ""


@router.post("/clients/{client_id}/handovers/{handover_id}/delivery", response={200: HandoverOut})
def handover_deliver(request, client_id: uuid.UUID, handover_id: uuid.UUID, data: DeliveryIn):
    """PR-R4: record how and when the package reached UWV."""
    _require(request, Role.MANAGEMENT)
    client, grant = access.get_client_for(request, client_id, "privacy.manage", log_action="handover.view")
    item = get_object_or_404(client.handovers.select_related("client"), public_id=handover_id)
    actions.record_handover_delivery(actor=request.user, item=item, now=timezone.now(), grant=grant,
                                     **data.dict())
    return _handover_out(item)


class BreakGlassUse(Schema):
    at: datetime.datetime
    user: str
    action: str


class PerUser(Schema):
    user: str
    count: int


class BulkReads(Schema):
    user: str
    day: datetime.date
    clients: int


class LogReviewOut(Schema):
    month: datetime.date
    entries: int
    bulk_threshold: int
    break_glass: list[BreakGlassUse]
    outside_caseload: list[PerUser] = Field(description="Access refused: clients outside the user's caseload.")
    odd_hours: list[PerUser] = Field(description="Reads in the evening, at night or in the weekend.")
    bulk: list[BulkReads] = Field(description=(
        "Days a user opened at least `bulk_threshold` different clients (a dossier, an entry, a download, a report). "
        "Names shown in a list or search result are logged but not counted."))
    exports: list[PerUser]


@router.get("/log-review", response={200: LogReviewOut})
def log_review(request, month: str = ""):
    """NEN 7513's monthly review of the access log (`month` as YYYY-MM, this month when left
    out): break-glass use, attempts outside the caseload, odd hours, bulk reads, exports."""
    from coachdossier import audit

    from . import report

    _require(request, Role.AUDITOR, Role.MANAGEMENT)
    first = timezone.localdate().replace(day=1)
    if month:
        try:
            first = datetime.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise ValidationError({"month": ["Give the month as YYYY-MM."]}) from None
        if not 1900 <= first.year <= 9998:
            raise ValidationError({"month": ["Choose a month between 1900 and 9998."]})
    audit.record(action="log_review.view", object_type="report", role=",".join(sorted(request.user.roles)))
    r = report.log_review(first)

    def per_user(rows):
        return [{"user": name, "count": count} for name, count in rows]

    return {"month": r["month"], "entries": r["entries"], "bulk_threshold": r["bulk_threshold"],
            "break_glass": [{"at": at, "user": name, "action": action} for at, name, action in r["break_glass"]],
            "outside_caseload": per_user(r["outside_caseload"]), "odd_hours": per_user(r["odd_hours"]),
            "bulk": [{"user": name, "day": day, "clients": n} for name, day, n in r["bulk"]],
            "exports": per_user(r["exports"])}


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
            "last_backup_verification": run(r["last_verify_run"]),
            "last_restore": run(r["last_restore"]), "last_access_log_verification": run(r["last_log_check"]),
            "confidentiality": r["confidentiality"],
            "registry": {**r["registry"], "not_in_good_standing": [
                {"coach": name, "problems": [str(p) for p in problems]}
                for name, problems in r["registry"]["not_in_good_standing"]]},
            "inactive_accounts": [name for name, _login in r["inactive"]], "open_breaches": r["open_breaches"],
            "late_breaches": r["late_breaches"], "late_breach_decisions": r["late_breach_decisions"],
            "overdue_destruction_requests": r["overdue_destruction_requests"],
            "retention_backlog": r["retention_backlog"], "retention_kept": r["retention_kept"]}
