from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "coachdossier.reports"
    label = "reports"

    def ready(self):
        from coachdossier.clients import hooks

        from . import actions, export

        hooks.CLIENT_DESTROYED.append(actions.destroy_for_client)
        try:  # the portal is built in parallel; its copy lists deliveries once it exists (LAW-15)
            from coachdossier.portal import export as portal_export
        except ImportError:
            return
        sections = getattr(portal_export, "EXPORT_SECTIONS", None)
        if sections is not None and export.export_section not in sections:
            sections.append(export.export_section)
