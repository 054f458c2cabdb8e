"""The complaints register (KR-1 … KR-3.7, GC-0.2, GC-8).

Sealing: everything a complainant or handler writes (the description, the complainant's
name and address as used on letters, phone notes, letters' free text, committee notes,
measures, call notes, source documents) is sealed. A complaint that concerns a client is
sealed with that client's own data key (`SealedJSON`), so destroying the client (GC-5.4)
shreds it too. A complaint from someone who is not a client (rare: a relative, a principal,
a former client without a record) gets a data key of its own, made with the same
`clients.crypto` primitives and wrapped by the master key, stored in `ComplaintKey`; deleting
that row shreds the complaint. Plain columns hold only channel, category, dates, states
and counts, which the register, the deadline clocks and the reports need.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coachdossier.accounts.models import Role
from coachdossier.clients import uploads
from coachdossier.lib import pdf
from coachdossier.lib.dates import format_date

from . import sealing


class Channel(models.TextChoices):
    """KR-2.1 / KR-2.2: how the complaint reached the practice."""

    LETTER = "letter", _("Letter")
    # A context of their own: the form fields "Email" and "Phone" are "E-mailadres" and
    # "Telefoonnummer" in Dutch, which read wrongly as the way a complaint came in.
    EMAIL = "email", pgettext_lazy("complaint channel", "Email")
    PHONE = "phone", pgettext_lazy("complaint channel", "Phone")
    FORM = "form", _("Remark on a form or evaluation")
    PORTAL = "portal", _("Client portal")


class Subject(models.TextChoices):
    COACH = "coach", _("About a coach")
    SERVICE = "service", _("About the service")


class Level(models.TextChoices):
    """GC-0.2 / GC-8.1: handled by the practice, or by the umbrella organisation's committee."""

    PRACTICE = "practice", _("Practice level")
    UMBRELLA = "umbrella", _("Umbrella organisation level")


class Category(models.TextChoices):
    COMMUNICATION = "communication", _("Communication and attitude")
    QUALITY = "quality", _("Quality of the coaching")
    PRIVACY = "privacy", _("Privacy and confidentiality")
    PLANNING = "planning", _("Appointments and availability")
    REPORTING = "reporting", _("Reports to the principal")
    COSTS = "costs", _("Costs and invoices")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    LODGED = "lodged", _("Received, not yet registered")
    REGISTERED = "registered", _("Registered")
    IN_HANDLING = "in_handling", _("Admitted, being handled")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    ANSWERED = "answered", _("Answered, aftercare")
    MEDIATION = "mediation", _("Referred to a mediator")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]


class Outcome(models.TextChoices):
    """KR-3.5: how the complaint ended."""

    SATISFIED = "satisfied", _("Settled to the complainant's satisfaction")
    ASSUMED_SATISFIED = "assumed_satisfied", _("Taken as settled (complainant not reached, KR-3.4b)")
    MEDIATION = "mediation", _("Settled through mediation")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    WITHDRAWN = "withdrawn", _("Withdrawn by the complainant")
    # GC-8.1/8.2: an umbrella complaint is handled by the umbrella organisation's committee; the
    # practice's part ends when its ruling has gone to complainant and coach.
    RULING = "ruling", _("Concluded with the umbrella committee's ruling (GC-8.2)")


class Ruling(models.TextChoices):
    """GC-8.2: the committee's ruling."""

    FOUNDED = "founded", _("Founded")
    PARTLY = "partly", _("Partly founded")
    UNFOUNDED = "unfounded", _("Unfounded")


class ToldVia(models.TextChoices):
    """KR-3.3d: how the complainant was told of an extension."""

    LETTER = "letter", _("In writing")
    PHONE = "phone", _("By phone")


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")  # KR-3.3a
    NON_ADMISSION = "non_admission", _("Non-admission")  # KR-3.3c
    EXTENSION = "extension", _("Extension notice")  # KR-3.3d
    SETTLEMENT = "settlement", _("Settlement")  # KR-3.3d
    NOT_REACHED = "not_reached", _("Could not reach you")  # KR-3.4b
    MEDIATION = "mediation", _("Mediation referral")  # KR-3.4c
    RULING = "ruling", _("Ruling of the committee")  # GC-8.2
    RULING_COACH = "ruling_coach", _("Ruling of the committee, to the coach")  # GC-8.2


# Letters to the coach complained about; every other letter goes to the complainant.
COACH_LETTERS = (LetterKind.RULING_COACH,)


