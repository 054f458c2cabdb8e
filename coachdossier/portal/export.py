"""The client's copy of their dossier (GC-5.1, LAW-15, LAW-20): one JSON document that
follows the published schema (schema/dossier-export.schema.json), a PDF of the same
content for people, and a zip with both and the attachments.

Later apps add their data by appending to EXPORT_SECTIONS a function
`fn(client) -> (key, data)`; the data lands under `extra[key]` in the JSON (any JSON
value) and as a section in the PDF.
"""

import io
import json
import zipfile
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from coachdossier import policy
from coachdossier.clients.actions import read_attachment
from coachdossier.clients.models import ENTRY_KIND_HELP, ConsentKind, TrajectoryStatus
from coachdossier.lib import pdf

from . import accesslog
from .models import ClientRequest, Message, RequestKind, RequestStatus

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "dossier-export.schema.json"
SCHEMA_ID = "https://coachdossier.nl/portal/schema.json"
FORMAT_VERSION = "1"

# fn(client) -> (key, data): questionnaires, measurements and reports plug in here.
EXPORT_SECTIONS: list = []
# key -> fn(data, language) -> (title, [pdf blocks]): how the client reads that section in the
# PDF (GC-5.2). The app that adds the section adds its reading; without one, the PDF prints
# the section's JSON.
PDF_SECTIONS: dict = {}
# fn(client) -> list of {"recipient", "purpose", "data_scope", "date" (ISO)}: every party
# the data went to besides consented disclosures (the reports app adds reports sent). They
# appear in the copy (AVG art. 15(1)(c)) and are listed to be told after a correction or
# destruction (AVG art. 19).
DISCLOSURE_SOURCES: list = []


def _iso(value):
    return value.isoformat() if value else None


def _attachment_path(attachment) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in attachment.filename)[:80]
    return f"attachments/{attachment.public_id}-{safe}"


def build_export(client, *, redacted=(), now=None) -> dict:
    """Everything the practice holds about `client`, as plain data. Entries listed in
    `redacted` (AVG art. 15(4)) appear only as withheld."""
    now = now or timezone.now()
    redacted = {str(r) for r in redacted}
    personal = client.personal
    trajectories = []
    for t in client.trajectories.select_related("principal", "coach").prefetch_related("goals__author", "sessions"):
        trajectories.append({
            "id": str(t.public_id), "principal": t.principal.name, "principal_kind": t.principal.kind,
            "coach": t.coach.full_name, "status": t.status, "opened_on": _iso(t.opened_on),
            "activated_on": _iso(t.activated_on), "closed_on": _iso(t.closed_on),
            "uwv_order_number": t.uwv_order_number, "agreement_date": _iso(t.agreement_date),
            "goals": [{"number": g.number, "text": g.content.get("text", ""), "reason": g.content.get("reason", ""),
                       "author": g.author.full_name, "created_at": _iso(g.created_at)}
                      for g in sorted(t.goals.all(), key=lambda g: g.number)],
            "sessions": [{"date": _iso(s.date), "minutes": s.minutes, "mode": s.mode}
                         for s in sorted(t.sessions.all(), key=lambda s: s.date)],
        })
    entries = []
    for e in (client.entries.filter(deleted_at__isnull=True).select_related("created_by")
              .prefetch_related("versions__author", "attachments").order_by("occurred_on", "pk")):
        withheld = str(e.public_id) in redacted
        versions = [] if withheld or e.withdrawn_at else [{
            "number": v.number, "title": v.content.get("title", ""), "text": v.content.get("text", ""),
            "source": v.content.get("source", ""), "reason": v.content.get("reason", ""),
            "author": v.author.full_name, "created_at": _iso(v.created_at), "is_correction": v.is_correction,
        } for v in sorted(e.versions.all(), key=lambda v: v.number)]
        entries.append({
            "id": str(e.public_id), "kind": e.kind, "kind_label": str(e.get_kind_display()),
            "explanation": str(ENTRY_KIND_HELP[e.kind]), "occurred_on": _iso(e.occurred_on),
            "is_medical": e.is_medical, "withheld": withheld,
            "corrected": any(v["is_correction"] for v in versions),
            "versions": versions, "withdrawn_at": _iso(e.withdrawn_at),
            "attachments": [] if withheld else [
                {"id": str(a.public_id), "filename": a.filename, "content_type": a.content_type, "size": a.size,
                 "path": _attachment_path(a)} for a in e.attachments.all()],
        })
    consents, disclosures = [], []
    for c in client.consents.select_related("substitute"):
        item = {"id": str(c.public_id), "kind": c.kind, "substitute": c.substitute.full_name if c.substitute else "",
                "recipient": c.details.get("recipient", ""), "purpose": c.details.get("purpose", ""),
                "data_scope": c.details.get("data_scope", ""), "valid_from": _iso(c.valid_from),
                "valid_until": _iso(c.valid_until), "given_via": c.given_via, "withdrawn_at": _iso(c.withdrawn_at)}
        consents.append(item)
        if c.kind == "disclosure":
            disclosures.append({"recipient": item["recipient"], "purpose": item["purpose"],
                                "data_scope": item["data_scope"], "date": _iso(c.valid_from), "source": "consent"})
    for fn in DISCLOSURE_SOURCES:
        disclosures += [{"recipient": d["recipient"], "purpose": d.get("purpose", ""),
                         "data_scope": d.get("data_scope", ""), "date": d.get("date"), "source": "report"}
                        for d in fn(client)]
    messages = [{"id": str(m.public_id), "direction": m.direction, "sender": m.sender.full_name, "text": m.body,
                 "created_at": _iso(m.created_at)}
                for m in Message.objects.filter(client=client).select_related("sender")]
    requests = [{"id": str(r.public_id), "kind": r.kind, "status": r.status, "channel": r.channel,
                 "received_on": _iso(r.received_on), "deadline": _iso(r.deadline), "closed_at": _iso(r.closed_at)}
                for r in ClientRequest.objects.filter(client=client).select_related("client")]
    access_log = [{"at": _iso(line.at), "action": line.action, "description": line.sentence,
                   "denied": line.denied, "break_glass": line.break_glass, "reason": line.reason}
                  for line in accesslog.lines_for(client)]
    extra = dict(fn(client) for fn in EXPORT_SECTIONS)
    return {
        "$schema": SCHEMA_ID,
        "format_version": FORMAT_VERSION,
        "generated_at": _iso(now),
        "practice": policy.current().practice_name,
        "client": {"id": str(client.public_id), "reference": client.reference,
                   "personal_data": {k: getattr(personal, k) for k in (
                       "first_name", "last_name", "street", "house_number", "postcode", "city", "email", "phone",
                       "date_of_birth", "bsn", "background")}},
        "trajectories": trajectories,
        "entries": entries,
        "consents": consents,
        "disclosures": disclosures,
        "messages": messages,
        "requests": requests,
        "access_log": access_log,
        "extra": extra,
    }


