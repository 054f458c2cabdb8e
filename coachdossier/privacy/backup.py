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
PostgreSQL with pg_dump -Fc and restored with pg_restore --clean. A restore refuses a set
whose signature, checksums or database check fail, and says what failed. After every
restore the erasure registry is replayed (erasure.py)."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.conf import settings
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


def _table_counts(alias: str) -> dict:
    with connections[alias].cursor() as cursor:
        tables = connections[alias].introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env(alias: str) -> tuple[list[str], dict]:
    cfg = settings.DATABASES[alias]
    args = ["-h", cfg.get("HOST") or "localhost", "-p", str(cfg.get("PORT") or 5432), "-U", cfg.get("USER") or ""]
    return args, {**os.environ, "PGPASSWORD": cfg.get("PASSWORD") or ""}


def _dump_database(alias: str, folder: Path) -> str:
    if _engine(alias) == "sqlite":
        target = folder / "database.sqlite3"
        with closing(sqlite3.connect(target)) as dest:
            _raw_sqlite(alias).backup(dest)
        return target.name
    target = folder / "database.dump"
    args, env = _pg_env(alias)
    subprocess.run(["pg_dump", "-Fc", "-f", str(target), *args, settings.DATABASES[alias]["NAME"]],
                   env=env, check=True, capture_output=True)
    return target.name


def _write_manifest(folder: Path, kind: str, alias: str, created_at, extra: dict | None = None) -> None:
    files = {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*"))
             if p.is_file() and p.name not in ("manifest.json", "manifest.sig")}
    manifest = {"format": FORMAT, "kind": kind, "engine": _engine(alias), "created_at": created_at.isoformat(),
                "tables": _table_counts(alias), "files": files, "key_id": signing.key_id(), **(extra or {})}
    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
    (folder / "manifest.json").write_bytes(data)
    (folder / "manifest.sig").write_text(signing.sign(data))


def default_roots() -> tuple[Path, Path]:
    base = Path(os.getenv("COACHDOSSIER_BACKUP_DIR") or settings.LOCAL_STATE_DIR / "backups")
    keys = Path(os.getenv("COACHDOSSIER_KEY_BACKUP_DIR") or settings.LOCAL_STATE_DIR / "key-backups")
    return base, keys


def create(*, now, root: Path | None = None, keys_root: Path | None = None) -> Result:
    """Write a main set and a key-store set; return their folders."""
    default_main, default_keys = default_roots()
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    main, keys = Path(root or default_main) / stamp, Path(keys_root or default_keys) / stamp
    main.mkdir(parents=True)
    keys.mkdir(parents=True)
    erasure.sync()
    database = _dump_database("default", main)
    storage_root = Path(default_storage.location)
    if storage_root.exists():
        shutil.copytree(storage_root, main / "files")
    (main / "erasures.json").write_text(json.dumps(erasure.entries()))
    _write_manifest(main, "main", "default", now, {"database": database})
    key_database = _dump_database("keys", keys)
    _write_manifest(keys, "keys", "keys", now, {"database": key_database})
    return Result(main, keys)


def check(folder: Path, *, kind: str | None = None) -> list[str]:
    """Everything wrong with a backup set, without touching the live databases: signature,
    checksums, missing or extra files, and the database copy itself (restored into a scratch
    database and its row counts compared with the manifest's)."""
    folder = Path(folder)
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
                    problems = []
                    for table, expected in manifest["tables"].items():
                        found = dest.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                        if found != expected:
                            problems.append(f"table {table}: {found} rows restored, manifest says {expected}")
                    return problems
            except sqlite3.DatabaseError as exc:
                return [f"the database copy cannot be read: {exc}"]
    try:
        subprocess.run(["pg_restore", "--list", str(path)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        return [f"pg_restore cannot read the dump: {exc}"]
    return []


def _load_database(alias: str, path: Path, engine: str) -> None:
    if engine != _engine(alias):
        raise BackupError(f"the backup is a {engine} database, this installation uses {_engine(alias)}")
    if engine == "sqlite":
        with closing(sqlite3.connect(path)) as src:
            src.backup(_raw_sqlite(alias))
        return
    args, env = _pg_env(alias)
    connections[alias].close()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", settings.DATABASES[alias]["NAME"],
                    *args, str(path)], env=env, check=True, capture_output=True)


def restore(*, main: Path | None = None, keys: Path | None = None, now) -> dict:
    """Restore a main set and/or a key-store set (stop the application first), then replay
    the erasure registry. Refuses, changing nothing, when any set does not verify."""
    if main is None and keys is None:
        raise BackupError("name a main backup set, a key-store backup set, or both")
    problems = []
    for folder, kind in ((main, "main"), (keys, "keys")):
        if folder is not None:
            problems += [f"{kind} set: {p}" for p in check(folder, kind=kind)]
    if problems:
        raise BackupError("restore refused, nothing was changed: " + "; ".join(problems))
    merged = 0
    if main is not None:
        manifest = json.loads((Path(main) / "manifest.json").read_text())
        merged = erasure.merge(json.loads((Path(main) / "erasures.json").read_text()))
        _load_database("default", Path(main) / manifest["database"], manifest["engine"])
        storage_root = Path(default_storage.location)
        if (Path(main) / "files").exists():
            shutil.rmtree(storage_root, ignore_errors=True)
            shutil.copytree(Path(main) / "files", storage_root)
    if keys is not None:
        manifest = json.loads((Path(keys) / "manifest.json").read_text())
        _load_database("keys", Path(keys) / manifest["database"], manifest["engine"])
    from coachdossier.clients.crypto import KeyRing

    KeyRing.clear()
    ContentType.objects.clear_cache()  # ids cached from the database before the restore
    revived = erasure.replay(now=now)
    return {"erasures_merged": merged, "clients_erased_again": revived}
