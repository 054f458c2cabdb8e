"""Accounts and the request gates: MFA for staff (LAW-32), the confidentiality statement
(PR-R1–R2), session lifetime, lockout, ending sessions, headers and production settings."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client as HttpClient

from coachdossier.accounts import actions, confidentiality
from coachdossier.accounts.models import ConfidentialityAcceptance, Role
from coachdossier.test import PASSWORD, TOTP_SECRET, BaseTestCase, make_user, untied_form_errors

ROOT = Path(__file__).resolve().parents[3]


def current_code(secret=TOTP_SECRET) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


class LoginTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()  # rate-limit counters and used TOTP codes

    def tearDown(self):
        cache.clear()
        super().tearDown()

    def password_step(self, client, email="alice@example.com", password=PASSWORD):
        return client.post("/accounts/login/", {"login": email, "password": password})

    def real_login(self, client=None, email="alice@example.com"):
        client = client or HttpClient()
        r = self.password_step(client, email)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/2fa/authenticate/", r["Location"])
        cache.clear()  # a code may be used once; the tests log in twice within 30 seconds
        r = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
        self.assertEqual(r.status_code, 302, r.content[:500])
        return client

    def test_law_32_a_staff_login_needs_the_totp_code_and_a_wrong_code_is_refused(self):
        """LAW-32"""
        client = HttpClient()
        self.password_step(client)
        with self.assertLogs("coachdossier.security", "WARNING") as logs:
            r = client.post("/accounts/2fa/authenticate/", {"code": "000000" if current_code() != "000000"
                                                            else "111111"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors)
        self.assertIn("mfa code rejected", logs.output[0])
        self.assertEqual(client.get("/").status_code, 302)
        r = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
        self.assertEqual(client.get("/").status_code, 200)

    def test_a_new_session_id_is_issued_at_login(self):
        client = HttpClient()
        client.get("/accounts/login/")
        client.session.save()
        before = client.session.session_key
        self.real_login(client)
        self.assertNotEqual(client.session.session_key, before)

    def test_repeated_failed_logins_are_rate_limited(self):
        """LAW-32: lockout after repeated failures (allauth ACCOUNT_RATE_LIMITS)."""
        client = HttpClient()
        for _ in range(5):
            r = self.password_step(client, password="wrong password entirely")
            self.assertEqual(r.status_code, 200)
        r = self.password_step(client)  # even the right password, for now
        self.assertEqual(r.status_code, 200)
        codes = [e.code for e in r.context["form"].errors.as_data()["__all__"]]
        self.assertEqual(codes, ["too_many_login_attempts"])
        self.assertNotIn("_auth_user_id", client.session)
        self.assertEqual(client.get("/").status_code, 302)

    def test_all_other_sessions_end_when_the_password_changes(self):
        """LAW-32"""
        first, second = self.real_login(), self.real_login()
        self.assertEqual(first.get("/").status_code, 200)
        second.post("/accounts/reauthenticate/", {"password": PASSWORD})
        r = second.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": "a new long passphrase 2026",
                                                       "password2": "a new long passphrase 2026"})
        self.assertEqual(r.status_code, 302, r.content[:300])
        self.assertEqual(first.get("/").status_code, 302)
        self.assertEqual(second.get("/").status_code, 200)

    def test_all_sessions_and_tokens_end_when_the_account_is_disabled(self):
        """LAW-32"""
        client = self.real_login()
        _token, secret = actions.create_api_token(actor=self.coach, name="x", now=self.now)
        actions.disable_user(actor=self.management, user=self.coach)
        self.assertEqual(client.get("/").status_code, 302)
        self.assertFalse(Session.objects.exists())
        self.assertEqual(HttpClient().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code, 401)


class StaffGateTestCase(BaseTestCase):
    def test_law_32_staff_without_mfa_are_sent_to_set_it_up_on_every_page(self):
        """LAW-32"""
        user = make_user("new@example.com", "Nieuwe Coach", Role.COACH, totp=False)
        self.login(user)
        for url in ("/", "/clients/", f"/clients/{self.own_client.public_id}/", "/accounts/tokens/"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn("/accounts/2fa/totp/activate/", r["Location"])
        self.assertEqual(self.client.get("/api/clients/").status_code, 403)

    def test_law_32_a_wrong_code_while_setting_up_mfa_is_named_to_the_code_field(self):
        """allauth's forms are drawn by includes/fields.html too: their errors reach a screen reader
        with the field (aria-describedby pointed at an element that did not exist)."""
        user = make_user("new@example.com", "Nieuwe Coach", Role.COACH, totp=False)
        self.login(user)
        session = self.client.session  # the password given again just now, as allauth records it
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [{"method": "password", "at": time.time(),
                                                      "reauthenticated": True}]
        session.save()
        self.client.cookies["django_language"] = "en"
        self.client.get("/accounts/2fa/totp/activate/")
        r = self.client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
        self.assertEqual(untied_form_errors(r.content.decode(), "Incorrect code."), [])

    def test_a_client_does_not_need_mfa(self):
        self.login(self.client_user)
        self.assertEqual(self.client.get("/", follow=True).status_code, 200)

    def test_the_password_sessions_and_two_step_pages_lead_back_to_the_security_page(self):
        """On a phone a client who opened "Change password" from the security page had only the
        browser's back button to return."""
        self.login(self.client_user)
        for url in ("/accounts/password/change/", "/accounts/sessions/", "/accounts/2fa/"):
            page = self.client.get(url)
            self.assertContains(page, '<p class="back"><a href="/accounts/security/">', html=False, msg_prefix=url)

    def test_pr_r1_staff_accept_the_confidentiality_statement_before_first_access(self):
        """PR-R1–R2"""
        user = make_user("new@example.com", "Nieuwe Coach", Role.COACH, accepted=False)
        self.login(user)
        r = self.client.get("/clients/")
        self.assertRedirects(r, "/accounts/confidentiality/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/accounts/confidentiality/"), "I declare that I will keep secret")
        self.assertEqual(self.client.post("/accounts/confidentiality/", {}).status_code, 200)
        self.assertFalse(ConfidentialityAcceptance.objects.filter(user=user).exists())
        self.client.post("/accounts/confidentiality/", {"accept": "on"})
        acceptance = ConfidentialityAcceptance.objects.get(user=user)
        self.assertEqual((acceptance.version, acceptance.text_sha256),
                         (confidentiality.CURRENT_VERSION, confidentiality.text_sha256()))
        self.assertIsNotNone(acceptance.accepted_at)
        self.assertEqual(self.client.get("/clients/").status_code, 200)


