"""How often the API may be called: django-ninja's own throttles, decided here (STYLE 9).

The calls are counted in Django's default cache, which is the database table (settings.CACHES),
so every gunicorn worker and every host counts the same calls: a per-process cache would give
each worker its own allowance. A refused call gets 429 with Retry-After before the operation
runs, so it changes nothing. Tests (the `api_limits_raised` fixture, coachdossier/conftest.py)
and the fuzz server (script/fuzz_api_gunicorn.py) raise the limits by setting `num_requests` on
the throttles in THROTTLES."""

import threading

from ninja.throttling import AnonRateThrottle, UserRateThrottle

# Per signed-in user, session and tokens together: an integration reading out a practice of a
# few hundred clients (a few calls each) fits in a few minutes, the pages of a person never
# come near, and a leaked token reads no faster than 5 calls a second on average.
USER_RATE = "300/m"
# Listing and revoking one's personal access tokens: a person does it a few times a year.
TOKEN_RATE = "30/m"
# Calls that fail to authenticate (401), per address: a client whose session ran out needs one,
# guessing tokens needs very many. ninja checks throttles only after authentication succeeded,
# so this one is counted by the API's 401 handler (api.py) rather than passed to NinjaAPI.
ANONYMOUS_RATE = "30/m"


class ClientAddress:
    """ninja would key anonymous calls on the whole X-Forwarded-For, which the caller writes
    itself; TrustedProxyMiddleware already put the real address in REMOTE_ADDR (LAW-NEN7513)."""

    def get_ident(self, request):
        return request.META.get("REMOTE_ADDR")


def _per_thread(name: str) -> property:
    return property(lambda self: getattr(self._call, name), lambda self, value: setattr(self._call, name, value))


class OwnCall:
    """The call's own Retry-After. ninja keeps the call being checked (its key, its history of
    calls, the clock) on the throttle object between allow_request() and wait(), and one object
    serves every thread of a gunicorn worker: a call checked in between by another thread
    handed the refused call its history, so Retry-After came out a second or more off, or was
    another caller's. Kept per thread here. And wait() is the time until the call that decides
    leaves the window: ninja's spreads the window over the calls left, which is no answer
    (None, so 1 second) once the history holds more calls than the limit (workers racing on the
    shared cache, or a lowered limit)."""

    key = _per_thread("key")
    history = _per_thread("history")
    now = _per_thread("now")

    def __init__(self, *args, **kwargs):
        self._call = threading.local()
        super().__init__(*args, **kwargs)

    def wait(self):
        if not self.num_requests or not self.history:
            return self.duration
        # history is newest first: a call fits again once fewer than num_requests are in the window.
        deciding = self.history[min(self.num_requests, len(self.history)) - 1]
        return max(0.0, self.duration - (self.now - deciding))


class UserThrottle(ClientAddress, OwnCall, UserRateThrottle):
    scope = "user"


class TokenThrottle(ClientAddress, OwnCall, UserRateThrottle):
    scope = "tokens"


class AnonymousThrottle(ClientAddress, OwnCall, AnonRateThrottle):
    scope = "anonymous"


user_throttle = UserThrottle(USER_RATE)
token_throttle = TokenThrottle(TOKEN_RATE)
anonymous_throttle = AnonymousThrottle(ANONYMOUS_RATE)
THROTTLES = (user_throttle, token_throttle, anonymous_throttle)
