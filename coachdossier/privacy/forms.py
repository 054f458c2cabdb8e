from django import forms
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.forms import DateInput

from .models import RegistrationStatus


class CoachProfileForm(forms.Form):
    registration_status = forms.ChoiceField(label=_("registration status"), choices=RegistrationStatus.choices)
    registration_number = forms.CharField(label=_("registration number"), max_length=40, required=False)
    registered_on = forms.DateField(label=_("registered on"), required=False, widget=DateInput())
    insurer = forms.CharField(label=_("liability insurer"), max_length=120, required=False)
    policy_number = forms.CharField(label=_("policy number"), max_length=60, required=False)
    insurance_expires_on = forms.DateField(label=_("insurance valid until"), required=False, widget=DateInput())
    qualifications = forms.CharField(label=_("qualifications"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    methods = forms.CharField(label=_("methods"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FeeForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput())


class CvForm(forms.Form):
    cv = forms.FileField(label=_("CV (PDF or document)"))


class LegalHoldForm(forms.Form):
    reason = forms.CharField(label=_("reason (for example the court case or claim)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class HandoverForm(forms.Form):
    trajectory = forms.ChoiceField(label=_("UWV trajectory"))

    def __init__(self, *args, trajectories, **kwargs):
        super().__init__(*args, **kwargs)
        self.trajectories = {str(t.public_id): t for t in trajectories}
        self.fields["trajectory"].choices = [
            (str(t.public_id), f"{t.uwv_order_number or '—'} · {t.opened_on:%d-%m-%Y} – "
                               f"{t.closed_on:%d-%m-%Y}" if t.closed_on else f"{t.uwv_order_number or '—'}")
            for t in trajectories]

    def clean_trajectory(self):
        return self.trajectories[self.cleaned_data["trajectory"]]


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("delivered on"), widget=DateInput())
    method = forms.CharField(label=_("how (for example the UWV portal, secure mail)"), max_length=200)
    recipient = forms.CharField(label=_("to whom at UWV"), max_length=200, required=False)
