"""`coachdossier create_account`: a staff account from the command line.

The application has no page that creates staff accounts, so this is how a practice gets its
first management account and, after that, its coaches, therapists and officers. The password
is asked twice on the terminal (or read from stdin with --password-stdin, for provisioning
scripts) and never taken as an argument, which would leave it in the shell history and the
process list. At the first sign-in the account sets up two-step verification (LAW-32) and
accepts the confidentiality statement (PR-R1) before it can see anything."""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from coachdossier.accounts import actions
from coachdossier.accounts.models import STAFF_ROLES, User
from coachdossier.audit.context import Actor, acting


class Command(BaseCommand):
    help = ("Create a staff account (the first management account, and every staff account after it). "
            "Asks for the password twice, or reads one line from stdin with --password-stdin. Client accounts "
            "are made by the portal invitation, not here.")

    def add_arguments(self, parser):
        parser.add_argument("email", help="the sign-in email address")
        parser.add_argument("--name", required=True, help="full name, as colleagues and clients see it")
        parser.add_argument("--role", action="append", required=True, choices=sorted(role.value for role in STAFF_ROLES), dest="roles",
                            help="a role; repeat for more than one (e.g. --role coach --role complaints_officer)")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of stdin instead of asking for it")

    def handle(self, *args, **options):
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address") from exc
        name = options["name"].strip()
        if not name:
            raise CommandError("--name may not be empty")
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"an account with the email {email} exists already; nothing was changed")
        password = self.password(options["password_stdin"])
        try:
            validate_password(password, User(email=email, full_name=name))
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from exc
        roles = sorted(set(options["roles"]))
        with acting(Actor(user=None, channel="command")):
            actions.create_user(actor=None, email=email, full_name=name, roles=roles, password=password)
        self.stdout.write(f"created account {email} ({', '.join(roles)}); at the first sign-in it sets up "
                          "two-step verification and accepts the confidentiality statement")

    def password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password on: use --password-stdin")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ; nothing was changed")
        return first
