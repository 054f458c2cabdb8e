"""Every audited change of the privacy app: the coach registry, legal holds, retention and
the daily job's steps. Keyword-only arguments, `actor` and `now` required, one transaction,
one audit row each."""

import datetime
import hashlib
import logging
import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from coachdossier import audit, policy
from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import Basis
from coachdossier.clients import uploads, validation
from coachdossier.clients.models import Client, SealedJSON, Trajectory, TrajectoryStatus

from . import emails, registry
from .models import CoachProfile, FeePayment, LegalHold, RegistrationStatus, RetentionNotice

log = logging.getLogger("coachdossier.privacy")


def _log(action, *, obj=None, client=None, actor=None, grant=None):
    audit.record(action=action, client=client, obj=obj,
                 basis=getattr(grant, "basis", Basis.MANAGEMENT if actor else Basis.SYSTEM),
                 basis_ref=getattr(grant, "ref", ""), role=getattr(grant, "role", Role.MANAGEMENT if actor else ""))


# --- Coach registry (GC-0.3, GC-4.4, GC-4.5) -----------------------------------------------

EARLIEST_REGISTRY_DATE = datetime.date(1900, 1, 1)
INSURANCE_MAX_YEARS_AHEAD = 10
PROFILE_FIELDS = ("registration_status", "registration_number", "registered_on", "insurer", "policy_number",
                  "insurance_expires_on", "qualifications", "methods")


