"""Security events from django-allauth: end other sessions when credentials change, and
keep a security log line (no personal data beyond the user id)."""

import logging
import time

from allauth.account.signals import password_changed, password_reset, password_set, user_logged_in
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .middleware import LANGUAGE_SESSION_KEY, browser_of

security_log = logging.getLogger("coachdossier.security")


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    request.session["auth_started"] = time.time()
    request.session["last_seen"] = time.time()
    # allauth has just written the session row (address, browser): no second write on the next page.
    request.session["browser"] = browser_of(request)
    # Her stored language becomes the active one, on this device too (LanguageMiddleware).
    request.session[LANGUAGE_SESSION_KEY] = user.language
    security_log.info("login user_id=%s", user.pk)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    security_log.warning("login failed ip=%s", request.META.get("REMOTE_ADDR") if request else "-")


@receiver(authentication_failed)
def on_mfa_failed(sender, user, request=None, **kwargs):
    security_log.warning("mfa code rejected user_id=%s", user.pk)


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
@receiver(authenticator_added)
@receiver(authenticator_removed)
@receiver(authenticator_reset)
def on_credentials_changed(sender, request=None, user=None, **kwargs):
    from .actions import end_sessions

    user = user or getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    keep = request.session.session_key if request is not None and hasattr(request, "session") else None
    end_sessions(user, keep=keep)
    security_log.info("credentials changed user_id=%s: other sessions ended", user.pk)
