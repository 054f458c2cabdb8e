"""Every change to a report: writing, the client copy, the client's answer, sending and
downloading. Each action is one transaction with its access-log entry; mail goes out after
the commit, and the client copy counts as delivered only once its mail was actually sent.

The state machine is `models.TRANSITIONS`; `_move` is the only place a state changes."""

import datetime
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier import audit, policy
from coachdossier.accounts.models import Role
from coachdossier.audit.models import Basis, Outcome
from coachdossier.clients import crypto, validation
from coachdossier.clients.models import DossierEntry, SealedJSON
from coachdossier.clients.screening import SpecialCategory, find_special_categories
from coachdossier.lib import pdf
from coachdossier.lib.workdays import WorkingCalendar

from . import documents
from .models import (
    SUBJECTS,
    TEMPLATES,
    WITHDRAWN_STATEMENT_QUOTED,
    Addressee,
    Delivery,
    Report,
    ReportKind,
    ReportState,
)

S = ReportState
log = logging.getLogger("coachdossier.reports")
security_log = logging.getLogger("coachdossier.security")

# Trajectory summaries other apps may offer for reports: fn(trajectory) -> list[(label, value)]
# (questionnaires and measurements register theirs in their AppConfig.ready()).
TRAJECTORY_SUMMARIES: list = []


def _log(action, report, grant=None, *, obj=None, basis=None, role=None, outcome=Outcome.ALLOWED, ref=""):
    audit.record(action=action, client=report.client, obj=obj or report, outcome=outcome,
                 basis=basis or getattr(grant, "basis", Basis.COACH), basis_ref=ref or getattr(grant, "ref", ""),
                 role=role if role is not None else getattr(grant, "role", Role.COACH))


def _move(report: Report, event: str, *, fields=()):
    """Apply one transition of the state machine, or refuse it."""
    target = (report.state, event)
    from .models import TRANSITIONS

    if target not in TRANSITIONS:
        raise ValidationError({"state": _("This step is not possible for a report in the state “%(state)s”.")
                               % {"state": report.get_state_display()}})
    report.state = TRANSITIONS[target]
    report.save(update_fields=["state", *fields])


def calendar() -> WorkingCalendar:
    p = policy.current()
    return WorkingCalendar(p.holiday_policy, closures=p.closure_days)


# --- Writing -------------------------------------------------------------------------------


def default_content(kind: str, language: str) -> dict:
    kind = ReportKind(kind)
    index = 0 if language == "nl" else 1
    return {
        "subject": SUBJECTS[language][kind],
        "salutation": "Geachte heer, mevrouw," if language == "nl" else "Dear Sir or Madam,",
        "sections": [{"title": titles[index], "text": ""} for titles in TEMPLATES[kind]],
        "closing": "", "trajectory": None, "entries": [], "recipient": {},
    }


def trajectory_data(trajectory, language: str) -> list[list[str]]:
    """Goal, dates and hours of the trajectory, as label/value rows for the letter."""
    nl = language == "nl"
    goal = trajectory.current_goal
    date = documents.labels_date
    rows = [
        ["Opdrachtgever" if nl else "Principal", trajectory.principal.name],
        ["Doel of vraag" if nl else "Goal or question", goal.content.get("text", "") if goal else "—"],
        ["Gestart op" if nl else "Started on", date(language, trajectory.opened_on)],
    ]
    if trajectory.uwv_order_number:
        rows.append(["Ordernummer UWV" if nl else "UWV order number", trajectory.uwv_order_number])
    if trajectory.closed_on:
        rows.append(["Afgesloten op" if nl else "Closed on", date(language, trajectory.closed_on)])
    used = trajectory.hours_used()
    hours = f"{used}" + (f" / {trajectory.approved_hours}" if trajectory.approved_hours else "")
    if nl:
        hours = hours.replace(".", ",")  # Dutch writes a decimal comma: 5,5 uur
    rows.append(["Gebruikte uren" if nl else "Hours used", hours])
    rows.append(["Aantal gesprekken" if nl else "Sessions", str(trajectory.sessions.count())])
    for fn in TRAJECTORY_SUMMARIES:
        rows += [[str(label), str(value)] for label, value in fn(trajectory)]
    return rows