@transaction.atomic
def save_coach_profile(*, actor, coach: User, now, **values) -> CoachProfile:
    """Create or update a coach's registry entry. A registered coach needs a registration
    date; an insurance needs insurer, policy and expiry together."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    errors = {}
    if not coach.has_role(Role.COACH):
        errors["coach"] = _("This person is not a coach.")
    status = values.get("registration_status", RegistrationStatus.PENDING)
    if status == RegistrationStatus.REGISTERED and not values.get("registered_on"):
        errors["registered_on"] = _("Enter the date of registration.")
    today = timezone.localdate(now)
    if values.get("registered_on") and values["registered_on"] > today:
        errors["registered_on"] = _("The registration date cannot be in the future.")
    # Year 0001 for 2026 was accepted. No working coach registered before 1900, and a liability
    # insurance is renewed within years, not decades: dates outside that are typing errors.
    for name in ("registered_on", "insurance_expires_on"):
        if values.get(name) and values[name] < EARLIEST_REGISTRY_DATE:
            errors[name] = _("The date is before 1900; check the year.")
    expires = values.get("insurance_expires_on")
    if expires and expires > datetime.date(today.year + INSURANCE_MAX_YEARS_AHEAD, 12, 31):
        errors["insurance_expires_on"] = _("The expiry date is more than ten years ahead; check the year.")
    insurance = [values.get(f) for f in ("insurer", "policy_number", "insurance_expires_on")]
    if any(insurance) and not all(insurance):
        for name, value in zip(("insurer", "policy_number", "insurance_expires_on"), insurance):
            if not value:
                errors[name] = _("Enter the insurer, the policy number and the expiry date together.")
    # CoachProfileForm's limits for the API too: the columns are this long.
    errors.update(validation.length_errors(**{name: (values.get(name), limit) for name, limit in (
        ("registration_number", 40), ("insurer", 120), ("policy_number", 60))}))
    if errors:
        raise ValidationError(errors)
    profile, created = CoachProfile.objects.get_or_create(coach=coach, defaults={"updated_at": now})
    for name, value in values.items():
        setattr(profile, name, value if value is not None else ("" if name not in (
            "registered_on", "insurance_expires_on") else None))
    profile.updated_at = now
    profile.save()
    _log("registry.create" if created else "registry.update", obj=profile, actor=actor)
    return profile


@transaction.atomic
def record_fee(*, actor, profile: CoachProfile, year: int, paid_on: datetime.date, now) -> FeePayment:
    today = timezone.localdate(now)
    errors = {}
    if not 2000 <= year <= today.year + 1:
        errors["year"] = _("Enter a year between 2000 and next year.")
    if paid_on > today:
        errors["paid_on"] = _("The payment date cannot be in the future.")
    if FeePayment.objects.filter(profile=profile, year=year).exists():
        errors["year"] = _("The fee for this year is already recorded.")
    if errors:
        raise ValidationError(errors)
    fee = FeePayment.objects.create(profile=profile, year=year, paid_on=paid_on)
    _log("registry.fee", obj=profile, actor=actor)
    return fee


def upload_cv(*, actor, profile: CoachProfile, upload, now) -> CoachProfile:
    """GC-4.5: the coach's CV, with the date of its last update. Not client content, so
    stored as it is (the attachments directory is never served directly)."""
    from coachdossier.clients.actions import atomic_files

    data = upload.read()
    try:
        uploads.check_upload(data, upload.name)
    except ValidationError as exc:
        raise ValidationError({"cv": exc.messages}) from None
    with atomic_files():
        old = profile.cv_storage_name
        name = default_storage.save(f"registry/{profile.public_id}/{uuid.uuid4()}.bin", ContentFile(data))
        from coachdossier.clients.actions import _remove_on_rollback

        _remove_on_rollback(name)
        profile.cv_storage_name, profile.cv_filename = name, upload.name[:200]
        profile.cv_updated_on = timezone.localdate(now)
        profile.updated_at = now
        profile.save()
        _log("registry.cv", obj=profile, actor=actor)
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))
    return profile


def read_cv(profile: CoachProfile) -> bytes:
    with default_storage.open(profile.cv_storage_name, "rb") as fh:
        return fh.read()


def send_insurance_reminders(*, now, dry_run=False) -> list[str]:
    """GC-4.4: remind the coach and management `REMINDER_DAYS` before the insurance expires,
    once per expiry date."""
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=registry.REMINDER_DAYS)
    due = (CoachProfile.objects.select_related("coach")
           .filter(insurance_expires_on__isnull=False, insurance_expires_on__lte=horizon,
                   insurance_expires_on__gte=today)
           .exclude(insurance_reminded_for=F("insurance_expires_on")))
    done = []
    for profile in due:
        done.append(f"insurance reminder: {profile.coach.full_name} (expires {profile.insurance_expires_on})")
        if dry_run:
            continue
        with transaction.atomic():
            CoachProfile.objects.filter(pk=profile.pk).update(insurance_reminded_for=profile.insurance_expires_on)
            _log("registry.reminder", obj=profile)
            transaction.on_commit(partial(emails.insurance_expiring, profile_id=profile.pk))
    return done


# --- Legal holds (GC-5.4) ------------------------------------------------------------------


@transaction.atomic
def place_legal_hold(*, actor, client: Client, reason: str, now, grant=None) -> LegalHold:
    """A legal duty to keep the dossier: destruction (on request or at the end of the
    retention term) waits until the hold is released."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the dossier must be kept (for example the court case).")})
    if errors := validation.length_errors(reason=(reason, 1000)):  # LegalHoldForm's limit
        raise ValidationError(errors)
    if client.destroyed_at:
        raise ValidationError({"client": _("This dossier was already destroyed.")})
    hold = LegalHold(public_id=uuid.uuid4(), client=client, placed_by=actor, placed_at=now)
    hold.reason_sealed = SealedJSON.seal(client.public_id, {"reason": reason}, hold.aad())
    hold.save()
    _log("legal_hold.place", obj=hold, client=client, actor=actor, grant=grant)
    return hold


@transaction.atomic
def release_legal_hold(*, actor, hold: LegalHold, now, grant=None) -> LegalHold:
    if hold.released_at:
        raise ValidationError({"hold": _("This hold was already released.")})
    hold.released_at, hold.released_by = now, actor
    hold.save(update_fields=["released_at", "released_by"])
    _log("legal_hold.release", obj=hold, client=hold.client, actor=actor, grant=grant)
    return hold


def legal_hold_blocker(*, client, today):
    """clients.hooks.DESTRUCTION_BLOCKERS: an active legal hold postpones destruction."""
    if LegalHold.objects.active().filter(client=client).exists():
        return _("A legal hold is active: the dossier must be kept until it is released.")
    return None


def delete_client_rows(*, client, actor, now):
    """clients.hooks.CLIENT_DESTROYED: this app's rows about the client go with it."""
    from .models import BreachNotice, ConfidentialityBreach, Handover

    ConfidentialityBreach.objects.filter(client=client).delete()
    BreachNotice.objects.filter(client=client).delete()
    LegalHold.objects.filter(client=client).delete()
    RetentionNotice.objects.filter(client=client).delete()
    files = list(Handover.objects.filter(client=client).values_list("storage_name", flat=True))
    Handover.objects.filter(client=client).delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


