"""The base test case: a small practice of personas, built through real actions.

    alice    coach of client Carla (her account: carla)        self.coach / self.own_client
    bob      another coach, with his own client Daan           self.other_coach / self.other_client
    mia      management                                        self.management
    theo     biofeedback therapist, no referral yet            self.therapist
    kees     complaints officer (an outsider to every dossier) self.outsider
    aud      the umbrella organisation's auditor               self.auditor

Staff personas have TOTP and accepted the confidentiality statement, so `self.login(...)` (Django's test client stays `self.client`)
passes the staff gate as a real login would.
"""

import datetime
from html.parser import HTMLParser

import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import TestCase
from django.utils import timezone

from coachdossier.accounts import actions as account_actions
from coachdossier.accounts import confidentiality
from coachdossier.accounts.models import ConfidentialityAcceptance, Role, User
from coachdossier.clients import actions as client_actions
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.models import Client, ClientSource, PersonalData, Principal, PrincipalKind

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = timezone.make_aware(datetime.datetime(2026, 11, 23, 10, 0))


def make_user(email, name, *roles, totp=True, accepted=True):
    user = account_actions.create_user(actor=None, email=email, full_name=name, roles=roles, password=PASSWORD)
    if Role.CLIENT not in roles or len(roles) > 1:
        if totp:
            from allauth.mfa.utils import encrypt

            Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(TOTP_SECRET)})
        if accepted:
            ConfidentialityAcceptance.objects.create(user=user, version=confidentiality.CURRENT_VERSION,
                                                     text_sha256=confidentiality.text_sha256(), accepted_at=NOW)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The personas' current TOTP code, as their authenticator app shows it now."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def browser_log_in(page, base: str, email: str, *, staff: bool, secret: str = TOTP_SECRET) -> None:
    """Sign in through the real pages in a Playwright `page`; staff pass the two-step page.
    A code is accepted once (allauth remembers used codes), so a second sign-in of the same
    persona within one 30-second window is refused, as it would be for a person: then wait
    for the next code, as a person would, instead of failing at random on a loaded machine."""
    import time

    # Signing in brings her account's language (User.language): make it the one this browser shows.
    chosen = {c["name"]: c["value"] for c in page.context.cookies()}.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        User.objects.filter(email=email).update(language=chosen)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    if staff:
        page.wait_for_selector("input[name=code]")
        for attempt in range(2):
            page.fill("input[name=code]", totp_code(secret))
            page.press("input[name=code]", "Enter")
            page.wait_for_load_state()
            if attempt or not page.locator("input[name=code]").count():
                break
            time.sleep(30.5 - time.time() % 30)
    page.wait_for_load_state()


def make_client(*, actor, coach, principal, first="Carla", last="de Vries", user=None, now=NOW, **personal):
    client = client_actions.register_client(
        actor=actor, principal=principal, now=now,
        personal=PersonalData(first_name=first, last_name=last, **{"email": f"{first.lower()}@example.com", **personal}),
    )
    client_actions.open_trajectory(actor=actor, client=client, principal=principal, coach=coach,
                                   source=ClientSource.UMBRELLA, now=now, goal_text="Terug naar werk in eigen tempo",
                                   uwv_order_number="UWV-123" if principal.is_uwv else "")
    if user is not None:
        client.user = user
        client.save(update_fields=["user"])
    return client


class BaseTestCase(TestCase):
    databases = {"default", "keys"}
    # The personas and their world, made once per class in setUpTestData.
    now: datetime.datetime
    coach: User
    other_coach: User
    management: User
    therapist: User
    outsider: User
    auditor: User
    client_user: User
    other_client_user: User
    employer: Principal
    uwv: Principal
    own_client: Client
    other_client: Client

    @classmethod
    def setUpClass(cls):
        # The tests' world happens at NOW, and the pages read the clock: without travelling
        # there, data dated NOW drifts into the past as the calendar moves on (an invitation
        # expires, a consent period ends) and tests that passed last week fail today.
        clock = time_machine.travel(NOW, tick=True)
        clock.start()
        cls.addClassCleanup(clock.stop)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.now = NOW
        cls.coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
        cls.other_coach = make_user("bob@example.com", "Bob Coach", Role.COACH)
        cls.management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
        cls.therapist = make_user("theo@example.com", "Theo Therapeut", Role.THERAPIST)
        cls.outsider = make_user("kees@example.com", "Kees Klachten", Role.COMPLAINTS_OFFICER)
        cls.auditor = make_user("aud@example.com", "Ada Auditor", Role.AUDITOR)
        cls.client_user = make_user("carla@example.com", "Carla de Vries", Role.CLIENT)
        cls.other_client_user = make_user("daan@example.com", "Daan Jansen", Role.CLIENT)
        cls.employer = client_actions.create_principal(actor=cls.management, name="Bakkerij Broodnodig BV",
                                                       kind=PrincipalKind.EMPLOYER, contact_email="hr@example.com")
        cls.uwv = client_actions.create_principal(actor=cls.management, name="UWV Utrecht", kind=PrincipalKind.UWV,
                                                  contact_email="uwv@example.com", statutory_report_right=True)
        cls.own_client = make_client(actor=cls.management, coach=cls.coach, principal=cls.employer,
                                 user=cls.client_user)
        cls.other_client = make_client(actor=cls.management, coach=cls.other_coach, principal=cls.uwv, first="Daan",
                                       last="Jansen", user=cls.other_client_user)
        KeyRing.clear()

    def setUp(self):
        KeyRing.clear()

    def login(self, user):
        self.client.force_login(user)


def load_script(name: str):
    """A module of `script/` (they are not a package), for the opt-in tests that drive them."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "script" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _FormPage(HTMLParser):
    """The page's elements by id, with their text, and its invalid fields with what describes them."""

    def __init__(self):
        super().__init__()
        self.text_by_id: dict[str, str] = {}
        self.invalid: list[tuple[str, list[str]]] = []
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of the elements being read
        self._fieldsets: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        described_by = (attrs.get("aria-describedby") or "").split()
        if tag == "fieldset":
            self._fieldsets.append(described_by)
        if attrs.get("aria-invalid") == "true":
            around = [ref for refs in self._fieldsets for ref in refs]
            self.invalid.append((attrs.get("name") or attrs.get("id") or tag, described_by + around))
        if tag in ("input", "br", "img", "meta", "link"):
            return
        if attrs.get("id"):
            self.text_by_id[attrs["id"]] = ""
        self._open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        while self._open:
            open_tag, _id = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data


def untied_form_errors(html: str, *messages: str) -> list[str]:
    """What a screen reader would miss on a page with form errors: each field marked aria-invalid
    must be described (aria-describedby, on the field or on the fieldset around its group) by
    elements that exist, one of which says one of `messages`. Empty when nothing is missed."""
    page = _FormPage()
    page.feed(html)
    if not page.invalid:
        return ["no field is marked invalid"]
    problems = []
    for name, references in page.invalid:
        missing = [ref for ref in references if ref not in page.text_by_id]
        described = " ".join(page.text_by_id.get(ref, "") for ref in references)
        if missing:
            problems.append(f"{name} is described by elements that do not exist: {missing}")
        elif not any(message in described for message in messages):
            problems.append(f"{name} is not described by its error")
    return problems
