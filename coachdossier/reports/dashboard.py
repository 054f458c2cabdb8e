"""Dashboard panel for the coach: her reports that wait for the client or for her (PR-6,
GC-6.1), the nearest date first. By reference, as the other coach panels: the dashboard
decrypts no names and logs no dossier access."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role
from coachdossier.clients.models import Client

from .models import Report
from .models import ReportState as S

# A blocked report needs a talk with the client, not a reminder for ever after.
BLOCKED_SHOWN_DAYS = 14


def next_step(report: Report, today: datetime.date):
    """(what the coach does next, the date it is due or happened) for a report that waits."""
    if report.state == S.READY:
        return _("The client's copy could not be delivered: send the notice again (PR-6)."), timezone.localdate(report.ready_at)
    if report.state == S.CLIENT_COPY:
        if report.review_passed(today):
            return _("The client did not answer in time: the report can be sent."), report.review_until
        return _("Waiting for the client's answer."), report.review_until
    answered = timezone.localdate(report.answered_at)
    if report.state == S.OBJECTED:
        return _("The client objected: read the objection; it is sent along with the report (GC-6.1)."), answered
    if report.state == S.BLOCKED:
        return _("The client blocked the report: it will not be sent (GC-6.1)."), answered
    return _("The client answered: the report can be sent."), answered


def panels(request, now):
    if not request.user.has_role(Role.COACH):
        return []
    today = timezone.localdate(now)
    mine = Client.objects.visible_to(request.user, "reports.write", now)
    waiting = (Q(state__in=[S.CLIENT_COPY, S.APPROVED, S.SIGNED, S.OBJECTED])
               | Q(state=S.READY, notify_failed_at__isnull=False)
               | Q(state=S.BLOCKED, answered_at__gte=now - datetime.timedelta(days=BLOCKED_SHOWN_DAYS)))
    rows = []
    for report in (Report.objects.filter(waiting, client__in=mine, trajectory__coach=request.user)
                   .select_related("client")):
        step, day = next_step(report, today)
        rows.append({"report": report, "step": step, "date": day,
                     "late": report.state == S.CLIENT_COPY and report.review_passed(today)})
    if not rows:
        return []
    rows.sort(key=lambda row: (row["date"], row["report"].pk))
    return [Panel(_("Reports waiting for the client or for you"), "reports/dashboard_panel.html",
                  {"rows": rows}, order=12)]
