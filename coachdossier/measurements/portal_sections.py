"""The client's own measurements over time in the portal."""

from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.clients.access import ACTIONS

from .client_sections import context_for


def sections(request, client, grant):
    if grant.basis not in ACTIONS["measurements.read"]:
        return []
    context = context_for(client, "pm")
    if context is None:
        return []
    return [Panel(_("Biofeedback measurements"), "measurements/section.html", context, order=31)]
