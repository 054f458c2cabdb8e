from django import forms
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.forms import DateInput

from .models import QUANTITIES, Protocol


class SessionForm(forms.Form):
    # ISO, as <input type="date"> reads it: the localised "05-12-2026" left the field empty in Dutch.
    measured_on = forms.DateField(label=_("Date"), widget=DateInput())
    protocol = forms.ChoiceField(label=_("Protocol"), choices=Protocol.choices)
    conclusions = forms.CharField(label=_("Conclusions"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    report = forms.FileField(label=_("Device report (PDF)"), required=False)
    rr_file = forms.FileField(
        label=_("RR-interval file"), required=False,
        help_text=_("One interval in ms (or seconds) per line; a CSV with an RR/IBI column; or a Polar Sensor "
                    "Logger RR export. Heart rate, RMSSD and SDNN are computed from it when left empty."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in QUANTITIES:
            self.fields[q.key] = forms.DecimalField(
                label=f"{q.label} ({q.unit})", required=False, min_value=q.low, max_value=q.high,
                decimal_places=2, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
        order = ["measured_on", "protocol", *[q.key for q in QUANTITIES], "conclusions", "report", "rr_file"]
        self.order_fields(order)

    def values(self) -> dict:
        return {q.key: self.cleaned_data[q.key] for q in QUANTITIES if self.cleaned_data.get(q.key) is not None}


class RRUploadForm(forms.Form):
    rr_file = forms.FileField(label=_("RR-interval file"))
