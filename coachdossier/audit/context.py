"""Who is acting, from where: set once per request (or per command) and read by audit.record."""

import ipaddress
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Actor:
    user: object | None  # accounts.User, or None for the system (daily job, commands)
    ip: str | None = None
    user_agent: str = ""
    channel: str = "job"  # web | api | command | job


def is_trusted_proxy(address: str | None, trusted) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(remote_addr: str | None, forwarded_for: str, trusted) -> str | None:
    """The client's address, for the access log (LAW-NEN7513, "from where").

    Each proxy appends to X-Forwarded-For the address it received the request from, so only
    the entries our own proxies added can be believed: start at the peer (REMOTE_ADDR) and
    walk the header from the right past every hop that is one of our `trusted` proxies; the
    first one that is not is the client. A peer that is not a trusted proxy is the client
    itself, whatever it writes in the header."""
    if not is_trusted_proxy(remote_addr, trusted):
        return remote_addr or None
    client = remote_addr
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return client  # garbage where an address should be: believe nothing left of it
        client = hop
        if not is_trusted_proxy(hop, trusted):
            break
    return client


class RequestActor:
    """The actor of a web or API request, resolved lazily so that requests that never
    write a log entry never load the user for it."""

    def __init__(self, request, channel: str):
        self._request = request
        self.channel = channel

    @cached_property
    def user(self):
        user = getattr(self._request, "user", None)
        return user if user is not None and user.is_authenticated else None

    @cached_property
    def ip(self) -> str | None:
        # TrustedProxyMiddleware has already put the client's address here (LAW-NEN7513).
        return self._request.META.get("REMOTE_ADDR") or None

    @cached_property
    def user_agent(self) -> str:
        return self._request.META.get("HTTP_USER_AGENT", "")[:255]


_current: ContextVar = ContextVar("coachdossier_actor", default=None)
SYSTEM = Actor(user=None, channel="job")


def current():
    return _current.get() or SYSTEM


@contextmanager
def acting(actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