def _entry_snapshot(entry: DossierEntry, language: str) -> dict:
    """The entry as the report quotes it: its date written in the report's language, like the
    letter's other dates (documents.labels_date), not in the coach's UI language."""
    content = entry.current.content
    return {"id": str(entry.public_id), "date": documents.labels_date(language, entry.occurred_on), "kind": entry.kind,
            "title": content.get("title", ""), "text": content.get("text", ""), "medical": entry.is_medical}


def withdrawn_statement_refusal(report: Report) -> dict:
    """GC-5.3: a statement the client withdrew goes out in no report after she withdrew it. A
    report sent before keeps it as sent: it quotes its own snapshot of the entries, not the
    dossier as it is now. Otherwise the coach takes it out (in a draft directly, after the
    client copy in a new version; `Report.send_refusal` says so too), and the client sees the
    report without it."""
    return {"entries": WITHDRAWN_STATEMENT_QUOTED} if report.quotes_withdrawn_statement() else {}


def medical_refusal(addressee: str, entries) -> dict:
    """PR-4: medical content goes only to the company doctor, never to an employer, a
    municipality or UWV (they may learn limitations and possibilities, not diagnoses)."""
    if addressee != Addressee.COMPANY_DOCTOR and any(e["medical"] for e in entries):
        return {"entries": _("Medical content never goes to an employer, a municipality or UWV (PR-4). "
                             "Describe limitations and possibilities instead, or address the report to the "
                             "company doctor.")}
    return {}


def health_notice(report: Report) -> str:
    """PR-4: a warning (never a refusal: the word lists cannot tell "hernia" from a hernia
    mentioned as a limitation's cause) when the text of a report to the principal names health
    information; empty for the company doctor, who may read it."""
    if report.addressee == Addressee.COMPANY_DOCTOR:
        return ""
    content = report.content
    parts = [content.get("subject", ""), content.get("salutation", ""), content.get("closing", ""),
             *(f"{s.get('title', '')}\n{s.get('text', '')}" for s in content.get("sections", [])),
             *(f"{e.get('title', '')}\n{e.get('text', '')}" for e in content.get("entries", []))]
    words = {f.text.lower(): None for part in parts for f in find_special_categories(part)
             if f.category == SpecialCategory.HEALTH}
    if not words:
        return ""
    return _("This report to the principal mentions health information (%(words)s). An employer, a "
             "municipality or UWV may learn limitations and possibilities, never diagnoses (PR-4): rewrite "
             "it before the client gets the copy, or address the report to the company doctor.") % {
        "words": ", ".join(words)}


def _check_content(*, addressee, subject, sections, entries, recipient) -> dict:
    errors = {}
    if addressee not in Addressee.values:
        errors["addressee"] = _("Choose the principal or the company doctor.")
    if not (subject or "").strip():
        errors["subject"] = _("Give the report a subject.")
    if not any((s.get("text") or "").strip() for s in sections):
        errors["sections"] = _("Write at least one section.")
    if addressee == Addressee.COMPANY_DOCTOR and not (recipient.get("name") or "").strip():
        errors["recipient_name"] = _("Name the company doctor.")
    # ReportForm's limits and EmailField for the API too (the report is sent to this address).
    errors.update(validation.length_errors(subject=(subject, 200), recipient_name=(recipient.get("name"), 150),
                                           recipient_organisation=(recipient.get("organisation"), 200)))
    errors.update(validation.email_errors(recipient_email=recipient.get("email")))
    errors.update(medical_refusal(addressee, entries))
    return errors


