from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coachdossier.audit"
    label = "audit"
    verbose_name = "Access log"