class SessionLifetimeTestCase(BaseTestCase):
    def age_session(self, **seconds_ago):
        session = self.client.session
        for key, ago in seconds_ago.items():
            session[key] = time.time() - ago
        session.save()

    def test_a_session_ends_after_30_minutes_without_activity(self):
        self.login(self.coach)
        self.assertEqual(self.client.get("/").status_code, 200)
        self.age_session(last_seen=31 * 60)
        r = self.client.get("/clients/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_session_ends_after_12_hours_even_when_active(self):
        self.login(self.coach)
        self.client.get("/")
        self.age_session(auth_started=12 * 3600 + 60, last_seen=10)
        self.assertIn("/accounts/login/", self.client.get("/").get("Location", ""))

    def test_an_expired_session_gets_401_in_the_api(self):
        self.login(self.coach)
        self.client.get("/")
        self.age_session(last_seen=31 * 60)
        self.assertEqual(self.client.get("/api/accounts/me").status_code, 401)


class LanguageAndHeadersTestCase(BaseTestCase):
    def test_the_language_switch_changes_the_ui_language(self):
        """(The Dutch default itself is proven in test_language.py; tests run in English.)"""
        self.login(self.coach)
        self.assertEqual(self.client.get("/").headers["Content-Language"], "en")
        self.client.post("/accounts/language/", {"language": "nl", "next": "/"})
        self.assertEqual(self.client.get("/").headers["Content-Language"], "nl")
        self.client.post("/accounts/language/", {"language": "en", "next": "/"})
        self.assertEqual(self.client.get("/").headers["Content-Language"], "en")

    def test_an_unknown_language_code_is_refused_with_a_message(self):
        self.login(self.coach)
        r = self.client.post("/accounts/language/", {"language": "xx", "next": "/"}, follow=True)
        self.assertEqual([m.level_tag for m in r.context["messages"]], ["error"])
        self.assertIn("Unknown language", str(list(r.context["messages"])[0]))
        self.assertEqual(r.headers["Content-Language"], "en")
        self.assertNotIn("django_language", self.client.cookies)

    def test_client_pages_carry_strict_security_headers_and_are_never_cached(self):
        """GC-2.3, LAW-32"""
        self.login(self.coach)
        r = self.client.get(f"/clients/{self.own_client.public_id}/")
        self.assertIn("frame-ancestors 'none'", r["Content-Security-Policy"])
        self.assertIn("script-src 'self'", r["Content-Security-Policy"])
        self.assertNotIn("unsafe-inline", r["Content-Security-Policy"])
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")
        self.assertEqual(r["Referrer-Policy"], "same-origin")
        self.assertEqual(r["X-Frame-Options"], "DENY")
        self.assertIn("no-store", r["Cache-Control"])
        self.assertNotIn("Strict-Transport-Security", r)  # only with DEBUG=false, see below


PRODUCTION_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "dossier.example.nl",
    "DATABASE_URL": "sqlite:////tmp/coachdossier-deploy-check.sqlite3",
    "COACHDOSSIER_SEARCH_KEY": "Zk3v9QpL7wX2rT5nB8mC1yH4jD6fG0sA",
}


