from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "coachdossier.privacy"
    label = "privacy"

    def ready(self):
        from coachdossier.clients import hooks

        from . import actions, erasure, registry

        hooks.ASSIGNMENT_REFUSALS.append(registry.assignment_refusal)  # GC-0.3, GC-4.4
        hooks.DESTRUCTION_BLOCKERS.append(actions.legal_hold_blocker)
        hooks.CLIENT_DESTROYED.append(actions.delete_client_rows)
        hooks.CLIENT_DESTROYED.append(erasure.on_client_destroyed)
        try:  # PR-R4: the client's copy shows the hand-overs to UWV
            from coachdossier.portal import export
        except ImportError:
            return
        from . import handover

        if hasattr(export, "EXPORT_SECTIONS") and handover.export_section not in export.EXPORT_SECTIONS:
            export.EXPORT_SECTIONS.append(handover.export_section)
        getattr(export, "PDF_SECTIONS", {}).setdefault("uwv_handovers", handover.pdf_section)
