"""The one documented way to remove access-log entries: only those older than the log's own
retention term (NEN 7513: at least 5 years), oldest first, and the chain's anchor moves to
the last removed entry so the rest still verifies."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from coachdossier import policy
from coachdossier.audit.models import AccessLogEntry, ChainHead, PruneGate


def prune(*, now) -> int:
    years = policy.current().access_log_retention_years
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February: the 28th, so an entry is kept at least the whole term
        cutoff = now.replace(year=now.year - years, day=28)
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().get(pk=1)
        old = AccessLogEntry.objects.filter(at__lt=cutoff).order_by("seq")
        last = old.last()
        if last is None:
            return 0
        # Only a contiguous prefix can go, or the chain would have a hole.
        count = AccessLogEntry.objects.filter(seq__lte=last.seq).count()
        PruneGate.objects.filter(pk=1).update(open=True)
        AccessLogEntry.objects.filter(seq__lte=last.seq).delete()
        PruneGate.objects.filter(pk=1).update(open=False)
        head.base_seq, head.base_hash = last.seq, last.hash
        head.save(update_fields=["base_seq", "base_hash"])
    return count


class Command(BaseCommand):
    help = "Remove access-log entries older than the log's retention term, keeping the chain verifiable."

    def handle(self, *args, **options):
        removed = prune(now=timezone.now())
        self.stdout.write(f"removed {removed} access-log entries older than the retention term")
