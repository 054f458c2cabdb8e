"""What a note holds, found fast when it is saved, and the annotators de-identification builds on.

- `find_special_categories()` (PR-4): a Dutch lexicon for religion, origin, political
  views, trade union membership, sexual orientation and health. Regex only, no deduce.
- `find_person_mentions()` (GC-5.2): other persons named in a note. Regex and the
  first-name lexicon only, no deduce, so it can run on every save.

They belong to the client records (what a dossier may hold); privacy.deidentify adds deduce
to the same annotators, the names the system knows (`KnownNames`) and the client's own values
(`known_spans`) for the exports (GC-6.9, GC-6.8). deduce's first-name, surname and place
lists are read here from its data files (`lexicons()`, ~0.3 s); deduce itself is never built.

Why the own annotators: on coaching notes deduce misses lower-case names, "46-jarige",
+31 phone numbers, some streets and towns, dates without a year and free-form ids, and it
tags company names as persons. Our annotators fill those gaps; where spans overlap, the
longest wins (so "Bouwbedrijf Hendriks B.V." is one institution, not a person plus "B.V.").
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

PERSOON = "PERSOON"
LOCATIE = "LOCATIE"
INSTELLING = "INSTELLING"
DATUM = "DATUM"
LEEFTIJD = "LEEFTIJD"
TELEFOON = "TELEFOON"
EMAIL = "EMAIL"
URL = "URL"
BSN = "BSN"
POSTCODE = "POSTCODE"
IBAN = "IBAN"
ID = "ID"

# When two overlapping spans are equally long, the more trusted source names the tag.
PRIORITY_KNOWN, PRIORITY_OWN, PRIORITY_DEDUCE = 3, 2, 1



class SpecialCategory(enum.StrEnum):
    RELIGION = "religie"
    ORIGIN = "afkomst"
    POLITICS = "politiek"
    TRADE_UNION = "vakbond"
    SEXUAL_ORIENTATION = "seksuele_geaardheid"
    HEALTH = "gezondheid"


@dataclass(frozen=True)
class Finding:
    category: SpecialCategory
    start: int
    end: int
    text: str


class Span(NamedTuple):
    start: int
    end: int
    tag: str
    priority: int
    entity: str = ""  # a name the system knows: every mention of it gets the same number


# --------------------------------------------------------------------------- lexicons


@dataclass(frozen=True)
class _Lexicons:
    first_names: frozenset[str]  # lower-case
    surnames: frozenset[str]  # lower-case
    placenames: frozenset[str]  # as written ("Den Haag", "Ede")
    placenames_lower: frozenset[str]
    common_words: frozenset[str]  # lower-case Dutch words that are never names on their own
    ordinary_words: frozenset[str]  # folded: words that a known name is replaced as only when capitalised

    def is_first_name(self, lower: str) -> bool:
        """`lower` (a lower-case word) is in the first-name list, also when written with
        letters the list spells without their accent: deduce has "omer", "jurgen", "lukasz",
        "sukru", so "Ömer", "Jürgen", "Łukasz" and "Şükrü" are names too (GC-6.8, GC-6.9)."""
        return lower in self.first_names or _fold(lower) in self.first_names


# First names (from deduce's list) that are also ordinary words; they count as names
# only when capitalised in mid-sentence.
_WORDS_NOT_NAMES = frozenset(
    """
    amber boet dahlia dawn day dean engel faith fine fleur grace hazel hope iris jade job
    joy kin king kit koop lam lelie lente lieve line love lucky may mees merel mint mus
    nine parel peer pluk raaf ram rein rem robijn roos roosje ruby skip sky sol star sterre
    sunny tam tin ton win wing zen zwaan can has him lie sin tan luck lean done moon bin fee
    lei kar hok gul tor pel lee pie dim mag ben bij dan even heel hoi zus wil tijs stan
    ad an bo ed el ik ma pa opa oma mama papa tante oom baas team chef
    januari februari maart april mei juni juli augustus september oktober november december
    """.split()
)


def _fold(word: str) -> str:
    """The word without diacritics: "ömer" -> "omer"; letters NFKD does not split (ł, ı, ø)
    are mapped by hand."""
    if word.isascii():
        return word
    word = word.translate(_FOLD_LETTERS)
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_FOLD_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
                               "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"})


@lru_cache(maxsize=1)
def lexicons() -> _Lexicons:
    """deduce's own source lists, read directly: ~0.3 s, no Deduce() build needed."""
    import deduce
    from deduce.lookup_structs import load_raw_itemset

    src = Path(deduce.__file__).parent / "data" / "lookup" / "src"

    def load(name: str) -> set[str]:
        return load_raw_itemset(src / name)

    common = {w.lower() for w in load("whitelist/lst_common_word") | load("whitelist/lst_stop_word")}
    common |= {w.lower() for w in load("whitelist/lst_medical_term")}
    common |= _WORDS_NOT_NAMES
    placenames = frozenset(load("locations/lst_placename"))
    name_words = (Path(__file__).parent / "data" / "name_words.txt").read_text(encoding="utf-8").split("\n")
    ordinary = common | {w for w in name_words if w and not w.startswith("#")} | _DESCRIPTIVE_WORDS
    return _Lexicons(
        first_names=frozenset(n.lower() for n in load("names/lst_first_name")) - _WORDS_NOT_NAMES,
        surnames=frozenset(n.lower() for n in load("names/lst_surname")),
        placenames=placenames,
        placenames_lower=frozenset(p.lower() for p in placenames),
        common_words=frozenset(common),
        ordinary_words=frozenset(_fold(w) for w in ordinary),
    )


# --------------------------------------------------------------------------- own annotators

_W = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž]"  # a letter, including Dutch/Turkish diacritics
_UPPER = r"[A-ZÀ-ÖØ-ÞĀ-Ž]"
_WORD = rf"{_W}[\w'’-]*"
_CAP_WORD = rf"{_UPPER}[\w'’-]*"
_INTERFIX = r"(?:van der|van den|van de|van 't|van het|in 't|op de|uit de|van|de|der|den|ten|ter|te|'t|het|la|le|el|da|di|du|von)"

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
)
_MONTHS_SHORT = r"jan|feb|febr|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
_WEEKDAYS = r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo"


def _find(pattern: re.Pattern, text: str, tag: str, group: int = 0) -> Iterator[Span]:
    for m in pattern.finditer(text):
        if m.group(group):
            yield Span(m.start(group), m.end(group), tag, PRIORITY_OWN)


_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:nl|com|org|net|eu|be|de|info|io|nu)"
    r"(?:/[^\s<>\"')\]]*[^\s<>\"')\].,;:!?])?(?![\w@])",
)


def annotate_emails(text: str) -> Iterator[Span]:
    return _find(_EMAIL_RE, text, EMAIL)


def annotate_urls(text: str) -> Iterator[Span]:
    for m in _URL_RE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == "@":
            continue  # the domain of an e-mail address
        yield Span(m.start(), m.end(), URL, PRIORITY_OWN)


_SEP = r"[\s.-]?"
_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:"
    rf"(?:\+|00)\s?31{_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{8}}"  # +31 6 12345678, 0031...
    rf"|\(0\d{{1,3}}\){_SEP}\d(?:{_SEP}\d){{5,7}}"  # (020) 123 4567
    rf"|0[1-9](?:{_SEP}\d){{8}}"  # 06-12345678, 020-1234567, 0318 512345
    r"|0[89]00[\s-]?\d{4}(?:\d{3})?"  # 0800-1234, 0900-1234567
    r"|14\s?0\d{2,3}"  # 14 033: a municipality's short number
    r")(?!\d)"
)


