"""Hypothesis over every form the access matrix knows: long, empty, unicode, control characters,
wrong types and repeated values, POSTed by the persona allowed to use the form. No 500 (the test
client re-raises a server error), and every error the form reports is shown on the page.

A form page is a matrix route that a persona GETs with 200 and whose context has a `form`; the
POST-only routes of the matrix (steps, withdrawals) are fuzzed on the keys of their data.
"""

from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from coachdossier.clients.crypto import KeyRing

from . import test_access_matrix
from .test_access_matrix import _encode

CONTROL = "".join(chr(c) for c in range(1, 32)) + "\x7f"
VALUES = st.one_of(
    st.just(""),
    st.text(max_size=40),  # any unicode, including RTL marks and astral characters
    st.text(alphabet=CONTROL, min_size=1, max_size=10),
    st.text(min_size=1, max_size=3).map(lambda s: s * 3000),  # long
    st.sampled_from(["abc", "-1", "0", "1e309", "99999999999999999999999", "2026-02-30", "31-12-2026", "true",
                     "null", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
                     "\ufeff", "\u202e", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "00000000-0000-0000-0000-000000000000"]),
)
FIELD_VALUE = st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3))  # repeated keys: wrong type

PERSONA_ORDER = ("coach", "management", "outsider", "therapist", "client", "other_coach", "auditor",
                 "other_client")


class FormsSurviveHostileInputTestCase(test_access_matrix.AccessMatrixTestCase, HypothesisTestCase):
    # The matrix's own tests run in test_access_matrix.py, not again here.
    test_every_route_in_the_url_configuration_is_in_the_matrix = None  # type: ignore[assignment]  # not run here
    test_every_route_gives_each_persona_exactly_the_declared_status = None  # type: ignore[assignment]  # not run here

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.targets = []  # (route name, persona, url, field names, is a form page)

    def discover(self):
        if self.targets:
            return self.targets
        personas = self.personas()
        for route in self.routes():
            url = reverse(route.name, kwargs=route.kwargs(self)) + (f"?{route.query}" if route.query else "")
            wanted = 200 if route.method == "GET" else 302
            persona = next((p for p in PERSONA_ORDER if route.expect.get(p) == wanted), None)
            if persona is None:
                continue
            if route.method == "POST":
                fields = sorted((route.data(self) if route.data else {}).keys())
                self.targets.append((route.name, persona, url, fields, False))
                continue
            self.client.logout()
            self.login(personas[persona])
            KeyRing.clear()
            response = self.client.get(url)
            form = (response.context or {}).get("form") if response.status_code == 200 else None
            if isinstance(form, forms.BaseForm):
                fields = [name for name, field in form.fields.items() if not isinstance(field, forms.FileField)]
                self.targets.append((route.name, persona, url, [form.add_prefix(f) for f in fields], True))
        return self.targets

    def post(self, persona, url, data):
        self.client.logout()
        self.login(self.personas()[persona])
        KeyRing.clear()
        with transaction.atomic():
            response = self.client.post(url, _encode(data), content_type="application/x-www-form-urlencoded")
            transaction.set_rollback(True)
        return response

    def test_the_matrix_has_form_pages_to_fuzz(self):
        targets = self.discover()
        self.assertGreater(sum(1 for t in targets if t[4]), 15, [t[0] for t in targets])

    @settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def test_no_form_answers_hostile_input_with_a_500_and_errors_show_at_the_field(self, data):
        """GC-2.3 bad input: a clear message next to the field, nothing else."""
        for name, persona, url, fields, is_form_page in self.discover():
            values = {field: data.draw(FIELD_VALUE, label=f"{name}.{field}") for field in fields}
            response = self.post(persona, url, values)
            self.assertLess(response.status_code, 500, f"{name} as {persona}: {values!r}")
            if not is_form_page or response.status_code != 200 or not response.context:
                continue
            form = response.context.get("form")
            if not isinstance(form, forms.BaseForm) or not form.is_bound:
                continue
            html = response.content.decode()
            if not any(f'name="{form.add_prefix(f)}"' in html for f in form.fields):
                continue  # the page no longer offers the form (e.g. the statement was accepted already)
            for field, errors in form.errors.items():
                for message in errors:
                    self.assertIn(escape(message), html, f"{name}: the error on {field!r} is not shown: {message}")


class LanguageSwitchTestCase(test_access_matrix.AccessMatrixTestCase):
    test_every_route_in_the_url_configuration_is_in_the_matrix = None  # type: ignore[assignment]  # not run here
    test_every_route_gives_each_persona_exactly_the_declared_status = None  # type: ignore[assignment]  # not run here

    def test_a_next_that_is_not_a_local_path_goes_home_instead_of_a_500(self):
        """Found by the form fuzzing: redirect() took a bare word for a URL name."""
        for next_url in ("s", "Écñ", "//evil.example/", "https://evil.example/", "javascript:alert(1)"):
            with self.subTest(next_url=next_url):
                response = self.client.post(reverse("accounts:set_language"), {"language": "en", "next": next_url})
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], "/")
