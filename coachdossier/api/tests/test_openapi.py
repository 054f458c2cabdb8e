"""The OpenAPI document describes every operation with its own schemas."""

import inspect
import json
from collections import defaultdict
from importlib import import_module

from django.test import SimpleTestCase, TestCase
from ninja import Schema

from coachdossier.api.api import api


def api_schemas() -> dict[str, list[str]]:
    """Schema class name → the modules defining a Schema of that name, over every mounted router."""
    defined = defaultdict(list)
    for prefix, _router in api._routers:
        name = prefix.strip("/")
        if not name:
            continue
        module = import_module(f"coachdossier.{name}.api")
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__:
                defined[cls_name].append(module.__name__)
    return defined


class OpenApiSchemaNamesTestCase(SimpleTestCase):
    def test_no_two_routers_define_a_schema_of_the_same_name(self):
        """ninja names components after the class: a second SessionOut silently replaced the first,
        so /api/clients/{id} was documented with the measurement session's fields (script/fuzz-api)."""
        defined = api_schemas()
        self.assertGreater(len(defined), 20)
        self.assertEqual({name: modules for name, modules in defined.items() if len(modules) > 1}, {})

    def test_the_document_names_each_operations_own_session_schema(self):
        paths = json.loads(json.dumps(api.get_openapi_schema()))["paths"]  # as served: string status codes
        coaching = paths["/api/clients/{client_id}/sessions"]["post"]["responses"]["201"]
        measured = paths["/api/measurements/clients/{client_id}/sessions"]["post"]["responses"]["201"]
        self.assertNotEqual(coaching["content"]["application/json"]["schema"],
                            measured["content"]["application/json"]["schema"])

    def test_no_schema_is_a_tuple_which_the_api_fuzz_cannot_check(self):
        """A tuple becomes `prefixItems`, valid OpenAPI 3.1, but schemathesis turns it into a
        list of item schemas and refuses the whole response definition: the answers of
        GET /api/privacy/log-review went unchecked (script/fuzz-api). Rows are objects."""
        def tuples(node, path=""):
            if isinstance(node, dict):
                if "prefixItems" in node:
                    yield path
                for key, value in node.items():
                    yield from tuples(value, f"{path}/{key}")
            elif isinstance(node, list):
                for n, value in enumerate(node):
                    yield from tuples(value, f"{path}/{n}")

        self.assertEqual(list(tuples(api.get_openapi_schema())), [])


class OpenApiErrorAnswersTestCase(SimpleTestCase):
    def test_every_operation_declares_the_refusals_it_can_give_with_the_shared_error_schema(self):
        """So schemathesis' status_code_conformance holds (script/fuzz-api) and a client knows
        every status it can get."""
        document = json.loads(json.dumps(api.get_openapi_schema()))
        operations = [op for ops in document["paths"].values() for op in ops.values()]
        self.assertGreater(len(operations), 80)
        for operation in operations:
            for status in ("400", "401", "403", "404", "422", "429"):
                self.assertIn(status, operation["responses"], operation["operationId"])
        me = document["paths"]["/api/accounts/me"]["get"]["responses"]["404"]
        self.assertEqual(me["content"]["application/json"]["schema"], {"$ref": "#/components/schemas/ApiError"})
        self.assertIn("ApiError", document["components"]["schemas"])

    def test_every_operation_declares_the_429_of_the_rate_limit_with_its_retry_after_header(self):
        document = json.loads(json.dumps(api.get_openapi_schema()))
        for ops in document["paths"].values():
            for operation in ops.values():
                self.assertIn("Retry-After", operation["responses"]["429"]["headers"], operation["operationId"])

    def test_every_operation_declares_the_414_the_web_server_gives_for_an_overlong_request_line(self):
        """schemathesis once repeated a query parameter until gunicorn refused the request line
        (4 KB) with its HTML 414: a status every operation can get, before the application."""
        document = json.loads(json.dumps(api.get_openapi_schema()))
        html = {"text/html": {"schema": {"type": "string"}}}
        for ops in document["paths"].values():
            for operation in ops.values():
                self.assertEqual(operation["responses"]["414"]["content"], html, operation["operationId"])

    def test_every_422_is_documented_as_the_one_invalid_input_shape(self):
        document = json.loads(json.dumps(api.get_openapi_schema()))
        for ops in document["paths"].values():
            for operation in ops.values():
                self.assertEqual(operation["responses"]["422"]["content"]["application/json"]["schema"],
                                 {"$ref": "#/components/schemas/InvalidInput"}, operation["operationId"])
        self.assertEqual(document["components"]["schemas"]["InvalidInput"]["required"], ["detail", "errors"])

    def test_an_operation_keeps_an_answer_it_declares_itself(self):
        add_entry = json.loads(json.dumps(api.get_openapi_schema()))["paths"]["/api/clients/{client_id}/entries"]["post"]
        self.assertEqual(add_entry["responses"]["409"]["content"]["application/json"]["schema"],
                         {"$ref": "#/components/schemas/EntryConflict"})


class UnknownApiPathTestCase(TestCase):  # the session middleware looks the cookie up
    def test_a_path_no_api_route_matches_gets_the_json_404_even_as_a_post_with_a_session_cookie(self):
        """Found by script/fuzz-api: `/api/clients/null` failed the uuid converter and got Django's
        HTML 404 page (or, for a POST with a cookie, the HTML CSRF page)."""
        self.client.cookies["sessionid"] = "not-a-session"
        for method, path in (("get", "/api/clients/null"), ("post", "/api/clients/null,null/consents"),
                             ("get", "/api/no-such-thing/"), ("post", "/api/clients/%C2%A4/consents/%0AZ/withdraw")):
            r = getattr(self.client, method)(path)
            self.assertEqual((r.status_code, r["Content-Type"]), (404, "application/json"), path)
            self.assertEqual(r.json(), {"detail": "Not found."})