def annotate_phone_numbers(text: str) -> Iterator[Span]:
    """Dutch phone numbers in every usual notation (deduce misses the +31 forms)."""
    return _find(_PHONE_RE, text, TELEFOON)


_BSN_CANDIDATE_RE = re.compile(r"(?<![\d.-])\d{3,4}[ .]?\d{2,3}[ .]?\d{3}(?![\d-])")
_BSN_LABELLED_RE = re.compile(
    r"\b(?:bsn|burgerservicenummer|sofi-?nummer)\b\s*(?:nummer|nr\.?)?\s*[:.]?\s*(\d[\d. ]{6,11}\d)",
    re.IGNORECASE,
)


def annotate_bsn(text: str) -> Iterator[Span]:
    """9-digit numbers passing the eleven-test, and any number labelled as BSN."""
    for m in _BSN_CANDIDATE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 9 and stdnum_bsn.is_valid(digits):
            yield Span(m.start(), m.end(), BSN, PRIORITY_OWN)
    yield from _find(_BSN_LABELLED_RE, text, BSN, group=1)


_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")


def annotate_ibans(text: str) -> Iterator[Span]:
    for m in _IBAN_RE.finditer(text):
        candidate = m.group()
        # The regex may run into a following word; shrink until the check digits hold.
        while len(candidate) >= 15:
            if stdnum_iban.is_valid(candidate):
                yield Span(m.start(), m.start() + len(candidate.rstrip()), IBAN, PRIORITY_OWN)
                break
            candidate = candidate[:-1].rstrip()


