"""GC-5.4 with backups, LAW-32: backups respect erasure (crypto-shredding), a tampered
backup is refused, and a destroyed client leaves no trace in the database files.

The scenario runs in a child process against real SQLite files (shredding_scenario.py):
the suite's own databases live in memory, which has no files to search."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("shredding_scenario.py")


def run_phase(tmp: Path, phase: str) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'main.sqlite3'}", "COACHDOSSIER_STATE_DIR": str(tmp),
           "ATTACHMENTS_DIR": str(tmp / "attachments"), "COACHDOSSIER_ERASURE_REGISTRY": str(tmp / "erasure.sqlite3"),
           "COACHDOSSIER_BACKUP_DIR": str(tmp / "backups"), "COACHDOSSIER_KEY_BACKUP_DIR": str(tmp / "key-backups"),
           "DEBUG": "true"}
    env.pop("KEYS_DATABASE_URL", None)
    done = subprocess.run([sys.executable, str(SCRIPT), phase], env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, f"{phase} failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shredding")
    results = {"setup": run_phase(tmp, "setup")}
    results["files"] = {str(p.relative_to(tmp)): p.read_bytes() for p in
                        [tmp / "main.sqlite3", tmp / "keys.sqlite3", *tmp.glob("*.sqlite3-wal"),
                         *(tmp / "attachments").rglob("*")] if p.is_file()}
    backup_db = next((tmp / "backups").iterdir()) / "database.sqlite3"
    results["backup_db"] = backup_db.read_bytes()
    for phase in ("restore-main", "restore-both", "tamper", "verify"):
        results[phase] = run_phase(tmp, phase)
    yield results
    shutil.rmtree(tmp, ignore_errors=True)


def test_gc_5_4_the_database_and_wal_files_hold_no_trace_of_a_destroyed_client(scenario):
    """GC-5.4: with secure_delete on and the WAL checkpointed, neither the marker in the name
    and notes, nor the data key (raw or wrapped), nor the ciphertexts remain in any file."""
    needles = {name: bytes.fromhex(value) for name, value in scenario["setup"]["needles"].items()}
    assert "main.sqlite3" in scenario["files"] and "keys.sqlite3" in scenario["files"]
    found = [(name, path) for path, data in scenario["files"].items() for name, needle in needles.items()
             if needle in data]
    assert found == []


def test_gc_5_4_the_backup_still_holds_the_ciphertext_so_the_search_could_find_it(scenario):
    """Control for the test above: the search does find the ciphertext where it still is."""
    needle = bytes.fromhex(scenario["setup"]["needles"]["name_sealed"])
    assert needle in scenario["backup_db"]


def test_gc_5_4_a_backup_from_before_a_destruction_restored_after_it_reveals_nothing(scenario):
    """GC-5.4, LAW-32: crypto-shredding. The restored main database carries the client's
    ciphertext again, but their key is gone and the erasure registry makes them a tombstone."""
    state = scenario["restore-main"]
    assert state["backup_name_readable"] is None and state["backup_entry_readable"] is None
    assert state["destroyed"] and state["name_sealed_empty"] and state["entries_left"] == 0
    assert not state["key_present"]
    assert "1 client(s) erased again" in state["output"]
    assert state["keeper_name"] == "Blijft Bewaard"  # the other client came back intact


def test_gc_5_4_restoring_the_key_store_too_does_not_bring_the_client_back(scenario):
    """The worst case: main database and key store both from before the destruction. The
    erasure registry, kept outside both, is replayed and destroys the key again."""
    state = scenario["restore-both"]
    assert "1 client(s) erased again" in state["output"]
    assert not state["key_present"]
    assert state["backup_name_readable"] is None and state["backup_entry_readable"] is None
    assert state["destroyed"] and state["entries_left"] == 0
    assert state["keeper_name"] == "Blijft Bewaard"


def test_gc_5_4_the_name_was_readable_before_the_destruction(scenario):
    assert "Zwaantje" in scenario["setup"]["name_before"]


def test_law_32_a_tampered_backup_file_is_refused_with_what_failed_and_nothing_changes(scenario):
    result = scenario["tamper"]["file"]
    assert result["refused"] and result["unchanged"]
    assert "checksum mismatch: database.sqlite3" in result["message"]


def test_law_32_a_tampered_manifest_is_refused_by_its_signature(scenario):
    result = scenario["tamper"]["manifest"]
    assert result["refused"] and result["unchanged"]
    assert "signature does not verify" in result["message"]


def test_backup_verify_checks_both_sets_and_records_the_result(scenario):
    assert scenario["verify"]["runs"] == [True, True]


@pytest.mark.postgres
@pytest.mark.django_db(databases=["default", "keys"])
def test_law_32_a_postgresql_backup_set_is_made_with_pg_dump_and_verifies(tmp_path):
    """The PostgreSQL path (pg_dump -Fc, pg_restore --list), when the suite runs on PostgreSQL
    with the client tools installed; skipped otherwise."""
    from django.db import connection
    from django.utils import timezone

    from coachdossier.privacy import backup

    if connection.vendor != "postgresql" or not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("needs PostgreSQL and its client tools")
    result = backup.create(now=timezone.now(), root=tmp_path / "main", keys_root=tmp_path / "keys")
    assert (result.main / "database.dump").exists()
    assert backup.check(result.main) == [] and backup.check(result.keys) == []
