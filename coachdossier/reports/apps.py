from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "coachdossier.reports"
    label = "reports"
