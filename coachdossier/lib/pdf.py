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

All text is user text: it is escaped, never read as ReportLab markup.

Renderer versions. A stored SHA-256 can only be checked by rendering again if the document
is rendered exactly as it was, so the fonts and the text fitting are versioned, and every
stored hashed document records the version it was made with (``renderer=``):

1. the built-in Helvetica (and Courier for the document fingerprint). It has only the
   Windows-1252 repertoire (ë, é, ï, €, „…”); other characters are folded to their base
   letter (Ş -> S, Ł -> ?). Kept unchanged forever for the documents made with it.
2. DejaVu Sans, regular and bold, embedded (subset) from ``fonts/`` in this package: wide
   Latin, Greek and Cyrillic, so "Şahin", "Łukasz Wiśniewski" and "Nguyễn" print as written.
   Text is NFC-normalised; a character the font lacks is folded to its base letter where the
   font has that, else printed as "?", never as a black box. The fingerprint stays in Courier.

``RENDERER`` is the version new documents get. A change to the output of a version (other
fonts, another layout, a ReportLab upgrade that changes bytes) is a new version; the tests
pin each version's bytes for a fixed document and each font file's SHA-256.
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab import platypus
from reportlab.lib import colors, fonts
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "Annex",
    "Heading",
    "KeyValues",
    "Letterhead",
    "PageBreak",
    "Paragraph",
    "RENDERER",
    "RENDERERS",
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


def _fold_to_cp1252(text: str) -> str:
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


def _fit_to_coverage(text: str, covered: frozenset[int]) -> str:
    # NFC first: a name typed on a Mac arrives as "e" plus combining marks, which would be
    # drawn as separate glyphs (no shaping); composed, "ễ" is one glyph the font has.
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        if ch in "\n\t" or ord(ch) in covered:
            out.append(ch)
        else:  # never the font's black box: its base letter where the font has it, else "?"
            base = unicodedata.normalize("NFKD", ch)[:1]
            out.append(base if base and ord(base) in covered and base.isprintable() else "?")
    return "".join(out)


def _without_controls(text: object) -> str:
    text = "" if text is None else str(text)
    # Control characters (from pasted text) have no glyph and can upset ReportLab.
    return "".join(ch if ch in "\n\t" or ch.isprintable() else " " for ch in text)


def _escape(plain: str) -> str:
    escaped = html.escape(plain, quote=False)
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


def _style(name, size, leading, color=INK, *, font, **kwargs) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading, textColor=color, **kwargs
    )


def _styles(regular: str, bold: str, mono: str) -> dict[str, ParagraphStyle]:
    r, b = regular, bold
    return {
        "body": _style("body", 10, 14, font=r, spaceAfter=7),
        "small": _style("small", 8, 10.5, MUTED, font=r),
        "cell": _style("cell", 9, 12, font=r),
        "cell_head": _style("cell_head", 9, 12, ACCENT, font=b),
        "label": _style("label", 9, 12, font=b),
        "mono": _style("mono", 8, 11, font=mono),
        "heading": _style("heading", 11, 14, ACCENT, font=b, spaceBefore=8, spaceAfter=4),
        "section": _style("section", 13, 17, ACCENT, font=b, spaceBefore=12, spaceAfter=6),
        "title": _style("title", 18, 23, ACCENT, font=b),
        "subtitle": _style("subtitle", 11, 15, MUTED, font=r),
        "subject": _style("subject", 10, 14, font=b, spaceAfter=14),
        "address": _style("address", 10, 13.5, font=r),
        "contact": _style("contact", 8, 10.5, MUTED, font=r, alignment=TA_RIGHT),
    }