# SA, SD and SS are not issued as postcode letters.
_POSTCODE_RE = re.compile(r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b|\b[1-9]\d{3}(?!sa|sd|ss)[a-z]{2}\b")


def annotate_postcodes(text: str) -> Iterator[Span]:
    return _find(_POSTCODE_RE, text, POSTCODE)


_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_MON = r"(?:1[0-2]|0?[1-9])"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY_PREFIX = rf"(?:(?:{_WEEKDAYS})\.?,?\s+)?"
_MONTH_WORD = rf"(?:{_MONTHS}|(?:{_MONTHS_SHORT})\.?)"
_DATE_RES = [
    # 14 januari 2026, do 12 mrt., woensdag 4 februari, 1e week: "3e april '25"
    re.compile(
        rf"\b{_WEEKDAY_PREFIX}{_DAY}(?:e|ste|de)?\s+{_MONTH_WORD}(?:\s+(?:{_YEAR}|'\d{{2}}))?(?!\w)",
        re.IGNORECASE,
    ),
    # maart 2025, okt. 2026
    re.compile(rf"\b{_MONTH_WORD}\s+(?:{_YEAR}|'\d{{2}})\b", re.IGNORECASE),
    # 03-11-2025, 19/02/2026, 7.8.1979, 1-2-26
    re.compile(rf"(?<![\d/.-]){_WEEKDAY_PREFIX}{_DAY}[-/.]{_MON}[-/.](?:{_YEAR}|\d{{2}})(?![\d/.-]*\d)"),
    # 2025-10-06
    re.compile(rf"(?<![\d-]){_YEAR}-{_MON}-{_DAY}(?![\d-])"),
    # begin/eind/half/medio with a month, abbreviated too: "eind feb", "half april"
    re.compile(rf"\b(?:begin|eind|einde|half|medio|midden|vanaf|per)\s+{_MONTH_WORD}(?!\w)", re.IGNORECASE),
    # a month on its own: "in juni", "eind december"
    re.compile(rf"\b(?:{_MONTHS})\b", re.IGNORECASE),
    # a year on its own: "sinds 2014" (but not amounts: "2000 euro")
    re.compile(
        rf"(?<![\d€.,-]){_YEAR}(?![\d.,-]*\d)(?!\s*(?:euro|eur|uur|km|%|x\b|m2|m²|kg))",
        re.IGNORECASE,
    ),
]
# 3/4, 17-3, vr 20/3: a date without a year, unless it reads as a fraction or a score.
_SHORT_DATE_RE = re.compile(
    rf"(?<![\d/.,-]){_WEEKDAY_PREFIX}({_DAY})[/-]({_MON})(?![\d/.-]*\d)"
    r"(?!\s*(?:van|deel|baan|fte|uur|dienstverband|contract|keer|procent|%))",
    re.IGNORECASE,
)


_SCORE_BEFORE_RE = re.compile(r"\b(?:score|scoort|cijfer|schaal|rapportcijfer|vas|geeft\s+een)\b[^.\n]*$", re.IGNORECASE)


def annotate_dates(text: str) -> Iterator[Span]:
    """Dates with and without a year, months and years on their own (GC-6.9: dates removed)."""
    for pattern in _DATE_RES:
        yield from _find(pattern, text, DATUM)
    for m in _SHORT_DATE_RE.finditer(text):
        if m.group() in {"24/7", "24-7"} or _SCORE_BEFORE_RE.search(text, max(0, m.start() - 60), m.start()):
            continue
        yield Span(m.start(), m.end(), DATUM, PRIORITY_OWN)


_AGE_RES = [
    re.compile(r"\b\d{1,3}\s?-?\s?jarige?\b", re.IGNORECASE),  # 46-jarige, 46 jarige
    re.compile(r"\b\d{1,3}\s?(?:jaar|jr\.?)\s+oud\b", re.IGNORECASE),  # 46 jaar oud
    re.compile(r"\bleeftijd\s*(?:van\s*)?:?\s*(\d{1,3})\b", re.IGNORECASE),
]
# (46) after a name or a word: a bare age in brackets. (46 jaar) too.
_AGE_BRACKETS_RE = re.compile(r"\((\d{1,2})(?:\s?(?:jaar|jr\.?))?\)")
# ", 8 jaar," / "is 46 jaar" / "wordt 47": ages, not durations ("30 jaar in dienst").
_AGE_IS_RE = re.compile(
    r"(?:[,(]\s*|\b(?:is|wordt|werd|was|ben|leeftijd)\s+)(\d{1,2})\s+(?:jaar|jr\.?)\b"
    r"(?!\s+(?:in dienst|bij|werkzaam|gewerkt|geleden|lang|getrouwd|samen|actief|ervaring|oud))",
    re.IGNORECASE,
)


def annotate_ages(text: str) -> Iterator[Span]:
    yield from _find(_AGE_RES[0], text, LEEFTIJD)
    yield from _find(_AGE_RES[1], text, LEEFTIJD)
    yield from _find(_AGE_RES[2], text, LEEFTIJD, group=1)
    yield from _find(_AGE_BRACKETS_RE, text, LEEFTIJD, group=1)
    yield from _find(_AGE_IS_RE, text, LEEFTIJD, group=1)


_STREET_SUFFIX = (
    r"straat|straatweg|weg|laan|plein|kade|gracht|singel|dijk|steeg|dreef|plantsoen|"
    r"boulevard|hof|park|pad|markt|baan|wal|veld|erf|ring|allee|dam|haven|akker|kamp|"
    r"hoeve|gaarde|burcht|wijk|zoom|oord|brink|dries|berg|horst|donk|hoek|rade|straatje"
)
# A street word with a house number: Kerkstraat 12, dorpsweg 3a, Loolaan 88-2, Hoofdstraat 5 bis
_STREET_NUMBER_RE = re.compile(
    rf"\b{_W}*(?:{_STREET_SUFFIX})\s+\d{{1,5}}(?:\s?-?\s?[a-zA-Z]\b|-\d{{1,3}}|\s(?:bis|hs|huis|I{{1,3}})\b)?",
    re.IGNORECASE,
)
# A capitalised street word without a number: "woont aan de Dorpsweg".
_STREET_WORD_RE = re.compile(
    rf"\b{_UPPER}{_W}{{2,}}(?:straat|straatweg|laan|weg|plein|gracht|kade|singel|dijk|steeg|dreef|plantsoen)\b"
)
# A lower-case street word without a number, where the sentence says it is a place:
# "woont aan de dorpsstraat".
_STREET_WORD_LOWER_RE = re.compile(
    rf"\b(?:aan|op|in|via|langs|naar|over)\s+de\s+({_W}+(?:straat|straatweg|laan|weg|plein|gracht|kade|singel|dijk|steeg|dreef|plantsoen))\b",
    re.IGNORECASE,
)
# Words that start many multi-word street names ("Burgemeester de Withstraat", "Prinses Irenelaan").
_STREET_PREFIXES = frozenset(
    """burgemeester burg. prins prinses koning koningin dokter dr. sint st. pastoor pater
    generaal professor prof. graaf gravin hertog jonkheer meester mr. kapitein admiraal
    oude nieuwe korte lange hoge lage grote kleine eerste tweede derde van de ten ter
    noord zuid oost west""".split()
)
_TOKEN_BEFORE_RE = re.compile(rf"({_WORD}\.?)\s+$")


def _extend_street_left(text: str, start: int) -> int:
    """Take in "Burgemeester de" before "Withstraat 12", but not "Verhuisd van"."""
    tokens: list[tuple[int, str]] = []
    pos = start
    for _ in range(4):
        m = _TOKEN_BEFORE_RE.search(text, 0, pos)
        if not m:
            break
        word = m.group(1)
        if not (word[0].isupper() or word.lower() in {"de", "van", "der", "den", "het", "'t"}):
            break
        tokens.append((m.start(1), word))
        pos = m.start(1)
    first_names = lexicons().first_names
    while tokens:
        begin, word = tokens[-1]
        lower = word.lower()
        if word[0].isupper() and (lower in _STREET_PREFIXES or lower in first_names):
            break
        tokens.pop()
    return tokens[-1][0] if tokens else start


def annotate_streets(text: str) -> Iterator[Span]:
    """Street plus house number, in any case, and capitalised street names on their own."""
    numbered = []
    for m in _STREET_NUMBER_RE.finditer(text):
        if m.group()[0].isdigit():
            continue
        numbered.append(Span(_extend_street_left(text, m.start()), m.end(), LOCATIE, PRIORITY_OWN))
    yield from numbered
    for m in _STREET_WORD_RE.finditer(text):
        if not any(n.start <= m.start() < n.end for n in numbered):
            yield Span(_extend_street_left(text, m.start()), m.end(), LOCATIE, PRIORITY_OWN)
    for m in _STREET_WORD_LOWER_RE.finditer(text):
        if m.group(1).lower() not in {"weg", "snelweg", "zijweg", "straat"} and not any(
            n.start <= m.start(1) < n.end for n in numbered
        ):
            yield Span(m.start(1), m.end(1), LOCATIE, PRIORITY_OWN)


_LEGAL_SUFFIX = r"(?:& Co\.?|& Zn\.?|B\.V\.|B\.V|BV|bv|b\.v\.|N\.V\.|NV|V\.O\.F\.|VOF|C\.V\.|CV|U\.A\.|Holding)"
_ORG_CONNECTOR = r"(?:&|en|van|de|der|den|het|'t|voor|op|aan|Zn\.|zn\.|Zonen)"
_ORG_NAME_TAIL = rf"(?:\s+(?:{_ORG_CONNECTOR}\s+)*(?:{_CAP_WORD}|\d+))+"
_ORG_HEADS = (
    r"Stichting|Gemeente|Koninklijke|Vereniging|Coöperatie|Cooperatie|Hogeschool|Universiteit|Ziekenhuis|"
    r"Zorggroep|Restaurant|Café|Cafe|Hotel|Kinderopvang|Kinderdagverblijf|Basisschool|School|"
    r"College|Woningcorporatie|Woonstichting|Ministerie|Provincie|Waterschap|Camping|Kapsalon|"
    r"Garage|Apotheek|Praktijk|Kliniek|Firma|Fa\.|Maatschap|Supermarkt|Tandartspraktijk|"
    r"Huisartsenpraktijk|Fysiotherapiepraktijk|Callcenter|Uitzendbureau|Reïntegratiebureau|"
    r"Re-integratiebureau|Adviesbureau|Advocatenkantoor|Accountantskantoor|Notariskantoor"
)
_ORG_HEAD_SUFFIX = (
    r"bedrijf|bedrijven|groep|werken|techniek|centrum|opvang|zorg|bouw|handel|diensten|service|"
    r"services|winkel|fabriek|kantoor|bureau|huis|erij|industrie|logistiek|transport|installaties|"
    r"makelaardij|verzekeringen|bank|academie|instituut"
)
_ORG_HEAD_RE = re.compile(
    rf"\b(?:{_ORG_HEADS}|{_UPPER}{_W}*(?:{_ORG_HEAD_SUFFIX})){_ORG_NAME_TAIL}(?:\s+{_LEGAL_SUFFIX}(?!\w))?"
)
_ORG_LEGAL_RE = re.compile(
    rf"((?:{_CAP_WORD}|\d+)(?:\s+(?:{_ORG_CONNECTOR}\s+)*(?:{_CAP_WORD}|\d+)){{0,4}})\s+{_LEGAL_SUFFIX}(?!\w)"
)
# Institutions a coaching note names by a fixed name. UWV is a national institution; it is
# replaced too, as the brief for GC-6.9 exports asks ("names ... removed").
_KNOWN_ORGS_RE = re.compile(
    r"\b(?:UWV|ArboNed|Arbo Unie|HumanCapitalCare|Zorg van de Zaak|Perspectief|Randstad|"
    r"Tempo-Team|Start People|Albert Heijn|Jumbo|Lidl|Aldi|PostNL|Rabobank|ING|ABN AMRO|"
    r"Belastingdienst|SVB|CAK|CIZ|GGD|Leger des Heils)\b"
)
_SENTENCE_WORDS = frozenset(
    "werkgever werknemer cliënt client cliënte klant contact via bij naar van voor met "
    "volgens aanmelding mail bericht gesprek bellen werkt".split()
)


def _is_sentence_word(word: str) -> bool:
    lower = word.lower()
    if lower in _SENTENCE_WORDS:
        return True
    return lower in lexicons().common_words and lower not in {"de", "van", "der", "den", "het", "'t", "en"}


def annotate_organisations(text: str) -> Iterator[Span]:
    """Employers and institutions: legal suffixes, "Stichting X", "Bouwbedrijf X", known names."""
    yield from _find(_ORG_HEAD_RE, text, INSTELLING)
    for m in _ORG_LEGAL_RE.finditer(text):
        start = m.start(1)
        # Drop sentence words the pattern swept up: "Werkgever De Vries BV".
        words = list(re.finditer(r"\S+", m.group(1)))
        while len(words) > 1 and _is_sentence_word(words[0].group()):
            words.pop(0)
        start = m.start(1) + words[0].start()
        yield Span(start, m.end(), INSTELLING, PRIORITY_OWN)
    yield from _find(_KNOWN_ORGS_RE, text, INSTELLING)


_ID_LABEL = (
    r"(?:dossier|klant|cliënt|client|registratie|personeels|werknemers|zaak|polis|contract|"
    r"factuur|order|referentie|student|lid|lidmaatschaps|relatie|debiteur|uwv|verzekerden|"
    r"aanvraag|melding|traject)[-\s]?(?:nummer|nr\.?|no\.?|id)|kenmerk|referentie|ref\.|id"
)
_ID_LABELLED_RE = re.compile(
    rf"\b(?:{_ID_LABEL})\s*[:#.]?\s*([A-Za-z0-9][A-Za-z0-9/.-]*\d[A-Za-z0-9/-]*)",
    re.IGNORECASE,
)
_ID_SHAPED_RE = re.compile(r"\b(?:[A-Z]{1,4}-?\d{4,}(?:-\d+)*|[A-Z]{2,4}-\d{4}-\d+|[a-z]\d{6,})\b")


def annotate_ids(text: str) -> Iterator[Span]:
    """Free-form ids: labelled ("dossiernummer 2026-0042") or id-shaped ("A12345")."""
    yield from _find(_ID_LABELLED_RE, text, ID, group=1)
    yield from _find(_ID_SHAPED_RE, text, ID)


_TITLE = r"(?:dhr|mevr|mw|mr|dr|drs|ir|ing|prof|mej|ds)\.?|meneer|mevrouw|mijnheer|de heer"
_INITIALS = rf"(?:{_UPPER}\.\s?){{1,4}}"
_TITLE_NAME_RE = re.compile(
    rf"\b(?:{_TITLE})\s+(?:{_INITIALS}\s*)?(?:{_INTERFIX}\s+)?{_CAP_WORD}(?:-{_CAP_WORD})?",
    re.IGNORECASE,
)
_INITIALS_NAME_RE = re.compile(
    rf"(?<![\w.])(?:{_UPPER}\.\s?){{1,4}}\s?(?:{_INTERFIX}\s+)?{_UPPER}[a-zà-ÿ]{{2,}}(?:-{_CAP_WORD})?"
)
_RELATIONS = (
    r"collega|leidinggevende|manager|teamleider|teamleidster|partner|vrouw|man|vriend|vriendin|"
    r"zoon|dochter|broer|zus|zuster|moeder|vader|ex|ex-partner|echtgenoot|echtgenote|buurman|"
    r"buurvrouw|bedrijfsarts|arbeidsdeskundige|huisarts|psycholoog|casemanager|fysiotherapeut|"
    r"begeleider|contactpersoon|mentor|advocaat|schoonmoeder|schoonvader|zwager|schoonzus|"
    r"nicht|neef|oom|tante|opa|oma|kleinzoon|kleindochter|baas|directeur|HR-adviseur|jobcoach"
)
_RELATION_NAME_RE = re.compile(rf"\b(?:{_RELATIONS}),?\s+({_WORD})", re.IGNORECASE)
_NAME_TOKEN_RE = re.compile(_WORD)
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;\n•*-]\s*|\(\s*)$")


