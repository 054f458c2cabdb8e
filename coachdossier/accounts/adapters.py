from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation
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

    # The account a notification mail is about (send_notification_mail), while it is sent.
    _recipient = None

    def _recipient_language(self, email: str, context: dict) -> str | None:
        """The stored language (User.language) of the account a mail goes to: the one allauth
        names (`user` in the context, or the account a notification is about), else the account
        with this address. None when the address is nobody's (allauth's "no such account" mail):
        that mail stays in the language of the page it was asked from."""
        user = context.get("user") or self._recipient
        language = getattr(user, "language", None)
        if not language:
            from .models import User

            language = User.objects.language_of(email)
        return language if language in dict(settings.LANGUAGES) else None

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Every mail of ours is in the reader's stored language (accounts.outbox); allauth's own
        # (password reset, sign-in and reset codes, email confirmation, notifications) were in the
        # language of the page that asked for them: a Dutch reader who asked from an English page
        # got English. Subject and body are rendered inside the override.
        language = self._recipient_language(email, context) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, {"current_site": self._practice_site(), **context})

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        # A notice can go to an address that is no longer the account's (the old address after
        # a change): the account it is about says the language, not the address.
        self._recipient = user
        try:
            super().send_notification_mail(template_prefix, user, context, email)
        finally:
            self._recipient = None


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        # LAW-32: a staff account cannot switch MFA off; it may only replace it.
        return not authenticator.user.is_staff_member
