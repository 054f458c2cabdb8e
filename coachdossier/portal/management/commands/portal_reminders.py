from django.core.management.base import BaseCommand
from django.utils import timezone

from coachdossier.audit.context import Actor, acting
from coachdossier.portal.actions import send_due_reminders


class Command(BaseCommand):
    help = "Remind the handlers of client requests whose deadline is near or past (idempotent)."

    def handle(self, *args, **options):
        with acting(Actor(user=None, channel="job")):
            sent = send_due_reminders(timezone.now())
        self.stdout.write(f"portal reminders sent: {sent}")
