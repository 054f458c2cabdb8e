from django.core.management.base import BaseCommand

from coachdossier.clients import crypto


class Command(BaseCommand):
    help = ("Re-wrap every client data key under the current master key (the first in "
            "COACHDOSSIER_MASTER_KEYS). Run after adding a new master key in front; then remove the old one.")

    def handle(self, *args, **options):
        count = crypto.rewrap_all()
        self.stdout.write(f"re-wrapped {count} data keys under master key {crypto.current_master_key_id()!r}")
