from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Addressee, Delivery, ReportKind

EXTRA_SECTIONS = 2  # empty title/text pairs under the existing ones, to add a section


class NewReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of report"), choices=ReportKind.choices)
    addressee = forms.ChoiceField(label=_("Addressed to"), choices=Addressee.choices,
                                  help_text=_("Only a report to the company doctor may contain medical "
                                              "information (PR-4)."))
    language = forms.ChoiceField(label=_("Language of the report"), choices=[("nl", "Nederlands"),
                                                                           ("en", "English")])
    signature_required = forms.BooleanField(label=_("The client must sign this report"), required=False,
                                            help_text=_("Always on for a client in a vulnerable position "
                                                        "(GC-1.6)."))


class ReportForm(forms.Form):
    """The draft: subject, salutation, the sections (title and text), the closing, trajectory
    data and chosen dossier entries. Medical entries are added one by one elsewhere."""

    addressee = forms.ChoiceField(label=_("Addressed to"), choices=Addressee.choices)
    recipient_name = forms.CharField(label=_("Company doctor"), max_length=150, required=False,
                                     help_text=_("Only for a report to the company doctor."))
    recipient_organisation = forms.CharField(label=_("Occupational health service"), max_length=200,
                                             required=False)
    recipient_address = forms.CharField(label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 2}),
                                        required=False)
    recipient_email = forms.EmailField(label=_("Email address of the company doctor"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    salutation = forms.CharField(label=_("Salutation"), max_length=200, required=False)
    closing = forms.CharField(label=_("Closing paragraph"), widget=forms.Textarea(attrs={"rows": 2}),
                              required=False)
    include_trajectory = forms.BooleanField(label=_("Add the trajectory data (goal, dates, hours)"),
                                            required=False)
    entries = forms.MultipleChoiceField(label=_("Add dossier entries"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    signature_required = forms.BooleanField(label=_("The client must sign this report"), required=False)

    def __init__(self, *args, sections: list[dict], entry_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.section_count = len(sections) + EXTRA_SECTIONS
        self.fields["entries"].choices = entry_choices  # type: ignore[attr-defined]  # a MultipleChoiceField
        for i in range(self.section_count):
            initial = sections[i] if i < len(sections) else {"title": "", "text": ""}
            self.fields[f"section_{i}_title"] = forms.CharField(
                label=_("Section %(n)d: title") % {"n": i + 1}, max_length=200, required=False,
                initial=initial["title"])
            self.fields[f"section_{i}_text"] = forms.CharField(
                label=_("Section %(n)d: text") % {"n": i + 1}, required=False, initial=initial["text"],
                widget=forms.Textarea(attrs={"rows": 5}))
        # the order on the page: recipient, subject, salutation, sections, closing, the rest
        order = ["addressee", "recipient_name", "recipient_organisation", "recipient_address", "recipient_email",
                 "subject", "salutation"]
        order += [f"section_{i}_{part}" for i in range(self.section_count) for part in ("title", "text")]
        order += ["closing", "include_trajectory", "entries", "signature_required"]
        self.order_fields(order)

    def sections(self) -> list[dict]:
        data = self.cleaned_data
        return [{"title": data[f"section_{i}_title"], "text": data[f"section_{i}_text"]}
                for i in range(self.section_count)]

    def recipient(self) -> dict:
        data = self.cleaned_data
        return {"name": data["recipient_name"], "organisation": data["recipient_organisation"],
                "address": data["recipient_address"], "email": data["recipient_email"]}


class MedicalEntryForm(forms.Form):
    entry = forms.UUIDField(widget=forms.HiddenInput)
    acknowledged = forms.BooleanField(
        label=_("I confirm that this medical information is needed by the company doctor and may go to "
                "them (PR-4)."))


class SendForm(forms.Form):
    code_channel = forms.ChoiceField(label=_("How does the recipient get the one-time code?"),
                                     choices=Delivery.CodeChannel.choices, widget=forms.RadioSelect,
                                     initial=Delivery.CodeChannel.EMAIL)
    recipient_email = forms.EmailField(label=_("Recipient's email address"))


class SignForm(forms.Form):
    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(label=_("I have read this report and sign it."))


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000,
                           help_text=_("Your objection is attached to the report and always sent with it."))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("One-time code"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
