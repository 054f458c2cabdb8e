"""The client's complaints in the portal, with their state, and the way to lodge one."""

from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel

from .models import Complaint


def sections(request, client, grant):
    complaints = list(Complaint.objects.visible_to(request.user).filter(client=client).order_by("-received_on"))
    return [Panel(_("Complaints"), "complaints/portal_section.html", {"complaints": complaints}, order=80)]
