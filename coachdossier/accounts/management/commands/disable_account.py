"""`coachdossier disable_account`: someone with access leaves (docs/deploy.md, "Keys").

The account can no longer sign in; its sessions end and its API tokens are revoked at once
(accounts.actions.disable_user). Nothing is deleted: the access log keeps naming them."""

from django.core.management.base import BaseCommand, CommandError

from coachdossier.accounts import actions
from coachdossier.accounts.models import User
from coachdossier.audit.context import Actor, acting


class Command(BaseCommand):
    help = ("Disable an account: it can no longer sign in, its sessions end and its API tokens are revoked. "
            "Nothing is deleted.")

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's sign-in email address")

    def handle(self, *args, **options):
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"no account with the email {email}")
        if not user.is_active:
            self.stdout.write(f"account {user.email} is disabled already; nothing changed")
            return
        with acting(Actor(user=None, channel="command")):
            actions.disable_user(actor=None, user=user)
        self.stdout.write(f"disabled account {user.email}: it cannot sign in, its sessions ended and its API "
                          "tokens were revoked")
