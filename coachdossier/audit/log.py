"""Appending to and verifying the access log."""

import hashlib
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from . import context
from .models import HASHED_FIELDS, AccessLogEntry, Basis, ChainHead, Outcome, canonical, canonical_time


def _client_ref(client):
    if client is None:
        return None
    return uuid.UUID(str(getattr(client, "public_id", client)))


def record(*, action: str, client=None, obj=None, object_type: str = "", object_ref: str = "",
           outcome: str = Outcome.ALLOWED, basis: str = Basis.SYSTEM, basis_ref="", role: str = "",
           now=None) -> int:
    """Append one entry. Joins the caller's transaction when there is one (so a write and its
    log entry commit together, and a failed write leaves no entry); otherwise it is its own.
    Returns the entry's sequence number."""
    return record_many(action=action, clients=[client], obj=obj, object_type=object_type,
                       object_ref=object_ref, outcome=outcome, basis=basis, basis_ref=basis_ref,
                       role=role, now=now)[0]


def columns() -> dict:
    """The log's concrete fields by attribute name (`actor_id`, not `actor`)."""
    return {f.attname: f for f in AccessLogEntry._meta.concrete_fields}


_INSERT: dict[str, str] = {}


def insert_sql() -> str:
    """One INSERT of a whole entry (its HASHED_FIELDS, then its hash), for `executemany`.
    The SQL in this module is built from the model's own table and column names only; no
    input reaches it (hence the `nosec B608` marks)."""
    table = AccessLogEntry._meta.db_table
    if table not in _INSERT:
        fields = columns()
        names = ", ".join(connection.ops.quote_name(fields[name].column) for name in (*HASHED_FIELDS, "hash"))
        values = ", ".join(["%s"] * (len(HASHED_FIELDS) + 1))
        _INSERT[table] = f"INSERT INTO {table} ({names}) VALUES ({values})"  # nosec B608
    return _INSERT[table]


_HEAD: dict[str, tuple[str, str]] = {}  # by database vendor


def head_sql() -> tuple[str, str]:
    """Reading (locked for update where the database can) and moving the chain head, as
    plain SQL: they run on every logged request, and building the two ORM queries cost more
    than running them."""
    key = connection.vendor
    if key not in _HEAD:
        q = connection.ops.quote_name
        table, seq, hash_ = q(ChainHead._meta.db_table), q("seq"), q("hash")
        lock = f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""
        _HEAD[key] = (f"SELECT {seq}, {hash_} FROM {table} WHERE id = 1{lock}",  # nosec B608
                      f"UPDATE {table} SET {seq} = %s, {hash_} = %s WHERE id = 1")  # nosec B608
    return _HEAD[key]


def record_many(*, action: str, clients, obj=None, object_type: str = "", object_ref: str = "",
                outcome: str = Outcome.ALLOWED, basis: str = Basis.SYSTEM, basis_ref="", role: str = "",
                now=None, bases=None) -> list[int]:
    """Append one entry per client (a list page logs every client it shows). Returns their
    sequence numbers.

    The rows are built as plain tuples and written with one `executemany`: a list page logs
    50 entries per request, and model instances plus `bulk_create` cost more than the page
    itself. The hash covers exactly what `AccessLogEntry.compute_hash` covers (a test
    compares both)."""
    actor = context.current()
    now = now or timezone.now()
    clients = list(clients)
    if not clients:
        return []
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_ref = object_ref or str(getattr(obj, "public_id", obj.pk))
    user = actor.user
    actor_id = user.pk if user is not None else None
    ip, user_agent = actor.ip, actor.user_agent or ""
    fields = columns()
    at_db = fields["at"].get_db_prep_value(now, connection)
    ip_db = fields["ip"].get_db_prep_value(ip, connection)
    ref_field = fields["client_ref"]
    # The canonical text around the per-entry values (seq, client, basis, previous hash).
    at_text = canonical_time(now)
    middle = "\x1f".join(("" if v is None else str(v)) for v in (
        action, object_type, object_ref, outcome))
    tail = "\x1f".join(("" if v is None else str(v)) for v in (actor.channel, ip, user_agent))
    head_text = f"{at_text}\x1f{'' if actor_id is None else actor_id}\x1f{role}"
    sha256 = hashlib.sha256
    read_head, move_head = head_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(read_head)
        seq, prev = cursor.fetchone()
        rows, seqs = [], []
        for i, client in enumerate(clients):
            seq += 1
            b, b_ref = (bases[i] if bases else (basis, basis_ref))
            b_ref = str(b_ref or "")
            ref = _client_ref(client)
            text = (f"{seq}\x1f{head_text}\x1f{'' if ref is None else ref}\x1f{middle}\x1f{b}\x1f{b_ref}"
                    f"\x1f{tail}\x1f{prev}")
            digest = sha256(text.encode()).hexdigest()
            rows.append((seq, at_db, actor_id, role, ref_field.get_db_prep_value(ref, connection), action,
                         object_type, object_ref, outcome, b, b_ref, actor.channel, ip_db, user_agent, prev, digest))
            seqs.append(seq)
            prev = digest
        cursor.executemany(insert_sql(), rows)
        cursor.execute(move_head, [seq, prev])
    return seqs


