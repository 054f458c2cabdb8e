"""The project's one PDF machinery: business letters and multi-page documents, on ReportLab.

Used for reports to principals, the client's dossier copy (GC-5.1), complaint letters
(KR-3.3a/c, KR-3.4b), registers and the coach profile (GC-4.5). Callers describe content
with a handful of block types; this module owns the layout:

    build_letter(letterhead=..., recipient_lines=[...], reference="K-2026-014",
                 date=today, subject="Ontvangstbevestiging klacht",
                 body=[Paragraph("Geachte mevrouw De Vries,"), ...])
    build_document(letterhead=..., title="Dossierinzage", sections=[Section("Notities", [...])])

Both return the PDF as bytes. Equal input gives equal bytes (ReportLab's invariant mode), so
the SHA-256 stored for a sent or signed PDF can be checked by rendering it again.

All text is user text: it is escaped, never read as ReportLab markup. Only the built-in
Helvetica is used, so no fonts need installing; it covers the Windows-1252 repertoire
(ë, é, ï, €, „…”), and other characters are folded to their base letter (Ş -> S).
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab import platypus
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "Annex",
    "Heading",
    "KeyValues",
    "Letterhead",
    "PageBreak",
    "Paragraph",
    "Section",
    "SignatureBlock",
    "Spacer",
    "Table",
    "build_document",
    "build_letter",
    "format_date_en",
    "format_date_nl",
]


# Content


@dataclass(frozen=True)
class Letterhead:
    """The practice, as it appears on top of every letter and document."""

    name: str
    address_lines: tuple[str, ...] | list[str]
    phone: str
    email: str
    website: str = ""


@dataclass(frozen=True)
class Paragraph:
    """Body text; line breaks in ``text`` are kept."""

    text: str


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class KeyValues:
    """A two-column table of label and value, e.g. a client's particulars."""

    rows: list[tuple[str, str]] | tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A data table whose header row repeats on every page it spans.

    ``col_widths`` are relative weights (``(1, 3, 1)``), not lengths: the table always takes
    the full text width.
    """

    header: list[str] | tuple[str, ...]
    rows: list[list[object]] | tuple[tuple[object, ...], ...]
    col_widths: tuple[float, ...] | list[float] | None = None


@dataclass(frozen=True)
class Spacer:
    height_mm: float = 5


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Paragraph | Heading | KeyValues | Table | Spacer | PageBreak


@dataclass(frozen=True)
class Section:
    """A titled part of a document (dossier copy, register, evaluation report)."""

    title: str
    blocks: Sequence[Block] = ()


@dataclass(frozen=True)
class SignatureBlock:
    """A record that someone signed a document (PR-6), shown as a boxed block.

    ``document_sha256`` is the hash of the document as it was signed, i.e. without this block.
    ``signed_at`` must be timezone-aware; it is shown in its own time zone, so pass it in the
    practice's local time.
    """

    signed_by: str
    signed_at: datetime.datetime
    document_sha256: str
    statement: str


@dataclass(frozen=True)
class Annex:
    """An enclosure that starts on a new page, e.g. the client's written objection (GC-6.1)."""

    title: str
    blocks: Sequence[Block] = ()


# Dates and labels

_MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date_nl(d: datetime.date) -> str:
    """``23 november 2026``: Dutch style, no leading zero, month in lower case."""
    return f"{d.day} {_MONTHS_NL[d.month - 1]} {d.year}"


def format_date_en(d: datetime.date) -> str:
    """``23 November 2026``."""
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


_LABELS = {
    "nl": {
        "format_date": format_date_nl,
        "our_reference": "Ons kenmerk",
        "date": "Datum",
        "subject": "Betreft",
        "page": "Pagina {page} van {total}",
        "confidential": "VERTROUWELIJK",
        "annex": "Bijlage",
        "annexes": "Bijlagen",
        "signature": "Ondertekening",
        "signed_by": "Ondertekend door",
        "signed_at": "Ondertekend op",
        "at": "om",
        "document_sha256": "Documentkenmerk (SHA-256)",
        "no_rows": "Geen gegevens.",
        "phone": "T",
        "email": "E",
        "website": "W",
    },
    "en": {
        "format_date": format_date_en,
        "our_reference": "Our reference",
        "date": "Date",
        "subject": "Subject",
        "page": "Page {page} of {total}",
        "confidential": "CONFIDENTIAL",
        "annex": "Annex",
        "annexes": "Annexes",
        "signature": "Signature",
        "signed_by": "Signed by",
        "signed_at": "Signed at",
        "at": "at",
        "document_sha256": "Document fingerprint (SHA-256)",
        "no_rows": "No entries.",
        "phone": "T",
        "email": "E",
        "website": "W",
    },
}


