"""Who is acting, from where: set once per request (or per command) and read by audit.record."""

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
        meta = self._request.META
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        # Behind the documented reverse proxy the client address is the first forwarded one.
        return (forwarded.split(",")[0].strip() if forwarded else meta.get("REMOTE_ADDR")) or None

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
