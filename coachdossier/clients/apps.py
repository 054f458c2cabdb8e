from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "coachdossier.clients"
    label = "clients"
    verbose_name = "Clients and dossiers"

    def ready(self):
        from django.core import checks

        from coachdossier.accounts import outbox

        from . import actions
        from . import checks as deploy_checks

        checks.register(deploy_checks.practice_identity, "coachdossier", deploy=True)
        checks.register(deploy_checks.search_key_strength, "coachdossier", deploy=True)

        if actions.forget_destroyed_address not in outbox.OUTCOME_HOOKS:  # GC-5.4: the last notice's address
            outbox.OUTCOME_HOOKS.append(actions.forget_destroyed_address)