def _labels(language: str) -> dict:
    try:
        return _LABELS[language]
    except KeyError:
        choices = sorted(_LABELS)
        raise ValueError(f"Unsupported language {language!r}; choose one of {choices}") from None


# Text


def _fit_to_font(text: str) -> str:
    # Helvetica as a built-in font only has the Windows-1252 repertoire; anything else would
    # print as a black box. Folding "Şahin" to "Sahin" keeps a name readable.
    if text.isascii():
        return text
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch)[:1]
            out.append(base if base and base.isascii() and base.isprintable() else "?")
    return "".join(out)


def _plain(text: object) -> str:
    """User text made safe for drawing directly on the canvas (no markup involved)."""
    text = "" if text is None else str(text)
    # Control characters (from pasted text) have no glyph and can upset ReportLab.
    text = "".join(ch if ch in "\n\t" or ch.isprintable() else " " for ch in text)
    return _fit_to_font(text)


def _markup(text: object) -> str:
    """User text made safe for a ReportLab Paragraph, which reads its input as markup."""
    escaped = html.escape(_plain(text), quote=False)
    return escaped.replace("\t", " ").replace("\n", "<br/>")


# Layout

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 25 * mm
RIGHT = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
BOTTOM = 25 * mm
INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f3a5f")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#c4ccd6")
TINT = colors.HexColor("#f1f4f8")



def _style(name, size, leading, color=INK, font="Helvetica", **kwargs) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading, textColor=color, **kwargs
    )


BOLD = "Helvetica-Bold"
_STYLES = {
    "body": _style("body", 10, 14, spaceAfter=7),
    "small": _style("small", 8, 10.5, MUTED),
    "cell": _style("cell", 9, 12),
    "cell_head": _style("cell_head", 9, 12, ACCENT, BOLD),
    "label": _style("label", 9, 12, font=BOLD),
    "mono": _style("mono", 8, 11, font="Courier"),
    "heading": _style("heading", 11, 14, ACCENT, BOLD, spaceBefore=8, spaceAfter=4),
    "section": _style("section", 13, 17, ACCENT, BOLD, spaceBefore=12, spaceAfter=6),
    "title": _style("title", 18, 23, ACCENT, BOLD),
    "subtitle": _style("subtitle", 11, 15, MUTED),
    "subject": _style("subject", 10, 14, font=BOLD, spaceAfter=14),
    "address": _style("address", 10, 13.5),
    "contact": _style("contact", 8, 10.5, MUTED, alignment=TA_RIGHT),
}


def _heading(text: str, style: str) -> list:
    # A heading never ends a page: start a new one when less than ~4 lines fit below it.
    # (The style's keepWithNext is not used: it pushes a heading and a long table that
    # follows it to the next page as a whole, leaving the page before it empty.)
    return [platypus.CondPageBreak(30 * mm), platypus.Paragraph(_markup(text), _STYLES[style])]


class _NumberedCanvas(Canvas):
    """A canvas that writes "Pagina n van N" on every page once the total is known.

    Pages are kept until ``save``, which is cheaper than rendering the whole PDF twice.
    """

    def __init__(self, *args, page_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._page_label = page_label
        self._page_states: list[dict] = []

    def showPage(self):
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(MUTED)
            label = self._page_label.format(page=self._pageNumber, total=total)
            self.drawRightString(PAGE_WIDTH - RIGHT, 12 * mm, label)
            super().showPage()
        super().save()


def _draw_footer(canvas, *, left_text: str, labels: dict, confidential: bool):
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT, 16 * mm, PAGE_WIDTH - RIGHT, 16 * mm)
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(LEFT, 12 * mm, _plain(left_text))
    if confidential:
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(ACCENT)
        canvas.drawCentredString(LEFT + TEXT_WIDTH / 2, 12 * mm, labels["confidential"])
    canvas.restoreState()