@dataclass
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def _sqlite_select(where: str = "", order: str = "ORDER BY seq") -> str:
    """(seq, canonical bytes, prev_hash, hash) of the rows `where` selects, in order, built by
    SQLite itself. Turning a million stored timestamps and UUIDs into Python objects costs far
    more than hashing them, so SQLite builds the canonical text from the stored strings (UTC
    "YYYY-MM-DD HH:MM:SS[.ffffff]" and 32 hex digits), exactly as `canonical()` writes it; a
    test compares both."""
    sep = " || char(31) || "

    def text(column):
        return f"COALESCE(CAST({column} AS TEXT), '')"

    at = "replace(at, ' ', 'T') || CASE WHEN length(at) = 19 THEN '.000000' ELSE '' END || 'Z'"
    ref = ("COALESCE(substr(client_ref, 1, 8) || '-' || substr(client_ref, 9, 4) || '-' || substr(client_ref, 13, 4)"
           " || '-' || substr(client_ref, 17, 4) || '-' || substr(client_ref, 21), '')")
    parts = [text("seq"), at, text("actor_id"), text("role"), ref,
             *(text(f) for f in HASHED_FIELDS[5:])]
    # CAST AS BLOB hands back the UTF-8 bytes, so Python does not encode a million strings.
    return (f"SELECT seq, CAST({sep.join(parts)} AS BLOB), prev_hash, hash "  # nosec B608
            f"FROM {AccessLogEntry._meta.db_table}{where} {order}")


def _fetched(cursor, chunk_size):
    """An executed cursor's rows, fetched `chunk_size` at a time."""
    while rows := cursor.fetchmany(chunk_size):
        yield from rows


def _sqlite_rows(chunk_size):
    with connection.cursor() as cursor:
        cursor.execute(_sqlite_select())
        yield from _fetched(cursor, chunk_size)


# --- SQLite in parts --------------------------------------------------------------------------
# Building the canonical text is most of a SQLite verification (about 6 of 7 seconds for a
# million entries here) and SQLite does it on one core. The log is cut into ranges of
# sequence numbers, each walked on its own (in its own process when the database is a file:
# threads contend on SQLite's allocator); a range flags its first row that breaks the
# sequence, its hash or the link to the row before it within the range, and reports its
# first and last rows so that the links across the cuts are checked here. The first flagged
# row, with the row before it, then goes through `verify`'s own loop, as on PostgreSQL.


def _walk(rows, expected: int) -> tuple[int | None, tuple | None, tuple | None]:
    """(first flagged seq or None, (seq, prev_hash) of the first row, (seq, hash) of the last)."""
    sha256 = hashlib.sha256
    first = last = None
    prev = None
    for seq, text, prev_hash, stored_hash in rows:
        if first is None:
            first = (seq, prev_hash)
        elif prev_hash != prev:
            return seq, first, None
        if seq != expected or sha256(text).hexdigest() != stored_hash:
            return seq, first, None
        prev, expected, last = stored_hash, seq + 1, (seq, stored_hash)
    return None, first, last


def _walk_in_process(where: str, params: list, expected: int, chunk_size: int = 20000):
    with connection.cursor() as cursor:
        cursor.execute(_sqlite_select(where), params)
        return _walk(_fetched(cursor, chunk_size), expected)


