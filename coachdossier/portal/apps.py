from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "coachdossier.portal"
    label = "portal"
