"""Security headers on every page of the URL configuration, and markup a strict CSP can serve.

The routes come from the access matrix (coachdossier/tests/matrix.py and each app's
tests/routes.py): every route is requested as each persona the matrix expects to get a page
(200), and as the anonymous visitor where the route is public.
"""

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from coachdossier.clients.crypto import KeyRing

from . import test_access_matrix
from .test_access_matrix import _encode

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class SecurityHeadersOnEveryPageTestCase(test_access_matrix.AccessMatrixTestCase):
    # The matrix's own tests run in test_access_matrix.py, not again here.
    test_every_route_in_the_url_configuration_is_in_the_matrix = None  # type: ignore[assignment]  # not run here
    test_every_route_gives_each_persona_exactly_the_declared_status = None  # type: ignore[assignment]  # not run here

    _pages: list | None = None

    def pages(self):
        """(route, persona, url, response) for every cell of the matrix that serves a page: served
        once for the two tests below, which read the same responses (every request is rolled back,
        so the second test would be served exactly what the first one was)."""
        cls = type(self)
        if cls._pages is None:
            cls._pages = list(self._serve_pages())
        return cls._pages

    @classmethod
    def tearDownClass(cls):
        cls._pages = None
        super().tearDownClass()

    def _serve_pages(self):
        signed_in = self.signed_in_cookies()
        for route in self.routes():
            url = reverse(route.name, kwargs=route.kwargs(self)) + (f"?{route.query}" if route.query else "")
            for persona, expected in route.expect.items():
                if expected != 200:
                    continue
                self.client.cookies = copy.deepcopy(signed_in[persona])
                KeyRing.clear()
                with transaction.atomic():
                    if route.method == "GET":
                        response = self.client.get(url)
                    else:
                        data = route.data(self) if route.data else {}
                        response = self.client.generic(route.method, url, data=_encode(data),
                                                       content_type="application/x-www-form-urlencoded")
                    transaction.set_rollback(True)
                yield route, persona, url, response

    def test_every_page_sends_the_security_headers_and_no_store(self):
        """GC-2.3: CSP (frame-ancestors 'none', no unsafe-inline/eval), nosniff, Referrer-Policy,
        X-Frame-Options DENY, and no caching of pages served to a signed-in user."""
        seen = 0
        for route, persona, url, response in self.pages():
            with self.subTest(route=route.name, persona=persona):
                self.assertEqual(response.status_code, 200, url)
                seen += 1
                self.assertEqual(response["X-Content-Type-Options"], "nosniff", url)
                self.assertEqual(response["X-Frame-Options"], "DENY", url)
                self.assertTrue(response.get("Referrer-Policy"), url)
                content_type = response.get("Content-Type", "")
                if content_type.startswith("text/html"):
                    csp = csp_directives(response["Content-Security-Policy"])
                    self.assertEqual(csp.get("frame-ancestors"), ["'none'"], url)
                    for directive, sources in csp.items():
                        self.assertNotIn("'unsafe-inline'", sources, f"{url} {directive}")
                        self.assertNotIn("'unsafe-eval'", sources, f"{url} {directive}")
                    self.assertEqual(csp.get("script-src"), ["'self'"], url)
                if persona != "anonymous":
                    cache_control = response.get("Cache-Control", "")
                    self.assertIn("no-store", cache_control, url)
                    self.assertIn("private", cache_control, url)
        self.assertGreater(seen, 50)

    def test_no_page_carries_inline_script_style_or_event_handlers(self):
        """A strict CSP (script-src/style-src 'self') would silently break inline code: none is served."""
        for route, persona, url, response in self.pages():
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            html = response.content.decode()
            with self.subTest(route=route.name, persona=persona):
                self.assertEqual(INLINE_SCRIPT.findall(html), [], f"inline <script> on {url}")
                self.assertEqual(STYLE_ATTRIBUTE.findall(html), [], f"style= attribute on {url}")
                self.assertEqual(STYLE_ELEMENT.findall(html), [], f"<style> element on {url}")
                self.assertEqual(EVENT_HANDLER.findall(html), [], f"inline event handler on {url}")

    def test_the_login_page_and_errors_carry_the_headers_for_anonymous_visitors(self):
        self.client.logout()
        for url in ("/accounts/login/", "/does-not-exist/"):
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response["X-Frame-Options"], "DENY")
                self.assertIn("frame-ancestors 'none'", response["Content-Security-Policy"])

    def test_hsts_is_sent_over_https_when_hsts_is_configured(self):
        """The SecurityMiddleware reads its settings when the handler is built: a fresh client
        under the production values sends Strict-Transport-Security on a secure request."""
        with override_settings(SECURE_HSTS_SECONDS=63072000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
                               SECURE_HSTS_PRELOAD=True):
            client = Client()
            client.force_login(self.coach)
            response = client.get(reverse("clients:list"), secure=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Strict-Transport-Security"], "max-age=63072000; includeSubDomains; preload")


def test_production_settings_turn_on_hsts_and_secure_cookies():
    """With DEBUG=false the settings module itself sets HSTS (two years, preload) and secure cookies."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "p" * 60, "ALLOWED_HOSTS": "example.org",
           "DATABASE_URL": "sqlite:////tmp/unused.sqlite3", "COACHDOSSIER_SEARCH_KEY": "s" * 40,
           "COACHDOSSIER_MASTER_KEYS": "k1:" + "A" * 43 + "=", "COACHDOSSIER_SIGNING_KEY": "B" * 43 + "=",
           "DJANGO_SETTINGS_MODULE": "coachdossier.settings"}
    env.pop("PYTEST_CURRENT_TEST", None)
    code = ("import json, django; from django.conf import settings as s; "
            "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    hsts_seconds, subdomains, preload, session_secure, csrf_secure, ssl_redirect = json.loads(
        result.stdout.strip().splitlines()[-1])
    assert hsts_seconds >= 31536000
    assert subdomains and preload and session_secure and csrf_secure and ssl_redirect
