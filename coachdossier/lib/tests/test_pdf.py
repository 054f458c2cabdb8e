"""Tests for the PDF machinery: letters and documents are valid, numbered, reproducible and safe.

Text checks use poppler's ``pdftotext``; where it is not installed they are skipped, after the
structural checks (valid PDF, page count) have run.
"""

import datetime
import fnmatch
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zoneinfo
from pathlib import Path

import pytest

from coachdossier.lib import pdf as pdf_module
from coachdossier.lib.pdf import (
    RENDERER,
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


# Renderer versions: a stored SHA-256 is checked by rendering again with the version the
# document was made with, so each version's bytes for a fixed document are pinned here (PR-6).
# A new constant here means every stored document of that version stops verifying: make a new
# version instead.

FIXED_NAMES = "Şahin Yılmaz, Łukasz Wiśniewski, Çelik, Antonín Dvořák, Nguyễn Thị Minh Khai"
FIXED_LETTERHEAD = Letterhead(name="Praktijk De Linde Coaching", address_lines=("Lindelaan 12", "3511 AB Utrecht"),
                              phone="030 123 45 67", email="info@delinde-coaching.nl", website="www.delinde-coaching.nl")
FIXED_SIGNATURE = SignatureBlock("Łukasz Wiśniewski",
                                 datetime.datetime(2026, 11, 23, 14, 5, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam")),
                                 "ab" * 32, "De cliënt heeft dit rapport gelezen en ondertekend.")
FIXED_BLOCKS: list[pdf_module.Block] = [Paragraph(f"Beste {FIXED_NAMES},\n\nCliënt Zoë, € 12,50 „aanhalingstekens” – Ελένη, Дмитрий."),
                Heading("Şahin <b>&</b>"), KeyValues([("Cliënt", "Dvořák")]),
                Table(["Datum", "Naam"], [["1 januari 2026", "Nguyễn"], ["2 januari 2026", "Çelik"]], col_widths=(1, 3)),
                Spacer(3), Paragraph("a\x00b\tc")]


def fixed_letter(**kwargs) -> bytes:
    return build_letter(letterhead=FIXED_LETTERHEAD, recipient_lines=["Mevrouw Ş. Yılmaz", "Kerkstraat 4"],
                        reference="C-0042/R1", date=datetime.date(2026, 11, 23), subject="Rapport Dvořák",
                        body=FIXED_BLOCKS, signature=FIXED_SIGNATURE,
                        annexes=[Annex("Reactie van Çelik", [Paragraph("Niet eens.")])], **kwargs)


def fixed_document(**kwargs) -> bytes:
    return build_document(letterhead=FIXED_LETTERHEAD, title="Dossierinzage Nguyễn", subtitle="Cliënt C-0042",
                          sections=[Section("Notities", FIXED_BLOCKS), Section("Leeg", [PageBreak()])],
                          signature=FIXED_SIGNATURE, language="en", **kwargs)


# (letter, document) SHA-256 per version. Version 1's were computed with the code of main at
# 6ba673c, before version 2 existed: Helvetica, "Ş" printed as "S" and "Ł" as "?".
PINNED = {
    1: ("8f3776f8f396238f25584bf1a359d60bda2bf30938b2d35e0b0e51e375b4bcfc",
        "20b7e8997953dc004ca001acd9c107f3356e80f76429b1ce55b8ce91c92fbbd3"),
    2: ("860e56f1ce9e859a24b6db1fb19d9eee35c404052632ff0231428968a8154cf0",
        "d9d0cc5065b709592fd404e817b36239e16889bbb242f0c10ec4f56cb5befabb"),
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("renderer", pdf_module.RENDERERS)
def test_each_renderer_version_still_makes_the_bytes_it_made_when_it_was_introduced(renderer):
    assert (sha256(fixed_letter(renderer=renderer)), sha256(fixed_document(renderer=renderer))) == PINNED[renderer]


def test_every_renderer_version_has_pinned_bytes():
    assert set(PINNED) == set(pdf_module.RENDERERS)


def test_version_2_gives_equal_bytes_after_other_documents_were_rendered_in_between():
    first = fixed_letter(renderer=2)
    letter([Paragraph("Дмитрий Шостакович " * 200)], renderer=2)  # other glyphs, several subsets' worth
    fixed_document(renderer=1)
    assert fixed_letter(renderer=2) == first


def test_version_2_gives_equal_bytes_in_separate_processes_with_different_hash_seeds():
    script = ("import hashlib, django; django.setup(); from coachdossier.lib.tests import test_pdf as t; "
              "print(hashlib.sha256(t.fixed_letter(renderer=2)).hexdigest(), "
              "hashlib.sha256(t.fixed_document(renderer=2)).hexdigest())")
    root = Path(__file__).resolve().parents[3]
    outputs = set()
    for seed in ("1", "2"):
        env = {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": seed, "PYTHONPATH": str(root),
               "DJANGO_SETTINGS_MODULE": "coachdossier.settings"}
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=root, env=env)
        outputs.add(run.stdout.decode().strip())
    assert outputs == {" ".join(PINNED[2])}


def test_version_2_subset_font_names_are_fixed_tags_not_random_ones():
    data = fixed_letter(renderer=2)
    # ReportLab numbers the subsets of a font (AAAAAA, AAAAAB, ...) instead of drawing tags at random.
    subsets = set(re.findall(rb"/BaseFont /([A-Z]{6}\+DejaVuSans[-A-Za-z]*) ", data))
    assert subsets == {b"AAAAAA+DejaVuSans", b"AAAAAA+DejaVuSans-Bold"}


# The font files are part of version 2's output: pinned, and shipped with the package.

FONT_FILES = {
    "DejaVuSans.ttf": "3fdf69cabf06049ea70a00b5919340e2ce1e6d02b0cc3c4b44fb6801bd1e0d22",
    "DejaVuSans-Bold.ttf": "b184b89e3c1075f22f6b71575b6fc20d4972b3cfd3b23322ca6fd596dcaef167",
    "LICENSE_DEJAVU": "d75938dec098f06f0ac3c00853065d94f020be1c3c62ef1dc2975ba15b4d9b0e",
}


def test_the_vendored_font_files_are_exactly_the_ones_version_2_was_made_with():
    found = {path.name: sha256(path.read_bytes()) for path in pdf_module.FONTS.iterdir() if path.is_file()}
    assert found == FONT_FILES


def test_the_font_files_are_package_data_so_an_installed_coachdossier_has_them():
    root = Path(__file__).resolve().parents[3]
    package_data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = package_data.get("coachdossier.lib", []) + package_data.get("*", [])
    for name in FONT_FILES:
        assert any(fnmatch.fnmatch(f"fonts/{name}", p) for p in patterns), name


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


def test_version_1_folds_characters_helvetica_lacks_to_their_base_letter_instead_of_a_black_box():
    text = pdf_text(letter([Paragraph("Şahin İlker Erdoğan")], renderer=1))
    assert "Sahin Ilker Erdogan" in text


NAMES = {
    "Turkish": "Şahin Yılmaz, İlker Erdoğan, Çelik",
    "Polish": "Łukasz Wiśniewski, Małgorzata Żółkowska",
    "Czech": "Antonín Dvořák, Jiří Růžička",
    "Vietnamese": "Nguyễn Thị Minh Khai, Trần Đức Thắng",
    "Greek and Cyrillic": "Ελένη Παπαδοπούλου, Дмитрий Шостакович",
}


@pytest.mark.parametrize("language", NAMES)
def test_version_2_prints_names_exactly_as_written_in_body_tables_address_and_signature(language):
    # GC-5.1, PR-6: the client's copy and the report to the principal name the client correctly.
    name = NAMES[language]
    signature = SignatureBlock(name, SIGNED_AT, "ab" * 32, "Gelezen en ondertekend.")
    pdf = letter([Paragraph(f"Beste {name},"), KeyValues([("Cliënt", name)]), Table(["Naam"], [[name]])],
                 recipient_lines=[name], subject=name, signature=signature)
    text = pdf_text(pdf)
    # Body, key-value row, table cell, address window, subject, signature: six times.
    assert text.count(name) >= 5 and f"Betreft: {name}" in text and f"Beste {name}," in text


def test_version_2_prints_names_in_the_header_title_section_and_footer_of_a_document_and_a_letterhead():
    practice = Letterhead("Praktijk Łukasiewicz", ["Dvořákova 1"], "1", "a@b.nl")
    text = pdf_text(build_document(letterhead=practice, title="Dossier Nguyễn", sections=[Section("Şahin", [])]))
    assert text.count("Praktijk Łukasiewicz") == 2 and text.count("Dossier Nguyễn") == 2 and "Şahin" in text
    text = pdf_text(letter(letterhead=practice))
    assert text.count("Praktijk Łukasiewicz") == 2 and "Dvořákova 1" in text


def test_version_2_composes_a_name_typed_with_combining_marks():
    decomposed = "Nguye\u0302\u0303n"  # as a Mac keyboard may send it
    assert "Nguyễn" in pdf_text(letter([Paragraph(decomposed)]))


def test_version_2_folds_a_letter_dejavu_lacks_to_its_base_letter_and_prints_a_question_mark_for_the_rest():
    # U+210A SCRIPT SMALL G is not in DejaVu Sans, its base letter g is; nor are Chinese characters.
    assert pdf_module._kit(2).plain("Jo\u210aa 山田", pdf_module._kit(2).regular) == "Joga ??"
    text = pdf_text(letter([Paragraph("Jo\u210aa 山田")]))
    assert "Joga ??" in text


def test_version_2_never_hands_the_font_a_character_it_has_no_glyph_for():
    kit = pdf_module._kit(2)
    sample = "".join(chr(c) for c in range(0x20, 0x3000)) + "山田😀\U0001d400"
    for font in (kit.regular, kit.bold):
        covered = pdf_module.pdfmetrics.getFont(font).face.charToGlyph
        assert all(ord(ch) in covered for ch in kit.plain(sample, font) if ch not in "\n\t")
    # The fingerprint's Courier is built in: Windows-1252 only, as in version 1.
    assert kit.plain("ab Ş 山", kit.mono) == "ab S ?"


def test_an_unknown_renderer_version_is_refused():
    with pytest.raises(ValueError):
        letter(renderer=99)
    with pytest.raises(ValueError):
        build_document(letterhead=PRACTICE, title="T", sections=[], renderer=0)


def test_new_documents_are_made_with_version_2():
    assert RENDERER == 2 and letter() == letter(renderer=2) != letter(renderer=1)


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
