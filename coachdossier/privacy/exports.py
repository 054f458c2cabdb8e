"""De-identified exports (GC-6.9 supervision/intervision, GC-6.8 research/education).

The result is pseudonymised, never anonymous (a reader who knows the case may recognise it),
so every export carries `PSEUDONYMISED_LABEL`. Identifiers the system knows are always
replaced, besides what deduce and the project's annotators find: the client's address,
email, phone and BSN (`known_identifiers`), and every name it holds (`known_names`): the
client's, the practice's staff, every principal and its contact person, the recipients of
the client's consents and the people who complained on the client's behalf. They are read
through the sealed accessors for this use only and never logged."""

import csv
import datetime
import hashlib
import io
import json
import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachdossier import audit
from coachdossier.accounts.models import User
from coachdossier.clients import access
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.models import Client, Principal, PrincipalKind
from coachdossier.clients.screening import KnownNames

from .deidentify import PSEUDONYMISED_LABEL, deidentify, find_known


def known_identifiers(client) -> list[str]:
    """The client's own values other than names (those are `known_names`)."""
    p = client.personal
    values = [p.street, f"{p.street} {p.house_number}".strip(), p.postcode, p.city, p.email, p.phone, p.bsn,
              p.date_of_birth]
    values += [t.uwv_order_number for t in client.trajectories.all()]
    return sorted({v.strip() for v in values if v and len(v.strip()) > 1}, key=len, reverse=True)


def practice_names() -> KnownNames:
    """The names every export removes, whichever client it is about (GC-6.8, GC-6.9): staff
    (coaches, substitutes, therapists, management, former staff too), every principal and
    its contact person. A self-paying client's "principal" is a label or the client's own
    name, so it counts as a contact: a person only when it reads as one."""
    principals = list(Principal.objects.values_list("name", "kind", "contact_name"))
    return KnownNames.of(
        people=User.objects.staff().values_list("full_name", flat=True),
        contacts=[c for _n, _k, c in principals] + [n for n, k, _c in principals if k == PrincipalKind.SELF],
        organisations=[n for n, k, _c in principals if k != PrincipalKind.SELF],
    )


def known_names(client, practice: KnownNames) -> KnownNames:
    """The client's name, the recipients of the client's consents (GC-6.4: "dr. K. Ouaali,
    bedrijfsarts") and the complainants of complaints about the client's case, with the
    practice's names."""
    name = client.name
    complaints = list(client.complaints.select_related("complainant_user"))
    return KnownNames.of(
        client=[name.get("first_name", ""), name.get("last_name", "")],
        people=[c.content.get("name", "") for c in complaints]
        + [c.complainant_user.full_name for c in complaints if c.complainant_user],
        contacts=[c.details.get("recipient", "") for c in client.consents.all()],
        shared=practice,
    )


def has_consent(client, kind: str, today: datetime.date, *, umbrella: bool = False) -> bool:
    qs = client.consents.active_on(today).filter(kind=kind)
    if umbrella:
        qs = qs.filter(umbrella_approved_on__isnull=False)
    return qs.exists()


def supervision_summary(client, entries) -> str:
    """The case summary: each chosen entry's date (month only), type, title and text, with
    every identifier replaced by a tag."""
    known, names = known_identifiers(client), known_names(client, practice_names())
    parts = []
    for entry in entries:
        content = entry.current.content
        text = "\n".join(t for t in (content.get("title", ""), content.get("text", "")) if t)
        parts.append(f"## {entry.occurred_on:%Y-%m} · {entry.get_kind_display()}\n"
                     f"{deidentify(text, known_identifiers=known, known_names=names).text}")
    return "\n\n".join(parts)


def identifiable_summary(entries) -> str:
    parts = []
    for entry in entries:
        content = entry.current.content
        parts.append(f"## {entry.occurred_on:%Y-%m-%d} · {entry.get_kind_display()}\n"
                     f"{content.get('title', '')}\n{content.get('text', '')}".rstrip())
    return "\n\n".join(parts)


def leftover_identifiers(client, text: str) -> list[str]:
    """Known identifiers and names still in an edited summary (the coach may have typed one
    back), as written there; whole words only, so "vrede" is no leftover of a client in Ede."""
    return find_known(text, known_identifiers=known_identifiers(client),
                      known_names=known_names(client, practice_names()))


IDENTIFIABLE_NEEDS_CONSENT = gettext_lazy("Identifiable use needs the client's supervision consent (GC-6.9).")


def supervision_entries(client) -> list:
    """GC-6.9: the entries a case summary may draw on: not deleted, never medical ones."""
    return list(client.entries.filter(deleted_at__isnull=True, is_medical=False)
                .prefetch_related("versions").order_by("occurred_on", "pk"))