def _chosen_entries(report_client, entry_ids, existing: list[dict], language: str) -> list[dict]:
    """Non-medical entries the coach ticked, plus the medical ones already added one by one."""
    wanted = {str(i) for i in entry_ids}
    entries = (DossierEntry.objects.filter(client=report_client, deleted_at__isnull=True, is_medical=False,
                                           withdrawn_at__isnull=True)  # GC-5.3: nothing left to quote
               .prefetch_related("versions"))
    chosen = [_entry_snapshot(e, language) for e in entries if str(e.public_id) in wanted]
    unknown = wanted - {c["id"] for c in chosen} - {e["id"] for e in existing if e["medical"]}
    if unknown:
        raise ValidationError({"entries": _("Choose entries from this client's dossier. A medical entry must be "
                                            "added one by one (PR-4).")})
    return chosen + [e for e in existing if e["medical"]]


def _clean_sections(sections) -> list[dict]:
    return [{"title": (s.get("title") or "").strip(), "text": (s.get("text") or "").strip()}
            for s in sections if (s.get("text") or "").strip()]  # a title without text is left out


@transaction.atomic
def create_report(*, actor, client, kind: str, addressee: str, now, grant=None, language="nl",
                  signature_required=False, subject="", salutation=None, sections=None, closing="",
                  include_trajectory=False, entry_ids=(), recipient=None) -> Report:
    """A new draft for the client's current trajectory, from the kind's template."""
    trajectory = client.current_trajectory
    errors = {}
    if kind not in ReportKind.values:
        errors["kind"] = _("Choose a type of report.")
    if language not in ("nl", "en"):
        errors["language"] = _("Choose Dutch or English.")
    if trajectory is None:
        errors["kind"] = _("This client has no trajectory to report on.")
    if errors:
        raise ValidationError(errors)
    base = default_content(kind, language)
    number = (Report.objects.filter(client=client).aggregate(n=Max("number"))["n"] or 0) + 1
    report = Report(public_id=uuid.uuid4(), client=client, trajectory=trajectory, number=number, kind=kind,
                    addressee=addressee, language=language, created_by=actor, created_at=now, updated_at=now,
                    signature_required=signature_required or trajectory.vulnerable)
    content = _content(report, base, subject=subject or base["subject"],
                        salutation=base["salutation"] if salutation is None else salutation,
                        sections=base["sections"] if sections is None else sections, closing=closing,
                        include_trajectory=include_trajectory, entry_ids=entry_ids, recipient=recipient or {},
                        allow_empty=sections is None)
    report.seal(content)
    report.save()
    _log("report.create", report, grant)
    return report


def _content(report, existing, *, subject, salutation, sections, closing, include_trajectory, entry_ids,
             recipient, allow_empty=False) -> dict:
    entries = _chosen_entries(report.client, entry_ids, existing.get("entries", []), report.language)
    recipient = {k: (recipient.get(k) or "").strip() for k in ("name", "organisation", "address", "email")}
    cleaned = _clean_sections(sections) if not allow_empty else sections
    errors = _check_content(addressee=report.addressee, subject=subject, sections=cleaned or [], entries=entries,
                            recipient=recipient)
    if allow_empty:  # a fresh draft from the template: its sections are still empty
        errors.pop("sections", None)
    if report.addressee == Addressee.COMPANY_DOCTOR and allow_empty:
        errors.pop("recipient_name", None)
    if errors:
        raise ValidationError(errors)
    return {"subject": subject.strip(), "salutation": (salutation or "").strip(), "sections": cleaned,
            "closing": (closing or "").strip(),
            "trajectory": trajectory_data(report.trajectory, report.language) if include_trajectory else None,
            "entries": entries, "recipient": recipient}