@dataclass(frozen=True)
class _Kit:
    """What one renderer version draws with: its fonts, its paragraph styles, and how it fits
    user text to the font that will draw it."""

    version: int
    regular: str
    bold: str
    mono: str
    styles: dict[str, ParagraphStyle]
    fit: Callable[[str, str], str]  # (text, font name) -> text the font can draw

    def plain(self, text: object, font: str) -> str:
        """User text made safe for drawing directly on the canvas in ``font`` (no markup)."""
        return self.fit(_without_controls(text), font)

    def markup(self, text: object, style: str = "body") -> str:
        """User text made safe for a ReportLab Paragraph in ``style``, which reads it as markup."""
        return _escape(self.plain(text, self.styles[style].fontName))

    def paragraph(self, text: object, style: str) -> platypus.Paragraph:
        return platypus.Paragraph(self.markup(text, style), self.styles[style])


FONTS = Path(__file__).resolve().parent / "fonts"
# The font files' bytes are part of version 2's output forever: they are vendored here (from
# matplotlib 3.11.2's DejaVu 2.37, LICENSE_DEJAVU), never read from another package that an
# upgrade may change, and test_pdf.py pins their SHA-256.
DEJAVU_FILES = {"DejaVuSans": "DejaVuSans.ttf", "DejaVuSans-Bold": "DejaVuSans-Bold.ttf"}


def _version_1() -> _Kit:
    return _Kit(1, "Helvetica", "Helvetica-Bold", "Courier", _styles("Helvetica", "Helvetica-Bold", "Courier"),
                lambda text, font: _fold_to_cp1252(text))


def _version_2() -> _Kit:
    regular, bold = "coachdossier-2-DejaVuSans", "coachdossier-2-DejaVuSans-Bold"
    coverage = {}
    for name, face in ((regular, "DejaVuSans"), (bold, "DejaVuSans-Bold")):
        # asciiReadable pinned (ReportLab's default today): it decides how glyphs are numbered.
        font = TTFont(name, FONTS / DEJAVU_FILES[face], asciiReadable=1)
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    # <b> in layout markup (the list of annexes) must find the bold face. No italic is mapped:
    # the layout uses none, and user text is escaped, so an <i> can only be a layout mistake.
    fonts.addMapping(regular, 0, 0, regular)
    fonts.addMapping(regular, 1, 0, bold)

    def fit(text: str, font: str) -> str:
        if font in coverage:
            return _fit_to_coverage(text, coverage[font])
        return _fold_to_cp1252(text)  # the fingerprint's built-in Courier

    return _Kit(2, regular, bold, "Courier", _styles(regular, bold, "Courier"), fit)


_VERSIONS: dict[int, Callable[[], _Kit]] = {1: _version_1, 2: _version_2}
RENDERERS = tuple(_VERSIONS)
RENDERER = 2  # the version new documents are made with


@functools.cache
def _kit(renderer: int) -> _Kit:
    try:
        make = _VERSIONS[renderer]
    except KeyError:
        raise ValueError(f"Unknown PDF renderer version {renderer!r}; known: {list(RENDERERS)}") from None
    return make()


def _heading(kit: _Kit, text: str, style: str) -> list:
    # A heading never ends a page: start a new one when less than ~4 lines fit below it.
    # (The style's keepWithNext is not used: it pushes a heading and a long table that
    # follows it to the next page as a whole, leaving the page before it empty.)
    return [platypus.CondPageBreak(30 * mm), kit.paragraph(text, style)]


