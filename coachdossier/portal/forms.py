from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.forms import DateInput, OneTimeTokenField, coach_choices
from coachdossier.clients.models import CONSENT_DETAIL_MAX_LENGTHS, ConsentKind
from coachdossier.lib.dates import format_date

from .models import (
    CORRECTION_PROPOSED_MAX_LENGTH,
    CORRECTION_REASON_MAX_LENGTH,
    STATEMENT_TEXT_MAX_LENGTH,
    STATEMENT_TITLE_MAX_LENGTH,
    EmailContent,
    RequestKind,
)

if TYPE_CHECKING:
    from coachdossier.accounts.models import User

PERSONAL_FIELD_LABELS = [
    ("first_name", _("First name")), ("last_name", _("Last name")), ("street", _("Street")),
    ("house_number", _("House number")), ("postcode", _("Postcode")), ("city", _("Town")), ("email", _("Email")),
    ("phone", _("Phone")), ("date_of_birth", _("Date of birth (YYYY-MM-DD)")), ("bsn", _("BSN")),
    ("background", _("Background")),
]


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("Choose a password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 12 characters. A sentence you can remember works well."))
    password2 = forms.CharField(label=_("The same password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("Which of your personal data is wrong"), required=False,
                              choices=[("", _("— choose —"))] + PERSONAL_FIELD_LABELS)
    entry = forms.CharField(widget=forms.HiddenInput, required=False)
    proposed = forms.CharField(label=_("What it should say"), widget=forms.Textarea(attrs={"rows": 4}),
                               max_length=CORRECTION_PROPOSED_MAX_LENGTH)
    reason = forms.CharField(label=_("Why it is wrong or incomplete"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=CORRECTION_REASON_MAX_LENGTH)

    def __init__(self, *args, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        if entry is not None:  # the request is about this entry; a field chosen beside it would be ignored
            del self.fields["field"]


class DestructionForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand that my whole dossier will be destroyed and cannot be "
                                         "restored."),
                                 error_messages={"required": _("Tick the box to confirm that you want your whole "
                                                               "dossier destroyed. Nothing has been sent yet.")})


class StatementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=STATEMENT_TITLE_MAX_LENGTH, required=False)
    text = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 8}),
                           max_length=STATEMENT_TEXT_MAX_LENGTH,
                           help_text=_("Your own view, for example on the coaching relationship. Staff can never "
                                       "change it."))
    idempotency_key = OneTimeTokenField()


class ConsentGrantForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent to"), choices=[(ConsentKind.SUBSTITUTE, _("A substitute coach")),
                                                            (ConsentKind.DISCLOSURE, _("Sharing data with a party"))])
    substitute: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Substitute coach"), queryset=None, required=False, to_field_name="public_id",
        empty_label=_("— choose —"), help_text=_("Only for a substitute coach."))
    recipient = forms.CharField(label=_("Recipient"), max_length=CONSENT_DETAIL_MAX_LENGTHS["recipient"],
                                required=False, help_text=_("Only for sharing data: who may receive it."))
    purpose = forms.CharField(label=_("Purpose"), max_length=CONSENT_DETAIL_MAX_LENGTHS["purpose"], required=False,
                              help_text=_("Only for sharing data: what for."))
    data_scope = forms.CharField(label=_("Which data"), max_length=CONSENT_DETAIL_MAX_LENGTHS["data_scope"],
                                 required=False, help_text=_("Only for sharing data: which of your data."))
    valid_from = forms.DateField(label=_("From"), widget=DateInput())
    valid_until = forms.DateField(label=_("Until"), widget=DateInput(), required=False)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Her own coach cannot stand in for himself (grant_consent refuses it).
        self.fields["substitute"].queryset = coach_choices(substitute_for=client)


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    about = forms.CharField(widget=forms.HiddenInput, required=False)


class CommunicationForm(forms.Form):
    by_email = forms.BooleanField(label=_("By email"), required=False)
    by_phone = forms.BooleanField(label=_("By phone"), required=False)
    by_letter = forms.BooleanField(label=_("By letter"), required=False)
    email_content = forms.ChoiceField(label=_("What may be said in an email"), choices=EmailContent.choices,
                                      widget=forms.RadioSelect,
                                      help_text=_("Dossier content never goes by email; it stays in the portal."))


class LetterRequestForm(forms.Form):
    """Staff register a request that came by letter."""

    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    identity_check = forms.CharField(label=_("How the identity was verified"), max_length=500,
                                     help_text=_("For example: signature compared with the coaching agreement, "
                                                 "and confirmed by phone."))
    entry = forms.ChoiceField(label=_("Correction of a fact: which entry"), required=False)
    field = forms.ChoiceField(label=_("Correction of personal data: which field"), required=False,
                              choices=[("", "—"), *PERSONAL_FIELD_LABELS])
    proposed = forms.CharField(label=_("Correction: what it should say"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Correction: the client's reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    scan = forms.FileField(label=_("Scan of the letter"), required=False)

    def __init__(self, *args, facts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.facts = {str(e.public_id): e for e in facts}
        self.fields["entry"].choices = [("", "—")] + [
            (key, f"{format_date(e.occurred_on, 'SHORT_DATE_FORMAT')} · {e.current.content.get('title') or e.get_kind_display()}")
            for key, e in self.facts.items()]


class ReleaseCopyForm(forms.Form):
    redact = forms.MultipleChoiceField(label=_("Withhold these entries (they concern other people)"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Why they are withheld"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redact"].choices = [(str(e.public_id), f"{format_date(e.occurred_on, 'SHORT_DATE_FORMAT')} · "
                                          f"{e.current.content.get('title') or e.get_kind_display()}") for e in entries]


class DecideCorrectionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("accept", _("Accept: write the correction (the old version stays "
                                                       "visible as corrected)")),
                                          ("refuse", _("Refuse, with a reason for the client"))])
    text = forms.CharField(label=_("Corrected text"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DestroyForm(forms.Form):
    told = forms.MultipleChoiceField(label=_("Recipients already told of the destruction (AVG art. 19)"),
                                     required=False, widget=forms.CheckboxSelectMultiple)
    confirm = forms.BooleanField(label=_("Destroy the dossier now. This cannot be undone."))

    def __init__(self, *args, recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["told"].choices = recipients


class ProposalForm(forms.Form):
    substitute: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(label=_("Substitute coach"), queryset=None, to_field_name="public_id")
    valid_from = forms.DateField(label=_("From"), widget=DateInput())
    valid_until = forms.DateField(label=_("Until"), widget=DateInput())

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        # GC-2.5: the client's own coach cannot stand in for herself (propose_substitute refuses it).
        self.fields["substitute"].queryset = coach_choices(substitute_for=client)
