"""Principals, clients, trajectories, dossier entries, consents and the relationships that
give access to them.

Client data is sealed with the client's own data key (see crypto.py): the name, the other
personal fields (GC-9.1), goal texts, entry content, attachment names and bytes, consent
details and break-glass reasons. Plain columns hold only what the system needs to route,
count and date things (types, dates, status, flags).
"""

import datetime
import decimal
import json
import re
import uuid
from dataclasses import asdict, dataclass, fields

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import crypto, uploads
from .crypto import ClientKey  # noqa: F401  (the key store model lives in crypto.py)


class SealedJSON:
    """Descriptor pair helpers: encrypt a dict to a BinaryField under the row's client key."""

    @staticmethod
    def seal(client_ref, data: dict, aad: str) -> bytes:
        return crypto.seal(client_ref, json.dumps(data, ensure_ascii=False, default=str).encode(), aad)

    @staticmethod
    def open(client_ref, blob, aad: str) -> dict:
        if not blob:
            return {}
        return json.loads(crypto.open_sealed(client_ref, blob, aad))


# --- Principals ----------------------------------------------------------------------------


class PrincipalKind(models.TextChoices):
    UWV = "uwv", _("UWV")
    MUNICIPALITY = "municipality", _("Municipality")
    EMPLOYER = "employer", _("Employer")
    SELF = "self", _("Self-paying client")
    OTHER = "other", _("Other")


class Principal(models.Model):
    """GC-0.5: the person or body that commissioned the coaching."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=PrincipalKind.choices)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    # GC-6.1: a principal that may demand reports by law cannot be blocked, only objected to.
    statutory_report_right = models.BooleanField(_("may demand reports by law"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_uwv(self) -> bool:
        return self.kind == PrincipalKind.UWV


# --- Clients -------------------------------------------------------------------------------


@dataclass
class PersonalData:
    """Exactly the personal data GC-9.1 allows. BSN and background only for UWV clients."""

    first_name: str = ""
    last_name: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    date_of_birth: str = ""  # ISO date
    bsn: str = ""
    background: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def birth_date(self) -> datetime.date | None:
        return datetime.date.fromisoformat(self.date_of_birth) if self.date_of_birth else None

    @classmethod
    def from_dict(cls, data: dict) -> "PersonalData":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user, action: str, now=None):
        """The clients `user` may perform `action` on. Every list, search and export of
        clients starts here (GC-2.3); see access.py for the vocabulary."""
        from .access import client_filter

        return self.filter(client_filter(user, action, now or timezone.now()))

    def alive(self):
        return self.filter(destroyed_at__isnull=True)

    def search(self, term: str):
        """By the client's reference ("2026-0001", or a part such as "0001": the dashboard and
        the reports name clients by it) or by name, through the keyed word index (no name is
        stored in plaintext, crypto.search_tokens)."""
        term = term.strip()
        if re.fullmatch(r"[0-9][0-9-]*", term):  # a name has no digits; a reference has nothing else
            return self.filter(reference__contains=term)
        words = crypto.normalise_for_search(term).split()
        qs = self
        for word in words:
            qs = qs.filter(search_tokens__token=crypto.search_token(word))
        return qs.distinct() if words else qs

    def with_trajectories(self):
        """Trajectories with their principal and coach in one query: every client page and
        list shows them, and the coach's grant is read from them."""
        return self.prefetch_related(models.Prefetch(
            "trajectories", queryset=Trajectory.objects.select_related("principal", "coach")))


class ClientSource(models.TextChoices):
    UMBRELLA = "umbrella", _("Client of the umbrella organisation")
    OWN = "own", _("The coach's own client")


