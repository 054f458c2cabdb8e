"""The client's portal: reports waiting for their answer (PR-6), and the ones they answered."""

from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.audit.models import Basis

from .models import Report, ReportState


def sections(request, client, grant) -> list[Panel]:
    if grant.basis != Basis.CLIENT:
        return []
    reports = list(Report.objects.filter(client=client, client_notified_at__isnull=False).current()
                   .select_related("client").order_by("-client_notified_at"))
    waiting = [r for r in reports if r.state == ReportState.CLIENT_COPY
               or (r.state == ReportState.OBJECTED and r.signature_required)]
    others = [r for r in reports if r not in waiting]
    return [Panel(_("Reports"), "reports/portal_section.html", {"waiting": waiting, "others": others},
                  order=20)]
