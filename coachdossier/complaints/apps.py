from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "coachdossier.complaints"
    label = "complaints"

    def ready(self):
        from coachdossier.accounts import actions as account_actions
        from coachdossier.clients import hooks

        from . import actions

        # KR-3.1: the procedure goes to the client when a trajectory opens; GC-5.4: an open
        # complaint blocks destruction, a closed one loses its content with the client.
        if actions.on_trajectory_opened not in hooks.TRAJECTORY_OPENED:
            hooks.TRAJECTORY_OPENED.append(actions.on_trajectory_opened)
            hooks.DESTRUCTION_BLOCKERS.append(actions.destruction_blocker)
            hooks.CLIENT_DESTROYED.append(actions.on_client_destroyed)
        # A complainant's letters follow her own account's language when she changes it.
        if actions.on_account_language_changed not in account_actions.LANGUAGE_CHANGED:
            account_actions.LANGUAGE_CHANGED.append(actions.on_account_language_changed)