# --- Retention (PR-8) ----------------------------------------------------------------------


def retention_due_on(client: Client) -> datetime.date | None:
    """The day the dossier may be destroyed: the latest keep-until of its trajectories, once
    every trajectory is closed. None while a trajectory is open or none was ever closed."""
    trajectories = list(client.trajectories.all())
    if not trajectories or any(t.status != TrajectoryStatus.CLOSED or not t.retention_until for t in trajectories):
        return None
    return max(t.retention_until for t in trajectories)


def retention_backlog(today: datetime.date, *, within_days: int | None = None) -> list[dict]:
    """Dossiers whose retention term has ended (or ends within `within_days`), with the
    reasons that keep them: the management page and the daily job read the same list."""
    from coachdossier.clients import hooks

    horizon = today + datetime.timedelta(days=within_days or 0)
    candidate_ids = (Trajectory.objects.filter(client__destroyed_at__isnull=True, retention_until__lte=horizon)
                     .values_list("client_id", flat=True).distinct())
    clients = (Client.objects.filter(pk__in=list(candidate_ids)).prefetch_related("trajectories")
               .order_by("reference"))
    notices = {(n.client_id, n.due_on): n.notified_at for n in RetentionNotice.objects.filter(client__in=clients)}
    rows = []
    for client in clients:
        due = retention_due_on(client)
        if due is None or due > horizon:
            continue
        # Blockers are asked only when destruction is due: each app answers for its own rows.
        blockers = hooks.destruction_blockers(client=client, today=today) if due <= today else []
        rows.append({"client": client, "due_on": due, "overdue": due <= today, "blockers": blockers,
                     "notified_at": notices.get((client.pk, due))})
    return sorted(rows, key=lambda r: (r["due_on"], r["client"].reference))


def notify_retention(*, now, dry_run=False) -> list[str]:
    """PR-8: tell management `retention_notice_days` before a dossier is destroyed (once)."""
    today = timezone.localdate(now)
    rows = [r for r in retention_backlog(today, within_days=policy.current().retention_notice_days)
            if r["notified_at"] is None]
    done = [f"retention notice: {r['client'].reference} due {r['due_on']}" for r in rows]
    if dry_run or not rows:
        return done
    with transaction.atomic():
        for row in rows:
            notice = RetentionNotice.objects.create(client=row["client"], due_on=row["due_on"], notified_at=now)
            audit.record(action="retention.notice", client=row["client"], obj=notice, basis=Basis.SYSTEM)
        refs = [(r["client"].reference, r["due_on"]) for r in rows]
        transaction.on_commit(lambda: emails.retention_notice(items=refs))
    return done


def destroy_expired(*, now, dry_run=False) -> list[str]:
    """PR-8: destroy the dossiers whose retention term ended, exactly as a destruction
    request does. A dossier that was not announced to management in time waits for its
    notice period; one with a blocker (complaint, legal hold) waits, with the reason."""
    from coachdossier.clients.actions import destroy_client

    today = timezone.localdate(now)
    done = []
    for row in retention_backlog(today):
        client = row["client"]
        if row["blockers"]:
            done.append(f"postponed: {client.reference}: {'; '.join(str(b) for b in row['blockers'])}")
            continue
        # Management must have had the full notice period before anything is destroyed.
        notice = RetentionNotice.objects.filter(client=client, due_on=row["due_on"]).first()
        if notice is None or (today - timezone.localdate(notice.notified_at)).days < policy.current().retention_notice_days:
            done.append(f"waiting for the notice period: {client.reference}")
            continue
        done.append(f"destroy: {client.reference} (kept until {row['due_on']})")
        if dry_run:
            continue
        try:
            destroy_client(actor=None, client=client, now=now,
                           reason=f"retention term ended on {row['due_on'].isoformat()} (PR-8)")
        except ValidationError as exc:
            done[-1] = f"postponed: {client.reference}: {'; '.join(exc.messages)}"
    return done


# --- Hand-over to UWV (PR-R4) ----------------------------------------------------------------


