"""One lock order for a client's rows: the client's row first, then its search tokens and the
rest. `destroy_client` and `rebuild_search_index` both change a client and its tokens; taken
in opposite orders, the two deadlock on PostgreSQL."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from coachdossier.accounts.models import Role
from coachdossier.clients import actions
from coachdossier.clients.models import Client, ClientSearchToken, PrincipalKind
from coachdossier.test import NOW, BaseTestCase, make_client, make_user


def _statements(queries) -> list[str]:
    """The statements that read or change rows: the savepoints of nested atomic blocks left out."""
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


class DestructionLockOrderTestCase(BaseTestCase):
    def test_gc_5_4_destruction_locks_the_clients_row_before_it_reads_or_changes_anything_of_theirs(self):
        """GC-5.4: the first statement is the client's row, locked (FOR UPDATE where the database
        has row locks); the search tokens go only after it."""
        client = self.own_client
        with CaptureQueriesContext(connection) as queries:
            actions.destroy_client(actor=self.management, client=client, now=self.now, reason="GC-5.4")
        statements = _statements(queries)
        first = statements[0]
        self.assertTrue(first.startswith("SELECT "), first)
        self.assertIn('FROM "clients_client" WHERE "clients_client"."id" = ', first)
        if connection.features.has_select_for_update:
            self.assertTrue(first.endswith(" FOR UPDATE"), first)
        tokens = [i for i, sql in enumerate(statements) if '"clients_clientsearchtoken"' in sql]
        self.assertTrue(tokens)
        self.assertGreater(min(tokens), 0)

    def test_gc_5_4_a_client_destroyed_meanwhile_is_not_destroyed_again(self):
        """GC-5.4: the check is made under the lock, against the row, not the caller's copy."""
        stale = Client.objects.get(pk=self.own_client.pk)
        actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="GC-5.4")
        with self.assertRaisesMessage(Exception, "This dossier was already destroyed."):
            actions.destroy_client(actor=self.management, client=stale, now=self.now, reason="GC-5.4")


@contextmanager
def _other_session(*, autocommit: bool):
    """Another database session, as another process (a rebuild run) would have."""
    import psycopg

    cfg = connection.settings_dict
    with psycopg.connect(host=cfg["HOST"] or "localhost", port=str(cfg["PORT"] or 5432), user=cfg["USER"] or None,
                         password=cfg["PASSWORD"] or None, dbname=cfg["NAME"], autocommit=autocommit) as other:
        yield other


def _wait_for_a_lock_wait(watcher, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND wait_event_type = 'Lock'").fetchone()[0]
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("destroy_client never waited for the client's row")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_gc_5_4_destruction_waits_for_a_rebuild_batch_holding_the_client_and_leaves_it_the_tokens():
    """GC-5.4: a rebuild batch locks the client's row, then replaces its tokens. A destruction
    started in between waits for the row before it touches a token, so the batch finishes and
    the destruction follows; the other way round, each waited for the other (a deadlock)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
    principal = actions.create_principal(actor=management, name="Bakkerij Broodnodig BV",
                                         kind=PrincipalKind.EMPLOYER, contact_email="hr@example.com")
    client = make_client(actor=management, coach=coach, principal=principal)
    outcome: dict = {}

    def destroy():
        try:
            actions.destroy_client(actor=management, client=Client.objects.get(pk=client.pk), now=NOW,
                                   reason="GC-5.4")
            outcome["destroyed"] = True
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=destroy)
    try:
        with _other_session(autocommit=False) as batch, _other_session(autocommit=True) as watcher:
            batch.execute("SET LOCAL lock_timeout = '5s'")
            batch.execute("SELECT id FROM clients_client WHERE id = %s FOR UPDATE", [client.pk])
            thread.start()
            _wait_for_a_lock_wait(watcher)
            # The batch's second step: the tokens must still be free.
            batch.execute("DELETE FROM clients_clientsearchtoken WHERE client_id = %s", [client.pk])
            batch.commit()
    finally:
        if thread.ident is not None:
            thread.join(30)
    assert outcome == {"destroyed": True}
    assert Client.objects.get(pk=client.pk).destroyed_at == NOW
    assert not ClientSearchToken.objects.filter(client_id=client.pk).exists()