class Client(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                related_name="client_record")
    name_sealed = models.BinaryField(editable=False)
    personal_sealed = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True)
    # GC-5.4 / PR-8: a destroyed client is a tombstone: these dates and nothing else.
    destroyed_at = models.DateTimeField(null=True, blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return self.reference

    def aad(self, part: str) -> str:
        return f"client:{self.public_id}:{part}"

    @cached_property
    def name(self) -> dict:
        """{"first_name", "last_name"}: what management may see (PR-7)."""
        if self.destroyed_at:
            return {"first_name": "", "last_name": ""}
        return SealedJSON.open(self.public_id, self.name_sealed, self.aad("name"))

    @property
    def display_name(self) -> str:
        if self.destroyed_at:
            return str(_("(destroyed)"))
        return f"{self.name.get('first_name', '')} {self.name.get('last_name', '')}".strip()

    @cached_property
    def personal(self) -> PersonalData:
        data = SealedJSON.open(self.public_id, self.personal_sealed, self.aad("personal"))
        return PersonalData.from_dict({**data, **self.name})

    def seal_personal(self, data: PersonalData) -> None:
        values = asdict(data)
        name = {"first_name": values.pop("first_name"), "last_name": values.pop("last_name")}
        self.name_sealed = SealedJSON.seal(self.public_id, name, self.aad("name"))
        self.personal_sealed = SealedJSON.seal(self.public_id, values, self.aad("personal"))
        self.__dict__.pop("name", None)
        self.__dict__.pop("personal", None)

    @cached_property
    def current_trajectory(self):
        trajectories = sorted(self.trajectories.all(), key=lambda t: current_first(t.status, t.pk))
        return trajectories[0] if trajectories else None


class ClientSearchToken(models.Model):
    """Keyed hashes of name prefixes: search without plaintext names in the database."""

    client = models.ForeignKey(Client, models.CASCADE, related_name="search_tokens")
    token = models.CharField(max_length=32, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "token"], name="unique_search_token")]


# --- Trajectories --------------------------------------------------------------------------


class TrajectoryStatus(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


def current_first(status: str, pk: int) -> tuple:
    """The order in which a client's trajectories count as current: open ones first, newest first."""
    return (status == TrajectoryStatus.CLOSED, -pk)


class TrajectoryQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=TrajectoryStatus.CLOSED)

    def current_rows(self, client_ids) -> dict[int, dict]:
        """Each client's current trajectory as a plain row for the client lists (status,
        dates, principal and coach by name), in one query and without model instances."""
        rows = self.filter(client_id__in=client_ids).values_list(
            "client_id", "pk", "status", "coach_id", "opened_on", "closed_on", "principal__name", "coach__full_name",
            "coach__email").order_by()
        current: dict[int, dict] = {}
        for client_id, _pk, status, coach_id, opened_on, closed_on, principal, coach_name, coach_email in sorted(
                rows, key=lambda r: current_first(r[2], r[1])):
            current.setdefault(client_id, {"status": status, "coach_id": coach_id, "opened_on": opened_on,
                                           "closed_on": closed_on, "principal": principal,
                                           "coach": coach_name or coach_email})
        return current

    def for_management(self):
        """PR-7: what management's client page shows of each trajectory, without content:
        principal and coach, sessions (hours used), goals (whether one is described), the term
        changes with their authors, and `has_agreement`, whether the signed agreement is in
        the dossier (GC-0.4)."""
        agreement = DossierEntry.objects.listed(include_medical=True).filter(trajectory=OuterRef("pk"),
                                                                             kind=EntryKind.AGREEMENT)
        return self.select_related("principal", "coach").annotate(has_agreement=Exists(agreement)).prefetch_related(
            "sessions", "goals", Prefetch("changes", TrajectoryChange.objects.select_related("author")))

    def retention_due(self, today: datetime.date):
        """Closed trajectories whose retention term (PR-8) has run out."""
        return self.filter(status=TrajectoryStatus.CLOSED, retention_until__lte=today)


