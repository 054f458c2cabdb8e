from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "coachdossier.portal"
    label = "portal"

    def ready(self):
        from coachdossier.clients import hooks

        from .actions import on_client_destroyed

        hooks.CLIENT_DESTROYED.append(on_client_destroyed)
