"""Dashboard panels: the coach's open client requests and new messages, management's
destruction requests with their 4-week deadline (GC-5.4)."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role
from coachdossier.clients.models import Client

from .models import ClientRequest, Direction, Message, RequestKind


def panels(request, now):
    user, today, found = request.user, timezone.localdate(now), []
    if user.has_role(Role.COACH):
        mine = Client.objects.visible_to(user, "dossier.write", now)
        open_requests = list(ClientRequest.objects.open().filter(client__in=mine)
                             .exclude(kind=RequestKind.DESTRUCTION).select_related("client").order_by("deadline"))
        if open_requests:
            found.append(Panel(_("Client requests to handle"), "portal/dashboard_requests.html",
                               {"requests": open_requests, "today": today, "client_view": "clients:detail"},
                               order=10))
        unread = (Message.objects.filter(client__in=mine, direction=Direction.TO_COACH, read_at__isnull=True)
                  .values("client").annotate(count=Count("pk")))
        counts = {row["client"]: row["count"] for row in unread}
        if counts:
            clients = Client.objects.filter(pk__in=counts).order_by("reference")
            found.append(Panel(_("New messages from clients"), "portal/dashboard_messages.html",
                               {"rows": [{"client": c, "count": counts[c.pk]} for c in clients]}, order=11))
    if user.has_role(Role.MANAGEMENT):
        visible = Client.objects.visible_to(user, "privacy.manage", now)
        destruction = list(ClientRequest.objects.open().filter(kind=RequestKind.DESTRUCTION, client__in=visible)
                           .select_related("client").order_by("deadline"))
        found.append(Panel(_("Destruction requests (4 weeks, GC-5.4)"), "portal/dashboard_requests.html",
                           {"requests": destruction, "today": today, "all_url": reverse("portal:destructions"),
                            "client_view": "clients:admin_detail"},  # PR-7: names and status, no dossier
                           order=10))
    return found