class Trajectory(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="trajectories")
    principal = models.ForeignKey(Principal, models.PROTECT, related_name="trajectories")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="coached_trajectories")
    source = models.CharField(_("source"), max_length=16, choices=ClientSource.choices)  # GC-0.1
    status = models.CharField(_("status"), max_length=8, choices=TrajectoryStatus.choices,
                              default=TrajectoryStatus.INTAKE)
    uwv_order_number = models.CharField(_("UWV order number"), max_length=40, blank=True)
    approved_hours = models.DecimalField(_("approved hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    agreement_date = models.DateField(_("date of the coaching agreement"), null=True, blank=True)  # GC-0.4
    vulnerable = models.BooleanField(_("client in a vulnerable position"), default=False)  # GC-1.6
    opened_on = models.DateField(_("opened on"), default=datetime.date.today)
    activated_on = models.DateField(_("active since"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    retention_until = models.DateField(_("keep until"), null=True, blank=True)  # PR-8
    created_at = models.DateTimeField(default=timezone.now)

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False), name="closed_trajectory_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.client.reference} · {self.principal}"

    @property
    def began_on(self) -> datetime.date:
        """The first day a session of this trajectory can have been: the day it was opened here,
        or the coaching agreement if that was earlier (a trajectory recorded after it began)."""
        return min(d for d in (self.opened_on, self.agreement_date) if d is not None)

    @property
    def current_goal(self):
        goals = list(self.goals.all())
        return max(goals, key=lambda g: g.number) if goals else None

    def hours_used(self):
        minutes = sum(s.minutes for s in self.sessions.all())
        return round(minutes / 60, 1)


class Goal(models.Model):
    """GC-7.1: the assignment's goal or question in the client's own words. A reformulation is
    a new row; earlier ones stay."""

    trajectory = models.ForeignKey(Trajectory, models.CASCADE, related_name="goals")
    number = models.PositiveIntegerField()
    sealed = models.BinaryField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["trajectory", "number"]
        constraints = [models.UniqueConstraint(fields=["trajectory", "number"], name="unique_goal_version")]

    def aad(self):
        return f"goal:{self.trajectory.public_id}:{self.number}"

    @cached_property
    def content(self) -> dict:
        """{"text", "reason", "justification"}"""
        return SealedJSON.open(self.trajectory.client.public_id, self.sealed, self.aad())


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    # Its own context: the form field "Phone" is "Telefoonnummer", a session is "Telefonisch".
    PHONE = "phone", pgettext_lazy("session mode", "Phone")


class TermField(models.TextChoices):
    COACH = "coach", _("Coach")
    UWV_ORDER_NUMBER = "uwv_order_number", _("UWV order number")
    APPROVED_HOURS = "approved_hours", _("Approved hours")
    AGREEMENT_DATE = "agreement_date", _("Date of the coaching agreement")
    VULNERABLE = "vulnerable", _("Client in a vulnerable or dependent position")


class TrajectoryChange(models.Model):
    """One changed term of a trajectory after it was opened (GC-0.4, GC-1.6): the coach
    assigned, the order number, the hours the principal approved, the agreement date, the
    vulnerable marker. Old and new value as text (dates ISO, booleans "1"/"0", the coach by
    name), so a report on approved against used hours can always say what was agreed when."""

    trajectory = models.ForeignKey(Trajectory, models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20, choices=TermField.choices)
    old = models.CharField(max_length=200, blank=True)
    new = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    @staticmethod
    def as_text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):  # hours: 10 and 10.0 are the same term
            return f"{value:.1f}"
        return str(value)

    def _shown(self, text: str):
        from django.utils.formats import date_format

        if text == "":
            return "—"
        if self.field == TermField.VULNERABLE:
            return _("yes") if text == "1" else _("no")
        if self.field == TermField.AGREEMENT_DATE:
            return date_format(datetime.date.fromisoformat(text), "DATE_FORMAT")
        return text

    @property
    def old_shown(self):
        return self._shown(self.old)

    @property
    def new_shown(self):
        return self._shown(self.new)


class CoachingSession(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trajectory = models.ForeignKey(Trajectory, models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    mode = models.CharField(_("form"), max_length=12, choices=SessionMode.choices)
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0) & Q(minutes__lte=600),
                                              name="session_minutes_in_range")]


# --- Dossier entries -----------------------------------------------------------------------


class EntryKind(models.TextChoices):
    NOTE = "note", _("Note")
    CORRESPONDENCE_IN = "correspondence_in", _("Correspondence received")
    CORRESPONDENCE_OUT = "correspondence_out", _("Correspondence sent")
    RECEIVED_DOCUMENT = "received_document", _("Document received from another party")
    FACT = "fact", _("Fact")
    FINDING = "finding", _("Finding or conclusion of the coach")
    CLIENT_STATEMENT = "client_statement", _("Statement of the client")
    AGREEMENT = "agreement", _("Coaching agreement")  # GC-0.4: the signed agreement, as an attachment

    @classmethod
    def staff_kinds(cls):
        return [k for k in cls if k != cls.CLIENT_STATEMENT]


# GC-5.2: plain-language explanations shown with each entry type in the dossier and portal.
ENTRY_KIND_HELP = {
    EntryKind.NOTE: _("A working note of your coach about a conversation or an event."),
    EntryKind.CORRESPONDENCE_IN: _("A letter or message that reached the practice."),
    EntryKind.CORRESPONDENCE_OUT: _("A letter or message the practice sent."),
    EntryKind.RECEIVED_DOCUMENT: _("A document another organisation (for example UWV) sent to the practice."),
    EntryKind.FACT: _("A fact about you. If it is wrong you can ask for a correction."),
    EntryKind.FINDING: _("Your coach's professional view. It cannot be corrected, but you may add your own statement."),
    EntryKind.CLIENT_STATEMENT: _("Your own written view, added to the dossier at your request."),
    EntryKind.AGREEMENT: _("The agreement for your coaching trajectory, as you and your coach signed it."),
}
# The same explanations for the coach's pages: ENTRY_KIND_HELP speaks to the client ("your
# coach", "you can ask"), which on the coach's own entry read as if written about someone else.
ENTRY_KIND_HELP_FOR_STAFF = {
    **ENTRY_KIND_HELP,
    EntryKind.NOTE: _("A working note about a conversation or an event."),
    EntryKind.FACT: _("A fact about the client. The client may ask for a correction (GC-5.3)."),
    EntryKind.FINDING: _("The coach's professional view. The client cannot have it corrected, but may add a "
                         "statement of their own (GC-5.3)."),
    EntryKind.CLIENT_STATEMENT: _("The client's own written view, added to the dossier at their request (GC-5.3)."),
    EntryKind.AGREEMENT: _("The signed agreement for the coaching trajectory (GC-0.4)."),
}


class EntryQuerySet(models.QuerySet):
    def listed(self, *, include_medical: bool):
        """PR-4: medical entries stay out of lists unless explicitly asked for."""
        qs = self.filter(deleted_at__isnull=True)
        return qs if include_medical else qs.filter(is_medical=False)

    def for_timeline(self, *, include_medical: bool):
        """The listed entries with their current version and attachments prefetched."""
        qs = self.listed(include_medical=include_medical)
        # Only the current version of each entry: the timeline shows it, the entry page shows
        # every version. (`version_count` is the current version's number.)
        return qs.select_related("created_by").prefetch_related(
            models.Prefetch("versions", queryset=EntryVersion.objects.filter(number=F("entry__version_count"))
                            .select_related("author"), to_attr="prefetched_current"),
            "attachments")

    def timeline_page(self, client, *, include_medical: bool, offset: int, limit: int) -> list[dict]:
        """One page of the dossier timeline as plain rows, newest first: each entry with its
        current version decrypted once, the version's author and time, and its attachments'
        names. Two queries and no model instances per row: the dossier page is the
        application's hottest path, and a page of 50 entries built from models and prefetches
        cost more than everything else on it. Medical entries only when asked for (PR-4)."""
        # The entries joined to their current version and its author: one query.
        entries = list(self.filter(client=client).listed(include_medical=include_medical).filter(
            versions__number=F("version_count")).values_list(
            "pk", "public_id", "kind", "occurred_on", "is_medical", "names_others", "version_count",
            "versions__sealed", "versions__author__full_name", "versions__author__email",
            "versions__created_at", "withdrawn_at")[offset:offset + limit])
        ids = [e[0] for e in entries]
        files: dict[int, list] = {}
        for entry_id, public_id, name_sealed, size in (Attachment.objects.filter(entry_id__in=ids)
                                                       .values_list("entry_id", "public_id", "name_sealed", "size")
                                                       .order_by("pk")):
            aad = Attachment.aad_for(public_id, "name")
            name = uploads.shown_name(crypto.open_sealed(client.public_id, name_sealed, aad))
            files.setdefault(entry_id, []).append({"public_id": public_id, "name": name, "size": size})
        rows = []
        for (pk, public_id, kind, occurred_on, is_medical, names_others, version_count, sealed, author_name,
             author_email, created_at, withdrawn_at) in entries:
            rows.append({
                "public_id": public_id, "kind": kind, "occurred_on": occurred_on, "is_medical": is_medical,
                "names_others": names_others, "version_count": version_count,
                "content": (DossierEntry.withdrawn_content(withdrawn_at) if withdrawn_at else
                            SealedJSON.open(client.public_id, sealed, EntryVersion.aad_for(public_id, version_count))),
                "author": author_name or author_email, "created_at": created_at, "files": files.get(pk, []),
                "withdrawn_at": withdrawn_at,
            })
        return rows


class DossierEntry(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="entries")
    trajectory = models.ForeignKey(Trajectory, models.SET_NULL, null=True, blank=True, related_name="entries")
    kind = models.CharField(_("type"), max_length=24, choices=EntryKind.choices)
    occurred_on = models.DateField(_("date"))
    is_medical = models.BooleanField(_("medical (extra confidential)"), default=False)  # PR-4
    names_others = models.BooleanField(default=False)  # GC-5.2 flag, set when saved
    special_category = models.BooleanField(default=False)  # PR-4: saved with a justification
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version_count = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # GC-5.3: when the client withdrew a statement of her own. The entry stays in the dossier, so
    # her coach sees that and when; its versions keep their author and time, not their content.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The request that created the entry, so the same request sent again (a lost response, a
    # double click, an API retry) finds this entry instead of adding a second one: the SHA-256 of
    # its user and one-time key (the form's hidden token, or the API's Idempotency-Key). A hash
    # of a random value, never of content; empty for entries made without a key.
    idempotency_key_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["client", "occurred_on"])]
        constraints = [models.UniqueConstraint(fields=["client", "idempotency_key_sha256"],
                                               condition=~Q(idempotency_key_sha256=""),
                                               name="unique_entry_idempotency_key")]

    @property
    def current(self) -> "EntryVersion":
        prefetched = getattr(self, "prefetched_current", None)
        if prefetched:  # for_timeline(): the current version only, no queryset built per entry
            return prefetched[0]
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number)

    @property
    def is_correctable(self) -> bool:
        """GC-5.3: facts can be corrected; findings and conclusions cannot."""
        return self.kind == EntryKind.FACT

    @property
    def help_text(self):
        return ENTRY_KIND_HELP[self.kind]

    @staticmethod
    def withdrawn_content(withdrawn_at) -> dict:
        """GC-5.3: what stands in the dossier for a statement the client withdrew: that she
        withdrew it and when, in the reader's language; what it said is gone."""
        when = formats.date_format(timezone.localtime(withdrawn_at), "DATETIME_FORMAT")
        return {"title": gettext("Statement withdrawn by the client"),
                "text": gettext("The client withdrew this statement on %(when)s. What it said is no longer in "
                                "the dossier.") % {"when": when}}

    @property
    def staff_help_text(self):
        return ENTRY_KIND_HELP_FOR_STAFF[self.kind]


