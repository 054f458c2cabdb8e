from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "coachdossier.privacy"
    label = "privacy"
