"""Dashboard panel for a client: questionnaires waiting to be filled in."""

from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role
from coachdossier.clients.models import Client

from .models import Administration


def panels(request, now):
    if not request.user.has_role(Role.CLIENT):
        return []
    open_ones = list(Administration.objects.open()
                     .filter(client__in=Client.objects.visible_to(request.user, "questionnaires.answer", now))
                     .select_related("definition").order_by("sent_at"))
    return [Panel(_("Questionnaires"), "questionnaires/dashboard_panel.html", {"open": open_ones}, order=20)]
