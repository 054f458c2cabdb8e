"""Request gates for accounts: session lifetime, the staff gate (MFA and the
confidentiality statement), and no-store caching for authenticated pages."""

import hashlib
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

security_log = logging.getLogger("coachdossier.security")

# Pages a staff member may reach before passing the gate (to pass it, or to leave).
GATE_OPEN_PREFIXES = ("/static/", "/accounts/logout/", "/accounts/2fa/", "/accounts/reauthenticate/",
                      "/accounts/confidentiality/", "/accounts/language/", "/favicon.ico")
TOUCH_EVERY_SECONDS = 60


def browser_of(request) -> str:
    """A short digest of the request's address and browser: a change shows up in the user's
    session list at once (allauth's usersessions), without keeping either in the session."""
    from allauth.account.adapter import get_adapter

    seen = f"{get_adapter().get_client_ip(request)}\n{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def record_session_activity(request) -> None:
    """Update the user's session row (address, browser, last seen) for the security page."""
    from allauth.usersessions import app_settings
    from allauth.usersessions.models import UserSession

    request.session["browser"] = browser_of(request)
    if app_settings.TRACK_ACTIVITY and request.session.session_key:
        UserSession.objects.create_from_request(request)


class SessionLifetimeMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request, and after the absolute
    lifetime (SESSION_COOKIE_AGE) since login. Writes the session, and the user's session
    row that the security page lists, at most once a minute, and at once when the address or
    browser changes: a page view costs no commit of its own, so a dossier read makes exactly
    one, its access-log entry's (allauth's UserSessionsMiddleware, which this replaces, wrote
    the row on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = time.time()
            started = session.get("auth_started", now)
            last = session.get("last_seen", now)
            reason = None
            if now - last > settings.SESSION_IDLE_SECONDS:
                reason = _("You were signed out after %(m)d minutes without activity.") % {
                    "m": settings.SESSION_IDLE_SECONDS // 60}
            elif now - started > settings.SESSION_COOKIE_AGE:
                reason = _("You were signed out: a session lasts at most %(h)d hours.") % {
                    "h": settings.SESSION_COOKIE_AGE // 3600}
            if reason:
                security_log.info("session expired user_id=%s", session.get("_auth_user_id"))
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "session expired"}, status=401)
                messages.info(request, reason)
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if "auth_started" not in session:
                session["auth_started"] = now
            if now - last >= TOUCH_EVERY_SECONDS or "last_seen" not in session \
                    or session.get("browser") != browser_of(request):
                session["last_seen"] = now
                record_session_activity(request)
        return self.get_response(request)


def gate_problem(request) -> str | None:
    """Why this staff user may not yet use the app: no MFA, or the confidentiality statement
    not accepted. None when they may."""
    user = request.user
    if not user.is_authenticated or not user.is_staff_member:
        return None
    from allauth.mfa.models import Authenticator

    from .confidentiality import CURRENT_VERSION

    if request.session.get("gate_passed") == CURRENT_VERSION:
        return None
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return "mfa"
    if not user.confidentiality_acceptances.filter(version=CURRENT_VERSION).exists():
        return "confidentiality"
    request.session["gate_passed"] = CURRENT_VERSION
    return None


class StaffGateMiddleware:
    """LAW-32: MFA is mandatory for every staff role; PR-R1: staff accept the confidentiality
    statement before first access. Until both are done, every page redirects to the step
    that is missing (and the API answers 403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(GATE_OPEN_PREFIXES) and getattr(request, "session", None) is not None:
            problem = gate_problem(request)
            if problem:
                security_log.info("staff gate: %s missing for user_id=%s path=%s", problem, request.user.pk,
                                  request.path)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": f"{problem} required before using the API"}, status=403)
                if problem == "mfa":
                    messages.warning(request, _("Set up two-step verification before you continue. "
                                                "It is required for every staff account."))
                    return redirect("mfa_activate_totp")
                return redirect("accounts:confidentiality")
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for signed-in users may show client data: never cache them anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            user = getattr(request, "user", None)
            if (user is not None and user.is_authenticated) or request.path.startswith(("/api/", "/portal/")):
                patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


# Her stored language (User.language), put in the session when she signs in (receivers.on_login):
# the response sets the device's cookie to it, so a new device shows her language from then on.
LANGUAGE_SESSION_KEY = "language"


def remember_language(request, response, code: str) -> None:
    """The device keeps the language (a cookie), also after signing out."""
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=request.is_secure(), httponly=True)


class LanguageMiddleware:
    """Dutch by default for everyone; English (or another listed language) only when the
    user chose it: with the language switch (a cookie, and for a signed-in user her account)
    or, when she signs in, her account's choice. The browser's Accept-Language is ignored on
    purpose: practices, clients and auditors here read Dutch documents."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        session = getattr(request, "session", None)
        signed_in = session.pop(LANGUAGE_SESSION_KEY, None) if session is not None else None
        if signed_in in dict(settings.LANGUAGES) and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            remember_language(request, response, signed_in)
        return response


# --- The database is unreachable -------------------------------------------------------------

db_log = logging.getLogger("coachdossier.database")
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable(request, exception) -> HttpResponse:
    """A plain 503 that needs no database: no session, no user, no navigation, no traceback,
    no content. The next request reconnects by itself (CONN_HEALTH_CHECKS), so the app
    recovers without a restart when the database is back."""
    db_log.error("database unavailable (%s) on %s %s: %s", type(exception).__name__, request.method,
                 request.path, str(exception).splitlines()[0] if str(exception) else "")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": "The database is unavailable; try again shortly."}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection in a view into the 503 page. Errors raised inside
    other middleware (the session, the user) reach `coachdossier.accounts.views.server_error`
    (handler500), which gives the same page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None
