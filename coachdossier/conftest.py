"""Test-wide fixtures.

The access log is append-only (database triggers refuse UPDATE, DELETE and TRUNCATE), so the
flush with which a transactional test (live_server, `django_db(transaction=True)`) ends
would fail. Before that flush we empty the log through the one documented way out, the
prune gate (SQLite), or disable the guard triggers (PostgreSQL, where TRUNCATE is guarded
too; the next test turns them back on). The chain rows are restored before each
transactional test (a serialized-rollback flush skips post_migrate)."""

import pytest

from coachdossier.tests import production_server

_disabled_on_postgres = False


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True, scope="session")
def _deduce_reads_the_real_clock():
    """Tests travel to 2026-11-23 (coachdossier.test); deduce's lookup cache, when a test
    builds it, must still carry today's date, or every later process rebuilds it (100 s)."""
    import time

    import time_machine

    from coachdossier.privacy import deidentify

    hatch = time_machine.escape_hatch
    deidentify.real_time = lambda: hatch.time.time() if hatch.is_travelling() else time.time()


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A request leaves its language active in the thread (LocaleMiddleware does not put it
    back), so a test that signed in a Dutch reader made the next module's English assertions
    fail, depending on the order the tests ran in."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _append_only_log_allows_test_flush(request):
    global _disabled_on_postgres
    transactional = _transactional(request)
    if transactional:
        # Set the database up before us, so that its flush runs after our teardown.
        request.getfixturevalue("transactional_db")
        from coachdossier.audit.models import ChainHead, PruneGate

        # A serialized-rollback flush does not run post_migrate: the chain rows may be gone.
        ChainHead.objects.get_or_create(pk=1)
        PruneGate.objects.get_or_create(pk=1)
    if _disabled_on_postgres and "django_db_setup" in request.fixturenames:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_accesslogentry ENABLE TRIGGER USER")
        _disabled_on_postgres = False
    yield
    if not transactional:
        return
    from django.core.cache import cache
    from django.db import connection

    # The cache is a table (login rate limits, used TOTP codes): a TestCase rolls its rows back,
    # a transactional test would leave them for the next one, and the flush does not empty it.
    cache.clear()

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER USER")
        _disabled_on_postgres = True
    else:
        from coachdossier.audit.models import AccessLogEntry, PruneGate

        # Empty the log through the gate ourselves: the flush may empty the gate table first.
        PruneGate.objects.update_or_create(pk=1, defaults={"open": True})
        AccessLogEntry.objects.all().delete()


@pytest.fixture
def api_limits_raised(monkeypatch):
    """The API's throttles (coachdossier/api/throttling.py) out of the way of a test that calls it
    in bulk, such as the in-suite fuzz; the limits themselves are decided in code, not settings."""
    from coachdossier.api.throttling import THROTTLES

    for throttle in THROTTLES:
        monkeypatch.setattr(throttle, "num_requests", 1_000_000)


@pytest.fixture(autouse=True)
def _every_mail_has_one_recipient():
    """GC-6.3, AVG data minimisation: no mail any test sends puts several addresses on its To: or
    Cc: line, where each recipient would see the others' (one message each: accounts.outbox)."""
    yield
    from django.core import mail

    shared = [(message.subject, message.to, message.cc) for message in getattr(mail, "outbox", [])
              if len(message.to) + len(message.cc) > 1]
    assert not shared, f"GC-6.3: mail to several recipients on one line: {shared}"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A serialized-rollback test restores the database's initial rows (content types,
    permissions, the chain rows) before it runs. A plain transactional test before it ended
    with a flush whose post_migrate recreated content types under new ids, so restoring the
    originals would collide (UNIQUE app_label, model). Remove them first: only in the test
    database, only for serialized-rollback tests."""
    marker = item.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("serialized_rollback")):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    name = str(connection.settings_dict["NAME"])
    if not ("memorydb" in name or name.startswith("test_") or "/test_" in name):
        return  # the test database does not exist yet: nothing was flushed before
    with item.config.stash[blocking_manager_key].unblock():
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.all().delete()


@pytest.fixture(scope="session")
def _production_static(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    production_server.collectstatic(root)
    return root


if production_server.wanted():

    @pytest.fixture(scope="session", autouse=True)
    def _end_other_sessions_before_the_test_databases_go(request, django_db_blocker):
        # Asked for by value, not by argument, so that tests without a database do not count
        # as database tests (see _append_only_log_allows_test_flush); torn down before it.
        request.getfixturevalue("django_db_setup")
        yield
        with django_db_blocker.unblock():
            production_server.end_other_sessions()

    @pytest.fixture
    def live_server(request):
        """With COACHDOSSIER_BROWSER_SERVER=gunicorn the browser tests drive gunicorn with
        production settings (DEBUG=false) on the same test databases instead of Django's live
        server thread (tests/production_server.py); it starts on the test's first
        `live_server.url`, in the language the test set by then."""
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.fail("COACHDOSSIER_BROWSER_SERVER=gunicorn needs the suite on PostgreSQL (DATABASE_URL=postgres://"
                        "...): gunicorn's workers cannot see SQLite test databases, which live in this process's "
                        "memory")
        server = production_server.LazyServer(request.getfixturevalue("_production_static"))
        try:
            yield server
        finally:
            server.close()
