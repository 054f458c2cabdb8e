from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "coachdossier.complaints"
    label = "complaints"
