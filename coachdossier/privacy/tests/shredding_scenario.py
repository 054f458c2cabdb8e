"""Run by test_backup.py in a child process against real database *files* (the test suite's
own databases live in memory, which has no files to search and cannot be restored into
safely). Each phase prints one line `RESULT <json>`.

    python shredding_scenario.py setup|restore-main|restore-both|tamper|verify|older-release|other-master-key|
                                 restore-elsewhere

Environment: DATABASE_URL, COACHDOSSIER_STATE_DIR, ATTACHMENTS_DIR, COACHDOSSIER_ERASURE_REGISTRY,
COACHDOSSIER_BACKUP_DIR, COACHDOSSIER_KEY_BACKUP_DIR (all under one temporary directory)."""

import io
import json
import os
import shutil
import sys
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachdossier.settings")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from coachdossier.accounts import actions as account_actions  # noqa: E402
from coachdossier.accounts.models import Role  # noqa: E402
from coachdossier.audit.context import Actor, acting  # noqa: E402
from coachdossier.clients import actions  # noqa: E402
from coachdossier.clients.crypto import ClientKey, KeyDestroyed, KeyRing, open_sealed  # noqa: E402
from coachdossier.clients.models import Client, ClientSource, EntryKind, PersonalData, PrincipalKind  # noqa: E402

STATE = Path(os.environ["COACHDOSSIER_STATE_DIR"])
NOW = timezone.make_aware(datetime.datetime(2026, 11, 23, 10, 0))
MARKER = "Zwanenburg-MARKER-7f3c9e"


def sets():
    # The set folders: a root also holds the erasure registry's signed copy.
    main = sorted(p for p in Path(os.environ["COACHDOSSIER_BACKUP_DIR"]).iterdir() if p.is_dir())[0]
    keys = sorted(p for p in Path(os.environ["COACHDOSSIER_KEY_BACKUP_DIR"]).iterdir() if p.is_dir())[0]
    return main, keys


def readable(ref, blob, aad):
    KeyRing.clear()
    try:
        return open_sealed(ref, blob, aad).decode(errors="replace")
    except KeyDestroyed:
        return None


def setup():
    for db in ("default", "keys"):
        call_command("migrate", database=db, verbosity=0)
    management = account_actions.create_user(actor=None, email="m@example.com", full_name="M", roles=[Role.MANAGEMENT],
                                             password="correct horse battery staple")
    coach = account_actions.create_user(actor=None, email="c@example.com", full_name="C", roles=[Role.COACH],
                                        password="correct horse battery staple")
    principal = actions.create_principal(actor=management, name="Werkgever", kind=PrincipalKind.EMPLOYER)
    with acting(Actor(user=management, channel="command")):
        client = actions.register_client(actor=management, now=NOW, principal=principal,
                                         personal=PersonalData(first_name="Zwaantje", last_name=MARKER,
                                                               email="zwaantje@example.com"))
        actions.open_trajectory(actor=management, client=client, principal=principal, coach=coach,
                                source=ClientSource.UMBRELLA, now=NOW, goal_text="Werk")
        keeper = actions.register_client(actor=management, now=NOW, principal=principal,
                                         personal=PersonalData(first_name="Blijft", last_name="Bewaard"))
        outbox(client, keeper)
        entry = actions.add_entry(actor=coach, client=client, kind=EntryKind.NOTE, occurred_on=NOW.date(),
                                  title="Gesprek", text=f"Notitie {MARKER} over het gesprek.", now=NOW,
                                  files=[SimpleUploadedFile("n.pdf", b"%PDF-1.4\n" + MARKER.encode() + b"\n%%EOF")])
    client.refresh_from_db()
    KeyRing.clear()
    dek = KeyRing.get(client.public_id)
    wrapped = bytes(ClientKey.objects.get(client_ref=client.public_id).wrapped)
    version = entry.versions.get()
    needles = {"marker": MARKER.encode().hex(), "dek": dek.hex(), "wrapped_key": wrapped.hex(),
               "name_sealed": bytes(client.name_sealed)[-32:].hex(), "entry_sealed": bytes(version.sealed)[-32:].hex()}
    name_before = readable(client.public_id, bytes(client.name_sealed), client.aad("name"))
    os.umask(0o022)  # cron's: what the backup makes must still be its owner's only
    call_command("backup", stdout=open(os.devnull, "w"))
    main, keys = sets()
    modes = {f"{'dir' if path.is_dir() else 'file'} {oct(path.stat().st_mode & 0o777)}"
             for root in (main, keys) for path in (root, *root.rglob("*"))}
    with acting(Actor(user=management, channel="command")):
        actions.destroy_client(actor=management, client=client, now=NOW, reason="request")
    call_command("run_daily", now=NOW.isoformat(), stdout=open(os.devnull, "w"))
    for alias in ("default", "keys"):
        with connections[alias].cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"name_before": name_before, "client": str(client.public_id), "keeper": str(keeper.public_id), "needles": needles,
            "modes": sorted(modes),
            "name_aad": client.aad("name"), "name_sealed": bytes(client.name_sealed).hex() if client.name_sealed else "",
            "entry_aad": version.aad(), "entry_sealed": bytes(version.sealed).hex()}


