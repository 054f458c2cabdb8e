"""Every audited change of the privacy app: the coach registry, legal holds, retention and
the daily job's steps. Keyword-only arguments, `actor` and `now` required, one transaction,
one audit row each."""

import datetime
import hashlib
import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier import audit, policy
from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import Basis
from coachdossier.clients import uploads
from coachdossier.clients.models import Client, SealedJSON, Trajectory, TrajectoryStatus

from . import emails, registry
from .models import CoachProfile, FeePayment, LegalHold, RegistrationStatus, RetentionNotice

log = logging.getLogger("coachdossier.privacy")


def _log(action, *, obj=None, client=None, actor=None, grant=None):
    audit.record(action=action, client=client, obj=obj,
                 basis=getattr(grant, "basis", Basis.MANAGEMENT if actor else Basis.SYSTEM),
                 basis_ref=getattr(grant, "ref", ""), role=getattr(grant, "role", Role.MANAGEMENT if actor else ""))


# --- Coach registry (GC-0.3, GC-4.4, GC-4.5) -----------------------------------------------

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
    if values.get("registered_on") and values["registered_on"] > timezone.localdate(now):
        errors["registered_on"] = _("The registration date cannot be in the future.")
    insurance = [values.get(f) for f in ("insurer", "policy_number", "insurance_expires_on")]
    if any(insurance) and not all(insurance):
        for name, value in zip(("insurer", "policy_number", "insurance_expires_on"), insurance):
            if not value:
                errors[name] = _("Enter the insurer, the policy number and the expiry date together.")
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
            pk = profile.pk
            transaction.on_commit(lambda pk=pk: emails.insurance_expiring(profile_id=pk))
    return done


# --- Legal holds (GC-5.4) ------------------------------------------------------------------


@transaction.atomic
def place_legal_hold(*, actor, client: Client, reason: str, now, grant=None) -> LegalHold:
    """A legal duty to keep the dossier: destruction (on request or at the end of the
    retention term) waits until the hold is released."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the dossier must be kept (for example the court case).")})
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
    from .models import Handover

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
    rows = []
    for client in clients:
        due = retention_due_on(client)
        if due is None or due > horizon:
            continue
        blockers = hooks.destruction_blockers(client=client, today=today) if due <= today else []
        notice = RetentionNotice.objects.filter(client=client, due_on=due).first()
        rows.append({"client": client, "due_on": due, "overdue": due <= today, "blockers": blockers,
                     "notified_at": notice.notified_at if notice else None})
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
