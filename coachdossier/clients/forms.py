import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.models import Role, User

from .models import (
    BREAK_GLASS_REASON_MAX_LENGTH,
    CHANGE_REASON_MAX_LENGTH,
    CONSENT_DETAIL_MAX_LENGTHS,
    ENTRY_TEXT_MAX_LENGTH,
    GOAL_TEXT_MAX_LENGTH,
    JUSTIFICATION_MAX_LENGTH,
    PRINCIPAL_ADDRESS_MAX_LENGTH,
    ClientSource,
    ConsentChannel,
    ConsentKind,
    EntryKind,
    PersonalData,
    Principal,
    PrincipalKind,
    SessionMode,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class OneTimeTokenField(forms.CharField):
    """A hidden random token the page made when it showed the form (`new()`). It is never an error:
    a value that is not such a token (edited, garbled) counts as none, since a hidden field's
    error would have nowhere to show."""

    widget = forms.HiddenInput
    PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        return value if isinstance(value, str) and self.PATTERN.fullmatch(value) else ""

    @staticmethod
    def new() -> str:
        return secrets.token_urlsafe(16)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's field errors next to the fields they belong to."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PrincipalForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=PrincipalKind.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    address = forms.CharField(label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=PRINCIPAL_ADDRESS_MAX_LENGTH)
    statutory_report_right = forms.BooleanField(
        label=_("This principal may demand reports by law"), required=False,
        help_text=_("Then a client cannot block a report, only add a written objection (GC-6.1)."))


class PersonalDataForm(forms.Form):
    """GC-9.1: exactly these fields. There is no field for religion, origin, political views or
    any other special category, by design (PR-4)."""

    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    street = forms.CharField(label=_("Street"), max_length=120, required=False)
    house_number = forms.CharField(label=_("House number"), max_length=12, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=8, required=False)
    city = forms.CharField(label=_("Town"), max_length=80, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    bsn = forms.CharField(label=_("BSN (UWV clients only)"), max_length=11, required=False)
    background = forms.CharField(label=_("Short background (UWV clients only)"), max_length=1000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))

    def personal(self) -> PersonalData:
        data = dict(self.cleaned_data)
        dob = data.pop("date_of_birth", None)
        return PersonalData(**{k: (v or "") for k, v in data.items() if k in PersonalData.__dataclass_fields__},
                            date_of_birth=dob.isoformat() if dob else "")

    @classmethod
    def initial_from(cls, personal: PersonalData) -> dict:
        initial = {k: getattr(personal, k) for k in PersonalData.__dataclass_fields__}
        initial["date_of_birth"] = personal.birth_date
        return initial


def coach_choices(*, substitute_for=None):
    """Active coaches by name; `substitute_for` a client leaves out her own coaches, whom a
    substitution for her refuses (GC-2.5)."""
    coaches = User.objects.filter(role_grants__role=Role.COACH, is_active=True).order_by("full_name")
    if substitute_for is not None:
        coaches = coaches.exclude(coached_trajectories__client=substitute_for)
    return coaches


class TrajectoryForm(forms.Form):
    principal = forms.ModelChoiceField(label=_("Principal"), queryset=Principal.objects.all(),
                                       to_field_name="public_id")
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=User.objects.none(), to_field_name="public_id")
    source = forms.ChoiceField(label=_("Source"), choices=ClientSource.choices)
    uwv_order_number = forms.CharField(label=_("UWV order number"), max_length=40, required=False)
    approved_hours = forms.DecimalField(label=_("Approved hours"), max_digits=6, decimal_places=1, required=False,
                                        min_value=0)
    agreement_date = forms.DateField(label=_("Date of the coaching agreement"), required=False, widget=DateInput())
    vulnerable = forms.BooleanField(label=_("Client in a vulnerable or dependent position (GC-1.6)"), required=False,
                                    help_text=_("Reports then always need the client's explicit sign-off."))
    goal_text = forms.CharField(label=_("Goal or question of the assignment"), required=False,
                                max_length=GOAL_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("In the client's own words. Needed before the trajectory can become "
                                            "active (GC-7.1)."))
    goal_justification = forms.CharField(label=_("Justification (only if the goal mentions a special category)"),
                                         required=False, max_length=JUSTIFICATION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coach_choices()


class RegisterClientForm(PersonalDataForm, TrajectoryForm):
    pass


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal or question"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=GOAL_TEXT_MAX_LENGTH)
    reason = forms.CharField(label=_("Why it is reformulated"), required=False, max_length=CHANGE_REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))
    justification = forms.CharField(label=_("Justification (only if the text mentions a special category)"),
                                    required=False, max_length=JUSTIFICATION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=[(k.value, k.label) for k in EntryKind.staff_kinds()])
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text = forms.CharField(label=_("Text"), required=False, max_length=ENTRY_TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 8}))
    source = forms.CharField(label=_("Source of a received document (for example UWV)"), max_length=120,
                             required=False)
    is_medical = forms.BooleanField(label=_("Medical: extra confidential (PR-4)"), required=False,
                                    help_text=_("Hidden from lists and search; never in reports to employers, "
                                                "municipalities or UWV."))
    justification = forms.CharField(label=_("Justification (only if the text mentions a special category)"),
                                    required=False, max_length=JUSTIFICATION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("Attachments"), required=False,  # type: ignore[assignment]  # a field, not Form.files
                              help_text=_("PDF, images or office documents."))
    # Given with the empty form: the same form sent twice makes one entry (actions.add_entry_once).
    # Optional, so a form shown before it existed still saves.
    idempotency_key = OneTimeTokenField()


class EntryEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text = forms.CharField(label=_("Text"), required=False, max_length=ENTRY_TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 8}))
    reason = forms.CharField(label=_("Reason for the change"), max_length=CHANGE_REASON_MAX_LENGTH)
    is_medical = forms.BooleanField(label=_("Medical: extra confidential (PR-4)"), required=False)
    justification = forms.CharField(label=_("Justification (only if the text mentions a special category)"),
                                    required=False, max_length=JUSTIFICATION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentsForm(forms.Form):
    files = MultipleFileField(label=_("Attachments"), required=False,  # type: ignore[assignment]  # a field, not Form.files
                              help_text=_("PDF, images or office documents."))


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600)
    mode = forms.ChoiceField(label=_("Form"), choices=SessionMode.choices)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of consent"), choices=ConsentKind.choices)
    substitute = forms.ModelChoiceField(label=_("Substitute coach"), queryset=User.objects.none(), required=False,
                                        to_field_name="public_id")
    recipient = forms.CharField(label=_("Recipient"), max_length=CONSENT_DETAIL_MAX_LENGTHS["recipient"],
                                required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=CONSENT_DETAIL_MAX_LENGTHS["purpose"], required=False)
    data_scope = forms.CharField(label=_("Which data"), max_length=CONSENT_DETAIL_MAX_LENGTHS["data_scope"],
                                 required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    given_via = forms.ChoiceField(label=_("How the client consented"),
                                  choices=[c for c in ConsentChannel.choices if c[0] != ConsentChannel.PORTAL])
    evidence = forms.FileField(label=_("Evidence (signed form, letter or email)"), required=False)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        # GC-2.5: the client's own coach cannot stand in for herself (record_consent refuses it).
        self.fields["substitute"].queryset = coach_choices(substitute_for=client)


class ReferralForm(forms.Form):
    therapist = forms.ModelChoiceField(label=_("Biofeedback therapist"), queryset=User.objects.none(),
                                       to_field_name="public_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = User.objects.filter(role_grants__role=Role.THERAPIST, is_active=True)


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label=_("Client reference"), max_length=20)
    reason = forms.CharField(label=_("Reason for emergency access"), widget=forms.Textarea(attrs={"rows": 3}),
                             min_length=20, max_length=BREAK_GLASS_REASON_MAX_LENGTH,
                             help_text=_("Management is told, and the client will see this."))


class TermsForm(forms.Form):
    """A trajectory's terms after opening (GC-0.4, GC-1.6); the same fields as on opening."""

    uwv_order_number = forms.CharField(label=_("UWV order number"), max_length=40, required=False)
    approved_hours = forms.DecimalField(label=_("Approved hours"), max_digits=6, decimal_places=1, required=False,
                                        min_value=0, help_text=_("For example after the principal approved an "
                                                                 "extension."))
    agreement_date = forms.DateField(label=_("Date of the coaching agreement"), required=False, widget=DateInput())
    vulnerable = forms.BooleanField(label=_("Client in a vulnerable or dependent position (GC-1.6)"), required=False,
                                    help_text=_("Reports then always need the client's explicit sign-off."))

    @classmethod
    def of(cls, trajectory, data=None):
        return cls(data, initial={name: getattr(trajectory, name) for name in cls.base_fields})


class AssignCoachForm(forms.Form):
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=User.objects.none(), to_field_name="public_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coach_choices()
