"""The data inventory (LAW-30, GC-9.5): every field of every coachdossier model that can
hold personal data, with its category and how it is protected. The processing register is
generated from it, and the DPIA refers to it (by its fingerprint).

The rule, enforced by test_inventory.py, for every concrete field of every model in a
coachdossier app:

- these kinds are classified automatically, because they cannot carry personal data of
  their own: primary keys and `public_id` UUIDs, foreign keys (a link: the personal data
  is in the row linked to), booleans, fields with choices (types and statuses), integer and
  decimal counts, and DateTimeFields (when the system did something);
- every other field (text, email, binary, date, IP address, JSON, file) must be listed in
  FIELDS below, or in a `FIELDS` dict in `<app>/inventory.py` of its own app, either with
  a category and a protection level, or as NOT_PERSONAL with a reason.

A new text field that is in neither fails the test: whoever adds it decides what it is."""

import hashlib
import json
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation

# Categories of personal data (AVG art. 30(1)(c)).
IDENTITY = "identity"  # name, date of birth, BSN, reference
CONTACT = "contact"  # address, email, phone
DOSSIER = "dossier"  # coaching notes, goals, reports, consents: client content
HEALTH = "health"  # special category (AVG art. 9): medical entries, measurements
DOSSIER_DATES = "dossier_dates"  # when sessions, entries and trajectories happened
STAFF = "staff"  # the practice's own people: accounts, coach registry
PRINCIPAL = "principal"  # contact persons at UWV, municipalities, employers
LOGGING = "logging"  # access log: who did what, from where
SECURITY = "security"  # password hashes, key material, tokens
INCIDENT = "incident"  # descriptions of data breaches (may name groups of people)
COMPLAINT = "complaint"  # complaints about the practice: the complaint, letters, dates

CATEGORY_LABELS = {
    IDENTITY: _("identification data"), CONTACT: _("contact details"), DOSSIER: _("dossier content"),
    HEALTH: _("health data (special category)"), DOSSIER_DATES: _("dates of the coaching"),
    STAFF: _("staff and coach registry data"), PRINCIPAL: _("contact persons of principals"),
    LOGGING: _("access-log data"), SECURITY: _("authentication and key material"),
    INCIDENT: _("data-breach descriptions"), COMPLAINT: _("complaint files"),
}

# Protection levels.
SEALED = "sealed"  # AES-256-GCM with the client's own key (crypto-shredded on destruction)
WRAPPED = "wrapped"  # key material wrapped by the master key, in the separate key store
HASHED = "hashed"  # only a hash or keyed hash is stored
RESTRICTED = "restricted"  # plain column, reachable only through the access policy / role pages
APPEND_ONLY = "append_only"  # plain column in the hash-chained, append-only access log

PROTECTION_LABELS = {
    SEALED: _("encrypted with the client's own key"), WRAPPED: _("wrapped key in the separate key store"),
    HASHED: _("stored as a hash only"), RESTRICTED: _("plain, behind the access policy and roles"),
    APPEND_ONLY: _("plain, in the append-only hash-chained access log"),
}


@dataclass(frozen=True)
class Tag:
    category: str
    protection: str


@dataclass(frozen=True)
class NotPersonal:
    reason: str


NOT_PERSONAL = NotPersonal


