"""Dashboard panels for the coach: her trajectories still in intake without a goal (GC-7.1),
and substitute consents that end soon (GC-2.5: the substitute's access ends with them), the
nearest date first. By reference, as the other coach panels: the dashboard decrypts no
names and logs no dossier access."""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role

from .models import Client, Consent, ConsentKind, Goal, Trajectory, TrajectoryStatus

# Long enough to ask the client for a new consent before the substitute loses access.
CONSENT_ENDING_DAYS = 14


def panels(request, now):
    user = request.user
    if not user.has_role(Role.COACH):
        return []
    today, found = timezone.localdate(now), []
    mine = Client.objects.visible_to(user, "dossier.write", now)
    intake = list(Trajectory.objects.filter(client__in=mine, coach=user, status=TrajectoryStatus.INTAKE)
                  .filter(~Exists(Goal.objects.filter(trajectory=OuterRef("pk"))))
                  .select_related("client").order_by("opened_on", "pk"))
    if intake:
        found.append(Panel(_("Trajectories in intake without a goal (GC-7.1)"), "clients/dashboard_intake.html",
                           {"trajectories": intake}, order=13))
    ending = list(Consent.objects.active_on(today)
                  .filter(kind=ConsentKind.SUBSTITUTE, client__in=mine,
                          valid_until__lte=today + datetime.timedelta(days=CONSENT_ENDING_DAYS))
                  .filter(Q(client__trajectories__coach=user) | Q(substitute=user))
                  .select_related("client", "substitute").distinct().order_by("valid_until", "pk"))
    if ending:
        found.append(Panel(_("Substitute consents ending soon (GC-2.5)"), "clients/dashboard_consents.html",
                           {"consents": ending, "user": user}, order=14))
    return found