def run_manage(env, *args):
    ours = ("DEBUG", "PYTEST_CURRENT_TEST", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "KEYS_DATABASE_URL",
            "COACHDOSSIER_MASTER_KEYS", "COACHDOSSIER_SEARCH_KEY", "COACHDOSSIER_SIGNING_KEY")
    clean = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("DJANGO_")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


PRACTICE_POLICY = """\
practice_name = "Coachpraktijk Noord"
practice_address = ["Kerkstraat 2", "9711 AA Groningen"]
practice_phone = "050 765 43 21"
practice_email = "info@coachpraktijk-noord.example"
complaints_contact = "J. Jansen, klachtenfunctionaris, 050 765 43 22"
"""


def production_env(tmp_path):
    import base64

    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(PRACTICE_POLICY)
    return {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(60),
            "COACHDOSSIER_MASTER_KEYS": f"prod1:{base64.b64encode(os.urandom(32)).decode()}",
            "COACHDOSSIER_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
            "COACHDOSSIER_STATE_DIR": str(tmp_path), "COACHDOSSIER_POLICY_FILE": str(policy_file)}


def test_law_32_check_deploy_reports_no_issues_in_production(tmp_path):
    """LAW-32: HSTS, secure cookies, CSP and the rest with DEBUG=false."""
    result = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_while_the_practice_is_still_the_fictional_demo_one(tmp_path):
    """Without COACHDOSSIER_POLICY_FILE, production named "Praktijk De Werkbrug (demo)", its
    made-up phone number and complaints officer on reports to UWV, complaint letters and the
    complaints procedure, and `check --deploy` said nothing. It warns now, so the service
    (which runs it with --fail-level WARNING) does not start that way."""
    env = production_env(tmp_path)
    del env["COACHDOSSIER_POLICY_FILE"]
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "coachdossier.W001" in result.stderr and "COACHDOSSIER_POLICY_FILE" in result.stderr
    assert "practice_name" in result.stderr and "complaints_contact" in result.stderr


