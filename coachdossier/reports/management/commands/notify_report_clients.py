"""Retry the client's notice for reports that are ready but whose notice mail failed (PR-6).
run_daily does the same every day; this runs it now. A report counts as "client copy sent"
only once the mail went out."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from coachdossier.audit.context import Actor, acting
from coachdossier.reports import actions


class Command(BaseCommand):
    help = "Send the client's notice again for every report still waiting for it."

    def handle(self, *args, **options):
        with acting(Actor(user=None, channel="command")):
            result = actions.retry_client_notices(timezone.now())
        self.stdout.write(result or "client notices: none waiting")
