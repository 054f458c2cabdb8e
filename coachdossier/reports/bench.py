"""For `coachdossier bench`: a realistic report of N pages, built without a database."""

import datetime

from coachdossier.lib import pdf

from .documents import letterhead

PARAGRAPH = ("In de afgelopen periode hebben cliënt en coach wekelijks gesproken over het dagritme, de "
             "belastbaarheid en de stappen richting werkhervatting. Cliënt houdt een logboek bij en merkt dat de "
             "energie over de dag beter verdeeld raakt. Twee ochtenden per week voert cliënt een vaste taak uit "
             "bij de eigen werkgever; dat verloopt naar tevredenheid. Afgesproken is om de uren geleidelijk uit "
             "te breiden, met aandacht voor herstelmomenten en een duidelijke taakafbakening.")
# Measured: about seven such paragraphs fill an A4 page in DejaVu Sans (renderer version 2,
# wider than version 1's Helvetica, which fitted eight); the first page, with the letterhead
# and address block, holds fewer.
PARAGRAPHS_PER_PAGE = 7
FIRST_PAGE_SHORTFALL = 5


def render_report_pdf(pages: int) -> bytes:
    body: list[pdf.Block] = [pdf.Paragraph("Geachte heer, mevrouw,"),
            pdf.KeyValues([("Cliënt", "Carla de Vries"), ("Geboortedatum", "12 maart 1980")])]
    count = max(1, pages * PARAGRAPHS_PER_PAGE - FIRST_PAGE_SHORTFALL)
    for n in range(count):
        if n % PARAGRAPHS_PER_PAGE == 0:
            body.append(pdf.Heading(f"Verloop, deel {n // PARAGRAPHS_PER_PAGE + 1}"))
        body.append(pdf.Paragraph(PARAGRAPH))
    body.append(pdf.Paragraph("Met vriendelijke groet,\n\nAlice Coach"))
    return pdf.build_letter(letterhead=letterhead(), recipient_lines=["UWV Utrecht", "t.a.v. Team Re-integratie"],
                            reference="2026-0001/R1", date=datetime.date(2026, 11, 23),
                            subject="Voortgangsrapportage", body=body)
