"""The one access policy: who may do what with which client (GC-2.3, GC-2.5, GC-9.2, PR-7).

Access comes from a relationship, never from a role alone:

    coach        the coach of one of the client's trajectories (open or closed, GC-6.2)
    substitute   a coach named in an active substitute consent of the client (GC-2.5)
    referral     a biofeedback therapist with an active referral (measurements only)
    client       the client themself, through their portal account
    management   the practice's management: names, status, coach and dates, no content (PR-7)
    break_glass  emergency access with a stated reason, read only, for two hours

ACTIONS maps each named action to the relationships that allow it. Views, the API, exports
and jobs reach clients only through `Client.objects.visible_to(user, action)` and the
accessors below, which also write the access log entry (LAW-NEN7513). A client that is not
visible to the user at all gives 404; a visible client with a forbidden action gives 403.
Both are logged as denied.
"""

import uuid
from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from coachdossier import audit
from coachdossier.accounts.models import Role
from coachdossier.audit.models import Basis, Outcome

C, S, R, SELF, M, BG = (Basis.COACH, Basis.SUBSTITUTE, Basis.REFERRAL, Basis.CLIENT,
                        Basis.MANAGEMENT, Basis.BREAK_GLASS)

# The vocabulary. Add an action here, not an `if` in a view.
ACTIONS: dict[str, frozenset] = {
    "client.see": frozenset({C, S, R, SELF, M, BG}),  # that the client exists: name, status, coach, dates
    "trajectory.manage": frozenset({M}),  # open, assign, close (PR-7: without content)
    "dossier.read": frozenset({C, S, SELF, BG}),  # personal data, goals, entries, attachments
    "dossier.write": frozenset({C, S}),  # entries, sessions, goals, personal data
    "dossier.statement": frozenset({SELF}),  # GC-5.3: the client's own statements
    "consent.manage": frozenset({C, S}),  # record consents for the client
    "consent.own": frozenset({SELF}),  # grant and withdraw in the portal
    "referral.manage": frozenset({C}),
    "measurements.read": frozenset({C, S, R, SELF, BG}),
    "measurements.write": frozenset({R}),
    "questionnaires.read": frozenset({C, S, SELF, BG}),
    "questionnaires.send": frozenset({C, S}),
    "questionnaires.answer": frozenset({SELF}),
    "reports.write": frozenset({C, S}),
    "reports.review": frozenset({SELF}),
    "reports.status": frozenset({C, S, M}),
    "requests.own": frozenset({SELF}),  # portal: copy, correction, destruction requests
    "requests.handle": frozenset({C, S, M}),
    "messages.read": frozenset({C, S, SELF}),
    "messages.write": frozenset({C, S, SELF}),  # portal: secure messages between client and coach
    "portal.invite": frozenset({C, S, M}),  # invite the client to the portal (no dossier content)
    "communication.own": frozenset({SELF}),  # GC-6.3: the client's communication agreement
    "privacy.manage": frozenset({M}),  # destruction, hand-over, retention holds
    "research.export": frozenset({C, S, M}),  # GC-6.8: a de-identified dataset only; management: whole practice
    "access_log.read": frozenset({SELF, M}),
}

# GC-9.1: a referral opens only the measurement section. For any other action the referred
# therapist is a stranger to the client (404), not a visitor who is refused (403).
NARROW_BASES = {R}

# Who may use emergency access (and so hold a break-glass grant) at all.
BREAK_GLASS_ROLES = frozenset({Role.COACH, Role.THERAPIST, Role.MANAGEMENT, Role.COMPLAINTS_OFFICER})

ROLE_OF_BASIS: dict[str, str] = {C: Role.COACH, S: Role.COACH, R: Role.THERAPIST, SELF: Role.CLIENT,
                 M: Role.MANAGEMENT, BG: ""}


@dataclass(frozen=True)
class Grant:
    """Why an access is allowed: the basis, and the consent/referral/break-glass behind it."""

    basis: str
    ref: str = ""

    @property
    def role(self) -> str:
        return ROLE_OF_BASIS.get(self.basis, "")


def _relationship_filters(user, now) -> dict[str, Q]:
    """For each basis, a Q on Client that selects the clients `user` has it for."""
    from .models import BreakGlass, Consent, ConsentKind, Referral, Trajectory

    today = timezone.localdate(now)
    roles = user.roles
    filters: dict[str, Q] = {}
    if Role.COACH in roles:
        filters[C] = Q(pk__in=Trajectory.objects.filter(coach=user).values("client_id"))
        filters[S] = Q(pk__in=Consent.objects.active_on(today).filter(kind=ConsentKind.SUBSTITUTE, substitute=user)
                       .values("client_id"))
    if Role.THERAPIST in roles:
        filters[R] = Q(pk__in=Referral.objects.active().filter(therapist=user).values("client_id"))
    if Role.CLIENT in roles:
        filters[SELF] = Q(user=user)
    if Role.MANAGEMENT in roles:
        filters[M] = Q(pk__isnull=False)
    if roles & BREAK_GLASS_ROLES:
        filters[BG] = Q(pk__in=BreakGlass.objects.filter(user=user, started_at__lte=now, expires_at__gt=now)
                        .values("client_id"))
    return filters


