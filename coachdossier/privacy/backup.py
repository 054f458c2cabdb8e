"""Backups that respect erasure (GC-5.4, LAW-32).

A backup is two sets, written to two places:

    <backups>/<stamp>/        the main database, the (encrypted) attachments, a copy of the
                              erasure registry (ids only), manifest.json + manifest.sig
    <key-backups>/<stamp>/    the key store, manifest.json + manifest.sig

Every file is listed in its manifest with its SHA-256; the manifest is signed with the
practice's Ed25519 key (signing.py), so changing a file *and* its checksum is caught too.
Keep the key backups on other media than the main backups: a main backup without the key
store cannot decrypt anything, and a destroyed client's key is in no key backup taken after
the destruction (crypto-shredding).

SQLite is copied with the online backup API (a consistent snapshot while the app runs);
PostgreSQL with pg_dump -Fc and restored with pg_restore --clean. The manifest records the
row count of every table, and on PostgreSQL a content checksum of every table, taken from
the very snapshot pg_dump reads (pg_export_snapshot), so they describe exactly the dump.
Verifying a set restores its database into a scratch database (a temporary SQLite file, or
a PostgreSQL database `<name>_verify_<random>` created and dropped for the check) and
compares counts and checksums with the manifest. A restore refuses a set whose signature,
checksums or database check fail, and says what failed. After every restore the erasure
registry is replayed (erasure.py), merged first with the copies the sets and the backup
roots carry."""

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections

from . import erasure, signing

FORMAT = 1


class BackupError(Exception):
    """The backup set cannot be used; the message says what failed."""


@dataclass
class Result:
    main: Path
    keys: Path
    problems: list = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(alias: str) -> str:
    return "sqlite" if connections[alias].vendor == "sqlite" else "postgresql"


def _raw_sqlite(alias: str) -> sqlite3.Connection:
    conn = connections[alias]
    conn.ensure_connection()
    return conn.connection


