from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ConfidentialityForm(forms.Form):
    accept = forms.BooleanField(label=_("I have read the confidentiality statement and I accept it."))


class LanguageForm(forms.Form):
    language = forms.CharField(max_length=10)
    next = forms.CharField(required=False, max_length=500)

    def clean_language(self):
        code = self.cleaned_data["language"]
        if code not in dict(settings.LANGUAGES):
            raise forms.ValidationError(_("Unknown language: choose Nederlands or English."))
        return code


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=100,
                           help_text=_("For example the name of the script or program that uses it."))