def outbox(client, keeper):
    """Mail to the client's personal address (linked, as an invitation is) and to their login
    (unlinked, as a row written before the link), and to the other client: in the backup."""
    from coachdossier.accounts.outbox import queue

    login = account_actions.create_user(actor=None, email="zwaantje-login@example.com", full_name="Zwaantje",
                                        roles=[Role.CLIENT], password="correct horse battery staple")
    client.user = login
    client.save(update_fields=["user"])
    queue("portal-destruction-done", ["zwaantje@example.com"], {}, deliver_after_commit=False,
          client_ref=client.public_id)
    queue("portal-destruction-done", ["zwaantje-login@example.com"], {}, deliver_after_commit=False)
    queue("portal-destruction-done", ["blijft@example.com"], {}, deliver_after_commit=False,
          client_ref=keeper.public_id)


def state(info):
    from coachdossier.accounts.models import OutgoingMail

    client = Client.objects.get(public_id=info["client"])
    return {
        "outbox_to": sorted(a for to in OutgoingMail.objects.values_list("to", flat=True) for a in to),
        "destroyed": client.destroyed_at is not None,
        "name_sealed_empty": not bytes(client.name_sealed),
        "key_present": ClientKey.objects.filter(client_ref=info["client"]).exists(),
        "backup_name_readable": readable(info["client"], bytes.fromhex(info["backup_name_sealed"]), info["name_aad"]),
        "backup_entry_readable": readable(info["client"], bytes.fromhex(info["entry_sealed"]), info["entry_aad"]),
        "keeper_name": Client.objects.get(public_id=info["keeper"]).display_name,
        "entries_left": client.entries.count(),
    }


def restore(info, *, with_keys):
    main, keys = sets()
    args = [str(main)] + (["--keys", str(keys)] if with_keys else [])
    out = io.StringIO()
    call_command("restore", *args, stdout=out)
    return {**state(info), "output": out.getvalue()}


def restore_elsewhere(info):
    """GC-5.4: the restore on another host (the first one lost): its erasure registry never heard
    of the destruction, and both sets restored predate it. The signed copy at the backup roots,
    written by the nightly backup after the destruction, still has the client erased again."""
    call_command("backup", stdout=open(os.devnull, "w"))  # the next night's, which knows the destruction
    registry = Path(os.environ["COACHDOSSIER_ERASURE_REGISTRY"])
    for path in (registry, *registry.parent.glob(registry.name + "-*")):
        path.unlink()
    return restore(info, with_keys=True)