FIELDS = {
    # accounts
    "accounts.User.password": Tag(SECURITY, HASHED),
    "accounts.User.email": Tag(STAFF, RESTRICTED),
    "accounts.User.full_name": Tag(STAFF, RESTRICTED),
    "accounts.User.last_login": Tag(LOGGING, RESTRICTED),
    "accounts.ConfidentialityAcceptance.version": NotPersonal("version of the statement text"),
    "accounts.ConfidentialityAcceptance.text_sha256": NotPersonal("hash of the statement text"),
    "accounts.ConfidentialityAcceptance.ip": Tag(LOGGING, RESTRICTED),
    "accounts.ApiToken.name": NotPersonal("label the user gives the token"),
    "accounts.ApiToken.digest": Tag(SECURITY, HASHED),
    "accounts.ApiToken.hint": Tag(SECURITY, RESTRICTED),
    # the outbox: a notice and a link (GC-6.3), but it may name a client's reference or a staff
    # member, and it holds the recipients' addresses; sent mail is forgotten after 30 days, and a
    # client's mail at once when their dossier is destroyed (found by client_ref, GC-5.4)
    "accounts.OutgoingMail.name": NotPersonal("the name of the mail template"),
    "accounts.OutgoingMail.to": Tag(CONTACT, RESTRICTED),
    "accounts.OutgoingMail.from_email": NotPersonal("the practice's sender address"),
    "accounts.OutgoingMail.subject": Tag(IDENTITY, RESTRICTED),
    "accounts.OutgoingMail.body": Tag(IDENTITY, RESTRICTED),
    "accounts.OutgoingMail.html": Tag(IDENTITY, RESTRICTED),
    "accounts.OutgoingMail.last_error": Tag(CONTACT, RESTRICTED),
    "accounts.OutgoingMail.client_ref": Tag(IDENTITY, RESTRICTED),
    # audit
    "audit.AccessLogEntry.role": Tag(LOGGING, APPEND_ONLY),
    "audit.AccessLogEntry.action": Tag(LOGGING, APPEND_ONLY),
    "audit.AccessLogEntry.object_type": NotPersonal("model name"),
    "audit.AccessLogEntry.object_ref": Tag(LOGGING, APPEND_ONLY),
    "audit.AccessLogEntry.client_ref": Tag(LOGGING, APPEND_ONLY),
    "audit.AccessLogEntry.basis_ref": Tag(LOGGING, APPEND_ONLY),
    "audit.AccessLogEntry.channel": NotPersonal("web, api, command or job"),
    "audit.AccessLogEntry.ip": Tag(LOGGING, APPEND_ONLY),
    "audit.AccessLogEntry.user_agent": Tag(LOGGING, APPEND_ONLY),
    "audit.AccessLogEntry.prev_hash": NotPersonal("hash chain"),
    "audit.AccessLogEntry.hash": NotPersonal("hash chain"),
    "audit.ChainHead.hash": NotPersonal("hash chain"),
    "audit.ChainHead.base_hash": NotPersonal("hash chain"),
    # clients
    "clients.ClientKey.client_ref": Tag(SECURITY, WRAPPED),
    "clients.ClientKey.master_key_id": NotPersonal("name of the master key"),
    "clients.ClientKey.wrapped": Tag(SECURITY, WRAPPED),
    "clients.Principal.name": NotPersonal("organisation name"),
    "clients.Principal.contact_name": Tag(PRINCIPAL, RESTRICTED),
    "clients.Principal.contact_email": Tag(PRINCIPAL, RESTRICTED),
    "clients.Principal.contact_phone": Tag(PRINCIPAL, RESTRICTED),
    "clients.Principal.address": NotPersonal("the organisation's postal address"),
    "clients.Client.reference": Tag(IDENTITY, RESTRICTED),
    "clients.Client.name_sealed": Tag(IDENTITY, SEALED),
    "clients.Client.personal_sealed": Tag(CONTACT, SEALED),
    "clients.ClientSearchToken.token": Tag(IDENTITY, HASHED),
    "clients.Trajectory.uwv_order_number": Tag(IDENTITY, RESTRICTED),
    "clients.Trajectory.agreement_date": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.Trajectory.opened_on": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.Trajectory.activated_on": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.Trajectory.closed_on": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.Trajectory.retention_until": Tag(DOSSIER_DATES, RESTRICTED),
    # Earlier and later terms as text: an order number (identifying), hours, a date, a marker,
    # a coach's name; tagged as the most identifying of them.
    "clients.TrajectoryChange.old": Tag(IDENTITY, RESTRICTED),
    "clients.TrajectoryChange.new": Tag(IDENTITY, RESTRICTED),
    "clients.Goal.sealed": Tag(DOSSIER, SEALED),
    "clients.CoachingSession.date": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.DossierEntry.occurred_on": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.DossierEntry.idempotency_key_sha256": NotPersonal("hash of a random one-time request key, no content"),
    "clients.EntryVersion.sealed": Tag(DOSSIER, SEALED),
    "clients.Attachment.name_sealed": Tag(DOSSIER, SEALED),
    "clients.Attachment.content_type": NotPersonal("file type"),
    "clients.Attachment.storage_name": NotPersonal("random file name; the file itself is sealed"),
    "clients.Consent.sealed": Tag(DOSSIER, SEALED),
    "clients.BreakGlass.reason_sealed": Tag(DOSSIER, SEALED),
    "clients.Consent.valid_from": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.Consent.valid_until": Tag(DOSSIER_DATES, RESTRICTED),
    "clients.Consent.umbrella_approved_on": Tag(DOSSIER_DATES, RESTRICTED),
    # privacy
    "privacy.CoachProfile.registration_number": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.registered_on": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.insurer": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.policy_number": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.insurance_expires_on": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.qualifications": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.methods": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.cv_storage_name": NotPersonal("random file name"),
    "privacy.CoachProfile.cv_filename": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.cv_updated_on": Tag(STAFF, RESTRICTED),
    "privacy.CoachProfile.insurance_reminded_for": NotPersonal("bookkeeping of the reminder job"),
    "privacy.FeePayment.paid_on": Tag(STAFF, RESTRICTED),
    "privacy.LegalHold.reason_sealed": Tag(DOSSIER, SEALED),
    "privacy.RetentionNotice.due_on": Tag(DOSSIER_DATES, RESTRICTED),
    "privacy.BackupRun.location": NotPersonal("a directory"),
    "privacy.BackupRun.detail": NotPersonal("technical result"),
    "privacy.LogVerification.problem": NotPersonal("technical result"),
    "privacy.Checkpoint.head_hash": NotPersonal("hash chain"),
    "privacy.Checkpoint.key_id": NotPersonal("key fingerprint"),
    "privacy.Checkpoint.signature": NotPersonal("signature"),
    "privacy.Handover.storage_name": NotPersonal("random file name; the package is sealed"),
    "privacy.Handover.sha256": NotPersonal("hash of the sealed package"),
    "privacy.Handover.export_source": NotPersonal("which export built the package"),
    "privacy.Handover.delivery_sealed": Tag(DOSSIER, SEALED),
    "privacy.ConfidentialityBreach.occurred_on": Tag(DOSSIER_DATES, RESTRICTED),
    "privacy.ConfidentialityBreach.sealed": Tag(DOSSIER, SEALED),
    "privacy.ConfidentialityBreach.informed_on": Tag(DOSSIER_DATES, RESTRICTED),
    "privacy.DataBreach.title": Tag(INCIDENT, RESTRICTED),
    "privacy.DataBreach.description": Tag(INCIDENT, RESTRICTED),
    "privacy.DataBreach.data_affected": Tag(INCIDENT, RESTRICTED),
    "privacy.DataBreach.people_affected": Tag(INCIDENT, RESTRICTED),
    "privacy.DataBreach.measures": Tag(INCIDENT, RESTRICTED),
    "privacy.DataBreach.decision_reason": Tag(INCIDENT, RESTRICTED),
    "privacy.DataBreach.authority_reference": NotPersonal("the authority's case number"),
    "privacy.BreachNotice.notified_on": Tag(DOSSIER_DATES, RESTRICTED),
    "privacy.Processor.name": NotPersonal("organisation"),
    "privacy.Processor.service": NotPersonal("service description"),
    "privacy.Processor.agreement_reference": NotPersonal("document reference"),
    "privacy.Processor.agreement_date": NotPersonal("date of an agreement between organisations"),
    "privacy.Processor.location": NotPersonal("country or data centre"),
    "privacy.Dpia.title": NotPersonal("document title"),
    "privacy.Dpia.version": NotPersonal("document version"),
    "privacy.Dpia.approved_on": NotPersonal("document date"),
    "privacy.Dpia.storage_name": NotPersonal("random file name"),
    "privacy.Dpia.filename": NotPersonal("document file name"),
    "privacy.Dpia.inventory_fingerprint": NotPersonal("hash of the inventory"),
    "privacy.LogReviewNotice.month": NotPersonal("the month reviewed"),
}