def _is_sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_START_RE.search(text[max(0, start - 4) : start]))


def _extend_surname(text: str, end: int, lowercase: bool) -> int:
    """"Linda" -> "Linda de Groot"; "jeroen" -> "jeroen de boer" (lexicon surnames only)."""
    lex = lexicons()
    m = re.compile(rf"\s+((?:{_INTERFIX})\s+)?({_WORD})").match(text, end)
    if not m:
        return end
    word = m.group(2)
    lower = word.lower()
    if lex.is_first_name(lower) and not m.group(1):
        return m.end()  # "Jan Peter"
    if word[0].isupper() and lower not in lex.common_words and not lowercase:
        return m.end()
    surname = f"{m.group(1) or ''}{word}".lower()
    if lowercase and (lower in lex.surnames or surname in lex.surnames) and lower not in lex.common_words:
        return m.end()
    return end


def annotate_first_names(text: str, *, capitalised_only: bool = False) -> Iterator[Span]:
    """Names from deduce's first-name list, lower-case ones too ("gesprek met jan"), plus surname."""
    lex = lexicons()
    for m in _NAME_TOKEN_RE.finditer(text):
        word = m.group()
        lower = word.lower()
        if not lex.is_first_name(lower) or len(word) < 2:
            continue
        if word[0].isupper():
            if lower in lex.common_words and _is_sentence_start(text, m.start()):
                continue
            if word.isupper() and len(word) > 1:
                continue  # an acronym ("ADA", "MO")
        elif capitalised_only or lower in lex.common_words or len(word) < 3:
            continue
        end = _extend_surname(text, m.end(), lowercase=word[0].islower())
        yield Span(m.start(), end, PERSOON, PRIORITY_OWN)


# Surinamese-Chinese surnames: "Tjon A Fong", "Liem-A-Foe".
_A_SURNAME_RE = re.compile(rf"[ -]A[ -]{_CAP_WORD}")


def annotate_titled_names(text: str) -> Iterator[Span]:
    """"mevrouw Jansen", "dr. Verhoeven", "M. Kuipers", "collega mark", "mevrouw Tjon A Fong"."""
    lex = lexicons()
    spans = list(_find(_TITLE_NAME_RE, text, PERSOON)) + list(_find(_INITIALS_NAME_RE, text, PERSOON))
    for m in _RELATION_NAME_RE.finditer(text):
        word = m.group(1)
        lower = word.lower()
        if lower in lex.common_words or lower in _RELATION_WORDS:
            continue
        if word[0].isupper() or lex.is_first_name(lower):
            end = _extend_surname(text, m.end(1), lowercase=word[0].islower())
            spans.append(Span(m.start(1), end, PERSOON, PRIORITY_OWN))
    for span in spans:
        a_surname = _A_SURNAME_RE.match(text, span.end)
        yield span._replace(end=a_surname.end()) if a_surname else span


# GC-6.8, GC-6.9: an employer named after "bij", "werkgever", "opdrachtgever", "firma" or
# "bedrijf" without a legal form or a kind of business: "werkt bij Parlak Facilitair",
# "contactpersoon bij Kwiek", "bij De Vries". Measured on the corpus, the demo notes and the
# 2,000 Dutch strings of the UI: no false positives. (The same after "met", "van", "voor",
# "door" took apps, holidays and products for persons: "met Teams", "voor Pasen", "van
# Word"; it is not used.)
_EMPLOYER_CONTEXT_RE = re.compile(
    rf"\b(?i:bij|werkgever|opdrachtgever|firma|bedrijf)[:,]?\s+(?:(?:de|het)\s+)?"
    rf"((?i:{_INTERFIX}\s+)?{_CAP_WORD}(?:\s+(?:(?:{_INTERFIX}|&|en)\s+)?{_CAP_WORD}){{0,3}})"
)
_NOT_EMPLOYERS = frozenset(f"{_MONTHS}|{_WEEKDAYS}".split("|"))


def annotate_employers(text: str) -> Iterator[Span]:
    lex = lexicons()
    for m in _EMPLOYER_CONTEXT_RE.finditer(text):
        words = m.group(1).split()
        first = next((w for w in words if w.lower() not in _PARTICLES), "")
        lower = first.lower()
        if (len(first) < 3 or first.isupper() or lower in lex.common_words or lower in _NOT_EMPLOYERS
                or lex.is_first_name(lower) or m.group(1) in lex.placenames):
            continue  # "bij HR", "bij Ziekte", "bij Jan thuis", "bij Utrecht": persons and towns have their own
        yield Span(m.start(1), m.end(1), INSTELLING, PRIORITY_OWN)