class LetterLanguage(models.TextChoices):
    """The language a complainant reads (the UI's two languages). Letters and their notices
    go out in it; Dutch when it is not known. Letters to the coach, who works for the
    practice, are Dutch."""

    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class ClosureDay(models.Model):
    """A day the practice is closed: no working day for the deadline clocks."""

    date = models.DateField(_("date"), unique=True)
    description = models.CharField(_("description"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.description}".strip()


class LetterTemplate(models.Model):
    """The practice's wording of each letter, per language. Placeholders in braces, e.g.
    {number}; see letters.PLACEHOLDERS. Created from the defaults on first use
    (letters.template_for): Dutch from the regulation, English as their translation."""

    kind = models.CharField(_("letter"), max_length=20, choices=LetterKind.choices)
    language = models.CharField(max_length=5, default="nl")  # a LetterLanguage
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="one_letter_template_per_kind")]


class Involvement(models.TextChoices):
    """KR-3.3b: how someone is involved in a complaint. Nobody involved handles it: not on its
    committee, and not as its complaints officer (KR-3.2: the appointed coach collects the
    complaints; one about herself, by or about her client, or her own goes to another officer).
    Management oversees the whole register (KR-3.1) and sees every case."""

    COMPLAINANT = "complainant", _("the complainant")
    COACH = "coach", _("the coach the complaint is about")
    OWN_COACH = "own_coach", _("the client's own coach")
    # GC-2.5: a substitute coach guides the client with the same access as their own coach, so
    # is just as involved; also after the consented period (they knew the dossier).
    SUBSTITUTE = "substitute", _("the client's substitute coach, now or before")


