"""GC-2.3, PR-7, LAW-NEN7513: every API route × every persona, generated from the OpenAPI
schema, so a new API route without a row fails the test. Each app declares its rows in
`<app>/tests/api_routes.py` (`API_ROUTES`, optional `PATH_VALUES` and `setup(world)`); see
coachdossier/clients/tests/api_routes.py for the format. Path values may carry a `_query`
string; a body builder may read `w.persona`. Every successful response is also searched for
the identifiers of a client the request has nothing to do with (GC-2.3)."""

import json
from importlib import import_module

from django.apps import apps
from django.db import transaction

from coachdossier.accounts import actions as account_actions
from coachdossier.api.api import api
from coachdossier.clients.crypto import KeyRing
from coachdossier.test import BaseTestCase
from coachdossier.tests.matrix import PERSONAS, add_committee_member

# Routers without rows yet. Empty: every app declares its API routes, so a new route without a
# row fails the test.
NOT_YET_IN_MATRIX: set[str] = set()


def api_route_modules():
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("coachdossier."):
            try:
                modules.append(import_module(f"{config.name}.tests.api_routes"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tests.api_routes":
                    raise
    return modules


class ApiMatrixTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        add_committee_member(cls)
        cls.path_values = {}
        for module in api_route_modules():
            if hasattr(module, "setup"):
                module.setup(cls)
            cls.path_values.update(getattr(module, "PATH_VALUES", {}))
        cls.tokens = {}
        for persona, user in cls.persona_users().items():
            cls.tokens[persona] = account_actions.create_api_token(actor=user, name="matrix", now=cls.now)
        KeyRing.clear()

    @classmethod
    def persona_users(cls):
        return {"coach": cls.coach, "other_coach": cls.other_coach, "committee": cls.committee_member,
                "client": cls.client_user,
                "other_client": cls.other_client_user, "management": cls.management, "therapist": cls.therapist,
                "outsider": cls.outsider, "auditor": cls.auditor}

    def routes(self):
        return [row for module in api_route_modules() for row in module.API_ROUTES]

    def test_every_api_route_is_in_the_matrix(self):
        schema = api.get_openapi_schema()
        declaring = {module.__name__.split(".")[1] for module in api_route_modules()}
        served = {(method, path) for path, ops in schema["paths"].items() for method in ops
                  if path.split("/")[2] in declaring or path.split("/")[2] not in NOT_YET_IN_MATRIX}
        declared = {(method, path) for method, path, *_ in self.routes()}
        self.assertEqual(sorted(served - declared), [], "API routes without a matrix row")
        self.assertEqual(sorted(declared - served), [], "matrix rows for routes that do not exist")

    def call(self, method, url, data, kind, headers):
        with transaction.atomic():
            if kind == "json":
                response = self.client.generic(method.upper(), url, json.dumps(data),
                                               content_type="application/json", **headers)
            elif kind == "multipart":
                response = self.client.post(url, data, **headers)
            else:
                response = self.client.generic(method.upper(), url, **headers)
            transaction.set_rollback(True)
        return response

    def identifiers(self, client, user):
        """What would betray a client in a response: their ids, reference, name and e-mail."""
        return {str(client.public_id), client.reference, user.full_name, user.email}

    def foreign_identifiers(self, persona, kwargs):
        """Identifiers of the client this request has no business with: for a client persona the
        other client; for a route addressed to one client, the other one."""
        carla = self.identifiers(self.own_client, self.client_user)
        daan = self.identifiers(self.other_client, self.other_client_user)
        values = {str(v) for v in kwargs.values()}
        foreign = set()
        if persona == "client" or str(self.own_client.public_id) in values:
            foreign |= daan
        if persona == "other_client" or str(self.other_client.public_id) in values:
            foreign |= carla
        return foreign

    def assert_no_foreign_client_data(self, persona, method, url, kwargs, response):
        """GC-2.3: a response never carries another client's identifiers."""
        if response.status_code >= 300 or response.get("Content-Type", "").startswith("application/pdf"):
            return []
        body = response.content.decode(errors="replace")
        return [f"{persona} {method.upper()} {url}: response contains {found!r}"
                for found in sorted(self.foreign_identifiers(persona, kwargs)) if found and found in body]

    def test_every_api_route_gives_each_persona_exactly_the_declared_status(self):
        problems = []
        for method, path, values, body, kind, expect in self.routes():
            self.assertEqual(sorted(set(PERSONAS) - {"anonymous"} - set(expect)), [], path)
            kwargs = (values(self) if callable(values) else values if isinstance(values, dict)
                      else self.path_values[values](self))
            url = path.format(**kwargs) + kwargs.get("_query", "")  # `_query`: a query string, if any
            for persona in PERSONAS:
                with self.subTest(method=method, path=path, persona=persona):
                    KeyRing.clear()
                    headers = {}
                    if persona != "anonymous":
                        headers["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[persona][1]}"
                    self.persona = persona  # a body builder may depend on who sends it
                    data = body(self) if body else None
                    try:
                        response = self.call(method, url, data, kind, headers)
                    except Exception as exc:  # a 500: report it with the rest, not instead of them
                        problems.append(f"{persona} {method.upper()} {url}: raised {exc!r}")
                        continue
                    wanted = 401 if persona == "anonymous" else expect[persona]
                    if response.status_code != wanted:
                        problems.append(f"{persona} {method.upper()} {url}: {response.status_code}, expected "
                                        f"{wanted}: {response.content[:200]!r}")
                    problems += self.assert_no_foreign_client_data(persona, method, url, kwargs, response)
        self.assertEqual(problems, [], "\n".join(problems))
