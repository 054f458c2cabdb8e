from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "coachdossier.questionnaires"
    label = "questionnaires"

    def ready(self):
        from coachdossier.clients import hooks

        from . import actions, summary

        if actions.delete_for_client not in hooks.CLIENT_DESTROYED:
            hooks.CLIENT_DESTROYED.append(actions.delete_for_client)
        from coachdossier.reports import actions as report_actions

        if summary.report_lines not in report_actions.TRAJECTORY_SUMMARIES:
            report_actions.TRAJECTORY_SUMMARIES.append(summary.report_lines)
        try:  # the client's copy (GC-5.2) is built by the portal, developed in parallel
            from coachdossier.portal import export
        except ImportError:
            return
        sections = getattr(export, "EXPORT_SECTIONS", None)
        if sections is not None and summary.export_section not in sections:
            sections.append(summary.export_section)
        getattr(export, "PDF_SECTIONS", {}).setdefault("questionnaires", summary.pdf_section)