@transaction.atomic
def edit_report(*, actor, report: Report, now, grant=None, addressee=None, subject, salutation="", sections,
                closing="", include_trajectory=False, entry_ids=(), signature_required=None,
                recipient=None) -> Report:
    """Change a draft. Once the client copy went out, a change is a new version (revise_report)."""
    if report.state == S.SENT:
        raise ValidationError({"state": _("A sent report cannot be changed.")})
    if report.state != S.DRAFT:
        raise ValidationError({"state": _("The client has a copy of this report: write a new version instead, "
                                          "and the client gets a copy of that first (PR-6).")})
    if addressee is not None:
        report.addressee = addressee
    content = _content(report, report.content, subject=subject, salutation=salutation, sections=sections,
                       closing=closing, include_trajectory=include_trajectory, entry_ids=entry_ids,
                       recipient=recipient if recipient is not None else report.content.get("recipient", {}))
    if signature_required is not None:
        # GC-1.6: a client in a vulnerable position always signs.
        report.signature_required = signature_required or report.trajectory.vulnerable
    report.seal(content)
    report.updated_at = now
    report.save(update_fields=["addressee", "sealed", "updated_at", "signature_required"])
    _move(report, "edit")
    _log("report.edit", report, grant)
    return report


@transaction.atomic
def add_medical_entry(*, actor, report: Report, entry: DossierEntry, acknowledged: bool, now,
                      grant=None) -> Report:
    """PR-4: a medical entry goes into a report only one by one, only to the company doctor,
    and only after the coach confirmed the warning. Each inclusion is logged."""
    errors = {}
    if report.state != S.DRAFT:
        errors["state"] = _("Only a draft can be changed.")
    if report.addressee != Addressee.COMPANY_DOCTOR:
        errors["entry"] = _("Medical content never goes to an employer, a municipality or UWV (PR-4).")
    if entry.client_id != report.client_id or not entry.is_medical or entry.deleted_at:
        errors["entry"] = _("Choose a medical entry of this client.")
    if not acknowledged:
        errors["acknowledged"] = _("Confirm that this medical information may go to the company doctor.")
    if errors:
        raise ValidationError(errors)
    content = report.content
    if not any(e["id"] == str(entry.public_id) for e in content["entries"]):
        content["entries"].append(_entry_snapshot(entry, report.language))
    report.seal(content)
    report.updated_at = now
    report.save(update_fields=["sealed", "updated_at"])
    _log("report.add_medical_entry", report, grant, obj=entry)
    return report


@transaction.atomic
def remove_entry(*, actor, report: Report, entry_id: str, now, grant=None) -> Report:
    if report.state != S.DRAFT:
        raise ValidationError({"state": _("Only a draft can be changed.")})
    content = report.content
    content["entries"] = [e for e in content["entries"] if e["id"] != str(entry_id)]
    report.seal(content)
    report.updated_at = now
    report.save(update_fields=["sealed", "updated_at"])
    _log("report.edit", report, grant)
    return report


# --- The client copy (PR-6) ----------------------------------------------------------------


