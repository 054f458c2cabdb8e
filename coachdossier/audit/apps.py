from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_chain_rows(sender, using="default", **kwargs):
    """The chain head and the prune gate always exist: after migrate, and after a flush
    (which test databases do between transactional tests)."""
    from .models import ChainHead, PruneGate

    if using != "default":
        return
    ChainHead.objects.using(using).get_or_create(pk=1)
    PruneGate.objects.using(using).get_or_create(pk=1)


class AuditConfig(AppConfig):
    name = "coachdossier.audit"
    label = "audit"
    verbose_name = "Access log"

    def ready(self):
        post_migrate.connect(ensure_chain_rows, sender=self)
