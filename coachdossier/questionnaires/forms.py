from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coachdossier.clients.forms import OneTimeTokenField

from .models import Moment, QuestionnaireDefinition


def language() -> str:
    return "en" if (get_language() or "nl").startswith("en") else "nl"


class SendForm(forms.Form):
    definition = forms.ModelChoiceField(label=_("Questionnaire"), queryset=QuestionnaireDefinition.objects.none(),
                                        to_field_name="public_id")
    moment = forms.ChoiceField(label=_("Moment"), choices=Moment.choices, initial=Moment.DURING)

    def __init__(self, *args, definitions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if definitions is not None:
            self.fields["definition"].queryset = definitions
        self.fields["definition"].label_from_instance = lambda d: f"{d.title} · {d.version}"


def _option_label(option, lang: str) -> str:
    """A numbered answer shows its number: the DASS-21 asks to "choose a number 0, 1, 2 or 3",
    and the client saw only the words."""
    label = option.label.get(lang)
    return f"{option.value} – {label}" if isinstance(option.value, int) else label


class AnswerForm(forms.Form):
    """One radio group per item, all optional here: the action decides what a submission
    needs (every required item) so that saving halfway always works."""

    def __init__(self, *args, definition, initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        lang = language()
        self.definition = definition
        self._values = {}
        for item in definition.items:
            scale = definition.scale(item.scale)
            self._values[item.id] = {str(o.value): o.value for o in scale.options}
            initial = (initial_answers or {}).get(item.id)
            self.fields[item.id] = forms.ChoiceField(
                label=item.text.get(lang), required=False, widget=forms.RadioSelect,
                choices=[(str(o.value), _option_label(o, lang)) for o in scale.options],
                initial=None if initial is None else str(initial))
            self.fields[item.id].item_required = item.required
        # Given with the page: the same submission sent twice records one result (actions.save_answers).
        self.fields["idempotency_key"] = OneTimeTokenField()

    def answers(self) -> dict:
        return {item_id: self._values[item_id][value] for item_id, value in self.cleaned_data.items()
                if item_id in self._values and value not in (None, "")}