_RELATION_WORDS = frozenset(_RELATIONS.lower().split("|"))
_PLACE_PREPOSITION_RE = re.compile(r"\b(?:in|uit|naar|te|bij|rond|richting|vanuit|omgeving)\s+$", re.IGNORECASE)
_CAP_SEQUENCE_RE = re.compile(rf"{_CAP_WORD}(?:\s+(?:{_INTERFIX}|aan|op|a/d|aan den|en)\s+{_CAP_WORD}|[\s-]{_CAP_WORD})*")


def annotate_places(text: str) -> Iterator[Span]:
    """Towns from deduce's place list: capitalised, or lower-case after "in", "uit", "naar"."""
    lex = lexicons()
    for m in _CAP_SEQUENCE_RE.finditer(text):
        # Try the longest run of words first: "Bergen op Zoom", "Den Haag".
        words = list(re.finditer(r"\S+", m.group()))
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + 4), i, -1):
                start, end = m.start() + words[i].start(), m.start() + words[j - 1].end()
                candidate = text[start:end]
                if candidate not in lex.placenames:
                    continue
                after_preposition = bool(_PLACE_PREPOSITION_RE.search(text[max(0, start - 12) : start]))
                if candidate.lower() in lex.common_words and not after_preposition:
                    break
                if (
                    j - i == 1
                    and candidate.lower() in lex.first_names
                    and not after_preposition
                ):
                    break  # a first name that is also a village ("Lent") is left to the name annotators
                yield Span(start, end, LOCATIE, PRIORITY_OWN)
                i = j - 1
                break
            i += 1
    for m in re.finditer(r"(?<![\w-])([a-zà-ÿ][\w'-]+)", text):
        word = m.group(1)
        if word in lex.common_words or word not in lex.placenames_lower:
            continue
        if _PLACE_PREPOSITION_RE.search(text[max(0, m.start() - 12) : m.start()]):
            yield Span(m.start(), m.end(), LOCATIE, PRIORITY_OWN)


_OWN_ANNOTATORS = (
    annotate_emails,
    annotate_urls,
    annotate_phone_numbers,
    annotate_bsn,
    annotate_ibans,
    annotate_postcodes,
    annotate_dates,
    annotate_ages,
    annotate_streets,
    annotate_organisations,
    annotate_employers,
    annotate_ids,
    annotate_titled_names,
    annotate_first_names,
    annotate_places,
)


def own_spans(text: str) -> list[Span]:
    return [span for annotator in _OWN_ANNOTATORS for span in annotator(text)]


# --------------------------------------------------------------------------- names the system knows