def create_handover(*, actor, client: Client, trajectory: Trajectory, now, grant=None):
    """PR-R4: build and keep the hand-over package of a UWV trajectory that has ended."""
    from coachdossier.clients import crypto
    from coachdossier.clients.actions import _remove_on_rollback, atomic_files

    from . import handover
    from .models import Handover

    if trajectory.client_id != client.pk:
        raise ValidationError({"trajectory": _("This trajectory belongs to another client.")})
    if not trajectory.principal.is_uwv:
        raise ValidationError({"trajectory": _("Only a UWV trajectory is handed over to UWV.")})
    if trajectory.status != TrajectoryStatus.CLOSED:
        raise ValidationError({"trajectory": _("Close the trajectory first: the hand-over comes at its end.")})
    package, source, count = handover.build(client, trajectory, now=now)
    with atomic_files():
        item = Handover(public_id=uuid.uuid4(), client=client, trajectory=trajectory, created_by=actor,
                        created_at=now, sha256=hashlib.sha256(package).hexdigest(), file_count=count,
                        export_source=source)
        name = default_storage.save(f"{client.public_id}/handover-{item.public_id}.bin",
                                    ContentFile(crypto.seal(client.public_id, package, item.aad("zip"))))
        _remove_on_rollback(name)
        item.storage_name = name
        item.save()
        _log("handover.create", obj=item, client=client, actor=actor, grant=grant)
    return item


def read_handover(item) -> bytes:
    from coachdossier.clients import crypto

    with default_storage.open(item.storage_name, "rb") as fh:
        return crypto.open_sealed(item.client.public_id, fh.read(), item.aad("zip"))


@transaction.atomic
def record_handover_delivery(*, actor, item, delivered_on: datetime.date, method: str, recipient: str, now,
                             grant=None):
    """The package went to UWV: when, how and to whom (shown in the client's copy)."""
    errors = {}
    if item.delivered_at:
        errors["delivered_on"] = _("This package was already delivered.")
    if delivered_on > timezone.localdate(now):
        errors["delivered_on"] = _("The delivery date cannot be in the future.")
    if delivered_on < timezone.localdate(item.created_at):
        errors["delivered_on"] = _("The package cannot have been delivered before it was made.")
    if not (method or "").strip():
        errors["method"] = _("Say how the package was delivered (for example the UWV portal).")
    errors.update(validation.length_errors(method=(method, 200), recipient=(recipient, 200)))  # DeliveryForm's
    if errors:
        raise ValidationError(errors)
    item.delivered_at = timezone.make_aware(datetime.datetime.combine(delivered_on, datetime.time(12)))
    item.delivered_by = actor
    item.delivery_sealed = SealedJSON.seal(item.client.public_id, {"method": method.strip(),
                                                                   "recipient": (recipient or "").strip()},
                                           item.aad("delivery"))
    item.save(update_fields=["delivered_at", "delivered_by", "delivery_sealed"])
    _log("handover.deliver", obj=item, client=item.client, actor=actor, grant=grant)
    return item


# --- Confidentiality-breach register (GC-6.5) ------------------------------------------------


@transaction.atomic
def record_confidentiality_breach(*, actor, client: Client, occurred_on: datetime.date, legal_ground: str,
                                  reason: str, recipient: str, shared: str, client_informed: bool,
                                  informed_on: datetime.date | None = None, why_not_told: str = "",
                                  acute_danger: bool = False, now, grant=None):
    """GC-6.5: secrecy broken (danger, law, court): why, with whom, what, and whether the
    client was told, or why not."""
    from .models import ConfidentialityBreach, LegalGround

    today = timezone.localdate(now)
    errors = {}
    if legal_ground not in LegalGround.values:
        errors["legal_ground"] = _("Choose the legal ground: danger, a legal duty or a court order.")
    for name, value in (("reason", reason), ("recipient", recipient), ("shared", shared)):
        if not (value or "").strip():
            errors[name] = _("This is required.")
    errors.update(validation.length_errors(recipient=(recipient, 300)))  # ConfidentialityBreachForm's limit
    if occurred_on > today:
        errors["occurred_on"] = _("The date cannot be in the future.")
    if client_informed and not informed_on:
        errors["informed_on"] = _("Enter when the client was informed.")
    if client_informed and informed_on and informed_on > today:
        errors["informed_on"] = _("The date cannot be in the future.")
    if not client_informed and not (why_not_told or "").strip():
        errors["why_not_told"] = _("Say why the client was not (yet) informed.")
    if acute_danger and not (why_not_told or "").strip():
        errors["why_not_told"] = _("Describe the acute danger that telling the client would cause.")
    if errors:
        raise ValidationError(errors)
    item = ConfidentialityBreach(public_id=uuid.uuid4(), client=client, occurred_on=occurred_on,
                                 legal_ground=legal_ground, client_informed=client_informed,
                                 informed_on=informed_on if client_informed else None, acute_danger=acute_danger,
                                 recorded_by=actor, recorded_at=now)
    item.sealed = SealedJSON.seal(client.public_id, {"reason": reason.strip(), "recipient": recipient.strip(),
                                                     "shared": shared.strip(), "why_not_told": why_not_told.strip()},
                                  item.aad())
    item.save()
    _log("confidentiality_breach.record", obj=item, client=client, actor=actor, grant=grant)
    return item


