"""Every audited change to principals, clients, trajectories, dossiers and consents.

Each action is one transaction that also writes its access-log entry; mail goes out only
after the commit. Actions take `actor=` and `now=`; they raise ValidationError (with a dict
of field errors where a field is to blame) and change nothing when the input is wrong.
"""

import datetime
import uuid
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier import audit, policy
from coachdossier.accounts import outbox
from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import Basis
from coachdossier.lib import idempotency
from coachdossier.lib.dates import format_date
from coachdossier.lib.idempotency import Once

from . import crypto, hooks, uploads, validation
from .emails import break_glass_used
from .models import (
    BREAK_GLASS_REASON_MAX_LENGTH,
    CHANGE_REASON_MAX_LENGTH,
    CONSENT_DETAIL_MAX_LENGTHS,
    ENTRY_TEXT_MAX_LENGTH,
    GOAL_TEXT_MAX_LENGTH,
    JUSTIFICATION_MAX_LENGTH,
    PRINCIPAL_ADDRESS_MAX_LENGTH,
    Attachment,
    BreakGlass,
    Client,
    ClientSearchToken,
    CoachingSession,
    Consent,
    ConsentChannel,
    ConsentKind,
    DossierEntry,
    EntryKind,
    EntryVersion,
    Goal,
    PersonalData,
    Principal,
    Referral,
    SealedJSON,
    TermField,
    Trajectory,
    TrajectoryChange,
    TrajectoryStatus,
)


def _raise(errors: dict):
    if errors:
        raise ValidationError(errors)


def too_long(limit: int) -> str:
    """The message for free text over its limit: a page's form stops it, the API reaches the action."""
    return _("This is too long: at most %(n)d characters.") % {"n": limit}


def _log(action, *, client=None, obj=None, basis=Basis.SYSTEM, ref="", role=""):
    audit.record(action=action, client=client, obj=obj, basis=basis, basis_ref=ref, role=role)


def _log_as(action, *, actor, grant, client, obj=None):
    """Log under the grant the caller checked; without one (a command, or a staff step such
    as registering a letter) the entry says the actor's roles and no relationship."""
    if grant is not None:
        return _log(action, client=client, obj=obj, basis=grant.basis, ref=grant.ref, role=grant.role)
    role = ",".join(sorted(actor.roles)) if actor is not None else ""
    return _log(action, client=client, obj=obj, basis=Basis.SYSTEM, role=role)


# --- Principals and clients ----------------------------------------------------------------


@transaction.atomic
def create_principal(*, actor, name, kind, contact_name="", contact_email="", contact_phone="", address="",
                     statutory_report_right=False) -> Principal:
    # PrincipalForm's checks for the API too: its columns are this long, and reports go to the contact's email.
    errors = {"name": _("This field is required.")} if not (name or "").strip() else {}
    errors.update(validation.length_errors(name=(name, 200), contact_name=(contact_name, 150),
                                           contact_phone=(contact_phone, 32),
                                           address=(address, PRINCIPAL_ADDRESS_MAX_LENGTH)))
    errors.update(validation.email_errors(contact_email=contact_email))
    _raise(errors)
    principal = Principal.objects.create(name=name, kind=kind, contact_name=contact_name,
                                         contact_email=contact_email, contact_phone=contact_phone,
                                         address=address, statutory_report_right=statutory_report_right)
    _log("principal.create", obj=principal, basis=Basis.MANAGEMENT, role=Role.MANAGEMENT)
    return principal


def validate_personal(personal: PersonalData, *, is_uwv: bool, today: datetime.date) -> PersonalData:
    """GC-9.1: exactly these fields, each checked; BSN and background only for UWV."""
    errors, cleaned = {}, PersonalData(**asdict(personal))
    for field, cleaner in (("bsn", validation.clean_bsn), ("postcode", validation.clean_postcode),
                           ("phone", validation.clean_phone)):
        try:
            setattr(cleaned, field, cleaner(getattr(personal, field)))
        except ValidationError as exc:
            errors[field] = exc.messages[0]
    if personal.birth_date:
        try:
            validation.clean_birth_date(personal.birth_date, today)
        except ValidationError as exc:
            errors["date_of_birth"] = exc.messages[0]
    # PersonalDataForm's limits and its EmailField, for the API too (invitations and notices go to the email).
    errors.update(validation.length_errors(
        first_name=(personal.first_name, 80), last_name=(personal.last_name, 120), street=(personal.street, 120),
        house_number=(personal.house_number, 12), city=(personal.city, 80), background=(personal.background, 1000)))
    errors.update(validation.email_errors(email=personal.email))
    if not personal.first_name.strip():
        errors["first_name"] = _("This field is required.")
    if not personal.last_name.strip():
        errors["last_name"] = _("This field is required.")
    errors.update(validation.check_uwv_only_fields(is_uwv=is_uwv, bsn=cleaned.bsn, background=cleaned.background))
    _raise(errors)
    return cleaned


def _index_name(client: Client, personal: PersonalData):
    ClientSearchToken.objects.filter(client=client).delete()
    ClientSearchToken.objects.bulk_create(
        [ClientSearchToken(client=client, token=t) for t in crypto.search_tokens(personal.first_name,
                                                                                 personal.last_name)]
    )


def _next_reference(today: datetime.date) -> str:
    prefix = f"{today.year}-"
    last = Client.objects.filter(reference__startswith=prefix).order_by("-reference").values_list(
        "reference", flat=True).first()
    number = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def register_client(*, actor, personal: PersonalData, principal: Principal | None = None, now) -> Client:
    """Management registers a client. The client gets a data key of their own, and their
    name is searchable only through keyed hashes."""
    today = timezone.localdate(now)
    personal = validate_personal(personal, is_uwv=bool(principal and principal.is_uwv), today=today)
    client = Client(public_id=uuid.uuid4(), reference=_next_reference(today), created_at=now, created_by=actor)
    crypto.KeyRing.create(client.public_id)
    client.seal_personal(personal)
    client.save()
    _index_name(client, personal)
    _log("client.register", client=client, obj=client, basis=Basis.MANAGEMENT, role=Role.MANAGEMENT)
    return client