def _involving(user) -> dict[str, Q]:
    """For each kind of involvement, a Q on Complaint selecting the complaints `user` has it in
    (subqueries only, so they combine with any other filter without joins)."""
    from coachdossier.clients.models import Client, Consent, ConsentKind, Trajectory

    return {
        Involvement.COMPLAINANT: Q(complainant_user=user) | Q(client__in=Client.objects.filter(user=user).values("pk")),
        Involvement.COACH: Q(coach=user),
        Involvement.OWN_COACH: Q(client__in=Trajectory.objects.filter(coach=user).values("client_id")),
        Involvement.SUBSTITUTE: Q(client__in=Consent.objects.filter(kind=ConsentKind.SUBSTITUTE, substitute=user)
                                  .values("client_id")),
    }


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The complaint cases `user` may open: those they handle (`handled_by`), a committee
        member the cases they sit on (GC-9.4: the case, not the dossier), a client their own
        complaints. A complaints officer involved in a case does not see it at all (404)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        roles = user.roles
        if Role.MANAGEMENT in roles:
            return self.all()
        q = Q(pk__in=[])
        if Role.COMPLAINTS_OFFICER in roles:
            q |= ~Q(pk__in=Complaint.objects.involving(user).values("pk"))
        if Role.COACH in roles:
            q |= Q(pk__in=CommitteeMember.objects.filter(coach=user).values("complaint_id"))
        if Role.CLIENT in roles:
            q |= Q(complainant_user=user) | Q(client__user=user)
        return self.filter(q)

    def handled_by(self, user):
        """The cases `user` may handle (register, letters, committee, closing): management all
        of them (KR-3.1: management oversees the register); a complaints officer every case
        they are not involved in (KR-3.3b)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        roles = user.roles
        if Role.MANAGEMENT in roles:
            return self.all()
        if Role.COMPLAINTS_OFFICER in roles:
            return self.exclude(pk__in=Complaint.objects.involving(user).values("pk"))
        return self.none()

    def involving(self, user):
        """The complaints `user` is involved in, in any way (Involvement)."""
        q = Q(pk__in=[])
        for kind_q in _involving(user).values():
            q |= kind_q
        return self.filter(q)

    def without_impartial_officer(self):
        """The cases every active complaints officer is involved in (or there is none): nobody
        but management can handle them, and management is told (dashboard, case page, mail)."""
        qs = self
        for officer in complaints_officers():
            qs = qs.filter(pk__in=Complaint.objects.involving(officer).values("pk"))
        return qs

    def open(self):
        return self.exclude(status=Status.CLOSED)

    def received_between(self, start: datetime.date, end: datetime.date):
        return self.filter(received_on__gte=start, received_on__lte=end)


def complaints_officers():
    """The active complaints officers (KR-3.2)."""
    from coachdossier.accounts.models import User

    return User.objects.filter(is_active=True, role_grants__role=Role.COMPLAINTS_OFFICER).distinct().order_by("pk")


# The complainant's name as letters print it; as long as a user's name (accounts.User.full_name).
COMPLAINANT_NAME_MAX_LENGTH = 150
# A complaint in the complainant's words: some ten pages. A longer letter is attached as a document.
COMPLAINT_DESCRIPTION_MAX_LENGTH = 20_000


class Complaint(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=20, blank=True)  # KR-3.2: set on registration
    client = models.ForeignKey("clients.Client", models.SET_NULL, null=True, blank=True, related_name="complaints")
    complainant_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                         related_name="complaints_lodged")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    subject = models.CharField(_("about"), max_length=8, choices=Subject.choices)
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("coach complained about"))
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.PRACTICE)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    is_uwv_client = models.BooleanField(default=False)  # KR-3.7: fixed when lodged
    # The complainant's language for letters and notices (actions.default_language): her portal
    # account's (User.language) when she lodges it there or staff lodge it for her client record,
    # unless staff choose another; Dutch when not known. The complaints officer changes it later
    # (actions.change_language), and so does she, by changing her own account's language.
    language = models.CharField(_("complainant's language"), max_length=2, choices=LetterLanguage.choices,
                                default=LetterLanguage.DUTCH)
    phone_offer_made = models.BooleanField(default=False)  # KR-2.2
    received_on = models.DateField(_("received on"))
    lodged_at = models.DateTimeField(default=timezone.now)
    # {"description", "name", "address_lines": [...], "email", "phone", "phone_form": {...}, "measures"}
    sealed = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.LODGED)
    registered_on = models.DateField(null=True, blank=True)  # KR-3.2
    acknowledged_on = models.DateField(null=True, blank=True)  # KR-3.3a
    admitted = models.BooleanField(null=True)  # KR-3.3c
    admission_decided_on = models.DateField(null=True, blank=True)
    extended_to = models.DateField(null=True, blank=True)  # KR-3.3d
    extension_recorded_on = models.DateField(null=True, blank=True)
    extension_told_via = models.CharField(max_length=8, choices=ToldVia.choices, blank=True)
    answered_on = models.DateField(null=True, blank=True)  # the settlement (answer) letter
    ruling = models.CharField(_("ruling"), max_length=10, choices=Ruling.choices, blank=True)  # GC-8.2
    ruling_on = models.DateField(null=True, blank=True)
    ruling_communicated_on = models.DateField(null=True, blank=True)
    aftercare_done_on = models.DateField(null=True, blank=True)  # KR-3.4a: reached, or standard letter
    mediation_on = models.DateField(null=True, blank=True)  # KR-3.4c
    closed_on = models.DateField(null=True, blank=True)  # KR-3.5
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    content_removed_at = models.DateTimeField(null=True, blank=True)  # the client was destroyed
    # The request that lodged it, as for dossier entries (DossierEntry.idempotency_key_sha256):
    # the SHA-256 of the user and the form's one-time key or the API's Idempotency-Key, so the
    # same request sent twice finds this complaint instead of starting a second case with its
    # own clocks. A hash of a random value, never of content; empty when lodged without a key.
    idempotency_key_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(outcome="")),
                                   name="closed_complaint_has_outcome"),
            models.CheckConstraint(condition=~Q(subject="coach") | Q(coach__isnull=False),
                                   name="coach_complaint_names_coach"),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="unique_complaint_number"),
            models.UniqueConstraint(fields=["idempotency_key_sha256"], condition=~Q(idempotency_key_sha256=""),
                                    name="unique_complaint_idempotency_key"),
        ]

    def __str__(self):
        return self.number or str(_("(not yet registered)"))

    @property
    def seal_ref(self):
        return sealing.ref_for(self)

    def aad(self, part: str) -> str:
        return f"complaint:{self.public_id}:{part}"

    @cached_property
    def content(self) -> dict:
        if self.content_removed_at:
            return {}
        return sealing.open_json(self, self.sealed, self.aad("content"))

    def set_content(self, data: dict):
        self.sealed = sealing.seal_json(self, data, self.aad("content"))
        self.__dict__.pop("content", None)

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    def involvement_of(self, user) -> Involvement | None:
        """KR-3.3b: how `user` is involved in this complaint (an Involvement), or None. One query,
        on the same conditions as `Complaint.objects.involving(user)`."""
        conditions = _involving(user)
        flags = (Complaint.objects.filter(pk=self.pk)
                 .annotate(**{f"_{kind}": ExpressionWrapper(q, output_field=models.BooleanField())
                              for kind, q in conditions.items()})
                 .values_list(*(f"_{kind}" for kind in conditions)).first()) or ()
        return next((Involvement(kind) for kind, flag in zip(conditions, flags) if flag), None)

    def impartial_officers(self) -> list:
        """The active complaints officers not involved in this complaint (KR-3.3b): they handle
        it and get its notices. Empty: only management can."""
        return [officer for officer in complaints_officers() if self.involvement_of(officer) is None]

    def facts(self):
        from .deadlines import Facts

        return Facts.of(self)


class ComplaintKey(models.Model):
    """The data key of a complaint that concerns no client (see the module docstring)."""

    complaint_ref = models.UUIDField(primary_key=True)
    master_key_id = models.CharField(max_length=32)
    wrapped = models.BinaryField()


class CommitteeMember(models.Model):
    """KR-3.3b: one of the two coaches handling the complaint."""

    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="committee")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="committee_seats")
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "coach"], name="unique_committee_seat")]


class EventKind(models.TextChoices):
    LODGED = "lodged", _("Received")
    REGISTERED = "registered", _("Entered in the register")
    ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent")
    ADMITTED = "admitted", _("Admitted")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    COMMITTEE = "committee", _("Committee appointed")
    EXTENDED = "extended", _("Term extended")
    NOTE = "note", _("Note")
    LANGUAGE = "language", _("Complainant's language changed")
    DOCUMENT = "document", _("Document added")
    SETTLED = "settled", _("Settlement letter sent")
    RULING = "ruling", _("Ruling recorded")
    RULING_COMMUNICATED = "ruling_communicated", _("Ruling communicated")
    AFTERCARE = "aftercare", _("Aftercare call")
    NOT_REACHED = "not_reached", _("Standard letter: not reached")
    MEDIATION = "mediation", _("Referred to a mediator")
    UMBRELLA = "umbrella", _("Handed to the umbrella organisation")  # GC-0.2, GC-8.1
    CLOSED = "closed", _("Closed")


class ComplaintEvent(models.Model):
    """KR-3.3e: the register keeps every step.

    What a step decided is kept as codes in `params` (the outcome, the ruling, the new date and
    how the complainant was told of it, whether a call reached them) and `summary` says it in
    the reader's language: stored as text, a ruling recorded on a Dutch page read "Gedeeltelijk
    gegrond" on the English one. Only what someone wrote in their own words (a reason, a call
    note, the committee's names) is sealed in `note`. The codes are no content: the complaint's
    plain columns hold the same facts, and they stay when a destroyed client's notes go."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    # {"phone_offer": true} · {"new_date": "2026-05-01", "told_via": "phone"} · {"ruling": "partly"}
    # · {"coach_letter": true} · {"reached": true, "satisfied": false} · {"outcome": "withdrawn"}
    # · {"language": "en"}
    params = models.JSONField(default=dict, blank=True)
    sealed_note = models.BinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["at", "pk"]

    @cached_property
    def note(self) -> str:
        if not self.sealed_note or self.complaint.content_removed_at:
            return ""
        return sealing.open_json(self.complaint, self.sealed_note, f"complaint-event:{self.public_id}").get("note", "")

    @property
    def summary(self) -> str:
        """What the step decided, from its codes, in the active language ("" when nothing)."""
        p = self.params or {}
        try:
            if self.kind == EventKind.LODGED and p.get("phone_offer"):
                return str(_("Offered by phone to register it as a complaint; accepted (KR-2.2)."))
            if self.kind == EventKind.EXTENDED and "new_date" in p:
                return str(_("Extended to %(date)s; the complainant was told %(via)s.")) % {
                    "date": format_date(datetime.date.fromisoformat(p["new_date"]), "DATE_FORMAT"),
                    "via": str(ToldVia(p["told_via"]).label).lower()}
            if self.kind == EventKind.LANGUAGE and "language" in p:
                return str(_("Letters to the complainant from now on in %(language)s.")) % {
                    "language": LetterLanguage(p["language"]).label}
            if self.kind == EventKind.RULING and "ruling" in p:
                return str(Ruling(p["ruling"]).label)
            if self.kind == EventKind.RULING_COMMUNICATED and "coach_letter" in p:
                if p["coach_letter"]:
                    return str(_("Letters with the ruling to the complainant and to the coach %(coach)s.")) % {
                        "coach": self.complaint.coach or "—"}
                return str(_("Letter with the ruling to the complainant; the complaint names no coach."))
            if self.kind == EventKind.AFTERCARE and "reached" in p:
                if not p["reached"]:
                    return capfirst(str(_("not reached")))
                return capfirst(str(_("reached, satisfied") if p.get("satisfied") else _("reached, not satisfied")))
            if self.kind == EventKind.CLOSED and "outcome" in p:
                return str(Outcome(p["outcome"]).label)
        except (KeyError, ValueError):  # a code this version does not know: shown as it is
            return ", ".join(f"{key}: {value}" for key, value in p.items())
        return ""


