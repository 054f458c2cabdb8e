"""GC-5.4 with backups, LAW-32: backups respect erasure (crypto-shredding), a tampered
backup is refused, and a destroyed client leaves no trace in the database files.

The scenario runs in a child process against real SQLite files (shredding_scenario.py):
the suite's own databases live in memory, which has no files to search."""

import datetime
import io
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
    backup_db = next(p for p in (tmp / "backups").iterdir() if p.is_dir()) / "database.sqlite3"  # not erasures.json
    results["backup_db"] = backup_db.read_bytes()
    for phase in ("restore-main", "restore-both", "tamper", "verify", "other-master-key", "older-release",
                  "restore-elsewhere"):
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
    assert_erased_again(scenario["restore-both"])


def assert_erased_again(state):
    assert "1 client(s) erased again" in state["output"]
    assert not state["key_present"]
    assert state["backup_name_readable"] is None and state["backup_entry_readable"] is None
    assert state["destroyed"] and state["entries_left"] == 0
    assert state["keeper_name"] == "Blijft Bewaard"


def test_gc_5_4_a_restore_on_another_host_whose_registry_never_heard_of_the_erasure_does_not_bring_the_client_back(
        scenario):
    """GC-5.4: the registry file is the host's; the backup roots' signed copy, rewritten by each
    backup, travels with the backups. Both sets restored predate the destruction."""
    assert_erased_again(scenario["restore-elsewhere"])