class EntryVersion(models.Model):
    """Every version of an entry, with its author and time. Editing never overwrites."""

    entry = models.ForeignKey(DossierEntry, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sealed = models.BinaryField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_correction = models.BooleanField(default=False)  # GC-5.3: written on a client's request

    class Meta:
        ordering = ["entry", "number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="unique_entry_version")]

    def aad(self):
        return self.aad_for(self.entry.public_id, self.number)

    @staticmethod
    def aad_for(entry_public_id, number) -> str:
        return f"entry:{entry_public_id}:{number}"

    @cached_property
    def content(self) -> dict:
        """{"title", "text", "source", "reason", "justification"}"""
        return SealedJSON.open(self.entry.client.public_id, self.sealed, self.aad())


class Attachment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(DossierEntry, models.CASCADE, related_name="attachments")
    name_sealed = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def aad(self, part):
        return self.aad_for(self.public_id, part)

    @staticmethod
    def aad_for(public_id, part) -> str:
        return f"attachment:{public_id}:{part}"

    @cached_property
    def filename(self) -> str:
        return uploads.shown_name(crypto.open_sealed(self.entry.client.public_id, self.name_sealed, self.aad("name")))


# --- Consents and other relationships ------------------------------------------------------


class ConsentKind(models.TextChoices):
    SUBSTITUTE = "substitute", _("Substitute coach")  # GC-2.5
    DISCLOSURE = "disclosure", _("Disclosure to a third party")  # GC-6.4
    RESEARCH = "research", _("Research or education")  # GC-6.8
    SUPERVISION = "supervision", _("Identifiable use in supervision")  # GC-6.9


class ConsentChannel(models.TextChoices):
    WRITING = "writing", _("In writing")
    EMAIL = "email", _("By email")
    PORTAL = "portal", _("In the client portal")


class ConsentQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(withdrawn_at__isnull=True, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


# A disclosure consent's own words, as long as the forms allow, for every caller (the API too).
CONSENT_DETAIL_MAX_LENGTHS = {"recipient": 200, "purpose": 500, "data_scope": 500}

# Free text, limited alike for the pages and the API (`validation.length_errors` in the
# actions). Generous for what a coach writes by hand; a longer document is an attachment.
ENTRY_TEXT_MAX_LENGTH = 20_000  # about ten pages, as a client's own statement (portal)
GOAL_TEXT_MAX_LENGTH = 2_000
JUSTIFICATION_MAX_LENGTH = 2_000  # PR-4
CHANGE_REASON_MAX_LENGTH = 500
BREAK_GLASS_REASON_MAX_LENGTH = 1_000
PRINCIPAL_ADDRESS_MAX_LENGTH = 300


class Consent(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="consents")
    kind = models.CharField(_("type"), max_length=16, choices=ConsentKind.choices)
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="substitute_consents", verbose_name=_("substitute coach"))
    # recipient, purpose, data scope, evidence file name: sealed with the client's key
    sealed = models.BinaryField()
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    given_via = models.CharField(_("given"), max_length=8, choices=ConsentChannel.choices)
    evidence = models.OneToOneField("Attachment", models.PROTECT, null=True, blank=True, related_name="+")
    # GC-6.8: research use also needs the umbrella organisation's written consent.
    umbrella_approved_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="substitute") | Q(substitute__isnull=False),
                                   name="substitute_consent_names_coach"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                                   name="consent_period_ordered"),
        ]

    def aad(self):
        return f"consent:{self.public_id}"

    @cached_property
    def details(self) -> dict:
        """{"recipient", "purpose", "data_scope"}"""
        return SealedJSON.open(self.client.public_id, self.sealed, self.aad())

    def is_active_on(self, day: datetime.date) -> bool:
        return (self.withdrawn_at is None and self.valid_from <= day
                and (self.valid_until is None or self.valid_until >= day))


class ReferralQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Referral(models.Model):
    """The coach refers the client to a biofeedback therapist, who then sees only the
    measurement section of this client (GC-9.1)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="referrals")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()


class BreakGlass(models.Model):
    """Emergency access by staff without a relationship: a stated reason, a short window,
    management told, and the client sees it in "who looked at my file"."""

    WINDOW = datetime.timedelta(hours=2)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reason_sealed = models.BinaryField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]

    @cached_property
    def reason(self) -> str:
        return crypto.open_sealed(self.client.public_id, self.reason_sealed, f"breakglass:{self.public_id}").decode()