@transaction.atomic
def mark_ready(*, actor, report: Report, now, grant=None) -> Report:
    """Freeze the text, fix the letter date, store the SHA-256 of the client copy and notify
    the client after the commit. The report counts as "client copy sent" only once that
    mail actually went out (`deliver_client_notice`)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    content = report.content
    errors = {}
    if report.client.user is None or not report.client.user.is_active:
        errors["state"] = _("The client has no portal account: the client copy goes through the portal (PR-6). "
                            "Invite the client first.")
    # Entries may have been marked medical since they were chosen: check again (PR-4).
    medical_now = set(str(i) for i in DossierEntry.objects.filter(
        client=report.client, is_medical=True).values_list("public_id", flat=True))
    entries = [{**e, "medical": e["medical"] or e["id"] in medical_now} for e in content["entries"]]
    errors.update(_check_content(addressee=report.addressee, subject=content["subject"],
                                 sections=content["sections"], entries=entries,
                                 recipient=content.get("recipient", {})))
    errors.update(withdrawn_statement_refusal(report))
    if report.state != S.DRAFT:
        errors["state"] = _("Only a draft can be marked ready.")
    if errors:
        raise ValidationError(errors)
    if content.get("trajectory"):
        content["trajectory"] = trajectory_data(report.trajectory, report.language)
        report.seal(content)
    report.letter_date = timezone.localdate(now)
    report.ready_at = now
    report.signature_required = report.signature_required or report.trajectory.vulnerable  # GC-1.6
    report.pdf_renderer = pdf.RENDERER  # every PDF of this report is rendered so from now on
    report.pdf_sha256 = documents.sha256(documents.render(report))
    _move(report, "ready", fields=["sealed", "letter_date", "ready_at", "pdf_renderer", "pdf_sha256",
                                   "signature_required"])
    _log("report.ready", report, grant)
    report_id = report.pk
    transaction.on_commit(lambda: deliver_client_notice(report_id=report_id, now=now))
    return report


def deliver_client_notice(*, report_id: int, now) -> bool:
    """Send the client's notice (a link, no content, GC-6.3). Only when the mail went out
    does the report become "client copy sent" and the review period start. On failure the
    report stays ready, the coach sees it, and `notify_client` (button, command) retries."""
    from . import emails

    report = Report.objects.select_related("client__user").get(pk=report_id)
    if report.state != S.READY:
        return False
    try:
        emails.client_copy(report)
    except Exception:  # any transport error: the report must not count as delivered
        log.exception("client copy notice for report %s failed", report.public_id)
        Report.objects.filter(pk=report_id).update(notify_failed_at=now)
        return False
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.state != S.READY:
            return False
        report.client_notified_at = now
        report.notify_failed_at = None
        days = policy.current().report_review_working_days
        report.review_until = calendar().add_working_days(timezone.localdate(now), days)
        _move(report, "notified", fields=["client_notified_at", "notify_failed_at", "review_until"])
        _log("report.client_notified", report, basis=Basis.SYSTEM, role="")
    return True


def retry_client_notices(now) -> str | None:
    """PR-6: send the client's notice again for every report still waiting for it (a mail
    server that was down, a process killed before the notice went). Called by run_daily and
    `notify_report_clients`; a report whose notice went is no longer ready, so a second run
    does nothing."""
    delivered = failed = 0
    for report_id in Report.objects.filter(state=S.READY).values_list("pk", flat=True):
        if deliver_client_notice(report_id=report_id, now=now):
            delivered += 1
        else:
            failed += 1
    return f"client notices: {delivered} delivered, {failed} still failing" if delivered or failed else None


def notify_client(*, actor, report: Report, now, grant=None) -> bool:
    """Retry the client's notice of a ready report."""
    if report.state != S.READY:
        raise ValidationError({"state": _("The client's copy was already delivered.")})
    with transaction.atomic():
        _log("report.notify_retry", report, grant)
    return deliver_client_notice(report_id=report.pk, now=now)


# --- The client's answer (PR-6, GC-6.1) ----------------------------------------------------


def _answer(report: Report, *, actor, grant, event: str, now, fields=()):
    if getattr(grant, "basis", None) != Basis.CLIENT or report.client.user_id != actor.pk:
        raise ValidationError({"state": _("Only the client can answer on their own report.")})
    if report.state not in (S.CLIENT_COPY, S.OBJECTED) or not report.can(event):
        raise ValidationError({"state": _("This report is not waiting for your answer.")})
    report.answered_at = now
    report.answered_by = actor
    _move(report, event, fields=["answered_at", "answered_by", *fields])
    _log(f"report.{event}", report, grant)


@transaction.atomic
def approve_report(*, actor, report: Report, now, grant) -> Report:
    if report.signature_required:
        raise ValidationError({"state": _("This report needs your signature: sign it, or object or block it.")})
    _answer(report, actor=actor, grant=grant, event="approve", now=now)
    return report