def client_filter(user, action: str, now) -> Q:
    """A Q selecting the clients on which `user` may perform `action`. Nothing for
    anonymous or inactive users, and nothing for an unknown action (fail closed)."""
    allowed_bases = ACTIONS.get(action)
    if allowed_bases is None:
        raise ValueError(f"unknown access action {action!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for basis, basis_q in _relationship_filters(user, now).items():
        if basis in allowed_bases:
            q |= basis_q
    q &= Q(destroyed_at__isnull=True)
    return q


def grants(user, client, now=None) -> list[Grant]:
    """All the relationships `user` has with `client` right now, strongest first."""
    return list(_grants(user, client, now or timezone.now()))


def _grants(user, client, now):
    """The relationships one at a time, strongest first, each looked up only when asked for:
    the client's own coach is found in the prefetched trajectories, without the consent and
    break-glass queries a substitute or an emergency needs."""
    from .models import BreakGlass, Consent, ConsentKind, Referral

    if not getattr(user, "is_authenticated", False) or not user.is_active or client.destroyed_at:
        return
    roles, today = user.roles, timezone.localdate(now)
    if Role.CLIENT in roles and client.user_id == user.pk:
        yield Grant(SELF)
    if Role.COACH in roles:
        if any(t.coach_id == user.pk for t in client.trajectories.all()):
            yield Grant(C)
        consent = (Consent.objects.active_on(today).filter(client=client, kind=ConsentKind.SUBSTITUTE, substitute=user)
                   .first())
        if consent:
            yield Grant(S, str(consent.public_id))
    if Role.THERAPIST in roles:
        referral = Referral.objects.active().filter(client=client, therapist=user).first()
        if referral:
            yield Grant(R, str(referral.public_id))
    if Role.MANAGEMENT in roles:
        yield Grant(M)
    if roles & BREAK_GLASS_ROLES:  # as in client_filter: emergency access is for staff only
        glass = BreakGlass.objects.filter(client=client, user=user, started_at__lte=now, expires_at__gt=now).first()
        if glass:
            yield Grant(BG, str(glass.public_id))


def grant_for(user, client, action: str, now=None) -> Grant | None:
    """The strongest relationship that allows `action`, or None."""
    allowed_bases = ACTIONS[action]
    return next((g for g in _grants(user, client, now or timezone.now()) if g.basis in allowed_bases), None)


def _parse(public_id) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(public_id))
    except ValueError:
        return None


def record_denied(user, action: str, *, client_ref=None, obj=None) -> None:
    """Log a refused access without answering it (the caller says why, e.g. on a form)."""
    audit.record(action=action, client=client_ref, obj=obj, outcome=Outcome.DENIED, basis=Basis.NONE,
                 role=",".join(sorted(getattr(user, "roles", ()))))


def deny(user, action: str, *, client_ref=None, status: int = 404, obj=None) -> NoReturn:
    """Log a refused access and raise 404 (not yours) or 403 (yours, but not this)."""
    record_denied(user, action, client_ref=client_ref, obj=obj)
    if status == 403:
        raise PermissionDenied
    raise Http404


def get_client_for(request, public_id, action: str, *, log_action: str | None = None, log: bool = True):
    """The client `public_id` if the request's user may perform `action` on it, with the
    grant it rests on. Writes the access-log entry (as `log_action`, default `action`).
    Strangers get 404, a visible client with a forbidden action 403; both are logged."""
    from .models import Client

    user, ref = request.user, _parse(public_id)
    client = None
    if ref is not None:
        client = Client.objects.filter(public_id=ref).alive().select_related("user").with_trajectories().first()
    grant = grant_for(user, client, action) if client else None
    if grant is None:
        visible = client is not None and any(g.basis not in NARROW_BASES or g.basis in ACTIONS[action]
                                             for g in grants(user, client))
        deny(user, log_action or action, client_ref=ref if client else None, status=403 if visible else 404)
    if log:
        audit.record(action=log_action or action, client=client, basis=grant.basis, basis_ref=grant.ref,
                     role=grant.role)
    return client, grant


def log_access(client, grant: Grant, action: str, obj=None):
    """Log a further read under an already checked grant (a download, a medical entry)."""
    audit.record(action=action, client=client, obj=obj, basis=grant.basis, basis_ref=grant.ref, role=grant.role)


# The access-log actions of list and search results (`log_list`): a name (and a state) in a
# list, not an opened record. The log review counts bulk access without them: a coach's client
# list writes an entry for every client it shows, and an ordinary day is no bulk read.
LIST_ACTIONS = frozenset({"client.list", "client.search", "reports.list", "retention.list", "research.list",
                          "handover.list", "measurements.list"})


def log_list(user, action: str, clients, grants_by_client: dict | None = None):
    """A list or search result: one entry per client shown (LAW-NEN7513). `action` is one of
    LIST_ACTIONS, so the log review can tell a list from an opened record."""
    if action not in LIST_ACTIONS:
        raise ValueError(f"{action!r} is not a list action: add it to LIST_ACTIONS")
    clients = list(clients)
    if not clients:
        return
    bases = None
    if grants_by_client:
        bases = [(grants_by_client[c.pk].basis, grants_by_client[c.pk].ref) for c in clients]
    audit.record_many(action=action, clients=clients, basis=Basis.NONE if bases else "", bases=bases,
                      role=",".join(sorted(user.roles)))
