"""Dashboard panels: open complaints with their nearest deadline, overdue first, and the
lead times/outcomes/categories at a glance (KR-3.1: management sees backgrounds, lead times
and outcomes); a coach sees the committee cases they sit on."""

from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role

from . import reports
from .models import Complaint, Status


def panels(request, now):
    from .views import register_rows

    user, today = request.user, timezone.localdate(now)
    result = []
    if user.has_role(Role.COMPLAINTS_OFFICER, Role.MANAGEMENT):
        rows = register_rows(user, today)
        closed = list(Complaint.objects.filter(status=Status.CLOSED, closed_on__year=today.year))
        received = Complaint.objects.filter(received_on__year=today.year)
        report = {"outcomes": reports.bars(reports._labelled(_count(closed, "outcome"), reports.Outcome),
                                           title=_("Outcomes"), chart_id="panel-outcomes"),
                  "categories": reports.bars(reports._labelled(_count(received, "category"), reports.Category),
                                             title=_("Categories"), chart_id="panel-categories"),
                  "lead": reports.bars(reports.lead_time_buckets([(c.closed_on - c.received_on).days for c in closed]),
                                       title=_("Lead times"), chart_id="panel-lead")}
        # KR-3.3b: a case every complaints officer is involved in has nobody but management.
        no_officer = (list(Complaint.objects.open().without_impartial_officer())
                      if user.has_role(Role.MANAGEMENT) else [])
        result.append(Panel(_("Open complaints"), "complaints/panel_open.html",
                            {"rows": rows[:10], "count": len(rows), "late": sum(1 for r in rows if r["late"]),
                             "no_officer": no_officer, "charts": report, "year": today.year}, order=20))
    if user.has_role(Role.CLIENT) and not user.is_staff_member:
        result.append(Panel(_("Complaints"), "complaints/portal_section.html",
                            {"complaints": list(Complaint.objects.visible_to(user).order_by("-received_on"))},
                            order=80))
    if user.has_role(Role.COACH):
        cases = list(Complaint.objects.open().filter(committee__coach=user))
        if cases:
            result.append(Panel(_("Complaints committee"), "complaints/panel_committee.html", {"cases": cases},
                                order=40))
    return result


def _count(complaints, attr):
    from collections import Counter

    return Counter(getattr(c, attr) for c in complaints)
