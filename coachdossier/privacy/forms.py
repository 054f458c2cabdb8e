from django import forms
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.forms import DateInput
from coachdossier.lib.dates import format_date

from .models import BreachDecision, LegalGround, RegistrationStatus


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
            (str(t.public_id), f"{t.uwv_order_number or '—'} · {format_date(t.opened_on, 'SHORT_DATE_FORMAT')} – "
                               f"{format_date(t.closed_on, 'SHORT_DATE_FORMAT')}" if t.closed_on else f"{t.uwv_order_number or '—'}")
            for t in trajectories]

    def clean_trajectory(self):
        return self.trajectories[self.cleaned_data["trajectory"]]


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("delivered on"), widget=DateInput())
    method = forms.CharField(label=_("how (for example the UWV portal, secure mail)"), max_length=200)
    recipient = forms.CharField(label=_("to whom at UWV"), max_length=200, required=False)


class ConfidentialityBreachForm(forms.Form):
    occurred_on = forms.DateField(label=_("date the secrecy was broken"), widget=DateInput())
    legal_ground = forms.ChoiceField(label=_("legal ground"), choices=LegalGround.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    recipient = forms.CharField(label=_("shared with"), max_length=300)
    shared = forms.CharField(label=_("what was shared"), widget=forms.Textarea(attrs={"rows": 3}))
    client_informed = forms.BooleanField(label=_("the client was informed"), required=False)
    informed_on = forms.DateField(label=_("informed on"), required=False, widget=DateInput())
    why_not_told = forms.CharField(label=_("why the client was not informed"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    acute_danger = forms.BooleanField(label=_("telling the client would cause acute danger (hide from the portal)"),
                                      required=False)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DataBreachForm(forms.Form):
    discovered_at = forms.DateTimeField(label=_("discovered at"), widget=DateTimeInput())
    title = forms.CharField(label=_("incident"), max_length=200)
    description = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 3}))
    data_affected = forms.CharField(label=_("data affected"), widget=forms.Textarea(attrs={"rows": 2}))
    people_affected = forms.CharField(label=_("people affected (groups and numbers)"),
                                      widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BreachDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("notification of the authority"), choices=BreachDecision.choices)
    decision_reason = forms.CharField(label=_("reason for the decision"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    decided_at = forms.DateTimeField(label=_("decision taken at"), required=False, widget=DateTimeInput(),
                                     help_text=_("Empty: the time of the notification, or now."))
    authority_notified_at = forms.DateTimeField(label=_("authority notified at"), required=False,
                                                widget=DateTimeInput())
    authority_reference = forms.CharField(label=_("authority's reference"), max_length=60, required=False)
    measures = forms.CharField(label=_("measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BreachClientForm(forms.Form):
    reference = forms.CharField(label=_("client reference"), max_length=20)
    notified_on = forms.DateField(label=_("client told on"), required=False, widget=DateInput())


class ProcessorForm(forms.Form):
    name = forms.CharField(label=_("processor"), max_length=200)
    service = forms.CharField(label=_("service"), max_length=200)
    agreement_reference = forms.CharField(label=_("processor agreement (reference)"), max_length=200)
    agreement_date = forms.DateField(label=_("agreement signed on"), widget=DateInput())
    location = forms.CharField(label=_("where the data is processed"), max_length=100)


class DpiaForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    version = forms.CharField(label=_("version"), max_length=20)
    approved_on = forms.DateField(label=_("approved on"), widget=DateInput())
    document = forms.FileField(label=_("document"))


class SupervisionReviewForm(forms.Form):
    summary = forms.CharField(label=_("case summary (review and edit before download)"),
                              widget=forms.Textarea(attrs={"rows": 18}))
    identifiable = forms.BooleanField(required=False, widget=forms.HiddenInput())


class ResearchExportForm(forms.Form):
    date_mode = forms.ChoiceField(label=_("dates"), choices=[("month", _("coarsened to the month")),
                                                            ("shift", _("shifted by a random offset per client"))])
    fmt = forms.ChoiceField(label=_("format"), choices=[("csv", "CSV"), ("json", "JSON")])


class UmbrellaApprovalForm(forms.Form):
    approved_on = forms.DateField(label=_("approved by the umbrella organisation on"), widget=DateInput())
