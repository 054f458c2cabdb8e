"""Every audited change in the client portal: invitations, the client's requests (copy,
correction, destruction), statements, consents, messages and the communication agreement.

Actions take `actor=` and `now=`, run in one transaction with their access-log entry and
send mail only after the commit. Bad input raises ValidationError and changes nothing.
"""

import datetime
import logging
import uuid
from dataclasses import asdict, fields
from functools import partial

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier import audit, policy
from coachdossier.accounts import actions as account_actions
from coachdossier.accounts.models import Role, RoleGrant, User, default_language
from coachdossier.audit.models import Basis, Outcome
from coachdossier.clients import actions as client_actions
from coachdossier.clients import hooks
from coachdossier.clients.actions import atomic_files, too_long
from coachdossier.clients.models import (
    Client,
    Consent,
    ConsentChannel,
    ConsentKind,
    DossierEntry,
    EntryKind,
    PersonalData,
    SealedJSON,
)
from coachdossier.lib.idempotency import Once
from coachdossier.lib.workdays import WorkingCalendar

from . import emails
from .models import (
    CORRECTION_PROPOSED_MAX_LENGTH,
    CORRECTION_REASON_MAX_LENGTH,
    STATEMENT_TEXT_MAX_LENGTH,
    STATEMENT_TITLE_MAX_LENGTH,
    ClientRequest,
    CommunicationAgreement,
    ConsentProposal,
    Direction,
    EmailContent,
    Invitation,
    Message,
    RecipientNotice,
    RequestChannel,
    RequestEvent,
    RequestKind,
    RequestStatus,
    email_allowed,
)

security_log = logging.getLogger("coachdossier.security")

# Personal data a client may ask to have corrected (GC-9.1 fields; the name included).
CORRECTABLE_FIELDS = [f.name for f in fields(PersonalData)]
REMINDER_DAYS_BEFORE = 7
REPEAT_WINDOW = datetime.timedelta(minutes=10)  # a message sent again within this is the same message


def _raise(errors: dict):
    if errors:
        raise ValidationError(errors)


def _log(action, *, client=None, obj=None, grant=None, basis=None, role=""):
    audit.record(action=action, client=client, obj=obj, basis=basis or getattr(grant, "basis", Basis.SYSTEM),
                 basis_ref=getattr(grant, "ref", ""), role=getattr(grant, "role", role))


def calendar() -> WorkingCalendar:
    terms = policy.current()
    return WorkingCalendar(terms.holiday_policy, closures=terms.closure_days)


def deadline_for(kind: str, received_on: datetime.date) -> datetime.date:
    """AVG art. 12(3): one calendar month (WorkingCalendar.add_months, moved to the next
    working day under the Algemene termijnenwet policy); GC-5.4: destruction at the latest
    4 weeks after receipt (add_weeks, same extension)."""
    terms = policy.current()
    if kind == RequestKind.DESTRUCTION:
        return calendar().add_weeks(received_on, terms.destruction_weeks)
    return calendar().add_months(received_on, terms.request_months)


# --- Invitations ---------------------------------------------------------------------------


@transaction.atomic
def invite_client(*, actor, client: Client, now, grant=None, language: str | None = None) -> tuple[Invitation, str]:
    """A one-time link by email (a notice and the link, nothing of the dossier, GC-6.3).
    A new invitation revokes the earlier ones, so only the last link works. It is written in
    `language` (the site's, Dutch, unless the inviter chose another), which her account keeps."""
    language = language or default_language()
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language: choose Nederlands or English.")})
    email = client.personal.email
    if not email:
        raise ValidationError({"email": _("The client has no email address. Add it to the personal data first.")})
    if client.user is not None and client.user.is_active and client.user.has_usable_password():
        raise ValidationError({"client": _("The client already has a portal account.")})
    Invitation.objects.filter(client=client, accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        client=client, digest=Invitation.digest_of(token), invited_by=actor, created_at=now, language=language,
        expires_at=now + datetime.timedelta(days=policy.current().invitation_days))
    _log("portal.invite", client=client, obj=invitation, grant=grant)
    transaction.on_commit(lambda: emails.invitation(invitation_id=invitation.pk, token=token, to=email))
    return invitation, token


