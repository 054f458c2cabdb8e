"""The clients app's emails: a notice, never dossier content (GC-6.3)."""

from coachdossier.accounts.models import Role, User
from coachdossier.accounts.outbox import send_or_queue as send  # notices: a mail server that is down queues them


def break_glass_used(*, glass_id: int) -> None:
    """GC-2.3: management learns that emergency access happened, each manager in a message of
    their own (GC-6.3); the reason stays in the system."""
    from .models import BreakGlass

    glass = BreakGlass.objects.select_related("user", "client").get(pk=glass_id)
    send("break-glass", User.objects.addresses_of(Role.MANAGEMENT),
         {"user_name": glass.user.full_name, "reference": glass.client.reference, "at": glass.started_at})
