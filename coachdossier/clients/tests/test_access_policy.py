"""The access policy itself (access.py), without pages: GC-2.3, GC-2.5, GC-9.1, GC-9.2, PR-7.

Fast domain tests that pin what the access matrix proves through every page: which
relationship allows which action, when a relationship starts and ends, what strangers,
inactive accounts and destroyed dossiers get, 404 versus 403, and that every decision of
`get_client_for` is in the access log. Relationships are made through the real actions, with
`now` given. They are also the tests `script/mutation access` runs.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from coachdossier.accounts import actions as account_actions
from coachdossier.accounts.models import Role
from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients import access, actions
from coachdossier.clients.access import Grant
from coachdossier.clients.models import Client
from coachdossier.test import BaseTestCase, make_user

C, S, R, SELF, M, BG = (Basis.COACH, Basis.SUBSTITUTE, Basis.REFERRAL, Basis.CLIENT, Basis.MANAGEMENT,
                        Basis.BREAK_GLASS)
MICROSECOND = datetime.timedelta(microseconds=1)
REASON = "Cliënt belt in crisis, de eigen coach is onbereikbaar."

# What each relationship allows, written out per relationship as the rules say it (the policy
# keeps the same vocabulary per action in access.ACTIONS).
MAY = {
    # GC-2.3: the coach of one of the client's trajectories does the work.
    C: {"client.see", "dossier.read", "dossier.write", "consent.manage", "referral.manage", "measurements.read",
        "questionnaires.read", "questionnaires.send", "reports.write", "reports.status", "requests.handle",
        "messages.read", "messages.write", "portal.invite", "research.export"},
    # GC-2.5: a substitute coach does the same work, but refers no one.
    S: {"client.see", "dossier.read", "dossier.write", "consent.manage", "measurements.read",
        "questionnaires.read", "questionnaires.send", "reports.write", "reports.status", "requests.handle",
        "messages.read", "messages.write", "portal.invite", "research.export"},
    # GC-9.1, GC-9.2: a referred therapist sees the client and the measurement section only.
    R: {"client.see", "measurements.read", "measurements.write"},
    # The client, through the portal.
    SELF: {"client.see", "dossier.read", "dossier.statement", "consent.own", "measurements.read",
           "questionnaires.read", "questionnaires.answer", "reports.review", "requests.own", "messages.read",
           "messages.write", "communication.own", "access_log.read"},
    # PR-7: management runs the practice without reading content.
    M: {"client.see", "trajectory.manage", "reports.status", "requests.handle", "portal.invite", "privacy.manage",
        "research.export", "access_log.read"},
    # Break-glass: read only.
    BG: {"client.see", "dossier.read", "measurements.read", "questionnaires.read"},
}


def at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


class PolicyTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.factory = RequestFactory()

    def substitute(self, valid_from, valid_until, client=None, substitute=None):
        """The client consents in the portal to a substitute coach for a period (GC-2.5)."""
        client = client or self.own_client
        return actions.record_consent(actor=client.user, client=client, kind="substitute",
                                      substitute=substitute or self.other_coach, given_via="portal",
                                      valid_from=valid_from, valid_until=valid_until, now=self.now,
                                      grant=Grant(SELF))

    def refer(self, therapist=None, client=None):
        return actions.refer_to_therapist(actor=self.coach, client=client or self.own_client,
                                          therapist=therapist or self.therapist, now=self.now)

    def break_glass(self, user, client=None, now=None):
        return actions.break_glass(actor=user, client=client or self.own_client, reason=REASON, now=now or self.now)

    def sees(self, user, action, now=None, client=None):
        return (client or self.own_client) in Client.objects.visible_to(user, action, now or self.now)

    def request_by(self, user):
        request = self.factory.get("/")
        request.user = user
        return request

    def new_entries(self, since: int):
        return list(AccessLogEntry.objects.filter(seq__gt=since).order_by("seq"))

    def last_seq(self) -> int:
        entry = AccessLogEntry.objects.order_by("-seq").first()
        return entry.seq if entry else 0


class VocabularyTestCase(PolicyTestCase):
    def test_gc_2_3_the_table_names_every_action_of_the_policy(self):
        """GC-2.3: one vocabulary; an action missing from MAY would go untested."""
        self.assertEqual(set().union(*MAY.values()), set(access.ACTIONS))

    def test_gc_2_3_gc_2_5_gc_9_2_pr_7_each_relationship_allows_exactly_its_actions(self):
        """GC-2.3, GC-2.5, GC-9.1, GC-9.2, PR-7: for every relationship and every action, the
        accessor and the list filter agree with the table, and nobody else sees the client."""
        today = self.now.date()
        self.substitute(today, today + datetime.timedelta(days=7))
        self.refer()
        self.break_glass(self.outsider)
        people = {C: self.coach, S: self.other_coach, R: self.therapist, SELF: self.client_user, M: self.management,
                  BG: self.outsider}
        for basis, user in people.items():
            self.assertEqual([g.basis for g in access.grants(user, self.own_client, self.now)], [basis])
            for action in access.ACTIONS:
                with self.subTest(basis=basis, action=action):
                    allowed = action in MAY[basis]
                    grant = access.grant_for(user, self.own_client, action, self.now)
                    self.assertEqual(grant.basis if grant else None, basis if allowed else None)
                    self.assertEqual(self.sees(user, action), allowed)
        for action in access.ACTIONS:
            for stranger in (self.other_client_user, self.auditor):
                with self.subTest(stranger=stranger.email, action=action):
                    self.assertIsNone(access.grant_for(stranger, self.own_client, action, self.now))
                    self.assertFalse(self.sees(stranger, action))

    def test_an_unknown_action_is_an_error_and_never_a_permission(self):
        """GC-2.3: the policy fails closed on an action it does not know (a typo in a view)."""
        with self.assertRaisesMessage(ValueError, "unknown access action 'dossier.reed'"):
            Client.objects.visible_to(self.management, "dossier.reed", self.now)
        with self.assertRaises(KeyError):
            access.grant_for(self.coach, self.own_client, "dossier.reed", self.now)
        with self.assertRaises(KeyError):
            access.get_client_for(self.request_by(self.coach), self.own_client.public_id, "dossier.reed")
        self.assertFalse(AccessLogEntry.objects.filter(action="dossier.reed").exists())

    def test_each_grant_names_the_role_it_was_used_in(self):
        """LAW-NEN7513: the log says in which role someone looked."""
        roles = {g: Grant(g).role for g in (C, S, R, SELF, M, BG)}
        self.assertEqual(roles, {C: Role.COACH, S: Role.COACH, R: Role.THERAPIST, SELF: Role.CLIENT,
                                 M: Role.MANAGEMENT, BG: ""})
        self.assertEqual(Grant("someone-else").role, "")


class RelationshipsTestCase(PolicyTestCase):
    def test_gc_6_2_the_coach_keeps_access_after_the_trajectory_closed(self):
        """GC-6.2, GC-2.3: a coach of a closed trajectory still reaches the dossier."""
        actions.close_trajectory(actor=self.management, trajectory=self.own_client.current_trajectory, now=self.now)
        self.assertEqual(access.grant_for(self.coach, self.own_client, "dossier.read", self.now), Grant(C))
        self.assertTrue(self.sees(self.coach, "dossier.read"))

    def test_gc_2_3_a_coach_reaches_only_the_clients_of_her_own_trajectories(self):
        """GC-2.3"""
        self.assertEqual(access.grants(self.coach, self.own_client, self.now), [Grant(C)])
        self.assertEqual(access.grants(self.coach, self.other_client, self.now), [])
        self.assertEqual(list(Client.objects.visible_to(self.coach, "dossier.read", self.now)), [self.own_client])

    def test_gc_2_5_a_substitute_has_access_from_the_first_to_the_last_day_of_the_consent(self):
        """GC-2.5: the consented period includes both its first and its last day (Amsterdam time)."""
        consent = self.substitute(datetime.date(2026, 12, 7), datetime.date(2026, 12, 9))
        expected = Grant(S, str(consent.public_id))
        for moment, allowed in ((at(2026, 12, 6, 23, 59, 59), False), (at(2026, 12, 7, 0, 0), True),
                                (at(2026, 12, 9, 23, 59, 59), True), (at(2026, 12, 10, 0, 0), False)):
            with self.subTest(moment=moment):
                grant = access.grant_for(self.other_coach, self.own_client, "dossier.write", moment)
                self.assertEqual(grant, expected if allowed else None)
                self.assertEqual(self.sees(self.other_coach, "dossier.write", moment), allowed)

    def test_gc_2_5_a_withdrawn_substitute_consent_gives_no_access_within_its_period(self):
        """GC-2.5, GC-1.3"""
        today = self.now.date()
        consent = self.substitute(today, today + datetime.timedelta(days=7))
        actions.withdraw_consent(actor=self.client_user, consent=consent, now=self.now, grant=Grant(SELF))
        self.assertEqual(access.grants(self.other_coach, self.own_client, self.now), [])
        self.assertFalse(self.sees(self.other_coach, "client.see"))

    def test_gc_2_5_a_substitute_consent_opens_only_the_client_it_names_and_only_for_that_coach(self):
        """GC-2.5"""
        today = self.now.date()
        consent = self.substitute(today, today + datetime.timedelta(days=7))
        third_coach = make_user("cees@example.com", "Cees Coach", Role.COACH)
        self.assertEqual(access.grants(third_coach, self.own_client, self.now), [])
        self.assertFalse(self.sees(third_coach, "client.see"))
        # Bob substitutes for Carla and stays the coach of his own client Daan.
        self.assertEqual(access.grants(self.other_coach, self.own_client, self.now),
                         [Grant(S, str(consent.public_id))])
        self.assertEqual(access.grants(self.other_coach, self.other_client, self.now), [Grant(C)])
        self.assertEqual(set(Client.objects.visible_to(self.other_coach, "dossier.read", self.now)),
                         {self.own_client, self.other_client})

    def test_gc_2_5_gc_6_4_only_a_substitute_consent_makes_a_coach_a_substitute(self):
        """GC-2.5, GC-6.4: a disclosure consent that happens to name a coach opens nothing."""
        today = self.now.date()
        actions.record_consent(actor=self.client_user, client=self.own_client, kind="disclosure",
                               substitute=self.other_coach, given_via="portal", recipient="Bedrijfsarts Jansen",
                               purpose="Re-integratieadvies", data_scope="Belastbaarheid", valid_from=today,
                               valid_until=today + datetime.timedelta(days=7), now=self.now, grant=Grant(SELF))
        self.assertEqual(access.grants(self.other_coach, self.own_client, self.now), [])
        self.assertFalse(self.sees(self.other_coach, "client.see"))

    def test_gc_9_2_a_referral_opens_the_measurements_until_it_ends(self):
        """GC-9.1, GC-9.2"""
        self.assertEqual(access.grants(self.therapist, self.own_client, self.now), [])
        referral = self.refer()
        self.assertEqual(access.grant_for(self.therapist, self.own_client, "measurements.write", self.now),
                         Grant(R, str(referral.public_id)))
        self.assertEqual(list(Client.objects.visible_to(self.therapist, "measurements.read", self.now)),
                         [self.own_client])
        # Only the therapist it names.
        other_therapist = make_user("tara@example.com", "Tara Therapeut", Role.THERAPIST)
        self.assertEqual(access.grants(other_therapist, self.own_client, self.now), [])
        self.assertFalse(self.sees(other_therapist, "measurements.read"))
        actions.end_referral(actor=self.coach, referral=referral, now=self.now)
        self.assertIsNone(access.grant_for(self.therapist, self.own_client, "measurements.write", self.now))
        self.assertFalse(self.sees(self.therapist, "measurements.read"))

    def test_break_glass_lasts_from_its_start_until_just_before_two_hours_later(self):
        """GC-2.3: emergency access, started_at <= now < expires_at."""
        glass = self.break_glass(self.other_coach)
        expected = Grant(BG, str(glass.public_id))
        start, end = glass.started_at, glass.expires_at
        self.assertEqual(end - start, datetime.timedelta(hours=2))
        for moment, allowed in ((start - MICROSECOND, False), (start, True), (end - MICROSECOND, True),
                                (end, False)):
            with self.subTest(moment=moment):
                grant = access.grant_for(self.other_coach, self.own_client, "dossier.read", moment)
                self.assertEqual(grant, expected if allowed else None)
                self.assertEqual(self.sees(self.other_coach, "dossier.read", moment), allowed)

    def test_break_glass_without_a_moment_is_judged_at_the_current_time(self):
        """GC-2.3: the edge (a page) passes no `now`; the policy reads the clock itself."""
        old = self.break_glass(self.other_coach, now=timezone.now() - datetime.timedelta(days=14))  # expired
        self.assertEqual(access.grants(self.other_coach, self.own_client), [])
        fresh = self.break_glass(self.other_coach, now=timezone.now())
        self.assertEqual(access.grants(self.other_coach, self.own_client), [Grant(BG, str(fresh.public_id))])
        self.assertNotEqual(old.public_id, fresh.public_id)
        self.assertTrue(self.own_client in Client.objects.visible_to(self.other_coach, "dossier.read"))

    def test_every_staff_role_that_may_break_the_glass_reads_through_it(self):
        """GC-2.3: coach, therapist, management and complaints officer; read only."""
        for user in (self.other_coach, self.therapist, self.management, self.outsider):
            with self.subTest(user=user.email):
                self.assertFalse(self.sees(user, "dossier.read"))
                self.break_glass(user)
                self.assertTrue(self.sees(user, "dossier.read"))
                self.assertFalse(self.sees(user, "dossier.write"))
                self.assertEqual(access.grant_for(user, self.own_client, "dossier.read", self.now).basis, BG)
                # Only the client the glass was broken for.
                self.assertNotIn(BG, [g.basis for g in access.grants(user, self.other_client, self.now)])

    def test_gc_2_3_grants_come_strongest_first_and_the_first_allowed_one_is_used(self):
        """GC-2.3, GC-2.5, GC-9.2, PR-7: one account with several relationships to a client."""
        helper = make_user("ivo@example.com", "Ivo Veelzijdig", Role.COACH, Role.THERAPIST, Role.MANAGEMENT)
        today = self.now.date()
        consent = self.substitute(today, today + datetime.timedelta(days=7), substitute=helper)
        referral = self.refer(therapist=helper)
        glass = self.break_glass(helper)
        self.assertEqual(access.grants(helper, self.own_client, self.now),
                         [Grant(S, str(consent.public_id)), Grant(R, str(referral.public_id)), Grant(M),
                          Grant(BG, str(glass.public_id))])
        self.assertEqual(access.grant_for(helper, self.own_client, "dossier.read", self.now).basis, S)
        self.assertEqual(access.grant_for(helper, self.own_client, "measurements.write", self.now).basis, R)
        self.assertEqual(access.grant_for(helper, self.own_client, "trajectory.manage", self.now).basis, M)
        # The other client: management only.
        self.assertEqual(access.grants(helper, self.other_client, self.now), [Grant(M)])
        self.assertTrue(self.sees(helper, "trajectory.manage", client=self.other_client))
        self.assertFalse(self.sees(helper, "dossier.read", client=self.other_client))
        self.assertFalse(self.sees(helper, "measurements.write", client=self.other_client))


class NobodyTestCase(PolicyTestCase):
    def test_gc_2_3_an_anonymous_visitor_reaches_no_client(self):
        """GC-2.3"""
        anonymous = AnonymousUser()
        for action in ("client.see", "dossier.read"):
            self.assertEqual(list(Client.objects.visible_to(anonymous, action, self.now)), [])
        self.assertEqual(access.grants(anonymous, self.own_client, self.now), [])
        with self.assertRaises(Http404):
            access.get_client_for(self.request_by(anonymous), self.own_client.public_id, "client.see")

    def test_gc_2_3_a_disabled_account_loses_every_relationship_at_once(self):
        """GC-2.3: an inactive coach, manager, client or glass-breaker reaches nothing."""
        self.break_glass(self.other_coach)
        for user in (self.coach, self.management, self.client_user, self.other_coach):
            with self.subTest(user=user.email):
                self.assertTrue(self.sees(user, "client.see"))
                account_actions.disable_user(actor=self.management, user=user)
                self.assertFalse(self.sees(user, "client.see"))
                self.assertEqual(access.grants(user, self.own_client, self.now), [])
                with self.assertRaises(Http404):
                    access.get_client_for(self.request_by(user), self.own_client.public_id, "client.see")

    def test_gc_2_3_a_destroyed_dossier_is_reachable_by_nobody(self):
        """GC-2.3, GC-5.4: after destruction only the tombstone exists; no relationship opens it."""
        self.break_glass(self.other_coach)
        request = self.request_by(self.management)
        access.get_client_for(request, self.own_client.public_id, "client.see")
        actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="GC-5.4")
        destroyed = Client.objects.get(pk=self.own_client.pk)
        for user in (self.coach, self.management, self.other_coach):
            with self.subTest(user=user.email):
                self.assertEqual(access.grants(user, destroyed, self.now), [])
                self.assertFalse(self.sees(user, "client.see", client=destroyed))
                with self.assertRaises(Http404):
                    access.get_client_for(self.request_by(user), destroyed.public_id, "client.see")
        # Management still sees the clients that are alive.
        self.assertEqual(list(Client.objects.visible_to(self.management, "client.see", self.now)),
                         [self.other_client])


class AccessorTestCase(PolicyTestCase):
    """`get_client_for`: 404 for strangers, 403 for a forbidden action on a visible client,
    and one access-log entry for every decision (LAW-NEN7513)."""

    def outcome(self, user, action, public_id=None, **kwargs):
        """(status, the log entries the call added)"""
        since = self.last_seq()
        try:
            client, grant = access.get_client_for(self.request_by(user), public_id or self.own_client.public_id,
                                                  action, **kwargs)
            status = 200
            self.assertEqual(client, self.own_client)
        except Http404:
            status = 404
        except PermissionDenied:
            status = 403
        return status, self.new_entries(since)

    def test_gc_2_3_strangers_get_404_and_a_forbidden_action_gets_403(self):
        """GC-2.3, GC-9.1, PR-7: "not yours" never tells that the client exists."""
        self.refer()
        cases = [
            (self.coach, "dossier.write", 200),
            (self.client_user, "dossier.statement", 200),
            (self.management, "trajectory.manage", 200),
            (self.therapist, "measurements.write", 200),
            (self.management, "dossier.read", 403),  # PR-7: management sees the client, not the content
            (self.client_user, "dossier.write", 403),
            (self.coach, "trajectory.manage", 403),
            (self.therapist, "dossier.read", 404),  # GC-9.1: the referral opens measurements only
            (self.therapist, "reports.status", 404),
            (self.other_coach, "client.see", 404),
            (self.other_client_user, "dossier.read", 404),
            (self.outsider, "client.see", 404),
            (self.auditor, "client.see", 404),
        ]
        for user, action, expected in cases:
            with self.subTest(user=user.email, action=action):
                self.assertEqual(self.outcome(user, action)[0], expected)

    def test_law_nen7513_an_allowed_access_is_logged_with_its_basis_reference_and_role(self):
        """LAW-NEN7513, GC-9.2"""
        referral = self.refer()
        status, [entry] = self.outcome(self.therapist, "measurements.read")
        self.assertEqual(status, 200)
        self.assertEqual((entry.action, entry.outcome, entry.client_ref, entry.basis, entry.basis_ref, entry.role),
                         ("measurements.read", Outcome.ALLOWED, self.own_client.public_id, R, str(referral.public_id),
                          Role.THERAPIST))

    def test_law_nen7513_a_refusal_is_logged_as_denied_with_the_users_roles(self):
        """LAW-NEN7513: 404 and 403 alike, with the client when it exists."""
        both = make_user("zoe@example.com", "Zoë Beide", Role.MANAGEMENT, Role.COMPLAINTS_OFFICER)
        for user, action, status, roles in (
                (both, "dossier.read", 403, "complaints_officer,management"),
                (self.other_coach, "dossier.read", 404, "coach")):
            with self.subTest(user=user.email):
                got, [entry] = self.outcome(user, action)
                self.assertEqual(got, status)
                self.assertEqual((entry.action, entry.outcome, entry.client_ref, entry.basis, entry.basis_ref,
                                  entry.role),
                                 (action, Outcome.DENIED, self.own_client.public_id, Basis.NONE, "", roles))

    def test_law_nen7513_an_unknown_or_malformed_client_id_is_a_logged_404_without_a_client(self):
        """LAW-NEN7513, GC-2.3"""
        for public_id in ("not-a-uuid", "00000000-0000-4000-8000-000000000000"):
            with self.subTest(public_id=public_id):
                status, [entry] = self.outcome(self.management, "client.see", public_id=public_id)
                self.assertEqual(status, 404)
                self.assertEqual((entry.action, entry.outcome, entry.client_ref), ("client.see", Outcome.DENIED, None))

    def test_the_access_is_logged_under_the_log_action_when_one_is_given(self):
        """LAW-NEN7513: a medical entry is checked as a dossier read but logged as what it is."""
        status, [entry] = self.outcome(self.coach, "dossier.read", log_action="entry.read_medical")
        self.assertEqual((status, entry.action, entry.outcome, entry.basis), (200, "entry.read_medical",
                                                                              Outcome.ALLOWED, C))
        status, [entry] = self.outcome(self.management, "dossier.read", log_action="entry.read_medical")
        self.assertEqual((status, entry.action, entry.outcome), (403, "entry.read_medical", Outcome.DENIED))

    def test_a_caller_that_logs_itself_gets_the_client_without_an_entry_but_a_refusal_is_still_logged(self):
        """LAW-NEN7513: `log=False` is for callers that log the object they open themselves."""
        status, entries = self.outcome(self.coach, "dossier.read", log=False)
        self.assertEqual((status, entries), (200, []))
        status, [entry] = self.outcome(self.other_coach, "dossier.read", log=False)
        self.assertEqual((status, entry.outcome), (404, Outcome.DENIED))

    def test_gc_2_5_the_accessor_judges_at_the_current_time_and_returns_the_grant_it_rests_on(self):
        """GC-2.5: the substitute's grant names the consent, so the log can show it."""
        today = timezone.localdate()
        consent = self.substitute(today, today + datetime.timedelta(days=7))
        client, grant = access.get_client_for(self.request_by(self.other_coach), str(self.own_client.public_id),
                                              "dossier.write")
        self.assertEqual((client, grant), (self.own_client, Grant(S, str(consent.public_id))))
        # A consent that ended yesterday does not open it.
        consent.valid_from = consent.valid_until = today - datetime.timedelta(days=1)
        consent.save(update_fields=["valid_from", "valid_until"])
        with self.assertRaises(Http404):
            access.get_client_for(self.request_by(self.other_coach), self.own_client.public_id, "dossier.write")


