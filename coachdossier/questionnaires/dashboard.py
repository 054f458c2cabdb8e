"""Dashboard panels: for a client, questionnaires waiting to be filled in; for a coach, the
questionnaires her clients completed since she last looked at them."""

import datetime

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role
from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients.models import Client

from .models import Administration

# A coach who takes over a dossier is not shown its whole history as news.
COMPLETED_SHOWN_DAYS = 30


def panels(request, now):
    result = []
    if request.user.has_role(Role.CLIENT):
        open_ones = list(Administration.objects.open()
                         .filter(client__in=Client.objects.visible_to(request.user, "questionnaires.answer", now))
                         .select_related("definition").order_by("sent_at"))
        result.append(Panel(_("Questionnaires"), "questionnaires/dashboard_panel.html", {"open": open_ones},
                            order=20))
    if request.user.has_role(Role.COACH):
        completed = completed_unseen(request.user, now)
        if completed:
            result.append(Panel(_("Questionnaires completed since you last looked"),
                                "questionnaires/dashboard_completed.html", {"completed": completed}, order=15))
    return result


def completed_unseen(user, now) -> list[Administration]:
    """Questionnaires the coach's clients completed after she last opened their questionnaires
    (the tab or the result: both are logged as `questionnaires.read`, LAW-NEN7513), oldest first."""
    last_read = (AccessLogEntry.objects.filter(actor=user, client_ref=OuterRef("client__public_id"),
                                               action="questionnaires.read", outcome=Outcome.ALLOWED)
                 .order_by("-at").values("at")[:1])
    return list(Administration.objects.completed()
                .filter(client__in=Client.objects.visible_to(user, "questionnaires.read", now),
                        client__trajectories__coach=user,
                        completed_at__gte=now - datetime.timedelta(days=COMPLETED_SHOWN_DAYS))
                .annotate(last_read=Subquery(last_read))
                .filter(Q(last_read__isnull=True) | Q(last_read__lt=F("completed_at")))
                .select_related("client", "definition").distinct().order_by("completed_at", "pk"))