@transaction.atomic
def sign_report(*, actor, report: Report, document_sha256: str, now, grant) -> Report:
    """An authenticated confirmation: the account, the time and the SHA-256 of the exact PDF
    the client read. A report that changed in between cannot be signed."""
    if (document_sha256 or "").strip().lower() != report.pdf_sha256:
        raise ValidationError({"document_sha256": _("The report changed after you opened it. Open it again "
                                                    "and sign the version you read.")})
    report.signed_sha256 = report.pdf_sha256
    _answer(report, actor=actor, grant=grant, event="sign", now=now, fields=["signed_sha256"])
    return report


@transaction.atomic
def block_report(*, actor, report: Report, now, grant) -> Report:
    """GC-6.1: the client may stop a report, unless the principal may demand it by law."""
    if not report.can_block:
        raise ValidationError({"state": _("%(principal)s may demand this report by law, so it cannot be blocked. "
                                          "You can object in writing; your objection is always sent with the "
                                          "report.") % {"principal": report.trajectory.principal.name}})
    _answer(report, actor=actor, grant=grant, event="block", now=now)
    return report


@transaction.atomic
def object_to_report(*, actor, report: Report, text: str, now, grant) -> Report:
    """GC-6.1: a written objection, attached to the report and always sent with it."""
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError({"text": _("Write your objection (at least 10 characters).")})
    if len(text) > 10000:
        raise ValidationError({"text": _("Keep your objection under 10,000 characters.")})
    report.objection_sealed = SealedJSON.seal(report.client.public_id, {"text": text}, report.aad("objection"))
    report.__dict__.pop("objection", None)
    _answer(report, actor=actor, grant=grant, event="object", now=now, fields=["objection_sealed"])
    return report


# --- New versions --------------------------------------------------------------------------


@transaction.atomic
def revise_report(*, actor, report: Report, now, grant=None) -> Report:
    """A change after the client copy went out is a new version: the old one can no longer
    be sent, and the copy-first rule starts again (PR-6)."""
    if report.state == S.SENT:
        raise ValidationError({"state": _("A sent report cannot be changed.")})
    if report.state == S.DRAFT:
        raise ValidationError({"state": _("A draft can be edited directly.")})
    _move(report, "revise")
    _log("report.supersede", report, grant)
    content = report.content
    new = Report(public_id=uuid.uuid4(), client=report.client, trajectory=report.trajectory, number=report.number,
                 version=report.version + 1, previous=report, kind=report.kind, addressee=report.addressee,
                 language=report.language, signature_required=report.signature_required, created_by=actor,
                 created_at=now, updated_at=now)
    new.seal(content)
    new.save()
    _log("report.create", new, grant)
    return new


# --- Sending -------------------------------------------------------------------------------


@dataclass
class Sent:
    delivery: Delivery
    token: str
    code: str  # shown once to the coach when it goes by phone; never stored in clear


def _store_pdf(report: Report, data: bytes) -> str:
    from coachdossier.clients.actions import _remove_on_rollback

    name = f"{report.client.public_id}/report-{report.public_id}.bin"
    if default_storage.exists(name):
        default_storage.delete(name)
    sealed = crypto.seal(report.client.public_id, data, report.aad("pdf"))
    stored = default_storage.save(name, ContentFile(sealed))
    _remove_on_rollback(stored)
    return stored


def read_sent_pdf(report: Report) -> bytes:
    with default_storage.open(report.sent_storage_name, "rb") as fh:
        return crypto.open_sealed(report.client.public_id, fh.read(), report.aad("pdf"))


def current_pdf(report: Report) -> bytes:
    """The PDF as sent once it is sent; before, as it reads now (the client's copy, or a
    draft's preview dated today)."""
    if report.sent_storage_name:
        return read_sent_pdf(report)
    if report.letter_date is None:
        report.letter_date = timezone.localdate()
    return documents.render(report)