# --- Data-breach register (LAW-33) -------------------------------------------------------------

BREACH_TEXT_FIELDS = ("title", "description", "data_affected", "people_affected", "measures")


@transaction.atomic
def record_data_breach(*, actor, discovered_at: datetime.datetime, title: str, description: str,
                       data_affected: str, people_affected: str, measures: str = "", now):
    from .models import DataBreach

    errors = {name: _("This is required.") for name, value in (
        ("title", title), ("description", description), ("data_affected", data_affected),
        ("people_affected", people_affected)) if not (value or "").strip()}
    if discovered_at > now:
        errors["discovered_at"] = _("The discovery cannot be in the future.")
    errors.update(validation.length_errors(title=(title, 200)))  # DataBreachForm's limit, the column's
    if errors:
        raise ValidationError(errors)
    breach = DataBreach.objects.create(discovered_at=discovered_at, title=title.strip(), description=description,
                                       data_affected=data_affected, people_affected=people_affected,
                                       measures=measures, recorded_by=actor, recorded_at=now)
    _log("data_breach.record", obj=breach, actor=actor)
    return breach


@transaction.atomic
def decide_data_breach(*, actor, breach, decision: str, reason: str = "", notified_at=None, reference: str = "",
                       measures: str | None = None, decided_at=None, now):
    """LAW-33: the decision on notifying the authority (within 72 hours of discovery), with when
    it was taken and by whom (AVG art. 33(5)). `decided_at` left out: the notification's time for
    a notification, else `now`; saving the same decision again keeps its time and who took it."""
    from .models import BreachDecision

    errors = {}
    if decision not in BreachDecision.values:
        errors["decision"] = _("Choose a decision.")
    if decision == BreachDecision.NOTIFIED and not notified_at:
        errors["authority_notified_at"] = _("Enter when the authority was notified.")
    if notified_at and (notified_at > now or notified_at < breach.discovered_at):
        errors["authority_notified_at"] = _("The notification lies between the discovery and now.")
    if decision == BreachDecision.NOT_REQUIRED and not (reason or "").strip():
        errors["decision_reason"] = _("Say why the authority need not be notified (AVG art. 33(1): no risk).")
    errors.update(validation.length_errors(authority_reference=(reference, 60)))  # the form's and column's limit
    if decision == BreachDecision.PENDING:
        decided_at, decided_by = None, None
    elif decided_at is None and decision == breach.decision and breach.decided_at:
        decided_at, decided_by = breach.decided_at, breach.decided_by
    else:
        decided_by = actor if decided_at != breach.decided_at or decision != breach.decision else breach.decided_by
        decided_at = decided_at or (notified_at if decision == BreachDecision.NOTIFIED and notified_at else now)
        if decided_at > now or decided_at < breach.discovered_at:
            errors["decided_at"] = _("The decision lies between the discovery and now.")
        elif decision == BreachDecision.NOTIFIED and notified_at and decided_at > notified_at:
            errors["decided_at"] = _("The decision to notify comes before the notification.")
    if errors:
        raise ValidationError(errors)
    breach.decision, breach.decision_reason = decision, reason or ""
    breach.authority_notified_at = notified_at if decision == BreachDecision.NOTIFIED else None
    breach.authority_reference = reference or ""
    breach.decided_at, breach.decided_by = decided_at, decided_by
    if measures is not None:
        breach.measures = measures
    breach.save()
    _log("data_breach.decide", obj=breach, actor=actor)
    return breach


