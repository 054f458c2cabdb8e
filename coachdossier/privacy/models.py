"""Privacy operations: the coach registry, legal holds, retention notices, backups and
signed access-log checkpoints.

The coach registry holds data about the practice's own coaches (not client content), so
its columns are plain. A legal hold's reason may name a court case about the client, so it
is sealed with the client's key like any other client content."""

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.models import Client, SealedJSON

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation

# --- Coach registry (GC-0.3, GC-4.4, GC-4.5) -----------------------------------------------


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    PENDING = "pending", _("registration pending")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("registration ended")


class CoachProfile(models.Model):
    """A coach's entry in the practice's registry: registration with the umbrella
    organisation, annual fees, professional liability insurance, CV, qualifications."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coach = models.OneToOneField(settings.AUTH_USER_MODEL, models.PROTECT, related_name="coach_profile")
    registration_status = models.CharField(_("registration status"), max_length=12,
                                           choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    insurer = models.CharField(_("liability insurer"), max_length=120, blank=True)
    policy_number = models.CharField(_("policy number"), max_length=60, blank=True)
    insurance_expires_on = models.DateField(_("insurance valid until"), null=True, blank=True)
    qualifications = models.TextField(_("qualifications"), blank=True)
    methods = models.TextField(_("methods"), blank=True)
    cv_storage_name = models.CharField(max_length=200, blank=True)
    cv_filename = models.CharField(_("CV file name"), max_length=200, blank=True)
    cv_updated_on = models.DateField(_("CV last updated"), null=True, blank=True)
    # The expiry date a reminder was last sent for, so the daily job reminds once per date.
    insurance_reminded_for = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["coach__full_name"]

    def __str__(self):
        return self.coach.full_name

    def fee_paid_for(self, year: int) -> bool:
        return any(p.year == year for p in self.fees.all())

    def problems(self, today: datetime.date) -> "list[StrOrPromise]":
        """Why this coach is not in good standing today (GC-0.3, GC-4.4, GC-4.5)."""
        problems: list[StrOrPromise] = []
        if self.registration_status != RegistrationStatus.REGISTERED:
            problems.append(_("not registered with the umbrella organisation (%(status)s)")
                            % {"status": self.get_registration_status_display()})
        if not self.fee_paid_for(today.year):
            problems.append(_("annual fee for %(year)s not paid") % {"year": today.year})
        if not self.insurance_expires_on:
            problems.append(_("no professional liability insurance recorded"))
        elif self.insurance_expires_on < today:
            problems.append(_("professional liability insurance expired on %(date)s")
                            % {"date": self.insurance_expires_on.isoformat()})
        return problems


class FeePayment(models.Model):
    profile = models.ForeignKey(CoachProfile, models.CASCADE, related_name="fees")
    year = models.PositiveIntegerField(_("year"))
    paid_on = models.DateField(_("paid on"))

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["profile", "year"], name="one_fee_per_coach_per_year")]


# --- Legal holds and retention (PR-8, GC-5.4) ----------------------------------------------


class LegalHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """A legal duty to keep a dossier (a court case, a claim): destruction waits while it is active."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="legal_holds")
    reason_sealed = models.BinaryField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]

    def aad(self):
        return f"legalhold:{self.public_id}:reason"

    @property
    def reason(self) -> str:
        return SealedJSON.open(self.client.public_id, self.reason_sealed, self.aad()).get("reason", "")


class RetentionNotice(models.Model):
    """Management was told that a dossier will be destroyed on `due_on` (once per due date)."""

    client = models.ForeignKey(Client, models.CASCADE, related_name="+")
    due_on = models.DateField()
    notified_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "due_on"], name="one_notice_per_due_date")]


# --- Backups (GC-5.4, LAW-32) and the daily job --------------------------------------------


class BackupKind(models.TextChoices):
    BACKUP = "backup", _("backup")
    VERIFY = "verify", _("verified restore")
    RESTORE = "restore", _("restore")


class BackupRun(models.Model):
    """What the backup commands did, for the auditor's security report (GC-6.6)."""

    kind = models.CharField(max_length=8, choices=BackupKind.choices)
    at = models.DateTimeField()
    ok = models.BooleanField()
    location = models.CharField(max_length=500)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]


class LogVerification(models.Model):
    """The result of each access-log verification by the daily job (GC-6.6)."""

    at = models.DateTimeField()
    ok = models.BooleanField()
    checked = models.BigIntegerField()
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]


# --- Signed checkpoints of the access log (RFC 6962 model) ----------------------------------


class Checkpoint(models.Model):
    """A signed statement "the access log had `size` entries and its head hash was `head_hash`
    at `at`". Outsiders keep them; a later rewrite of history no longer matches."""

    size = models.BigIntegerField()  # the sequence number of the last entry covered
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    key_id = models.CharField(max_length=16)  # first 16 hex of SHA-256 of the public key
    signature = models.CharField(max_length=128)  # hex Ed25519 signature over `statement()`

    class Meta:
        ordering = ["size", "at"]

    def statement(self) -> bytes:
        return checkpoint_statement(self.size, self.head_hash, self.at)


def checkpoint_statement(size: int, head_hash: str, at: datetime.datetime) -> bytes:
    stamp = at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"coachdossier access log checkpoint v1\nsize {size}\nhead {head_hash}\nat {stamp}\n".encode()


