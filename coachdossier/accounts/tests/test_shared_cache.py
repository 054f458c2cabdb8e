"""Login security that every worker shares (LAW-32).

allauth counts failed logins (ACCOUNT_RATE_LIMITS) and remembers the TOTP codes already used
in Django's cache. gunicorn runs several workers and restarts them every ~2,000 requests, so
that cache must be one for all of them and outlive each: the database cache in the main
database. A "new worker" below is this process with every piece of in-process cache state
thrown away; what it still knows, another worker knows too."""

import datetime

import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from asgiref.local import Local
from django.core.cache import cache, caches
from django.core.cache.backends import locmem
from django.core.management import call_command
from django.db import connections
from django.test import Client as HttpClient
from django.test import override_settings

from coachdossier.accounts.tests.test_security import production_env, run_manage
from coachdossier.test import NOW, PASSWORD, TOTP_SECRET, BaseTestCase

TABLE = "coachdossier_cache"
PER_PROCESS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def start_a_new_worker():
    """Forget what this process holds of the cache, as a freshly started worker never had it:
    the cache objects, and the contents of any local-memory cache."""
    caches._connections = Local(caches.thread_critical)
    locmem._caches.clear()
    locmem._expire_info.clear()
    locmem._locks.clear()


def failed_login_refused(response) -> bool:
    form = response.context and response.context.get("form")
    if not form or "__all__" not in form.errors.as_data():
        return False
    return "too_many_login_attempts" in [e.code for e in form.errors.as_data()["__all__"]]


def tables(alias: str) -> list[str]:
    return connections[alias].introspection.table_names()


def test_law_32_production_keeps_the_cache_in_the_database(tmp_path):
    """LAW-32: with DEBUG=false the login rate limits and used TOTP codes go to the database
    cache, never to a cache of one process."""
    result = run_manage(production_env(tmp_path), "shell", "--no-imports", "-c",
                        "from django.conf import settings; c = settings.CACHES['default']; "
                        "print(c['BACKEND'], c['LOCATION'])")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", TABLE]


class CacheTableTestCase(BaseTestCase):
    def test_law_32_migrate_creates_the_cache_table_in_the_main_database_and_not_in_the_key_store(self):
        """LAW-32, GC-5.4: the key store holds data keys and nothing else."""
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")  # as on a database made before the shared cache
        self.assertNotIn(TABLE, tables("default"))
        call_command("migrate", verbosity=0)
        self.assertIn(TABLE, tables("default"))
        self.assertNotIn(TABLE, tables("keys"))
        call_command("migrate", verbosity=0)  # again: nothing to do, and no error
        self.assertTrue(cache.add("probe", "y"))

    def test_migrate_plan_and_check_change_nothing(self):
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")
        call_command("migrate", plan=True, verbosity=0)
        call_command("migrate", check_unapplied=True, verbosity=0)
        self.assertNotIn(TABLE, tables("default"))


class FailedLoginsAcrossWorkersTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def fail_five_times_from_one_address(self):
        for n in range(5):
            r = HttpClient().post("/accounts/login/", {"login": f"guess{n}@example.com", "password": "wrong guess"})
            self.assertFalse(failed_login_refused(r))

    def test_law_32_a_sixth_failed_login_from_one_address_is_refused_by_another_worker(self):
        """LAW-32: lockout after 5 failed logins (5/5m per address), for the whole site."""
        self.fail_five_times_from_one_address()
        start_a_new_worker()
        r = HttpClient().post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
        self.assertTrue(failed_login_refused(r))

    def test_law_32_a_sixth_failed_login_on_one_account_is_refused_by_another_worker_from_a_new_address(self):
        """LAW-32: lockout after 5 failed logins (5/5m per account), whatever the address."""
        for n in range(5):
            r = HttpClient(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
                "/accounts/login/", {"login": "alice@example.com", "password": "wrong guess"})
            self.assertFalse(failed_login_refused(r))
        start_a_new_worker()
        r = HttpClient(REMOTE_ADDR="198.51.100.7").post("/accounts/login/",
                                                        {"login": "alice@example.com", "password": PASSWORD})
        self.assertTrue(failed_login_refused(r))
        self.assertNotIn("_auth_user_id", r.client.session)

    @override_settings(CACHES=PER_PROCESS_CACHE)
    def test_a_cache_of_one_process_forgets_the_failures_which_is_why_it_is_not_used(self):
        """The control for the two tests above: the new worker really starts empty."""
        self.fail_five_times_from_one_address()
        start_a_new_worker()
        r = HttpClient().post("/accounts/login/", {"login": "guess9@example.com", "password": "wrong guess"})
        self.assertFalse(failed_login_refused(r))


class TotpReplayAcrossWorkersTestCase(BaseTestCase):
    # Within one 30-second TOTP step, the clock standing still: the second use of the code
    # must be refused because it was used, not because its step ended.
    INSTANT = NOW + datetime.timedelta(seconds=5)

    def setUp(self):
        super().setUp()
        cache.clear()
        clock = time_machine.travel(self.INSTANT, tick=False)
        clock.start()
        self.addCleanup(clock.stop)
        self.code = format_hotp_value(hotp_value(TOTP_SECRET, next(iter(yield_hotp_counters_from_time()))))

    def second_use_of_the_code(self, *, refused: bool):
        first = HttpClient()
        first.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
        r = first.post("/accounts/2fa/authenticate/", {"code": self.code})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(first.get("/").status_code, 200)
        start_a_new_worker()
        second = HttpClient(REMOTE_ADDR="198.51.100.7")
        second.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
        expect_log = self.assertLogs if refused else self.assertNoLogs
        with expect_log("coachdossier.security", "WARNING"):  # "mfa code rejected"
            second.post("/accounts/2fa/authenticate/", {"code": self.code})
        return second

    def test_law_32_a_totp_code_accepted_once_is_refused_the_second_time_by_another_worker(self):
        """LAW-32: a code seen over someone's shoulder, or phished, cannot be used again."""
        second = self.second_use_of_the_code(refused=True)
        self.assertEqual(second.get("/").status_code, 302)
        self.assertNotIn("_auth_user_id", second.session)

    @override_settings(CACHES=PER_PROCESS_CACHE)
    def test_a_cache_of_one_process_lets_another_worker_take_the_code_again(self):
        """The control: with a cache per process the replay gets in."""
        second = self.second_use_of_the_code(refused=False)
        self.assertEqual(second.get("/").status_code, 200)


class NothingAboutClientsInTheCacheTestCase(BaseTestCase):
    def test_gc_2_3_the_cache_holds_login_state_only(self):
        """GC-2.3, GC-5.4: the cache table is in every backup; nothing about a client goes there,
        so destroying a dossier never has to look in it."""
        cache.clear()
        client = HttpClient()
        client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
        client.post("/accounts/2fa/authenticate/", {"code": format_hotp_value(
            hotp_value(TOTP_SECRET, next(iter(yield_hotp_counters_from_time()))))})
        self.assertEqual(client.get(f"/clients/{self.own_client.public_id}/").status_code, 200)
        with connections["default"].cursor() as cursor:
            # TABLE is a constant: no input reaches this SQL.
            cursor.execute(f"SELECT cache_key FROM {TABLE}")  # nosec B608
            keys = [row[0] for row in cursor.fetchall()]
        self.assertTrue(keys)
        self.assertEqual([k for k in keys if not k.startswith(":1:allauth")], [])
