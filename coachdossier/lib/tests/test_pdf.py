"""Tests for the PDF machinery: letters and documents are valid, numbered, reproducible and safe.

Text checks use poppler's ``pdftotext``; where it is not installed they are skipped, after the
structural checks (valid PDF, page count) have run.
"""

import datetime
import re
import shutil
import subprocess
import tempfile
import zoneinfo

import pytest

from coachdossier.lib.pdf import (
    Annex,
    Heading,
    KeyValues,
    Letterhead,
    PageBreak,
    Paragraph,
    Section,
    SignatureBlock,
    Spacer,
    Table,
    build_document,
    build_letter,
    format_date_en,
    format_date_nl,
)

PRACTICE = Letterhead(
    name="Praktijk De Linde Coaching",
    address_lines=["Lindelaan 12", "3511 AB Utrecht"],
    phone="030 123 45 67",
    email="info@delinde-coaching.nl",
    website="www.delinde-coaching.nl",
)
SIGNED_AT = datetime.datetime(2026, 11, 23, 14, 5, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))


def letter(body=(Paragraph("Geachte mevrouw Van den Berg,"),), **kwargs):
    arguments = dict(
        letterhead=PRACTICE,
        recipient_lines=["Mevrouw E. van den Berg", "Kerkstraat 4", "1234 AB Amersfoort"],
        reference="K-2026-014",
        date=datetime.date(2026, 11, 23),
        subject="Ontvangstbevestiging van uw klacht",
        body=list(body),
    )
    return build_letter(**(arguments | kwargs))


