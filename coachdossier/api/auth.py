"""API authentication: the browser session (with CSRF) or a personal access token."""

import logging
from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from coachdossier.accounts.middleware import gate_problem
from coachdossier.accounts.models import ApiToken

security_log = logging.getLogger("coachdossier.security")


class StaffGatedSessionAuth(SessionAuth):
    """The session, but only once a staff user passed MFA and the confidentiality statement
    (the middleware answers 403 before we get here otherwise)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and gate_problem(request):
            return None
        return user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token.startswith(ApiToken.PREFIX) or len(token) > 100:
            security_log.warning("api: malformed token from %s", request.META.get("REMOTE_ADDR"))
            return None
        found = (ApiToken.objects.active().select_related("user")
                 .filter(digest=ApiToken.digest_of(token)).first())
        if found is None:
            security_log.warning("api: unknown or revoked token from %s", request.META.get("REMOTE_ADDR"))
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


session_auth = StaffGatedSessionAuth()
token_auth = TokenAuth()