def _sqlite_counts(conn: sqlite3.Connection) -> dict:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    # Table names from sqlite_master, not from input.
    return {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # nosec B608


def _pg_settings(alias: str) -> dict:
    return connections[alias].settings_dict


# The TLS options of DATABASE_URL (`?sslmode=verify-full&sslrootcert=...`), which Django's own
# connection uses: the backup's connections and pg_dump/pg_restore/psql must use them too, or
# they would talk to a remote database server without verifying it (libpq's default "prefer").
_TLS_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl")


def _tls_options(alias: str) -> dict:
    options = _pg_settings(alias).get("OPTIONS") or {}
    return {name: str(options[name]) for name in _TLS_OPTIONS if options.get(name)}


def _pg_env(alias: str) -> tuple[list[str], dict]:
    cfg = _pg_settings(alias)
    args = ["-h", cfg.get("HOST") or "localhost", "-p", str(cfg.get("PORT") or 5432), "-U", cfg.get("USER") or ""]
    tls = {f"PG{name.upper()}": value for name, value in _tls_options(alias).items()}
    return args, {**os.environ, "PGPASSWORD": cfg.get("PASSWORD") or "", **tls}


def _run(command: list[str], env: dict) -> None:
    """Run a PostgreSQL client program; its failure becomes a BackupError that names the
    program and its own last message (the reason an operator needs: a version mismatch, a
    permission), not a traceback with the command line."""
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not on the PATH (install PostgreSQL's client programs)") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()] or ["no message"]
        errors = [line for line in lines if "ERROR:" in line or "error:" in line]
        raise BackupError(f"{command[0]} failed: {(errors or lines)[0].strip()}")


def _pg_connect(alias: str, dbname: str | None = None, **kwargs):
    """A connection of our own (not Django's): it sees committed data only, in its own snapshot."""
    import psycopg

    cfg = _pg_settings(alias)
    return psycopg.connect(host=cfg.get("HOST") or "localhost", port=str(cfg.get("PORT") or 5432),
                           user=cfg.get("USER") or None, password=cfg.get("PASSWORD") or None,
                           dbname=dbname or cfg["NAME"], connect_timeout=10, **_tls_options(alias), **kwargs)


def _pg_stats(conn) -> tuple[dict, dict]:
    """Row count and content checksum of every table in the current schema. The checksum is
    the md5 of the sorted md5s of the rows' text form: independent of the physical order,
    and any changed, added or lost row changes it."""
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET extra_float_digits = 3")
    tables = [row[0] for row in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]
    counts, checksums = {}, {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        count, digest = conn.execute(
            # A table name from pg_tables, quoted above: no input reaches this SQL.
            f"SELECT COUNT(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "  # nosec B608
            f"FROM {quoted} AS t").fetchone()
        counts[table], checksums[table] = count, digest
    return counts, checksums


def _dump_database(alias: str, folder: Path) -> tuple[str, dict]:
    """Write the database copy; return its file name and what the manifest records of it."""
    if _engine(alias) == "sqlite":
        target = folder / "database.sqlite3"
        with closing(sqlite3.connect(target)) as dest:
            _raw_sqlite(alias).backup(dest)
            return target.name, {"tables": _sqlite_counts(dest)}
    import psycopg

    target = folder / "database.dump"
    args, env = _pg_env(alias)
    with _pg_connect(alias) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(target), *args, _pg_settings(alias)["NAME"]], env)
        counts, checksums = _pg_stats(conn)
    return target.name, {"tables": counts, "checksums": checksums}


def _write_manifest(folder: Path, kind: str, alias: str, created_at, extra: dict) -> None:
    files = {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*"))
             if p.is_file() and p.name not in ("manifest.json", "manifest.sig")}
    manifest = {"format": FORMAT, "kind": kind, "engine": _engine(alias), "created_at": created_at.isoformat(),
                "files": files, "key_id": signing.key_id(), **extra}
    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
    (folder / "manifest.json").write_bytes(data)
    (folder / "manifest.sig").write_text(signing.sign(data))


def stored_files(folder: str = ""):
    """Every file in the attachment store (a local directory or an S3 bucket), by name."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from stored_files(prefix + sub)


def copy_files(target: Path) -> int:
    """Copy every stored file, ciphertext as it is, into `target`; the same for a directory
    and a bucket. Returns the number of files."""
    count = 0
    for name in stored_files():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
        count += 1
    return count


def restore_files(source: Path) -> None:
    """Make the store hold exactly the backup's files: the store's own API, so the same for
    a directory and a bucket. Ciphertext is copied as it is."""
    for name in list(stored_files()):
        default_storage.delete(name)
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        with open(path, "rb") as fh:
            stored = default_storage.save(name, File(fh, name=name))
        if stored != name:
            raise BackupError(f"the store saved {name} as {stored}: it was not empty after clearing it")


def default_roots() -> tuple[Path, Path]:
    # The test suite's own (as erasure.registry_path's): its destructions' copies of the
    # erasure registry must not land among a development installation's backups.
    prefix = "test-" if settings.TESTING else ""
    base = Path(os.getenv("COACHDOSSIER_BACKUP_DIR") or settings.LOCAL_STATE_DIR / f"{prefix}backups")
    keys = Path(os.getenv("COACHDOSSIER_KEY_BACKUP_DIR") or settings.LOCAL_STATE_DIR / f"{prefix}key-backups")
    return base, keys


PARTIAL = ".partial"


def create(*, now, root: Path | None = None, keys_root: Path | None = None) -> Result:
    """Write a main set and a key-store set; return their folders.

    Both are written under `<stamp>.partial` and get their own name only when complete: the
    key-store set first, then the main set. A run that dies half-way (SIGKILL, a full disk)
    leaves `.partial` folders, which `check` refuses, so a main set under its own name always
    has its complete key-store set beside it (script/crashtest-server).

    Whatever the caller's umask (cron's is 022), the sets are for the backup's owner only:
    folders 0700, files 0600. The dump holds account emails, password hashes and the outbox's
    addresses in plain text."""
    old_umask = os.umask(0o077)
    try:
        return _create(now=now, root=root, keys_root=keys_root)
    finally:
        os.umask(old_umask)


def _create(*, now, root: Path | None, keys_root: Path | None) -> Result:
    default_main, default_keys = default_roots()
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    main, keys = Path(root or default_main) / stamp, Path(keys_root or default_keys) / stamp
    main_work, keys_work = main.with_name(stamp + PARTIAL), keys.with_name(stamp + PARTIAL)
    main_work.mkdir(parents=True)
    keys_work.mkdir(parents=True)
    erasure.sync()
    database, stats = _dump_database("default", main_work)
    copy_files(main_work / "files")
    (main_work / erasure.MIRROR).write_text(json.dumps(erasure.entries()))
    _write_manifest(main_work, "main", "default", now, {"database": database, **stats})
    key_database, key_stats = _dump_database("keys", keys_work)
    # GC-5.4: the key-store set knows the erasures too (a key-store set restored alone, on a
    # host whose registry does not know them, must not bring a destroyed client's key back).
    (keys_work / erasure.MIRROR).write_text(json.dumps(erasure.entries()))
    _write_manifest(keys_work, "keys", "keys", now, {"database": key_database, **key_stats})
    _fsync_tree(keys_work)
    _fsync_tree(main_work)
    keys_work.rename(keys)
    main_work.rename(main)
    # GC-5.4: the whole registry at both roots, signed, for a restore of an older set elsewhere.
    problems = erasure.mirror([main.parent, keys.parent])
    if problems:
        raise BackupError("the sets were written, the erasure registry's copy at the backup root was not: "
                          + "; ".join(problems))
    return Result(main, keys)


def _fsync_tree(folder: Path) -> None:
    """The files on disk before the rename makes the set count as complete."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def unfinished(*roots: Path) -> list[Path]:
    """Folders left by interrupted runs (safe to delete once no backup is running)."""
    return sorted(p for root in roots if Path(root).exists() for p in Path(root).glob(f"*{PARTIAL}"))


