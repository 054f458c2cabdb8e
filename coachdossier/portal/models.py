"""The client portal: invitations, the client's tracked requests (copy, correction,
destruction), secure messages and the communication agreement.

Content (what a request is about, reasons, message bodies, recipient names) is sealed with
the client's key; plain columns hold only kinds, statuses and dates. Destroying a client
keeps the requests as a tombstone (GC-5.4: "the request itself is kept") with their
dates and statuses, and nothing else.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.models import default_language
from coachdossier.clients.models import Client, Consent, DossierEntry, SealedJSON


def _open(client, blob, aad) -> dict:
    if not blob or client.destroyed_at:
        return {}
    return SealedJSON.open(client.public_id, blob, aad)


# --- Invitations ---------------------------------------------------------------------------


class InvitationQuerySet(models.QuerySet):
    def pending(self, now):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A one-time link to the portal. Only the SHA-256 of the token is stored; sending a
    new invitation revokes the earlier ones."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The client's language, chosen by who invites her: the invitation is written in it, and her
    # account keeps it (User.language).
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=default_language)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def is_usable(self, now) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


# --- Requests ------------------------------------------------------------------------------

# Free text a client writes, as long as the page's form allows, for every caller (the API too).
CORRECTION_PROPOSED_MAX_LENGTH = 5_000
CORRECTION_REASON_MAX_LENGTH = 2_000
STATEMENT_TITLE_MAX_LENGTH = 200
STATEMENT_TEXT_MAX_LENGTH = 20_000


class RequestKind(models.TextChoices):
    COPY = "copy", _("Copy of the dossier")
    CORRECTION = "correction", _("Correction")
    DESTRUCTION = "destruction", _("Destruction of the dossier")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")
    BLOCKED = "blocked", _("Blocked by a legal duty to keep")
    # GC-5.4, PR-8: the dossier was destroyed (on request or at the end of the retention term)
    # while this request was open; there is nothing left to copy or correct.
    DOSSIER_DESTROYED = "dossier_destroyed", _("Closed: the dossier was destroyed")
    # GC-1.3: the client changed her mind before it was handled.
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS)


class RequestChannel(models.TextChoices):
    PORTAL = "portal", _("In the portal")
    LETTER = "letter", _("By letter")
    API = "api", _("Through the API")


class ClientRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_clients(self, clients):
        return self.filter(client__in=clients)

    def destruction_register(self, visible_clients):
        """GC-5.4: every destruction request of the clients given, and the tombstones of
        dossiers already destroyed (dates and who executed them), newest first."""
        return (self.filter(kind=RequestKind.DESTRUCTION)
                .filter(Q(client__in=visible_clients) | Q(client__destroyed_at__isnull=False))
                .select_related("client", "closed_by").order_by("-received_on", "-pk"))  # -pk: a fixed order to page

    def due_for_reminder(self, today, days_before: int):
        """Open requests whose deadline is within `days_before` days (or past) and that have
        not been reminded for that stage yet."""
        import datetime

        soon = today + datetime.timedelta(days=days_before)
        return self.open().filter(
            Q(deadline__lte=soon, reminder_stage__lt=1) | Q(deadline__lt=today, reminder_stage__lt=2))


class ClientRequest(models.Model):
    """A request the client made under GC-5.1/5.3/5.4 and AVG art. 15–17, with its receipt
    date, legal deadline and a status the client can follow."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="requests")
    kind = models.CharField(_("type"), max_length=16, choices=RequestKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED)
    channel = models.CharField(_("received"), max_length=8, choices=RequestChannel.choices)
    received_on = models.DateField(_("received on"))
    deadline = models.DateField(_("deadline"))
    # Correction: the entry concerned (None: personal data). The wording is in `sealed`.
    entry = models.ForeignKey(DossierEntry, models.SET_NULL, null=True, blank=True, related_name="+")
    # {"field", "proposed", "reason", "identity_check", "decision_reason", "redaction_reason",
    #  "redacted": [entry public ids], "blocked_reason"}
    sealed = models.BinaryField(default=b"")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                  related_name="+")
    reminder_stage = models.PositiveSmallIntegerField(default=0)  # 1: due soon sent, 2: overdue sent

    objects = ClientRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def aad(self):
        return f"request:{self.public_id}:details"

    @cached_property
    def details(self) -> dict:
        return _open(self.client, self.sealed, self.aad())

    def set_details(self, **values):
        data = {**self.details, **values}
        self.sealed = SealedJSON.seal(self.client.public_id, data, self.aad())
        self.__dict__["details"] = data

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.deadline < today

    @property
    def redacted_ids(self) -> set[str]:
        return set(self.details.get("redacted", []))