def _walk_file(path: str, where: str, params: list, expected: int, chunk_size: int = 20000):
    """The same walk in a worker process, on its own read-only connection to the file."""
    import sqlite3

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = db.execute(_sqlite_select(where).replace("%s", "?"), params)
        return _walk(_fetched(cursor, chunk_size), expected)
    finally:
        db.close()


def _sqlite_ranges(head, parts: int) -> list[tuple[str, list, int]]:
    """`parts` ranges covering every row (the first and last open-ended, so rows before the
    anchor or after the head are walked too), as (where, params, first expected seq)."""
    total = max(head.seq - head.base_seq, 0)
    cuts = sorted({head.base_seq + 1 + i * total // parts for i in range(1, parts)})
    if not cuts:
        return [("", [], head.base_seq + 1)]
    ranges = [(" WHERE seq < %s", [cuts[0]], head.base_seq + 1)]
    ranges += [(" WHERE seq >= %s AND seq < %s", [lo, hi], lo) for lo, hi in zip(cuts, cuts[1:])]
    ranges.append((" WHERE seq >= %s", [cuts[-1]], cuts[-1]))
    return ranges


def _sqlite_first_break(head, parts: int, processes: int):
    """([the row before the first flagged row, the flagged row] or [], (seq, hash) of the last row)."""
    ranges = _sqlite_ranges(head, parts)
    if processes > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        path = connection.settings_dict["NAME"]
        connection.close()  # the workers are forked: none may share this connection
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_walk_file, *zip(*((str(path), *r) for r in ranges))))
    else:
        results = [_walk_in_process(*r) for r in ranges]
    last = (head.base_seq, head.base_hash)
    for flagged, first, range_last in results:
        if first is not None and first[1] != last[1]:  # the link across the cut
            flagged = first[0] if flagged is None else min(flagged, first[0])
        if flagged is not None:
            with connection.cursor() as cursor:
                cursor.execute(_sqlite_select(" WHERE seq <= %s", "ORDER BY seq DESC LIMIT 2"), [flagged])
                return list(reversed(cursor.fetchall())), last
        if range_last is not None:
            last = range_last
    return [], last


def _sqlite_can_fork() -> bool:
    """Workers read the file on their own connections: only for a file, and only outside a
    transaction (they could not see its writes, and this connection is closed to fork)."""
    return not connection.is_in_memory_db() and not connection.in_atomic_block  # type: ignore[attr-defined]


def _postgresql_canonical() -> str:
    """The canonical text of a row as PostgreSQL builds it (UTC time with microseconds,
    hyphenated UUID, the address without its prefix length), exactly as `canonical()`
    writes it; a test compares the two."""
    sep = " || chr(31) || "

    def text(column):
        return f"COALESCE(({column})::text, '')"

    at = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    parts = [text("seq"), at, text("actor_id"), text("role"), text("client_ref"),
             *(text("host(ip)") if f == "ip" else text(f) for f in HASHED_FIELDS[5:])]
    return f"convert_to({sep.join(parts)}, 'UTF8')"


def _postgresql_rows(chunk_size):
    """(seq, canonical bytes, prev_hash, hash) read through a server-side cursor, so a million
    rows stream instead of landing in memory at once."""
    sql = (f"SELECT seq, {_postgresql_canonical()}, prev_hash, hash "  # nosec B608
           f"FROM {AccessLogEntry._meta.db_table} ORDER BY seq")
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        yield from _fetched(cursor, chunk_size)


