"""The portal's section on the coach's client page: the portal account (and the invite
button), the client's requests with deadlines, and the secure messages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachdossier.accounts.dashboard import Panel, Tab
from coachdossier.clients import access

from . import actions
from .forms import ProposalForm
from .models import CommunicationAgreement, Direction, Invitation, Message


def unread_messages(client) -> int:
    return Message.objects.filter(client=client, direction=Direction.TO_COACH, read_at__isnull=True).count()


TAB = Tab("portal", _("Portal and messages"), "messages.read", order=45, badge=unread_messages)


def sections(request, client, grant):
    now = timezone.now()
    can_write = grant.basis in (access.C, access.S)
    thread = list(Message.objects.filter(client=client).select_related("sender").order_by("-created_at")[:20])
    if can_write:
        actions.mark_read(client=client, direction=Direction.TO_COACH, now=now)
    user = client.user
    return [Panel(_("Client portal"), "portal/client_section.html", {
        "client": client,
        "has_account": bool(user and user.is_active and user.has_usable_password()),
        "pending": Invitation.objects.pending(now).filter(client=client).first(),
        "agreement": CommunicationAgreement.objects.filter(client=client).first(),
        "requests": list(client.requests.all()[:10]),
        "messages": list(reversed(thread)),
        "can_write": can_write,
        "proposals": list(client.consent_proposals.open().select_related("substitute")),
        "proposal_form": ProposalForm(initial={"valid_from": timezone.localdate(now)}, client=client) if can_write else None,
        "today": timezone.localdate(now),
    }, order=40)]