# The other apps' fields, kept here until each app keeps its own `<app>/inventory.py`. A tag
# for a model that is not installed is ignored (see `stale`).
FIELDS.update({
    "complaints.ClosureDay.date": NotPersonal("a day the practice is closed"),
    "complaints.ClosureDay.description": NotPersonal("why the practice is closed"),
    "complaints.Complaint.number": Tag(COMPLAINT, RESTRICTED),
    **{f"complaints.Complaint.{name}": Tag(COMPLAINT, RESTRICTED) for name in (
        "acknowledged_on", "admission_decided_on", "aftercare_done_on", "answered_on", "closed_on", "extended_to",
        "extension_recorded_on", "mediation_on", "received_on", "registered_on", "ruling_communicated_on",
        "ruling_on")},
    "complaints.Complaint.sealed": Tag(COMPLAINT, SEALED),
    "complaints.Complaint.idempotency_key_sha256": NotPersonal("hash of a random one-time request key, no content"),
    "complaints.ComplaintEvent.sealed_note": Tag(COMPLAINT, SEALED),
    # KR-3.3e: a step's codes (outcome, ruling, new date, whether a call reached the complainant):
    # the same facts as the complaint's own plain columns, no free text.
    "complaints.ComplaintEvent.params": Tag(COMPLAINT, RESTRICTED),
    "complaints.ComplaintKey.complaint_ref": Tag(SECURITY, WRAPPED),
    "complaints.ComplaintKey.master_key_id": NotPersonal("name of the master key"),
    "complaints.ComplaintKey.wrapped": Tag(SECURITY, WRAPPED),
    "complaints.Document.content_type": NotPersonal("file type"),
    "complaints.Document.name_sealed": Tag(COMPLAINT, SEALED),
    "complaints.Document.storage_name": NotPersonal("random file name; the file itself is sealed"),
    "complaints.Letter.date": Tag(COMPLAINT, RESTRICTED),
    "complaints.Letter.sealed": Tag(COMPLAINT, SEALED),
    "complaints.LetterTemplate.body": NotPersonal("letter template"),
    "complaints.LetterTemplate.language": NotPersonal("language code"),
    "complaints.LetterTemplate.subject": NotPersonal("letter template"),
    "complaints.ProcedureNotice.document_sha256": NotPersonal("hash of the procedure document"),
    "complaints.ProcedureNotice.recipient_sha256": Tag(CONTACT, HASHED),
    "complaints.Reminder.clock": NotPersonal("which deadline"),
    "complaints.Reminder.day": NotPersonal("bookkeeping of the reminder job"),
    "measurements.MeasurementSession.measured_on": Tag(DOSSIER_DATES, RESTRICTED),
    **{f"measurements.MeasurementSession.{name}": Tag(HEALTH, SEALED) for name in (
        "conclusions_sealed", "hrv_sealed", "report_name_sealed", "rr_name_sealed", "values_sealed")},
    "measurements.MeasurementSession.report_storage_name": NotPersonal("random file name; the file is sealed"),
    "measurements.MeasurementSession.rr_storage_name": NotPersonal("random file name; the file is sealed"),
    "portal.ClientRequest.deadline": Tag(DOSSIER_DATES, RESTRICTED),
    "portal.ClientRequest.received_on": Tag(DOSSIER_DATES, RESTRICTED),
    "portal.ClientRequest.sealed": Tag(DOSSIER, SEALED),
    "portal.ConsentProposal.valid_from": Tag(DOSSIER_DATES, RESTRICTED),
    "portal.ConsentProposal.valid_until": Tag(DOSSIER_DATES, RESTRICTED),
    "portal.Invitation.digest": Tag(SECURITY, HASHED),
    "portal.Message.body_sealed": Tag(DOSSIER, SEALED),
    "portal.RecipientNotice.recipient_sealed": Tag(DOSSIER, SEALED),
    "portal.RequestEvent.note_sealed": Tag(DOSSIER, SEALED),
    "portal.RequestEvent.step": NotPersonal("a step of the request's procedure"),
    "questionnaires.Administration.answers_sealed": Tag(HEALTH, SEALED),
    "questionnaires.Administration.result_sealed": Tag(HEALTH, SEALED),
    "questionnaires.Administration.idempotency_key_sha256": NotPersonal(
        "hash of a random one-time request key, no content"),
    **{f"questionnaires.QuestionnaireDefinition.{name}": NotPersonal("the questionnaire's definition") for name in (
        "checksum", "key", "source", "title_en", "title_nl", "version")},
    "reports.Delivery.code_hmac": Tag(SECURITY, HASHED),
    "reports.Delivery.recipient_sealed": Tag(DOSSIER, SEALED),
    "reports.Delivery.sha256": NotPersonal("hash of the delivered PDF"),
    "reports.Delivery.token_sha256": Tag(SECURITY, HASHED),
    "reports.Report.letter_date": Tag(DOSSIER_DATES, RESTRICTED),
    "reports.Report.review_until": Tag(DOSSIER_DATES, RESTRICTED),
    "reports.Report.objection_sealed": Tag(DOSSIER, SEALED),
    "reports.Report.sealed": Tag(DOSSIER, SEALED),
    **{f"reports.Report.{name}": NotPersonal("hash of a report PDF") for name in (
        "pdf_sha256", "sent_sha256", "signed_sha256")},
    "reports.Report.sent_storage_name": NotPersonal("random file name; the file is sealed"),
})

