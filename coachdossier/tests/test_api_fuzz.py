"""A quick, in-process version of script/fuzz-api: schemathesis over every API operation as
coach Alice with her personal access token (a few cases per operation). No 5xx, every status
is declared, responses conform to the schema, and none reveals Daan's data (Bob's client). The full run with
thousands of cases per role against gunicorn is `script/fuzz-api`."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, settings

from coachdossier.accounts.actions import create_api_token
from coachdossier.accounts.models import Role
from coachdossier.clients import actions as client_actions
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.models import EntryKind, PrincipalKind
from coachdossier.test import NOW, make_client, make_user

# schemathesis comes with the dev extra (pyproject.toml, requirements.lock).
schemathesis = pytest.importorskip("schemathesis")

MARKER = "FUZZMARKdaan0secret"


@pytest.fixture
def practice(db):
    KeyRing.clear()
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    alice = make_user("alice@example.com", "Alice Coach", Role.COACH)
    bob = make_user("bob@example.com", "Bob Coach", Role.COACH)
    employer = client_actions.create_principal(actor=management, name="Bakkerij", kind=PrincipalKind.EMPLOYER)
    carla = make_client(actor=management, coach=alice, principal=employer)
    daan = make_client(actor=management, coach=bob, principal=employer, first="Daan", last="Jansen")
    client_actions.add_entry(actor=bob, client=daan, kind=EntryKind.FACT, occurred_on=NOW.date(), title="Geheim",
                             text=MARKER, now=NOW)
    _, secret = create_api_token(actor=alice, name="fuzz", now=NOW)
    KeyRing.clear()
    return {"token": secret, "forbidden": [str(daan.public_id), daan.reference, MARKER], "own": carla}


EXCLUDED_CHECKS = ("positive_data_acceptance", "negative_data_rejection",
                   "missing_required_header", "unsupported_method", "ignored_auth", "use_after_free",
                   "ensure_resource_availability")


@pytest.fixture
def connections_kept_open():
    """A bare WSGIHandler fires request_finished, whose close_old_connections would close the
    test's connection mid-transaction on PostgreSQL (Django's test client disconnects it the
    same way)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_api_survives_generated_input_as_a_coach(practice, connections_kept_open, api_limits_raised):
    """GC-2.3: no 5xx, schema-conformant answers, nothing of another coach's client."""
    from hypothesis import given

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    excluded = [getattr(schemathesis.checks, name) for name in EXCLUDED_CHECKS]
    headers = {"Authorization": f"Bearer {practice['token']}"}
    calls = []

    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=5, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            KeyRing.clear()
            response = case.call_and_validate(headers=headers, excluded_checks=excluded)
            calls.append(response.status_code)
            assert response.status_code < 500
            for secret in practice["forbidden"]:
                # In the bytes: a PDF (the complaints procedure, for anyone) is no UTF-8 text.
                assert secret.encode() not in response.content, (
                    f"{case.method} {case.formatted_path} revealed {secret}")

        call()
    assert len(calls) >= 150