class RequestEvent(models.Model):
    """The request's history: every step with its time and who took it. The note is sealed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(ClientRequest, models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=RequestStatus.choices)
    step = models.CharField(max_length=32)
    note_sealed = models.BinaryField(default=b"")

    class Meta:
        ordering = ["at", "pk"]

    def aad(self):
        return f"request-event:{self.public_id}:note"

    @cached_property
    def note(self) -> str:
        return _open(self.request.client, self.note_sealed, self.aad()).get("note", "")


class RecipientNotice(models.Model):
    """AVG art. 19: after a correction or destruction, each recipient the data went to is
    told. One row per recipient, with when and by whom it was told."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(ClientRequest, models.CASCADE, related_name="notices")
    consent = models.ForeignKey(Consent, models.SET_NULL, null=True, blank=True, related_name="+")
    recipient_sealed = models.BinaryField(default=b"")
    told_at = models.DateTimeField(null=True, blank=True)
    told_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]

    def aad(self):
        return f"notice:{self.public_id}:recipient"

    @cached_property
    def recipient(self) -> str:
        return _open(self.request.client, self.recipient_sealed, self.aad()).get("recipient", "")


# --- Consent proposals --------------------------------------------------------------------


class ConsentProposalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(decided_at__isnull=True)


class ConsentProposal(models.Model):
    """GC-2.5: the coach proposes a substitute coach for a period; only the client's own
    consent in the portal (or on paper) gives the substitute access."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="consent_proposals")
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    valid_from = models.DateField()
    valid_until = models.DateField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    consent = models.ForeignKey(Consent, models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ConsentProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")),
                                              name="proposal_period_ordered")]


# --- Messages and the communication agreement ----------------------------------------------


class Direction(models.TextChoices):
    TO_COACH = "to_coach", _("From the client")
    TO_CLIENT = "to_client", _("From the practice")


class Message(models.Model):
    """A secure message between client and coach: part of the dossier, sealed, the only
    channel that carries content (GC-6.3)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    about = models.ForeignKey(DossierEntry, models.SET_NULL, null=True, blank=True, related_name="+")
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def aad(self):
        return f"message:{self.public_id}:body"

    @cached_property
    def body(self) -> str:
        return _open(self.client, self.body_sealed, self.aad()).get("text", "")


class EmailContent(models.TextChoices):
    NOTICE_ONLY = "notice_only", _("Only a notice that something is waiting in the portal")
    PRACTICAL = "practical", _("Also practical matters such as appointment times (never dossier content)")


class CommunicationAgreement(models.Model):
    """GC-6.3: how the practice may contact the client, and what may go by email."""

    client = models.OneToOneField(Client, models.CASCADE, related_name="communication")
    by_email = models.BooleanField(_("By email"), default=True)
    by_phone = models.BooleanField(_("By phone"), default=True)
    by_letter = models.BooleanField(_("By letter"), default=True)
    email_content = models.CharField(_("What may be said in an email"), max_length=16, choices=EmailContent.choices,
                                     default=EmailContent.NOTICE_ONLY)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(by_email=True) | Q(by_phone=True) | Q(by_letter=True),
                                              name="at_least_one_channel")]


def email_allowed(client: Client) -> bool:
    """Notices go by email unless the client chose otherwise (GC-6.3)."""
    agreement = CommunicationAgreement.objects.filter(client=client).first()
    return agreement is None or agreement.by_email