def tamper(info):
    main, keys = sets()
    results = {}
    for name, damage in (("file", "database.sqlite3"), ("manifest", "manifest.json")):
        copy = STATE / f"tampered-{name}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(main, copy)
        target = copy / damage
        data = bytearray(target.read_bytes())
        if damage == "manifest.json":
            data = data.replace(b'"format": 1', b'"format": 2')
        else:
            data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
        before = Client.objects.count(), Client.objects.filter(destroyed_at__isnull=True).count()
        try:
            call_command("restore", str(copy), stdout=open(os.devnull, "w"))
            results[name] = {"refused": False}
        except CommandError as exc:
            after = Client.objects.count(), Client.objects.filter(destroyed_at__isnull=True).count()
            results[name] = {"refused": True, "message": str(exc), "unchanged": before == after}
    return results


def verify(info):
    from coachdossier.privacy.models import BackupRun

    main, keys = sets()
    call_command("backup", verify=main, stdout=open(os.devnull, "w"))
    call_command("backup", verify=keys, stdout=open(os.devnull, "w"))
    return {"runs": list(BackupRun.objects.filter(kind="verify").values_list("ok", flat=True))}


def older_release(info):
    """The main set as an earlier release made it: without accounts' last migration (the
    outbox's client_ref column, which the erasure replay uses). Restored, it is migrated to
    this release before the replay runs."""
    import hashlib
    import sqlite3

    from coachdossier.privacy import signing

    main, _ = sets()
    copy = STATE / "older-release"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(main, copy)
    database = copy / "database.sqlite3"
    with closing(sqlite3.connect(database)) as conn, conn:
        for (index,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'accounts_outgoingmail' AND sql LIKE '%client_ref%'").fetchall():
            conn.execute(f'DROP INDEX "{index}"')
        conn.execute("ALTER TABLE accounts_outgoingmail DROP COLUMN client_ref")
        # That release knew accounts' migrations up to 0002: forget 0003 and every later one.
        conn.execute("DELETE FROM django_migrations WHERE app = 'accounts' AND name >= '0003'")
        counts = {"django_migrations": conn.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]}
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["database.sqlite3"] = hashlib.sha256(database.read_bytes()).hexdigest()
    manifest["tables"].update(counts)
    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
    (copy / "manifest.json").write_bytes(data)
    (copy / "manifest.sig").write_text(signing.sign(data))
    out = io.StringIO()
    call_command("restore", str(copy), stdout=out)
    from coachdossier.accounts.models import OutgoingMail

    columns = {f.name for f in connections["default"].introspection.get_table_description(
        connections["default"].cursor(), "accounts_outgoingmail")}
    return {"output": out.getvalue(), "client_ref_column": "client_ref" in columns,
            "outbox_to": sorted(a for to in OutgoingMail.objects.values_list("to", flat=True) for a in to)}


def other_master_key(info):
    """The environment holds another master key than the one the key-store set's data keys are
    wrapped under (a rotation removed it): the set is refused, and says which key it needs."""
    import base64

    from django.conf import settings

    main, keys = sets()
    settings.MASTER_KEYS = "k9:" + base64.b64encode(os.urandom(32)).decode()
    try:
        call_command("restore", "--keys", str(keys), stdout=open(os.devnull, "w"))
        return {"refused": False}
    except CommandError as exc:
        return {"refused": True, "message": str(exc)}


if __name__ == "__main__":
    phase = sys.argv[1]
    info_path = STATE / "scenario.json"
    if phase == "setup":
        result = setup()
        main, _ = sets()
        # The name as it is in the backup (the live row is emptied by the destruction).
        import sqlite3

        with sqlite3.connect(main / "database.sqlite3") as conn:
            blob = conn.execute("SELECT name_sealed FROM clients_client WHERE public_id = ?",
                                (result["client"].replace("-", ""),)).fetchone()[0]
        result["backup_name_sealed"] = bytes(blob).hex()
        info_path.write_text(json.dumps(result))
    else:
        info = json.loads(info_path.read_text())
        result = {"restore-main": lambda: restore(info, with_keys=False),
                  "restore-both": lambda: restore(info, with_keys=True),
                  "tamper": lambda: tamper(info), "verify": lambda: verify(info),
                  "older-release": lambda: older_release(info),
                  "other-master-key": lambda: other_master_key(info),
                  "restore-elsewhere": lambda: restore_elsewhere(info)}[phase]()
    print("RESULT " + json.dumps(result))