def test_gc_5_4_a_copy_of_the_erasure_registry_whose_signature_fails_is_not_used(tmp_path):
    """Its entries would erase whoever they name at the next restore: only a signed copy counts."""
    from coachdossier.privacy import erasure

    erasure.record("11111111-1111-1111-1111-111111111111", datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    assert erasure.mirror([tmp_path]) == []
    found, problems = erasure.from_mirrors([tmp_path])
    assert ("11111111-1111-1111-1111-111111111111", "2026-11-01T00:00:00+00:00") in found and problems == []
    copy = json.loads((tmp_path / erasure.MIRROR).read_text())
    copy["entries"].append(["22222222-2222-2222-2222-222222222222", "2026-11-02T00:00:00+00:00"])
    (tmp_path / erasure.MIRROR).write_text(json.dumps(copy))
    found, problems = erasure.from_mirrors([tmp_path])
    assert found == [] and "signature does not verify" in problems[0]


def test_gc_5_4_a_backup_root_the_copy_cannot_be_written_to_is_said(tmp_path):
    from coachdossier.privacy import erasure

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert erasure.mirror([blocked]) != []


def test_gc_5_4_a_restore_takes_the_destroyed_clients_mail_out_of_the_restored_outbox(scenario):
    """GC-5.4, PR-8: the backup's outbox comes back with the client's login and personal
    addresses; the replay deletes their mail (by its link, and by the login address for a row
    without one) and leaves the other client's, with the main database alone or with the keys."""
    for phase in ("restore-main", "restore-both"):
        assert scenario[phase]["outbox_to"] == ["blijft@example.com"], phase


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


def test_law_32_backup_sets_are_their_owners_only_under_crons_umask(scenario):
    """LAW-32: a backup run from cron (umask 022) wrote sets that every local user could read:
    the dump's account emails, password hashes and outbox addresses are plain text."""
    assert set(scenario["setup"]["modes"]) == {"dir 0o700", "file 0o600"}


def test_law_32_a_key_store_set_under_a_master_key_the_environment_lacks_is_refused_naming_it(scenario):
    """LAW-32: after a rotation that removed the old master key, a key-store set taken before it
    verified and restored ("restored."), and then no client could be decrypted. It is refused
    now, before anything changes, naming the master key it needs."""
    result = scenario["other-master-key"]
    assert result["refused"]
    assert "restore refused, nothing was changed" in result["message"]
    assert "its data keys are wrapped under master key(s) '" in result["message"]
    assert "'k9'" not in result["message"] and "COACHDOSSIER_MASTER_KEYS does not hold" in result["message"]


def test_gc_5_4_a_set_from_an_earlier_release_is_migrated_before_the_erasure_replay(scenario):
    """A backup made before an upgrade, restored after it, holds the earlier schema: the
    erasure replay (which uses the outbox's newer client_ref column) failed with a traceback
    and the app was left on the old schema. The restore now migrates first, then replays."""
    result = scenario["older-release"]
    assert "3 migration(s) applied" in result["output"]  # accounts 0003 to 0005
    assert "1 client(s) erased again" in result["output"]
    assert result["client_ref_column"]
    # The replay ran: the mail to the client's login is gone (the set's rows have no link yet,
    # so their personal address, shredded with them, can no longer be matched), the other's stays.
    assert "zwaantje-login@example.com" not in result["outbox_to"] and "blijft@example.com" in result["outbox_to"]


def test_a_set_that_is_not_there_is_named_as_missing_not_as_a_foreign_folder(tmp_path):
    """`backup --verify` and `restore` of a mistyped or relative path said "no manifest.json:
    not a coachdossier backup set", which sends an operator looking inside the wrong folder."""
    from coachdossier.privacy import backup

    [problem] = backup.check(tmp_path / "20261205T063446Z")
    assert problem.endswith("no such folder (a backup set is a folder; a relative path is taken from "
                            f"{Path.cwd()})")
    (tmp_path / "empty").mkdir()
    assert backup.check(tmp_path / "empty") == [f"{tmp_path / 'empty'}: no manifest.json: not a coachdossier backup set"]


def _needs_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql" or not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("needs the suite on PostgreSQL (DATABASE_URL=postgres://..., as in .ci/run's second pass) "
                    "and pg_dump/pg_restore on the PATH")


def _scratch_databases():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%\\_verify\\_%"])
        return {row[0] for row in cursor.fetchall()}


def _resign(folder: Path, change) -> None:
    from coachdossier.privacy import signing

    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
    (folder / "manifest.json").write_bytes(data)
    (folder / "manifest.sig").write_text(signing.sign(data))


@pytest.fixture
def pg_backup(tmp_path):
    """A PostgreSQL backup set of a database with a real client in it (committed, so that
    pg_dump, which reads committed data only, sees it)."""
    _needs_postgresql()
    from django.utils import timezone

    from coachdossier.accounts import actions as account_actions
    from coachdossier.accounts.models import Role
    from coachdossier.audit.context import Actor, acting
    from coachdossier.clients import actions
    from coachdossier.clients.models import ClientSource, EntryKind, PersonalData, PrincipalKind
    from coachdossier.privacy import backup

    now = timezone.now()
    management = account_actions.create_user(actor=None, email="m@example.com", full_name="M", roles=[Role.MANAGEMENT],
                                             password="correct horse battery staple")
    coach = account_actions.create_user(actor=None, email="c@example.com", full_name="C", roles=[Role.COACH],
                                        password="correct horse battery staple")
    principal = actions.create_principal(actor=management, name="Werkgever", kind=PrincipalKind.EMPLOYER)
    with acting(Actor(user=management, channel="command")):
        client = actions.register_client(actor=management, now=now, principal=principal,
                                         personal=PersonalData(first_name="Zwaantje", last_name="Zwanenburg"))
        actions.open_trajectory(actor=management, client=client, principal=principal, coach=coach,
                                source=ClientSource.UMBRELLA, now=now, goal_text="Werk")
        actions.add_entry(actor=coach, client=client, kind=EntryKind.NOTE, occurred_on=now.date(),
                          title="Gesprek", text="Notitie over het gesprek.", now=now)
    result = backup.create(now=now, root=tmp_path / "main", keys_root=tmp_path / "keys")
    return backup, result, client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_law_32_a_postgresql_backup_is_restored_into_a_scratch_database_and_compared(pg_backup):
    """LAW-32, GC-6.6: `backup --verify` on PostgreSQL restores the dump into a scratch
    database `<name>_verify_<random>`, compares row counts and per-table content checksums
    with those the manifest took from pg_dump's own snapshot, drops the scratch database,
    and the result is the security report's last verified restore."""
    from django.core.management import call_command
    from django.utils import timezone

    from coachdossier.privacy import report
    from coachdossier.privacy.models import BackupKind, BackupRun

    backup, result, client = pg_backup
    manifest = json.loads((result.main / "manifest.json").read_text())
    assert (result.main / "database.dump").exists()
    assert manifest["tables"]["clients_client"] >= 1
    assert set(manifest["checksums"]) == set(manifest["tables"])
    keys_manifest = json.loads((result.keys / "manifest.json").read_text())
    assert keys_manifest["tables"] and set(keys_manifest["checksums"]) == set(keys_manifest["tables"])
    before = _scratch_databases()
    assert backup.check(result.main) == [] and backup.check(result.keys) == []
    call_command("backup", verify=result.main, stdout=io.StringIO())
    assert _scratch_databases() == before  # the scratch databases were dropped
    run = BackupRun.objects.get(kind=BackupKind.VERIFY)
    assert run.ok and run.location == str(result.main)
    assert report.security_report(timezone.now())["last_verified"] == run


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_law_32_a_corrupted_postgresql_dump_is_refused_with_what_failed_and_nothing_changes(pg_backup):
    """LAW-32: a dump changed after the backup fails its checksum; restore refuses and the
    live database keeps what it has."""
    from django.utils import timezone

    from coachdossier.clients.models import Client

    backup, result, client = pg_backup
    dump = result.main / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    Client.objects.filter(pk=client.pk).update(reference="NA-BACKUP")
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(main=result.main, now=timezone.now())
    assert "restore refused, nothing was changed" in str(refused.value)
    assert "checksum mismatch: database.dump" in str(refused.value)
    assert Client.objects.get(pk=client.pk).reference == "NA-BACKUP"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_law_32_a_postgresql_dump_whose_content_differs_from_its_source_is_refused(pg_backup):
    """LAW-32: the scratch restore catches what file checksums cannot: a dump that restores,
    but not to the rows the source had at backup time (here: a manifest signed over other
    counts and content, as a broken or swapped dump would give)."""
    from django.utils import timezone

    backup, result, client = pg_backup

    def change(manifest):
        manifest["tables"]["clients_client"] += 1
        manifest["checksums"]["clients_dossierentry"] = "0" * 32

    _resign(result.main, change)
    problems = backup.check(result.main)
    assert any(p.startswith("table clients_client: ") and "rows restored, manifest says" in p for p in problems)
    assert "table clients_dossierentry: content checksum of the restored rows differs from the manifest" in problems
    before = _scratch_databases()
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(main=result.main, now=timezone.now())
    assert "content checksum" in str(refused.value)
    assert _scratch_databases() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_law_32_a_postgresql_restore_replaces_tables_the_backup_does_not_know(pg_backup):
    """LAW-32: the backup from before an upgrade, restored after it. `pg_restore --clean`
    dropped only what the dump holds, so a table of the later release that refers to a
    restored one refused the drops, and the restore stopped half-way with a traceback, the
    database half old, half restored. The restore replaces the database as a whole now."""
    from django.db import connection
    from django.utils import timezone

    from coachdossier.clients.models import Client

    backup, result, client = pg_backup
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_release (id serial PRIMARY KEY, "
                       "client_id bigint NOT NULL REFERENCES clients_client (id))")
        cursor.execute("INSERT INTO later_release (client_id) VALUES (%s)", [client.pk])
    Client.objects.filter(pk=client.pk).update(reference="NA-BACKUP")
    outcome = backup.restore(main=result.main, keys=result.keys, now=timezone.now())
    assert outcome["migrations_applied"] == 0
    assert Client.objects.get(pk=client.pk).reference == client.reference
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('later_release')")
        assert cursor.fetchone()[0] is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_law_32_a_postgresql_restore_that_fails_at_its_last_statement_changes_nothing(pg_backup, monkeypatch):
    """LAW-32: emptying the database and loading the dump are one transaction, so a restore
    that fails anywhere (here: a statement after the last of the dump) leaves the live
    database as it was, and says why in one line."""
    from django.utils import timezone

    from coachdossier.clients.models import Client

    backup, result, client = pg_backup
    real_run = backup._run

    def fails_last(command, env):
        if command[0] == "psql":
            command = [*command, "-c", "SELECT 1/0"]
        return real_run(command, env)

    monkeypatch.setattr(backup, "_run", fails_last)
    Client.objects.filter(pk=client.pk).update(reference="NA-BACKUP")
    with pytest.raises(backup.BackupError, match="psql failed: .*division by zero"):
        backup.restore(main=result.main, now=timezone.now())
    assert Client.objects.get(pk=client.pk).reference == "NA-BACKUP"


def test_law_32_pg_dump_and_the_backups_own_connections_keep_the_database_urls_tls_settings(monkeypatch):
    """LAW-32: DATABASE_URL's `?sslmode=verify-full` reached Django's connection only: the
    backup's own connections and pg_dump, pg_restore and psql fell back to libpq's "prefer",
    talking to a remote server without verifying it."""
    from unittest import mock

    from coachdossier.privacy import backup

    cfg = {"HOST": "db.example.nl", "PORT": "5432", "USER": "u", "PASSWORD": "p", "NAME": "cd",
           "OPTIONS": {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/db-ca.pem"}}
    monkeypatch.setattr(backup, "_pg_settings", lambda alias: cfg)
    _, env = backup._pg_env("default")
    assert env["PGSSLMODE"] == "verify-full" and env["PGSSLROOTCERT"] == "/etc/ssl/db-ca.pem"
    with mock.patch("psycopg.connect") as connect:
        backup._pg_connect("default")
    assert connect.call_args.kwargs["sslmode"] == "verify-full"
    assert connect.call_args.kwargs["sslrootcert"] == "/etc/ssl/db-ca.pem"


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])  # SQLite's backup API waits on open writes
def test_law_32_a_backup_that_dies_half_way_leaves_only_unfinished_sets_that_are_refused(tmp_path, monkeypatch):
    """script/crashtest-server: a backup killed after its main set but during the key store
    left a main set that verified on its own, without its key-store set. Sets are now written
    as `<stamp>.partial` and renamed when complete (key store first), and an unfinished set is
    refused even when what it holds happens to verify."""
    from django.utils import timezone

    from coachdossier.privacy import backup

    real_dump = backup._dump_database

    def dies_in_the_key_store(alias, folder):
        if alias == "keys":
            raise SystemExit("killed")  # the process ends here, as after SIGKILL
        return real_dump(alias, folder)

    monkeypatch.setattr(backup, "_dump_database", dies_in_the_key_store)
    with pytest.raises(SystemExit):
        backup.create(now=timezone.now(), root=tmp_path / "main", keys_root=tmp_path / "keys")
    [main] = (tmp_path / "main").iterdir()
    assert main.name.endswith(".partial") and list((tmp_path / "keys").iterdir())[0].name.endswith(".partial")
    assert (main / "manifest.sig").exists()  # the main set itself was complete and signed
    [problem] = backup.check(main)
    assert "unfinished backup set" in problem
    with pytest.raises(backup.BackupError, match="unfinished"):
        backup.restore(main=main, now=timezone.now())
    assert backup.unfinished(tmp_path / "main", tmp_path / "keys") == sorted(
        [main, *(tmp_path / "keys").iterdir()])

    monkeypatch.setattr(backup, "_dump_database", real_dump)
    result = backup.create(now=timezone.now(), root=tmp_path / "main", keys_root=tmp_path / "keys")
    assert not result.main.name.endswith(".partial") and not result.keys.name.endswith(".partial")
    assert backup.check(result.main) == [] and backup.check(result.keys) == []
