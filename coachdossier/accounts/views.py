from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier.audit.context import current as current_actor

from . import actions, confidentiality, dashboard
from .forms import ApiTokenForm, ConfidentialityForm, LanguageForm
from .middleware import remember_language
from .models import ApiToken


@require_GET
@login_required
def home(request):
    if not request.user.is_staff_member and getattr(request.user, "client_record", None) is not None:
        # A client's overview is the portal's: her reports waiting for an answer, messages and
        # rights are there, and she lands there after signing in (LOGIN_REDIRECT_URL).
        return redirect("portal:home")
    panels = dashboard.collect(request, timezone.now())
    return render(request, "accounts/home.html", {"panels": panels})


@require_http_methods(["GET", "POST"])
@login_required
def confidentiality_statement(request):
    form = ConfidentialityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.accept_confidentiality(actor=request.user, ip=current_actor().ip, now=timezone.now())
        request.session.pop("gate_passed", None)
        messages.success(request, _("Thank you. Your acceptance has been recorded."))
        return redirect("home")
    accepted = request.user.confidentiality_acceptances.filter(version=confidentiality.CURRENT_VERSION).first()
    return render(request, "accounts/confidentiality.html", {
        "form": form,
        "text": confidentiality.text_for(translation.get_language() or "nl"),
        "version": confidentiality.CURRENT_VERSION,
        "accepted": accepted,
    })


@require_POST
def set_language(request):
    """Like Django's set_language, but an unknown code is refused with a message."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    # Only a local path: a bare word would be taken for a URL name by redirect() (a 500).
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    if not form.is_valid():
        messages.error(request, form.errors["language"][0] if "language" in form.errors else _("Unknown language."))
        return redirect(next_url)
    code = form.cleaned_data["language"]
    if request.user.is_authenticated:  # kept with the account: another device, and her mail
        actions.set_language(actor=request.user, language=code, now=timezone.now())
    translation.activate(code)
    response = redirect(next_url)
    remember_language(request, response, code)
    return response


@require_GET
@login_required
def security(request):
    from allauth.mfa.models import Authenticator

    return render(request, "accounts/security.html", {
        "has_totp": Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists(),
        "tokens": request.user.api_tokens.all(),
    })


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = actions.create_api_token(actor=request.user, name=form.cleaned_data["name"],
                                                  now=timezone.now())
        form = ApiTokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form, "secret": secret, "tokens": request.user.api_tokens.all(),
    })


@require_POST
@login_required
def revoke_token(request, token_id):
    token = get_object_or_404(ApiToken, public_id=token_id, user=request.user, revoked_at__isnull=True)
    actions.revoke_api_token(actor=request.user, token=token, now=timezone.now())
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:tokens")


def server_error(request):
    """handler500: a database that cannot be reached gives the 503 page, whichever layer
    noticed it first; anything else is the plain 500 page (templates/500.html)."""
    import sys

    from django.views import defaults

    from .middleware import DATABASE_ERRORS, database_unavailable

    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request, exception)
    return defaults.server_error(request)


@require_GET
def health(request):
    """For an uptime monitor or a load balancer (docs/deploy.md, "Processes"): 200 "ok" when
    both databases answer, 503 "unavailable" when one does not. Public, so it says nothing
    more: no session, no user, no detail of the error (that goes to the log)."""
    from django.db import connections
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    from .middleware import DATABASE_ERRORS, db_log

    status, text = 200, "ok\n"
    for alias in ("default", "keys"):
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DATABASE_ERRORS as exc:
            db_log.error("health: the %s database does not answer (%s)", alias, type(exc).__name__)
            status, text = 503, "unavailable\n"
            break
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, no_store=True)
    return response
