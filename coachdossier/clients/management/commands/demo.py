"""`coachdossier demo`: a fictional practice to try every role, built through real actions.

Idempotent: a second run changes nothing. Later apps add their part with a module
`demo.py` exposing `seed(ctx)`, called in the order of INSTALLED_APPS after the records."""

import datetime
import random
from dataclasses import dataclass, field
from importlib import import_module

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import encrypt
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from faker import Faker

from coachdossier.accounts import actions as account_actions
from coachdossier.accounts import confidentiality
from coachdossier.accounts.demo_accounts import PASSWORD
from coachdossier.accounts.models import ConfidentialityAcceptance, Role, User
from coachdossier.audit.context import Actor, acting
from coachdossier.clients import actions
from coachdossier.clients.models import ClientSource, EntryKind, PersonalData, PrincipalKind

DOMAIN = "demo.coachdossier.nl"

STAFF = [
    ("directie", "Marieke van Dijk", [Role.MANAGEMENT]),
    ("coach.anna", "Anna Bakker", [Role.COACH]),
    ("coach.pieter", "Pieter de Boer", [Role.COACH]),
    ("coach.sanne", "Sanne Visser", [Role.COACH, Role.COMPLAINTS_OFFICER]),
    ("coach.youssef", "Youssef El Amrani", [Role.COACH]),
    ("therapeut", "Lotte Smit", [Role.THERAPIST]),
    ("klachten", "Henk Mulder", [Role.COMPLAINTS_OFFICER]),
    ("auditor", "Ingrid Vos (CSR Centrum)", [Role.AUDITOR]),
    ("beheer", "Ruben Kok", [Role.ADMIN]),
]
PORTAL_CLIENTS = 3  # the first clients get a portal account

NOTES = [
    (EntryKind.NOTE, "Intakegesprek", "Kennismaking. Cliënt wil graag weer aan het werk, maar merkt dat de energie "
     "snel op is. Afgesproken om wekelijks te spreken en een dagritme op te bouwen."),
    (EntryKind.FACT, "Werkgever en functie", "Cliënt werkt 32 uur per week als administratief medewerker. "
     "Sinds vier maanden volledig uitgevallen."),
    (EntryKind.NOTE, "Tweede gesprek", "We hebben de week doorgenomen. Wandelen lukt elke dag; lezen kost nog "
     "moeite. Volgende stap: twee ochtenden per week een vaste taak."),
    (EntryKind.FINDING, "Tussentijdse bevinding", "De belastbaarheid neemt geleidelijk toe. Opbouw van werk in "
     "kleine stappen lijkt haalbaar vanaf volgende maand."),
    (EntryKind.CORRESPONDENCE_OUT, "Bevestiging afspraken", "Brief aan cliënt met de afspraken over het plan "
     "van aanpak en de contactmomenten."),
    (EntryKind.RECEIVED_DOCUMENT, "Re-integratieverslag", "Samenvatting van het ontvangen verslag over de "
     "eerdere re-integratie-inspanningen."),
    (EntryKind.NOTE, "Gesprek over werkhervatting", "Eerste proefplaatsing besproken. Cliënt is gemotiveerd "
     "en wil graag beginnen met twee dagdelen."),
]


@dataclass
class DemoContext:
    """What later apps' demo seeds get: the people, the clients and the clock."""

    now: datetime.datetime
    fake: Faker
    rng: random.Random
    users: dict = field(default_factory=dict)
    principals: dict = field(default_factory=dict)
    clients: list = field(default_factory=list)

    @property
    def management(self):
        return self.users["directie"]

    def coaches(self):
        return [u for k, u in self.users.items() if k.startswith("coach.")]


def demo_email(key):
    return f"{key}@{DOMAIN}"


def mail_to_files():
    """The demo's mail (a report's client copy, invitations) as files in EMAIL_FILE_PATH, as in
    development, whatever the installation's mail server: its addresses are fictional
    (demo.coachdossier.nl, *.example), so a relay would bounce them or hand them to a stranger's
    domain, and a scratch host without SMTP ended the demo in a traceback halfway (the report
    whose notice did not go out stayed "ready", and the next step refused it)."""
    return override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")