class LoggingHelpersTestCase(PolicyTestCase):
    def test_law_nen7513_a_further_read_under_a_checked_grant_is_logged_with_that_grant(self):
        """LAW-NEN7513"""
        referral = self.refer()
        grant = Grant(R, str(referral.public_id))
        since = self.last_seq()
        access.log_access(self.own_client, grant, "measurements.download", obj=referral)
        [entry] = self.new_entries(since)
        self.assertEqual((entry.action, entry.client_ref, entry.basis, entry.basis_ref, entry.role, entry.object_type,
                          entry.object_ref),
                         ("measurements.download", self.own_client.public_id, R, str(referral.public_id),
                          Role.THERAPIST, "referral", str(referral.public_id)))

    def test_law_nen7513_a_list_logs_one_entry_per_client_shown_with_each_clients_basis(self):
        """LAW-NEN7513, GC-2.5, PR-7: a list or search result names every client it showed, each
        with the relationship it was shown under."""
        helper = make_user("ivo@example.com", "Ivo Veelzijdig", Role.COACH, Role.MANAGEMENT)
        today = self.now.date()
        consent = self.substitute(today, today + datetime.timedelta(days=7), substitute=helper)
        clients = [self.own_client, self.other_client]
        grants = {c.pk: access.grant_for(helper, c, "client.see", self.now) for c in clients}
        since = self.last_seq()
        access.log_list(helper, "client.list", clients, grants)
        self.assertEqual([(e.action, e.outcome, e.client_ref, e.basis, e.basis_ref, e.role)
                          for e in self.new_entries(since)],
                         [("client.list", Outcome.ALLOWED, self.own_client.public_id, S, str(consent.public_id),
                           "coach,management"),
                          ("client.list", Outcome.ALLOWED, self.other_client.public_id, M, "", "coach,management")])

        since = self.last_seq()
        access.log_list(self.coach, "client.search", Client.objects.filter(pk=self.own_client.pk))
        [entry] = self.new_entries(since)
        self.assertEqual((entry.action, entry.outcome, entry.client_ref, entry.basis, entry.role),
                         ("client.search", Outcome.ALLOWED, self.own_client.public_id, "", "coach"))

    def test_law_nen7513_a_list_is_logged_under_a_list_action_so_the_review_can_leave_it_out_of_bulk_access(self):
        """The log review counts opened records as bulk access, not names in a list: a list
        logged under a record's action (the reports overview used "reports.status") would count."""
        since = self.last_seq()
        with self.assertRaises(ValueError):
            access.log_list(self.management, "reports.status", [self.own_client])
        self.assertEqual(list(self.new_entries(since)), [])

    def test_law_nen7513_a_refusal_outside_the_accessor_is_logged_with_its_object(self):
        """LAW-NEN7513: views that refuse an object themselves (an entry, a download) log it too."""
        referral = self.refer()
        for status, raised in ((404, Http404), (403, PermissionDenied)):
            with self.subTest(status=status):
                since = self.last_seq()
                with self.assertRaises(raised):
                    access.deny(self.other_coach, "entry.edit", client_ref=self.own_client.public_id,
                                status=status, obj=referral)
                [entry] = self.new_entries(since)
                self.assertEqual((entry.action, entry.outcome, entry.client_ref, entry.basis, entry.role,
                                  entry.object_type, entry.object_ref),
                                 ("entry.edit", Outcome.DENIED, self.own_client.public_id, Basis.NONE, "coach",
                                  "referral", str(referral.public_id)))
        with self.assertRaises(Http404):
            access.deny(self.other_coach, "break_glass.start")

    def test_an_empty_list_logs_nothing(self):
        since = self.last_seq()
        access.log_list(self.coach, "client.list", Client.objects.none(), {})
        self.assertEqual(self.new_entries(since), [])
