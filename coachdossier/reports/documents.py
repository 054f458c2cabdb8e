"""The report as a Dutch business letter (coachdossier.lib.pdf).

The letter is built from the sealed content, the date fixed when the report was marked
ready, and the practice's letterhead. ReportLab's invariant mode makes equal input give
equal bytes, so the SHA-256 of the client copy can be checked again at any time: with the
renderer version recorded when the report was marked ready (Report.pdf_renderer)."""

import hashlib

from coachdossier import policy
from coachdossier.lib import pdf

LABELS = {
    "nl": {"client": "Cliënt", "born": "Geboortedatum", "trajectory": "Trajectgegevens",
           "entries": "Uit het dossier", "medical": "medisch", "regards": "Met vriendelijke groet,",
           "attn": "t.a.v.", "objection": "Schriftelijke reactie van de cliënt",
           "objection_intro": "De cliënt heeft op dit rapport gereageerd. Deze reactie wordt altijd met het "
                              "rapport meegestuurd (GC-6.1).",
           "statement": "De cliënt heeft dit rapport gelezen en ondertekend in het cliëntportaal."},
    "en": {"client": "Client", "born": "Date of birth", "trajectory": "Trajectory",
           "entries": "From the dossier", "medical": "medical", "regards": "Kind regards,",
           "attn": "attn.", "objection": "Written objection of the client",
           "objection_intro": "The client responded to this report. The response is always sent with it (GC-6.1).",
           "statement": "The client read and signed this report in the client portal."},
}


def letterhead() -> pdf.Letterhead:
    p = policy.current()
    return pdf.Letterhead(name=p.practice_name, address_lines=tuple(p.practice_address), phone=p.practice_phone,
                          email=p.practice_email)


def recipient_lines(report, content=None) -> list[str]:
    content = content if content is not None else report.content
    labels = LABELS[report.language]
    recipient = content.get("recipient") or {}
    if report.addressee == "company_doctor":
        lines = [recipient.get("organisation", ""), f"{labels['attn']} {recipient.get('name', '')}".strip()]
        lines += (recipient.get("address") or "").splitlines()
    else:
        principal = report.trajectory.principal
        lines = [principal.name]
        if principal.contact_name:
            lines.append(f"{labels['attn']} {principal.contact_name}")
        lines += principal.address.splitlines()
    return [line for line in lines if line.strip()]


def body_blocks(report, content=None, *, client_name: str, birth_date=None, coach_name: str) -> list:
    content = content if content is not None else report.content
    labels = LABELS[report.language]
    blocks: list[pdf.Block] = []
    if content.get("salutation"):
        blocks.append(pdf.Paragraph(content["salutation"]))
    rows = [(labels["client"], client_name)]
    if birth_date:
        rows.append((labels["born"], labels_date(report.language, birth_date)))
    blocks.append(pdf.KeyValues(rows))
    for section in content.get("sections", []):
        blocks.append(pdf.Heading(section["title"]))
        blocks.append(pdf.Paragraph(section["text"]))
    if content.get("trajectory"):
        blocks.append(pdf.Heading(labels["trajectory"]))
        blocks.append(pdf.KeyValues([tuple(row) for row in content["trajectory"]]))
    if content.get("entries"):
        blocks.append(pdf.Heading(labels["entries"]))
        for entry in content["entries"]:
            title = f"{entry['date']} · {entry['title']}" + (f" ({labels['medical']})" if entry.get("medical") else "")
            blocks.append(pdf.Paragraph(f"{title}\n{entry['text']}"))
    if content.get("closing"):
        blocks.append(pdf.Paragraph(content["closing"]))
    blocks.append(pdf.Paragraph(f"{labels['regards']}\n\n{coach_name}\n{policy.current().practice_name}"))
    return blocks


def labels_date(language, day):
    return (pdf.format_date_nl if language == "nl" else pdf.format_date_en)(day)


def render(report, *, final: bool = False) -> bytes:
    """The client copy (final=False), or the PDF that is sent: the same letter with the
    client's signature block and the objection annex where there is one."""
    content = report.content
    client = report.client
    personal = client.personal
    signature, annexes = None, []
    labels = LABELS[report.language]
    if final and report.signed_sha256:
        from django.utils import timezone

        signature = pdf.SignatureBlock(signed_by=client.display_name,
                                       signed_at=timezone.localtime(report.answered_at),
                                       document_sha256=report.signed_sha256, statement=labels["statement"])
    if final and report.objection:
        annexes.append(pdf.Annex(labels["objection"], [pdf.Paragraph(labels["objection_intro"]),
                                                       pdf.Paragraph(report.objection)]))
    # A draft's preview shows what marking it ready would make; from then on, the recorded version.
    renderer = report.pdf_renderer if report.ready_at else pdf.RENDERER
    return pdf.build_letter(
        renderer=renderer,
        letterhead=letterhead(), recipient_lines=recipient_lines(report, content), reference=report.reference,
        date=report.letter_date, subject=content.get("subject", ""),
        body=body_blocks(report, content, client_name=client.display_name, birth_date=personal.birth_date,
                         coach_name=report.created_by.full_name),
        signature=signature, annexes=annexes, language=report.language,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
