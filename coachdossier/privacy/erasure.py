"""The erasure registry (GC-5.4 with backups): which clients were destroyed, and when.

It holds identifiers only (the client's public id and the time), no personal data, and it
lives in a small SQLite file of its own, *outside* both databases and outside every
backup's restore path: restoring the main database or the key store from a backup never
rolls it back. After any restore it is replayed, so a restored database never brings an
erased client back (their data key is destroyed again and their record made a tombstone).

Location: settings.ERASURE_REGISTRY_PATH if set, else $COACHDOSSIER_ERASURE_REGISTRY, else
var/erasure-registry.sqlite3. Keep it on durable storage; a backup also carries a copy
(erasures.json), merged in on restore, so losing the file loses nothing a backup knew."""

import datetime
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import transaction


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
