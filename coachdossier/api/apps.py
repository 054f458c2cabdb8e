from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "coachdossier.api"
    label = "api"
