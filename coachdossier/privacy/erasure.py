"""The erasure registry (GC-5.4 with backups): which clients were destroyed, and when.

It holds identifiers only (the client's public id and the time), no personal data, and it
lives in a small SQLite file of its own, *outside* both databases and outside every
backup's restore path: restoring the main database or the key store from a backup never
rolls it back. After any restore it is replayed, so a restored database never brings an
erased client back (their data key is destroyed again and their record made a tombstone).

Location: settings.ERASURE_REGISTRY_PATH if set, else $COACHDOSSIER_ERASURE_REGISTRY, else
var/erasure-registry.sqlite3. Keep it on durable storage. The file is this host's only: a
restore on another host (the first one lost) would know only what the restored sets knew, and
a set older than a destruction, restored there with its key-store set, brought the client back.
So the registry also travels with the backups: every main and key-store set carries a copy
(erasures.json, in its signed manifest), and each backup root holds a signed copy of the whole
registry (erasures.json at the root), rewritten by every backup, so an older set restored
elsewhere still learns what the newest backup knew. A restore merges all of them.

Not covered: a destruction after the last backup, and the host lost before the next one. Only
this host's file knew it; the newest sets bring the client back. The application does not write
to the backup media itself (its systemd unit may not: a compromised web process must not reach
the backups), so that window is as long as the time between backups."""

import datetime
import json
import logging
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import transaction

MIRROR = "erasures.json"
security_log = logging.getLogger("coachdossier.security")


def registry_path() -> Path:
    configured = getattr(settings, "ERASURE_REGISTRY_PATH", None) or os.getenv("COACHDOSSIER_ERASURE_REGISTRY")
    name = "test-erasure-registry.sqlite3" if settings.TESTING else "erasure-registry.sqlite3"
    return Path(configured or settings.LOCAL_STATE_DIR / name)


def _connect() -> sqlite3.Connection:
    path = registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS erasure (client_ref TEXT PRIMARY KEY, destroyed_at TEXT NOT NULL)")
    return conn


def record(client_ref, destroyed_at: datetime.datetime) -> None:
    with closing(_connect()) as conn, conn:
        conn.execute("INSERT OR IGNORE INTO erasure VALUES (?, ?)", (str(client_ref), destroyed_at.isoformat()))


def entries() -> list[tuple[str, str]]:
    with closing(_connect()) as conn:
        return conn.execute("SELECT client_ref, destroyed_at FROM erasure ORDER BY destroyed_at").fetchall()


def merge(items) -> int:
    """Add entries from a backup's copy (never removes any)."""
    with closing(_connect()) as conn, conn:
        before = conn.total_changes
        conn.executemany("INSERT OR IGNORE INTO erasure VALUES (?, ?)", [(str(r), str(a)) for r, a in items])
        return conn.total_changes - before


def on_client_destroyed(*, client, actor, now):
    """clients.hooks.CLIENT_DESTROYED: note the erasure once the destruction has committed
    (a rolled-back destruction must not be replayed on a live client)."""
    ref = client.public_id
    transaction.on_commit(lambda: record(ref, now))


def mirror(roots) -> list[str]:
    """Write the whole registry, signed, to each backup root (`<root>/erasures.json`): ids and
    times only. Returns what could not be written (the backup reports it as a failure)."""
    from . import signing

    problems = []
    # The registry's write lock while reading and writing: a destruction recorded meanwhile
    # waits, so two backups at once never leave an older copy over a newer one.
    with closing(_connect()) as conn:
        conn.execute("BEGIN IMMEDIATE")
        rows = conn.execute("SELECT client_ref, destroyed_at FROM erasure ORDER BY destroyed_at").fetchall()
        data = json.dumps(rows)
        body = json.dumps({"entries": rows, "signature": signing.sign(data.encode())})
        for root in roots:
            try:
                Path(root).mkdir(parents=True, exist_ok=True, mode=0o700)
                with tempfile.NamedTemporaryFile("w", dir=root, prefix=f".{MIRROR}.", delete=False) as fh:
                    fh.write(body)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(fh.name, Path(root) / MIRROR)  # whole or not at all
            except OSError as exc:
                security_log.warning("erasure registry: cannot write its copy to %s: %s", root, exc)
                problems.append(f"{root}: {exc}")
        conn.rollback()
    return problems


def from_mirrors(roots) -> tuple[list, list[str]]:
    """The entries of the signed copies in these backup roots, and what was wrong with any
    (a copy whose signature does not verify is not used: it could name a live client)."""
    from . import signing

    found, problems = [], []
    for root in dict.fromkeys(Path(r) for r in roots):
        path = root / MIRROR
        if not path.exists():
            continue
        try:
            copy = json.loads(path.read_text())
            data = json.dumps(copy["entries"]).encode()
            if not signing.verify(data, copy["signature"]):
                raise ValueError("its signature does not verify")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path}: not used ({exc})")
            continue
        found += [tuple(item) for item in copy["entries"]]
    return found, problems


def sync() -> int:
    """Catch up on destructions whose on-commit step did not run (a crash in between)."""
    from coachdossier.clients.models import Client

    rows = Client.objects.filter(destroyed_at__isnull=False).values_list("public_id", "destroyed_at")
    return merge((str(ref), at.isoformat()) for ref, at in rows)


def replay(*, now) -> int:
    """After a restore: destroy again every erased client's key and content. Returns how many
    clients had come back with the restore."""
    from coachdossier import audit
    from coachdossier.audit.models import Basis
    from coachdossier.clients import crypto
    from coachdossier.clients.models import Client

    revived = 0
    for ref, destroyed_at in entries():
        crypto.KeyRing.destroy(ref)  # first the key: from here on nothing of them is readable
        client = Client.objects.filter(public_id=ref, destroyed_at__isnull=True).first()
        if client is None:
            continue
        revived += 1
        with transaction.atomic():
            _tombstone(client, datetime.datetime.fromisoformat(destroyed_at))
            audit.record(action="client.erasure_replay", client=client, obj=client, basis=Basis.SYSTEM, now=now)
    return revived


def _tombstone(client, destroyed_at):
    """What destroy_client leaves, without asking for blockers: the erasure already happened
    lawfully; the restore merely brought back a copy."""
    from django.core.files.storage import default_storage

    from coachdossier.accounts import outbox
    from coachdossier.clients import hooks
    from coachdossier.clients.actions import mail_addresses
    from coachdossier.clients.models import Attachment, BreakGlass, ClientSearchToken, Consent, DossierEntry, Referral

    # The backup's outbox is back too: the client's mail goes again, found by its link and by
    # the login address (the personal one is unreadable now, its key went first).
    addresses = mail_addresses(client)
    for fn in hooks.CLIENT_DESTROYED:
        if fn is not on_client_destroyed:
            fn(client=client, actor=None, now=destroyed_at)
    outbox.forget_client(client_ref=client.public_id, addresses=addresses)
    files = list(Attachment.objects.filter(entry__client=client).values_list("storage_name", flat=True))
    Consent.objects.filter(client=client).delete()
    DossierEntry.objects.filter(client=client).delete()
    for model in (BreakGlass, Referral, ClientSearchToken):
        model.objects.filter(client=client).delete()
    client.trajectories.all().delete()
    if client.user_id:
        user = client.user
        user.email, user.full_name, user.is_active = f"destroyed-{client.public_id}@invalid", "", False
        user.set_unusable_password()
        user.save()
    client.name_sealed = b""
    client.personal_sealed = b""
    client.destroyed_at = destroyed_at
    client.save(update_fields=["name_sealed", "personal_sealed", "destroyed_at"])
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
