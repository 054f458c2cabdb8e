"""The API's rate limits (coachdossier/api/throttling.py): a caller over the limit gets 429 with
Retry-After and the standard error body, and the call does nothing. The limits are lowered here
so that a test needs a handful of calls, not hundreds."""

import ipaddress
import threading
from types import SimpleNamespace
from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import SimpleTestCase, override_settings

from coachdossier.api import throttling
from coachdossier.api.tests.test_clients_api import ApiTestCase
from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients.models import DossierEntry


def lowered(throttle, to):
    return mock.patch.object(throttle, "num_requests", to)


class UserLimitTestCase(ApiTestCase):
    def post_entry(self, token):
        return self.client.post(f"/api/clients/{self.own_client.public_id}/entries",
                                {"kind": "note", "occurred_on": "2026-11-20", "title": "Gesprek", "text": "Goed."},
                                headers={"Authorization": f"Bearer {token}"})

    def test_a_user_over_the_limit_gets_429_with_retry_after_and_her_entry_is_not_added(self):
        token = self.token(self.coach)
        with lowered(throttling.user_throttle, 2):
            for _ in range(2):
                self.assertEqual(self.call(self.coach, "GET", "/api/accounts/me").status_code, 200)
            entries, logged = DossierEntry.objects.count(), AccessLogEntry.objects.count()
            r = self.post_entry(token)
        self.assertEqual(r.status_code, 429, r.content)
        self.assertEqual(r.json(), {"detail": "Too many calls: wait the seconds in Retry-After."})
        self.assertGreaterEqual(int(r["Retry-After"]), 1)
        self.assertLessEqual(int(r["Retry-After"]), 60)
        self.assertEqual((DossierEntry.objects.count(), AccessLogEntry.objects.count()), (entries, logged))

    def test_the_limit_is_per_user_so_another_coach_is_not_held_up_by_her(self):
        with lowered(throttling.user_throttle, 2):
            for _ in range(3):
                self.call(self.coach, "GET", "/api/accounts/me")
            self.assertEqual(self.call(self.coach, "GET", "/api/accounts/me").status_code, 429)
            self.assertEqual(self.call(self.other_coach, "GET", "/api/accounts/me").status_code, 200)

    def test_her_session_and_all_her_tokens_count_against_the_same_limit(self):
        """Each `call` mints a fresh token: a second token is no second allowance."""
        with lowered(throttling.user_throttle, 2):
            self.call(self.coach, "GET", "/api/accounts/me")
            self.call(self.coach, "GET", "/api/accounts/me")
            self.login(self.coach)
            self.assertEqual(self.client.get("/api/accounts/me").status_code, 429)

    def test_within_the_limit_a_write_goes_through(self):
        with lowered(throttling.user_throttle, 2):
            self.assertEqual(self.post_entry(self.token(self.coach)).status_code, 201)

    def test_the_counts_live_in_the_database_cache_every_worker_shares(self):
        """A per-process cache (locmem) would give each gunicorn worker its own allowance."""
        self.assertEqual(settings.CACHES["default"]["BACKEND"], "django.core.cache.backends.db.DatabaseCache")
        for throttle in throttling.THROTTLES:
            self.assertIs(throttle.cache, cache)


class TokenLimitTestCase(ApiTestCase):
    def test_listing_tokens_is_limited_more_strictly_than_the_rest_of_the_api(self):
        with lowered(throttling.token_throttle, 2):
            for _ in range(2):
                self.assertEqual(self.call(self.coach, "GET", "/api/accounts/tokens").status_code, 200)
            self.assertEqual(self.call(self.coach, "GET", "/api/accounts/tokens").status_code, 429)
            self.assertEqual(self.call(self.coach, "GET", "/api/accounts/me").status_code, 200)

    def test_a_throttled_revocation_leaves_the_token_working(self):
        token = self.token(self.coach)
        mine = self.call(self.coach, "GET", "/api/accounts/tokens").json()
        with lowered(throttling.token_throttle, 0):
            r = self.client.post(f"/api/accounts/tokens/{mine[0]['id']}/revoke",
                                 headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(r.status_code, 429)
        r = self.client.get("/api/accounts/me", headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(r.status_code, 200)


class AnonymousLimitTestCase(ApiTestCase):
    def test_an_address_that_keeps_failing_to_authenticate_gets_429_instead_of_401(self):
        with lowered(throttling.anonymous_throttle, 2):
            statuses = [self.client.get("/api/accounts/me", headers={"Authorization": "Bearer cd_guess"},
                                        REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)]
            other = self.client.get("/api/accounts/me", REMOTE_ADDR="198.51.100.8")
        self.assertEqual(statuses, [401, 401, 429])
        self.assertEqual(other.status_code, 401)

    @override_settings(TRUSTED_PROXIES=(ipaddress.ip_network("127.0.0.1/32"),))
    def test_a_forged_forwarded_for_header_behind_the_proxy_is_no_fresh_allowance(self):
        """nginx appends the address it saw to what the caller sent; ninja keys on the whole
        header, we on the address the proxy middleware believed (LAW-NEN7513)."""
        with lowered(throttling.anonymous_throttle, 1):
            statuses = [self.client.get("/api/accounts/me", REMOTE_ADDR="127.0.0.1",
                                        headers={"X-Forwarded-For": f"203.0.113.{n}, 198.51.100.7"}).status_code
                        for n in range(2)]
        self.assertEqual(statuses, [401, 429])

    def test_a_signed_in_caller_is_not_counted_as_anonymous(self):
        with lowered(throttling.anonymous_throttle, 0):
            self.assertEqual(self.call(self.coach, "GET", "/api/accounts/me").status_code, 200)


class RetryAfterTestCase(SimpleTestCase):
    """Retry-After is the refused caller's own time until a call fits again (api/throttling.py)."""

    def throttle(self, rate="2/m"):
        throttle = throttling.UserThrottle(rate)
        throttle.cache = LocMemCache(f"retry-after-{id(throttle)}", {})
        return throttle

    def caller(self, pk):
        return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=pk), META={})

    def call(self, throttle, who, at):
        throttle.timer = lambda: at
        return throttle.allow_request(who)

    def test_another_threads_call_between_her_refusal_and_its_retry_after_does_not_change_it(self):
        """gunicorn --threads: one throttle object serves every thread of a worker."""
        throttle, her, him = self.throttle(), self.caller(1), self.caller(2)
        self.assertTrue(self.call(throttle, her, 0) and self.call(throttle, her, 10))
        self.assertFalse(self.call(throttle, her, 20))  # her first call leaves the minute at 60
        other = threading.Thread(target=self.call, args=(throttle, him, 21))
        other.start()
        other.join()
        self.assertEqual(throttle.wait(), 40)

    def test_a_caller_several_calls_over_the_limit_is_told_when_one_fits_again_not_one_second(self):
        """Workers racing on the shared cache, or a lowered limit, leave more calls in the window."""
        throttle, her = self.throttle("3/m"), self.caller(1)
        for at in (0, 5, 10):
            self.call(throttle, her, at)
        throttle.num_requests = 2
        self.assertFalse(self.call(throttle, her, 20))
        self.assertEqual(throttle.wait(), 45)  # the call at 5 leaves the window at 65: two remain

    def test_at_the_limit_it_is_the_time_until_her_oldest_call_leaves_the_window(self):
        throttle, her = self.throttle(), self.caller(1)
        self.call(throttle, her, 0)
        self.call(throttle, her, 30)
        self.assertFalse(self.call(throttle, her, 59.5))
        self.assertEqual(throttle.wait(), 0.5)
