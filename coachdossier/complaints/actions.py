"""Every step of the complaints procedure (KR-1 … KR-3.7, GC-8.2) as one audited action.

Each action is one transaction that also writes a register event (KR-3.3e) and its
access-log row (basis "complaints handling", references only); letters and mail go out
after the commit. Bad input raises ValidationError with field errors and changes nothing.
"""

import datetime
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier import audit, policy
from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import Basis
from coachdossier.clients import uploads
from coachdossier.clients.actions import _remove_on_rollback, atomic_files
from coachdossier.lib import idempotency
from coachdossier.lib.dates import format_date
from coachdossier.lib.idempotency import Once

from . import deadlines, emails, letters, sealing
from .models import (
    COMPLAINANT_NAME_MAX_LENGTH,
    COMPLAINT_DESCRIPTION_MAX_LENGTH,
    AftercareAttempt,
    Category,
    Channel,
    ClosureDay,
    CommitteeMember,
    Complaint,
    ComplaintEvent,
    Document,
    EventKind,
    Involvement,
    Letter,
    LetterKind,
    LetterLanguage,
    Level,
    Outcome,
    ProcedureNotice,
    Reminder,
    Ruling,
    Status,
    Subject,
    ToldVia,
    clocks_for,
    complaints_officers,
    working_calendar,
)

PHONE_FORM_FIELDS = ("called_at", "summary", "wish", "agreed")
# The page form's limits for the complainant's contact details, for every caller (the API too).
COMPLAINANT_PHONE_MAX_LENGTH = 32
ADDRESS_MAX_LINES = 6
ADDRESS_LINE_MAX_LENGTH = 100
# A receipt date further back is a typing error (0026 for 2026): every clock runs from it,
# and a complaint only now registered a year after receipt has missed every term anyway.
RECEIPT_MAX_AGE = datetime.timedelta(days=365)
# KR-3.3d: an extended settlement date further than this from receipt is a typing error too.
EXTENSION_MAX = datetime.timedelta(days=365)
# A letter's own words are a few paragraphs: 10,000 characters is some four pages, the limit of
# a portal message and of an objection to a report. Without it 100,000 characters went into a
# letter (a paste gone wrong), and with them into the PDF the complainant receives.
LETTER_TEXT_MAX = 10_000


def _letter_text_errors(**texts: str | None) -> dict:
    """The free-text fields of a letter (the text, a reason, measures) that are too long."""
    return {name: _("A letter text can be at most 10,000 characters.")
            for name, text in texts.items() if len((text or "").strip()) > LETTER_TEXT_MAX}


def _receipt_date_error(received_on: datetime.date, today: datetime.date) -> str | None:
    if received_on > today:
        return _("The receipt date cannot be in the future.")
    if received_on < today - RECEIPT_MAX_AGE:
        return _("The receipt date is more than a year ago; check the year.")
    return None


def _raise(errors: dict):
    if errors:
        raise ValidationError(errors)


def _role(actor) -> str:
    if actor is None:
        return ""
    return ",".join(sorted(actor.roles & {Role.COMPLAINTS_OFFICER, Role.MANAGEMENT, Role.COACH, Role.CLIENT}))


def _log(action, complaint, actor, basis=Basis.COMPLAINTS):
    audit.record(action=action, client=complaint.client, obj=complaint, basis=basis, role=_role(actor))


def _event(complaint, kind, actor, now, note="", **params):
    """KR-3.3e: a step in the register. `params` are codes (ComplaintEvent.summary says them in
    the reader's language); `note` is only what someone wrote in their own words."""
    event = ComplaintEvent(public_id=uuid.uuid4(), complaint=complaint, kind=kind, at=now, actor=actor,
                           params=params)
    if note:
        event.sealed_note = sealing.seal_json(complaint, {"note": note}, f"complaint-event:{event.public_id}")
    event.save()
    return event


def _today(now) -> datetime.date:
    return timezone.localdate(now)


def _store_document(complaint, upload, actor, now) -> Document:
    data = upload.read()
    content_type = uploads.check_upload(data, upload.name)
    doc = Document(public_id=uuid.uuid4(), complaint=complaint, content_type=content_type, size=len(data),
                   added_by=actor, added_at=now)
    doc.name_sealed = sealing.seal_bytes(complaint, uploads.stored_name(upload.name), doc.aad("name"))
    sealed = sealing.seal_bytes(complaint, data, doc.aad("data"))
    stored = default_storage.save(f"complaints/{complaint.public_id}/{doc.public_id}.bin", ContentFile(sealed))
    _remove_on_rollback(stored)
    doc.storage_name = stored
    doc.save()
    return doc


def read_document(doc: Document) -> bytes:
    with default_storage.open(doc.storage_name, "rb") as fh:
        return sealing.open_bytes(doc.complaint, fh.read(), doc.aad("data"))


# --- Lodging and registration (KR-1, KR-2, KR-3.2) -----------------------------------------


def default_language(*, client=None, complainant=None) -> str:
    """The complainant's language when nobody chose one: the one her portal account keeps
    (User.language), hers when she lodges it herself, else that of the client the complaint
    concerns; Dutch when there is no account. Staff lodging a complaint for a client gave it
    their own language (the API took the language of whoever sent the request)."""
    account = complainant or (client.user if client is not None and client.user_id else None)
    language = getattr(account, "language", None)
    return language if language in LetterLanguage.values else LetterLanguage.DUTCH