class _NumberedCanvas(Canvas):
    """A canvas that writes "Pagina n van N" on every page once the total is known.

    Pages are kept until ``save``, which is cheaper than rendering the whole PDF twice.
    """

    def __init__(self, *args, page_label: str, font: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._page_label = page_label
        self._page_font = font
        self._page_states: list[dict] = []

    def showPage(self):
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            self.setFont(self._page_font, 8)
            self.setFillColor(MUTED)
            label = self._page_label.format(page=self._pageNumber, total=total)
            self.drawRightString(PAGE_WIDTH - RIGHT, 12 * mm, label)
            super().showPage()
        super().save()


def _draw_footer(canvas, kit: _Kit, *, left_text: str, labels: dict, confidential: bool):
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT, 16 * mm, PAGE_WIDTH - RIGHT, 16 * mm)
    canvas.setFont(kit.regular, 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(LEFT, 12 * mm, kit.plain(left_text, kit.regular))
    if confidential:
        canvas.setFont(kit.bold, 8)
        canvas.setFillColor(ACCENT)
        canvas.drawCentredString(LEFT + TEXT_WIDTH / 2, 12 * mm, labels["confidential"])
    canvas.restoreState()


def _draw_paragraph(canvas, markup: str, style: ParagraphStyle, x: float, top: float, width: float):
    """Draw a Paragraph with its top edge at ``top`` (points from the bottom of the page)."""
    p = platypus.Paragraph(markup, style)
    _, height = p.wrapOn(canvas, width, PAGE_HEIGHT)
    p.drawOn(canvas, x, top - height)
    return height


def _contact_markup(kit: _Kit, letterhead: Letterhead, labels: dict) -> str:
    def markup(text):
        return kit.markup(text, "contact")

    lines = [markup(line) for line in letterhead.address_lines]
    lines.append(f"{labels['phone']} {markup(letterhead.phone)}")
    lines.append(f"{labels['email']} {markup(letterhead.email)}")
    if letterhead.website:
        lines.append(f"{labels['website']} {markup(letterhead.website)}")
    return "<br/>".join(lines)


def _draw_letterhead(canvas, kit: _Kit, letterhead: Letterhead, labels: dict):
    """The practice name top left, its contact details top right, a rule below both."""
    top = PAGE_HEIGHT - 15 * mm
    canvas.setFont(kit.bold, 16)
    canvas.setFillColor(ACCENT)
    canvas.drawString(LEFT, top - 16, kit.plain(letterhead.name, kit.bold))
    contact = _contact_markup(kit, letterhead, labels)
    _draw_paragraph(canvas, contact, kit.styles["contact"], LEFT + TEXT_WIDTH / 2, top, TEXT_WIDTH / 2)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1)
    canvas.line(LEFT, PAGE_HEIGHT - 40 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 40 * mm)


def _render_blocks(kit: _Kit, blocks, labels: dict) -> list:
    flowables = []
    for block in blocks:
        if isinstance(block, Paragraph):
            flowables.append(kit.paragraph(block.text, "body"))
        elif isinstance(block, Heading):
            flowables += _heading(kit, block.text, "heading")
        elif isinstance(block, KeyValues):
            flowables.append(_key_values(kit, block.rows))
        elif isinstance(block, Table):
            flowables.append(_data_table(kit, block, labels))
        elif isinstance(block, Spacer):
            flowables.append(platypus.Spacer(1, block.height_mm * mm))
        elif isinstance(block, PageBreak):
            flowables.append(platypus.PageBreak())
        else:
            raise TypeError(f"Not a block: {block!r}")
    return flowables


def _key_values(kit: _Kit, rows, width: float = TEXT_WIDTH) -> platypus.Table:
    data = [[kit.paragraph(label, "label"), kit.paragraph(value, "cell")] for label, value in rows]
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


def _data_table(kit: _Kit, block: Table, labels: dict) -> platypus.Table:
    columns = len(block.header)
    weights = list(block.col_widths) if block.col_widths else [1] * columns
    if len(weights) != columns:
        raise ValueError(f"{len(weights)} column widths for {columns} columns")
    widths = [TEXT_WIDTH * w / sum(weights) for w in weights]

    header = [kit.paragraph(h, "cell_head") for h in block.header]
    rows = [[kit.paragraph(value, "cell") for value in row] for row in block.rows]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if not rows:
        rows = [[kit.paragraph(labels["no_rows"], "small")] + [""] * (columns - 1)]
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