class LetterQuerySet(models.QuerySet):
    def to_complainant(self):
        """The letters written to the complainant (not those to the coach complained about)."""
        return self.exclude(kind__in=COACH_LETTERS)


class Letter(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    date = models.DateField()
    # The language it was written in (its template's), so the officer's copy says so and the
    # PDF's own words (reference, date, page) match it. Letters from before: Dutch.
    language = models.CharField(max_length=2, choices=LetterLanguage.choices, default=LetterLanguage.DUTCH)
    sealed = models.BinaryField()  # {"subject", "body", "recipient_lines"}
    # The lib.pdf renderer version the letter is rendered with, always: it is rendered again
    # whenever it is shown, and must be the letter that was sent. Letters from before version 2: 1.
    pdf_renderer = models.PositiveSmallIntegerField(default=pdf.RENDERER, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False)  # a portal notice went out (GC-6.3)

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]

    @property
    def to_coach(self) -> bool:
        return self.kind in COACH_LETTERS

    def aad(self):
        return f"complaint-letter:{self.public_id}"

    @cached_property
    def content(self) -> dict:
        return sealing.open_json(self.complaint, self.sealed, self.aad())


class AftercareAttempt(models.Model):
    """KR-3.4a/b: a call to the complainant after the answer letter."""

    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="attempts")
    at = models.DateTimeField()
    reached = models.BooleanField()
    satisfied = models.BooleanField(null=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]