@transaction.atomic
def add_breach_client(*, actor, breach, client: Client, notified_on: datetime.date | None, now, grant=None):
    """A client affected by the breach, and when they were told (AVG art. 34)."""
    from .models import BreachNotice

    if notified_on and notified_on > timezone.localdate(now):
        raise ValidationError({"notified_on": _("The date cannot be in the future.")})
    if notified_on and notified_on < timezone.localdate(breach.discovered_at):
        raise ValidationError({"notified_on": _("The client cannot have been told before the breach was "
                                                "discovered (%(date)s).") % {
            "date": formats.date_format(timezone.localdate(breach.discovered_at), "SHORT_DATE_FORMAT")}})
    notice, _created = BreachNotice.objects.update_or_create(breach=breach, client=client,
                                                             defaults={"notified_on": notified_on})
    _log("data_breach.client", obj=breach, client=client, actor=actor, grant=grant)
    return notice


@transaction.atomic
def close_data_breach(*, actor, breach, now):
    from .models import BreachDecision

    if breach.decision == BreachDecision.PENDING:
        raise ValidationError({"decision": _("Decide on notifying the authority before closing the breach.")})
    breach.closed_at = now
    breach.save(update_fields=["closed_at"])
    _log("data_breach.close", obj=breach, actor=actor)
    return breach


def send_breach_reminders(*, now, dry_run=False) -> list[str]:
    """LAW-33: management hears 24 hours after discovery, 12 hours before the 72-hour
    deadline, and once it has passed, while no decision is recorded (each stage once)."""
    from .models import BreachDecision, DataBreach

    hours = policy.current().breach_notify_hours
    done = []
    for breach in DataBreach.objects.open().filter(decision=BreachDecision.PENDING):
        deadline = breach.deadline(hours)
        stage = 3 if now > deadline else 2 if now >= deadline - datetime.timedelta(hours=12) else \
            1 if now >= breach.discovered_at + datetime.timedelta(hours=24) else 0
        if stage <= breach.reminded_stage:
            continue
        done.append(f"data breach reminder ({'overdue' if stage == 3 else 'deadline ' + deadline.isoformat()}): "
                    f"{breach.public_id}")
        if dry_run:
            continue
        with transaction.atomic():
            DataBreach.objects.filter(pk=breach.pk).update(reminded_stage=stage)
            transaction.on_commit(partial(emails.breach_deadline, breach_id=breach.pk, late=stage == 3))
    return done


# --- Processors and DPIA (LAW-30) ---------------------------------------------------------------


@transaction.atomic
def add_processor(*, actor, name, service, agreement_reference, agreement_date, location, now):
    from .models import Processor

    # ProcessorForm's checks for the API too: every field is required, and the columns are this long.
    values = {"name": name, "service": service, "agreement_reference": agreement_reference, "location": location}
    errors = {field: _("This is required.") for field, value in values.items() if not (value or "").strip()}
    errors.update(validation.length_errors(name=(name, 200), service=(service, 200),
                                           agreement_reference=(agreement_reference, 200), location=(location, 100)))
    if agreement_date > timezone.localdate(now):
        errors["agreement_date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    processor = Processor.objects.create(name=name, service=service, agreement_reference=agreement_reference,
                                         agreement_date=agreement_date, location=location, created_at=now)
    _log("processor.add", obj=processor, actor=actor)
    return processor


