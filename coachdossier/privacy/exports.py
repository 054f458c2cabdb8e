"""De-identified exports (GC-6.9 supervision/intervision, GC-6.8 research/education).

The result is pseudonymised, never anonymous (a reader who knows the case may recognise it),
so every export carries `PSEUDONYMISED_LABEL`. Identifiers the system knows (the client's
name, address, email, phone, BSN, the principal's name, the coach's name) are always
replaced, besides what deduce and the project's annotators find."""

import csv
import datetime
import hashlib
import io
import json
import random
import secrets

from django.utils.translation import gettext as _

from .deidentify import PSEUDONYMISED_LABEL, deidentify


def known_identifiers(client) -> list[str]:
    p = client.personal
    values = [p.first_name, p.last_name, p.full_name, p.street, f"{p.street} {p.house_number}".strip(), p.postcode,
              p.city, p.email, p.phone, p.bsn, p.date_of_birth]
    for t in client.trajectories.all():
        values += [t.principal.name, t.principal.contact_name, t.coach.full_name, t.uwv_order_number]
    return sorted({v.strip() for v in values if v and len(v.strip()) > 1}, key=len, reverse=True)


def has_consent(client, kind: str, today: datetime.date, *, umbrella: bool = False) -> bool:
    qs = client.consents.active_on(today).filter(kind=kind)
    if umbrella:
        qs = qs.filter(umbrella_approved_on__isnull=False)
    return qs.exists()


def supervision_summary(client, entries) -> str:
    """The case summary: each chosen entry's date (month only), type, title and text, with
    every identifier replaced by a tag."""
    known = known_identifiers(client)
    parts = []
    for entry in entries:
        content = entry.current.content
        text = "\n".join(t for t in (content.get("title", ""), content.get("text", "")) if t)
        parts.append(f"## {entry.occurred_on:%Y-%m} · {entry.get_kind_display()}\n"
                     f"{deidentify(text, known_identifiers=known).text}")
    return "\n\n".join(parts)


def identifiable_summary(entries) -> str:
    parts = []
    for entry in entries:
        content = entry.current.content
        parts.append(f"## {entry.occurred_on:%Y-%m-%d} · {entry.get_kind_display()}\n"
                     f"{content.get('title', '')}\n{content.get('text', '')}".rstrip())
    return "\n\n".join(parts)


def leftover_identifiers(client, text: str) -> list[str]:
    """Known identifiers still in an edited summary (the coach may have typed one back)."""
    lowered = text.casefold()
    return [v for v in known_identifiers(client) if len(v) > 2 and v.casefold() in lowered]


def labelled(text: str, *, language: str, identifiable: bool) -> str:
    if identifiable:
        header = _("IDENTIFIABLE — for supervision with the client's consent (GC-6.9). Do not pass on.")
    else:
        header = (f"{PSEUDONYMISED_LABEL.get(language, PSEUDONYMISED_LABEL['en']).upper()} — "
                  + _("not anonymous: do not add anything that could identify the client."))
    return f"{header}\n\n{text.strip()}\n"


def research_rows(clients, *, today: datetime.date, date_mode: str) -> list[dict]:
    """GC-6.8: one row per dossier entry of each consenting client. The client becomes a
    random pseudonym per export; dates are coarsened to the month, or shifted by a random
    per-client offset (±180 days) so intervals within a client stay true."""
    rng = random.Random(secrets.randbits(64))
    rows = []
    for client in clients:
        pseudonym = "P-" + hashlib.sha256(secrets.token_bytes(16)).hexdigest()[:8]
        offset = datetime.timedelta(days=rng.randint(-180, 180))
        known = known_identifiers(client)
        for entry in client.entries.filter(deleted_at__isnull=True, is_medical=False).prefetch_related("versions"):
            content = entry.current.content
            text = "\n".join(t for t in (content.get("title", ""), content.get("text", "")) if t)
            day = entry.occurred_on
            rows.append({
                "client": pseudonym,
                "date": day.strftime("%Y-%m") if date_mode == "month" else (day + offset).isoformat(),
                "kind": entry.kind,
                "text": deidentify(text, known_identifiers=known).text,
            })
    return rows


def research_file(rows, *, fmt: str, language: str) -> tuple[bytes, str, str]:
    label = PSEUDONYMISED_LABEL.get(language, PSEUDONYMISED_LABEL["en"])
    if fmt == "json":
        data = {"label": label, "note": "pseudonymised, not anonymous (GC-6.8)", "records": rows}
        return json.dumps(data, ensure_ascii=False, indent=1).encode(), "application/json", "json"
    buffer = io.StringIO()
    buffer.write(f"# {label}\n")
    writer = csv.DictWriter(buffer, fieldnames=["client", "date", "kind", "text"])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(), "text/csv", "csv"

