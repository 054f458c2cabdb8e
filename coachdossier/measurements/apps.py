from django.apps import AppConfig


class MeasurementsConfig(AppConfig):
    name = "coachdossier.measurements"
    label = "measurements"
