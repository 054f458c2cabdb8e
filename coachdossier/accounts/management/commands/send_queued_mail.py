from django.core.management.base import BaseCommand
from django.utils import timezone

from coachdossier.accounts import outbox


class Command(BaseCommand):
    help = ("Retry the mails in the outbox that the mail server did not take (with backoff). "
            "Run every few minutes by cron or a systemd timer; run_daily calls it too.")

    def handle(self, *args, **options):
        self.stdout.write(outbox.send_queued(timezone.now()) or "no queued mail due")