def lodge_complaint(*, actor, now, channel, subject, category, description, received_on=None, level=Level.PRACTICE,
                    client=None, coach=None, name="", address_lines=(), email="", phone="",
                    phone_offer_made=False, phone_form=None, files=(), idempotency_key_sha256="",
                    language=None) -> Complaint:
    """A complaint reaches the practice: lodged by a client in the portal, or by staff on
    behalf of the complainant (letter, email, phone, a remark on a form; KR-2.1/2.2). Letters
    and notices go out in `language`, the complainant's; when nobody chose one, the language
    of her portal account (`default_language`). (For a request that may arrive twice,
    `lodge_complaint_once`.)"""
    today = _today(now)
    is_client = actor is not None and actor.has_role(Role.CLIENT) and not actor.is_staff_member
    if not language:
        language = default_language(client=client, complainant=actor if is_client else None)
    errors = {}
    if is_client:
        # KR-3.2: every clock runs from the receipt date. A client's own complaint reaches the
        # practice through the portal on the day it is sent; the API let a client date it a year
        # back (every term late on arrival) or call it a letter or a phone call (KR-2.2's offer
        # recorded as made, by nobody).
        if channel != Channel.PORTAL:
            errors["channel"] = _("A complaint you lodge yourself comes in through the portal.")
        if received_on is not None and received_on != today:
            errors["received_on"] = _("A complaint lodged in the portal is received on the day it is sent.")
    received_on = received_on or today
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the complaint came in.")
    if subject not in Subject.values:
        errors["subject"] = _("Choose what the complaint is about.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if level not in Level.values:
        errors["level"] = _("Choose the level.")
    if language not in LetterLanguage.values:
        errors["language"] = _("Choose Dutch or English.")
    if not (description or "").strip():
        errors["description"] = _("Describe the complaint.")
    elif len(description.strip()) > COMPLAINT_DESCRIPTION_MAX_LENGTH:
        # The page's limit for every caller: neither the form nor the API had one.
        errors["description"] = _("The description is too long (at most %(n)d characters).") % {
            "n": COMPLAINT_DESCRIPTION_MAX_LENGTH}
    if "received_on" not in errors and (problem := _receipt_date_error(received_on, today)):
        errors["received_on"] = problem
    if subject == Subject.COACH and (coach is None or not coach.has_role(Role.COACH)):
        errors["coach"] = _("Name the coach the complaint is about.")
    if subject != Subject.COACH:
        coach = None
    if channel == Channel.PHONE:
        # KR-2.2: a phone complaint is registered only after the offer, with the standard form.
        if not phone_offer_made:
            errors["phone_offer_made"] = _("Record that the complainant was offered to register this as a "
                                           "complaint and accepted.")
        phone_form = {k: (phone_form or {}).get(k, "").strip() for k in PHONE_FORM_FIELDS}
        if not phone_form["summary"]:
            errors["phone_summary"] = _("The standard registration form needs what the complaint is about.")
        if not phone_form["wish"]:
            errors["phone_wish"] = _("The standard registration form needs what the complainant would like.")
    else:
        phone_form, phone_offer_made = None, False
    if channel == Channel.PORTAL and not is_client:
        errors["channel"] = _("Only the client lodges a complaint in the portal; choose how it reached you.")
    if client is None and not (name or "").strip():
        errors["name"] = _("Name the complainant, or link the complaint to a client.")
    # The page form's limits, for every caller: the API took a name of any length and any
    # string as email address, which went onto letters and into the complainant's record.
    if len((name or "").strip()) > COMPLAINANT_NAME_MAX_LENGTH:
        errors["name"] = _("The name is too long (at most %(n)d characters).") % {"n": COMPLAINANT_NAME_MAX_LENGTH}
    if len((phone or "").strip()) > COMPLAINANT_PHONE_MAX_LENGTH:
        errors["phone"] = _("The phone number is too long (at most %(n)d characters).") % {
            "n": COMPLAINANT_PHONE_MAX_LENGTH}
    if len(address_lines) > ADDRESS_MAX_LINES or any(len(line) > ADDRESS_LINE_MAX_LENGTH for line in address_lines):
        # The address stands in the envelope's window of every letter (lib.pdf.build_letter).
        errors["address_lines"] = _("An address has at most %(lines)d lines of at most %(chars)d characters.") % {
            "lines": ADDRESS_MAX_LINES, "chars": ADDRESS_LINE_MAX_LENGTH}
    if (email or "").strip():
        try:
            validate_email(email.strip())
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    _raise(errors)
    with atomic_files():
        complaint = Complaint(public_id=uuid.uuid4(), client=client, complainant_user=actor if is_client else None,
                              lodged_by=actor, channel=channel, subject=subject, coach=coach, level=level,
                              category=category, received_on=received_on, lodged_at=now,
                              phone_offer_made=phone_offer_made, idempotency_key_sha256=idempotency_key_sha256,
                              language=language)
        content = {"description": description.strip(), "name": name.strip(), "address_lines": list(address_lines),
                   "email": email.strip(), "phone": phone.strip(), "phone_form": phone_form}
        if client is not None:
            personal = client.personal
            trajectory = client.current_trajectory
            complaint.is_uwv_client = bool(trajectory and trajectory.principal.is_uwv)
            content["name"] = content["name"] or personal.full_name
            content["address_lines"] = content["address_lines"] or [line for line in (
                personal.full_name, f"{personal.street} {personal.house_number}".strip(),
                f"{personal.postcode} {personal.city}".strip()) if line]
            content["email"] = content["email"] or personal.email
            content["phone"] = content["phone"] or personal.phone
        complaint.set_content(content)
        complaint.save()
        _event(complaint, EventKind.LODGED, actor, now, **({"phone_offer": True} if phone_offer_made else {}))
        for upload in files or ():
            try:
                _store_document(complaint, upload, actor, now)
            except ValidationError as exc:
                raise ValidationError({"files": exc.messages}) from None
        _log("complaint.lodge", complaint, actor, Basis.CLIENT if is_client else Basis.COMPLAINTS)
    pk = complaint.pk
    transaction.on_commit(lambda: emails.complaint_received(complaint_id=pk))
    return complaint


def lodge_complaint_once(*, idempotency_key: str, actor, **fields) -> tuple[Complaint, Once]:
    """`lodge_complaint` for a request that may arrive twice (a double click, back and send
    again, an API retry), the way `add_entry_once` does it for dossier entries: the first call
    with `idempotency_key` lodges the complaint and keeps the key's hash with it (CREATED); the
    same user sending the same key again lodges nothing and gets that complaint back, so there
    is one case in the register (KR-3.2) with one set of clocks (REPEATED), or CONFLICT when
    the repeat says something else than the complaint that was lodged, so the caller can say
    its changes were not saved. Without a key: `lodge_complaint`. Returns (complaint, outcome)."""
    if not idempotency_key:
        return lodge_complaint(actor=actor, **fields), Once.CREATED
    digest = idempotency.key_digest(actor.pk, idempotency_key)
    with atomic_files():
        complaint = Complaint.objects.filter(idempotency_key_sha256=digest).first()
        if complaint is None:
            try:
                return lodge_complaint(actor=actor, idempotency_key_sha256=digest, **fields), Once.CREATED
            except IntegrityError:  # the same request, running at the same time, committed first
                complaint = Complaint.objects.filter(idempotency_key_sha256=digest).first()
                if complaint is None:
                    raise
        # Nothing is lodged; what comes back is shown to the sender, so it is a read of the case.
        _log("complaint.read", complaint, actor, Basis.CLIENT if complaint.complainant_user_id else Basis.COMPLAINTS)
        return complaint, Once.CONFLICT if _complaint_differs(complaint, **fields) else Once.REPEATED


def _complaint_differs(complaint: Complaint, *, channel=None, subject=None, category=None, description="",
                       level=Level.PRACTICE, coach=None, **ignored) -> bool:
    """Whether a repeated lodging says something other than the request that lodged `complaint`:
    what it is about, whom, its category and level, and its description (compared unsealed, so
    no hash of content is kept)."""
    coach_id = coach.pk if coach is not None and subject == Subject.COACH else None
    return ((channel, subject, category, level, coach_id)
            != (complaint.channel, complaint.subject, complaint.category, complaint.level, complaint.coach_id)
            or (description or "").strip() != complaint.content.get("description", ""))


def _next_number(year: int) -> str:
    prefix = f"K-{year}-"
    last = (Complaint.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:03d}"


@transaction.atomic
def register_complaint(*, actor, complaint: Complaint, now, category=None, received_on=None,
                       language=None) -> Complaint:
    """KR-3.2: the complaints officer enters the complaint in the register; it gets a number.
    The receipt date, the category and the complainant's language may be corrected here (the
    date not into the future)."""
    today = _today(now)
    errors = {}
    if complaint.number:
        errors["complaint"] = _("This complaint is already in the register.")
    if received_on is not None and (problem := _receipt_date_error(received_on, today)):
        errors["received_on"] = problem
    elif received_on is not None and received_on != complaint.received_on:
        # KR-3.2: every clock runs from the receipt date. Corrected at registration to a later
        # day, a complaint registered late (or acknowledged, refused or settled late) read as in
        # time. It reached the practice no later than the day it was entered; one from the
        # portal on the very day it was sent.
        lodged_on = timezone.localdate(complaint.lodged_at)
        if complaint.channel == Channel.PORTAL:
            errors["received_on"] = _("A complaint lodged in the portal is received on the day it is sent.")
        elif received_on > lodged_on:
            errors["received_on"] = _("The complaint was entered on %(date)s: it was received on that day or "
                                      "before.") % {"date": format_date(lodged_on, "DATE_FORMAT")}
    if category is not None and category not in Category.values:
        errors["category"] = _("Choose a category.")
    if language is not None and language not in LetterLanguage.values:
        errors["language"] = _("Choose Dutch or English.")
    _raise(errors)
    complaint.received_on = received_on or complaint.received_on
    complaint.category = category or complaint.category
    complaint.language = language or complaint.language
    complaint.number = _next_number(today.year)
    complaint.registered_on = today
    complaint.status = Status.REGISTERED
    complaint.save()
    _event(complaint, EventKind.REGISTERED, actor, now)
    _log("complaint.register", complaint, actor)
    return complaint


@transaction.atomic
def change_language(*, actor, complaint: Complaint, now, language: str) -> Complaint:
    """The complainant's language changes after lodging: the letters from now on, and their
    portal notices, go out in it; the letters already sent stay as they were written. The
    complaints officer records it (the complainant asked for English letters on the phone, say),
    or the complainant changed her own account's language (`on_account_language_changed`). The
    same language again changes nothing and writes no event."""
    errors = {}
    if language not in LetterLanguage.values:
        errors["language"] = _("Choose Dutch or English.")
    if complaint.status == Status.CLOSED:
        errors["complaint"] = _("This complaint is closed.")
    _raise(errors)
    if language == complaint.language:
        return complaint
    complaint.language = language
    complaint.save(update_fields=["language"])
    _event(complaint, EventKind.LANGUAGE, actor, now, language=language)
    own = actor is not None and actor.has_role(Role.CLIENT) and not actor.is_staff_member
    _log("complaint.language", complaint, actor, Basis.CLIENT if own else Basis.COMPLAINTS)
    return complaint


def on_account_language_changed(*, user, language, now):
    """accounts.actions.LANGUAGE_CHANGED: a complainant who changes her own language (the
    language switch, or the API) reads her letters in it from then on, on each open complaint
    whose letters her account is told of (emails.letter_notice: hers, or her client record's)."""
    own = Complaint.objects.open().filter(Q(complainant_user=user) | Q(complainant_user__isnull=True, client__user=user))
    for complaint in own.exclude(language=language):
        change_language(actor=user, complaint=complaint, now=now, language=language)


def _umbrella_refusal(complaint) -> dict:
    """GC-8.1: at umbrella level the umbrella organisation's committee handles the complaint,
    under its own regulation; the practice's committee, settlement term and settlement letter
    (KR-3.3b, KR-3.3d) are not for it. The practice records the ruling and tells both parties."""
    if complaint.level == Level.UMBRELLA:
        return {"complaint": _("At umbrella level the umbrella organisation's complaints committee handles the "
                               "complaint (GC-8.1): record its ruling and communicate it.")}
    return {}


def _require_registered(complaint):
    if not complaint.number:
        raise ValidationError({"complaint": _("Enter the complaint in the register first.")})
    if complaint.status == Status.CLOSED:
        raise ValidationError({"complaint": _("This complaint is closed.")})


# --- Letters ---------------------------------------------------------------------------------


def _letter(complaint, kind, actor, now, *, recipient_lines=None, **values) -> Letter:
    """A letter to the complainant (at the address in the complaint, with a portal notice), in
    their language (Complaint.language), or, given `recipient_lines`, to someone else (no
    notice: it goes by post). Dates in `values` are written and a ruling code worded in the
    letter's language."""
    _raise(_letter_text_errors(text=values.get("text"), reason=values.get("reason")))
    language = letters.letter_language(kind, complaint.language)
    template = letters.template_for(kind, language)
    content = complaint.content
    p = policy.current()
    values = {k: letters.format_date(v, language) if isinstance(v, datetime.date) else v
              for k, v in values.items() if v is not None}
    if values.get("ruling"):  # GC-8.2: the ruling's letters also say the measures taken, or none
        values["ruling"] = letters.RULING_WORDS[language][values["ruling"]]
        values.setdefault("measures", content.get("measures") or letters.NO_MEASURES[language])
    filled = {
        "name": content.get("name") or letters.NO_NAME[language], "number": complaint.number,
        "received_on": letters.format_date(complaint.received_on, language), "contact": p.complaints_contact,
        "practice": p.practice_name, "text": "", "reason": "", "new_date": "", "ruling": "", "measures": "",
        "coach": str(complaint.coach or ""), "procedure": letters.procedure_words(complaint, language),
        **values,
    }
    letter = Letter(public_id=uuid.uuid4(), complaint=complaint, kind=kind, date=_today(now), language=language,
                    created_by=actor, created_at=now)
    body = letters.fill(template.body, filled)
    body = "\n\n".join(part for part in body.split("\n\n") if part.strip())
    letter.sealed = sealing.seal_json(complaint, {
        "subject": letters.fill(template.subject, filled), "body": body,
        "recipient_lines": [line for line in recipient_lines or content.get("address_lines") or
                            [content.get("name", "")] if line],
    }, letter.aad())
    letter.save()
    if recipient_lines is None:
        pk = letter.pk
        transaction.on_commit(lambda: emails.letter_notice(letter_id=pk))
    return letter


# --- Handling (KR-3.3) -----------------------------------------------------------------------


@transaction.atomic
def acknowledge(*, actor, complaint: Complaint, now, text="") -> Letter:
    """KR-3.3a: the acknowledgement of receipt."""
    _require_registered(complaint)
    if complaint.acknowledged_on:
        raise ValidationError({"complaint": _("The acknowledgement was already sent.")})
    letter = _letter(complaint, LetterKind.ACKNOWLEDGEMENT, actor, now, text=text)
    complaint.acknowledged_on = _today(now)
    complaint.save(update_fields=["acknowledged_on"])
    _event(complaint, EventKind.ACKNOWLEDGED, actor, now)
    _log("complaint.acknowledge", complaint, actor)
    return letter


@transaction.atomic
def decide_admission(*, actor, complaint: Complaint, now, admitted: bool, reason="") -> Letter | None:
    """KR-3.3c: admit the complaint, or refuse it with a reason and tell the complainant."""
    _require_registered(complaint)
    if complaint.admitted is not None:
        raise ValidationError({"admitted": _("Admission was already decided.")})
    if complaint.ruling:
        # GC-8.1: the umbrella committee ruled, so it took the complaint into handling
        # (deadlines.admission); "not admitted" after the ruling contradicted the register.
        raise ValidationError({"complaint": _("The umbrella committee already ruled on this complaint: it was "
                                             "taken into handling.")})
    if not admitted and not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason the complaint is not admitted.")})
    _raise(_letter_text_errors(reason=reason))
    complaint.admitted = bool(admitted)
    complaint.admission_decided_on = _today(now)
    complaint.status = Status.IN_HANDLING if admitted else Status.NOT_ADMITTED
    complaint.save(update_fields=["admitted", "admission_decided_on", "status"])
    letter = None
    if admitted:
        _event(complaint, EventKind.ADMITTED, actor, now)
    else:
        letter = _letter(complaint, LetterKind.NON_ADMISSION, actor, now, reason=reason.strip())
        _event(complaint, EventKind.NOT_ADMITTED, actor, now, reason.strip())
    _log("complaint.admission", complaint, actor)
    return letter


def involvement_reason(complaint: Complaint, user: User) -> str | None:
    """KR-3.3b: why `user` has a part in this complaint, as a sentence, or None."""
    involvement = complaint.involvement_of(user)
    if involvement is None:
        return None
    return {
        Involvement.COMPLAINANT: _("%(name)s is the complainant."),
        Involvement.COACH: _("%(name)s is the coach the complaint is about."),
        Involvement.OWN_COACH: _("%(name)s is the client's own coach."),
        Involvement.SUBSTITUTE: _("%(name)s is, or was, the client's substitute coach."),
    }[involvement] % {"name": user}


def committee_refusal(complaint: Complaint, coach: User) -> str | None:
    """KR-3.3b: why `coach` may not sit on this complaint's committee, or None."""
    if not coach.is_active or not coach.has_role(Role.COACH):
        return _("%(name)s is not an active coach.") % {"name": coach}
    return involvement_reason(complaint, coach)


@transaction.atomic
def appoint_committee(*, actor, complaint: Complaint, coaches, now) -> list[CommitteeMember]:
    """KR-3.3b: exactly two coaches not involved in the complaint."""
    _require_registered(complaint)
    # The committee that handled the complaint stays on record: after the settlement letter a
    # new appointment replaced it (and opened the case to two more coaches); a complaint that
    # is not admitted is not handled by a committee at all. The case page offers neither.
    _raise(_umbrella_refusal(complaint))
    if complaint.admitted is False:
        raise ValidationError({"coaches": _("A complaint that is not admitted gets no committee.")})
    if complaint.answered_on:
        raise ValidationError({"coaches": _("The complaint was already settled; its committee stays as it was.")})
    coaches = list(coaches)
    if len(coaches) != 2 or coaches[0].pk == coaches[1].pk:
        raise ValidationError({"coaches": _("The committee consists of exactly two different coaches.")})
    problems = [p for c in coaches if (p := committee_refusal(complaint, c))]
    if problems:
        raise ValidationError({"coaches": problems})
    complaint.committee.all().delete()
    members = [CommitteeMember.objects.create(complaint=complaint, coach=c, appointed_at=now) for c in coaches]
    _event(complaint, EventKind.COMMITTEE, actor, now, ", ".join(str(c) for c in coaches))
    _log("complaint.committee", complaint, actor)
    return members


def current_settle_due(complaint) -> datetime.date:
    facts = complaint.facts()
    return facts.extended_to or deadlines.settle_due(facts, working_calendar(), policy.current())


@transaction.atomic
def extend_term(*, actor, complaint: Complaint, now, new_date: datetime.date, told_via: str, text="") -> Complaint:
    """KR-3.3d: a longer settlement term, only recorded before the term expires, with the new
    date and how the complainant was told. Told in writing: the extension letter goes out."""
    _require_registered(complaint)
    today = _today(now)
    _raise(_umbrella_refusal(complaint))
    errors = {}
    if complaint.admitted is False:
        errors["complaint"] = _("A complaint that is not admitted has no settlement term.")
    if complaint.answered_on:
        errors["complaint"] = _("The complaint was already settled.")
    due = current_settle_due(complaint)
    if today > due:
        errors["new_date"] = _("The settlement term expired on %(date)s; it can no longer be extended.") % {
            "date": format_date(due, "DATE_FORMAT")}
    elif new_date is None or new_date <= due:
        # Written as the case page writes the due date in its clocks, in the user's language.
        errors["new_date"] = _("The new date must be after the current due date (%(date)s).") % {
            "date": format_date(due, "DATE_FORMAT")}
    elif new_date > complaint.received_on + EXTENSION_MAX:
        # 2207 for 2027 held the settlement clock open, never late, for 180 years.
        errors["new_date"] = _("The new date is more than a year after the complaint was received; check the year.")
    if told_via not in ToldVia.values:
        errors["told_via"] = _("Record how the complainant was told: in writing or by phone.")
    errors.update(_letter_text_errors(text=text))
    _raise(errors)
    complaint.extended_to = new_date
    complaint.extension_recorded_on = today
    complaint.extension_told_via = told_via
    complaint.save(update_fields=["extended_to", "extension_recorded_on", "extension_told_via"])
    if told_via == ToldVia.LETTER:
        _letter(complaint, LetterKind.EXTENSION, actor, now, text=text, new_date=new_date)
    # Told in writing, the text is in the letter; by phone, it is the note of the call.
    _event(complaint, EventKind.EXTENDED, actor, now, (text or "").strip() if told_via == ToldVia.PHONE else "",
           new_date=new_date.isoformat(), told_via=told_via)
    _log("complaint.extend", complaint, actor)
    return complaint


def _committee_problems(complaint) -> list[str]:
    """KR-3.3b: why members of `complaint`'s committee may not sit on it (any more)."""
    members = complaint.committee.select_related("coach")
    return [problem for member in members if (problem := committee_refusal(complaint, member.coach))]


@transaction.atomic
def settle(*, actor, complaint: Complaint, now, text: str, measures: str = "") -> Letter:
    """KR-3.3d: the written settlement (the answer letter); aftercare starts (KR-3.4a)."""
    _require_registered(complaint)
    _raise(_umbrella_refusal(complaint))
    errors: dict[str, str | list[str]] = {}
    if complaint.admitted is not True:
        errors["complaint"] = _("Admit the complaint before settling it.")
    elif complaint.committee.count() != 2:
        errors["complaint"] = _("Appoint the committee of two coaches first (KR-3.3b).")
    elif problems := _committee_problems(complaint):
        # KR-3.3b: the committee settles the complaint, so it must still be uninvolved then: a
        # member who became the client's coach or substitute since the appointment, or who left,
        # settled it all the same.
        errors["complaint"] = [*problems, _("Appoint a new committee of two uninvolved coaches first (KR-3.3b).")]
    if complaint.answered_on:
        errors["complaint"] = _("The complaint was already settled.")
    if not (text or "").strip():
        errors["text"] = _("Write the settlement.")
    errors.update(_letter_text_errors(text=text, measures=measures))
    _raise(errors)
    if measures.strip():
        complaint.set_content({**complaint.content, "measures": measures.strip()})
    complaint.answered_on = _today(now)
    complaint.status = Status.ANSWERED
    complaint.save()
    letter = _letter(complaint, LetterKind.SETTLEMENT, actor, now, text=text.strip())
    _event(complaint, EventKind.SETTLED, actor, now)
    _log("complaint.settle", complaint, actor)
    return letter


@transaction.atomic
def record_ruling(*, actor, complaint: Complaint, now, ruling: str, ruling_on: datetime.date,
                  measures: str = "") -> Complaint:
    """GC-8.2: the umbrella committee's ruling (founded, partly, unfounded) and any measures."""
    _require_registered(complaint)
    errors = {}
    if complaint.level != Level.UMBRELLA:
        errors["ruling"] = _("Only a complaint at umbrella level gets a committee ruling.")
    elif complaint.admitted is False:
        # GC-8.1/8.2: the committee rules only on a complaint taken into handling; one recorded
        # as not admitted got its non-admission letter (KR-3.3c). A ruling on it went into the
        # register and, with its letters, to complainant and coach after they were told it would
        # not be handled; KR-3.7 still counted it as not admitted.
        errors["complaint"] = _("This complaint was not admitted: there is no ruling to record for it.")
    elif complaint.ruling:
        # GC-8.2: the ruling told to complainant and coach is the one in the register; the API
        # let it be overwritten after it was communicated. The case page offers it only once.
        errors["ruling"] = _("The ruling was already recorded.")
    if ruling not in Ruling.values:
        errors["ruling"] = _("Choose the ruling.")
    if ruling_on is None or ruling_on > _today(now):
        errors["ruling_on"] = _("The date of the ruling cannot be in the future.")
    elif ruling_on < complaint.received_on:
        errors["ruling_on"] = _("The ruling cannot be before the complaint was received.")
    errors.update(_letter_text_errors(measures=measures))
    _raise(errors)
    complaint.ruling, complaint.ruling_on = ruling, ruling_on
    if measures.strip():
        complaint.set_content({**complaint.content, "measures": measures.strip()})
    complaint.save()
    _event(complaint, EventKind.RULING, actor, now, ruling=ruling)
    _log("complaint.ruling", complaint, actor)
    return complaint


@transaction.atomic
def communicate_ruling(*, actor, complaint: Complaint, now, text="", coach_text="") -> Letter:
    """GC-8.2: the ruling and measures go to complainant and coach within a month: a letter to
    each (the coach's by post), each with its own free text. Returns the complainant's letter."""
    _require_registered(complaint)
    if not complaint.ruling:
        raise ValidationError({"complaint": _("Record the ruling first.")})
    if complaint.ruling_communicated_on:
        raise ValidationError({"complaint": _("The ruling was already communicated.")})
    _raise(_letter_text_errors(text=text, coach_text=coach_text))
    letter = _letter(complaint, LetterKind.RULING, actor, now, text=text, ruling=complaint.ruling)
    if complaint.coach is not None:
        _letter(complaint, LetterKind.RULING_COACH, actor, now, recipient_lines=[complaint.coach.full_name],
                text=coach_text, ruling=complaint.ruling)
    complaint.ruling_communicated_on = _today(now)
    complaint.save(update_fields=["ruling_communicated_on"])
    _event(complaint, EventKind.RULING_COMMUNICATED, actor, now, coach_letter=complaint.coach is not None)
    _log("complaint.ruling_communicated", complaint, actor)
    return letter


# --- Aftercare (KR-3.4, KR-3.5) --------------------------------------------------------------


def failed_attempts(complaint) -> int:
    return sum(1 for a in complaint.attempts.all() if not a.reached)


def proposes_not_reached_letter(complaint) -> bool:
    """KR-3.4b: after the configured number of failed calls, the standard letter is proposed."""
    return (complaint.status == Status.ANSWERED and complaint.aftercare_done_on is None
            and failed_attempts(complaint) >= policy.current().complaint_aftercare_attempts)


@transaction.atomic
def log_call(*, actor, complaint: Complaint, now, reached: bool, satisfied=None, note="") -> AftercareAttempt:
    """KR-3.4a: an aftercare call, with its phone note in the register."""
    _require_registered(complaint)
    errors = {}
    if complaint.answered_on is None:
        errors["complaint"] = _("Aftercare starts after the settlement letter.")
    if reached and satisfied is None:
        errors["satisfied"] = _("Record whether the complainant is satisfied.")
    _raise(errors)
    attempt = AftercareAttempt.objects.create(complaint=complaint, at=now, reached=reached,
                                              satisfied=satisfied if reached else None, by=actor)
    if reached and complaint.aftercare_done_on is None:
        complaint.aftercare_done_on = _today(now)
        complaint.save(update_fields=["aftercare_done_on"])
    _event(complaint, EventKind.AFTERCARE, actor, now, (note or "").strip(), reached=bool(reached),
           satisfied=bool(satisfied) if reached else None)
    _log("complaint.aftercare", complaint, actor)
    return attempt


@transaction.atomic
def send_not_reached_letter(*, actor, complaint: Complaint, now) -> Letter:
    """KR-3.4b: the standard letter: not reached; taken as settled; else contact this person."""
    _require_registered(complaint)
    if not proposes_not_reached_letter(complaint):
        raise ValidationError({"complaint": _("The standard letter follows %(n)d failed calls.") % {
            "n": policy.current().complaint_aftercare_attempts}})
    letter = _letter(complaint, LetterKind.NOT_REACHED, actor, now)
    complaint.aftercare_done_on = _today(now)
    complaint.save(update_fields=["aftercare_done_on"])
    _event(complaint, EventKind.NOT_REACHED, actor, now)
    _log("complaint.not_reached", complaint, actor)
    return letter


@transaction.atomic
def refer_to_mediation(*, actor, complaint: Complaint, now, text="") -> Letter:
    """KR-3.4c: parties do not agree; the complaint goes to a recognised mediator."""
    _require_registered(complaint)
    if complaint.answered_on is None:
        raise ValidationError({"complaint": _("Mediation follows the settlement letter.")})
    if complaint.mediation_on:
        raise ValidationError({"complaint": _("The complaint was already referred to a mediator.")})
    complaint.mediation_on = _today(now)
    complaint.status = Status.MEDIATION
    complaint.save(update_fields=["mediation_on", "status"])
    letter = _letter(complaint, LetterKind.MEDIATION, actor, now, text=text)
    _event(complaint, EventKind.MEDIATION, actor, now, text)
    _log("complaint.mediation", complaint, actor)
    return letter


@transaction.atomic
def hand_to_umbrella(*, actor, complaint: Complaint, now, note="") -> Complaint:
    """GC-0.2, GC-8.1: the complaint goes to the umbrella organisation's complaints committee
    (the complainant took it there, or it turns out to be theirs), under its regulation. From
    then on the practice's clocks are those of an umbrella complaint (deadlines.clocks): no
    non-admission or settlement term of its own; it records the ruling and puts it to both
    parties within a month (GC-8.2). Without this step such a complaint stayed a practice case:
    its six-week term ran late and its ruling could not be recorded. The practice's committee,
    if one was appointed, no longer handles it and loses its view of the case (GC-9.4)."""
    _require_registered(complaint)
    errors = {}
    if complaint.level == Level.UMBRELLA:
        errors["complaint"] = _("The umbrella organisation's complaints committee already handles this complaint.")
    elif complaint.answered_on:
        errors["complaint"] = _("The practice already settled this complaint; a complaint the complainant then takes "
                                "to the umbrella organisation is lodged as a new complaint at umbrella level.")
    elif complaint.admitted is False:
        errors["complaint"] = _("The practice did not admit this complaint and told the complainant so; a complaint "
                                "the complainant then takes to the umbrella organisation is lodged as a new complaint "
                                "at umbrella level.")
    _raise(errors)
    complaint.level = Level.UMBRELLA
    complaint.save(update_fields=["level"])
    complaint.committee.all().delete()
    _event(complaint, EventKind.UMBRELLA, actor, now, (note or "").strip())
    _log("complaint.umbrella", complaint, actor)
    return complaint


def outcome_problem(complaint, outcome) -> str | None:
    """Why `complaint`, as it stands, cannot close with `outcome` (KR-3.5), or None when it can.
    The one rule for the close form's choices (closing_outcomes) and for close_complaint."""
    if outcome not in Outcome.values:
        return _("Choose the outcome.")
    if outcome == Outcome.NOT_ADMITTED and complaint.admitted is not False:
        return _("Only a complaint that was not admitted closes as not admitted.")
    if complaint.admitted is False and outcome not in (Outcome.NOT_ADMITTED, Outcome.WITHDRAWN):
        return _("A complaint that was not admitted closes as not admitted or withdrawn.")
    if outcome == Outcome.SATISFIED and not complaint.attempts.filter(reached=True, satisfied=True).exists():
        return _("Record the aftercare call in which the complainant said they were satisfied.")
    if outcome == Outcome.ASSUMED_SATISFIED and not complaint.letters.filter(kind=LetterKind.NOT_REACHED).exists():
        return _("Send the standard 'could not reach you' letter first.")
    if outcome == Outcome.MEDIATION and not complaint.mediation_on:
        return _("Refer the complaint to a mediator first.")
    if outcome == Outcome.RULING and (complaint.level != Level.UMBRELLA or not complaint.ruling_communicated_on):
        return _("Only a complaint at umbrella level whose ruling was communicated closes with the ruling (GC-8.2).")
    return None


def closing_outcomes(complaint) -> list[Outcome]:
    """The outcomes `complaint` can close with now (KR-3.5, GC-8.2): what the close form offers."""
    return [outcome for outcome in Outcome if outcome_problem(complaint, outcome) is None]


def last_event_id(complaint) -> str:
    """The public id of the complaint's latest register event: what a form's page showed last."""
    event = complaint.events.order_by("-at", "-pk").only("public_id").first()
    return str(event.public_id) if event else ""


def changed_since(complaint, seen: str) -> str | None:
    """What others did to `complaint` after the event `seen` (last_event_id of the page a form was
    on), as a sentence; None when nothing happened since, or when `seen` is not given."""
    if not seen or seen == last_event_id(complaint):
        return None
    events = list(complaint.events.select_related("actor").order_by("at", "pk"))
    index = next((i for i, event in enumerate(events) if str(event.public_id) == seen), -1)
    later = events[index + 1:]
    steps = []
    for event in later:
        step = _("%(step)s by %(who)s on %(when)s") % {
            "step": event.get_kind_display(), "who": event.actor or _("the system"),
            "when": format_date(timezone.localtime(event.at), "SHORT_DATETIME_FORMAT")}
        steps.append(f"{step} ({event.summary})" if event.summary else step)
    return _("This complaint changed after you opened the page: %(steps)s. Nothing was saved; check the case "
             "and choose again.") % {"steps": "; ".join(steps)}


@transaction.atomic
def close_complaint(*, actor, complaint: Complaint, now, outcome: str, note="", seen: str = "") -> Complaint:
    """KR-3.5: closed in the register, with its outcome. `seen`: the last register event the
    closer saw (last_event_id); when others took a step since, nothing is closed and the error
    says what they did (the outcome was chosen on what the page showed then)."""
    Complaint.objects.select_for_update().filter(pk=complaint.pk).exists()  # one closer at a time
    if stale := changed_since(complaint, seen):
        raise ValidationError({"complaint": stale})
    complaint.refresh_from_db()
    _require_registered(complaint)
    problem = outcome_problem(complaint, outcome)
    if problem:
        raise ValidationError({"outcome": problem})
    complaint.status = Status.CLOSED
    complaint.outcome = outcome
    complaint.closed_on = _today(now)
    complaint.save(update_fields=["status", "outcome", "closed_on"])
    _event(complaint, EventKind.CLOSED, actor, now, (note or "").strip(), outcome=outcome)
    _log("complaint.close", complaint, actor)
    return complaint


@transaction.atomic
def add_note(*, actor, complaint: Complaint, now, note: str) -> ComplaintEvent:
    """KR-3.3e: the register is kept up to date during handling (committee notes included)."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Write the note.")})
    event = _event(complaint, EventKind.NOTE, actor, now, note.strip())
    _log("complaint.note", complaint, actor)
    return event


def add_document(*, actor, complaint: Complaint, now, upload) -> Document:
    """Share a document with the case (the committee sees it; GC-9.4)."""
    with atomic_files():
        try:
            doc = _store_document(complaint, upload, actor, now)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        _event(complaint, EventKind.DOCUMENT, actor, now)
        _log("complaint.document_add", complaint, actor)
    return doc


# --- Practice settings ---------------------------------------------------------------------


@transaction.atomic
def update_letter_template(*, actor, template, subject: str, body: str, now):
    errors = {}
    if not subject.strip():
        errors["subject"] = _("This field is required.")
    if not body.strip():
        errors["body"] = _("This field is required.")
    for field, text in (("subject", subject), ("body", body)):
        try:
            names = {name for _t, name, _s, _c in letters.string.Formatter().parse(text) if name is not None}
        except ValueError:
            errors[field] = _("Unbalanced braces: write placeholders as {name}.")
            continue
        unknown = names - set(letters.PLACEHOLDERS)
        if unknown:
            errors[field] = _("Unknown placeholders: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    _raise(errors)
    template.subject, template.body, template.updated_at, template.updated_by = subject.strip(), body, now, actor
    template.save()
    audit.record(action="complaint.letter_template", obj=template, basis=Basis.MANAGEMENT, role=_role(actor))
    return template


@transaction.atomic
def add_closure_day(*, actor, date: datetime.date, description: str = "", now) -> ClosureDay:
    if ClosureDay.objects.filter(date=date).exists():
        raise ValidationError({"date": _("This day is already a closure day.")})
    day = ClosureDay.objects.create(date=date, description=description.strip())
    audit.record(action="complaint.closure_add", obj=day, basis=Basis.MANAGEMENT, role=_role(actor))
    return day


@transaction.atomic
def remove_closure_day(*, actor, day: ClosureDay, now):
    audit.record(action="complaint.closure_remove", obj=day, basis=Basis.MANAGEMENT, role=_role(actor))
    day.delete()


# --- Made known at the start (KR-3.1) --------------------------------------------------------


def _address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def _send_procedure(*, address, trajectory_id=None, coach_id=None, now):
    """Send the procedure PDF, then keep the proof (so a failed send leaves no proof). The mail
    and the PDF it carries are in the reader's language (User.language) when the address is an
    account's, else Dutch; the proof says which PDF went (its language and renderer)."""
    renderer = letters.pdf.RENDERER
    language = letters.procedure_language(User.objects.language_of(address))
    data = letters.procedure_pdf(renderer, language)
    emails.procedure(to=address, pdf=data, language=language)
    ProcedureNotice.objects.create(trajectory_id=trajectory_id, coach_id=coach_id, sent_at=now,
                                   recipient_sha256=_address_hash(address), document_sha256=letters.sha256(data),
                                   document_renderer=renderer, document_language=language)


def on_trajectory_opened(*, trajectory, actor, now):
    """clients.hooks.TRAJECTORY_OPENED: the client gets the complaints procedure (KR-3.1).
    A client without an email address gets none; the trajectory is listed for management."""
    address = trajectory.client.personal.email
    if not address:
        return
    pk = trajectory.pk
    transaction.on_commit(lambda: _send_procedure(address=address, trajectory_id=pk, now=now))


def send_procedure_to_coach(*, actor, coach: User, now):
    """KR-3.1: a freelance coach is told of the complaints procedure, demonstrably."""
    if not coach.has_role(Role.COACH):
        raise ValidationError({"coach": _("This person is not a coach.")})
    audit.record(action="complaint.procedure_coach", obj=coach, basis=Basis.MANAGEMENT, role=_role(actor))
    _send_procedure(address=coach.email, coach_id=coach.pk, now=now)


def send_procedure_for_trajectory(*, actor, trajectory, now):
    """Management sends the procedure for a trajectory that has no proof yet."""
    address = trajectory.client.personal.email
    if not address:
        raise ValidationError({"trajectory": _("The client has no email address; send the procedure by post.")})
    audit.record(action="complaint.procedure_client", client=trajectory.client, obj=trajectory,
                 basis=Basis.MANAGEMENT, role=_role(actor))
    _send_procedure(address=address, trajectory_id=trajectory.pk, now=now)


# --- The daily job ---------------------------------------------------------------------------

REMINDER_WORKING_DAYS = 2
# The steps the regulations give to management itself: the aftercare call (KR-3.4a: "neemt de
# directie telefonisch contact op") and putting the ruling to both parties (GC-8.2: "door de
# directeur voorgelegd"). Their reminders reach management too, not only the complaints officers.
MANAGEMENT_CLOCKS = frozenset({"aftercare", "ruling"})


def send_deadline_reminders(now) -> int:
    """Email the complaints officers about every running clock due within two working days
    or overdue; at most one reminder per clock per day (stored), so reruns send nothing. Each
    case's reminders go to the officers not involved in it (KR-3.3b), or to management when
    there are none; those of management's own steps (MANAGEMENT_CLOCKS) to management as well."""
    today = _today(now)
    calendar = working_calendar()
    sent = 0
    open_complaints = Complaint.objects.open()
    officers = [(officer.email, set(open_complaints.involving(officer).values_list("pk", flat=True)))
                for officer in complaints_officers()]
    management = User.objects.addresses_of(Role.MANAGEMENT)
    for complaint in open_complaints:
        recipients = [email for email, involved in officers if complaint.pk not in involved]
        for clock in clocks_for(complaint, today, calendar):
            if not clock.is_running or clock.due is None:
                continue
            if calendar.working_days_between(today, clock.due) > REMINDER_WORKING_DAYS:
                continue
            with transaction.atomic():
                _, created = Reminder.objects.get_or_create(complaint=complaint, clock=clock.key, day=today)
            to = recipients or management
            if clock.key in MANAGEMENT_CLOCKS:
                to = list(dict.fromkeys([*recipients, *management]))
            if created and to:
                emails.reminder(to=to, complaint=complaint, clock=clock, no_officer=not recipients)
                sent += 1
    return sent


# --- Client destruction (GC-5.4) -------------------------------------------------------------


def destruction_blocker(*, client, today):
    """clients.hooks.DESTRUCTION_BLOCKERS: an open complaint keeps the data."""
    numbers = list(Complaint.objects.open().filter(client=client).values_list("number", flat=True))
    if numbers:
        return _("An open complaint concerns this client (%(numbers)s); close it first.") % {
            "numbers": ", ".join(n or _("not yet registered") for n in numbers)}
    return None


def on_client_destroyed(*, client, actor, now):
    """clients.hooks.CLIENT_DESTROYED: closed complaints keep their plain register columns
    (dates, channel, category, outcome: the counts of KR-3.6/3.7) and lose all content."""
    complaints = list(Complaint.objects.filter(client=client))
    for complaint in complaints:
        for doc in complaint.documents.all():
            name = doc.storage_name
            transaction.on_commit(lambda name=name: default_storage.delete(name))
        complaint.documents.all().delete()
        complaint.letters.all().delete()
        complaint.events.update(sealed_note=b"")
        complaint.sealed = b""
        complaint.content_removed_at = now
        complaint.client = None
        complaint.complainant_user = None
        complaint.save()
        audit.record(action="complaint.content_removed", client=client, obj=complaint, basis=Basis.SYSTEM)
