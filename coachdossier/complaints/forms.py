from django import forms
from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.models import Role, User
from coachdossier.clients.forms import DateInput, MultipleFileField, OneTimeTokenField

from .models import (
    COMPLAINANT_NAME_MAX_LENGTH,
    COMPLAINT_DESCRIPTION_MAX_LENGTH,
    Category,
    Channel,
    LetterLanguage,
    Level,
    Outcome,
    Ruling,
    Subject,
    ToldVia,
)


def coaches():
    return User.objects.filter(is_active=True, role_grants__role=Role.COACH).distinct()


class PortalComplaintForm(forms.Form):
    """KR-1: a client lodges a complaint in the portal."""

    subject = forms.ChoiceField(label=_("What is your complaint about?"), choices=Subject.choices)
    coach = forms.ModelChoiceField(label=_("Which coach?"), queryset=User.objects.none(), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    level = forms.ChoiceField(label=_("Who should handle it?"), choices=Level.choices, initial=Level.PRACTICE,
                              # GC-0.2; a client reads this, so no rule ID in the text.
                              help_text=_("A complaint about a coach may also go to the umbrella organisation's "
                                          "complaints committee."))
    description = forms.CharField(label=_("Your complaint"), widget=forms.Textarea(attrs={"rows": 8}),
                                  max_length=COMPLAINT_DESCRIPTION_MAX_LENGTH)
    # Given with the empty form: the same form sent twice lodges one complaint (lodge_complaint_once).
    idempotency_key = OneTimeTokenField()

    def __init__(self, *args, coach_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coach_queryset if coach_queryset is not None else coaches()


class StaffComplaintForm(forms.Form):
    """KR-2: staff register a complaint that reached them, on the complainant's behalf."""

    channel = forms.ChoiceField(label=_("Received by"), choices=[c for c in Channel.choices if c[0] != "portal"])
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    client_reference = forms.CharField(label=_("Client reference"), required=False, max_length=20,
                                       help_text=_("If the complainant is a client, e.g. 2026-0003."))
    name = forms.CharField(label=_("Complainant's name"), required=False, max_length=COMPLAINANT_NAME_MAX_LENGTH,
                           help_text=_("Needed when the complainant is not a client."))
    address = forms.CharField(label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    # Left open, the client's own language (complaints.actions.default_language), not the
    # language of whoever fills in the form.
    language = forms.ChoiceField(label=_("Letters in"), choices=[("", _("The client's language")),
                                                                 *LetterLanguage.choices],
                                 initial="", required=False,
                                 help_text=_("The language the complainant reads. Left open: the language of the "
                                             "client's portal account, else Dutch."))
    subject = forms.ChoiceField(label=_("About"), choices=Subject.choices)
    coach = forms.ModelChoiceField(label=_("Coach complained about"), queryset=User.objects.none(), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.PRACTICE)
    description = forms.CharField(label=_("The complaint"), widget=forms.Textarea(attrs={"rows": 6}),
                                  max_length=COMPLAINT_DESCRIPTION_MAX_LENGTH)
    phone_offer_made = forms.BooleanField(
        label=_("Phone: the complainant was offered to register this as a complaint and accepted (KR-2.2)"),
        required=False)
    phone_called_at = forms.CharField(label=_("Phone form: date and time of the call"), required=False)
    phone_summary = forms.CharField(label=_("Phone form: what is the complaint about"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    phone_wish = forms.CharField(label=_("Phone form: what would the complainant like"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    phone_agreed = forms.CharField(label=_("Phone form: what was agreed"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("Source document or email"), required=False)  # type: ignore[assignment]  # a field, not Form.files
    idempotency_key = OneTimeTokenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coaches()


class RegisterForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    language = forms.ChoiceField(label=_("Letters in"), choices=LetterLanguage.choices, required=False)


class LanguageForm(forms.Form):
    """The complainant's language, changed after registration (actions.change_language)."""

    language = forms.ChoiceField(label=_("Letters in"), choices=LetterLanguage.choices)


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text for the letter"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class RulingLetterForm(TextForm):
    """GC-8.2: the letters with the ruling, to the complainant and to the coach."""

    text = forms.CharField(label=_("Text for the letter to the complainant"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    coach_text = forms.CharField(label=_("Text for the letter to the coach"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))


class AdmissionForm(forms.Form):
    admitted = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("Admit the complaint")), ("no", _("Do not admit it"))])
    reason = forms.CharField(label=_("Reason (required when not admitted)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CommitteeForm(forms.Form):
    coaches = forms.ModelMultipleChoiceField(label=_("Two coaches"), queryset=User.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coaches"].queryset = coaches()


class ExtensionForm(forms.Form):
    new_date = forms.DateField(label=_("New settlement date"), widget=DateInput())
    told_via = forms.ChoiceField(label=_("The complainant was told"), choices=ToldVia.choices)
    text = forms.CharField(label=_("Text for the letter, or the phone note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class SettleForm(forms.Form):
    text = forms.CharField(label=_("The settlement"), widget=forms.Textarea(attrs={"rows": 8}))
    measures = forms.CharField(label=_("Measures taken (for the annual evaluation)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class RulingForm(forms.Form):
    ruling = forms.ChoiceField(label=_("Ruling"), choices=Ruling.choices)
    ruling_on = forms.DateField(label=_("Date of the ruling"), widget=DateInput())
    measures = forms.CharField(label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CallForm(forms.Form):
    reached = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "yes",
                                     choices=[("no", _("Not reached")), ("yes", _("Reached"))])
    satisfied = forms.TypedChoiceField(label=_("Satisfied with the handling?"), required=False, empty_value=None,
                                       coerce=lambda v: {"yes": True, "no": False}.get(v),
                                       choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))])
    note = forms.CharField(label=_("Phone note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    """KR-3.5: offers only `outcomes`, those the case can close with now (actions.closing_outcomes);
    empty, the action says why."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—")], required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The last register event the page showed (actions.last_event_id): closing on an outcome
    # chosen before someone else took a step is refused, saying what they did.
    seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=36)

    def __init__(self, *args, outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Every outcome is a valid choice: one the case cannot close with (any more) is refused
        # by the action, which says why, not as "not one of the available choices".
        self.fields["outcome"].choices = [("", "—"), *((o.value, o.label) for o in map(Outcome, outcomes))]
        self.fields["outcome"].valid_value = lambda value: value in Outcome.values


class HandOverForm(forms.Form):
    """GC-8.1: the complaint goes to the umbrella organisation's committee."""

    note = forms.CharField(label=_("Note for the register"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class LetterTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}))


class ClosureDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    description = forms.CharField(label=_("Description"), required=False, max_length=100)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end comes before the start."))
        return data