def _draw_paragraph(canvas, markup: str, style: ParagraphStyle, x: float, top: float, width: float):
    """Draw a Paragraph with its top edge at ``top`` (points from the bottom of the page)."""
    p = platypus.Paragraph(markup, style)
    _, height = p.wrapOn(canvas, width, PAGE_HEIGHT)
    p.drawOn(canvas, x, top - height)
    return height


def _contact_markup(letterhead: Letterhead, labels: dict) -> str:
    lines = [_markup(line) for line in letterhead.address_lines]
    lines.append(f"{labels['phone']} {_markup(letterhead.phone)}")
    lines.append(f"{labels['email']} {_markup(letterhead.email)}")
    if letterhead.website:
        lines.append(f"{labels['website']} {_markup(letterhead.website)}")
    return "<br/>".join(lines)


def _draw_letterhead(canvas, letterhead: Letterhead, labels: dict):
    """The practice name top left, its contact details top right, a rule below both."""
    top = PAGE_HEIGHT - 15 * mm
    canvas.setFont(BOLD, 16)
    canvas.setFillColor(ACCENT)
    canvas.drawString(LEFT, top - 16, _plain(letterhead.name))
    contact = _contact_markup(letterhead, labels)
    _draw_paragraph(canvas, contact, _STYLES["contact"], LEFT + TEXT_WIDTH / 2, top, TEXT_WIDTH / 2)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1)
    canvas.line(LEFT, PAGE_HEIGHT - 40 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 40 * mm)


def _render_blocks(blocks, labels: dict) -> list:
    flowables = []
    for block in blocks:
        if isinstance(block, Paragraph):
            flowables.append(platypus.Paragraph(_markup(block.text), _STYLES["body"]))
        elif isinstance(block, Heading):
            flowables += _heading(block.text, "heading")
        elif isinstance(block, KeyValues):
            flowables.append(_key_values(block.rows))
        elif isinstance(block, Table):
            flowables.append(_data_table(block, labels))
        elif isinstance(block, Spacer):
            flowables.append(platypus.Spacer(1, block.height_mm * mm))
        elif isinstance(block, PageBreak):
            flowables.append(platypus.PageBreak())
        else:
            raise TypeError(f"Not a block: {block!r}")
    return flowables


def _cell(text: object, style: str) -> platypus.Paragraph:
    return platypus.Paragraph(_markup(text), _STYLES[style])


def _key_values(rows, width: float = TEXT_WIDTH) -> platypus.Table:
    data = [[_cell(label, "label"), _cell(value, "cell")] for label, value in rows]
    widths = [width * 0.32, width * 0.68]
    table = platypus.Table(data, colWidths=widths, hAlign="LEFT", splitInRow=1)
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    table.spaceAfter = 8
    return table


def _data_table(block: Table, labels: dict) -> platypus.Table:
    columns = len(block.header)
    weights = list(block.col_widths) if block.col_widths else [1] * columns
    if len(weights) != columns:
        raise ValueError(f"{len(weights)} column widths for {columns} columns")
    widths = [TEXT_WIDTH * w / sum(weights) for w in weights]

    header = [_cell(h, "cell_head") for h in block.header]
    rows = [[_cell(value, "cell") for value in row] for row in block.rows]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if not rows:
        rows = [[_cell(labels["no_rows"], "small")] + [""] * (columns - 1)]
        style.append(("SPAN", (0, 1), (-1, 1)))
    for i in range(2, len(rows) + 1, 2):
        style.append(("BACKGROUND", (0, i), (-1, i), TINT))

    # repeatRows: registers run over many pages and each page must be readable on its own.
    table = platypus.Table(
        [header, *rows], colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT"
    )
    table.setStyle(style)
    table.spaceAfter = 10
    return table


def _signature(signature: SignatureBlock, labels: dict) -> platypus.Flowable:
    signed_at = signature.signed_at
    if signed_at.tzinfo is None or signed_at.utcoffset() is None:
        raise ValueError("signed_at must be timezone-aware")
    day = labels["format_date"](signed_at)
    when = f"{day} {labels['at']} {signed_at:%H:%M} {signed_at.tzname()}"

    inner = TEXT_WIDTH - 12 * mm
    content = [
        [platypus.Paragraph(_markup(labels["signature"]), _STYLES["cell_head"])],
        [platypus.Paragraph(_markup(signature.statement), _STYLES["cell"])],
        [
            _key_values(
                [(labels["signed_by"], signature.signed_by), (labels["signed_at"], when)],
                width=inner,
            )
        ],
        [platypus.Paragraph(_markup(labels["document_sha256"]), _STYLES["label"])],
        [platypus.Paragraph(_markup(signature.document_sha256), _STYLES["mono"])],
    ]
    box = platypus.Table(content, colWidths=[TEXT_WIDTH], hAlign="LEFT")
    box.setStyle(
        [
            ("BOX", (0, 0), (-1, -1), 0.75, ACCENT),
            ("BACKGROUND", (0, 0), (-1, -1), TINT),
            ("LEFTPADDING", (0, 0), (-1, -1), 6 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6 * mm),
            ("TOPPADDING", (0, 0), (-1, 0), 4 * mm),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 4 * mm),
        ]
    )
    return platypus.KeepTogether([platypus.Spacer(1, 6 * mm), box])


