from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "coachdossier.complaints"
    label = "complaints"

    def ready(self):
        from coachdossier.clients import hooks

        from . import actions

        # KR-3.1: the procedure goes to the client when a trajectory opens; GC-5.4: an open
        # complaint blocks destruction, a closed one loses its content with the client.
        if actions.on_trajectory_opened not in hooks.TRAJECTORY_OPENED:
            hooks.TRAJECTORY_OPENED.append(actions.on_trajectory_opened)
            hooks.DESTRUCTION_BLOCKERS.append(actions.destruction_blocker)
            hooks.CLIENT_DESTROYED.append(actions.on_client_destroyed)