def upload_dpia(*, actor, title, version, approved_on, upload, now):
    """Keep the DPIA with the inventory fingerprint it assessed."""
    from coachdossier.clients.actions import _remove_on_rollback, atomic_files

    from . import inventory
    from .models import Dpia

    data = upload.read()
    errors = {}
    for name, value, limit in (("title", title, 200), ("version", version, 20)):  # Dpia's columns
        if not value.strip():
            errors[name] = _("This field is required.")
        elif len(value) > limit:
            errors[name] = _("Use at most %(limit)s characters.") % {"limit": limit}
    if approved_on > timezone.localdate(now):
        errors["approved_on"] = _("The date cannot be in the future.")
    try:
        uploads.check_upload(data, upload.name)
    except ValidationError as exc:
        errors["document"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with atomic_files():
        name = default_storage.save(f"dpia/{uuid.uuid4()}.bin", ContentFile(data))
        _remove_on_rollback(name)
        dpia = Dpia.objects.create(title=title, version=version, approved_on=approved_on, storage_name=name,
                                   filename=upload.name[:200], inventory_fingerprint=inventory.fingerprint(),
                                   uploaded_by=actor, uploaded_at=now)
        _log("dpia.upload", obj=dpia, actor=actor)
    return dpia


# --- Research consent: the umbrella organisation's approval (GC-6.8) ---------------------------


@transaction.atomic
def record_umbrella_approval(*, actor, consent, approved_on: datetime.date, now, grant=None):
    """GC-6.8: research or education needs the client's consent *and* the umbrella
    organisation's written approval; this records the second on the client's consent."""
    from coachdossier.clients.models import ConsentKind

    errors = {}
    if consent.kind != ConsentKind.RESEARCH:
        errors["consent"] = _("Only a research consent needs the umbrella organisation's approval.")
    if approved_on > timezone.localdate(now):
        errors["approved_on"] = _("The date cannot be in the future.")
    if consent.withdrawn_at:
        errors["consent"] = _("This consent was withdrawn.")
    if errors:
        raise ValidationError(errors)
    consent.umbrella_approved_on = approved_on
    consent.save(update_fields=["umbrella_approved_on"])
    _log("consent.umbrella_approval", obj=consent, client=consent.client, actor=actor, grant=grant)
    return consent


# --- Monthly access-log review (NEN 7513) -------------------------------------------------------


def announce_log_review(*, now, dry_run=False) -> list[str]:
    """From the first day of a month: tell management and the auditor that last month's log
    review is ready, with the number of flags (counts only, no names, no content)."""
    from . import report
    from .models import LogReviewNotice

    today = timezone.localdate(now)
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if LogReviewNotice.objects.filter(month=month).exists():
        return []
    review = report.log_review(month)
    flags = (len(review["break_glass"]) + sum(n for _name, n in review["outside_caseload"]) + len(review["bulk"])
             + sum(n for _name, n in review["odd_hours"]))
    line = f"log review {month:%Y-%m} ready: {flags} flag(s)"
    if dry_run:
        return [line]
    with transaction.atomic():
        LogReviewNotice.objects.create(month=month, sent_at=now, flags=flags)
        transaction.on_commit(lambda: emails.log_review_ready(month=month, flags=flags))
    return [line]


# --- Orphaned files ------------------------------------------------------------------------

ORPHAN_FILE_GRACE = datetime.timedelta(hours=1)


def _uuid_or_none(text: str):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def purge_orphan_files(*, now, dry_run=False) -> list[str]:
    """Remove stored files that no row refers to, left behind when a process died between
    storing a file and committing its row (an attachment saved, then SIGKILL), or between a
    destruction's commit and its file deletion. Files younger than ORPHAN_FILE_GRACE are
    left alone: their transaction may still be running. Only the client directories are
    swept: an attachment file (`<client>/<attachment>.bin`) without its Attachment row, and
    every file of a client that was destroyed or never committed (its key is gone, so the
    file is unreadable anyway, GC-5.4)."""
    from coachdossier.clients.models import Attachment

    try:
        folders, _files = default_storage.listdir("")
    except FileNotFoundError:
        return []
    client_refs = {ref for ref in map(_uuid_or_none, folders) if ref is not None}
    alive = set(Client.objects.filter(public_id__in=client_refs, destroyed_at__isnull=True)
                .values_list("public_id", flat=True))
    referenced = set(Attachment.objects.filter(entry__client__public_id__in=client_refs)
                     .values_list("storage_name", flat=True))
    removed = []
    for ref in sorted(client_refs):
        for name in default_storage.listdir(str(ref))[1]:
            path = f"{ref}/{name}"
            is_attachment_file = name.endswith(".bin") and _uuid_or_none(name[:-4]) is not None
            if ref in alive and (not is_attachment_file or path in referenced):
                continue
            if default_storage.get_modified_time(path) > now - ORPHAN_FILE_GRACE:
                continue
            removed.append(path)
            if not dry_run:
                default_storage.delete(path)
    if removed:
        log.warning("removed %d orphaned file(s)%s", len(removed), " (dry run)" if dry_run else "")
    return [f"{'would remove' if dry_run else 'removed'} {len(removed)} orphaned file(s)"] if removed else []