def _annexes(annexes, labels: dict) -> list:
    flowables = []
    for number, annex in enumerate(annexes, start=1):
        flowables.append(platypus.PageBreak())
        title = f"{labels['annex']} {number}: {annex.title}"
        flowables.append(platypus.Paragraph(_markup(title), _STYLES["section"]))
        flowables.extend(_render_blocks(annex.blocks, labels))
    return flowables


def _frame(name: str, *, top: float) -> platypus.Frame:
    """The text area from ``top`` (measured from the top of the page) down to the footer."""
    height = PAGE_HEIGHT - top - BOTTOM
    return platypus.Frame(
        LEFT, BOTTOM, TEXT_WIDTH, height, id=name, leftPadding=0, rightPadding=0, topPadding=0
    )


def _render(doc: platypus.BaseDocTemplate, story: list, page_label: str) -> bytes:
    doc.build(story, canvasmaker=functools.partial(_NumberedCanvas, page_label=page_label))
    return doc.filename.getvalue()


def _doc_template(*, title, author, subject, keywords, page_templates) -> platypus.BaseDocTemplate:
    return platypus.BaseDocTemplate(
        io.BytesIO(),
        pagesize=A4,
        pageTemplates=page_templates,
        # invariant: no creation time or random file id, so equal input gives equal bytes
        # and a stored SHA-256 can be reproduced.
        invariant=1,
        title=_plain(title),
        author=_plain(author),
        subject=_plain(subject),
        keywords=[_plain(k) for k in keywords],
        creator="coachdossier",
        producer="coachdossier",
    )


# Public builders


