"""Complaint letters: the practice's editable templates (Dutch defaults from the complaints
regulation), filled in and rendered as PDF with `lib.pdf.build_letter`; and the complaints
procedure itself as a PDF (KR-3.1).

A letter's filled-in text is stored sealed with the complaint (models.Letter), with the
lib.pdf renderer version it was made with (Letter.pdf_renderer), so the PDF can be rendered
again, byte for byte, at any time."""

import hashlib
import string
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from coachdossier import policy
from coachdossier.lib import pdf

from .models import LetterKind, LetterLanguage, LetterTemplate, Level

PLACEHOLDERS = {
    "name": _("the complainant's name"),
    "number": _("the complaint number"),
    "received_on": _("the receipt date"),
    "reason": _("the reason for non-admission"),
    "text": _("the free text written for this letter"),
    "new_date": _("the new settlement date (extension)"),
    "contact": _("the complaints contact person and number"),
    "practice": _("the practice's name"),
    "ruling": _("the committee's ruling"),
    "measures": _("the measures taken after the ruling, or 'geen'"),
    "coach": _("the name of the coach the complaint is about"),
    "procedure": _("who handles the complaint and when the complainant hears: two uninvolved coaches of the "
                   "practice, or the umbrella organisation's committee"),
}

DEFAULTS = {
    LetterKind.ACKNOWLEDGEMENT: (
        "Ontvangstbevestiging van uw klacht",
        "Beste {name},\n\n"
        "Wij hebben uw klacht op {received_on} ontvangen en ingeschreven in ons klachtenregister onder "
        "nummer {number}.\n\n"
        "{procedure}\n\n"
        "{text}\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
    LetterKind.NON_ADMISSION: (
        "Uw klacht wordt niet in behandeling genomen",
        "Beste {name},\n\n"
        "Op {received_on} ontvingen wij uw klacht (nummer {number}). Wij hebben besloten uw klacht niet in "
        "behandeling te nemen. De reden daarvoor is:\n\n{reason}\n\n"
        "Heeft u vragen over dit besluit, neem dan contact op met {contact}.\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
    LetterKind.EXTENSION: (
        "Verlenging van de behandeltermijn van uw klacht",
        "Beste {name},\n\n"
        "De afhandeling van uw klacht (nummer {number}, ontvangen op {received_on}) vraagt meer tijd dan de "
        "zes weken die onze klachtenregeling noemt. U ontvangt uiterlijk op {new_date} schriftelijk "
        "bericht over de afhandeling.\n\n{text}\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
    LetterKind.SETTLEMENT: (
        "Afhandeling van uw klacht",
        "Beste {name},\n\n"
        "Hierbij ontvangt u de schriftelijke afhandeling van uw klacht (nummer {number}, ontvangen op "
        "{received_on}).\n\n{text}\n\n"
        "Binnen vijf werkdagen na deze brief nemen wij telefonisch contact met u op om te horen of u "
        "tevreden bent over de afhandeling van uw klacht.\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
    LetterKind.NOT_REACHED: (
        "Wij konden u telefonisch niet bereiken",
        "Beste {name},\n\n"
        "Na de afhandeling van uw klacht (nummer {number}) hebben wij meerdere keren geprobeerd u te bellen. "
        "Wij hebben u niet telefonisch kunnen bereiken.\n\n"
        "Wij gaan er daarom van uit dat uw klacht naar tevredenheid is afgehandeld.\n\n"
        "Is dat niet het geval, neem dan contact op met {contact}.\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
    LetterKind.MEDIATION: (
        "Verwijzing naar een erkend mediator",
        "Beste {name},\n\n"
        "Wij zijn er samen niet in geslaagd uw klacht (nummer {number}) naar tevredenheid af te handelen. "
        "Zoals onze klachtenregeling bepaalt, verwijzen wij uw klacht daarom naar een erkend mediator.\n\n"
        "{text}\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
    LetterKind.RULING: (
        "Uitspraak van de klachtencommissie",
        "Beste {name},\n\n"
        "De klachtencommissie heeft uitspraak gedaan over de klacht met nummer {number}. De klacht is "
        "{ruling} bevonden.\n\n"
        "Maatregelen naar aanleiding van de uitspraak: {measures}\n\n{text}\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
    # GC-8.2: the ruling and any measures go to the coach complained about as well.
    LetterKind.RULING_COACH: (
        "Uitspraak van de klachtencommissie over een klacht over u",
        "Beste {coach},\n\n"
        "De klachtencommissie heeft uitspraak gedaan over de klacht met nummer {number} die over u is "
        "ingediend en die wij op {received_on} hebben ontvangen. De klacht is {ruling} bevonden.\n\n"
        "Maatregelen naar aanleiding van de uitspraak: {measures}\n\n{text}\n\n"
        "De klager ontvangt de uitspraak in een eigen brief.\n\n"
        "Met vriendelijke groet,\n\n{practice}"),
}


# KR-3.3a-d, KR-3.4b/c, GC-8.2 for a complainant who reads English (Complaint.language): the
# Dutch defaults' translation. A practice edits them as it edits the Dutch ones. Letters to the
# coach are always Dutch (COACH_LETTERS), so they have no English default.
DEFAULTS_EN = {
    LetterKind.ACKNOWLEDGEMENT: (
        "Acknowledgement of receipt of your complaint",
        "Dear {name},\n\n"
        "We received your complaint on {received_on} and entered it in our complaints register under "
        "number {number}.\n\n"
        "{procedure}\n\n"
        "{text}\n\n"
        "Kind regards,\n\n{practice}"),
    LetterKind.NON_ADMISSION: (
        "Your complaint will not be taken into consideration",
        "Dear {name},\n\n"
        "On {received_on} we received your complaint (number {number}). We have decided not to take your "
        "complaint into consideration. The reason is:\n\n{reason}\n\n"
        "If you have questions about this decision, please contact {contact}.\n\n"
        "Kind regards,\n\n{practice}"),
    LetterKind.EXTENSION: (
        "Extension of the term for handling your complaint",
        "Dear {name},\n\n"
        "Handling your complaint (number {number}, received on {received_on}) takes more time than the six "
        "weeks our complaints procedure sets. You will hear in writing how it was settled by {new_date} at "
        "the latest.\n\n{text}\n\n"
        "Kind regards,\n\n{practice}"),
    LetterKind.SETTLEMENT: (
        "Settlement of your complaint",
        "Dear {name},\n\n"
        "This is the written settlement of your complaint (number {number}, received on {received_on}).\n\n"
        "{text}\n\n"
        "Within five working days of this letter we will phone you to ask whether you are satisfied with how "
        "your complaint was handled.\n\n"
        "Kind regards,\n\n{practice}"),
    LetterKind.NOT_REACHED: (
        "We could not reach you by phone",
        "Dear {name},\n\n"
        "After your complaint (number {number}) was settled, we tried to phone you several times. We could "
        "not reach you by phone.\n\n"
        "We therefore take it that your complaint was settled to your satisfaction.\n\n"
        "If that is not the case, please contact {contact}.\n\n"
        "Kind regards,\n\n{practice}"),
    LetterKind.MEDIATION: (
        "Referral to a recognised mediator",
        "Dear {name},\n\n"
        "Together we have not managed to settle your complaint (number {number}) to your satisfaction. As our "
        "complaints procedure provides, we therefore refer your complaint to a recognised mediator.\n\n"
        "{text}\n\n"
        "Kind regards,\n\n{practice}"),
    LetterKind.RULING: (
        "Ruling of the complaints committee",
        "Dear {name},\n\n"
        "The complaints committee has ruled on the complaint with number {number}. The complaint was found "
        "{ruling}.\n\n"
        "Measures taken after the ruling: {measures}\n\n{text}\n\n"
        "Kind regards,\n\n{practice}"),
}

LANGUAGE_DEFAULTS: dict[str, dict[LetterKind, tuple[str, str]]] = {LetterLanguage.DUTCH: DEFAULTS,
                                                                  LetterLanguage.ENGLISH: DEFAULTS_EN}


def kinds_in(language: str) -> list[str]:
    """The letters written in `language`: all of them in Dutch; in English those to the
    complainant (a coach's letter is Dutch)."""
    return list(LANGUAGE_DEFAULTS[LetterLanguage(language)])


def letter_language(kind: str, language: str) -> str:
    """The language a letter of `kind` is written in for a complainant who reads `language`."""
    return language if kind in LANGUAGE_DEFAULTS.get(language, {}) else LetterLanguage.DUTCH


def format_date(day, language: str) -> str:
    """A date as a letter in `language` writes it."""
    return (pdf.format_date_en if language == LetterLanguage.ENGLISH else pdf.format_date_nl)(day)


# The letters are Dutch by default; the ruling as it reads in them.
RULING_WORDS = {"nl": {"founded": "gegrond", "partly": "gedeeltelijk gegrond", "unfounded": "ongegrond"},
                "en": {"founded": "founded", "partly": "partly founded", "unfounded": "unfounded"}}
# {measures} when none were taken, and {name} when the complaint names nobody.
NO_MEASURES = {"nl": "geen.", "en": "none."}
NO_NAME = {"nl": "klager", "en": "complainant"}


# KR-3.3a: the acknowledgement tells the complainant who handles the complaint and when they
# hear, which depends on its level: the practice's committee of two uninvolved coaches within
# its settlement term (KR-3.3b, KR-3.3d), or the umbrella organisation's committee under its own
# regulation, whose ruling the practice puts to complainant and coach within a month (GC-8.1/8.2).
# By the template's language, as RULING_WORDS.
@dataclass(frozen=True)
class ProcedureWords:
    practice: str
    umbrella: str
    coach: str
    one_month: str
    months: str


PROCEDURE_WORDS = {
    "nl": ProcedureWords(
        practice="Uw klacht wordt behandeld door een klachtencommissie van twee coaches die zelf niet bij de klacht "
                 "betrokken zijn. U ontvangt binnen {settle} weken na de ontvangstdatum schriftelijk bericht over de "
                 "afhandeling. Heeft de afhandeling meer tijd nodig, dan laten wij u dat tijdig weten.",
        umbrella="Uw klacht wordt niet door onze praktijk behandeld, maar door de klachtencommissie van de "
                 "koepelorganisatie, volgens haar eigen klachtenreglement. Binnen {months} na de uitspraak van die "
                 "commissie brengen wij u{coach} schriftelijk op de hoogte van de uitspraak en van eventuele "
                 "maatregelen.",
        coach=" en de coach over wie uw klacht gaat", one_month="één maand", months="{n} maanden"),
    "en": ProcedureWords(
        practice="Your complaint is handled by a complaints committee of two coaches who are not themselves involved "
                 "in it. You will hear in writing how it was settled within {settle} weeks of the date of receipt. "
                 "Should the handling take longer, we will let you know in time.",
        umbrella="Your complaint is not handled by our practice but by the umbrella organisation's complaints "
                 "committee, under its own complaints regulation. Within {months} of that committee's ruling we will "
                 "inform you{coach} in writing of the ruling and of any measures taken.",
        coach=" and the coach your complaint is about", one_month="one month", months="{n} months"),
}


def procedure_words(complaint, language: str = "nl") -> str:
    """The {procedure} placeholder: how `complaint` is handled, for its level (KR-3.3a, GC-8.1)."""
    words = PROCEDURE_WORDS.get(language, PROCEDURE_WORDS["nl"])
    p = policy.current()
    if complaint.level != Level.UMBRELLA:
        return words.practice.format(settle=p.complaint_settle_weeks)
    n = p.complaint_ruling_months
    return words.umbrella.format(months=words.one_month if n == 1 else words.months.format(n=n),
                                 coach=words.coach if complaint.coach_id else "")


class _Keep(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill(text: str, values: dict) -> str:
    """Fill {placeholders}; unknown ones stay as written (a template typo never crashes)."""
    try:
        return string.Formatter().vformat(text, (), _Keep(values))
    except (ValueError, IndexError):
        return text


def template_for(kind: str, language: str = "nl") -> LetterTemplate:
    """The practice's template for `kind` in `language`, created from that language's default
    on first use."""
    subject, body = LANGUAGE_DEFAULTS[LetterLanguage(language)][LetterKind(kind)]
    template, _created = LetterTemplate.objects.get_or_create(kind=kind, language=language,
                                                       defaults={"subject": subject, "body": body})
    return template


def letterhead() -> pdf.Letterhead:
    p = policy.current()
    return pdf.Letterhead(name=p.practice_name, address_lines=tuple(p.practice_address), phone=p.practice_phone,
                          email=p.practice_email)


def render(letter) -> bytes:
    """The letter as PDF (equal input gives equal bytes)."""
    content = letter.content
    body = [pdf.Paragraph(part) for part in content["body"].split("\n\n") if part.strip()]
    return pdf.build_letter(letterhead=letterhead(), recipient_lines=content.get("recipient_lines") or ["—"],
                            reference=letter.complaint.number or "—", date=letter.date,
                            subject=content["subject"], body=body, language=letter.language,
                            renderer=letter.pdf_renderer)


# --- The procedure itself (KR-3.1) ---------------------------------------------------------

PROCEDURE = [
    ("1. Wat is een klacht", ["Een klacht is iedere uiting van ontevredenheid."]),
    ("2. Soorten klachten", [
        "Schriftelijke klachten komen per post of e-mail binnen. Ook een aantekening op een formulier of "
        "evaluatieverslag waaruit blijkt dat u niet tevreden bent, is een klacht. U kunt uw klacht ook "
        "indienen in het cliëntportaal.",
        "Telefonische klachten: als u telefonisch uw ontevredenheid uit, bieden wij u aan dit als klacht te "
        "registreren. Wilt u dat, dan vullen wij samen met u het standaard registratieformulier in."]),
    ("3. Ontvangst en registratie", [
        "De klachtenfunctionaris schrijft uw klacht binnen {register} werkdagen in het klachtenregister in. "
        "U krijgt binnen {ack} weken een bericht van ontvangst."]),
    ("4. Behandeling", [
        "Uw klacht wordt behandeld door een klachtencommissie van twee coaches die zelf niet bij de klacht "
        "betrokken zijn.",
        "Wordt uw klacht niet in behandeling genomen, dan hoort u dat uiterlijk {non} weken na ontvangst, met "
        "de reden.",
        "Uw klacht wordt binnen {settle} weken na ontvangst schriftelijk afgehandeld. Is meer tijd nodig, dan "
        "laten wij u dat vóór het einde van die termijn schriftelijk of telefonisch weten.",
        "Een klacht over een coach kunt u ook indienen bij de directie en de klachtencommissie van de "
        "koepelorganisatie, volgens haar klachtenreglement. Haar uitspraak wordt binnen {ruling} maand aan u "
        "en de coach voorgelegd."]),
    ("5. Nazorg", [
        "Binnen {aftercare} werkdagen na onze antwoordbrief bellen wij u om te vragen of u tevreden bent over "
        "de afhandeling. Lukt het niet u te bereiken, dan sturen wij u een brief. Komen wij er samen niet "
        "uit, dan verwijzen wij uw klacht naar een erkend mediator."]),
    ("6. Contact", ["Voor vragen over uw klacht: {contact}."]),
]


# The same procedure for a reader of English (KR-3.1): the client gets it in the language her
# mail is in (User.language), as the letters of a complaint go in Complaint.language.
PROCEDURE_EN = [
    ("1. What is a complaint", ["A complaint is every expression of dissatisfaction."]),
    ("2. Kinds of complaints", [
        "Written complaints reach us by post or email. A remark on a form or evaluation report that shows you "
        "are not satisfied is a complaint too. You can also lodge your complaint in the client portal.",
        "Complaints by phone: when you express your dissatisfaction by phone, we offer to register it as a "
        "complaint. If you wish, we fill in the standard registration form together with you."]),
    ("3. Receipt and registration", [
        "The complaints officer enters your complaint in the complaints register within {register} working "
        "days. You receive an acknowledgement of receipt within {ack} weeks."]),
    ("4. Handling", [
        "Your complaint is handled by a complaints committee of two coaches who are not themselves involved "
        "in it.",
        "If your complaint is not taken into consideration, you hear so no later than {non} weeks after "
        "receipt, with the reason.",
        "Your complaint is settled in writing within {settle} weeks of receipt. If more time is needed, we "
        "let you know in writing or by phone before that term ends.",
        "You can also lodge a complaint about a coach with the management and the complaints committee of "
        "the umbrella organisation, under its complaints regulation. Its ruling is put to you and the coach "
        "within {ruling} month."]),
    ("5. Aftercare", [
        "Within {aftercare} working days of our answer letter we phone you to ask whether you are satisfied "
        "with how your complaint was handled. If we cannot reach you, we send you a letter. If we cannot "
        "agree together, we refer your complaint to a recognised mediator."]),
    ("6. Contact", ["For questions about your complaint: {contact}."]),
]

# language: (the document's title, its sections, the attachment's file name)
PROCEDURE_TEXTS: dict[str, tuple[str, list[tuple[str, list[str]]], str]] = {
    LetterLanguage.DUTCH: ("Klachtenregeling", PROCEDURE, "klachtenregeling.pdf"),
    LetterLanguage.ENGLISH: ("Complaints procedure", PROCEDURE_EN, "complaints-procedure.pdf")}


def procedure_language(language: str | None) -> str:
    """The language the procedure is given in for a reader of `language`: Dutch unless English."""
    return language if language in PROCEDURE_TEXTS else LetterLanguage.DUTCH


def procedure_filename(language: str) -> str:
    return PROCEDURE_TEXTS[procedure_language(language)][2]


def procedure_pdf(renderer: int = pdf.RENDERER, language: str = LetterLanguage.DUTCH) -> bytes:
    """KR-3.1: the complaints procedure in `language` (its own words and the PDF's: page, date);
    the practice's terms from the policy file. Equal input gives equal bytes, so a
    ProcedureNotice's hash holds for its renderer and language."""
    p = policy.current()
    values = {"register": p.complaint_register_working_days, "ack": p.complaint_acknowledge_weeks,
              "non": p.complaint_non_admission_weeks, "settle": p.complaint_settle_weeks,
              "ruling": p.complaint_ruling_months, "aftercare": p.complaint_aftercare_working_days,
              "contact": p.complaints_contact}
    language = procedure_language(language)
    title, texts_by_section, _filename = PROCEDURE_TEXTS[language]
    sections = [pdf.Section(heading, [pdf.Paragraph(fill(t, values)) for t in texts])
                for heading, texts in texts_by_section]
    return pdf.build_document(letterhead=letterhead(), title=title, subtitle=p.practice_name, sections=sections,
                              confidential=False, language=language, renderer=renderer)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
