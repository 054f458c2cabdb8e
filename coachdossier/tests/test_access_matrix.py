"""GC-2.3, LAW-NEN7513: every route × every persona, generated from the URL configuration.
See matrix.py for how an app declares its routes."""

import copy
from http.cookies import SimpleCookie
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coachdossier.clients.crypto import KeyRing
from coachdossier.test import BaseTestCase

from .matrix import EXCLUDED_NAMESPACES, EXCLUDED_PREFIXES, PERSONAS, add_committee_member


def app_route_modules():
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("coachdossier."):
            try:
                modules.append(import_module(f"{config.name}.tests.routes"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tests.routes":
                    raise
    return modules


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in EXCLUDED_NAMESPACES or "allauth" in str(pattern.urlconf_name):
                continue
            names |= url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if pattern.name.startswith(EXCLUDED_PREFIXES):
                continue
            names.add(f"{namespace}{pattern.name}")
    return names


class RouteWorldTestCase(BaseTestCase):
    """The personas' world with what every app's route table needs (its `setup`)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        add_committee_member(cls)
        for module in app_route_modules():
            if hasattr(module, "setup"):
                module.setup(cls)
        KeyRing.clear()


class AccessMatrixTestCase(RouteWorldTestCase):

    def personas(self):
        return {
            "anonymous": None, "coach": self.coach, "other_coach": self.other_coach, "committee": self.committee_member,
            "client": self.client_user, "other_client": self.other_client_user, "management": self.management,
            "therapist": self.therapist, "outsider": self.outsider, "auditor": self.auditor,
        }

    def routes(self):
        return [route for module in app_route_modules() for route in module.ROUTES]

    def test_every_route_in_the_url_configuration_is_in_the_matrix(self):
        declared = {route.name for route in self.routes()}
        missing = sorted(url_names() - declared)
        self.assertEqual(missing, [], "routes without an access matrix row (add them to <app>/tests/routes.py)")

    def signed_in_cookies(self):
        """Each persona's cookies just after signing in: once per persona, not once per request
        (1,400 sign-ins were a fifth of this test). Every request below is rolled back, so the
        session it finds is the one the sign-in made, as if she had just signed in again."""
        cookies = {}
        for persona, user in self.personas().items():
            self.client.cookies = SimpleCookie()  # not logout(): that would end the previous persona's session
            if user is not None:
                self.login(user)
            cookies[persona] = copy.deepcopy(self.client.cookies)
        return cookies

    def test_every_route_gives_each_persona_exactly_the_declared_status(self):
        signed_in = self.signed_in_cookies()
        for route in self.routes():
            self.assertEqual(sorted(set(PERSONAS) - {"anonymous"} - set(route.expect)), [],
                             f"{route.name}: every persona needs an expected status")
            url = reverse(route.name, kwargs=route.kwargs(self)) + (f"?{route.query}" if route.query else "")
            for persona in self.personas():
                expected = route.expect.get(persona, 302 if persona == "anonymous" else None)
                with self.subTest(route=route.name, persona=persona):
                    self.client.cookies = copy.deepcopy(signed_in[persona])  # nothing an earlier request set
                    KeyRing.clear()
                    data = route.data(self) if route.data else {}
                    # Each request's changes are rolled back, so every persona meets the same world.
                    with transaction.atomic():
                        if route.method == "GET":
                            response = self.client.get(url)
                        else:
                            response = self.client.generic(route.method, url, data=_encode(data),
                                                           content_type="application/x-www-form-urlencoded")
                        transaction.set_rollback(True)
                    self.assertEqual(response.status_code, expected, f"{persona} {route.method} {url}")
                    if persona == "anonymous" and expected == 302 and not route.public:
                        self.assertIn("/accounts/login/", response["Location"])


def _encode(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)