# --- Hand-over to UWV (PR-R4) ------------------------------------------------------------


class Handover(models.Model):
    """A hand-over package for UWV at the end of a UWV trajectory: the zip (sealed with the
    client's key, so it is shredded with them), its SHA-256, and its delivery."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="handovers")
    trajectory = models.ForeignKey("clients.Trajectory", models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    storage_name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    file_count = models.PositiveIntegerField()
    export_source = models.CharField(max_length=32)  # "portal.export" or "privacy.handover"
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    delivery_sealed = models.BinaryField(default=b"")  # how and to whom (sealed: may name a UWV employee)

    class Meta:
        ordering = ["-created_at"]

    def aad(self, part: str) -> str:
        return f"handover:{self.public_id}:{part}"

    @property
    def delivery(self) -> dict:
        if not self.delivery_sealed:
            return {}
        return SealedJSON.open(self.client.public_id, self.delivery_sealed, self.aad("delivery"))


# --- Registers: confidentiality breaches (GC-6.5), data breaches (LAW-33), processors, DPIA --


class LegalGround(models.TextChoices):
    DANGER = "danger", _("direct danger to the client or others")
    LAW = "law", _("a legal duty")
    COURT = "court", _("a court order")


class ConfidentialityBreach(models.Model):
    """GC-6.5: secrecy broken as a last resort. The client sees the entry in the portal
    unless telling them would cause acute danger."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="confidentiality_breaches")
    occurred_on = models.DateField(_("date"))
    legal_ground = models.CharField(_("legal ground"), max_length=8, choices=LegalGround.choices)
    # reason, recipient, shared (what was shared), why_not_told
    sealed = models.BinaryField()
    client_informed = models.BooleanField(_("client informed"), default=False)
    informed_on = models.DateField(_("informed on"), null=True, blank=True)
    acute_danger = models.BooleanField(_("telling the client would cause acute danger"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-recorded_at"]

    def aad(self):
        return f"confidentiality:{self.public_id}"

    @property
    def details(self) -> dict:
        return SealedJSON.open(self.client.public_id, self.sealed, self.aad())


class BreachDecision(models.TextChoices):
    PENDING = "pending", _("decision pending")
    NOTIFIED = "notified", _("authority notified")
    NOT_REQUIRED = "not_required", _("no notification required")


class DataBreachQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class DataBreach(models.Model):
    """LAW-33 (AVG art. 33-34): every personal-data breach, with the 72-hour clock from its
    discovery for the decision to notify the Autoriteit Persoonsgegevens."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    discovered_at = models.DateTimeField(_("discovered at"))
    title = models.CharField(_("incident"), max_length=200)
    description = models.TextField(_("what happened"))
    data_affected = models.TextField(_("data affected"))
    people_affected = models.TextField(_("people affected (groups and numbers)"))
    measures = models.TextField(_("measures taken"), blank=True)
    decision = models.CharField(_("notification of the authority"), max_length=12, choices=BreachDecision.choices,
                                default=BreachDecision.PENDING)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=60, blank=True)
    # AVG art. 33(5): the decision is documented, with when it was taken and by whom; its time
    # against the 72 hours shows whether the practice decided in time.
    decided_at = models.DateTimeField(_("decision taken at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reminded_stage = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = DataBreachQuerySet.as_manager()

    class Meta:
        ordering = ["-discovered_at"]

    def deadline(self, hours: int) -> datetime.datetime:
        return self.discovered_at + datetime.timedelta(hours=hours)

    def is_late(self, now, hours: int) -> bool:
        """LAW-33 (AVG art. 33(1)): the decision, and a notification, are due within `hours` of
        discovery. A pending decision is late once the deadline passed; a decision taken after
        it is late whatever it was, "no notification required" too. A decision recorded before
        its time was kept (no `decided_at`) is judged by the notification alone."""
        if self.decision == BreachDecision.PENDING:
            return now > self.deadline(hours)
        moments = [m for m in (self.decided_at, self.authority_notified_at) if m]
        return bool(moments) and max(moments) > self.deadline(hours)


class BreachNotice(models.Model):
    """A client affected by a data breach and when they were told (AVG art. 34)."""

    breach = models.ForeignKey(DataBreach, models.CASCADE, related_name="notices")
    client = models.ForeignKey(Client, models.CASCADE, related_name="+")
    notified_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["breach", "client"], name="one_notice_per_client")]


class Processor(models.Model):
    """A processor (hosting, mail) and its processor agreement (AVG art. 28)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("processor"), max_length=200)
    service = models.CharField(_("service"), max_length=200)
    agreement_reference = models.CharField(_("processor agreement (reference)"), max_length=200)
    agreement_date = models.DateField(_("agreement signed on"))
    location = models.CharField(_("where the data is processed"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]


class Dpia(models.Model):
    """The data protection impact assessment, kept in the system and tied to the inventory it
    assessed (by the inventory's fingerprint)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=20)
    approved_on = models.DateField(_("approved on"))
    storage_name = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    inventory_fingerprint = models.CharField(max_length=16)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-approved_on", "-uploaded_at"]


class LogReviewNotice(models.Model):
    """The monthly log review was announced to management and the auditor (once per month)."""

    month = models.DateField(unique=True)  # the first day of the month reviewed
    sent_at = models.DateTimeField()
    flags = models.PositiveIntegerField()