class Command(BaseCommand):
    help = "Create the fictional demo practice (idempotent). --accounts prints the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", action="store_true", help="only print the demo accounts")
        parser.add_argument("--in-production", action="store_true",
                            help="build it although DEBUG is off (a scratch installation only, never a practice's)")

    def handle(self, *args, **options):
        if not options["accounts"] and not settings.DEMO_MODE and not options["in_production"]:
            # Its client accounts have a published password and no second factor, and its
            # fictional clients would stand in the practice's registers and reports.
            raise CommandError("the demo practice is for development (DEBUG on): this installation runs with "
                               "production settings, and the demo would add fictional clients and accounts with a "
                               "published password to its database. Nothing was changed.")
        if not options["accounts"]:
            if User.objects.filter(email=demo_email("directie")).exists():
                self.stdout.write("The demo practice exists already; nothing changed.")
            else:
                with acting(Actor(user=None, channel="command")), mail_to_files():
                    self.build()
                self.stdout.write(f"Its mail was written to {settings.EMAIL_FILE_PATH}, not sent.")
        self.print_accounts()

    def print_accounts(self):
        self.stdout.write(f"\nDemo accounts (password for all: {PASSWORD})")
        rows = [(", ".join(sorted(u.roles)), u.email) for u in User.objects.filter(is_demo=True).order_by("email")]
        for roles, email in rows:
            self.stdout.write(f"  {roles:32} {email}")
        if settings.DEMO_MODE:
            self.stdout.write("MFA in the demo: the two-step page shows the current code of a demo account "
                              "(only while DEBUG is on).\n")

    @transaction.atomic
    def build(self):
        now = timezone.now()
        ctx = DemoContext(now=now, fake=Faker("nl_NL"), rng=random.Random(2026))
        ctx.fake.seed_instance(2026)
        for key, name, roles in STAFF:
            ctx.users[key] = self.make_staff(key, name, roles, now)
        management = ctx.management
        with acting(Actor(user=management, channel="command")):
            self.seed_records(ctx)
        for config in apps.get_app_configs():
            if not config.name.startswith("coachdossier.") or config.label == "clients":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with acting(Actor(user=management, channel="command")):
                module.seed(ctx)
        self.stdout.write(f"Demo practice created: {len(ctx.clients)} clients.")

    def make_staff(self, key, name, roles, now):
        user = account_actions.create_user(actor=None, email=demo_email(key), full_name=name, roles=roles,
                                           password=PASSWORD, is_demo=True)
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP,
                                     data={"secret": encrypt(generate_totp_secret())})
        ConfidentialityAcceptance.objects.create(user=user, version=confidentiality.CURRENT_VERSION,
                                                 text_sha256=confidentiality.text_sha256(), accepted_at=now)
        return user

    def seed_records(self, ctx):
        fake, rng, now, management = ctx.fake, ctx.rng, ctx.now, ctx.management
        principals = {
            "uwv": actions.create_principal(actor=management, name="UWV Utrecht", kind=PrincipalKind.UWV,
                                            contact_name="Team Re-integratie", contact_email="reintegratie@uwv.example",
                                            statutory_report_right=True),
            "gemeente": actions.create_principal(actor=management, name="Gemeente Amersfoort",
                                                 kind=PrincipalKind.MUNICIPALITY, contact_name="Afdeling Werk",
                                                 contact_email="werk@amersfoort.example"),
            "werkgever": actions.create_principal(actor=management, name="Zorggroep De Linde BV",
                                                  kind=PrincipalKind.EMPLOYER, contact_name="P&O",
                                                  contact_email="po@delinde.example"),
            "zelf": actions.create_principal(actor=management, name="Eigen rekening", kind=PrincipalKind.SELF),
        }
        ctx.principals = principals
        kinds = ["uwv", "uwv", "uwv", "gemeente", "gemeente", "gemeente", "werkgever", "werkgever", "werkgever",
                 "zelf", "zelf", "uwv"]
        coaches = ctx.coaches()
        bsns = ["111222333", "123456782", "999999990", "100000009"]
        for i, kind in enumerate(kinds):
            principal = principals[kind]
            start = now - datetime.timedelta(days=rng.randint(20, 200))
            first, last = fake.first_name(), fake.last_name()
            personal = PersonalData(
                first_name=first, last_name=last, street=fake.street_name(), house_number=str(rng.randint(1, 200)),
                postcode=fake.postcode(), city=fake.city(), email=f"{first.lower()}.{i}@client.example",
                phone=f"06 1{rng.randint(1000000, 9999999)}",
                date_of_birth=fake.date_of_birth(minimum_age=22, maximum_age=63).isoformat(),
                bsn=bsns[i % len(bsns)] if principal.is_uwv else "",
                background="Langdurig uitgevallen na reorganisatie." if principal.is_uwv else "",
            )
            client = actions.register_client(actor=management, personal=personal, principal=principal, now=start)
            coach = coaches[i % len(coaches)]
            trajectory = actions.open_trajectory(
                actor=management, client=client, principal=principal, coach=coach,
                source=ClientSource.UMBRELLA if i % 3 else ClientSource.OWN, now=start,
                uwv_order_number=f"UWV-{2026000 + i}" if principal.is_uwv else "",
                approved_hours=rng.choice([12, 20, 30]) if principal.is_uwv else None,
                agreement_date=start.date(), vulnerable=(i == 4),
                goal_text="Binnen zes maanden weer duurzaam aan het werk, in eigen tempo." if i != 11 else "",
            )
            if i != 11:  # one client stays in intake without a goal
                actions.activate_trajectory(actor=management, trajectory=trajectory, now=start)
            if principal.is_uwv and i % 2 == 0:  # UWV approved an extension halfway (GC-0.4: terms history)
                halfway = start + (now - start) / 2
                actions.change_trajectory_terms(
                    actor=management, trajectory=trajectory, now=halfway, uwv_order_number=trajectory.uwv_order_number,
                    approved_hours=trajectory.approved_hours + 8, agreement_date=trajectory.agreement_date,
                    vulnerable=trajectory.vulnerable)
            with acting(Actor(user=coach, channel="command")):
                if i % 3 != 2:  # GC-0.4: most dossiers hold the signed agreement, some still lack it
                    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

                    actions.add_entry(actor=coach, client=client, kind=EntryKind.AGREEMENT, occurred_on=start.date(),
                                      title="Coachingsovereenkomst", text="Door cliënt en coach ondertekend.",
                                      files=[Upload("overeenkomst.pdf", DEMO_PDF, content_type="application/pdf")],
                                      now=start)
                for n, (entry_kind, title, text) in enumerate(NOTES[: rng.randint(3, len(NOTES))]):
                    day = start + datetime.timedelta(days=7 * n)
                    if day > now:
                        break
                    actions.add_entry(actor=coach, client=client, kind=entry_kind, occurred_on=day.date(), title=title,
                                      text=text, source="UWV" if entry_kind == EntryKind.RECEIVED_DOCUMENT else "",
                                      now=day)
                    actions.log_session(actor=coach, trajectory=trajectory, date=day.date(), minutes=rng.choice([45, 60, 90]),
                                        mode=rng.choice(["in_person", "video", "phone"]), now=day)
                if i % 4 == 1:
                    actions.add_entry(actor=coach, client=client, kind=EntryKind.RECEIVED_DOCUMENT,
                                      occurred_on=(start + datetime.timedelta(days=3)).date(),
                                      title="Advies bedrijfsarts", text="Beperkingen in belastbaarheid; opbouw in "
                                      "uren aanbevolen. Medische details bij de bedrijfsarts.", source="Arbodienst",
                                      is_medical=True, now=start + datetime.timedelta(days=3))
            if i < PORTAL_CLIENTS:
                user = account_actions.create_user(actor=None, email=demo_email(f"client{i + 1}"),
                                                   full_name=f"{first} {last}", roles=[Role.CLIENT],
                                                   password=PASSWORD, is_demo=True)
                client.user = user
                client.save(update_fields=["user"])
            ctx.clients.append(client)
        # A substitute coach with consent, and a referral to the therapist.
        first_client, coach_b = ctx.clients[0], coaches[1]
        with acting(Actor(user=coaches[0], channel="command")):
            from django.core.files.uploadedfile import SimpleUploadedFile

            evidence = SimpleUploadedFile("toestemming.pdf", DEMO_PDF, content_type="application/pdf")
            actions.record_consent(actor=coaches[0], client=first_client, kind="substitute", substitute=coach_b,
                                   given_via="writing", valid_from=now.date(),
                                   valid_until=(now + datetime.timedelta(days=30)).date(), evidence=evidence, now=now)
            actions.refer_to_therapist(actor=coaches[0], client=first_client, therapist=ctx.users["therapeut"], now=now)


DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
