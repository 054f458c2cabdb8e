"""Psycho-physiological measurement sessions recorded by the biofeedback therapist (GC-9.1).

Everything about the measurement is health data and sealed with the client's key: the
values, the conclusions, the HRV analysis and chart data, the names of the files. The
device's report and the RR-interval file are stored encrypted on disk. Plain columns: the
date, the protocol, who recorded it, sizes and the storage names.
"""

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachdossier.clients import crypto, uploads
from coachdossier.clients.models import Client, SealedJSON

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation


@dataclass(frozen=True)
class Quantity:
    key: str
    label: "StrOrPromise"
    unit: str
    low: float  # plausible range, inclusive; values outside are typing errors
    high: float
    hrv_key: str = ""  # the TimeDomain field that gives it when an RR file is analysed


# The structured values, with their fixed units.
QUANTITIES = (
    Quantity("heart_rate_bpm", _("Heart rate"), "bpm", 20, 250, "mean_hr_bpm"),
    Quantity("rmssd_ms", _("HRV (RMSSD)"), "ms", 0, 500, "rmssd_ms"),
    Quantity("sdnn_ms", _("HRV (SDNN)"), "ms", 0, 500, "sdnn_ms"),
    Quantity("breathing_rate_per_min", _("Breathing rate"), "/min", 2, 60),
    Quantity("skin_conductance_us", _("Skin conductance"), "µS", 0, 100),
)
QUANTITY = {q.key: q for q in QUANTITIES}


class Protocol(models.TextChoices):
    REST = "rest", _("Resting measurement")
    PACED_BREATHING = "paced_breathing", _("Paced breathing (resonance frequency)")
    STRESS_RECOVERY = "stress_recovery", _("Stress and recovery test")
    TRAINING = "training", _("Biofeedback training session")
    OTHER = "other", _("Other")


class MeasurementSession(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="measurements")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    measured_on = models.DateField(_("date"))
    protocol = models.CharField(_("protocol"), max_length=20, choices=Protocol.choices)
    values_sealed = models.BinaryField(default=b"")
    conclusions_sealed = models.BinaryField(default=b"")
    report_name_sealed = models.BinaryField(default=b"")
    report_storage_name = models.CharField(max_length=200, blank=True)
    report_size = models.PositiveIntegerField(default=0)
    rr_name_sealed = models.BinaryField(default=b"")
    rr_storage_name = models.CharField(max_length=200, blank=True)
    hrv_sealed = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-measured_on", "-created_at"]

    def aad(self, part: str) -> str:
        return f"measurement:{self.public_id}:{part}"

    @cached_property
    def values(self) -> dict:
        """{quantity key: number}, only those measured; see QUANTITIES for units."""
        return SealedJSON.open(self.client.public_id, self.values_sealed, self.aad("values"))

    @cached_property
    def conclusions(self) -> str:
        return SealedJSON.open(self.client.public_id, self.conclusions_sealed, self.aad("conclusions")).get("text", "")

    @cached_property
    def hrv(self) -> dict:
        """{"result": HRVResult.to_dict(), "tachogram": ChartSeries, "spectrum": ChartSeries|None,
        "source_format": ...}; {} without an RR file."""
        return SealedJSON.open(self.client.public_id, self.hrv_sealed, self.aad("hrv"))

    @cached_property
    def report_filename(self) -> str:
        if not self.report_storage_name:
            return ""
        sealed = self.report_name_sealed
        return uploads.shown_name(crypto.open_sealed(self.client.public_id, sealed, self.aad("report-name")))

    @cached_property
    def rr_filename(self) -> str:
        if not self.rr_storage_name:
            return ""
        return uploads.shown_name(crypto.open_sealed(self.client.public_id, self.rr_name_sealed, self.aad("rr-name")))

    def value_rows(self) -> list[dict]:
        values = self.values
        return [{"label": q.label, "unit": q.unit, "value": values[q.key]} for q in QUANTITIES if q.key in values]
