from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "coachdossier.reports"
    label = "reports"

    def ready(self):
        from coachdossier.accounts import outbox
        from coachdossier.clients import hooks

        from . import actions, export

        hooks.CLIENT_DESTROYED.append(actions.destroy_for_client)
        if actions.record_mail_outcome not in outbox.OUTCOME_HOOKS:  # a delivery follows its mails
            outbox.OUTCOME_HOOKS.append(actions.record_mail_outcome)
        try:  # PR-R4: the hand-over package to UWV carries the sent reports' PDFs
            from coachdossier.privacy import handover
        except ImportError:
            handover = None
        files = getattr(handover, "HANDOVER_FILES", None)
        if files is not None and export.handover_files not in files:
            files.append(export.handover_files)
        try:  # the portal is built in parallel; its copy lists deliveries once it exists (LAW-15)
            from coachdossier.portal import export as portal_export
        except ImportError:
            return
        sections = getattr(portal_export, "EXPORT_SECTIONS", None)
        if sections is not None and export.export_section not in sections:
            sections.append(export.export_section)
        getattr(portal_export, "PDF_SECTIONS", {}).setdefault("reports_sent", export.pdf_section)
