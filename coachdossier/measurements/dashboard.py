"""Dashboard panel for the biofeedback therapist: how many clients are referred."""

from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role
from coachdossier.clients.models import Client


def panels(request, now):
    if not request.user.has_role(Role.THERAPIST):
        return []
    count = Client.objects.visible_to(request.user, "measurements.write", now).count()
    return [Panel(_("Measurements"), "measurements/dashboard_panel.html", {"count": count}, order=20)]