def to_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def format_date(value: str | None, language: str) -> str:
    """An ISO date or time from the export as the PDF writes it ("4 december 2026")."""
    if not value:
        return "—"
    import datetime

    d = datetime.date.fromisoformat(value[:10])
    return pdf.format_date_nl(d) if language == "nl" else pdf.format_date_en(d)


def _label(choices, value: str) -> str:
    """A stored code as the client reads it ("Correctie", not "correction"); GC-5.2."""
    return str(dict(choices.choices).get(value, value))


def build_pdf(data: dict, *, language: str = "nl") -> bytes:
    """The same content as the JSON, readable by a person."""
    terms = policy.current()
    personal = data["client"]["personal_data"]
    d = lambda v: format_date(v, language)  # noqa: E731
    sections = [pdf.Section(_("Personal data"), [pdf.KeyValues([
        (_("Name"), f"{personal['first_name']} {personal['last_name']}"),
        (_("Address"), f"{personal['street']} {personal['house_number']}, {personal['postcode']} {personal['city']}"),
        (_("Email"), personal["email"] or "—"), (_("Phone"), personal["phone"] or "—"),
        (_("Date of birth"), d(personal["date_of_birth"])), (_("Reference"), data["client"]["reference"]),
    ] + ([(_("BSN"), personal["bsn"])] if personal["bsn"] else []))])]
    for t in data["trajectories"]:
        blocks: list[pdf.Block] = [pdf.KeyValues([(_("Principal"), t["principal"]), (_("Coach"), t["coach"]),
                                 (_("Status"), _label(TrajectoryStatus, t["status"])), (_("Opened"), d(t["opened_on"])),
                                 (_("Closed"), d(t["closed_on"]))])]
        if t["goals"]:
            blocks.append(pdf.Table([_("Version"), _("Goal or question"), _("Date")],
                                    [[g["number"], g["text"] + (f" ({g['reason']})" if g["reason"] else ""),
                                      d(g["created_at"])] for g in t["goals"]], col_widths=(1, 6, 2)))
        sections.append(pdf.Section(_("Trajectory with %(principal)s") % {"principal": t["principal"]}, blocks))
    blocks = []
    for e in data["entries"]:
        blocks.append(pdf.Heading(f"{d(e['occurred_on'])} · {e['kind_label']}"))
        if e["withheld"]:
            blocks.append(pdf.Paragraph(_("Withheld from this copy because it concerns other people "
                                          "(AVG art. 15(4)).")))
            continue
        if e.get("withdrawn_at"):  # GC-5.3
            blocks.append(pdf.Paragraph(_("You withdrew this statement on %(when)s. What it said is no longer in "
                                          "your dossier.") % {"when": d(e["withdrawn_at"])}))
            continue
        for v in reversed(e["versions"]):
            marker = ""
            if v["number"] < len(e["versions"]):
                marker = _("[earlier version, replaced] ")
            if v["is_correction"]:
                marker += _("[corrected at your request] ")
            blocks.append(pdf.Paragraph(f"{marker}{v['title']}\n{v['text']}".strip()))
            blocks.append(pdf.Paragraph(f"{v['author']} · {d(v['created_at'])}"
                                        + (" · " + _("reason") + f": {v['reason']}" if v["reason"] else "")))
        for a in e["attachments"]:
            blocks.append(pdf.Paragraph(_("Attachment: %(name)s (%(size)d bytes)") % {"name": a["filename"],
                                                                                     "size": a["size"]}))
    sections.append(pdf.Section(_("Dossier entries"), blocks or [pdf.Paragraph(_("No entries."))]))
    sections.append(pdf.Section(_("Consents"), [pdf.Table(
        [_("Type"), _("For"), _("Valid"), _("Withdrawn")],
        [[_label(ConsentKind, c["kind"]), c["substitute"] or c["recipient"], f"{d(c['valid_from'])} – {d(c['valid_until'])}",
          d(c["withdrawn_at"])] for c in data["consents"]] or [["—", "", "", ""]], col_widths=(2, 3, 4, 2))]))
    sections.append(pdf.Section(_("Disclosures and reports sent"), [pdf.Table(
        [_("Recipient"), _("Purpose"), _("Date")],
        [[x["recipient"], x["purpose"], d(x["date"])] for x in data["disclosures"]] or [["—", "", ""]],
        col_widths=(3, 4, 2))]))
    sections.append(pdf.Section(_("Messages"), [pdf.Paragraph(f"{d(m['created_at'])} · {m['sender']}\n{m['text']}")
                                                for m in data["messages"]] or [pdf.Paragraph(_("No messages."))]))
    sections.append(pdf.Section(_("Your requests"), [pdf.Table(
        [_("Request"), _("Received"), _("Deadline"), _("Status")],
        [[_label(RequestKind, r["kind"]), d(r["received_on"]), d(r["deadline"]), _label(RequestStatus, r["status"])]
         for r in data["requests"]] or [["—", "", "", ""]],
        col_widths=(3, 2, 2, 2))]))
    for key, value in data["extra"].items():
        if key in PDF_SECTIONS:
            title, section_blocks = PDF_SECTIONS[key](value, language)
            sections.append(pdf.Section(title, section_blocks))
        else:
            sections.append(pdf.Section(key, [pdf.Paragraph(json.dumps(value, ensure_ascii=False, indent=1))]))
    sections.append(pdf.Section(_("Who looked at your dossier"), [pdf.Table(
        [_("When"), _("What")],
        [[line["at"][:16].replace("T", " "), line["description"] + (f" ({line['reason']})" if line["reason"] else "")]
         for line in data["access_log"]] or [["—", ""]], col_widths=(1, 4))]))
    letterhead = pdf.Letterhead(terms.practice_name, terms.practice_address, terms.practice_phone,
                                terms.practice_email)
    return pdf.build_document(letterhead=letterhead, title=_("Copy of your dossier"),
                              subtitle=f"{data['client']['reference']} · {d(data['generated_at'])}",
                              sections=sections, language=language)


def build_zip(client, data: dict, pdf_bytes: bytes) -> bytes:
    """export.json, dossier.pdf and every attachment not withheld."""
    buffer = io.BytesIO()
    wanted = {a["id"]: a["path"] for e in data["entries"] for a in e["attachments"]}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", to_json(data))
        archive.writestr("dossier.pdf", pdf_bytes)
        from coachdossier.clients.models import Attachment

        for attachment in Attachment.objects.filter(entry__client=client, entry__deleted_at__isnull=True) \
                .select_related("entry__client"):
            if str(attachment.public_id) in wanted:
                archive.writestr(wanted[str(attachment.public_id)], read_attachment(attachment))
    return buffer.getvalue()


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


