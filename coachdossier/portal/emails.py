"""The portal's emails: one function each. A notice and a link, never dossier content
(GC-6.3): no names of other people, no entry text, no message text, no reasons. One message
per recipient (accounts.outbox.send_or_queue)."""

from django.urls import reverse

from coachdossier.accounts.models import Role, User
from coachdossier.accounts.outbox import queue
from coachdossier.accounts.outbox import send_or_queue as send  # notices: a mail server that is down queues them

from .models import ClientRequest, Direction, Message, email_allowed


def invitation(*, invitation_id: int, token: str, to: str) -> None:
    from .models import Invitation

    found = Invitation.objects.select_related("client").get(pk=invitation_id)
    send("portal-invitation", [to], {"link_path": reverse("portal:accept", args=[token]),
                                     "expires_at": found.expires_at}, found.language,
         client_ref=found.client.public_id)


def _client_address(client) -> list[str]:
    if client.destroyed_at or not email_allowed(client):
        return []
    address = client.user.email if client.user_id else client.personal.email
    return [address] if address else []


def _coach_addresses(client) -> list[str]:
    trajectory = client.current_trajectory
    return [trajectory.coach.email] if trajectory else []


def _handlers(request) -> list[str]:
    from .models import RequestKind

    if request.kind == RequestKind.DESTRUCTION:
        return User.objects.addresses_of(Role.MANAGEMENT)
    return _coach_addresses(request.client)


def _kind(request):
    """The label, translated when the mail is rendered (in the recipient's language)."""
    from .models import RequestKind

    return RequestKind(request.kind).label


def request_received(*, request_id: int) -> None:
    """The people who handle the request learn that one is waiting, with its deadline."""
    request = ClientRequest.objects.select_related("client").get(pk=request_id)
    to = _handlers(request)
    if to:
        send("portal-request-received", to, {"reference": request.client.reference, "kind": _kind(request),
                                             "deadline": request.deadline})


def request_withdrawn(*, request_id: int) -> None:
    """The people who handle the request learn that the client withdrew it: nothing to do."""
    request = ClientRequest.objects.select_related("client").get(pk=request_id)
    to = _handlers(request)
    if to:
        send("portal-request-withdrawn", to, {"reference": request.client.reference, "kind": _kind(request)})


def request_updated(*, request_id: int) -> None:
    """The client learns that the status of their request changed; the reason is in the portal."""
    request = ClientRequest.objects.select_related("client", "client__user").get(pk=request_id)
    to = _client_address(request.client)
    if to:
        send("portal-request-updated", to, {"kind": _kind(request)}, client_ref=request.client.public_id)


def request_reminder(*, request_id: int, overdue: bool) -> None:
    request = ClientRequest.objects.select_related("client").get(pk=request_id)
    to = _handlers(request)
    if to:
        send("portal-request-reminder", to, {"reference": request.client.reference, "kind": _kind(request),
                                             "deadline": request.deadline, "overdue": overdue})


def message_waiting(*, message_id: int) -> None:
    message = Message.objects.select_related("client", "client__user").get(pk=message_id)
    to_client = message.direction == Direction.TO_CLIENT
    to = _client_address(message.client) if to_client else _coach_addresses(message.client)
    if to:
        send("portal-message-waiting", to, {"to_client": to_client, "reference": message.client.reference},
             client_ref=message.client.public_id if to_client else None)


def destruction_done(*, to: str, client_ref) -> None:
    """Queued inside the destruction's transaction: the address is destroyed with the
    dossier, so a notice not in the outbox at the commit could never be sent afterwards.
    Linked to the client, its row loses the address once it went (GC-5.4: clients.actions.
    forget_destroyed_address)."""
    queue("portal-destruction-done", [to], {}, client_ref=client_ref)


def consent_proposed(*, proposal_id: int) -> None:
    """The client learns that their coach asks for a consent; who and why is in the portal."""
    from .models import ConsentProposal

    proposal = ConsentProposal.objects.select_related("client", "client__user").get(pk=proposal_id)
    to = _client_address(proposal.client)
    if to:
        send("portal-consent-proposed", to, {}, client_ref=proposal.client.public_id)
