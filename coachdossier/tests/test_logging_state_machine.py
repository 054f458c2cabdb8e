"""LAW-NEN7513, GC-2.3: every read is logged, exactly once.

A hypothesis state machine lets random personas open random dossier objects through the real
pages (the coach's dossier, entries and attachments, the client portal, measurements), on their
own client and on someone else's, with object ids that may belong to another client. After each
read it compares the access-log entries that the read added with what an independent oracle
expects: one allowed entry per successful sensitive read (right action, client, basis, actor),
one denied entry per refusal by the policy, none for a page the role never opens, and no entry
carrying plaintext of an encrypted field. At the end the chain verifies.
"""

import os
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from coachdossier.accounts.models import Role
from coachdossier.audit.log import verify
from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients import actions
from coachdossier.clients.access import ACTIONS
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import EntryKind
from coachdossier.measurements.actions import record_session
from coachdossier.test import BaseTestCase

PERSONAS = ["coach", "other_coach", "client", "other_client", "management", "therapist", "outsider"]
STAFF_DOSSIER_ROLES = {Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER}
MEASUREMENT_ROLES = {Role.THERAPIST, Role.COACH, Role.CLIENT, Role.MANAGEMENT, Role.COMPLAINTS_OFFICER}


@dataclass(frozen=True)
class Page:
    """A read: which url, which roles the page opens for, which access action the policy asks,
    and which action name a successful read is logged under."""

    name: str
    roles: frozenset
    action: str
    logged_as: str
    scope: str  # "client" (client in the url), "own" (the portal: the signed-in client's own record)
    obj: str = ""  # "", "entry", "attachment" or "session": an object id in the url, possibly another client's


PAGES = [
    Page("clients:detail", frozenset(STAFF_DOSSIER_ROLES), "dossier.read", "dossier.read", "client"),
    Page("clients:detail?medical", frozenset(STAFF_DOSSIER_ROLES), "dossier.read", "dossier.read_medical", "client"),
    Page("clients:entry", frozenset(STAFF_DOSSIER_ROLES), "dossier.read", "entry.read", "client", "entry"),
    Page("clients:attachment", frozenset(STAFF_DOSSIER_ROLES), "dossier.read", "attachment.download", "client",
         "attachment"),
    Page("measurements:client", frozenset(MEASUREMENT_ROLES), "measurements.read", "measurements.read", "client"),
    Page("measurements:session", frozenset(MEASUREMENT_ROLES), "measurements.read", "measurements.read", "client",
         "session"),
    Page("measurements:report", frozenset(MEASUREMENT_ROLES), "measurements.read", "measurements.download", "client",
         "session"),
    Page("portal:home", frozenset({Role.CLIENT}), "client.see", "client.see", "own"),
    Page("portal:dossier", frozenset({Role.CLIENT}), "dossier.read", "dossier.read", "own"),
    Page("portal:attachment", frozenset({Role.CLIENT}), "dossier.read", "attachment.download", "own", "attachment"),
    Page("portal:access_log", frozenset({Role.CLIENT}), "access_log.read", "access_log.read", "own"),
]

# Texts that exist only encrypted; none may ever appear in a log entry.
SECRET_TEXTS = ["Carla", "de Vries", "Daan", "Jansen", "Werkt 32 uur bij de bakkerij", "Slaapt slecht sinds maart",
                "Gesprek met werkgever", "loonstrook-carla.pdf", "verslag-daan.pdf"]


