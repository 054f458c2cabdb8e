"""Retry the client's notice for reports that are ready but whose notice mail failed (PR-6).
Run it from the daily job or by hand; a report counts as "client copy sent" only once the
mail went out."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from coachdossier.audit.context import Actor, acting
from coachdossier.reports import actions
from coachdossier.reports.models import Report, ReportState


class Command(BaseCommand):
    help = "Send the client's notice again for every report still waiting for it."

    def handle(self, *args, **options):
        now = timezone.now()
        delivered = failed = 0
        with acting(Actor(user=None, channel="command")):
            for report_id in Report.objects.filter(state=ReportState.READY).values_list("pk", flat=True):
                if actions.deliver_client_notice(report_id=report_id, now=now):
                    delivered += 1
                else:
                    failed += 1
        self.stdout.write(f"client notices: {delivered} delivered, {failed} still failing")