AUTOMATIC = (models.AutoField, models.BigAutoField, models.ForeignKey, models.OneToOneField, models.BooleanField,
             models.IntegerField, models.DecimalField, models.DateTimeField)


def _app_fields() -> dict:
    """FIELDS here plus every app's own `<app>/inventory.py` FIELDS."""
    fields = dict(FIELDS)
    for config in apps.get_app_configs():
        if not config.name.startswith("coachdossier.") or config.label == "privacy":
            continue
        try:
            module = import_module(f"{config.name}.inventory")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.inventory":
                raise
            continue
        fields.update(getattr(module, "FIELDS", {}))
    return fields


def is_automatic(field) -> bool:
    if field.choices or field.name == "public_id" or field.primary_key and not isinstance(field, models.UUIDField):
        return True
    return isinstance(field, AUTOMATIC)


def project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("coachdossier.")]


def key(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def untagged() -> list[str]:
    """Fields that the rule above says must be tagged and are not."""
    fields = _app_fields()
    return sorted(key(m, f) for m in project_models() for f in m._meta.concrete_fields
                  if not is_automatic(f) and key(m, f) not in fields)


def stale() -> list[str]:
    """Tags for fields of installed models that no longer exist (so the inventory does not rot).
    Tags for a model that is not installed (an app not merged yet) are ignored."""
    models_by_label = {m._meta.label: m for m in project_models()}
    existing = {key(m, f) for m in models_by_label.values() for f in m._meta.concrete_fields}
    return sorted(k for k in _app_fields() if k.rsplit(".", 1)[0] in models_by_label and k not in existing)


def personal_fields() -> list[tuple[str, Tag]]:
    """The tagged fields of the models installed here."""
    installed = {m._meta.label for m in project_models()}
    return sorted((k, t) for k, t in _app_fields().items() if isinstance(t, Tag) and k.rsplit(".", 1)[0] in installed)


def fingerprint() -> str:
    """Changes whenever a personal field, its category or its protection changes: the DPIA
    records the fingerprint it assessed, so a changed inventory shows as 'DPIA to review'."""
    data = [(k, t.category, t.protection) for k, t in personal_fields()]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


# --- Processing activities (LAW-30): the register is generated from these and the fields above. ---


@dataclass(frozen=True)
class Activity:
    name: "StrOrPromise"
    purpose: "StrOrPromise"
    legal_basis: "StrOrPromise"
    subjects: "StrOrPromise"
    categories: tuple
    recipients: "StrOrPromise"
    retention: "StrOrPromise"  # a format string over the policy's terms


ACTIVITIES = [
    Activity(_("Coaching and re-integration dossiers"),
             _("(1) Guiding the client back to work and (2) reporting to the principal or the company doctor "
               "(GC-9.2, PR-1); the dossier the code of conduct requires (GC-5)."),
             _("Agreement (AVG art. 6(1)(b)); legal obligation towards UWV (6(1)(c)); health data: art. 9(2)(h) and "
               "UAVG art. 30"),
             _("clients"), (IDENTITY, CONTACT, DOSSIER, HEALTH, DOSSIER_DATES),
             _("the client; the principal (UWV, municipality, employer) only reports the client approved or the law "
               "demands; UWV at the end of a UWV trajectory (hand-over)"),
             _("{retention_years} years after the trajectory closes (PR-8), then destroyed")),
    Activity(_("Principals and their contact persons"), _("Agreeing and reporting on trajectories."),
             _("Legitimate interest (AVG art. 6(1)(f))"), _("contact persons of principals"), (PRINCIPAL,),
             _("none"), _("as long as the principal relationship lasts")),
    Activity(_("Staff accounts and coach registry"),
             _("Access to the system; showing that coaches are registered and insured (GC-0.3, GC-4.4)."),
             _("Agreement with staff (6(1)(b)); legal obligation (6(1)(c))"), _("staff and coaches"),
             (STAFF, SECURITY), _("the umbrella organisation's auditor (registry standing)"),
             _("as long as the person works for the practice")),
    Activity(_("Complaints handling"), _("Handling complaints about the practice (KR, Wkkgz)."),
             _("Legal obligation (6(1)(c))"), _("clients and their representatives"), (COMPLAINT,),
             _("the complaints committee when the complaint goes to it"), _("as long as the dossier is kept")),
    Activity(_("Incident handling"), _("Documenting data breaches and notifying the authority (AVG art. 33)."),
             _("Legal obligation (6(1)(c))"), _("people affected by a breach"), (INCIDENT,),
             _("the Autoriteit Persoonsgegevens when notification is required"), _("5 years after closing")),
    # Kept the term and no longer: the daily job prunes what is older (privacy.daily).
    Activity(_("Access logging"), _("Showing who saw which dossier (NEN 7513) and detecting misuse."),
             _("Legal obligation (6(1)(c)); NEN 7513"), _("clients and staff"), (LOGGING,),
             _("the client (their own log); the umbrella auditor (checkpoints, no content)"),
             _("{access_log_retention_years} years (NEN 7513), then removed by the daily job")),
    # GC-6.9 and GC-6.8 (privacy/exports.py): made from the dossier for one download, never stored.
    Activity(_("Supervision and intervision case summaries"),
             _("Discussing a case in supervision or intervision (GC-6.9): the coach chooses entries (never medical "
               "ones) and downloads a summary in which names, places, dates, numbers and every identifier the system "
               "knows are replaced, dates given by the month. Pseudonymised, not anonymous; identifiable only with "
               "the client's consent."),
             _("Legitimate interest in the quality of the coaching (AVG art. 6(1)(f)); an identifiable summary: the "
               "client's consent (6(1)(a))"),
             _("clients"), (DOSSIER, DOSSIER_DATES),
             _("the coach's supervisor or intervision group"),
             _("not kept in the system: made for one download; the access log records that it was made, without "
               "content")),
    Activity(_("Research and education datasets"),
             _("Science and education (GC-6.8): one row per dossier entry (never medical ones) of the clients who "
               "consented, under a random pseudonym per export, dates coarsened to the month or shifted by a random "
               "offset per client, free text de-identified. Pseudonymised, not anonymous."),
             _("The client's written consent (AVG art. 6(1)(a), for health data in notes 9(2)(a)) and the umbrella "
               "organisation's written approval (GC-6.8)"),
             _("clients who consented"), (DOSSIER, DOSSIER_DATES),
             _("researchers and educators, with the umbrella organisation's approval"),
             _("not kept in the system: made for one download (CSV or JSON); the access log records each exported "
               "client, without content")),
]


def controller() -> dict:
    """AVG art. 30(1)(a): the controller, the practice itself, with its contact details (the
    policy file's identity, as on every letter)."""
    from coachdossier import policy

    p = policy.current()
    return {"name": p.practice_name, "address": list(p.practice_address), "phone": p.practice_phone,
            "email": p.practice_email}


def security_measures() -> list["StrOrPromise"]:
    """AVG art. 30(1)(g): a general description of the technical and organisational measures
    (art. 32), from what the system does; the security report shows their current state."""
    sealed = sum(1 for _name, tag in personal_fields() if tag.protection == SEALED)
    return [
        _("Client content (%(count)s fields) is encrypted with a key of the client's own; that key is kept "
          "wrapped by a master key in a separate key store and is destroyed with the dossier (PR-8).")
        % {"count": sealed},
        _("Every staff account signs in with two-step verification and signs the confidentiality statement "
          "before its first access (LAW-32, PR-R1-R2)."),
        _("A dossier is reached only through a relationship with the client (their coach, a substitute, a "
          "referral) or a role's narrow task; emergency access is logged with its reason (GC-2.3, PR-7)."),
        _("Every read and change of a dossier is written to an append-only, hash-chained access log that is "
          "verified and signed every day; the client can see who looked (NEN 7513)."),
        _("Backups are made, verified and restored on test; passwords, tokens and codes are kept as hashes "
          "only; mails carry a notice and a link, never dossier content (LAW-32, GC-6.3)."),
    ]


def register() -> list[dict]:
    """The processing register, generated: each activity with the concrete fields (and their
    protection) in its categories."""
    from coachdossier import policy

    terms = policy.current()
    by_category: dict[str, list] = {}
    for field_key, tag in personal_fields():
        by_category.setdefault(tag.category, []).append((field_key, tag.protection))
    rows = []
    for activity in ACTIVITIES:
        rows.append({
            "activity": activity,
            "categories": [(CATEGORY_LABELS[c], by_category.get(c, [])) for c in activity.categories],
            "retention": str(activity.retention).format(retention_years=terms.retention_years,
                                                        access_log_retention_years=terms.access_log_retention_years),
        })
    return rows