@transaction.atomic
def update_personal_data(*, actor, client: Client, personal: PersonalData, now, grant=None,
                         action="client.personal_update") -> Client:
    trajectory = client.current_trajectory
    is_uwv = bool(trajectory and trajectory.principal.is_uwv)
    personal = validate_personal(personal, is_uwv=is_uwv, today=timezone.localdate(now))
    client.seal_personal(personal)
    client.save(update_fields=["name_sealed", "personal_sealed"])
    _index_name(client, personal)
    _log(action, client=client, obj=client, basis=getattr(grant, "basis", Basis.SYSTEM),
         ref=getattr(grant, "ref", ""), role=getattr(grant, "role", ""))
    return client


def rebuild_search_index(*, actor, now, batch_size: int = 500) -> int:
    """After COACHDOSSIER_SEARCH_KEY changed every stored token is stale and search finds
    nobody: recompute each living client's name tokens under the current key. Returns how
    many clients were re-indexed.

    One access-log entry for the run, written first: the system decrypts every name, shows
    none. Then one transaction per batch, each client's row locked while its tokens are
    replaced, so a rename committed meanwhile is indexed as renamed. Not one transaction
    overall: on SQLite it would hold the write lock, and every logged request with it, for
    the whole run, and there is nothing to keep consistent across clients (under the new key
    the old tokens find nobody anyway). An interrupted run leaves the rest as it was; running
    it again finishes it. Destroyed clients are skipped (their key is gone) and keep no
    tokens (GC-5.4).

    Lock order, as in every action that changes a client's rows (`destroy_client`,
    `update_personal_data`): the client's row first, then its tokens; taking them the other
    way round deadlocks with this on PostgreSQL."""
    audit.record(action="search_index.rebuild", object_type="search_index", basis=Basis.SYSTEM,
                 role=",".join(sorted(actor.roles)) if actor is not None else "", now=now)
    ClientSearchToken.objects.filter(client__destroyed_at__isnull=False).delete()
    done, after = 0, 0
    while True:
        try:
            with transaction.atomic():
                batch = list(Client.objects.alive().filter(pk__gt=after).order_by("pk").select_for_update()
                             .only("pk", "public_id", "name_sealed", "destroyed_at")[:batch_size])
                if not batch:
                    return done
                # The batch's client rows are locked (above) before their tokens (below).
                crypto.KeyRing.load(client.public_id for client in batch)
                tokens = [ClientSearchToken(client=client, token=token) for client in batch
                          for token in crypto.search_tokens(client.name.get("first_name", ""),
                                                            client.name.get("last_name", ""))]
                ClientSearchToken.objects.filter(client__in=batch).delete()
                ClientSearchToken.objects.bulk_create(tokens)
        finally:
            crypto.KeyRing.clear()  # no unwrapped key kept beyond its batch
        done += len(batch)
        after = batch[-1].pk


# --- Trajectories --------------------------------------------------------------------------


def assignment_refusal(coach: User, today: datetime.date) -> str | None:
    """Why `coach` may not be assigned a new client today, or None (GC-0.3, GC-4.4: the
    coach registry adds registration, fee and insurance checks)."""
    if not coach.is_active or not coach.has_role(Role.COACH):
        return _("This person is not an active coach.")
    return hooks.assignment_refusal(coach=coach, today=today)


ORDER_NUMBER_LENGTH = 40  # Trajectory.uwv_order_number's column


def _terms_errors(*, principal, uwv_order_number, approved_hours, agreement_date, today) -> dict:
    """What is wrong with a trajectory's terms, on opening and on every later change."""
    errors = {}
    if principal.is_uwv and not uwv_order_number:
        errors["uwv_order_number"] = _("A UWV trajectory needs the UWV order number.")
    if not principal.is_uwv and uwv_order_number:
        errors["uwv_order_number"] = _("Only a UWV trajectory has a UWV order number.")
    elif len(uwv_order_number) > ORDER_NUMBER_LENGTH:
        # The API takes any length; PostgreSQL would refuse the row with a 500.
        errors["uwv_order_number"] = _("The order number is too long (at most 40 characters).")
    if approved_hours is not None and approved_hours <= 0:
        errors["approved_hours"] = _("Approved hours must be more than zero.")
    elif approved_hours is not None and (approved_hours >= 10_000 or approved_hours != round(approved_hours, 1)):
        # The column holds 99999.9 at most, in tenths; the API would otherwise round silently.
        errors["approved_hours"] = _("Give the hours with at most one decimal, below 10,000.")
    # GC-0.4: the agreement date records an agreement already made, and an earlier one lets
    # earlier sessions through (`began_on`), so year 0001 for 2026 would admit year-1 sessions.
    if agreement_date and agreement_date > today:
        errors["agreement_date"] = _("The date cannot be in the future.")
    elif agreement_date and agreement_date < EARLIEST_ENTRY_DATE:
        errors["agreement_date"] = _("The date is before 1900; check the year.")
    return errors