def build_letter(
    *,
    letterhead: Letterhead,
    recipient_lines: list[str],
    reference: str,
    date: datetime.date,
    subject: str,
    body: Sequence[Block],
    confidential: bool = True,
    signature: SignatureBlock | None = None,
    annexes: list[Annex] | tuple[Annex, ...] = (),
    language: str = "nl",
) -> bytes:
    """A Dutch business letter (NEN 1026 layout) as PDF bytes.

    Page 1: letterhead, the recipient in the window position of a left-window envelope (25 mm
    from the left, 50 mm from the top, with "VERTROUWELIJK" above it so the mail room sees it),
    a reference line (Ons kenmerk, Datum), the subject (Betreft) and the body. Later pages
    repeat reference and date in a small header. Every page has a footer with the practice
    name and "Pagina n van N". The salutation and closing belong to ``body``.
    """
    labels = _labels(language)
    date_text = labels["format_date"](date)

    def first_page(canvas, doc):
        canvas.saveState()
        _draw_letterhead(canvas, letterhead, labels)
        top = PAGE_HEIGHT - 50 * mm
        if confidential:
            canvas.setFont(BOLD, 8)
            canvas.setFillColor(ACCENT)
            canvas.drawString(LEFT, top + 3 * mm, labels["confidential"])
        address = "<br/>".join(_markup(line) for line in recipient_lines)
        _draw_paragraph(canvas, address, _STYLES["address"], LEFT, top, 85 * mm)
        canvas.restoreState()
        _draw_footer(canvas, left_text=letterhead.name, labels=labels, confidential=confidential)

    def later_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(LEFT, PAGE_HEIGHT - 15 * mm, _plain(letterhead.name))
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(
            PAGE_WIDTH - RIGHT,
            PAGE_HEIGHT - 15 * mm,
            _plain(f"{labels['our_reference']} {reference}  ·  {labels['date']} {date_text}"),
        )
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(LEFT, PAGE_HEIGHT - 18 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 18 * mm)
        canvas.restoreState()
        _draw_footer(canvas, left_text=letterhead.name, labels=labels, confidential=confidential)

    # Page 1's body starts below the address window (50 mm from the top, 40 mm high).
    first_frame = _frame("first", top=95 * mm)
    later_frame = _frame("later", top=25 * mm)
    doc = _doc_template(
        title=subject,
        author=letterhead.name,
        subject=subject,
        keywords=[reference],
        page_templates=[
            platypus.PageTemplate(
                "first", [first_frame], onPage=first_page, autoNextPageTemplate="later"
            ),
            platypus.PageTemplate("later", [later_frame], onPage=later_page),
        ],
    )

    reference_line = platypus.Table(
        [
            [platypus.Paragraph(_markup(labels["our_reference"]), _STYLES["small"]),
             platypus.Paragraph(_markup(labels["date"]), _STYLES["small"])],
            [platypus.Paragraph(_markup(reference), _STYLES["cell"]),
             platypus.Paragraph(_markup(date_text), _STYLES["cell"])],
        ],
        colWidths=[60 * mm, TEXT_WIDTH - 60 * mm],
        hAlign="LEFT",
    )  # fmt: skip
    reference_line.setStyle(
        [("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]
    )
    reference_line.spaceAfter = 8 * mm

    subject_markup = f"{_markup(labels['subject'])}: {_markup(subject)}"
    story = [reference_line, platypus.Paragraph(subject_markup, _STYLES["subject"])]
    story += _render_blocks(body, labels)
    if signature is not None:
        story.append(_signature(signature, labels))
    if annexes:
        # Dutch letters list their enclosures under the signature.
        heading = labels["annexes"] if len(annexes) > 1 else labels["annex"]
        listing = "<br/>".join(f"{i}. {_markup(a.title)}" for i, a in enumerate(annexes, start=1))
        story.append(platypus.Spacer(1, 6 * mm))
        enclosures = f"<b>{_markup(heading)}</b><br/>{listing}"
        story.append(platypus.Paragraph(enclosures, _STYLES["small"]))
        story += _annexes(annexes, labels)
    return _render(doc, story, labels["page"])


def build_document(
    *,
    letterhead: Letterhead,
    title: str,
    subtitle: str = "",
    sections: list[Section],
    confidential: bool = True,
    language: str = "nl",
    metadata: dict | None = None,
    signature: SignatureBlock | None = None,
    annexes: list[Annex] | tuple[Annex, ...] = (),
) -> bytes:
    """A multi-page document (dossier copy, register, evaluation report) as PDF bytes.

    Every page carries the practice name (and "VERTROUWELIJK") on top and a footer with the
    title and "Pagina n van N". Each section gets a heading; data tables repeat their header
    row on every page. ``metadata`` may set the PDF's ``author``, ``subject`` and
    ``keywords``; the title is the document title.
    """
    labels = _labels(language)
    metadata = metadata or {}
    unknown = set(metadata) - {"author", "subject", "keywords"}
    if unknown:
        raise ValueError(f"Unknown metadata keys: {sorted(unknown)}")

    def every_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(LEFT, PAGE_HEIGHT - 15 * mm, _plain(letterhead.name))
        if confidential:
            label = labels["confidential"]
            canvas.drawRightString(PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 15 * mm, label)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1)
        canvas.line(LEFT, PAGE_HEIGHT - 18 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 18 * mm)
        canvas.restoreState()
        # The confidential marking is already in the header; the footer names the document.
        footer = f"{letterhead.name}  ·  {title}"
        _draw_footer(canvas, left_text=footer, labels=labels, confidential=False)

    frame = _frame("body", top=28 * mm)
    doc = _doc_template(
        title=title,
        author=metadata.get("author", letterhead.name),
        subject=metadata.get("subject", subtitle),
        keywords=metadata.get("keywords", ()),
        page_templates=[platypus.PageTemplate("page", [frame], onPage=every_page)],
    )

    story = [_cell(title, "title")]
    if subtitle:
        story += [platypus.Spacer(1, 2 * mm), _cell(subtitle, "subtitle")]
    story.append(platypus.Spacer(1, 4 * mm))
    for section in sections:
        story += _heading(section.title, "section")
        story += _render_blocks(section.blocks, labels)
    if signature is not None:
        story.append(_signature(signature, labels))
    story += _annexes(annexes, labels)
    return _render(doc, story, labels["page"])