def supervision_draft(client, chosen, *, identifiable: bool, today: datetime.date) -> str:
    """GC-6.9: the summary of the `chosen` entries for the coach to review and edit:
    de-identified, or as written when the client consented to identifiable use."""
    if not chosen:
        raise ValidationError({"entries": _("Choose at least one entry.")})
    if identifiable and not has_consent(client, "supervision", today):
        raise ValidationError({"identifiable": str(IDENTIFIABLE_NEEDS_CONSENT)})
    return identifiable_summary(chosen) if identifiable else supervision_summary(client, chosen)


def supervision_export(client, grant, text: str, *, identifiable: bool, today: datetime.date, language: str) -> str:
    """GC-6.9: the reviewed summary, labelled, and its export in the access log. Refused when
    identifiable use lacks the client's consent, or an identifier the system knows was typed
    back into a de-identified summary."""
    if identifiable and not has_consent(client, "supervision", today):
        raise ValidationError({"identifiable": str(IDENTIFIABLE_NEEDS_CONSENT)})
    if not identifiable and (left := leftover_identifiers(client, text)):
        raise ValidationError({"summary": _("The summary still contains identifying details: %(items)s. "
                                            "Replace them before downloading.") % {"items": ", ".join(left)}})
    access.log_access(client, grant, "supervision.export_identifiable" if identifiable else "supervision.export")
    return labelled(text, language=language, identifiable=identifiable)


def labelled(text: str, *, language: str, identifiable: bool) -> str:
    if identifiable:
        header = _("IDENTIFIABLE — for supervision with the client's consent (GC-6.9). Do not pass on.")
    else:
        header = (f"{PSEUDONYMISED_LABEL.get(language, PSEUDONYMISED_LABEL['en']).upper()} — "
                  + _("not anonymous: do not add anything that could identify the client."))
    return f"{header}\n\n{text.strip()}\n"


NOTHING_TO_EXPORT = gettext_lazy("None of your clients has both consents (client and umbrella organisation): "
                                 "nothing may be exported (GC-6.8).")


def research_candidates(user, today: datetime.date) -> list[dict]:
    """GC-6.8: the clients `user` may export for research ("research.export": a coach their own,
    management the practice), each with its active research consents and whether both consents
    (the client's and the umbrella organisation's approval) are there."""
    clients = list(Client.objects.visible_to(user, "research.export")
                   .prefetch_related("consents", "trajectories__principal", "trajectories__coach"))
    KeyRing.load(c.public_id for c in clients)
    rows = []
    for c in clients:
        consents = [k for k in c.consents.all() if k.kind == "research" and k.is_active_on(today)]
        rows.append({"client": c, "consents": consents, "eligible": any(k.umbrella_approved_on for k in consents)})
    return rows


def research_export(user, eligible, *, today: datetime.date, date_mode: str, fmt: str,
                    language: str) -> tuple[bytes, str, str]:
    """GC-6.8: the de-identified dataset of the `eligible` clients (content, content type,
    extension); every exported client gets an access-log entry with the basis it was exported on."""
    data = research_rows(eligible, today=today, date_mode=date_mode)
    content, content_type, ext = research_file(data, fmt=fmt, language=language)
    bases = []
    for c in eligible:
        grant = access.grant_for(user, c, "research.export")
        if grant is None:  # eligible clients come from visible_to(user, "research.export")
            raise PermissionDenied
        bases.append((grant.basis, grant.ref))
    audit.record_many(action="research.export", clients=eligible, bases=bases, role=",".join(sorted(user.roles)))
    return content, content_type, ext


def research_rows(clients, *, today: datetime.date, date_mode: str) -> list[dict]:
    """GC-6.8: one row per dossier entry of each consenting client. The client becomes a
    random pseudonym per export; dates are coarsened to the month, or shifted by a random
    per-client offset (±180 days) so intervals within a client stay true."""
    rng = random.Random(secrets.randbits(64))
    rows = []
    practice = practice_names()
    for client in clients:
        pseudonym = "P-" + hashlib.sha256(secrets.token_bytes(16)).hexdigest()[:8]
        offset = datetime.timedelta(days=rng.randint(-180, 180))
        known, names = known_identifiers(client), known_names(client, practice)
        for entry in client.entries.filter(deleted_at__isnull=True, is_medical=False).prefetch_related("versions"):
            content = entry.current.content
            text = "\n".join(t for t in (content.get("title", ""), content.get("text", "")) if t)
            day = entry.occurred_on
            rows.append({
                "client": pseudonym,
                "date": day.strftime("%Y-%m") if date_mode == "month" else (day + offset).isoformat(),
                "kind": entry.kind,
                "text": deidentify(text, known_identifiers=known, known_names=names).text,
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