def _signature(kit: _Kit, signature: SignatureBlock, labels: dict) -> platypus.Flowable:
    signed_at = signature.signed_at
    if signed_at.tzinfo is None or signed_at.utcoffset() is None:
        raise ValueError("signed_at must be timezone-aware")
    day = labels["format_date"](signed_at)
    when = f"{day} {labels['at']} {signed_at:%H:%M} {signed_at.tzname()}"

    inner = TEXT_WIDTH - 12 * mm
    content = [
        [kit.paragraph(labels["signature"], "cell_head")],
        [kit.paragraph(signature.statement, "cell")],
        [
            _key_values(
                kit,
                [(labels["signed_by"], signature.signed_by), (labels["signed_at"], when)],
                width=inner,
            )
        ],
        [kit.paragraph(labels["document_sha256"], "label")],
        [kit.paragraph(signature.document_sha256, "mono")],
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


def _annexes(kit: _Kit, annexes, labels: dict) -> list:
    flowables = []
    for number, annex in enumerate(annexes, start=1):
        flowables.append(platypus.PageBreak())
        title = f"{labels['annex']} {number}: {annex.title}"
        flowables.append(kit.paragraph(title, "section"))
        flowables.extend(_render_blocks(kit, annex.blocks, labels))
    return flowables


def _frame(name: str, *, top: float) -> platypus.Frame:
    """The text area from ``top`` (measured from the top of the page) down to the footer."""
    height = PAGE_HEIGHT - top - BOTTOM
    return platypus.Frame(
        LEFT, BOTTOM, TEXT_WIDTH, height, id=name, leftPadding=0, rightPadding=0, topPadding=0
    )


def _render(kit: _Kit, doc: platypus.BaseDocTemplate, story: list, page_label: str) -> bytes:
    doc.build(story, canvasmaker=functools.partial(_NumberedCanvas, page_label=page_label, font=kit.regular))
    return doc.filename.getvalue()


def _doc_template(kit: _Kit, *, title, author, subject, keywords, page_templates) -> platypus.BaseDocTemplate:
    return platypus.BaseDocTemplate(
        io.BytesIO(),
        pagesize=A4,
        pageTemplates=page_templates,
        # invariant: no creation time or random file id, so equal input gives equal bytes
        # and a stored SHA-256 can be reproduced.
        invariant=1,
        title=kit.plain(title, kit.regular),
        author=kit.plain(author, kit.regular),
        subject=kit.plain(subject, kit.regular),
        keywords=[kit.plain(k, kit.regular) for k in keywords],
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
    renderer: int = RENDERER,
) -> bytes:
    """A Dutch business letter (NEN 1026 layout) as PDF bytes.

    Page 1: letterhead, the recipient in the window position of a left-window envelope (25 mm
    from the left, 50 mm from the top, with "VERTROUWELIJK" above it so the mail room sees it),
    a reference line (Ons kenmerk, Datum), the subject (Betreft) and the body. Later pages
    repeat reference and date in a small header. Every page has a footer with the practice
    name and "Pagina n van N". The salutation and closing belong to ``body``.

    ``renderer`` is the version to render with: a document whose hash is stored is rendered
    again with the version it was made with.
    """
    kit = _kit(renderer)
    labels = _labels(language)
    date_text = labels["format_date"](date)

    def first_page(canvas, doc):
        canvas.saveState()
        _draw_letterhead(canvas, kit, letterhead, labels)
        top = PAGE_HEIGHT - 50 * mm
        if confidential:
            canvas.setFont(kit.bold, 8)
            canvas.setFillColor(ACCENT)
            canvas.drawString(LEFT, top + 3 * mm, labels["confidential"])
        address = "<br/>".join(kit.markup(line, "address") for line in recipient_lines)
        _draw_paragraph(canvas, address, kit.styles["address"], LEFT, top, 85 * mm)
        canvas.restoreState()
        _draw_footer(canvas, kit, left_text=letterhead.name, labels=labels, confidential=confidential)

    def later_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(kit.bold, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(LEFT, PAGE_HEIGHT - 15 * mm, kit.plain(letterhead.name, kit.bold))
        canvas.setFont(kit.regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(
            PAGE_WIDTH - RIGHT,
            PAGE_HEIGHT - 15 * mm,
            kit.plain(f"{labels['our_reference']} {reference}  ·  {labels['date']} {date_text}", kit.regular),
        )
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(LEFT, PAGE_HEIGHT - 18 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 18 * mm)
        canvas.restoreState()
        _draw_footer(canvas, kit, left_text=letterhead.name, labels=labels, confidential=confidential)

    # Page 1's body starts below the address window (50 mm from the top, 40 mm high).
    first_frame = _frame("first", top=95 * mm)
    later_frame = _frame("later", top=25 * mm)
    doc = _doc_template(
        kit,
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
            [kit.paragraph(labels["our_reference"], "small"), kit.paragraph(labels["date"], "small")],
            [kit.paragraph(reference, "cell"), kit.paragraph(date_text, "cell")],
        ],
        colWidths=[60 * mm, TEXT_WIDTH - 60 * mm],
        hAlign="LEFT",
    )  # fmt: skip
    reference_line.setStyle(
        [("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]
    )
    reference_line.spaceAfter = 8 * mm

    subject_markup = f"{kit.markup(labels['subject'], 'subject')}: {kit.markup(subject, 'subject')}"
    story = [reference_line, platypus.Paragraph(subject_markup, kit.styles["subject"])]
    story += _render_blocks(kit, body, labels)
    if signature is not None:
        story.append(_signature(kit, signature, labels))
    if annexes:
        # Dutch letters list their enclosures under the signature.
        heading = labels["annexes"] if len(annexes) > 1 else labels["annex"]
        listing = "<br/>".join(f"{i}. {kit.markup(a.title, 'small')}" for i, a in enumerate(annexes, start=1))
        story.append(platypus.Spacer(1, 6 * mm))
        enclosures = f"<b>{kit.markup(heading, 'label')}</b><br/>{listing}"
        story.append(platypus.Paragraph(enclosures, kit.styles["small"]))
        story += _annexes(kit, annexes, labels)
    return _render(kit, doc, story, labels["page"])


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
    renderer: int = RENDERER,
) -> bytes:
    """A multi-page document (dossier copy, register, evaluation report) as PDF bytes.

    Every page carries the practice name (and "VERTROUWELIJK") on top and a footer with the
    title and "Pagina n van N". Each section gets a heading; data tables repeat their header
    row on every page. ``metadata`` may set the PDF's ``author``, ``subject`` and
    ``keywords``; the title is the document title. ``renderer`` as for ``build_letter``.
    """
    kit = _kit(renderer)
    labels = _labels(language)
    metadata = metadata or {}
    unknown = set(metadata) - {"author", "subject", "keywords"}
    if unknown:
        raise ValueError(f"Unknown metadata keys: {sorted(unknown)}")

    def every_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(kit.bold, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(LEFT, PAGE_HEIGHT - 15 * mm, kit.plain(letterhead.name, kit.bold))
        if confidential:
            label = labels["confidential"]
            canvas.drawRightString(PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 15 * mm, label)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1)
        canvas.line(LEFT, PAGE_HEIGHT - 18 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 18 * mm)
        canvas.restoreState()
        # The confidential marking is already in the header; the footer names the document.
        footer = f"{letterhead.name}  ·  {title}"
        _draw_footer(canvas, kit, left_text=footer, labels=labels, confidential=False)

    frame = _frame("body", top=28 * mm)
    doc = _doc_template(
        kit,
        title=title,
        author=metadata.get("author", letterhead.name),
        subject=metadata.get("subject", subtitle),
        keywords=metadata.get("keywords", ()),
        page_templates=[platypus.PageTemplate("page", [frame], onPage=every_page)],
    )

    story = [kit.paragraph(title, "title")]
    if subtitle:
        story += [platypus.Spacer(1, 2 * mm), kit.paragraph(subtitle, "subtitle")]
    story.append(platypus.Spacer(1, 4 * mm))
    for section in sections:
        story += _heading(kit, section.title, "section")
        story += _render_blocks(kit, section.blocks, labels)
    if signature is not None:
        story.append(_signature(kit, signature, labels))
    story += _annexes(kit, annexes, labels)
    return _render(kit, doc, story, labels["page"])
