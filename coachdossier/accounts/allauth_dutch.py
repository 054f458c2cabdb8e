"""allauth's own Dutch addresses the reader as "je"; every other page says "u". The messages
of allauth that a client meets (re-authentication before a copy or a destruction request,
the password reset, the email addresses) are translated again in locale/nl, which Django
reads before allauth's catalogue. Marked here so that makemessages keeps them."""

from django.utils.translation import gettext_noop

FORMAL = [
    gettext_noop("Please reauthenticate to safeguard your account."),
    gettext_noop("Enter your password:"),
    gettext_noop("Forgotten your password? Enter your email address below, and we'll send you an email "
                 "allowing you to reset it."),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop("The following email addresses are associated with your account:"),
    gettext_noop("Do you really want to remove the selected email address?"),
]