def check(folder: Path, *, kind: str | None = None) -> list[str]:
    """Everything wrong with a backup set, without touching the live databases: signature,
    checksums, missing or extra files, and the database copy itself (restored into a scratch
    database; its row counts, and on PostgreSQL its per-table content checksums, compared
    with the manifest's)."""
    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder}: no such folder (a backup set is a folder; a relative path is taken from {Path.cwd()})"]
    if folder.name.endswith(PARTIAL):
        return [f"{folder}: an unfinished backup set (its run was interrupted): not a backup to use"]
    manifest_path, sig_path = folder / "manifest.json", folder / "manifest.sig"
    if not manifest_path.exists():
        return [f"{folder}: no manifest.json: not a coachdossier backup set"]
    data = manifest_path.read_bytes()
    if not sig_path.exists() or not signing.verify(data, sig_path.read_text().strip()):
        return ["the manifest's signature does not verify: the manifest was altered or signed with another key"]
    manifest = json.loads(data)
    if kind and manifest.get("kind") != kind:
        return [f"this is a {manifest.get('kind')!r} backup set, not a {kind!r} one"]
    problems = []
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"manifest.json", "manifest.sig"}
    for name, digest in sorted(manifest["files"].items()):
        if name not in present:
            problems.append(f"missing file: {name}")
        elif _sha256(folder / name) != digest:
            problems.append(f"checksum mismatch: {name}")
    for name in sorted(present - set(manifest["files"])):
        problems.append(f"file not in the manifest: {name}")
    if not problems:
        problems += _check_database(folder / manifest["database"], manifest)
    return problems


