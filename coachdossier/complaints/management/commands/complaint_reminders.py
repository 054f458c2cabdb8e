"""`coachdossier complaint_reminders`: email the complaints officers about deadlines due
within two working days or overdue. Idempotent per clock per day (cron or a systemd timer;
`run_daily` calls `send_deadline_reminders` too)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from coachdossier.audit.context import Actor, acting
from coachdossier.complaints.actions import send_deadline_reminders


class Command(BaseCommand):
    help = "Send the complaint deadline reminders for today (at most one per clock per day)."

    def handle(self, *args, **options):
        with acting(Actor(user=None, channel="job")):
            sent = send_deadline_reminders(timezone.now())
        self.stdout.write(f"{sent} reminder(s) sent.")
