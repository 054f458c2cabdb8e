from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "coachdossier.clients"
    label = "clients"
    verbose_name = "Clients and dossiers"

    def ready(self):
        from coachdossier.lib import emails

        from . import actions

        if actions.forget_destroyed_address not in emails.OUTCOME_HOOKS:  # GC-5.4: the last notice's address
            emails.OUTCOME_HOOKS.append(actions.forget_destroyed_address)
