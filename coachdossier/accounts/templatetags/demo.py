"""Demo practice only: show the current TOTP code of a demo account on the MFA step, so a
newcomer can try every role without an authenticator app. Inert unless DEMO_MODE (which
requires DEBUG) and the account is a demo account."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def demo_totp_code(context):
    if not settings.DEMO_MODE:
        return ""
    request = context.get("request")
    stage = getattr(request, "_login_stage", None)
    user = getattr(getattr(stage, "login", None), "user", None)
    if user is None or not user.is_demo:
        return ""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return ""
    secret = decrypt(authenticator.data["secret"])
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@register.simple_tag
def demo_accounts():
    """Demo practice only: the demo accounts to try, for the login page."""
    if not settings.DEMO_MODE:
        return None
    from coachdossier.accounts.demo_accounts import PASSWORD
    from coachdossier.accounts.models import User

    users = User.objects.filter(is_demo=True, is_active=True).prefetch_related("role_grants").order_by("email")
    rows = [(", ".join(str(g.get_role_display()) for g in u.role_grants.all()), u.email) for u in users]
    return {"password": PASSWORD, "rows": rows} if rows else None