class Document(models.Model):
    """The source letter or email (KR-2.1), or anything explicitly shared with the case; the
    committee sees these, never the dossier (GC-9.4). Encrypted like client attachments."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="documents")
    name_sealed = models.BinaryField()
    storage_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    def aad(self, part):
        return f"complaint-document:{self.public_id}:{part}"

    @cached_property
    def name(self) -> str:
        return uploads.shown_name(sealing.open_bytes(self.complaint, self.name_sealed, self.aad("name")))


class ProcedureNotice(models.Model):
    """KR-3.1: proof that the complaints procedure was sent, to a client for a trajectory or
    to a freelance coach. Only a hash of the address is kept."""

    trajectory = models.ForeignKey("clients.Trajectory", models.CASCADE, null=True, blank=True,
                                   related_name="complaint_notices")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                              related_name="complaint_notices")
    sent_at = models.DateTimeField()
    recipient_sha256 = models.CharField(max_length=64)
    document_sha256 = models.CharField(max_length=64)
    document_renderer = models.PositiveSmallIntegerField(default=pdf.RENDERER)  # lib.pdf version of that PDF
    # The language that PDF (and its mail) was in: the recipient's. Notices from before: Dutch.
    document_language = models.CharField(max_length=2, choices=LetterLanguage.choices, default=LetterLanguage.DUTCH)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.CheckConstraint(condition=Q(trajectory__isnull=False) | Q(coach__isnull=False),
                                              name="notice_has_recipient")]


class Reminder(models.Model):
    """One reminder per clock per day at most (the daily job is idempotent)."""

    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="reminders")
    clock = models.CharField(max_length=16)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "clock", "day"], name="one_reminder_per_day")]


def working_calendar():
    """The practice's working days: weekends, public holidays under the policy's calendar,
    the policy file's closure days and the closure days management entered."""
    from coachdossier import policy
    from coachdossier.lib.workdays import WorkingCalendar

    p = policy.current()
    closures = set(p.closure_days) | set(ClosureDay.objects.values_list("date", flat=True))
    return WorkingCalendar(p.holiday_policy, closures=frozenset(
        datetime.date.fromisoformat(d) if isinstance(d, str) else d for d in closures))


def clocks_for(complaint, today, calendar=None):
    from coachdossier import policy

    from . import deadlines

    return deadlines.clocks(complaint.facts(), calendar or working_calendar(), policy.current(), today)