def page_count(pdf: bytes) -> int:
    # Page objects are plain dictionaries in ReportLab's output (only content streams are
    # compressed); "/Type /Pages" is the page tree and must not count.
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def pdf_text(pdf: bytes, page: int | None = None) -> str:
    """The PDF's text by pdftotext, or skip the rest of the test when it is not installed."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        pages = ["-f", str(page), "-l", str(page)] if page else []
        result = subprocess.run(["pdftotext", *pages, f.name, "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def assert_valid_pdf(pdf: bytes):
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


# Dates


def test_dates_are_written_dutch_style_without_leading_zero_and_with_a_lower_case_month():
    assert format_date_nl(datetime.date(2026, 11, 23)) == "23 november 2026"
    assert format_date_nl(datetime.date(2027, 3, 1)) == "1 maart 2027"


def test_dates_are_written_english_style_with_a_capitalised_month():
    assert format_date_en(datetime.date(2026, 11, 23)) == "23 November 2026"


# Letters


def test_a_short_letter_is_a_valid_one_page_pdf():
    pdf = letter()
    assert_valid_pdf(pdf)
    assert page_count(pdf) == 1


def test_a_letter_has_the_reference_line_the_subject_and_the_confidential_marking():
    text = pdf_text(letter())
    assert "Ons kenmerk" in text and "K-2026-014" in text
    assert "Datum" in text and "23 november 2026" in text
    assert "Betreft: Ontvangstbevestiging van uw klacht" in text
    assert "VERTROUWELIJK" in text
    assert "Mevrouw E. van den Berg" in text
    assert "Praktijk De Linde Coaching" in text


def test_a_letter_that_is_not_confidential_carries_no_marking():
    assert "VERTROUWELIJK" not in pdf_text(letter(confidential=False))


def test_a_two_page_letter_numbers_its_pages_pagina_1_van_2():
    body = [Paragraph("Een alinea over het verloop van het traject. " * 12)] * 7
    pdf = letter(body)
    assert page_count(pdf) == 2
    assert "Pagina 1 van 2" in pdf_text(pdf, page=1)
    second = pdf_text(pdf, page=2)
    assert "Pagina 2 van 2" in second
    # Continuation pages repeat reference and date in their header.
    assert "K-2026-014" in second and "23 november 2026" in second


def test_an_english_letter_has_english_labels_and_dates():
    text = pdf_text(letter(language="en"))
    assert "Our reference" in text
    assert "23 November 2026" in text
    assert "Subject: " in text
    assert "Page 1 of 1" in text
    assert "CONFIDENTIAL" in text


def test_an_unsupported_language_is_refused():
    with pytest.raises(ValueError):
        letter(language="de")


def test_an_annex_starts_on_a_new_page_and_is_listed_under_the_letter():
    objection = [Paragraph("Ik ben het niet eens met punt 3.")]
    annex = Annex("Schriftelijke reactie van de cliënt", objection)
    pdf = letter(annexes=[annex])
    assert page_count(pdf) == 2
    assert "1. Schriftelijke reactie van de cliënt" in pdf_text(pdf, page=1)
    second = pdf_text(pdf, page=2)
    assert "Bijlage 1: Schriftelijke reactie van de cliënt" in second
    assert "Ik ben het niet eens met punt 3." in second


def test_a_signature_block_shows_who_signed_when_and_the_document_hash():
    signature = SignatureBlock(
        signed_by="E. van den Berg",
        signed_at=SIGNED_AT,
        document_sha256="ab" * 32,
        statement="Ik heb deze rapportage gelezen en ga akkoord met verzending.",
    )
    text = pdf_text(letter(signature=signature))
    assert "Ondertekend door" in text and "E. van den Berg" in text
    assert "23 november 2026 om 14:05 CET" in text
    assert "ab" * 32 in text


def test_a_signature_with_a_naive_time_is_refused():
    naive = datetime.datetime(2026, 11, 23, 14, 5)
    signature = SignatureBlock("E. van den Berg", naive, "ab" * 32, "Akkoord.")
    with pytest.raises(ValueError):
        letter(signature=signature)


# Reproducibility: the SHA-256 of a stored PDF must be reproducible (PR-6)


def test_equal_input_gives_equal_bytes():
    body = [Paragraph("Tekst"), KeyValues([("Klachtnummer", "K-2026-014")])]
    assert letter(body) == letter(body)
    sections = [Section("Notities", [Table(["Datum", "Notitie"], [["1 januari 2026", "Intake"]])])]
    first = build_document(letterhead=PRACTICE, title="Dossierinzage", sections=sections)
    assert first == build_document(letterhead=PRACTICE, title="Dossierinzage", sections=sections)


def test_different_input_gives_different_bytes():
    assert letter([Paragraph("Tekst")]) != letter([Paragraph("Tekst.")])


# User text is text, never markup


MARKUP = '<b>vet</b> & <font size="40">groot</font> <br/> &amp; 1 < 2 <a href="x">'


def test_markup_in_user_text_is_printed_literally_not_interpreted():
    # Unescaped, ReportLab would fail on the unclosed <a> tag; escaped it prints as typed.
    pdf = letter(
        [
            Paragraph(MARKUP),
            Heading(MARKUP),
            KeyValues([(MARKUP, MARKUP)]),
            Table([MARKUP], [[MARKUP]]),
        ],
        subject=MARKUP,
        recipient_lines=[MARKUP],
        reference="<i>K</i>",
        annexes=[Annex(MARKUP, [Paragraph(MARKUP)])],
    )
    assert_valid_pdf(pdf)
    text = pdf_text(pdf)
    assert '<b>vet</b> & <font size="40">groot</font> <br/> &amp; 1 < 2' in text
    assert "<i>K</i>" in text


def test_markup_in_a_document_title_and_sections_is_printed_literally():
    pdf = build_document(
        letterhead=Letterhead("<b>Praktijk</b> & Co", ["<br/>"], "<tel>", "a&b@example.nl"),
        title="<title>",
        subtitle="<sub> & more",
        sections=[Section("<h1>", [Paragraph(MARKUP)])],
    )
    text = pdf_text(pdf)
    assert "<title>" in text and "<sub> & more" in text and "<h1>" in text
    assert "<b>Praktijk</b> & Co" in text


def test_line_breaks_in_user_text_are_kept():
    text = pdf_text(letter([Paragraph("Met vriendelijke groet,\n\nDrs. A. Jansen")]))
    assert re.search(r"Met vriendelijke groet,\n\s*\n?\s*Drs\. A\. Jansen", text)


# Characters


def test_dutch_characters_and_the_euro_sign_render():
    words = "Cliënt Zoë café naïef coöperatie één € 12,50 „aanhalingstekens” – gedachtestreepje"
    pdf = letter([Paragraph(words)], recipient_lines=["Mevrouw Zoë Noël", "Rue de l'Église 1"])
    assert_valid_pdf(pdf)
    text = pdf_text(pdf)
    assert words in text
    assert "Mevrouw Zoë Noël" in text


def test_characters_helvetica_lacks_are_folded_to_their_base_letter_instead_of_a_black_box():
    text = pdf_text(letter([Paragraph("Şahin İlker Erdoğan")]))
    assert "Sahin Ilker Erdogan" in text


def test_control_characters_from_pasted_text_do_not_break_the_pdf():
    assert_valid_pdf(letter([Paragraph("a\x00b\x0bc\x1bd\tf")]))


# Documents


def test_a_thirty_section_document_has_thirty_pages():
    blocks = [Paragraph("Verslag van de sessie. " * 40), KeyValues([("Duur", "60 minuten")])]
    sections = [Section(f"Sessie {i}", blocks) for i in range(1, 31)]
    # A page break after each section but the last, so each section is one page.
    sections = [Section(s.title, [*s.blocks, PageBreak()]) for s in sections[:-1]] + [sections[-1]]
    pdf = build_document(
        letterhead=PRACTICE, title="Dossierinzage", subtitle="Cliënt C-0042", sections=sections
    )
    assert_valid_pdf(pdf)
    assert page_count(pdf) == 30
    assert "Pagina 30 van 30" in pdf_text(pdf, page=30)


def test_a_long_data_table_repeats_its_header_row_on_every_page():
    header = ["Nummer", "Ontvangen", "Onderwerp", "Status"]
    rows = [[f"K-2026-{i:03}", "1 januari 2026", "Onderwerp", "open"] for i in range(150)]
    register = Table(header, rows, col_widths=(1, 1, 3, 1))
    sections = [Section("Register", [register])]
    pdf = build_document(letterhead=PRACTICE, title="Klachtenregister 2026", sections=sections)
    pages = page_count(pdf)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = pdf_text(pdf, page=page)
        assert "Nummer" in text and "Onderwerp" in text
        assert f"Pagina {page} van {pages}" in text


def test_an_empty_data_table_says_there_are_no_entries():
    register = Table(["Nummer", "Status"], [])
    pdf = build_document(
        letterhead=PRACTICE, title="Klachtenregister", sections=[Section("Register", [register])]
    )
    assert "Geen gegevens." in pdf_text(pdf)


def test_column_widths_must_match_the_columns():
    register = Table(["a", "b"], [["1", "2"]], col_widths=(1, 2, 3))
    with pytest.raises(ValueError):
        build_document(letterhead=PRACTICE, title="Register", sections=[Section("R", [register])])


def test_a_document_shows_all_block_types_and_a_signature():
    signature = SignatureBlock("A. Jansen", SIGNED_AT, "cd" * 32, "Vastgesteld door de directie.")
    pdf = build_document(
        letterhead=PRACTICE,
        title="Jaarevaluatie klachten 2026",
        subtitle="KR-3.6",
        sections=[
            Section(
                "Cijfers", [KeyValues([("Ontvangen", "4"), ("Binnen termijn", "4")]), Spacer(3)]
            ),
            Section("Maatregelen", [Heading("Communicatie"), Paragraph("Eerder terugbellen.")]),
        ],
        signature=signature,
        annexes=[Annex("Register", [Table(["Nummer"], [["K-2026-001"]])])],
        metadata={"subject": "Klachtenevaluatie", "keywords": ["KR-3.6"]},
    )
    assert page_count(pdf) == 2
    text = pdf_text(pdf)
    expected = ["Jaarevaluatie klachten 2026", "Binnen termijn", "Communicatie", "cd" * 32]
    assert all(e in text for e in expected)
    assert "Bijlage 1: Register" in pdf_text(pdf, page=2)


def test_unknown_metadata_is_refused():
    with pytest.raises(ValueError):
        build_document(letterhead=PRACTICE, title="T", sections=[], metadata={"creator": "me"})