def send_report(*, actor, report: Report, code_channel: str, now, grant=None, recipient_email: str = "") -> Sent:
    """Send to the principal's contact or the company doctor: a link valid for
    `report_link_days`, single use, opened with a one-time code that travels separately.
    The email carries no content (GC-6.3). Refused before the client copy went out, while
    the review period runs, without a required signature, and after a block (PR-6, GC-6.1)."""
    from coachdossier.clients.actions import atomic_files

    refusal = report.send_refusal(now)
    if refusal:
        _log("report.send", report, grant, outcome=Outcome.DENIED)
        raise ValidationError({"state": refusal})
    if code_channel not in Delivery.CodeChannel.values:
        raise ValidationError({"code_channel": _("Choose how the code reaches the recipient.")})
    recipient = dict(report.content.get("recipient") or {})
    if report.addressee == Addressee.PRINCIPAL:
        principal = report.trajectory.principal
        recipient = {"name": principal.contact_name, "organisation": principal.name,
                     "email": principal.contact_email}
    if recipient_email:
        recipient["email"] = recipient_email.strip()
    if not recipient.get("email"):
        raise ValidationError({"recipient_email": _("Give the recipient's email address.")})
    # SendForm's EmailField for the API too: the link would go nowhere.
    if errors := validation.email_errors(recipient_email=recipient["email"]):
        raise ValidationError(errors)
    with atomic_files():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.state != S.SENT:
            data = documents.render(report, final=True)
            report.sent_storage_name = _store_pdf(report, data)
            report.sent_sha256 = documents.sha256(data)
            report.sent_at = now
        _move(report, "send", fields=["sent_storage_name", "sent_sha256", "sent_at"])
        # Earlier links of this report stop working: one valid link at a time.
        report.deliveries.filter(downloaded_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        code = f"{secrets.randbelow(10**6):06d}"
        delivery = Delivery(public_id=uuid.uuid4(), report=report, addressee=report.addressee,
                            token_sha256=Delivery.hash_token(token), code_hmac=Delivery.hash_code(token, code),
                            code_channel=code_channel, sha256=report.sent_sha256, created_by=actor, created_at=now,
                            expires_at=now + datetime.timedelta(days=policy.current().report_link_days))
        delivery.recipient_sealed = SealedJSON.seal(report.client.public_id, recipient, delivery.aad())
        # The mails are queued in this transaction: only the token's hash is kept, so a link
        # mail not written before the commit could never be written again (a kill right after
        # the commit would leave a report "sent" that nobody received). The delivery keeps
        # their outbox rows, so a mail that goes only on a retry still updates it.
        from . import emails

        delivery.link_mail = emails.report_link(delivery, token)
        if delivery.code_channel == Delivery.CodeChannel.EMAIL:
            delivery.code_mail = emails.report_code(delivery, code)
        delivery.save()
        _log("report.send", report, grant)
        _log("report.delivery", report, grant, obj=delivery)  # which link, for the client's copy
        mail_ids = [m.pk for m in (delivery.link_mail, delivery.code_mail) if m is not None]
        delivery_id = delivery.pk
        transaction.on_commit(lambda: deliver_link(delivery_id=delivery_id, mail_ids=mail_ids, now=now))
    return Sent(delivery, token, code)


def deliver_link(*, delivery_id: int, mail_ids: list[int], now) -> bool:
    """Send the queued link mail and (when so chosen) the code in a second, separate mail.
    What does not go now stays in the outbox, and `send_queued_mail` retries it. Each
    attempt's outcome reaches the delivery through `record_mail_outcome`."""
    from coachdossier.accounts import outbox

    for mail_id in mail_ids:
        try:
            went = outbox.deliver_now(mail_id, now)
        except Exception:  # the outcome was not recorded: say so, the queue tries it again
            log.exception("report mail %s for delivery %s failed", mail_id, delivery_id)
            Delivery.objects.filter(pk=delivery_id).update(mail_failed_at=now)
            return False
        if not went:  # recorded as failed, or a queue run holds it and records what it finds
            return False
    return True


# The outbox mails of a delivery: mail name -> (the Delivery field naming the mail, its time sent).
DELIVERY_MAILS = {"report-link": ("link_mail", "link_mailed_at"), "report-code": ("code_mail", "code_mailed_at")}


def record_mail_outcome(*, mail, now) -> None:
    """accounts.outbox.OUTCOME_HOOKS: the outbox recorded an attempt at a report's link or code mail,
    at once after sending or on a later retry. Sent: the delivery's time for that mail is set,
    and its failure cleared once no mail is outstanding; not sent, or given up: the delivery
    shows the failure (PR-6: the coach sees whether the recipient could have the report).
    Runs in the transaction that records the attempt."""
    from coachdossier.accounts.models import MailStatus

    if mail.name not in DELIVERY_MAILS:
        return
    link, sent_at = DELIVERY_MAILS[mail.name]
    for delivery in Delivery.objects.select_for_update().filter(**{link: mail}):
        if mail.status == MailStatus.SENT:
            if getattr(delivery, sent_at) is None:
                setattr(delivery, sent_at, mail.sent_at or now)
            if not delivery.mail_outstanding:
                delivery.mail_failed_at = None
        else:
            delivery.mail_failed_at = now
        delivery.save(update_fields=[sent_at, "mail_failed_at"])


def find_delivery(token: str) -> Delivery | None:
    if not token or len(token) > 100:
        return None
    return (Delivery.objects.select_related("report__client", "report__trajectory__principal")
            .filter(token_sha256=Delivery.hash_token(token)).first())


def download(*, delivery: Delivery, token: str, code: str, now) -> "bytes | _Refused":
    """The recipient opens the link with the code: the PDF, once. Wrong codes count; after
    `MAX_ATTEMPTS` the link locks. Every attempt is in the client's access log. Returns the
    PDF, or a `_Refused` message (the refusal and its count are committed, not rolled back)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("report__client").get(pk=delivery.pk)
        report = delivery.report
        refusal = delivery.refusal(now)
        ok = refusal is None and secrets.compare_digest(Delivery.hash_code(token, code or ""), delivery.code_hmac)
        if ok:
            delivery.downloaded_at = now
            delivery.save(update_fields=["downloaded_at"])
            _log("report.download", report, obj=delivery, basis=Basis.SYSTEM, ref=f"delivery:{delivery.public_id}",
                 role="recipient")
        else:
            _log("report.download", report, obj=delivery, basis=Basis.NONE, role="recipient",
                 outcome=Outcome.DENIED)
            if refusal is None:
                delivery.failed_attempts += 1
                if delivery.failed_attempts >= Delivery.MAX_ATTEMPTS:
                    delivery.locked_at = now
                delivery.save(update_fields=["failed_attempts", "locked_at"])
                security_log.warning("report download: wrong code for delivery %s (%d)", delivery.public_id,
                                     delivery.failed_attempts)
                if delivery.locked_at:
                    refusal = _("Too many wrong codes: this link is now locked. Ask the practice for a new one.")
                else:
                    refusal = _("That code is not right. %(n)d attempts left.") % {
                        "n": Delivery.MAX_ATTEMPTS - delivery.failed_attempts}
    if not ok:
        return _Refused(refusal)
    data = read_sent_pdf(report)
    if documents.sha256(data) != delivery.sha256:  # the stored PDF changed: never serve it
        raise RuntimeError(f"report {report.public_id}: stored PDF does not match its SHA-256")
    return data


class _Refused(str):
    """A wrong code: the count must be committed, so it is returned rather than raised."""


def is_refused(result) -> bool:
    return isinstance(result, _Refused)


# --- Destruction ---------------------------------------------------------------------------


def destroy_for_client(*, client, actor, now):
    """clients.hooks.CLIENT_DESTROYED: the client's reports, deliveries and stored PDFs."""
    names = list(Report.objects.filter(client=client).exclude(sent_storage_name="")
                 .values_list("sent_storage_name", flat=True))
    Delivery.objects.filter(report__client=client).delete()
    Report.objects.filter(client=client).update(previous=None)
    Report.objects.filter(client=client).delete()
    transaction.on_commit(lambda: [default_storage.delete(n) for n in names])