class ReadsAreLogged(RuleBasedStateMachine):
    case: "TestEveryReadIsLoggedExactlyOnce"

    def __init__(self):
        super().__init__()
        self.reads = 0
        self.start = AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    # The oracle, written from the relationships the personas were given, not from the policy.
    def relationship(self, persona, client_key):
        return {
            ("coach", "own"): Basis.COACH, ("other_coach", "other"): Basis.COACH,
            ("client", "own"): Basis.CLIENT, ("other_client", "other"): Basis.CLIENT,
            ("management", "own"): Basis.MANAGEMENT, ("management", "other"): Basis.MANAGEMENT,
            ("therapist", "own"): Basis.REFERRAL,
        }.get((persona, client_key))

    def expect(self, persona, page, client_key, obj_owner):
        """(status, entries) where entries is a list of (outcome, action, client_key, basis)."""
        user = getattr(self.case, "persona_" + persona)
        if not user.roles & page.roles:
            return 403, []  # the page is closed to the role: no client is touched, nothing to log
        if page.scope == "own":
            client_key = {"client": "own", "other_client": "other"}[persona]
        basis = self.relationship(persona, client_key)
        if basis is None or (basis == Basis.REFERRAL and basis not in ACTIONS[page.action]):
            return 404, [(Outcome.DENIED, {page.action, page.logged_as}, client_key, Basis.NONE)]
        if basis not in ACTIONS[page.action]:
            return 403, [(Outcome.DENIED, {page.action, page.logged_as}, client_key, Basis.NONE)]
        if page.obj and obj_owner != client_key:  # a real id, but of another client's object
            return 404, [(Outcome.DENIED, {page.action, page.logged_as}, client_key, Basis.NONE)]
        logged_as = page.logged_as
        if page.obj == "entry" and obj_owner == "own" and self.obj_is_medical:
            logged_as = "entry.read_medical"
        return 200, [(Outcome.ALLOWED, {logged_as}, client_key, basis)]

    def url(self, page, client_key, obj):
        name, _, query = page.name.partition("?")
        kwargs = {}
        if page.scope == "client":
            kwargs["client_id"] = self.case.clients[client_key].public_id
        if page.obj:
            kwargs[f"{page.obj}_id"] = obj.public_id
        return reverse(name, kwargs=kwargs) + ("?medical=1" if query else "")

    @rule(persona=st.sampled_from(PERSONAS), page=st.sampled_from(PAGES), client_key=st.sampled_from(["own", "other"]),
          obj_index=st.integers(0, 2))
    def read(self, persona, page, client_key, obj_index):
        objects = self.case.objects.get(page.obj)
        obj_owner, obj, self.obj_is_medical = objects[obj_index % len(objects)] if objects else (None, None, False)
        user = getattr(self.case, "persona_" + persona)
        before = AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        KeyRing.clear()
        self.case.client.force_login(user)
        response = self.case.client.get(self.url(page, client_key, obj))
        status, expected = self.expect(persona, page, client_key, obj_owner)
        where = f"{persona} {page.name} client={client_key} obj={obj_owner}"
        assert response.status_code == status, f"{where}: {response.status_code}, expected {status}"
        added = list(AccessLogEntry.objects.filter(seq__gt=before).order_by("seq"))
        if page.scope == "own":
            client_key = {"client": "own", "other_client": "other"}.get(persona, client_key)
        assert len(added) == len(expected), f"{where}: {len(added)} log entries {[e.action for e in added]}, " \
                                            f"expected {len(expected)}"
        for entry, (outcome, actions_allowed, key, basis) in zip(added, expected):
            assert entry.outcome == outcome, where
            assert entry.action in actions_allowed, f"{where}: logged as {entry.action}"
            assert entry.client_ref == self.case.clients[key].public_id, where
            assert entry.actor_id == user.pk, where
            assert entry.basis == basis, f"{where}: basis {entry.basis}"
            if outcome == Outcome.ALLOWED and page.obj:
                assert entry.object_ref == str(obj.public_id), where
        self.reads += 1

    @precondition(lambda self: self.reads > 0)
    @rule()
    def no_entry_holds_plaintext(self):
        for row in AccessLogEntry.objects.filter(seq__gt=self.start).values_list(
                "role", "action", "object_type", "object_ref", "basis_ref", "user_agent"):
            text = " ".join(row)
            for secret in SECRET_TEXTS:
                assert secret not in text, f"plaintext {secret!r} in a log entry"

    def teardown(self):
        result = verify()
        assert result.ok, result.problem


class TestEveryReadIsLoggedExactlyOnce(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = cls.now
        actions.refer_to_therapist(actor=cls.coach, client=cls.own_client, therapist=cls.therapist, now=now)
        own = actions.add_entry(actor=cls.coach, client=cls.own_client, kind=EntryKind.FACT, occurred_on=now.date(),
                                title="Gesprek met werkgever", text="Werkt 32 uur bij de bakkerij", now=now,
                                files=[SimpleUploadedFile("loonstrook-carla.pdf", DEMO_PDF)])
        medical = actions.add_entry(actor=cls.coach, client=cls.own_client, kind=EntryKind.NOTE, occurred_on=now.date(),
                                    text="Slaapt slecht sinds maart", is_medical=True,
                                    justification="Nodig voor de belastbaarheid", now=now)
        other = actions.add_entry(actor=cls.other_coach, client=cls.other_client, kind=EntryKind.FACT,
                                  occurred_on=now.date(), title="Gesprek met werkgever", text="Eerste gesprek",
                                  now=now, files=[SimpleUploadedFile("verslag-daan.pdf", DEMO_PDF)])
        session = record_session(actor=cls.therapist, client=cls.own_client, measured_on=now.date(), protocol="rest",
                                 values={"breathing_rate_per_min": 12}, conclusions="Rustig.",
                                 report=SimpleUploadedFile("rapport.pdf", DEMO_PDF), now=now)
        cls.objects = {
            "entry": [("own", own, False), ("own", medical, True), ("other", other, False)],
            "attachment": [("own", own.attachments.get(), False), ("other", other.attachments.get(), False)],
            "session": [("own", session, False)],
        }
        KeyRing.clear()

    def setUp(self):
        super().setUp()
        self.clients = {"own": self.own_client, "other": self.other_client}
        for name in PERSONAS:
            setattr(self, "persona_" + name, {"client": self.client_user, "other_client": self.other_client_user}
                    .get(name) or getattr(self, {"management": "management"}.get(name, name)))

    def test_random_reads_log_one_entry_each_and_refusals_as_denied(self):
        """LAW-NEN7513, GC-2.3: access-log entries == successful reads; denials logged; no plaintext."""
        ReadsAreLogged.case = self
        # A few seconds in the suite; `PROOF_EXAMPLES=200` for a long search.
        examples = int(os.getenv("PROOF_EXAMPLES", "6"))
        run_state_machine_as_test(ReadsAreLogged, settings=settings(
            max_examples=examples, stateful_step_count=10, deadline=None, database=None,
            suppress_health_check=list(HealthCheck)))
