"""Reports to the principal or the company doctor, the client's answer, and deliveries.

A Report row is one version of a report. Its life cycle is the state machine in
`TRANSITIONS` (PR-6, GC-6.1); actions.py is the only code that moves a report along it.
Everything a reader could learn about the client from a report (subject, sections, chosen
entries, the objection text, the recipient's address) is sealed with the client's key;
plain columns hold only types, states, dates, hashes and counts.
"""

import datetime
import hashlib
import hmac
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.models import Client, DossierEntry, EntryKind, SealedJSON, Trajectory
from coachdossier.lib import pdf
from coachdossier.lib.dates import format_date

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation


class ReportKind(models.TextChoices):
    PLAN = "plan", _("Plan of approach")
    PROGRESS = "progress", _("Progress report")
    FINAL = "final", _("Final report")
    LETTER = "letter", _("Letter")


class Addressee(models.TextChoices):
    PRINCIPAL = "principal", _("The principal")
    COMPANY_DOCTOR = "company_doctor", _("The company doctor")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready, client copy not yet delivered")
    CLIENT_COPY = "client_copy", _("Client copy sent")
    APPROVED = "approved", _("Approved by the client")
    SIGNED = "signed", _("Signed by the client")
    OBJECTED = "objected", _("Client objected")
    BLOCKED = "blocked", _("Blocked by the client")
    SENT = "sent", _("Sent")
    SUPERSEDED = "superseded", _("Replaced by a new version")


S = ReportState
# GC-5.3: why a report that quotes a statement the client withdrew since cannot go out.
WITHDRAWN_STATEMENT_QUOTED = _("The client withdrew a statement that this report quotes (GC-5.3). Take it out of "
                               "the report first: in a draft by editing it, otherwise in a new version.")
# The states as the client reads them on her own reports: to her, not about "the client".
STATE_FOR_CLIENT: dict[str, "StrOrPromise"] = {
    S.CLIENT_COPY: _("Waiting for your answer"),
    S.APPROVED: _("You agreed"),
    S.SIGNED: _("You signed it"),
    S.OBJECTED: _("You objected"),
    S.BLOCKED: _("You blocked it"),
}
# The one state machine (PR-6, GC-6.1): (from, event) -> to. actions.py refuses anything else.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, "edit"): S.DRAFT,
    (S.DRAFT, "ready"): S.READY,
    (S.READY, "notified"): S.CLIENT_COPY,
    (S.CLIENT_COPY, "approve"): S.APPROVED,
    (S.CLIENT_COPY, "sign"): S.SIGNED,
    (S.OBJECTED, "sign"): S.SIGNED,  # an objection and, where required, a signature
    (S.CLIENT_COPY, "block"): S.BLOCKED,
    (S.CLIENT_COPY, "object"): S.OBJECTED,
    (S.CLIENT_COPY, "send"): S.SENT,  # only once the review period has passed
    (S.APPROVED, "send"): S.SENT,
    (S.SIGNED, "send"): S.SENT,
    (S.OBJECTED, "send"): S.SENT,
    (S.SENT, "send"): S.SENT,  # a new link (the first expired or its mail failed)
    **{(state, "revise"): S.SUPERSEDED
       for state in (S.READY, S.CLIENT_COPY, S.APPROVED, S.SIGNED, S.OBJECTED, S.BLOCKED)},
}
CLIENT_ANSWERS = ("approve", "sign", "block", "object")
WITH_CLIENT = (S.CLIENT_COPY,)  # awaiting the client's answer

# Each kind's sections: (Dutch title, English title). The coach may rename, add or leave out.
TEMPLATES = {
    ReportKind.PLAN: [("Aanleiding", "Reason for the trajectory"), ("Doel van het traject", "Goal"),
                      ("Aanpak", "Approach"), ("Planning en contactmomenten", "Planning and contacts"),
                      ("Afspraken", "Agreements")],
    ReportKind.PROGRESS: [("Verloop", "Course so far"), ("Voortgang ten opzichte van het doel", "Progress towards the goal"),
                          ("Mogelijkheden en beperkingen", "Possibilities and limitations"), ("Vervolg", "Next steps")],
    ReportKind.FINAL: [("Verloop van het traject", "Course of the trajectory"), ("Resultaat", "Result"),
                       ("Advies", "Advice"), ("Afsluiting", "Closing")],
    ReportKind.LETTER: [("Bericht", "Message")],
}
SUBJECTS = {
    "nl": {ReportKind.PLAN: "Plan van aanpak", ReportKind.PROGRESS: "Voortgangsrapportage",
           ReportKind.FINAL: "Eindrapportage", ReportKind.LETTER: "Brief"},
    "en": {ReportKind.PLAN: "Plan of approach", ReportKind.PROGRESS: "Progress report",
           ReportKind.FINAL: "Final report", ReportKind.LETTER: "Letter"},
}


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user, action: str, now=None):
        """Reports of the clients `user` may perform `action` on (GC-2.3)."""
        return self.filter(client__in=Client.objects.visible_to(user, action, now))

    def current(self):
        return self.exclude(state=S.SUPERSEDED)

    def awaiting_client(self):
        return self.filter(state__in=WITH_CLIENT)


