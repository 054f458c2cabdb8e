"""`coachdossier create_account` and `disable_account`: the application has no page that makes
or ends staff accounts, so a practice that followed docs/deploy.md had no way to its first
management account (Django's `createsuperuser` made an "admin", a role that can do nothing
else, without a log entry) and no way to lock out someone who left."""

import io
from unittest import mock

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from coachdossier.accounts import actions
from coachdossier.accounts.models import ApiToken, Role, User
from coachdossier.audit.models import AccessLogEntry
from coachdossier.test import PASSWORD, BaseTestCase

GOOD = "lange zin als wachtwoord 2026"


def create(*args, stdin=GOOD + "\n"):
    out = io.StringIO()
    with mock.patch("sys.stdin", io.StringIO(stdin)):
        call_command("create_account", *args, stdout=out)
    return out.getvalue()


class CreateAccountTestCase(TestCase):
    databases = {"default", "keys"}

    def test_law_32_the_first_management_account_is_made_with_its_roles_and_must_set_up_mfa_first(self):
        output = create("Directie@Praktijk.nl", "--name", "Marieke Directie", "--role", "management",
                        "--role", "coach", "--password-stdin")
        user = User.objects.get(email="directie@praktijk.nl")
        self.assertEqual(user.roles, {Role.MANAGEMENT, Role.COACH})
        self.assertTrue(user.check_password(GOOD))
        self.assertIn("created account directie@praktijk.nl (coach, management)", output)
        self.assertTrue(AccessLogEntry.objects.filter(action="account.create", object_ref=str(user.public_id),
                                                      channel="command").exists())
        self.client.force_login(user)
        response = self.client.get(reverse("home"))
        self.assertRedirects(response, reverse("mfa_activate_totp"), fetch_redirect_response=False)

    def test_it_refuses_a_weak_password_an_existing_email_and_a_bad_address_and_changes_nothing(self):
        with self.assertRaisesMessage(CommandError, "password refused"):
            create("a@praktijk.nl", "--name", "A", "--role", "coach", "--password-stdin", stdin="kort\n")
        create("a@praktijk.nl", "--name", "A", "--role", "coach", "--password-stdin")
        with self.assertRaisesMessage(CommandError, "exists already; nothing was changed"):
            create("A@praktijk.nl", "--name", "A", "--role", "coach", "--password-stdin")
        with self.assertRaisesMessage(CommandError, "is not an email address"):
            create("geen-adres", "--name", "A", "--role", "coach", "--password-stdin")
        self.assertEqual(User.objects.count(), 1)

    def test_without_a_terminal_it_asks_for_password_stdin_rather_than_hanging(self):
        with self.assertRaisesMessage(CommandError, "use --password-stdin"):
            create("b@praktijk.nl", "--name", "B", "--role", "coach", stdin="")
        self.assertFalse(User.objects.exists())

    def test_only_staff_roles_are_offered(self):
        with self.assertRaises(CommandError):  # argparse's refusal, through call_command
            create("c@praktijk.nl", "--name", "C", "--role", "client", "--password-stdin")


class DisableAccountTestCase(BaseTestCase):
    def test_law_32_a_disabled_account_cannot_sign_in_and_loses_its_sessions_and_tokens(self):
        self.login(self.coach)
        self.client.get(reverse("home"))
        self.assertTrue(UserSession.objects.filter(user=self.coach).exists())
        token, _ = actions.create_api_token(actor=self.coach, name="script", now=timezone.now())
        out = io.StringIO()
        call_command("disable_account", "ALICE@example.com", stdout=out)
        self.assertIn("disabled account alice@example.com", out.getvalue())
        self.coach.refresh_from_db()
        self.assertFalse(self.coach.is_active)
        self.assertFalse(UserSession.objects.filter(user=self.coach).exists())
        self.assertFalse(Session.objects.exists())
        self.assertFalse(ApiToken.objects.active().filter(pk=token.pk).exists())
        self.assertTrue(AccessLogEntry.objects.filter(action="account.disable", channel="command").exists())
        self.assertFalse(self.client.login(email="alice@example.com", password=PASSWORD))
        again = io.StringIO()
        call_command("disable_account", "alice@example.com", stdout=again)
        self.assertIn("disabled already; nothing changed", again.getvalue())

    def test_an_unknown_address_is_refused_in_one_line(self):
        with self.assertRaisesMessage(CommandError, "no account with the email nobody@example.com"):
            call_command("disable_account", "nobody@example.com")
