"""Loaded questionnaire definitions and their administrations to clients (GC-9.1).

A definition row is immutable: the source text and its checksum are what a result was
scored with; a new version of an instrument is a new row. Answers and results are client
content and sealed with the client's key; status and dates stay plain for routing.
"""

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.models import Client, SealedJSON

from . import definitions


class QuestionnaireDefinition(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=100)
    version = models.CharField(max_length=50)
    checksum = models.CharField(max_length=64, unique=True)
    title_nl = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    source = models.TextField(help_text="The YAML/JSON text exactly as loaded.")
    shipped = models.BooleanField(default=False)
    fictional = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["key", "-loaded_at"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="questionnaire_key_version_unique")]

    def __str__(self):
        return f"{self.title} ({self.version})"

    def save(self, *args, **kwargs):
        if self.pk and QuestionnaireDefinition.objects.filter(pk=self.pk).exclude(
                checksum=self.checksum, source=self.source).exists():
            raise ValueError("A loaded questionnaire definition is immutable; load a new version instead.")
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "nl").startswith("en") else self.title_nl

    @property
    def definition(self) -> definitions.Definition:
        # A property over a module cache, not a cached_property: model instances get
        # deep-copied (test data) and the parsed definition holds mapping proxies.
        return _parsed(self.source)


_CACHE: dict[str, definitions.Definition] = {}


def _parsed(source: str) -> definitions.Definition:
    # Parsing and validating DASS-21 takes a few ms; a definition never changes, so keep it.
    found = _CACHE.get(source)
    if found is None:
        found = _CACHE[source] = definitions.load_definition(source)
    return found


class Moment(models.TextChoices):
    INTAKE = "intake", _("Intake")
    DURING = "during", _("During the trajectory")
    END = "end", _("End of the trajectory")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    SENT = "sent", _("Sent")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class AdministrationQuerySet(models.QuerySet):
    def for_client(self, client):
        return self.filter(client=client).select_related("definition", "sent_by", "client")

    def open(self):
        return self.filter(~Q(status=Status.COMPLETED))

    def completed(self):
        return self.filter(status=Status.COMPLETED)


class Administration(models.Model):
    """One questionnaire sent to one client: answered in the portal, scored on submission
    with the definition it was sent with (the result keeps that version)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="questionnaires")
    definition = models.ForeignKey(QuestionnaireDefinition, models.PROTECT, related_name="administrations")
    moment = models.CharField(_("moment"), max_length=16, choices=Moment.choices, default=Moment.OTHER)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    answers_sealed = models.BinaryField(default=b"")
    result_sealed = models.BinaryField(default=b"")
    answered_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The request that submitted the answers, as for dossier entries (DossierEntry.idempotency_key_sha256):
    # the SHA-256 of the user and the form's one-time key or the API's Idempotency-Key, so the same
    # submission arriving twice gets the result instead of an error. Never a hash of content.
    idempotency_key_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AdministrationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="completed") | Q(completed_at__isnull=False),
                                   name="completed_administration_has_date"),
        ]

    def aad(self, part: str) -> str:
        return f"administration:{self.public_id}:{part}"

    @cached_property
    def answers(self) -> dict:
        return SealedJSON.open(self.client.public_id, self.answers_sealed, self.aad("answers"))

    @cached_property
    def result(self) -> dict:
        """scoring.Result.to_dict() as stored at submission; {} before."""
        return SealedJSON.open(self.client.public_id, self.result_sealed, self.aad("result"))

    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def item_count(self) -> int:
        return len(self.definition.definition.items)