@transaction.atomic
def open_trajectory(*, actor, client: Client, principal: Principal, coach: User, source: str, now,
                    uwv_order_number="", approved_hours=None, agreement_date=None, vulnerable=False,
                    goal_text="", goal_justification="") -> Trajectory:
    today = timezone.localdate(now)
    errors = {}
    refusal = assignment_refusal(coach, today)
    if refusal:
        errors["coach"] = refusal
    errors.update(_terms_errors(principal=principal, uwv_order_number=uwv_order_number,
                                approved_hours=approved_hours, agreement_date=agreement_date, today=today))
    if goal_text:
        errors.update(validation.require_justification(goal_text, goal_justification, "goal_text"))
    errors.update(validation.length_errors(goal_text=(goal_text, GOAL_TEXT_MAX_LENGTH),
                                           goal_justification=(goal_justification, JUSTIFICATION_MAX_LENGTH)))
    if client.trajectories.open().exists():
        errors["client"] = _("This client already has an open trajectory. Close it first.")
    _raise(errors)
    trajectory = Trajectory.objects.create(
        client=client, principal=principal, coach=coach, source=source, uwv_order_number=uwv_order_number,
        approved_hours=approved_hours, agreement_date=agreement_date, vulnerable=vulnerable, opened_on=today,
        created_at=now,
    )
    _log("trajectory.open", client=client, obj=trajectory, basis=Basis.MANAGEMENT, role=Role.MANAGEMENT)
    if goal_text:
        _add_goal(actor=actor, trajectory=trajectory, text=goal_text, reason="", justification=goal_justification,
                  now=now)
    hooks.trajectory_opened(trajectory=trajectory, actor=actor, now=now)
    return trajectory


