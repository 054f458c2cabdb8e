"""LAW-NEN7513, GC-2.3: the access log is a hash chain; changing, deleting, inserting or
reordering any entry is detected, and the application cannot update or delete entries."""

import datetime
import io
from contextlib import contextmanager

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase
from django.utils import timezone

from coachdossier import audit
from coachdossier.audit.log import verify
from coachdossier.audit.management.commands.prune_access_log import prune
from coachdossier.audit.models import AccessLogEntry, ChainHead, PruneGate
from coachdossier.test import NOW


def _append_only_sql():
    from importlib import import_module

    return import_module("coachdossier.audit.migrations.0002_append_only")


@contextmanager
def triggers_off():
    """What an attacker with database access does: bypass the append-only triggers."""
    module = _append_only_sql()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks count as pending trigger events, which ALTER TABLE refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER USER")
        else:
            for sql in module.SQLITE_REVERSE:
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE audit_accesslogentry ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for sql in module.SQLITE:
                    cursor.execute(sql)


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class AccessLogTestCase(TestCase):
    def setUp(self):
        self.base = ChainHead.objects.get(pk=1).seq
        for i in range(6):
            audit.record(action=f"test.read{i}", object_type="note", object_ref=str(i),
                         now=NOW + datetime.timedelta(seconds=i))
        self.k = self.base + 3  # the entry we tamper with

    def verify(self):
        return verify()

    def assertBrokenAt(self, seq):
        result = self.verify()
        self.assertFalse(result.ok)
        self.assertEqual(result.first_bad_seq, seq, result.problem)
        err = io.StringIO()
        with self.assertRaises(SystemExit):
            call_command("verify_access_log", stderr=err)
        self.assertIn(f"#{seq}", err.getvalue())

    def test_an_untouched_log_verifies(self):
        self.assertTrue(self.verify().ok)
        out = io.StringIO()
        call_command("verify_access_log", stdout=out)
        self.assertIn("access log OK", out.getvalue())

    def test_a_changed_entry_is_detected(self):
        """LAW-NEN7513"""
        with triggers_off():
            raw("UPDATE audit_accesslogentry SET action = 'test.nothing' WHERE seq = %s", [self.k])
        self.assertBrokenAt(self.k)

    def test_law_nen7513_run_daily_exits_1_with_a_failed_line_when_the_log_is_broken(self):
        """A broken chain was one more line of run_daily's output ("access log BROKEN: ...")
        and the job exited 0: the timer's unit succeeded, nobody was told. It is a failed step
        now, and no checkpoint is signed over the broken log."""
        from coachdossier.privacy.models import Checkpoint

        with triggers_off():
            raw("UPDATE audit_accesslogentry SET action = 'test.nothing' WHERE seq = %s", [self.k])
        out = io.StringIO()
        with self.assertRaises(SystemExit) as exit_:
            call_command("run_daily", now=(NOW + datetime.timedelta(days=1)).isoformat(), stdout=out)
        self.assertEqual(exit_.exception.code, 1)
        self.assertIn(f"FAILED: access_log: the access log is BROKEN at entry #{self.k}", out.getvalue())
        self.assertFalse(Checkpoint.objects.exists())

    def test_a_deleted_entry_is_detected(self):
        """LAW-NEN7513"""
        with triggers_off():
            raw("DELETE FROM audit_accesslogentry WHERE seq = %s", [self.k])
        self.assertBrokenAt(self.k)

    def test_an_inserted_entry_is_detected_even_with_a_correct_hash_of_its_own(self):
        """LAW-NEN7513: an entry slipped in after #k, chained to #k, with the rest renumbered."""
        after = AccessLogEntry.objects.get(seq=self.k)
        with triggers_off():
            raw("UPDATE audit_accesslogentry SET seq = seq + 1000000 WHERE seq > %s", [self.k])
            raw("UPDATE audit_accesslogentry SET seq = seq - 999999 WHERE seq > 1000000")
            forged = AccessLogEntry(seq=self.k + 1, at=after.at, action="test.forged", prev_hash=after.hash,
                                    outcome="allowed")
            forged.hash = forged.compute_hash()
            forged.save(force_insert=True)
        self.assertBrokenAt(self.k + 2)

    def test_an_entry_appended_without_the_head_is_detected(self):
        """LAW-NEN7513"""
        last = AccessLogEntry.objects.order_by("-seq").first()
        with triggers_off():
            forged = AccessLogEntry(seq=last.seq + 1, at=last.at, action="test.forged", prev_hash=last.hash)
            forged.hash = forged.compute_hash()
            forged.save(force_insert=True)
        self.assertFalse(self.verify().ok)

    def test_reordered_entries_are_detected(self):
        """LAW-NEN7513: two entries swap places."""
        with triggers_off():
            raw("UPDATE audit_accesslogentry SET seq = -1 WHERE seq = %s", [self.k])
            raw("UPDATE audit_accesslogentry SET seq = %s WHERE seq = %s", [self.k, self.k + 1])
            raw("UPDATE audit_accesslogentry SET seq = %s WHERE seq = -1", [self.k + 1])
        self.assertBrokenAt(self.k)

    def test_the_database_refuses_update_and_delete_from_the_application(self):
        """LAW-NEN7513: append-only for the application (triggers installed by a migration)."""
        with self.assertRaises(DatabaseError), transaction.atomic():
            AccessLogEntry.objects.filter(seq=self.k).update(action="test.nothing")
        with self.assertRaises(DatabaseError), transaction.atomic():
            AccessLogEntry.objects.filter(seq=self.k).delete()
        with self.assertRaises(DatabaseError), transaction.atomic():
            raw("DELETE FROM audit_accesslogentry")
        self.assertTrue(verify().ok)

    def test_pruning_removes_only_entries_past_the_retention_term_and_keeps_the_chain_verifiable(self):
        """LAW-NEN7513: the documented path out; the chain's anchor moves forward."""
        later = NOW + datetime.timedelta(days=5 * 366)
        audit.record(action="test.recent", now=later)
        removed = prune(now=later + datetime.timedelta(days=1))
        self.assertEqual(removed, self.base + 6)
        self.assertEqual(list(AccessLogEntry.objects.values_list("action", flat=True)), ["test.recent"])
        self.assertTrue(verify().ok)
        self.assertFalse(PruneGate.objects.get(pk=1).open)
        audit.record(action="test.after_prune", now=later)
        self.assertTrue(verify().ok)

    def test_pruning_on_29_february_keeps_every_entry_of_the_last_five_years(self):
        """LAW-NEN7513: on a leap day the cut-off is 28 February five years before, not a crash."""
        leap_day = timezone.make_aware(datetime.datetime(2028, 2, 29, 6, 0))
        audit.record(action="test.old", now=timezone.make_aware(datetime.datetime(2023, 2, 27, 12, 0)))
        audit.record(action="test.kept", now=timezone.make_aware(datetime.datetime(2023, 2, 28, 12, 0)))
        removed = prune(now=leap_day)
        self.assertEqual(removed, self.base + 7)
        self.assertEqual(list(AccessLogEntry.objects.values_list("action", flat=True)), ["test.kept"])
        self.assertTrue(verify().ok)

    def test_a_failed_write_leaves_no_log_entry(self):
        """LAW-NEN7513: the entry joins the caller's transaction."""
        count = AccessLogEntry.objects.count()
        with self.assertRaises(RuntimeError), transaction.atomic():
            audit.record(action="test.rolled_back")
            raise RuntimeError
        self.assertEqual(AccessLogEntry.objects.count(), count)
        self.assertTrue(verify().ok)

    def test_the_fast_sqlite_reader_rebuilds_exactly_the_hashed_text(self):
        """LAW-NEN7513: whole-second times, client references and addresses included."""
        import uuid

        from coachdossier.audit import context, log

        actor = context.Actor(user=None, ip="192.0.2.7", user_agent="Firefox", channel="web")
        with context.acting(actor):
            audit.record(action="test.whole_second", client=uuid.uuid4(), now=NOW.replace(microsecond=0))
            audit.record(action="test.fraction", client=uuid.uuid4(), now=NOW.replace(microsecond=5))
        self.assertTrue(verify().ok)
        readers = {"sqlite": log._sqlite_rows, "postgresql": log._postgresql_rows}
        if connection.vendor in readers:
            fast = [(seq, bytes(text)) for seq, text, _p, _h in readers[connection.vendor](100)]
            orm = [(seq, text) for seq, text, _p, _h in log._orm_rows(100)]
            self.assertEqual(fast, orm)

    def test_a_list_appended_in_one_batch_hashes_every_entry_as_the_model_does(self):
        """LAW-NEN7513: the batch writer (one executemany per list page) stores exactly the hash
        AccessLogEntry.compute_hash gives for each stored row, chained in order."""
        import uuid

        from coachdossier.accounts.models import User
        from coachdossier.audit import context

        user = User.objects.create(email="logger@example.com")
        actor = context.Actor(user=user, ip="2001:db8::5", user_agent="Safari", channel="api")
        refs = [uuid.uuid4() for _ in range(5)]
        with context.acting(actor):
            seqs = audit.record_many(action="client.list", clients=refs, role="coach", now=NOW,
                                     bases=[("substitute", f"consent-{i}") for i in range(5)])
        stored = list(AccessLogEntry.objects.filter(seq__in=seqs).order_by("seq"))
        self.assertEqual([e.client_ref for e in stored], refs)
        self.assertEqual([e.basis_ref for e in stored], [f"consent-{i}" for i in range(5)])
        for previous, entry in zip(stored, stored[1:]):
            self.assertEqual(entry.prev_hash, previous.hash)
        for entry in stored:
            self.assertEqual(entry.hash, entry.compute_hash())
        self.assertTrue(verify().ok)