def _check_database(path: Path, manifest: dict) -> list[str]:
    if manifest["engine"] == "sqlite":
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "scratch.sqlite3"
            try:
                with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(copy)) as dest:
                    src.backup(dest)
                    if (result := dest.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
                        return [f"the database copy fails SQLite's integrity check: {result}"]
                    return _compare(manifest, _sqlite_counts(dest), None) + _master_key_problems(manifest, dest)
            except sqlite3.DatabaseError as exc:
                return [f"the database copy cannot be read: {exc}"]
    return _check_pg_dump(path, manifest)


def _compare(manifest: dict, counts: dict, checksums: dict | None) -> list[str]:
    problems = []
    for table, expected in sorted(manifest["tables"].items()):
        if table not in counts:
            problems.append(f"table {table}: missing from the restored database")
        elif counts[table] != expected:
            problems.append(f"table {table}: {counts[table]} rows restored, manifest says {expected}")
    for table in sorted(set(counts) - set(manifest["tables"])):
        problems.append(f"table {table}: in the restored database, not in the manifest")
    if checksums is not None:
        expected_checksums = manifest.get("checksums")
        if not expected_checksums:
            problems.append("the manifest has no table checksums to compare the restored content with")
        else:
            for table, digest in sorted(expected_checksums.items()):
                if table in checksums and checksums[table] != digest:
                    problems.append(f"table {table}: content checksum of the restored rows differs from the manifest")
    return problems


def _master_key_problems(manifest: dict, restored) -> list[str]:
    """A key-store set is of use only with the master keys its data keys are wrapped under.
    After a rotation that removed the old master key, the sets taken before it still verified
    and restored, and then nothing could be decrypted. `restored` is a connection (sqlite3 or
    psycopg) to the scratch copy."""
    if manifest.get("kind") != "keys" or "keystore_clientkey" not in manifest["tables"]:
        return []
    from coachdossier.clients import crypto

    used = {row[0] for row in restored.execute("SELECT DISTINCT master_key_id FROM keystore_clientkey").fetchall()}
    missing = sorted(used - crypto.configured_master_key_ids())
    if not missing:
        return []
    return [f"its data keys are wrapped under master key(s) {', '.join(repr(m) for m in missing)}, which "
            "COACHDOSSIER_MASTER_KEYS does not hold: restored here, it would decrypt nothing (put that key back "
            "in the environment, behind the current one, to use this set)"]


def _check_pg_dump(path: Path, manifest: dict) -> list[str]:
    """Restore the dump into a scratch database on the same server, compare, drop it."""
    import psycopg

    alias = "keys" if manifest.get("kind") == "keys" else "default"
    if _engine(alias) != "postgresql":
        return [f"a PostgreSQL dump can only be verified on a PostgreSQL installation, this one uses {_engine(alias)}"]
    scratch = f"{_pg_settings(alias)['NAME'][:40]}_verify_{secrets.token_hex(4)}"
    args, env = _pg_env(alias)
    try:
        with _pg_connect(alias, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
    except psycopg.Error as exc:
        return [f"cannot create the scratch database {scratch} for the restore check: {exc}".strip()]
    try:
        done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", scratch,
                               *args, str(path)], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
            return [f"pg_restore into the scratch database failed: {detail}"]
        with _pg_connect(alias, dbname=scratch) as conn:
            counts, checksums = _pg_stats(conn)
            return _compare(manifest, counts, checksums) + _master_key_problems(manifest, conn)
    except OSError as exc:
        return [f"pg_restore cannot be run: {exc}"]
    finally:
        with _pg_connect(alias, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


# Run before the dump's own statements, in the same transaction: the restore replaces the
# database as a whole. `pg_restore --clean` drops only what the dump holds, so a live
# database with tables the backup does not know (a later release's migration: the backup
# from before an upgrade) refused the drops half-way and was left half old, half restored.
_EMPTY_SCHEMA = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.sequencename);
  END LOOP;
  -- Not an extension's own functions (amcheck, pg_trgm): DROP EXTENSION's business, and the
  -- dump says CREATE EXTENSION IF NOT EXISTS.
  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
           WHERE p.pronamespace = current_schema()::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                             AND d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.fn);
  END LOOP;