def _add_goal(*, actor, trajectory, text, reason, justification, now) -> Goal:
    number = (trajectory.goals.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    goal = Goal(trajectory=trajectory, number=number, author=actor, created_at=now)
    goal.sealed = SealedJSON.seal(trajectory.client.public_id,
                                  {"text": text, "reason": reason, "justification": justification}, goal.aad())
    goal.save()
    return goal


@transaction.atomic
def reformulate_goal(*, actor, trajectory: Trajectory, text: str, reason: str = "", justification: str = "",
                     now, grant=None) -> Goal:
    """GC-7.1: a new version of the goal or question; earlier versions stay."""
    errors = {}
    if not (text or "").strip():
        errors["text"] = _("Describe the goal or question of the trajectory.")
    elif trajectory.goals.exists() and not (reason or "").strip():
        errors["reason"] = _("Say why the goal is reformulated.")
    if text:
        errors.update(validation.require_justification(text, justification))
    errors.update(validation.length_errors(text=(text, GOAL_TEXT_MAX_LENGTH), reason=(reason, CHANGE_REASON_MAX_LENGTH),
                                           justification=(justification, JUSTIFICATION_MAX_LENGTH)))
    if trajectory.status == TrajectoryStatus.CLOSED:
        errors["text"] = _("The trajectory is closed.")
    _raise(errors)
    goal = _add_goal(actor=actor, trajectory=trajectory, text=text.strip(), reason=reason, justification=justification,
                     now=now)
    _log_as("goal.write", actor=actor, grant=grant, client=trajectory.client, obj=trajectory)
    return goal


@transaction.atomic
def activate_trajectory(*, actor, trajectory: Trajectory, now, grant=None) -> Trajectory:
    """GC-7.1: no active trajectory without a clearly described goal or question."""
    if trajectory.status != TrajectoryStatus.INTAKE:
        raise ValidationError({"status": _("Only a trajectory in intake can become active.")})
    goal = trajectory.current_goal
    if goal is None or not goal.content.get("text", "").strip():
        raise ValidationError({"goal": _("A trajectory cannot become active without a goal or question (GC-7.1).")})
    trajectory.status = TrajectoryStatus.ACTIVE
    trajectory.activated_on = timezone.localdate(now)
    trajectory.save(update_fields=["status", "activated_on"])
    _log("trajectory.activate", client=trajectory.client, obj=trajectory,
         basis=getattr(grant, "basis", Basis.MANAGEMENT), role=getattr(grant, "role", Role.MANAGEMENT))
    return trajectory


@transaction.atomic
def close_trajectory(*, actor, trajectory: Trajectory, now, grant=None) -> Trajectory:
    """PR-8: closing starts the retention clock (default 5 years)."""
    if trajectory.status == TrajectoryStatus.CLOSED:
        raise ValidationError({"status": _("The trajectory is already closed.")})
    today = timezone.localdate(now)
    trajectory.status = TrajectoryStatus.CLOSED
    trajectory.closed_on = today
    years = policy.current().retention_years
    try:
        trajectory.retention_until = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        trajectory.retention_until = today.replace(year=today.year + years, day=28)
    trajectory.save(update_fields=["status", "closed_on", "retention_until"])
    _log("trajectory.close", client=trajectory.client, obj=trajectory,
         basis=getattr(grant, "basis", Basis.MANAGEMENT), role=getattr(grant, "role", Role.MANAGEMENT))
    return trajectory


@transaction.atomic
def assign_coach(*, actor, trajectory: Trajectory, coach: User, now) -> Trajectory:
    if trajectory.status == TrajectoryStatus.CLOSED:
        # The page offers no coach for a closed trajectory; a new coach would gain the closed
        # dossier (a trajectory's coach keeps access, GC-6.2).
        raise ValidationError({"coach": _("This trajectory is closed; its coach can no longer change.")})
    refusal = assignment_refusal(coach, timezone.localdate(now))
    if refusal:
        raise ValidationError({"coach": refusal})
    if coach.pk == trajectory.coach_id:
        raise ValidationError({"coach": _("%(name)s is already the coach of this trajectory.") % {
            "name": coach.full_name}})
    TrajectoryChange.objects.create(trajectory=trajectory, field=TermField.COACH, old=trajectory.coach.full_name,
                                    new=coach.full_name, author=actor, changed_at=now)
    trajectory.coach = coach
    trajectory.save(update_fields=["coach"])
    _log("trajectory.assign_coach", client=trajectory.client, obj=trajectory, basis=Basis.MANAGEMENT,
         role=Role.MANAGEMENT)
    return trajectory


TERMS = (TermField.UWV_ORDER_NUMBER, TermField.APPROVED_HOURS, TermField.AGREEMENT_DATE, TermField.VULNERABLE)


@transaction.atomic
def change_trajectory_terms(*, actor, trajectory: Trajectory, now, uwv_order_number: str, approved_hours,
                            agreement_date, vulnerable: bool, grant=None) -> list[TrajectoryChange]:
    """Management records a change in what was agreed after the trajectory was opened: the
    principal approved more hours, the order number was corrected, the agreement was signed
    (GC-0.4), the client's position turned out vulnerable (GC-1.6). Every changed term is
    kept with its old and new value, who and when; a closed trajectory's terms are final."""
    # Locked, so two managers saving at once each record the value the other left.
    given, trajectory = trajectory, Trajectory.objects.select_for_update().select_related(
        "principal", "client").get(pk=trajectory.pk)
    today = timezone.localdate(now)
    errors: dict[str, Any] = {}
    if trajectory.status == TrajectoryStatus.CLOSED:
        _raise({"__all__": _("This trajectory is closed; its terms can no longer change.")})
    errors.update(_terms_errors(principal=trajectory.principal, uwv_order_number=uwv_order_number,
                                approved_hours=approved_hours, agreement_date=agreement_date, today=today))
    # A later agreement date must not leave sessions before the trajectory began.
    began = min(d for d in (trajectory.opened_on, agreement_date) if d is not None)
    first = trajectory.sessions.order_by("date").values_list("date", flat=True).first()
    if "agreement_date" not in errors and first is not None and first < began:
        errors["agreement_date"] = _("A session on %(date)s was logged before this date; the agreement cannot "
                                     "be later than the first session.") % {"date": format_date(first)}
    wanted = {TermField.UWV_ORDER_NUMBER: uwv_order_number.strip(), TermField.APPROVED_HOURS: approved_hours,
              TermField.AGREEMENT_DATE: agreement_date, TermField.VULNERABLE: bool(vulnerable)}
    changed = {field.value: value for field, value in wanted.items()
               if TrajectoryChange.as_text(getattr(trajectory, field)) != TrajectoryChange.as_text(value)}
    if not errors and not changed:
        errors["__all__"] = _("Nothing was changed.")
    _raise(errors)
    rows = [TrajectoryChange(trajectory=trajectory, field=field, old=TrajectoryChange.as_text(getattr(trajectory, field)),
                             new=TrajectoryChange.as_text(value), author=actor, changed_at=now)
            for field, value in changed.items()]
    TrajectoryChange.objects.bulk_create(rows)
    for field, value in changed.items():
        setattr(trajectory, field, value)
        setattr(given, field, value)  # the caller's copy shows what was saved
    trajectory.save(update_fields=list(changed))
    _log("trajectory.terms", client=trajectory.client, obj=trajectory,
         basis=getattr(grant, "basis", Basis.MANAGEMENT), role=getattr(grant, "role", Role.MANAGEMENT))
    return rows


@transaction.atomic
def log_session(*, actor, trajectory: Trajectory, date, minutes: int, mode: str, now, grant=None) -> CoachingSession:
    errors = {}
    if date > timezone.localdate(now):
        errors["date"] = _("A session cannot be in the future.")
    elif date < (began := trajectory.began_on):
        errors["date"] = _("A session cannot be before the trajectory began (%(date)s); check the year.") % {
            "date": format_date(began, "DATE_FORMAT")}
    elif trajectory.closed_on and date > trajectory.closed_on:
        # Hours after the closing date were never part of the assignment (GC-0.4); a late
        # registration of the last session, on or before that date, still is.
        errors["date"] = _("A session cannot be after the trajectory was closed (%(date)s).") % {
            "date": format_date(trajectory.closed_on, "DATE_FORMAT")}
    if not (0 < minutes <= 600):
        errors["minutes"] = _("Enter a duration between 1 and 600 minutes.")
    _raise(errors)
    session = CoachingSession.objects.create(trajectory=trajectory, date=date, minutes=minutes, mode=mode,
                                             coach=actor, created_at=now)
    _log_as("session.log", actor=actor, grant=grant, client=trajectory.client, obj=session)
    return session


# --- Dossier entries -----------------------------------------------------------------------


def _store_attachment(*, entry: DossierEntry, upload) -> Attachment:
    data = upload.read()
    content_type = uploads.check_upload(data, upload.name)
    attachment = Attachment(public_id=uuid.uuid4(), entry=entry, content_type=content_type, size=len(data))
    client_ref = entry.client.public_id
    attachment.name_sealed = crypto.seal(client_ref, uploads.stored_name(upload.name), attachment.aad("name"))
    attachment.storage_name = f"{client_ref}/{attachment.public_id}.bin"
    sealed = crypto.seal(client_ref, data, attachment.aad("data"))
    stored = default_storage.save(attachment.storage_name, ContentFile(sealed))
    # If the transaction fails after this point, the file must not be left behind.
    transaction.on_commit(lambda: None)
    _remove_on_rollback(stored)
    attachment.storage_name = stored
    attachment.save()
    return attachment


def _remove_on_rollback(name: str):
    connection = transaction.get_connection()
    # Django has no on_rollback hook; keep a list on the connection and clean it in `atomic_files`.
    pending = connection.__dict__.setdefault("coachdossier_pending_files", [])
    pending.append(name)


class atomic_files:
    """Like transaction.atomic, but files stored inside are deleted if the block fails, so a
    failed save leaves no orphaned attachment on disk."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.connection = transaction.get_connection()
        self.before = list(self.connection.__dict__.get("coachdossier_pending_files", []))
        return self

    def __exit__(self, exc_type, exc, tb):
        result = self.atomic.__exit__(exc_type, exc, tb)
        pending = self.connection.__dict__.get("coachdossier_pending_files", [])
        new = pending[len(self.before):]
        if exc_type is not None:
            for name in new:
                default_storage.delete(name)
        if not self.connection.in_atomic_block:
            self.connection.__dict__["coachdossier_pending_files"] = []
        return result


def read_attachment(attachment: Attachment) -> bytes:
    with default_storage.open(attachment.storage_name, "rb") as fh:
        return crypto.open_sealed(attachment.entry.client.public_id, fh.read(), attachment.aad("data"))


# An entry may describe what happened long ago (a medical history, a diploma, an earlier
# employer), so the date has no floor of a year or ten; but nothing in a living client's dossier
# happened before 1900, and a year such as 0001 or 0026 is a typing error that later shows as
# "1-1-1" in lists and the report's entry picker.
EARLIEST_ENTRY_DATE = datetime.date(1900, 1, 1)


def _entry_errors(*, kind, text, title, justification, occurred_on, today, source) -> dict:
    errors = {}
    if kind not in EntryKind.values:
        errors["kind"] = _("Unknown entry type.")
    if not (text or "").strip() and not (title or "").strip():
        errors["text"] = _("Write something, or give the entry a title.")
    if occurred_on and occurred_on > today:
        errors["occurred_on"] = _("The date cannot be in the future.")
    elif occurred_on and occurred_on < EARLIEST_ENTRY_DATE:
        errors["occurred_on"] = _("The date is before 1900; check the year.")
    if kind == EntryKind.RECEIVED_DOCUMENT and not (source or "").strip():
        errors["source"] = _("Say where the document comes from (for example UWV).")
    errors.update(validation.require_justification(f"{title}\n{text}", justification))
    errors.update(validation.length_errors(title=(title, 200), source=(source, 120),  # EntryForm's limits
                                           text=(text, ENTRY_TEXT_MAX_LENGTH),
                                           justification=(justification, JUSTIFICATION_MAX_LENGTH)))
    return errors


def add_entry(*, actor, client: Client, kind: str, occurred_on, title: str = "", text: str = "",
              is_medical=False, source: str = "", justification: str = "", files=(), now, grant=None,
              trajectory=None, idempotency_key_sha256: str = "") -> DossierEntry:
    """A new dossier entry with its first version and attachments, all or nothing. (For a
    request that may arrive twice, `add_entry_once`.)"""
    today = timezone.localdate(now)
    if kind == EntryKind.CLIENT_STATEMENT and getattr(grant, "basis", None) != Basis.CLIENT:
        raise ValidationError({"kind": _("Only the client can add a client statement (GC-5.3).")})
    errors = _entry_errors(kind=kind, text=text, title=title, justification=justification,
                           occurred_on=occurred_on, today=today, source=source)
    if kind == EntryKind.AGREEMENT and not files:  # GC-0.4: the agreement is the signed document
        errors["files"] = _("Attach the signed agreement (a scan or PDF).")
    _raise(errors)
    screening = validation.screen_text(f"{title}\n{text}", known_identifiers=_known_names(client),
                                       others=_other_people(client))
    with atomic_files():
        entry = DossierEntry.objects.create(
            client=client, trajectory=trajectory or client.current_trajectory, kind=kind,
            occurred_on=occurred_on or today, is_medical=is_medical, created_by=actor, created_at=now,
            names_others=bool(screening["other_persons"]), special_category=bool(screening["special_categories"]),
            idempotency_key_sha256=idempotency_key_sha256,
        )
        _write_version(entry=entry, number=1, author=actor, now=now, content={
            "title": title, "text": text, "source": source, "justification": justification, "reason": ""})
        errors = {}
        for upload in files:
            try:
                _store_attachment(entry=entry, upload=upload)
            except ValidationError as exc:
                errors["files"] = f"{upload.name}: {exc.messages[0]}"
        _raise(errors)
        _log_as("entry.create", actor=actor, grant=grant, client=client, obj=entry)
    return entry


def add_entry_once(*, idempotency_key: str, actor, client: Client, now, grant=None,
                   **fields: Any) -> tuple[DossierEntry, Once]:
    """`add_entry` for a request that may arrive twice: a response lost on a flaky connection, a
    double click, the browser posting the form again, an API client retrying. The first call
    with `idempotency_key` creates the entry and keeps the key's hash with it (CREATED); the
    same user sending the same key for the same client again creates nothing and gets that
    entry back, logged as `dossier.write` on it (the coach worked in the dossier; nothing was
    added). The same key for another client, or from another user, is another request. Without
    a key: `add_entry`.

    A repeat whose content is not what the first request saved (the coach changed the still-open
    form after a first post that saved but never answered) is a CONFLICT rather than REPEATED,
    so the caller can say that the changes were not saved instead of dropping them without a
    word (GC-6.6). It is logged the same way and saves nothing else; the entry is compared
    decrypted, so no hash of content is ever kept. One transaction. Returns (entry, outcome)."""
    with atomic_files():
        if not idempotency_key:
            return add_entry(actor=actor, client=client, now=now, grant=grant, **fields), Once.CREATED
        digest = idempotency.key_digest(actor.pk, idempotency_key)
        entry = DossierEntry.objects.filter(client=client, idempotency_key_sha256=digest).first()
        if entry is None:
            try:
                return add_entry(actor=actor, client=client, now=now, grant=grant, idempotency_key_sha256=digest,
                                 **fields), Once.CREATED
            except IntegrityError:  # the same request, running at the same time, committed first
                entry = DossierEntry.objects.filter(client=client, idempotency_key_sha256=digest).first()
                if entry is None:
                    raise
        _log_as("dossier.write", actor=actor, grant=grant, client=client, obj=entry)
        return entry, Once.CONFLICT if _differs(entry, **fields) else Once.REPEATED


def _differs(entry: DossierEntry, *, kind=None, occurred_on=None, title="", text="", source="", justification="",
             is_medical=False, files=(), **ignored) -> bool:
    """Whether a repeated new-entry request says something other than the request that made
    `entry`: its first version (a later edit does not turn an exact retry into a conflict),
    its type, date, source and attachments (names and bytes), and its medical mark while no
    edit can have changed it."""
    content = entry.versions.get(number=1).content
    if ((kind is not None and kind != entry.kind) or (occurred_on is not None and occurred_on != entry.occurred_on)
            or (entry.version_count == 1 and bool(is_medical) != entry.is_medical)
            or any((value or "") != content.get(key, "") for key, value in
                   (("title", title), ("text", text), ("source", source), ("justification", justification)))):
        return True
    kept = list(entry.attachments.all())
    if sorted(a.size for a in kept) != sorted(f.size for f in files):
        return True
    return sorted((a.filename.encode(), read_attachment(a)) for a in kept) != sorted(
        (uploads.stored_name(f.name), _read_upload(f)) for f in files)


def _read_upload(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _known_names(client) -> list[str]:
    name = client.name
    return [name.get("first_name", ""), name.get("last_name", "")]


def _other_people(client) -> list[str]:
    """GC-5.2: people the system knows besides the client, whose names in a note count as
    other persons even where no name list has them: the practice's staff and the contact
    persons of the client's principals."""
    contacts = Principal.objects.filter(trajectories__client=client).values_list("contact_name", flat=True)
    return [*User.objects.staff().values_list("full_name", flat=True), *contacts]


def entry_notices(*, client, title: str, text: str, is_medical: bool) -> list[str]:
    """What the author should know about an entry just saved, said once, next to the saved
    entry: the other people it names (GC-5.2: only what the client gave, pseudonymised where
    possible) and health information in an entry not marked medical (PR-4: extra confidential,
    and a medical entry stays out of lists, search and reports). Screening is advice, never a
    refusal: the entry is saved either way."""
    screening = validation.screen_text(f"{title}\n{text}", known_identifiers=_known_names(client),
                                       others=_other_people(client))
    notices = []
    if screening["other_persons"]:
        notices.append(_(
            "This entry names other people: %(names)s. Keep only what the client told you about them, and "
            "write a role instead of a name where you can, such as the manager or a colleague (GC-5.2).")
            % {"names": ", ".join(screening["other_persons"])})
    if screening["health"] and not is_medical:
        notices.append(_(
            "This entry mentions health information but is not marked medical. Mark it medical (Change) so it "
            "stays out of lists, search and reports to the principal (PR-4)."))
    return notices


def _write_version(*, entry, number, author, now, content, is_correction=False) -> EntryVersion:
    version = EntryVersion(entry=entry, number=number, author=author, created_at=now, is_correction=is_correction)
    version.sealed = SealedJSON.seal(entry.client.public_id, content, version.aad())
    version.save()
    return version


@transaction.atomic
def edit_entry(*, actor, entry: DossierEntry, title: str, text: str, reason: str = "", justification: str = "",
               is_medical=None, now, grant=None, is_correction=False) -> EntryVersion:
    """Editing writes a new version; every earlier version stays with its author and time."""
    if entry.kind == EntryKind.CLIENT_STATEMENT and getattr(grant, "basis", None) != Basis.CLIENT:
        raise ValidationError({"text": _("A client statement can never be changed by staff (GC-5.3).")})
    current = entry.current
    errors = _entry_errors(kind=entry.kind, text=text, title=title, justification=justification,
                           occurred_on=None, today=timezone.localdate(now),
                           source=current.content.get("source", ""))
    if not (reason or "").strip():
        errors["reason"] = _("Say why the entry is changed; the earlier version stays visible.")
    errors.update(validation.length_errors(reason=(reason, CHANGE_REASON_MAX_LENGTH)))  # EntryEditForm's limit
    _raise(errors)
    version = _write_version(entry=entry, number=entry.version_count + 1, author=actor, now=now,
                             is_correction=is_correction, content={
                                 "title": title, "text": text, "source": current.content.get("source", ""),
                                 "justification": justification, "reason": reason})
    entry.version_count += 1
    screening = validation.screen_text(f"{title}\n{text}", known_identifiers=_known_names(entry.client),
                                       others=_other_people(entry.client))
    entry.names_others = bool(screening["other_persons"])
    entry.special_category = bool(screening["special_categories"])
    if is_medical is not None:
        entry.is_medical = is_medical
    entry.save(update_fields=["version_count", "names_others", "special_category", "is_medical"])
    _log_as("entry.correct" if is_correction else "entry.edit", actor=actor, grant=grant, client=entry.client,
            obj=entry)
    return version


def add_attachments(*, actor, entry: DossierEntry, files, now, grant=None) -> list[Attachment]:
    """Attachments added to an existing entry (the scan that came later, the letter's
    enclosure), all or nothing. Not to a client's own statement: that is hers (GC-5.3)."""
    if entry.kind == EntryKind.CLIENT_STATEMENT and getattr(grant, "basis", None) != Basis.CLIENT:
        raise ValidationError({"files": _("A client's own statement stays as she wrote it (GC-5.3).")})
    if not files:
        raise ValidationError({"files": _("Choose one or more files to attach.")})
    with atomic_files():
        stored, errors = [], {}
        for upload in files:
            try:
                stored.append(_store_attachment(entry=entry, upload=upload))
            except ValidationError as exc:
                errors["files"] = f"{upload.name}: {exc.messages[0]}"
        _raise(errors)
        _log_as("attachment.add", actor=actor, grant=grant, client=entry.client, obj=entry)
    return stored


# --- Consents, referrals, break-glass ------------------------------------------------------


CONSENT_START_AHEAD = datetime.timedelta(days=366)  # a consent for a planned leave next year
CONSENT_START_BACK = datetime.timedelta(days=5 * 365 + 2)  # one given on paper during the trajectory
CONSENT_LONGEST = datetime.timedelta(days=5 * 365 + 2)


def consent_period_errors(valid_from, valid_until, *, today) -> dict:
    """A consent's period must be one a client can oversee (GC-2.5, GC-6.4): a start within a
    year ahead and not before the trajectory could have begun, and at most five years long. A
    mistyped year (9999, 2062) would otherwise give a substitute or a recipient access for life."""
    errors = {}
    if valid_from and not today - CONSENT_START_BACK <= valid_from <= today + CONSENT_START_AHEAD:
        errors["valid_from"] = _("The start date must lie within a year from today and at most five years back.")
    if valid_from and valid_until and valid_until - valid_from > CONSENT_LONGEST:
        errors["valid_until"] = _("A consent runs for at most five years: give an earlier end date.")
    return errors


def record_consent(*, actor, client: Client, kind: str, given_via: str, valid_from, valid_until=None,
                   substitute: User | None = None, recipient: str = "", purpose: str = "", data_scope: str = "",
                   evidence=None, now, grant=None) -> Consent:
    """GC-2.5, GC-6.4, GC-6.8, GC-6.9: a consent with its scope, how it was given, and the
    evidence (a document, unless the client gave it in the portal themself)."""
    errors = {}
    if kind not in ConsentKind.values:
        errors["kind"] = _("Unknown type of consent.")
    if kind == ConsentKind.SUBSTITUTE:
        if substitute is None:
            errors["substitute"] = _("Name the substitute coach.")
        elif not substitute.has_role(Role.COACH) or not substitute.is_active:
            errors["substitute"] = _("The substitute must be an active coach.")
        elif client.trajectories.filter(coach=substitute).exists():
            errors["substitute"] = _("This coach is already the client's own coach.")
    if kind == ConsentKind.DISCLOSURE:
        if not recipient.strip():
            errors["recipient"] = _("Name the party that may receive the data.")
        if not purpose.strip():
            errors["purpose"] = _("Describe the purpose.")
        if not data_scope.strip():
            errors["data_scope"] = _("Describe which data may be shared.")
    # The consent forms' limits (CONSENT_DETAIL_MAX_LENGTHS), for the API too.
    errors.update(validation.length_errors(**{field: (value, CONSENT_DETAIL_MAX_LENGTHS[field]) for field, value in (
        ("recipient", recipient), ("purpose", purpose), ("data_scope", data_scope))}))
    if valid_until and valid_from and valid_until < valid_from:
        errors["valid_until"] = _("The end date lies before the start date.")
    errors.update(consent_period_errors(valid_from, valid_until, today=timezone.localdate(now)))
    if kind == ConsentKind.SUBSTITUTE and not valid_until:
        errors["valid_until"] = _("A substitute coach is consented for a period: give the end date.")
    if given_via != ConsentChannel.PORTAL and evidence is None:
        errors["evidence"] = _("Attach the evidence: the signed form, letter or email in which the client consented.")
    if given_via == ConsentChannel.PORTAL and getattr(grant, "basis", None) != Basis.CLIENT:
        errors["given_via"] = _("Only the client can give a consent in the portal.")
    _raise(errors)
    with atomic_files():
        consent = Consent(public_id=uuid.uuid4(), client=client, kind=kind, substitute=substitute,
                          valid_from=valid_from, valid_until=valid_until, given_via=given_via, recorded_by=actor,
                          recorded_at=now)
        consent.sealed = SealedJSON.seal(client.public_id, {"recipient": recipient, "purpose": purpose,
                                                            "data_scope": data_scope}, consent.aad())
        if evidence is not None:
            entry = DossierEntry.objects.create(client=client, trajectory=client.current_trajectory,
                                                kind=EntryKind.CORRESPONDENCE_IN, occurred_on=timezone.localdate(now),
                                                created_by=actor, created_at=now)
            # Which consent it proves, so two pieces of evidence on one day are told apart (GC-2.5, GC-6.4).
            whom = substitute.full_name if substitute else recipient.strip()
            title = _("Evidence of consent: %(kind)s") % {"kind": consent.get_kind_display()}
            _write_version(entry=entry, number=1, author=actor, now=now, content={
                "title": f"{title} ({whom})" if whom else title, "text": "", "source": "", "justification": "",
                "reason": ""})
            try:
                consent.evidence = _store_attachment(entry=entry, upload=evidence)
            except ValidationError as exc:
                raise ValidationError({"evidence": exc.messages[0]}) from exc
        consent.save()
        _log_as("consent.record", actor=actor, grant=grant, client=client, obj=consent)
    return consent


@transaction.atomic
def withdraw_consent(*, actor, consent: Consent, now, grant=None) -> Consent:
    """GC-1.3: withdrawal takes effect at once; a substitute loses access on the next request."""
    if consent.withdrawn_at:
        raise ValidationError({"consent": _("This consent was already withdrawn.")})
    consent.withdrawn_at = now
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _log_as("consent.withdraw", actor=actor, grant=grant, client=consent.client, obj=consent)
    return consent


@transaction.atomic
def refer_to_therapist(*, actor, client: Client, therapist: User, now, grant=None) -> Referral:
    if not therapist.has_role(Role.THERAPIST) or not therapist.is_active:
        raise ValidationError({"therapist": _("Choose an active biofeedback therapist.")})
    if Referral.objects.active().filter(client=client, therapist=therapist).exists():
        raise ValidationError({"therapist": _("This client is already referred to this therapist.")})
    referral = Referral.objects.create(client=client, therapist=therapist, referred_by=actor, created_at=now)
    _log_as("referral.create", actor=actor, grant=grant, client=client, obj=referral)
    return referral


@transaction.atomic
def end_referral(*, actor, referral: Referral, now, grant=None) -> Referral:
    referral.ended_at = now
    referral.save(update_fields=["ended_at"])
    _log_as("referral.end", actor=actor, grant=grant, client=referral.client, obj=referral)
    return referral


def check_break_glass_reason(reason: str) -> None:
    """The emergency reason's rules, checked before the reference is looked up (page and API),
    so that no answer tells a reference that exists from one that does not."""
    if len((reason or "").strip()) < 20:
        raise ValidationError({"reason": _("Describe the emergency in at least 20 characters.")})
    _raise(validation.length_errors(reason=(reason, BREAK_GLASS_REASON_MAX_LENGTH)))


def break_glass(*, actor, client: Client, reason: str, now) -> BreakGlass:
    """Emergency access: logged as such, management is notified (without content), and the
    client sees it in "who looked at my file"."""
    check_break_glass_reason(reason)
    if not actor.is_staff_member or actor.has_role(Role.AUDITOR) and not actor.has_role(Role.COACH, Role.MANAGEMENT):
        raise ValidationError({"reason": _("Your role cannot use emergency access.")})
    with transaction.atomic():
        glass = BreakGlass(public_id=uuid.uuid4(), client=client, user=actor, started_at=now,
                           expires_at=now + BreakGlass.WINDOW)
        glass.reason_sealed = crypto.seal(client.public_id, reason.strip().encode(), f"breakglass:{glass.public_id}")
        glass.save()
        _log("break_glass.start", client=client, obj=glass, basis=Basis.BREAK_GLASS, ref=str(glass.public_id),
             role=",".join(sorted(actor.roles)))
        transaction.on_commit(lambda: break_glass_used(glass_id=glass.pk))
    return glass


# --- Destruction (GC-5.4, PR-8) ------------------------------------------------------------


def destroy_client(*, actor, client: Client, now, reason: str) -> Client:
    """Remove all content of a client and destroy their data key. What remains is a
    tombstone: the reference, the dates and this log entry. Raises ValidationError (and
    changes nothing) while a legal duty to keep the data blocks it.

    The data key goes after the commit: should the process die in between, the content is
    already gone from the database, and `purge_orphan_keys` (run daily) removes the key."""
    with transaction.atomic():
        # Lock order: the client's row first, then its search tokens and every other row of
        # theirs, as `rebuild_search_index` and `update_personal_data` take them. Deleting the
        # tokens before locking the client (it was locked only by the UPDATE at the end) could
        # deadlock on PostgreSQL with a rebuild batch holding the client and waiting for them.
        # Checked under the lock: a destruction committed meanwhile is seen, not repeated.
        locked = Client.objects.select_for_update().only("pk", "destroyed_at").get(pk=client.pk)
        if locked.destroyed_at:
            raise ValidationError({"client": _("This dossier was already destroyed.")})
        blockers = hooks.destruction_blockers(client=client, today=timezone.localdate(now))
        if blockers:
            raise ValidationError({"client": blockers})
        addresses = mail_addresses(client)
        for fn in hooks.CLIENT_DESTROYED:
            fn(client=client, actor=actor, now=now)
        outbox.forget_client(client_ref=client.public_id, addresses=addresses)
        files = list(Attachment.objects.filter(entry__client=client).values_list("storage_name", flat=True))
        Consent.objects.filter(client=client).delete()
        DossierEntry.objects.filter(client=client).delete()
        for model in (BreakGlass, Referral, ClientSearchToken):
            model.objects.filter(client=client).delete()
        client.trajectories.all().delete()
        user = client.user
        if user is not None:
            user.email = f"destroyed-{client.public_id}@invalid"
            user.full_name = ""
            user.is_active = False
            user.set_unusable_password()
            user.save()
            from coachdossier.accounts.actions import end_sessions

            end_sessions(user)
        client.name_sealed = b""
        client.personal_sealed = b""
        client.destroyed_at = now
        client.save(update_fields=["name_sealed", "personal_sealed", "destroyed_at"])
        _log("client.destroy", client=client, obj=client, basis=Basis.SYSTEM if actor is None else Basis.MANAGEMENT,
             role=Role.MANAGEMENT if actor else "")
        ref = client.public_id
        transaction.on_commit(lambda: _after_destruction(ref, files))
    return client


def mail_addresses(client) -> list[str]:
    """The addresses the client's mail may have gone to (login and personal), read before
    their personal data is wiped, for `accounts.outbox.forget_client` (GC-5.4, PR-8)."""
    addresses = [client.user.email] if client.user_id else []
    try:
        addresses.append(client.personal.email)
    except crypto.KeyDestroyed:  # a copy restored after the key went (privacy.erasure.replay)
        pass
    return addresses


def forget_destroyed_address(*, mail, now):
    """accounts.outbox.OUTCOME_HOOKS: a mail linked to a destroyed client (only "your dossier was
    destroyed", queued in the destruction's transaction after forget_client) keeps their
    address until it went or was given up, not for the outbox's 30 days (GC-5.4)."""
    from coachdossier.accounts.models import MailStatus, OutgoingMail

    if mail.client_ref is None or mail.status == MailStatus.QUEUED or not mail.to:
        return
    if Client.objects.filter(public_id=mail.client_ref, destroyed_at__isnull=False).exists():
        OutgoingMail.objects.filter(pk=mail.pk).update(to=[])


def _after_destruction(client_ref, files):
    crypto.KeyRing.destroy(client_ref)
    for name in files:
        default_storage.delete(name)


def purge_orphan_keys() -> int:
    """Data keys of destroyed clients (or of clients never saved): remove them."""
    from .crypto import ClientKey

    alive = set(str(r) for r in Client.objects.filter(destroyed_at__isnull=True).values_list("public_id", flat=True))
    orphans = [k.client_ref for k in ClientKey.objects.all() if str(k.client_ref) not in alive]
    for ref in orphans:
        crypto.KeyRing.destroy(ref)
    return len(orphans)