class AccessLogInRangesTestCase(AccessLogTestCase):
    """LAW-NEN7513: every check above again with the log walked in ranges (as
    `verify_access_log` does on SQLite, one range per core): a tampering at or next to a cut
    between ranges is found, at the same entry and with the same message."""

    def verify(self):
        return verify(parts=4)

    def test_every_range_cut_gives_the_same_answer_as_one_walk(self):
        with triggers_off():
            raw("UPDATE audit_accesslogentry SET action = 'test.nothing' WHERE seq = %s", [self.k])
        whole = verify()
        for parts in range(2, 9):
            ranged = verify(parts=parts)
            self.assertEqual((ranged.ok, ranged.first_bad_seq, ranged.problem),
                             (whole.ok, whole.first_bad_seq, whole.problem), parts)


class AccessLogFileTestCase(TestCase):
    """LAW-NEN7513: on a SQLite file, the ranges are walked in worker processes, each on its
    own read-only connection, and find what one walk finds."""

    def test_worker_processes_walk_a_copy_of_the_log_as_the_test_connection_does(self):
        import sqlite3
        import tempfile

        from coachdossier.audit import log

        if connection.vendor != "sqlite":
            self.skipTest("SQLite only")
        for i in range(9):
            audit.record(action=f"test.read{i}", now=NOW + datetime.timedelta(seconds=i))
        head = ChainHead.objects.get(pk=1)
        with tempfile.NamedTemporaryFile(suffix=".sqlite3") as copy:
            # The log copied row by row through the test's own connection (a backup of the
            # in-memory test database would wait on its shared-cache locks).
            with connection.cursor() as cursor:
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_accesslogentry'")
                (schema,) = cursor.fetchone()
                cursor.execute("SELECT * FROM audit_accesslogentry")
                rows = cursor.fetchall()
            target = sqlite3.connect(copy.name)
            target.execute(schema)
            placeholders = ", ".join("?" * len(rows[0]))  # only question marks: nothing else reaches the SQL
            target.executemany(f"INSERT INTO audit_accesslogentry VALUES ({placeholders})", rows)  # nosec B608
            target.commit()
            target.close()
            ranges = log._sqlite_ranges(head, 3)
            in_process = [log._walk_in_process(*r) for r in ranges]
            in_workers = [log._walk_file(copy.name, *r) for r in ranges]
            self.assertEqual(in_workers, in_process)
            self.assertTrue(all(flagged is None for flagged, _first, _last in in_workers))
            target = sqlite3.connect(copy.name)
            target.execute("UPDATE audit_accesslogentry SET action = 'x' WHERE seq = ?", [head.seq - 2])
            target.commit()
            target.close()
            flagged = [log._walk_file(copy.name, *r)[0] for r in ranges]
            self.assertIn(head.seq - 2, flagged)