END $$;
"""


def _load_database(alias: str, path: Path, engine: str) -> None:
    if engine != _engine(alias):
        raise BackupError(f"the backup is a {engine} database, this installation uses {_engine(alias)}")
    if engine == "sqlite":
        with closing(sqlite3.connect(path)) as src:
            src.backup(_raw_sqlite(alias))
        return
    args, env = _pg_env(alias)
    connections[alias].close()
    with tempfile.TemporaryDirectory() as scratch:
        empty, script = Path(scratch) / "empty.sql", Path(scratch) / "restore.sql"
        empty.write_text(_EMPTY_SCHEMA)
        _run(["pg_restore", "--no-owner", "--no-privileges", "-f", str(script), str(path)], env)
        # One transaction: a restore that fails anywhere leaves the database as it was.
        _run(["psql", "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1", *args,
              "-d", _pg_settings(alias)["NAME"], "-f", str(empty), "-f", str(script)], env)


def restore(*, main: Path | None = None, keys: Path | None = None, now) -> dict:
    """Restore a main set and/or a key-store set (stop the application first), bring a set
    made by an earlier release up to this one (`migrate`), then replay the erasure registry.
    Refuses, changing nothing, when any set does not verify or cannot be used here."""
    if main is None and keys is None:
        raise BackupError("name a main backup set, a key-store backup set, or both")
    problems, manifests = [], {}
    for folder, kind, alias in ((main, "main", "default"), (keys, "keys", "keys")):
        if folder is None:
            continue
        found = check(folder, kind=kind)
        if not found:
            manifests[kind] = json.loads((Path(folder) / "manifest.json").read_text())
            if manifests[kind]["engine"] != _engine(alias):
                found = [f"the backup is a {manifests[kind]['engine']} database, this installation uses {_engine(alias)}"]
        problems += [f"{kind} set: {p}" for p in found]
    if problems:
        raise BackupError("restore refused, nothing was changed: " + "; ".join(problems))
    # GC-5.4: everything the backups know about erasures, before anything is restored: the
    # sets' own copies and the signed copies at the roots (newer than any set), so a restore on
    # a host whose registry does not know a destruction still erases the client again.
    known = []
    for folder in (main, keys):
        if folder is not None and (Path(folder) / erasure.MIRROR).exists():
            known += json.loads((Path(folder) / erasure.MIRROR).read_text())
    mirrored, unusable = erasure.from_mirrors([Path(f).parent for f in (main, keys) if f is not None]
                                              + list(default_roots()))
    merged = erasure.merge(known + mirrored)
    if main is not None:
        _load_database("default", Path(main) / manifests["main"]["database"], manifests["main"]["engine"])
        if (Path(main) / "files").exists():
            restore_files(Path(main) / "files")
    if keys is not None:
        try:
            _load_database("keys", Path(keys) / manifests["keys"]["database"], manifests["keys"]["engine"])
        except BackupError as exc:
            if main is None:
                raise
            raise BackupError(f"the main set was restored, the key-store set was not ({exc}): fix that, then "
                              f"restore the key-store set alone (restore --keys {keys})") from exc
    from coachdossier.clients.crypto import KeyRing

    KeyRing.clear()
    ContentType.objects.clear_cache()  # ids cached from the database before the restore
    migrated = _bring_up_to_date()
    revived = erasure.replay(now=now)
    return {"erasures_merged": merged, "clients_erased_again": revived, "migrations_applied": migrated,
            "erasure_copies_not_used": unusable}


def _bring_up_to_date() -> int:
    """A set made by an earlier release holds that release's schema: migrate both databases
    to this one (before the erasure replay, which uses this release's models). Returns the
    number of migrations applied."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    pending = set()  # each migration is recorded in both databases: count it once
    for alias in ("default", "keys"):
        executor = MigrationExecutor(connections[alias])
        pending |= {(migration.app_label, migration.name) for migration, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())}
    if pending:
        call_command("migrate", verbosity=0, interactive=False)
    return len(pending)
