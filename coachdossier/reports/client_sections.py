"""The reports section on the coach's client page: every report of the client, with its state."""

from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.dashboard import Panel, Tab
from coachdossier.clients import access

from .models import Report

TAB = Tab("reports", _("Reports"), "reports.status", order=40)


def sections(request, client, grant) -> list[Panel]:
    if grant.basis not in access.ACTIONS["reports.status"]:
        return []
    reports = list(Report.objects.filter(client=client).current().select_related("client")
                   .order_by("-number", "-version"))
    can_write = grant.basis in access.ACTIONS["reports.write"]
    return [Panel(_("Reports"), "reports/client_section.html",
                  {"client": client, "reports": reports, "can_write": can_write}, order=40)]
