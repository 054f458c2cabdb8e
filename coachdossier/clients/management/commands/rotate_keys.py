from django.core.management.base import BaseCommand, CommandError

from coachdossier.clients import crypto


class Command(BaseCommand):
    help = ("Re-wrap every client data key under the current master key (the first in "
            "COACHDOSSIER_MASTER_KEYS). Run after adding a new master key in front; then remove the old one.")

    def handle(self, *args, **options):
        configured = crypto.configured_master_key_ids()
        missing = sorted(set(crypto.ClientKey.objects.exclude(master_key_id__in=configured)
                             .values_list("master_key_id", flat=True)))
        if missing:
            # Checked before anything changes: a key that cannot be unwrapped would stop the
            # run half-way with a KeyError, and removing the old master key first is the
            # mistake this command is most likely to meet (docs/deploy.md, "Keys").
            raise CommandError(
                "data keys are wrapped under master key(s) " + ", ".join(repr(m) for m in missing)
                + ", which COACHDOSSIER_MASTER_KEYS does not hold: put the old key back behind the new one "
                "(new first), run rotate_keys again, and remove the old key only after that. Nothing was changed.")
        count = crypto.rewrap_all()
        self.stdout.write(f"re-wrapped {count} data keys under master key {crypto.current_master_key_id()!r}")