def test_check_deploy_warns_about_a_short_search_key(tmp_path):
    """COACHDOSSIER_SEARCH_KEY=x passed: the search index keyed with it gives client names
    away to anyone with a copy of the main database (a backup), no master key needed."""
    result = run_manage({**production_env(tmp_path), "COACHDOSSIER_SEARCH_KEY": "praktijk2026"},
                        "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "coachdossier.W002" in result.stderr and "rebuild_search_index" in result.stderr


def test_a_malformed_production_variable_gives_one_clear_line_and_no_traceback(tmp_path):
    """A malformed master key passed the start (every client page then answered 500 and
    run_daily failed at night), a non-number session timeout and an unreadable or mistyped
    policy file ended in a traceback. Each is one line now, and no key is echoed."""
    import base64

    key = base64.b64encode(os.urandom(31)).decode()
    (tmp_path / "typo.toml").write_text('practice_nam = "Coachpraktijk Noord"\n')
    cases = {
        "COACHDOSSIER_MASTER_KEYS": (f"prod1:{key}", "COACHDOSSIER_MASTER_KEYS, key 1: expected id:base64 of 32"),
        "SESSION_IDLE_SECONDS": ("half an hour", "SESSION_IDLE_SECONDS must be a whole number"),
        "COACHDOSSIER_POLICY_FILE": (str(tmp_path / "typo.toml"), "unknown policy keys: practice_nam"),
    }
    for name, (value, message) in cases.items():
        result = run_manage({**production_env(tmp_path), name: value}, "check")
        output = (result.stdout + result.stderr).strip()
        assert result.returncode != 0, name
        assert len(output.splitlines()) == 1 and "Traceback" not in output, output
        assert output.startswith("coachdossier: ") and message in output, output
        assert key not in output


def test_hsts_is_sent_in_production(tmp_path):
    code = ("import django;django.setup();from django.test import Client;"
            "r=Client().get('/api/accounts/me',secure=True,HTTP_HOST='dossier.example.nl');"
            "print(r.status_code, r.get('Strict-Transport-Security'))")
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "coachdossier.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=120)
    assert "max-age=63072000" in result.stdout, result.stdout + result.stderr


def test_a_missing_required_variable_gives_one_clear_line_and_no_traceback(tmp_path):
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "COACHDOSSIER_MASTER_KEYS",
                 "COACHDOSSIER_SEARCH_KEY", "COACHDOSSIER_SIGNING_KEY"):
        env = production_env(tmp_path)
        del env[name]
        result = run_manage(env, "check")
        assert result.returncode != 0, name
        output = (result.stdout + result.stderr).strip()
        assert "Traceback" not in output, output
        assert len(output.splitlines()) == 1, output
        assert name in output


def test_production_refuses_to_start_without_the_signing_key(tmp_path):
    """run_daily signs the access-log checkpoint (LAW-NEN7513) and backup signs its manifest
    (LAW-32): a host without the key must stop at start-up, not fail at night."""
    env = production_env(tmp_path)
    del env["COACHDOSSIER_SIGNING_KEY"]
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert (result.stdout + result.stderr).strip() == (
        "coachdossier: the environment variable COACHDOSSIER_SIGNING_KEY is required when DEBUG=false")
    assert not (tmp_path / "signing.key").exists()  # no key of its own made up in production


def test_production_refuses_to_start_with_a_signing_key_that_is_not_base64_of_32_bytes(tmp_path):
    """LAW-NEN7513, LAW-32: a wrong key is refused at start-up, in one line that does not echo it."""
    import base64

    for malformed in ("not base64 at all!", base64.b64encode(os.urandom(31)).decode(),
                      base64.b64encode(os.urandom(64)).decode()):
        result = run_manage({**production_env(tmp_path), "COACHDOSSIER_SIGNING_KEY": malformed}, "check")
        output = (result.stdout + result.stderr).strip()
        assert result.returncode != 0, malformed
        assert len(output.splitlines()) == 1, output
        assert output.startswith("coachdossier: COACHDOSSIER_SIGNING_KEY must be base64 of exactly 32 random bytes")
        assert malformed not in output


def test_production_starts_with_a_valid_signing_key_and_signs_with_it(tmp_path):
    """LAW-NEN7513, LAW-32: checkpoints and manifests are signed with the configured key."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    seed = os.urandom(32)
    env = {**production_env(tmp_path), "COACHDOSSIER_SIGNING_KEY": base64.b64encode(seed).decode()}
    assert run_manage(env, "check").returncode == 0
    result = run_manage(env, "shell", "--no-imports", "-c",
                        "from coachdossier.privacy import signing; print(signing.public_key_hex())")
    assert result.returncode == 0, result.stdout + result.stderr
    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert result.stdout.strip() == expected.hex()


def test_development_starts_without_a_signing_key_and_makes_its_own(tmp_path):
    """DEBUG=true needs no variables: the signing key is generated in the state directory."""
    env = {"DEBUG": "true", "COACHDOSSIER_STATE_DIR": str(tmp_path)}
    result = run_manage(env, "shell", "--no-imports", "-c",
                        "from coachdossier.privacy import signing; print(signing.public_key_hex())")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "signing.key").exists()
