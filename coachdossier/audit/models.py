"""The tamper-evident access log (LAW-NEN7513, GC-2.3).

Every read and write of client data appends one entry: who (user, role), whose record, what
action on which object, when, from where, under which relationship, consent or break-glass
reason, and whether it was allowed. Entries hold references, never content, so erasing a
client never rewrites the log.

Each entry's hash covers its own fields and the previous entry's hash, and sequence
numbers are contiguous, so changing, deleting, inserting or reordering an entry breaks
verification (`coachdossier verify_access_log`). Database triggers (see the migrations)
refuse UPDATE and DELETE; the only way out is `prune_access_log`, for entries older than
the log's own retention term, which moves the chain's anchor forward.
"""

import hashlib
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "role", "client_ref", "action", "object_type", "object_ref",
    "outcome", "basis", "basis_ref", "channel", "ip", "user_agent", "prev_hash",
)


def canonical(values) -> bytes:
    """The bytes an entry's hash covers, from its HASHED_FIELDS values in that order."""
    parts = list(values)
    parts[1] = canonical_time(parts[1])
    return "\x1f".join("" if v is None else str(v) for v in parts).encode()


def canonical_time(at) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(values) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    DENIED = "denied", _("denied")


class Basis(models.TextChoices):
    """Under what the actor acted: the relationship, consent or emergency behind the access."""

    COACH = "coach", _("assigned coach")
    SUBSTITUTE = "substitute", _("substitute coach with the client's consent")
    REFERRAL = "referral", _("biofeedback referral")
    CLIENT = "client", _("the client")
    MANAGEMENT = "management", _("management (no dossier content)")
    COMPLAINTS = "complaints", _("complaints handling")
    BREAK_GLASS = "break_glass", _("emergency access")
    SYSTEM = "system", _("the system")
    NONE = "none", _("no relationship")


class AccessLogQuerySet(models.QuerySet):
    def for_client(self, client_ref):
        return self.filter(client_ref=client_ref)


class AccessLogEntry(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    # PROTECT: accounts are disabled, never deleted, while their log entries exist.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=32, blank=True)
    # Client.public_id, deliberately not a foreign key: destroying a client leaves the log intact.
    client_ref = models.UUIDField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_ref = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    basis = models.CharField(max_length=16, choices=Basis.choices, blank=True)
    basis_ref = models.CharField(max_length=64, blank=True)  # consent, referral or break-glass id
    channel = models.CharField(max_length=8, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["actor", "at"])]

    def compute_hash(self) -> str:
        return chain_hash(getattr(self, name) for name in HASHED_FIELDS)


class ChainHead(models.Model):
    """The single row that serialises appends and remembers where the chain starts.

    `base_seq`/`base_hash` move forward only when old entries are pruned; verification
    starts from them."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    base_seq = models.BigIntegerField(default=0)
    base_hash = models.CharField(max_length=64, default=GENESIS)


class PruneGate(models.Model):
    """Opened only inside `prune_access_log`'s transaction; the DELETE trigger checks it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    open = models.BooleanField(default=False)
