from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coachdossier.audit.context import Actor, acting
from coachdossier.clients import actions, crypto


class Command(BaseCommand):
    help = ("Recompute every living client's name-search tokens under the current COACHDOSSIER_SEARCH_KEY. "
            "Run once the new key is set on every host and the processes restarted; until it has run, search "
            "finds nobody. Idempotent.")

    def handle(self, *args, **options):
        try:
            with acting(Actor(user=None, channel="command")):
                count = actions.rebuild_search_index(actor=None, now=timezone.now())
        except crypto.KeyDestroyed as exc:
            # A living client without a data key: the key store does not match the main database
            # (e.g. restored from another day). Nothing to index it with; say which one.
            raise CommandError(f"client {exc} is not destroyed but its data key is missing from the key store; "
                               "the batches before its batch were re-indexed, the rest not") from exc
        self.stdout.write(f"re-indexed {count} clients under the current search key")
