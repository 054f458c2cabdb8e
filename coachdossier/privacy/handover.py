"""The hand-over package for UWV (PR-R4): at the end of a UWV trajectory, everything
traceable to the client as one zip:

    export.json      the client-copy JSON (portal.export's schema when the portal is installed;
                     otherwise this module's own JSON of the records, read with the client's key)
    dossier.pdf      the same content for people
    reports/...      report PDFs from apps that offer them (HANDOVER_FILES)
    attachments/...  every attachment of the dossier
    manifest.json    SHA-256 of every file above

The package is sealed with the client's key and stored, so the exact bytes delivered can be
downloaded again, and vanish with the client (crypto-shredding)."""

import hashlib
import io
import json
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier.clients.actions import read_attachment
from coachdossier.clients.models import Attachment
from coachdossier.lib import pdf


def closed_uwv_trajectories(user) -> list[dict]:
    """PR-R4: the closed UWV trajectories of the dossiers `user` manages that still exist,
    newest first, each with its latest hand-over package (or None)."""
    from coachdossier.clients.models import Client, Trajectory, TrajectoryStatus

    from .models import Handover

    clients = Client.objects.visible_to(user, "privacy.manage").filter(destroyed_at__isnull=True)
    trajectories = list(Trajectory.objects.filter(status=TrajectoryStatus.CLOSED, principal__kind="uwv",
                                                  client__in=clients)
                        .select_related("client", "principal", "coach").order_by("-closed_on"))
    latest = {item.trajectory_id: item
              for item in Handover.objects.filter(trajectory__in=trajectories).order_by("created_at")}
    return [{"trajectory": t, "handover": latest.get(t.pk)} for t in trajectories]


# fn(client) -> list[(path_in_zip, bytes)]: e.g. the reports app's signed report PDFs.
HANDOVER_FILES: list = []


def _portal_export():
    try:
        from coachdossier.portal import export
    except ImportError:
        return None
    return export if hasattr(export, "build_export") else None


def _own_export(client, now) -> dict:
    """Used only when the portal app (and its published schema) is not installed."""
    personal = client.personal
    trajectories = [{
        "id": str(t.public_id), "principal": t.principal.name, "coach": t.coach.full_name, "status": t.status,
        "opened_on": t.opened_on.isoformat(), "closed_on": t.closed_on.isoformat() if t.closed_on else None,
        "uwv_order_number": t.uwv_order_number,
        "goals": [{"number": g.number, **g.content} for g in t.goals.all()],
        "sessions": [{"date": s.date.isoformat(), "minutes": s.minutes, "mode": s.mode} for s in t.sessions.all()],
    } for t in client.trajectories.select_related("principal", "coach").prefetch_related("goals", "sessions")]
    entries = []
    for e in client.entries.filter(deleted_at__isnull=True).prefetch_related("versions", "attachments"):
        current = e.current.content
        entries.append({"id": str(e.public_id), "kind": e.kind, "occurred_on": e.occurred_on.isoformat(),
                        "is_medical": e.is_medical, "title": current.get("title", ""), "text": current.get("text", ""),
                        "attachments": [{"id": str(a.public_id), "filename": a.filename, "path": _path(a)}
                                        for a in e.attachments.all()]})
    return {"format": "coachdossier-handover-1", "generated_at": now.isoformat(),
            "client": {"id": str(client.public_id), "reference": client.reference,
                       "personal_data": {k: getattr(personal, k) for k in ("first_name", "last_name", "date_of_birth",
                                                                           "email", "phone")}},
            "trajectories": trajectories, "entries": entries}


def _path(attachment) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in attachment.filename)[:80]
    return f"attachments/{attachment.public_id}-{safe}"


def _own_pdf(data: dict) -> bytes:
    from .pdfs import letterhead

    sections = [pdf.Section(_("Client"), [pdf.KeyValues([(k, str(v or "—")) for k, v in
                                                         data["client"]["personal_data"].items()])])]
    for e in data["entries"]:
        sections.append(pdf.Section(f"{e['occurred_on']} · {e['title'] or e['kind']}", [pdf.Paragraph(e["text"] or "—")]))
    return pdf.build_document(letterhead=letterhead(), title=_("Hand-over package"),
                              subtitle=data["client"]["reference"], sections=sections)


def build(client, trajectory, *, now) -> tuple[bytes, str, int]:
    """The zip's bytes, which export built it, and the number of files (manifest excluded)."""
    export = _portal_export()
    if export is not None:
        data, source = export.build_export(client, now=now), "portal.export"
        data_bytes, pdf_bytes = export.to_json(data), export.build_pdf(data)
    else:
        data, source = _own_export(client, now), "privacy.handover"
        data_bytes, pdf_bytes = json.dumps(data, ensure_ascii=False, indent=2).encode(), _own_pdf(data)
    files = {"export.json": data_bytes, "dossier.pdf": pdf_bytes}
    for attachment in Attachment.objects.filter(entry__client=client, entry__deleted_at__isnull=True) \
            .select_related("entry__client"):
        files[_path(attachment)] = read_attachment(attachment)
    for fn in HANDOVER_FILES:
        files.update(dict(fn(client)))
    manifest = {
        "client_reference": client.reference, "trajectory": str(trajectory.public_id),
        "uwv_order_number": trajectory.uwv_order_number, "generated_at": timezone.localtime(now).isoformat(),
        "export": source, "files": {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    return buffer.getvalue(), source, len(files)


def pdf_section(rows: list[dict], language: str):
    """portal.export.PDF_SECTIONS: each hand-over to UWV, its files and its delivery."""
    from django.utils.translation import gettext as _

    from coachdossier.lib import pdf
    from coachdossier.portal.export import format_date

    return _("Hand-overs to UWV"), [pdf.Table(
        [_("Prepared"), _("Files"), _("Delivered")],
        [[format_date(h["created_at"], language), str(h["files"]), format_date(h["delivered_at"], language)]
         for h in rows] or [["—", "", ""]], col_widths=(3, 2, 3))]


def export_section(client) -> tuple[str, list[dict]]:
    """For portal.export.EXPORT_SECTIONS: the client's copy shows every hand-over to UWV."""
    from .models import Handover

    return "uwv_handovers", [{"created_at": h.created_at.isoformat(), "sha256": h.sha256, "files": h.file_count,
                              "delivered_at": h.delivered_at.isoformat() if h.delivered_at else None}
                             for h in Handover.objects.filter(client=client).order_by("created_at")]