# Words of a contact or recipient that say what someone is, not who: "Afdeling Werk",
# "Team Re-integratie", "Bedrijfsarts K. Ouaali". Never replaced on their own.
_DESCRIPTIVE_WORDS = frozenset(
    """
    afdeling team dienst bureau loket sector unit cluster regio vestiging kantoor secretariaat
    administratie personeelszaken salarisadministratie receptie directie management klantenservice
    klantcontact servicepunt werkgeversservicepunt werkplein wijkteam re integratie reintegratie
    werk inkomen participatie zorg sociaal domein hr po arbo arbodienst casemanagement
    """.split()
)
# Particles of names: part of a surname ("de Vries", "El Amrani", "Tjon A Fong"), never a
# name on their own.
_PARTICLES = frozenset("van de der den het t te ten ter op in uit la le du da di dos das del della von el al a y".split())
_TOKEN_RE = re.compile(r"[^\W_]+")
# Between the words of one name: a space, a line break or a hyphen ("Wiśniewska-Nowak").
_NAME_GAP_RE = re.compile(r"\s{1,3}|\s?[-‐]\s?|['’]")
# Between two mentions of the same person that together are one: "Małgorzata" + "Nowak",
# "Tjon" + "A" + "Fong".
_PARTICLE_RE = "|".join(sorted(_PARTICLES, key=len, reverse=True))
_JOIN_GAP_RE = re.compile(rf"(?:\s+|\s?-\s?)(?:(?:(?i:{_PARTICLE_RE})|{_UPPER}\.?)(?:\s+|\s?-\s?))*")
_INITIALS_BEFORE_RE = re.compile(rf"(?<![\w.])(?:{_UPPER}\.\s?-?){{1,5}}\s?$")
_LEGAL_AFTER_RE = re.compile(rf"\s+{_LEGAL_SUFFIX}(?!\w)")
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` lower-cased without diacritics, and for each character of the result the
    index of the character it came from ("Ł" -> "l", "ß" -> "ss", a combining accent -> "")."""
    if text.isascii():
        return text.lower(), list(range(len(text) + 1))
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        for folded in _fold(char.lower()):
            out.append(folded)
            origin.append(i)
    origin.append(len(text))
    return "".join(out), origin


class _Unit(NamedTuple):
    """One way of writing a known name: ("malgorzata",), ("de", "vries"), ("tjon", "a", "fong")."""

    tokens: tuple[str, ...]  # folded
    tag: str
    entity: str
    capital: int  # index of the token that must be capitalised in the text (an ordinary word), or -1
    acronyms: tuple[int, ...]  # indices of tokens that must be in capitals ("UWV", "HR")
    person: bool


@dataclass(frozen=True)
class KnownNames:
    """Names the system itself holds, replaced wherever they appear (GC-6.8, GC-6.9) and
    counted as other persons (GC-5.2), in addition to what deduce and the own annotators find.

    The caller reads them from sealed data through the usual accessors; they are never
    logged. Matching ignores case and diacritics ("Malgorzata", "małgorzata") and keeps to
    whole words. A person's name counts whole and in parts ("Małgorzata", "Wiśniewska",
    "de Vries"), with initials before it ("M. Wiśniewska") and as a possessive ("Jans",
    "Małgorzata's"). A part that is also an ordinary Dutch word ("Bakker", "Post", "Groot")
    counts only where it is written with a capital.

    - `client`: the client's first and last name; also handed to deduce as its patient, whose
      fuzzy matching catches misspellings.
    - `people`: staff, substitutes, therapists, complainants: certainly persons.
    - `contacts`: a principal's contact person, a consent's recipient: free text that may be a
      person ("Grzegorz Wójcik") or a function ("Afdeling Werk"); its parts count on their own
      only when it reads as a person's name, and then only capitalised.
    - `organisations`: principals and employers, with or without their legal form ("Bakkerij
      De Vries B.V.", "Bakkerij De Vries BV", "De Vries").
    - `shared`: the names of the whole practice (staff, principals), built once for an export
      of many clients and matched by their own cached matcher.
    """

    client: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    shared: KnownNames | None = None

    @classmethod
    def of(cls, *, client=(), people=(), contacts=(), organisations=(), shared=None) -> KnownNames:
        def clean(values) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))

        return cls(clean(client), clean(people), clean(contacts), clean(organisations), shared)

    def spans(self, text: str) -> list[Span]:
        """Where the names stand in `text`, as spans of the highest priority."""
        own = self._matcher.spans(text)
        return own + self.shared.spans(text) if self.shared else own

    @cached_property
    def _matcher(self) -> _NameMatcher:
        units: list[_Unit] = []
        client = " ".join(self.client)
        if client:
            units += _person_units(client, entity=_entity(client), sure=True)
            for part in self.client:  # "Van den Berg" as the last name is one surname
                units += _person_units(part, entity=_entity(client), sure=True, whole=True)
        for name in self.people:
            units += _person_units(name, entity=_entity(name), sure=True)
        for name in self.contacts:
            units += _person_units(name, entity=_entity(name), sure=False)
        for name in self.organisations:
            units += _organisation_units(name, entity=_entity(name))
        return _NameMatcher(units)


def _entity(name: str) -> str:
    """One key per name, the same in the client's and the practice's list."""
    return " ".join(_TOKEN_RE.findall(_folded(name)[0]))


def _words(value: str) -> list[str]:
    """The words of a name as written, without bracketed remarks: "Ingrid Vos (CSR)" -> Ingrid, Vos."""
    value = unicodedata.normalize("NFC", _BRACKETS_RE.sub(" ", value))
    return [w.strip(".,;:") for w in value.split() if w.strip(".,;:&+/")]


def _is_descriptive(word: str) -> bool:
    """"Afdeling", "Team", "Re-integratie", "Bedrijfsarts", "dhr.": what someone is, not who."""
    parts = _TOKEN_RE.findall(_fold(word.lower()))
    return bool(parts) and all(p in _DESCRIPTIVE_WORDS or p in _TITLE_WORDS or p in _RELATION_WORDS for p in parts)


def _unit(words: list[str], *, tag: str, entity: str, person: bool, capitalised: bool = False,
          phrase: bool = False) -> _Unit | None:
    """A unit for `words`, or None when it has no word that can name anyone on its own.
    `phrase`: it may be a phrase of ordinary words ("Eigen rekening"), so its first word decides."""
    lex = lexicons()
    tokens: list[str] = []
    written: list[str] = []
    for word in words:
        for m in _TOKEN_RE.finditer(_folded(word)[0]):
            tokens.append(m.group())
        written += _TOKEN_RE.findall(word)
    if len(tokens) != len(written):
        return None
    substantial = [i for i, t in enumerate(tokens) if t not in _PARTICLES and len(t) > 1]
    if not substantial:
        return None
    first = substantial[0]
    acronyms = tuple(i for i, w in enumerate(written) if len(w) > 1 and w.isupper())
    # "Bakker", "de Groot", "Eigen rekening", "Afdeling Werk": ordinary words unless
    # capitalised. A person's name with one word that is no ordinary word ("Jan Kowalczyk")
    # is a name in any case; an organisation's name must not start with an ordinary word.
    checked = substantial[:1] if phrase or not person else substantial
    ordinary = all(tokens[i] in lex.ordinary_words or len(tokens[i]) < 3 for i in checked)
    needs_capital = capitalised or ordinary or (len(tokens) == 1 and tokens[0] in lex.placenames_lower)
    return _Unit(tuple(tokens), tag, entity, first if needs_capital and first not in acronyms else -1, acronyms,
                 person)


def _person_units(value: str, *, entity: str, sure: bool, whole: bool = False) -> list[_Unit]:
    """The full name, each name in it, and the surname with its particles ("de Vries").
    `sure`: the value is certainly a person's name; otherwise (a contact) its parts count only
    when it reads as one, and only where they are capitalised."""
    lex = lexicons()
    words = _words(value)
    descriptive = {w for w in words if _is_descriptive(w)}
    initials = {w for w in words if re.fullmatch(rf"(?:{_UPPER}\.?-?)+", w) and len(w.replace(".", "")) <= 4
                and w.lower() not in _PARTICLES}
    full = _unit(words, tag=PERSOON, entity=entity, person=True, phrase=not sure)
    units = [full] if full else []
    if whole:
        return units
    name = [w for w in words if w not in descriptive and w not in initials]
    if not sure:
        folded = [_fold(w.lower()) for w in name if w.lower() not in _PARTICLES]
        reads_as_person = bool(folded) and all(w[0].isupper() for w in name if w.lower() not in _PARTICLES) and (
            any(lex.is_first_name(w) for w in folded) or not any(w in lex.ordinary_words for w in folded)
        )
        if not reads_as_person:
            return units
    candidates: list[list[str]] = []
    if name != words:
        candidates.append(name)  # "K. Ouaali" from "Bedrijfsarts K. Ouaali (ArboNed)"
    for i, word in enumerate(name):
        if word.lower() in _PARTICLES:
            if i == 0 or name[i - 1].lower() not in _PARTICLES:
                candidates.append(name[i:])  # "de Vries", "van der Berg", "El Amrani"
            continue
        candidates.append([word])
        if "-" in word and sure:
            candidates += [[part] for part in word.split("-") if len(part) > 2]
    if len(name) > 2:
        candidates.append(name[1:])  # "Tjon A Fong" of "Wendy Tjon A Fong"
    for words_ in candidates:
        unit = _unit(words_, tag=PERSOON, entity=entity, person=True, capitalised=not sure)
        if unit:
            units.append(unit)
    return units


_ORG_HEAD_WORD_RE = re.compile(rf"(?:{_ORG_HEADS}|{_UPPER}{_W}*(?:{_ORG_HEAD_SUFFIX}))", re.IGNORECASE)


def _organisation_units(value: str, *, entity: str) -> list[_Unit]:
    """The name with and without its legal form, and without a leading kind of business
    ("De Vries" of "Bakkerij De Vries B.V.") when what is left is no ordinary word or town."""
    lex = lexicons()
    core = re.sub(rf"\s*,?\s+{_LEGAL_SUFFIX}\s*$", "", value.strip()) or value
    words = _words(core)
    units = [_unit(words, tag=INSTELLING, entity=entity, person=False)]
    rest = words
    while len(rest) > 1 and _ORG_HEAD_WORD_RE.fullmatch(rest[0]):  # "Stichting Kinderopvang Kwiek" -> "Kwiek"
        rest = rest[1:]
        folded = [_fold(w.lower()) for w in rest]
        if " ".join(rest) not in lex.placenames and any(
            w not in _PARTICLES and (w not in lex.ordinary_words or w in lex.surnames) for w in folded
        ):
            units.append(_unit(rest, tag=INSTELLING, entity=entity, person=False))
    return [u for u in units if u]


class _NameMatcher:
    """All units, looked up by their first token: one pass over the words of a text."""

    def __init__(self, units: Iterable[_Unit]):
        self.by_first: dict[str, list[_Unit]] = {}
        for unit in set(units):
            self.by_first.setdefault(unit.tokens[0], []).append(unit)
        for candidates in self.by_first.values():
            candidates.sort(key=lambda u: (-len(u.tokens), u.tag != PERSOON))

    def spans(self, text: str) -> list[Span]:
        if not self.by_first or not text:
            return []
        folded, origin = _folded(text)
        tokens = [(origin[m.start()], origin[m.end() - 1] + 1, m.group()) for m in _TOKEN_RE.finditer(folded)]
        found: list[Span] = []
        i = 0
        while i < len(tokens):
            match = self._match_at(text, tokens, i)
            if match is None:
                i += 1
                continue
            unit, end, n = match
            start = tokens[i][0]
            if unit.person:
                initials = _INITIALS_BEFORE_RE.search(text, max(0, start - 16), start)
                if initials:
                    start = initials.start()
            if unit.tag == INSTELLING and (legal := _LEGAL_AFTER_RE.match(text, end)):
                end = legal.end()
            found.append(Span(start, end, unit.tag, PRIORITY_KNOWN, unit.entity))
            i += n
        return _join_parts(text, found)

    def _match_at(self, text: str, tokens, i: int) -> tuple[_Unit, int, int] | None:
        word = tokens[i][2]
        candidates = self.by_first.get(word, [])
        if word.endswith("s"):  # "Jans", "Dikmens": a possessive without an apostrophe
            candidates = candidates + [u for u in self.by_first.get(word[:-1], []) if len(u.tokens) == 1]
        for unit in candidates:
            n = len(unit.tokens)
            if i + n > len(tokens):
                continue
            window = tokens[i : i + n]
            if any(t[2] != u for t, u in zip(window[:-1], unit.tokens[:-1], strict=True)):
                continue
            last = window[-1][2]
            if last != unit.tokens[-1] and not self._possessive(text, window[-1], unit):
                continue
            if not all(_NAME_GAP_RE.fullmatch(text, a[1], b[0]) for a, b in itertools.pairwise(window)):
                continue
            if unit.capital >= 0 and not text[window[unit.capital][0]].isupper():
                continue
            if any(not text[window[k][0] : window[k][1]].isupper() for k in unit.acronyms):
                continue
            return unit, window[-1][1], n
        return None

    @staticmethod
    def _possessive(text: str, token, unit: _Unit) -> bool:
        """"Jans fiets": the name with an "s", capitalised, and not itself a word ("Hals")."""
        start, _end, word = token
        return (unit.person and word == unit.tokens[-1] + "s" and text[start].isupper()
                and word not in lexicons().ordinary_words)


def _join_parts(text: str, spans: list[Span]) -> list[Span]:
    """Neighbouring parts of the same name become one span: "Małgorzata" + "Nowak"."""
    joined: list[Span] = []
    for span in spans:
        if joined and joined[-1].entity == span.entity and _JOIN_GAP_RE.fullmatch(text, joined[-1].end, span.start):
            joined[-1] = joined[-1]._replace(end=span.end)
        else:
            joined.append(span)
    return joined


# --------------------------------------------------------------------------- known identifiers


def _guess_tag(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if "@" in value:
        return EMAIL
    if len(digits) == 9 and stdnum_bsn.is_valid(digits) and len(digits) >= len(value) - 3:
        return BSN
    if len(digits) >= 9 and len(digits) >= len(value) - 5:
        return TELEFOON
    if _ORG_HEAD_RE.fullmatch(value) or _ORG_LEGAL_RE.fullmatch(value) or _KNOWN_ORGS_RE.fullmatch(value):
        return INSTELLING
    if value in lexicons().placenames or value.lower() in lexicons().placenames_lower:
        return LOCATIE
    return PERSOON


def known_spans(text: str, known_identifiers: Iterable[str]) -> list[Span]:
    """The client's own values, wherever they appear (case-insensitive, whole words)."""
    spans = []
    for value in known_identifiers:
        value = (value or "").strip()
        if len(value) < 2:
            continue
        tag = _guess_tag(value)
        if tag in (TELEFOON, BSN):
            # Match the digits in any notation: 06-12345678 == 06 1234 5678.
            digits = re.sub(r"\D", "", value)
            if digits.startswith("31") and tag == TELEFOON:
                digits = "0" + digits[2:]
            if digits.startswith("0") and tag == TELEFOON:
                body = r"[\s.-]?".join(digits[1:])
                pattern = rf"(?<![\w+])(?:0|(?:\+|00)\s?31[\s.-]?(?:\(0\)[\s.-]?)?)[\s.-]?{body}(?!\d)"
            else:
                body = r"[\s.-]?".join(digits)
                pattern = rf"(?<!\d){body}(?!\d)"
        else:
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in value.split()) + r"(?!\w)"
        for m in re.finditer(pattern, text, re.IGNORECASE):
            spans.append(Span(m.start(), m.end(), tag, PRIORITY_KNOWN))
    return spans


# --------------------------------------------------------------------------- merge and redact


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans become one span covering them all; the longest names the tag."""
    merged: list[Span] = []
    cluster: list[Span] = []

    def flush() -> None:
        if cluster:
            best = max(cluster, key=lambda s: (s.end - s.start, s.priority))
            known = [s for s in cluster if s.entity and s.tag == best.tag]
            entity = max(known, key=lambda s: s.end - s.start).entity if known else ""
            merged.append(
                Span(min(s.start for s in cluster), max(s.end for s in cluster), best.tag, best.priority, entity)
            )

    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= span.start:
            continue
        if cluster and span.start < max(s.end for s in cluster):
            cluster.append(span)
        else:
            flush()
            cluster = [span]
    flush()
    return merged



# --------------------------------------------------------------------------- GC-5.2


_TITLE_WORDS = frozenset(
    "dhr mevr mw mr dr drs ir ing prof mej ds meneer mevrouw mijnheer de heer van der den".split()
)


def find_person_mentions(
    text: str, *, known_identifiers: Iterable[str] = (), known_names: KnownNames | None = None
) -> list[str]:
    """Names of persons in a note other than the client (GC-5.2 warning), fast, without deduce.

    Uses titles ("mevrouw Jansen"), initials ("M. Kuipers"), relation words ("collega mark"),
    deduce's first-name list, and the names of other people the system knows (`known_names`:
    staff, the principal's contact person), also where no list has them ("Małgorzata").
    Names made only of the client's own `known_identifiers` are left out. In order of first
    appearance, each once.
    """
    known_words = {
        word.casefold() for value in known_identifiers for word in re.findall(r"\w+", value or "")
    }
    spans = list(annotate_titled_names(text)) + list(annotate_first_names(text))
    if known_names:
        spans += [span for span in known_names.spans(text) if span.tag == PERSOON]
    # An organisation ("Bakkerij Jansen B.V.") or place is not a person.
    others = [s for s in annotate_organisations(text)] + list(annotate_streets(text))
    names: dict[str, None] = {}
    for span in merge_spans(spans):
        if any(o.start <= span.start and span.end <= o.end for o in others):
            continue
        name = text[span.start : span.end].strip(" ,;:")
        words = {w.casefold() for w in re.findall(r"\w+", name)}
        if words - _TITLE_WORDS and words - _TITLE_WORDS <= known_words:
            continue
        names.setdefault(name, None)
    return list(names)


# --------------------------------------------------------------------------- PR-4

_SPECIAL_CATEGORY_TERMS: dict[SpecialCategory, tuple[str, ...]] = {
    SpecialCategory.RELIGION: (
        r"geloofs\w*",
        r"(?:het|zijn|haar|hun|eigen|vanuit|vanwege|uit|in)\s+geloof",
        r"gelovige?n?",
        r"religi(?:e|es|eus|euze|ositeit)",
        r"kerk(?:en|elijke?|dienst(?:en)?|gang|genootschap|gemeenschap)?",
        r"moskee(?:ën|en|bezoek)?",
        r"synagoge",
        r"tempel",
        r"islam(?:itisch|itische)?",
        r"moslims?",
        r"moslima'?s?",
        r"christ(?:en|enen|elijke?|endom)",
        r"katholie(?:k|ke|ken)",
        r"rooms(?:-katholieke?)?",
        r"protestant(?:s|se|en)?",
        r"hervormde?",
        r"gereformeerde?",
        r"evangeli(?:sch|sche|e)",
        r"jo(?:od|den|odse?)",
        r"joodse?",
        r"hindoe(?:s|ïstisch|ïstische|isme)?",
        r"boeddhis(?:me|t|tisch|tische)",
        r"ramadan",
        r"suikerfeest",
        r"offerfeest",
        r"sabbat",
        r"vasten(?:maand)?",
        r"bid(?:den|t|dt)",
        r"gebed(?:en)?",
        r"hoofddoek(?:je)?",
        r"imam",
        r"dominee",
        r"pastoor",
        r"priester",
        r"rabbijn",
        r"jehova'?s? getuigen?",
        r"atheïst(?:isch|ische)?",
    ),
    SpecialCategory.ORIGIN: (
        r"afkomst",
        r"afkomstig\s+uit",
        r"oorspronkelijk\s+uit",
        r"herkomst",
        r"etni(?:sch|sche|citeit)",
        r"nationaliteit(?:en)?",
        r"migratieachtergrond",
        r"migrant(?:en)?",
        r"allochto(?:on|ne|nen)",
        r"autochto(?:on|ne|nen)",
        r"huidskleur",
        r"getinte?",
        r"statushouders?",
        r"vluchteling(?:en|e)?",
        r"asielzoekers?",
        r"inburgering(?:scursus)?",
        r"marokka(?:an|anse?|nen)",
        r"marokko",
        r"turk(?:s|se|en|ije)?",
        r"surinam(?:er|ers|e|es|ese)",
        r"surinaamse?",
        r"antillia(?:an|anse?|nen)",
        r"syri(?:ër|ërs|sch|sche)",
        r"eritre(?:eër|eërs|es|se)",
        r"somali(?:ër|ërs|sch|sche)",
        r"afgha(?:an|anse?|nen)",
        r"koerd(?:en|isch|ische)?",
        r"ghane(?:es|se|zen)",
        r"kaapverdia(?:an|anse?|nen)",
        r"molukse?",
        r"indonesi(?:sch|sche|ër|ërs)",
        r"pool(?:se)?",
        r"poolse",
        r"pools",
        r"roemeens(?:e)?",
        r"bulgaars(?:e)?",
        r"oekraïens(?:e)?",
        r"arabi(?:sch|sche|er|eren)",
        r"berber(?:s)?",
        r"roma",
        r"sinti",
    ),
    SpecialCategory.POLITICS: (
        r"politie(?:ke|k)\s+(?:voorkeur|kleur|overtuiging|partij|activiteiten|actief|mening|opvatting(?:en)?)",
        r"politiek\s+actief",
        r"(?:stemt|stemde|stemden|gestemd|stemmen|stem)\s+op",
        r"partijlid",
        r"lid\s+van\s+(?:de|een)\s+(?:politieke\s+)?partij",
        r"gemeenteraadslid",
        r"partij\s+voor\s+de\s+(?:dieren|vrijheid)",
        r"forum\s+voor\s+democratie",
        r"nieuw\s+sociaal\s+contract",
        r"boerburgerbeweging",
        r"groenlinks(?:-pvda)?",
        r"christenunie",
    ),
    SpecialCategory.TRADE_UNION: (
        r"vakbond(?:en|slid|sleden|swerk|sman|svrouw)?",
        r"lid\s+van\s+de\s+bond",
        r"ondernemingsraad",
        r"OR-lid",
    ),
    SpecialCategory.SEXUAL_ORIENTATION: (
        r"homo(?:'s|seksueel|seksuele|seksualiteit|fiel)?",
        r"lesbi(?:sch|sche|enne|ennes)",
        r"biseksue(?:el|le|len)",
        r"seksuele\s+(?:geaardheid|oriëntatie|voorkeur|identiteit)",
        r"geaardheid",
        r"transgender(?:s)?",
        r"non-?binair",
        r"uit\s+de\s+kast",
        r"coming[- ]out",
        r"lhbt\w*\+?",
        r"lgbt\w*\+?",
        r"queer",
    ),
    SpecialCategory.HEALTH: (
        r"burn-?\s?out\w*",
        r"overspannen(?:heid)?",
        r"depressi(?:e|es|ef|eve)",
        r"angst(?:stoornis|stoornissen|klachten|aanval|aanvallen)",
        r"paniek(?:aanval|aanvallen|stoornis)",
        r"\w+klachten",
        r"(?:lichamelijke|psychische|fysieke)\s+klachten",
        r"diagnose(?:s)?",
        r"gediagnosticeerd",
        r"medicatie",
        r"medicijn(?:en|gebruik)?",
        r"antidepressiva",
        r"pijnstillers?",
        r"slaapmiddel(?:en)?",
        r"psychiat(?:er|ers|risch|rische|rie)",
        r"psycholo(?:og|oge|gen|gische)",
        r"ggz",
        r"therap(?:ie|ieën|eut|euten|eutisch)",
        r"fysiotherap(?:ie|eut)",
        r"ziekenhuis(?:opname)?",
        r"opname",
        r"operatie",
        r"geopereerd",
        r"kanker",
        r"chemo(?:therapie|kuur)?",
        r"tumor",
        r"diabetes",
        r"suikerziekte",
        r"hartinfarct",
        r"herseninfarct",
        r"hersenletsel",
        r"beroerte",
        r"hernia",
        r"migraine",
        r"reuma",
        r"fibromyalgie",
        r"artrose",
        r"astma",
        r"epilepsie",
        r"dementie",
        r"ptss",
        r"adhd",
        r"add",
        r"autisme",
        r"autistisch(?:e)?",
        r"bipola(?:ir|ire)",
        r"psychose(?:s)?",
        r"schizofre(?:nie|en)",
        r"verslav(?:ing|ingen)",
        r"verslaafd",
        r"alcohol(?:isme|probleem|problemen|verslaving|gebruik)",
        r"drugsgebruik",
        r"su[iï]cid(?:aal|ale|e)",
        r"zelfmoord\w*",
        r"zwanger(?:schap|schapsverlof)?",
        r"miskraam",
        r"long\s?covid",
        r"chronisch(?:e)?\s+vermoeidheid",
        r"whiplash",
        r"ms",
        r"cva",
        r"nah",
    ),
}
# Acronyms that are only a special category when written in capitals (PVV, SP, DENK, ...).
_CASE_SENSITIVE_TERMS: dict[SpecialCategory, tuple[str, ...]] = {
    SpecialCategory.POLITICS: (
        r"PVV", r"VVD", r"CDA", r"D66", r"PvdA", r"GL-PvdA", r"SP", r"SGP", r"CU", r"PvdD",
        r"FvD", r"FVD", r"JA21", r"BBB", r"NSC", r"DENK", r"Volt", r"50PLUS", r"BIJ1",
    ),
    SpecialCategory.TRADE_UNION: (r"FNV", r"CNV", r"VCP"),
}
# Health acronyms count only in capitals: "add", "ms", "nah" are ordinary words.
_HEALTH_ACRONYMS = {"ptss", "adhd", "add", "ggz", "ms", "cva", "nah"}


def _compile_terms(terms: dict, flags: int) -> list[tuple[SpecialCategory, re.Pattern]]:
    return [
        (category, re.compile(rf"(?<![\w-])(?:{'|'.join(patterns)})(?![\w-])", flags))
        for category, patterns in terms.items()
    ]


_SPECIAL_RES = _compile_terms(_SPECIAL_CATEGORY_TERMS, re.IGNORECASE) + _compile_terms(
    _CASE_SENSITIVE_TERMS, 0
)


def find_special_categories(text: str) -> list[Finding]:
    """Religion, origin, political views, trade union, sexual orientation and health (PR-4).

    A lexicon with Dutch inflections, case-insensitive and on word boundaries; fast enough
    for every note save. Street names ("Kerkstraat 12", "Moskeelaan") are not findings.
    """
    addresses = list(annotate_streets(text))
    findings: dict[tuple[int, int], Finding] = {}
    for category, pattern in _SPECIAL_RES:
        for m in pattern.finditer(text):
            matched = m.group()
            if matched.lower() in _HEALTH_ACRONYMS and not matched.isupper():
                continue  # "add", "ms", "nah" in lower case are ordinary words
            if matched.lower() == "pool" or matched.lower() == "roma":
                if not matched[0].isupper():
                    continue
            if any(a.start <= m.start() and m.end() <= a.end for a in addresses):
                continue
            findings.setdefault((m.start(), m.end()), Finding(category, m.start(), m.end(), matched))
    return sorted(findings.values(), key=lambda f: (f.start, f.end))