def invitation_for(token: str, now) -> Invitation | None:
    found = Invitation.objects.select_related("client", "client__user").filter(
        digest=Invitation.digest_of(token or "")).first()
    return found if found and found.is_usable(now) and not found.client.destroyed_at else None


def accept_invitation(*, token: str, password: str, now) -> User:
    """The client sets a password; their account is created (or re-activated) and linked to
    their record. An expired, revoked or used link changes nothing and is logged."""
    invitation = invitation_for(token, now)
    if invitation is None:
        security_log.warning("portal: unusable invitation link used")
        audit.record(action="portal.invitation_accept", outcome=Outcome.DENIED, basis=Basis.NONE)
        raise ValidationError({"token": _("This invitation link has expired or was already used. "
                                          "Ask your coach for a new one.")})
    client = invitation.client
    personal = client.personal
    user = client.user
    with transaction.atomic():
        if user is None:
            if User.objects.filter(email__iexact=personal.email).exists():
                raise ValidationError({"token": _("An account with this email address exists already. "
                                                  "Please contact the practice.")})
            user = User(email=personal.email.lower(), full_name=personal.full_name)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password1": exc.messages}) from exc
        if user.pk is None:
            user = account_actions.create_user(actor=None, email=user.email, full_name=user.full_name,
                                               roles=[Role.CLIENT], password=password)
            client.user = user
            client.save(update_fields=["user"])
        else:
            RoleGrant.objects.get_or_create(user=user, role=Role.CLIENT)
            user.is_active = True
            user.set_password(password)
        user.language = invitation.language  # as the inviter chose; she may change it with the switch
        user.save(update_fields=["is_active", "password", "language"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        audit.record(action="portal.invitation_accept", client=client, obj=invitation, basis=Basis.CLIENT,
                     role=Role.CLIENT)
    return user


# --- Requests ------------------------------------------------------------------------------


def _event(request: ClientRequest, *, actor, now, step: str, note: str = ""):
    event = RequestEvent(public_id=uuid.uuid4(), request=request, at=now, actor=actor, status=request.status,
                         step=step)
    if note:
        event.note_sealed = SealedJSON.seal(request.client.public_id, {"note": note}, event.aad())
    event.save()
    return event


def _correction_errors(client, *, entry, field, proposed, reason) -> dict:
    errors = {}
    if entry is None and not field:
        errors["field"] = _("Choose what should be corrected.")
    if entry is not None:
        if entry.client_id != client.pk or entry.deleted_at:
            errors["entry"] = _("This entry is not part of your dossier.")
        elif not entry.is_correctable:
            # GC-5.3: findings and conclusions are the coach's; the client may add a statement.
            errors["entry"] = _("Only facts can be corrected. This entry is your coach's finding or conclusion "
                                "(or another kind of entry); you can add your own statement to the dossier instead.")
    if field and field not in CORRECTABLE_FIELDS:
        errors["field"] = _("Unknown field.")
    if not (proposed or "").strip():
        errors["proposed"] = _("Write what it should say.")
    elif len(proposed.strip()) > CORRECTION_PROPOSED_MAX_LENGTH:
        errors["proposed"] = too_long(CORRECTION_PROPOSED_MAX_LENGTH)
    if not (reason or "").strip():
        errors["reason"] = _("Say why it is wrong or incomplete.")
    elif len(reason.strip()) > CORRECTION_REASON_MAX_LENGTH:
        errors["reason"] = too_long(CORRECTION_REASON_MAX_LENGTH)
    if not errors and _same_correction_open(client, entry=entry, field=field, proposed=proposed):
        errors["proposed"] = _("You already asked for this correction; your coach is handling it. You can follow "
                               "it under My requests.")
    return errors


def _same_correction_open(client, *, entry, field, proposed) -> bool:
    """A form sent twice (back and send again, a double tap) is one request, not two."""
    same_target = client.requests.open().filter(kind=RequestKind.CORRECTION, entry=entry)
    return any(r.details.get("field", "") == (field or "") and r.details.get("proposed") == proposed.strip()
               for r in same_target)


def file_request(*, actor, client: Client, kind: str, now, grant, channel: str = RequestChannel.PORTAL,
                 entry: DossierEntry | None = None, field: str = "", proposed: str = "", reason: str = "",
                 identity_check: str = "", received_on: datetime.date | None = None, scan=None) -> ClientRequest:
    """A tracked request with its receipt date and legal deadline. In the portal the client
    re-authenticated just before (the view requires it), which is the identity check; for a
    letter, staff record how they verified the identity and may attach the scan."""
    today = timezone.localdate(now)
    errors = {}
    is_client = getattr(grant, "basis", None) == Basis.CLIENT
    if kind not in RequestKind.values:
        errors["kind"] = _("Unknown type of request.")
    if channel == RequestChannel.LETTER:
        if is_client:
            errors["channel"] = _("Only staff register a request received by letter.")
        if not (identity_check or "").strip():
            errors["identity_check"] = _("Record how the identity of the sender was verified.")
        if received_on is None:
            errors["received_on"] = _("Give the date the letter was received.")
        elif received_on > today:
            errors["received_on"] = _("The date cannot be in the future.")
        elif received_on < today - datetime.timedelta(days=365):
            # A typing error (0026 for 2026): the deadline runs from this date.
            errors["received_on"] = _("The receipt date is more than a year ago; check the year.")
    elif not is_client:
        errors["channel"] = _("Only the client can file a request in the portal.")
    if kind == RequestKind.CORRECTION:
        errors.update(_correction_errors(client, entry=entry, field=field, proposed=proposed, reason=reason))
    if kind == RequestKind.DESTRUCTION and client.requests.open().filter(kind=RequestKind.DESTRUCTION).exists():
        errors["kind"] = _("A request to destroy this dossier is already being handled.")
    if kind == RequestKind.COPY and client.requests.open().filter(kind=RequestKind.COPY).exists():
        errors["kind"] = _("A copy is already being prepared; you will get an email when it is ready.")
    if errors:
        if "entry" in errors:
            audit.record(action="request.correction", client=client, obj=entry, outcome=Outcome.DENIED,
                         basis=getattr(grant, "basis", Basis.NONE), role=getattr(grant, "role", ""))
        raise ValidationError(errors)
    with atomic_files():
        return _file_request(actor=actor, client=client, kind=kind, now=now, grant=grant, channel=channel,
                             entry=entry, field=field, proposed=proposed, reason=reason, identity_check=identity_check,
                             received_on=received_on or today, scan=scan)


def _file_request(*, actor, client, kind, now, grant, channel, entry, field, proposed, reason, identity_check,
                  received_on, scan) -> ClientRequest:
    request = ClientRequest(public_id=uuid.uuid4(), client=client, kind=kind, channel=channel,
                            received_on=received_on, deadline=deadline_for(kind, received_on),
                            entry=entry if kind == RequestKind.CORRECTION else None, created_by=actor, created_at=now)
    identity = identity_check.strip() or _("Re-authenticated in the portal")
    request.set_details(field=field, proposed=proposed.strip(), reason=reason.strip(), identity_check=identity)
    request.save()
    _event(request, actor=actor, now=now, step="received")
    request.status = RequestStatus.IDENTITY_VERIFIED
    request.save(update_fields=["status"])
    _event(request, actor=actor, now=now, step="identity_verified", note=identity)
    if scan is not None:
        try:
            client_actions.add_entry(actor=actor, client=client, kind=EntryKind.CORRESPONDENCE_IN, occurred_on=received_on,
                                     title=_("Letter: %(kind)s") % {"kind": request.get_kind_display()}, files=[scan],
                                     now=now, grant=grant)
        except ValidationError as exc:
            raise ValidationError({"scan": exc.messages[0]}) from exc
    _log(f"request.{kind}", client=client, obj=request, grant=grant)
    if kind == RequestKind.COPY and channel != RequestChannel.LETTER and not _needs_review(client):
        # Nothing in the dossier concerns other people: the copy is released at once.
        _close(request, actor=actor, now=now, status=RequestStatus.DONE, step="released")
    else:
        transaction.on_commit(lambda: emails.request_received(request_id=request.pk))
    return request


@transaction.atomic
def withdraw_request(*, actor, request: ClientRequest, now, grant) -> ClientRequest:
    """GC-1.3: the client may change her mind while a request is open; above all a request to
    destroy the whole dossier, which cannot be undone once carried out. The request and its
    dates are kept, closed as withdrawn; its handlers are told."""
    if getattr(grant, "basis", None) != Basis.CLIENT or request.client.user_id != actor.pk:
        raise ValidationError({"status": _("Only the client can withdraw their own request.")})
    _require_open(request)
    _close(request, actor=actor, now=now, status=RequestStatus.WITHDRAWN, step="withdrawn")
    _log("request.withdraw", client=request.client, obj=request, grant=grant)
    transaction.on_commit(lambda: emails.request_withdrawn(request_id=request.pk))
    return request


def _needs_review(client) -> bool:
    """AVG art. 15(4): entries that name other people are reviewed by the coach before a
    copy is released, so that what concerns others can be withheld."""
    return client.entries.filter(deleted_at__isnull=True, names_others=True).exists()


def _close(request, *, actor, now, status, step, note=""):
    request.status = status
    request.closed_at = now
    request.closed_by = actor
    request.save()
    _event(request, actor=actor, now=now, step=step, note=note)


def _require_open(request):
    if not request.is_open:
        raise ValidationError({"status": _("This request has been handled already.")})


@transaction.atomic
def release_copy(*, actor, request: ClientRequest, now, grant, redact=(), reason: str = "") -> ClientRequest:
    """Release the copy, withholding the listed entries where they concern other people
    (AVG art. 15(4)); the redaction and its reason are recorded."""
    _require_open(request)
    if request.kind != RequestKind.COPY:
        raise ValidationError({"kind": _("Only a copy request can be released.")})
    redact = [str(r) for r in redact]
    # LAW-15: only what concerns other people may be withheld (the page offers nothing else).
    known = {str(p) for p in request.client.entries.filter(deleted_at__isnull=True, names_others=True)
             .values_list("public_id", flat=True)}
    if set(redact) - known:
        raise ValidationError({"redact": _("Choose entries of this dossier that concern other people.")})
    if redact and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why these entries are withheld.")})
    request.set_details(redacted=sorted(redact), redaction_reason=reason.strip())
    if redact:
        _event(request, actor=actor, now=now, step="redacted", note=reason.strip())
    _close(request, actor=actor, now=now, status=RequestStatus.DONE, step="released")
    _log("request.copy_release", client=request.client, obj=request, grant=grant)
    transaction.on_commit(lambda: emails.request_updated(request_id=request.pk))
    return request


def _disclosure_notices(request, *, actor=None, now=None, told=()):
    """AVG art. 19: one notice per recipient the data went to (disclosure consents; reports
    sent will join here). `told` lists consent public ids already told."""
    from .export import DISCLOSURE_SOURCES

    told = {str(t) for t in told}
    notices = []
    for consent in request.client.consents.filter(kind=ConsentKind.DISCLOSURE):
        notice = RecipientNotice(public_id=uuid.uuid4(), request=request, consent=consent)
        notice.recipient_sealed = SealedJSON.seal(request.client.public_id,
                                                  {"recipient": consent.details.get("recipient", "")}, notice.aad())
        if str(consent.public_id) in told:
            notice.told_at, notice.told_by = now, actor
        notices.append(notice)
    # Reports sent (and other disclosures later apps record) name their recipients too.
    for item in (d for fn in DISCLOSURE_SOURCES for d in fn(request.client)):
        notice = RecipientNotice(public_id=uuid.uuid4(), request=request)
        notice.recipient_sealed = SealedJSON.seal(request.client.public_id, {"recipient": item["recipient"]},
                                                  notice.aad())
        notices.append(notice)
    RecipientNotice.objects.bulk_create(notices)
    return notices


@transaction.atomic
def decide_correction(*, actor, request: ClientRequest, now, grant, accept: bool, reason: str = "",
                      title: str | None = None, text: str | None = None, value: str | None = None) -> ClientRequest:
    """GC-5.3: the coach accepts (a new version, the old one kept and marked) or refuses with
    a reason. The client is told either way."""
    _require_open(request)
    if request.kind != RequestKind.CORRECTION:
        raise ValidationError({"kind": _("This is not a correction request.")})
    client = request.client
    if not accept:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for refusing; the client will read it.")})
        request.set_details(decision_reason=reason.strip())
        _close(request, actor=actor, now=now, status=RequestStatus.REFUSED, step="refused", note=reason.strip())
    else:
        why = _("Correction at the client's request")
        entry = request.entry
        if entry is not None:
            current = entry.current.content
            client_actions.edit_entry(actor=actor, entry=entry, title=current.get("title", "") if title is None else title,
                                      text=request.details.get("proposed", "") if text is None else text,
                                      reason=f"{why}: {reason}".strip(": ") if reason else why, now=now, grant=grant,
                                      is_correction=True)
        else:
            field = request.details["field"]  # a correction of personal data always names its field
            personal = asdict(client.personal)
            personal[field] = request.details.get("proposed", "") if value is None else value
            try:
                client_actions.update_personal_data(actor=actor, client=client, personal=PersonalData(**personal),
                                                    now=now, grant=grant, action="client.personal_correct")
            except ValidationError as exc:
                raise ValidationError({"value": exc.messages}) from exc
        request.set_details(decision_reason=(reason or "").strip())
        _close(request, actor=actor, now=now, status=RequestStatus.DONE, step="corrected", note=(reason or "").strip())
        _disclosure_notices(request)
    _log("request.correction_decide", client=client, obj=request, grant=grant)
    transaction.on_commit(lambda: emails.request_updated(request_id=request.pk))
    return request


@transaction.atomic
def mark_recipients_told(*, actor, request: ClientRequest, notice_ids, now, grant) -> int:
    """AVG art. 19: record that these recipients were told of the correction."""
    notices = list(request.notices.filter(pk__in=[int(i) for i in notice_ids if str(i).isdigit()],
                                          told_at__isnull=True))
    for notice in notices:
        notice.told_at, notice.told_by = now, actor
        notice.save(update_fields=["told_at", "told_by"])
    if notices:
        _log("request.recipients_told", client=request.client, obj=request, grant=grant)
    return len(notices)


def execute_destruction(*, actor, request: ClientRequest, now, grant=None, told=()) -> ClientRequest:
    """GC-5.4, LAW-17: destroy the dossier through clients.actions.destroy_client. The
    request stays as a tombstone with its dates and who executed it. Where a legal duty to
    keep blocks it, the request is marked blocked with the reason and the client is told."""
    _require_open(request)
    if request.kind != RequestKind.DESTRUCTION:
        raise ValidationError({"kind": _("This is not a destruction request.")})
    client = request.client
    blockers = hooks.destruction_blockers(client=client, today=timezone.localdate(now))
    if blockers:
        with transaction.atomic():
            request.set_details(blocked_reason="; ".join(str(b) for b in blockers))
            _close(request, actor=actor, now=now, status=RequestStatus.BLOCKED, step="blocked",
                   note="; ".join(str(b) for b in blockers))
            _log("request.destruction_blocked", client=client, obj=request, grant=grant)
            transaction.on_commit(lambda: emails.request_updated(request_id=request.pk))
        return request
    address = client.personal.email if email_allowed(client) else ""
    with transaction.atomic():
        notices = _disclosure_notices(request, actor=actor, now=now, told=told)
        _event(request, actor=actor, now=now, step="recipients_listed")
        # Done before the destruction runs, in the same transaction (a refused destruction
        # undoes it): the hook below closes every request still open as "dossier destroyed",
        # and this one was not cut short, it was carried out.
        request.status, request.closed_at, request.closed_by = RequestStatus.DONE, now, actor
        request.save(update_fields=["status", "closed_at", "closed_by"])
        RequestEvent.objects.create(public_id=uuid.uuid4(), request=request, at=now, actor=actor,
                                    status=RequestStatus.DONE, step="destroyed")
        client_actions.destroy_client(actor=actor, client=client, now=now,
                                      reason=f"request {request.public_id}")
        # The hook below emptied every sealed field of the request; only dates and statuses stay.
        request.refresh_from_db()
        RecipientNotice.objects.filter(pk__in=[n.pk for n in notices]).update(recipient_sealed=b"")
        if address:
            # Into the outbox with this commit, sent after it (after forget_client has run).
            emails.destruction_done(to=address, client_ref=client.public_id)
    return request


def on_client_destroyed(*, client, actor, now):
    """CLIENT_DESTROYED hook: messages, invitations and the agreement go; requests stay as a
    tombstone without any sealed content (GC-5.4). A request still open (a copy or a
    correction, verified or not) can no longer be handled: it is closed as "dossier
    destroyed", with an event that has no note, so no to-do list or reminder keeps it.
    The destruction's own access-log entry covers it; nothing here writes content."""
    Message.objects.filter(client=client).delete()
    Invitation.objects.filter(client=client).delete()
    ConsentProposal.objects.filter(client=client).delete()
    CommunicationAgreement.objects.filter(client=client).delete()
    requests = ClientRequest.objects.filter(client=client)
    still_open = list(requests.open().values_list("pk", flat=True))
    if still_open:
        requests.filter(pk__in=still_open).update(status=RequestStatus.DOSSIER_DESTROYED, closed_at=now,
                                                  closed_by=actor)
        RequestEvent.objects.bulk_create(
            RequestEvent(public_id=uuid.uuid4(), request_id=pk, at=now, actor=actor,
                         status=RequestStatus.DOSSIER_DESTROYED, step="dossier_destroyed") for pk in still_open)
    requests.update(sealed=b"", entry=None)
    RequestEvent.objects.filter(request__client=client).update(note_sealed=b"")
    RecipientNotice.objects.filter(request__client=client).update(recipient_sealed=b"")


# --- Statements, consents, messages, communication -----------------------------------------


def add_statement(*, actor, client: Client, title: str, text: str, now, grant,
                  idempotency_key: str = "") -> tuple[DossierEntry, Once]:
    """GC-5.3: the client's own written view, an entry type staff can never edit. The form
    sent again with the same `idempotency_key` (a double tap, back and send) adds nothing;
    the outcome says so, as for `add_entry_once`."""
    if getattr(grant, "basis", None) != Basis.CLIENT:
        raise ValidationError({"text": _("Only the client can add a client statement (GC-5.3).")})
    errors = {}
    if len((title or "").strip()) > STATEMENT_TITLE_MAX_LENGTH:
        errors["title"] = too_long(STATEMENT_TITLE_MAX_LENGTH)
    if len((text or "").strip()) > STATEMENT_TEXT_MAX_LENGTH:
        errors["text"] = too_long(STATEMENT_TEXT_MAX_LENGTH)
    _raise(errors)
    return client_actions.add_entry_once(
        idempotency_key=idempotency_key, actor=actor, client=client, kind=EntryKind.CLIENT_STATEMENT,
        occurred_on=timezone.localdate(now), title=title, text=text, now=now, grant=grant)


@transaction.atomic
def withdraw_statement(*, actor, entry: DossierEntry, now, grant) -> DossierEntry:
    """GC-5.3: the client takes back a statement she added, as she may change her mind about a
    consent or a request (GC-1.3). The statement was in the dossier at her request, so at her
    request its words leave it: every version is emptied (author and time stay). The entry
    itself stays, marked withdrawn, so her coach sees that she withdrew it and when, and never
    again what it said. A report already sent keeps it as it was sent: a report quotes the entries
    it was sent with (its own sealed snapshot and PDF), and those went out before the withdrawal;
    a report not yet sent cannot go out quoting it (reports.actions.withdrawn_statement_refusal)."""
    entry = DossierEntry.objects.select_for_update().select_related("client").get(pk=entry.pk)
    if (getattr(grant, "basis", None) != Basis.CLIENT or entry.client.user_id != actor.pk
            or entry.kind != EntryKind.CLIENT_STATEMENT or entry.created_by_id != actor.pk or entry.deleted_at):
        raise ValidationError({"entry": _("You can only withdraw a statement you added yourself.")})
    if entry.withdrawn_at:
        raise ValidationError({"entry": _("You withdrew this statement already.")})
    entry.withdrawn_at = now
    # What the marks were about is gone with the words: a copy need not wait for the coach to
    # check other people's names in it (AVG art. 15(4)), nor is there a special category left.
    entry.names_others = entry.special_category = False
    entry.save(update_fields=["withdrawn_at", "names_others", "special_category"])
    entry.versions.update(sealed=b"")
    _log("entry.withdraw_statement", client=entry.client, obj=entry, grant=grant)
    return entry


def grant_consent(*, actor, client: Client, kind: str, now, grant, valid_from, valid_until=None, substitute=None,
                  recipient="", purpose="", data_scope="") -> Consent:
    """GC-1.3, GC-2.5, GC-6.4: the client gives a consent themself, in the portal."""
    if kind not in (ConsentKind.SUBSTITUTE, ConsentKind.DISCLOSURE):
        raise ValidationError({"kind": _("In the portal you can consent to a substitute coach or a disclosure.")})
    if valid_from and valid_from < timezone.localdate(now):
        # GC-6.4: given now, it cannot cover what already happened (decide_proposal starts it today too).
        raise ValidationError({"valid_from": _("A consent you give now starts today at the earliest.")})
    if kind == ConsentKind.SUBSTITUTE and substitute is not None and client.trajectories.filter(
            coach=substitute).exists():
        # Said to the client, where record_consent's message is written for staff.
        raise ValidationError({"substitute": _("This coach is already your own coach. Choose another coach to "
                                               "stand in for your coach.")})
    return client_actions.record_consent(actor=actor, client=client, kind=kind, given_via=ConsentChannel.PORTAL,
                                         valid_from=valid_from, valid_until=valid_until, substitute=substitute,
                                         recipient=recipient, purpose=purpose, data_scope=data_scope, now=now,
                                         grant=grant)


def withdraw_own_consent(*, actor, consent: Consent, now, grant) -> Consent:
    """GC-1.3: the client withdraws at once; access based on it ends with the next request."""
    if consent.client.user_id != actor.pk or getattr(grant, "basis", None) != Basis.CLIENT:
        raise ValidationError({"consent": _("This is not your consent.")})
    return client_actions.withdraw_consent(actor=actor, consent=consent, now=now, grant=grant)


@transaction.atomic
def propose_substitute(*, actor, client: Client, substitute: User, valid_from, valid_until, now,
                       grant) -> ConsentProposal:
    """GC-2.5: the coach proposes a substitute; the client decides in the portal."""
    errors = {}
    if substitute is None or not substitute.is_active or not substitute.has_role(Role.COACH):
        errors["substitute"] = _("The substitute must be an active coach.")
    elif client.trajectories.filter(coach=substitute).exists():
        errors["substitute"] = _("This coach is already the client's own coach.")
    if not valid_until:
        errors["valid_until"] = _("A substitute coach is consented for a period: give the end date.")
    elif valid_from and valid_until < valid_from:
        errors["valid_until"] = _("The end date lies before the start date.")
    # The period the client will be asked to accept: refused now, not when she accepts it.
    errors = client_actions.consent_period_errors(valid_from, valid_until, today=timezone.localdate(now)) | errors
    _raise(errors)
    proposal = ConsentProposal.objects.create(client=client, substitute=substitute, valid_from=valid_from,
                                              valid_until=valid_until, proposed_by=actor, created_at=now)
    _log("consent.propose", client=client, obj=proposal, grant=grant)
    transaction.on_commit(lambda: emails.consent_proposed(proposal_id=proposal.pk))
    return proposal


@transaction.atomic
def decide_proposal(*, actor, proposal: ConsentProposal, accept: bool, now, grant) -> ConsentProposal:
    """The client consents to the proposed substitute (a portal consent) or declines."""
    if proposal.decided_at:
        raise ValidationError({"proposal": _("You already answered this proposal.")})
    if accept:
        proposal.consent = grant_consent(actor=actor, client=proposal.client, kind=ConsentKind.SUBSTITUTE, now=now,
                                         grant=grant, valid_from=max(proposal.valid_from, timezone.localdate(now)),
                                         valid_until=proposal.valid_until, substitute=proposal.substitute)
    proposal.decided_at = now
    proposal.save(update_fields=["decided_at", "consent"])
    _log("consent.proposal_accept" if accept else "consent.proposal_decline", client=proposal.client, obj=proposal,
         grant=grant)
    return proposal


@transaction.atomic
def send_message(*, actor, client: Client, text: str, now, grant, about: DossierEntry | None = None) -> Message:
    """A secure message. The other side gets an email saying only that a message waits."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your message.")})
    if len(text) > 10000:
        raise ValidationError({"text": _("A message can be at most 10,000 characters.")})
    if about is not None and about.client_id != client.pk:
        raise ValidationError({"about": _("This entry is not part of the dossier.")})
    repeat = _same_message_just_sent(client, actor=actor, text=text, about=about, now=now)
    if repeat is not None:
        return repeat
    direction = Direction.TO_COACH if getattr(grant, "basis", None) == Basis.CLIENT else Direction.TO_CLIENT
    message = Message(public_id=uuid.uuid4(), client=client, direction=direction, sender=actor, about=about,
                      created_at=now)
    message.body_sealed = SealedJSON.seal(client.public_id, {"text": text}, message.aad())
    message.save()
    _log("message.send", client=client, obj=message, grant=grant)
    transaction.on_commit(lambda: emails.message_waiting(message_id=message.pk))
    return message


def _same_message_just_sent(client, *, actor, text, about, now) -> Message | None:
    """The thread's last message, when it is this one again from the same sender within a few
    minutes: a double tap or a form sent again, not a second message (nor a second email)."""
    last = Message.objects.filter(client=client).select_related("client").last()
    if (last is not None and last.sender_id == actor.pk and last.about_id == (about.pk if about else None)
            and now - last.created_at < REPEAT_WINDOW and last.body == text):
        return last
    return None


def mark_read(*, client: Client, direction: str, now) -> int:
    """Messages of `direction` count as read once their reader opened them."""
    return Message.objects.filter(client=client, direction=direction, read_at__isnull=True).update(read_at=now)


@transaction.atomic
def set_communication_agreement(*, actor, client: Client, by_email: bool, by_phone: bool, by_letter: bool,
                                email_content: str, now, grant) -> CommunicationAgreement:
    """GC-6.3: how the practice may contact the client, and what may go by email."""
    if not (by_email or by_phone or by_letter):
        raise ValidationError({"by_email": _("Choose at least one way we may contact you.")})
    if email_content not in EmailContent.values:
        raise ValidationError({"email_content": _("Choose what may be said in an email.")})
    agreement, _created = CommunicationAgreement.objects.update_or_create(
        client=client, defaults={"by_email": by_email, "by_phone": by_phone, "by_letter": by_letter,
                                 "email_content": email_content, "updated_at": now, "updated_by": actor})
    _log("communication.set", client=client, obj=client, grant=grant)
    return agreement


# --- Reminders -----------------------------------------------------------------------------


def send_due_reminders(now) -> int:
    """Remind the people handling open requests once when the deadline is a week away and
    once when it has passed. Idempotent: a second run the same day sends nothing."""
    today = timezone.localdate(now)
    sent = 0
    due = ClientRequest.objects.due_for_reminder(today, REMINDER_DAYS_BEFORE).filter(
        client__destroyed_at__isnull=True).select_related("client")
    for request in due:
        stage = 2 if request.deadline < today else 1
        with transaction.atomic():
            updated = ClientRequest.objects.filter(pk=request.pk, reminder_stage__lt=stage).update(
                reminder_stage=stage)
            if not updated:
                continue
            audit.record(action="request.reminder", client=request.client, obj=request, basis=Basis.SYSTEM)
            transaction.on_commit(partial(emails.request_reminder, request_id=request.pk, overdue=stage == 2))
        sent += 1
    return sent