class Report(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="reports")
    trajectory = models.ForeignKey(Trajectory, models.CASCADE, related_name="reports")
    number = models.PositiveIntegerField()  # per client; versions share it
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField("self", models.SET_NULL, null=True, blank=True, related_name="next_version")
    kind = models.CharField(_("type"), max_length=12, choices=ReportKind.choices)
    addressee = models.CharField(_("addressed to"), max_length=16, choices=Addressee.choices)
    language = models.CharField(_("language"), max_length=2, default="nl", choices=[("nl", "Nederlands"),
                                                                                     ("en", "English")])
    signature_required = models.BooleanField(_("signature of the client required"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=S.DRAFT)
    # subject, salutation, sections, closing, trajectory data, chosen entries, recipient
    sealed = models.BinaryField()
    letter_date = models.DateField(null=True, blank=True)  # fixed when marked ready
    pdf_sha256 = models.CharField(max_length=64, blank=True)  # the client copy, as the client sees it
    # The lib.pdf renderer version of every PDF of this report (client copy and the PDF sent),
    # fixed when it is marked ready: pdf_sha256 and signed_sha256 hold only when it is rendered
    # again exactly so. Reports made before version 2 existed have 1.
    pdf_renderer = models.PositiveSmallIntegerField(default=pdf.RENDERER, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    client_notified_at = models.DateTimeField(null=True, blank=True)  # PR-6: the notice was delivered
    notify_failed_at = models.DateTimeField(null=True, blank=True)
    review_until = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")
    signed_sha256 = models.CharField(max_length=64, blank=True)  # the exact PDF the client signed
    objection_sealed = models.BinaryField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_sha256 = models.CharField(max_length=64, blank=True)  # the PDF that went out
    sent_storage_name = models.CharField(max_length=200, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "number", "version"], name="unique_report_version"),
            # PR-6: nothing is sent before the client copy went out.
            models.CheckConstraint(condition=Q(sent_at__isnull=True) | Q(client_notified_at__isnull=False),
                                   name="report_sent_after_client_copy"),
            # PR-6: a report that needs a signature is never sent without one.
            models.CheckConstraint(condition=Q(sent_at__isnull=True) | Q(signature_required=False)
                                   | ~Q(signed_sha256=""), name="report_signed_when_required"),
            models.CheckConstraint(condition=~Q(state="blocked") | Q(sent_at__isnull=True),
                                   name="blocked_report_never_sent"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.client.reference}/R{self.number}" + (f"v{self.version}" if self.version > 1 else "")

    def aad(self, part="content") -> str:
        return f"report:{self.public_id}:{part}"

    @cached_property
    def content(self) -> dict:
        """{"subject", "salutation", "sections": [{"title", "text"}], "closing", "trajectory": [[label,
        value]] | None, "entries": [{"id", "date", "kind", "title", "text", "medical"}], "recipient":
        {"name", "organisation", "address", "email"}}"""
        return SealedJSON.open(self.client.public_id, self.sealed, self.aad())

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        for name in ("content", "objection"):
            self.__dict__.pop(name, None)

    def seal(self, content: dict) -> None:
        self.sealed = SealedJSON.seal(self.client.public_id, content, self.aad())
        self.__dict__.pop("content", None)

    @cached_property
    def objection(self) -> str:
        if not self.objection_sealed:
            return ""
        return SealedJSON.open(self.client.public_id, self.objection_sealed, self.aad("objection")).get("text", "")

    @property
    def state_for_client(self) -> "StrOrPromise":
        return STATE_FOR_CLIENT.get(self.state, self.get_state_display())

    # --- pure rules about one report ------------------------------------------------------

    def can(self, event: str) -> bool:
        return (self.state, event) in TRANSITIONS

    @property
    def can_block(self) -> bool:
        """GC-6.1: blocking only where the principal cannot demand the report by law."""
        return not self.trajectory.principal.statutory_report_right

    def review_passed(self, today: datetime.date) -> bool:
        return self.review_until is not None and today > self.review_until

    def quotes_withdrawn_statement(self) -> bool:
        """GC-5.3: whether the report quotes a statement the client has withdrawn since. Its own
        snapshot keeps the words; the dossier no longer does."""
        quoted = [e["id"] for e in self.content.get("entries", []) if e.get("kind") == EntryKind.CLIENT_STATEMENT]
        return bool(quoted) and DossierEntry.objects.filter(client_id=self.client_id, public_id__in=quoted,
                                                            withdrawn_at__isnull=False).exists()

    ANSWERS = (S.APPROVED, S.SIGNED, S.OBJECTED, S.BLOCKED)

    def get_answer_display(self) -> str:
        """What the client answered (PR-6, GC-6.1), also once the report moved on to sent: the
        state then says "Sent", and the answer is read from what the answer left behind."""
        if not self.answered_at:
            return ""
        if self.state in self.ANSWERS:
            return self.get_state_display()
        if self.signed_sha256:
            return str(S.SIGNED.label)
        return str((S.OBJECTED if self.objection_sealed else S.APPROVED).label)

    def send_refusal(self, now) -> "StrOrPromise | None":
        """Why the report cannot be sent now, or None (PR-6, GC-6.1)."""
        if self.state == S.BLOCKED:
            return _("The client blocked this report; it can never be sent (GC-6.1).")
        if self.client_notified_at is None:
            return _("The client's copy has not been delivered yet (PR-6).")
        if not self.can("send"):
            return _("A report in this state cannot be sent.")
        # GC-5.3: said before the wait for her answer, which would end in this refusal anyway. One
        # sent before the withdrawal stays as sent (a new link gives the same PDF).
        if self.state != S.SENT and self.quotes_withdrawn_statement():
            return WITHDRAWN_STATEMENT_QUOTED
        if self.signature_required and not self.signed_sha256:
            return _("This report needs the client's signature before it can be sent (PR-6).")
        if self.state == S.CLIENT_COPY and not self.review_passed(timezone.localdate(now)):
            if self.review_until is None:  # no review period started: the client was never notified
                return _("The client's copy has not been delivered yet (PR-6).")
            return _("The client may answer until %(date)s; the report can be sent after that (PR-6).") % {
                "date": format_date(self.review_until, "DATE_FORMAT")}
        return None


class Delivery(models.Model):
    """One sending of a report: a time-limited, single-use link, opened with a one-time code
    that travels another way (a second email, or the coach's phone call)."""

    class CodeChannel(models.TextChoices):
        EMAIL = "email", _("In a separate email")
        PHONE = "phone", _("The coach passes it on by phone")

    MAX_ATTEMPTS = 5

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, models.CASCADE, related_name="deliveries")
    addressee = models.CharField(max_length=16, choices=Addressee.choices)
    recipient_sealed = models.BinaryField()  # name, organisation, email
    token_sha256 = models.CharField(max_length=64, unique=True)
    code_hmac = models.CharField(max_length=64)
    code_channel = models.CharField(_("one-time code"), max_length=8, choices=CodeChannel.choices)
    sha256 = models.CharField(max_length=64)  # of the PDF this link serves
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The outbox rows of the link and code mails, so an attempt that settles later (a retry by
    # send_queued_mail) updates the times below (actions.record_mail_outcome). Sent mail is
    # forgotten after 30 days, so the link may become empty; the times stay.
    link_mail = models.ForeignKey("accounts.OutgoingMail", models.SET_NULL, null=True, blank=True, related_name="+")
    code_mail = models.ForeignKey("accounts.OutgoingMail", models.SET_NULL, null=True, blank=True, related_name="+")
    link_mailed_at = models.DateTimeField(null=True, blank=True)
    code_mailed_at = models.DateTimeField(null=True, blank=True)
    mail_failed_at = models.DateTimeField(null=True, blank=True)  # last failed attempt; cleared when all went
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def aad(self) -> str:
        return f"delivery:{self.public_id}:recipient"

    @cached_property
    def recipient(self) -> dict:
        return SealedJSON.open(self.report.client.public_id, self.recipient_sealed, self.aad())

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def hash_code(token: str, code: str) -> str:
        # Keyed with the link's token: a stolen database alone does not give away the code.
        return hmac.new(token.encode(), code.strip().encode(), hashlib.sha256).hexdigest()

    def refusal(self, now) -> "StrOrPromise | None":
        if self.revoked_at:
            return _("This link was withdrawn.")
        if self.downloaded_at:
            return _("This link has already been used. Ask the practice for a new one.")
        if self.locked_at:
            return _("This link is locked after too many wrong codes. Ask the practice for a new one.")
        if now >= self.expires_at:
            return _("This link has expired. Ask the practice for a new one.")
        return None

    @property
    def mail_outstanding(self) -> bool:
        """A mail the recipient needs has not gone yet: the link, or the code when it goes by email."""
        return self.link_mailed_at is None or (self.code_channel == self.CodeChannel.EMAIL
                                               and self.code_mailed_at is None)

    @property
    def status_label(self):
        if self.downloaded_at:
            return _("Downloaded")
        if self.locked_at:
            return _("Locked")
        if self.revoked_at:
            return _("Withdrawn")
        if self.mail_failed_at and not self.link_mailed_at:
            return _("Mail failed")
        if self.mail_failed_at and self.mail_outstanding:
            # PR-6: the link went, the code did not: the recipient cannot open the report, so
            # "Waiting for download" would hide that nobody can download it yet.
            return _("Code mail failed")
        return _("Waiting for download")
