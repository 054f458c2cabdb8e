"""Test-wide fixtures.

The access log is append-only (database triggers refuse UPDATE, DELETE and TRUNCATE), so the
flush with which a transactional test (live_server, `django_db(transaction=True)`) ends
would fail. Before that flush we open the one documented way out, the prune gate (SQLite),
or disable the guard triggers (PostgreSQL, where TRUNCATE is guarded too); the next test
turns them back on. The chain rows come back through audit's post_migrate handler."""

import pytest

_disabled_on_postgres = False


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _append_only_log_allows_test_flush(request):
    global _disabled_on_postgres
    transactional = _transactional(request)
    if transactional:
        # Set the database up before us, so that its flush runs after our teardown.
        request.getfixturevalue("transactional_db")
    if _disabled_on_postgres and "django_db_setup" in request.fixturenames:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_accesslogentry ENABLE TRIGGER USER")
        _disabled_on_postgres = False
    yield
    if not transactional:
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER USER")
        _disabled_on_postgres = True
    else:
        from coachdossier.audit.models import PruneGate

        PruneGate.objects.update(open=True)