def _postgresql_first_break(head):
    """On PostgreSQL the walk runs inside the database, in two scans: every row's hash
    recomputed with its own sha256() over the same canonical text (a parallel scan: no
    order needed), and every row's sequence number and link compared with its
    predecessor's through a window. Only the first broken row, if any, crosses the wire:
    it is returned with the row before it, as (seq, canonical, prev_hash, hash), for
    `verify`'s loop to judge like on any other database; [] when nothing is broken."""
    table = AccessLogEntry._meta.db_table
    canonical_sql = _postgresql_canonical()
    # `seq + 0`: a plain min(seq) would walk the primary key in order, one row at a time.
    hashes = f"SELECT min(seq + 0) FROM {table} WHERE encode(sha256({canonical_sql}), 'hex') <> hash"  # nosec B608
    links = (f"SELECT min(seq) FROM (SELECT seq, prev_hash, lag(seq) OVER w AS before_seq, "  # nosec B608
             f"lag(hash) OVER w AS before_hash FROM {table} WINDOW w AS (ORDER BY seq)) walk "
             "WHERE seq <> COALESCE(before_seq, %s) + 1 OR prev_hash <> COALESCE(before_hash, %s)")
    with connection.cursor() as cursor:
        cursor.execute(hashes)
        bad_hash = cursor.fetchone()[0]
        cursor.execute(links, [head.base_seq, head.base_hash])
        bad_link = cursor.fetchone()[0]
        found = [seq for seq in (bad_hash, bad_link) if seq is not None]
        if not found:
            return []
        cursor.execute(f"SELECT seq, {canonical_sql}, prev_hash, hash FROM {table} "  # nosec B608
                       f"WHERE seq <= %s ORDER BY seq DESC LIMIT 2", [min(found)])
        return list(reversed(cursor.fetchall()))


def _orm_rows(chunk_size):
    columns = (*HASHED_FIELDS, "hash")
    for row in AccessLogEntry.objects.order_by("seq").values_list(*columns).iterator(chunk_size=chunk_size):
        yield row[0], canonical(row[:15]), row[14], row[15]


def verify(chunk_size: int = 20000, *, parts: int = 1, processes: int = 1) -> Verification:
    """Walk the chain from its anchor: contiguous sequence numbers, each hash recomputed and
    linked to its predecessor, and the head row agreeing with the last entry. Reads raw
    rows, not model instances, so a million entries verify in a few seconds; on PostgreSQL
    the database walks the chain itself and hands over only what is broken. On SQLite,
    `parts` > 1 walks the log in that many ranges, in `processes` worker processes when the
    database is a file (see "SQLite in parts"); the answer is the same."""
    head = ChainHead.objects.get(pk=1)
    expected, prev = head.base_seq + 1, head.base_hash
    broken = None
    if connection.vendor == "postgresql":
        broken = _postgresql_first_break(head)
        if not broken:
            return _check_head(head, *_postgresql_last(head))
    elif connection.vendor == "sqlite" and max(parts, processes) > 1:
        broken, last = _sqlite_first_break(head, max(parts, processes),
                                           processes if _sqlite_can_fork() else 1)
        if not broken:
            return _check_head(head, *last)
    if broken is not None:
        if len(broken) == 2 and broken[0][0] >= expected:  # start the loop from the last good row
            expected, prev = broken[0][0] + 1, broken[0][3]
            broken = broken[1:]
        rows = iter(broken)
    elif connection.vendor == "sqlite":
        rows = _sqlite_rows(chunk_size)
    else:
        rows = _orm_rows(chunk_size)
    sha256 = hashlib.sha256
    # The tight loop: no per-row function calls beyond hashing (a million rows).
    for seq, text, prev_hash, stored_hash in rows:
        if seq != expected or prev_hash != prev or sha256(text).hexdigest() != stored_hash:
            checked = expected - head.base_seq - 1
            if seq != expected:
                kind = "an entry is missing or was inserted" if seq > expected else "entries were reordered"
                return Verification(False, checked, expected, f"{kind}: expected #{expected}, found #{seq}")
            if prev_hash != prev:
                return Verification(False, checked, seq, "the link to the previous entry is broken")
            return Verification(False, checked, seq, "the entry does not match its hash")
        prev = stored_hash
        expected += 1
    return _check_head(head, expected - 1, prev)


def _postgresql_last(head) -> tuple[int, str]:
    """The last entry's sequence number and hash (the anchor when the log is empty)."""
    last = AccessLogEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last or (head.base_seq, head.base_hash)


def _check_head(head, last_seq: int, last_hash: str) -> Verification:
    checked = last_seq - head.base_seq
    if last_seq != head.seq or last_hash != head.hash:
        return Verification(False, checked, last_seq + 1,
                            f"the log ends at #{last_seq} but its head says #{head.seq}")
    return Verification(True, checked)
