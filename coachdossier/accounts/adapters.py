from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.utils.encoding import force_str


@dataclass(frozen=True)
class PracticeSite:
    """What allauth's mails call "the site": the practice by its name (without the sites
    framework allauth names the host, "Hallo van 127.0.0.1:8000!"), at the host it runs on."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by management (staff) or by invitation (clients), never by sign-up.
        return False

    def _practice_site(self) -> PracticeSite:
        from coachdossier import policy

        return PracticeSite(policy.current().practice_name, get_current_site(allauth_context.request).domain)

    def format_email_subject(self, subject) -> str:
        return f"[{self._practice_site().name}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {"current_site": self._practice_site(), **context})


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        # LAW-32: a staff account cannot switch MFA off; it may only replace it.
        return not authenticator.user.is_staff_member
