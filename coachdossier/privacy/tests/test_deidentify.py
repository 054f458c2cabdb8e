"""The de-identification pipeline against the fictional regression corpus.

GC-6.9 (supervision export) and GC-6.8 (research/education export) need names, places,
dates and numbers out of free text; PR-4 needs special categories flagged; GC-5.2 needs a
warning when a note names other persons.

deduce takes ~10 s to start in a process, so every deduce-backed test lives in this module
and shares one `Deduce()` through the module-scoped `deducer` fixture (`get_deducer()` is
a process-wide singleton). The fast detectors (PR-4, GC-5.2, the own annotators) never
touch deduce.
"""

import re
import time
from pathlib import Path

import pytest
import yaml

from coachdossier.clients import screening
from coachdossier.clients.screening import KnownNames, SpecialCategory, find_person_mentions, find_special_categories
from coachdossier.privacy import deidentify as deid
from coachdossier.privacy.deidentify import PSEUDONYMISED_LABEL, DeidResult, deidentify, get_deducer

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "notes.yaml"
MARKUP = re.compile(r"\{\{([A-Z]+):(.*?)\}\}")
MIN_RECALL = 0.98


def parse_note(marked: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Strip {{TAG:text}} markup; return the plain text and the expected spans."""
    plain, gold, cursor = [], [], 0
    length = 0
    for m in MARKUP.finditer(marked):
        before = marked[cursor : m.start()]
        plain.append(before)
        length += len(before)
        tag, original = m.group(1), m.group(2)
        gold.append((length, length + len(original), tag, original))
        plain.append(original)
        length += len(original)
        cursor = m.end()
    plain.append(marked[cursor:])
    return "".join(plain), gold


def load_corpus() -> list[dict]:
    notes = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["notes"]
    for note in notes:
        note["plain"], note["gold"] = parse_note(note["text"])
    return notes


def still_present(original: str, output: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(original)}(?!\w)", output) is not None


@pytest.fixture(scope="module")
def deducer():
    """One Deduce() for this module (and, being a singleton, for the whole run)."""
    started = time.perf_counter()
    instance = get_deducer()
    print(f"\nDeduce() ready in {time.perf_counter() - started:.1f} s")
    return instance


@pytest.fixture(scope="module")
def corpus_results(deducer):
    notes = load_corpus()
    started = time.perf_counter()
    for note in notes:
        note["result"] = deidentify(note["plain"], known_identifiers=note.get("known", ()),
                                    known_names=KnownNames.of(**note.get("names", {})))
    elapsed = time.perf_counter() - started
    print(f"de-identified {len(notes)} notes in {elapsed:.2f} s ({elapsed / len(notes) * 1000:.0f} ms/note)")
    return notes


class TestCorpus:
    """GC-6.9 / GC-6.8: the regression corpus as a whole."""

    def test_the_corpus_has_at_least_thirty_notes_with_marked_identifiers(self):
        notes = load_corpus()
        assert len(notes) >= 30
        assert sum(len(n["gold"]) for n in notes) > 250
        for note in notes:
            assert "{{" not in note["plain"] and "}}" not in note["plain"], note["id"]

    def test_recall_on_identifiers_is_at_least_98_percent_gc_6_9(self, corpus_results):
        found = missed = 0
        misses = []
        true_positives = false_positives = 0
        false_hits = []
        for note in corpus_results:
            result: DeidResult = note["result"]
            for _start, _end, tag, original in note["gold"]:
                if still_present(original, result.text):
                    missed += 1
                    misses.append(f"{note['id']}: {tag} {original!r}")
                else:
                    found += 1
            for a in result.annotations:
                if any(a.start < end and start < a.end for start, end, _, _ in note["gold"]):
                    true_positives += 1
                else:
                    false_positives += 1
                    false_hits.append(f"{note['id']}: {a.tag} {a.original!r}")
        recall = found / (found + missed)
        precision = true_positives / (true_positives + false_positives)
        print(f"recall {recall:.1%} ({found}/{found + missed} identifiers)")
        print(f"precision {precision:.1%} ({true_positives}/{true_positives + false_positives} annotations)")
        for line in misses:
            print("  missed:", line)
        for line in false_hits:
            print("  extra: ", line)
        assert recall >= MIN_RECALL, misses

    def test_every_known_identifier_in_the_corpus_is_replaced(self, corpus_results):
        for note in corpus_results:
            for value in note.get("known", ()):
                assert not re.search(rf"(?<!\w){re.escape(value)}(?!\w)", note["result"].text, re.I), (
                    note["id"],
                    value,
                )


class TestDeidentify:
    """GC-6.9: the deduce-backed pipeline on single sentences."""

    def test_it_replaces_a_lower_case_name_that_deduce_misses(self, deducer):
        result = deidentify("gesprek met jan gehad, jan was moe.")
        assert "jan" not in result.text
        assert result.text == "gesprek met [PERSOON-1] gehad, [PERSOON-1] was moe."

    def test_gc_6_8_names_with_polish_and_turkish_letters_do_not_survive_a_research_export(self, deducer):
        text = "Gesprek met Łukasz Kowalski en Ömer; Jürgen van HR belde. Şükrü en Çağla zijn collega's."
        result = deidentify(text).text
        for name in ("Łukasz", "Kowalski", "Ömer", "Jürgen", "Şükrü", "Çağla"):
            assert name not in result, result

    def test_it_gives_the_same_entity_the_same_number(self, deducer):
        result = deidentify("Linda belde. Daarna belde Peter. Linda was boos op Peter.")
        assert result.text == "[PERSOON-1] belde. Daarna belde [PERSOON-2]. [PERSOON-1] was boos op [PERSOON-2]."

    def test_it_numbers_each_tag_separately(self, deducer):
        result = deidentify("Karin woont in Zwolle en Jeroen in Deventer.")
        assert "[PERSOON-1]" in result.text and "[PERSOON-2]" in result.text
        assert "[LOCATIE-1]" in result.text and "[LOCATIE-2]" in result.text

    def test_it_keeps_years_of_service_that_deduce_takes_for_an_age(self, deducer):
        assert "40 jaar gewerkt" in deidentify("Ze heeft 40 jaar gewerkt in de thuiszorg.").text

    def test_it_does_not_join_names_across_a_full_stop(self, deducer):
        assert deidentify("Ik sprak Peter. Linda belde later.").text == "Ik sprak [PERSOON-1]. [PERSOON-2] belde later."

    def test_it_tags_a_company_as_an_institution_not_a_person(self, deducer):
        result = deidentify("Hij werkt bij Bouwbedrijf Hendriks B.V. als uitvoerder.")
        assert result.text == "Hij werkt bij [INSTELLING-1] als uitvoerder."

    def test_it_always_replaces_known_identifiers_case_insensitively(self, deducer):
        result = deidentify(
            "De klant van de zaak, KOEKOEK, belde vanaf 06 12 34 56 78.",
            known_identifiers=["Koekoek", "06-12345678"],
        )
        assert "KOEKOEK" not in result.text
        assert "56 78" not in result.text

    def test_known_identifiers_match_whole_words_only(self, deducer):
        # Not "werkt bij de Annaschool": a school after "bij" is an employer, replaced too.
        result = deidentify("Anna brengt haar zoon naar de Annaschool.", known_identifiers=["Anna"])
        assert "Annaschool" in result.text

    def test_annotations_do_not_overlap_and_point_into_the_input(self, deducer):
        text = "Mw. Petra de Vries (46), Kerkstraat 12, 3811 CW Amersfoort, tel. +31 6 12345678."
        result = deidentify(text)
        previous_end = 0
        for a in result.annotations:
            assert a.start >= previous_end
            assert text[a.start : a.end] == a.original
            previous_end = a.end

    def test_the_result_is_labelled_pseudonymised_never_anonymous(self, deducer):
        assert DeidResult.PSEUDONYMISED_LABEL == PSEUDONYMISED_LABEL
        assert PSEUDONYMISED_LABEL == {"nl": "Gepseudonimiseerd", "en": "Pseudonymised"}
        assert "anoniem" not in " ".join(PSEUDONYMISED_LABEL.values()).lower()

    def test_an_empty_text_stays_empty(self, deducer):
        assert deidentify("").text == ""
        assert deidentify("   ").annotations == []

    def test_get_deducer_returns_one_shared_instance(self, deducer):
        assert get_deducer() is deducer


# Fictional names, none in deduce's lists: Polish, Turkish, Moroccan, Surinamese, Frisian.
PRACTICE = KnownNames.of(
    people=["Hylke Rypma", "Soerinder Doekhie", "Oedit Lachmon", "Anna Bakker", "Kees Post"],
    contacts=["Grzegorz Wójcik", "Bedrijfsarts K. Ouaali (ArboNed)", "Afdeling Werk", "Team Re-integratie"],
    organisations=["Bakkerij De Vries B.V.", "Parlak Facilitair", "Eigen rekening"],
)
MALGORZATA = KnownNames.of(client=["Małgorzata", "Wiśniewska"], people=["Fouad Ouchan"], shared=PRACTICE)


def leftover(result: DeidResult, *names: str) -> list[str]:
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", result.text, re.IGNORECASE)]


class TestKnownNames:
    """GC-6.8, GC-6.9: every name the system holds is replaced, also where deduce's lists
    and the own annotators know no such name."""

    def test_gc_6_8_the_clients_name_is_replaced_in_any_case_and_without_diacritics(self, deducer):
        text = "Gesprek met Małgorzata. Later belde MALGORZATA zelf; małgorzata en malgorzata wiśniewska tekenen."
        result = deidentify(text, known_names=MALGORZATA)
        assert leftover(result, "Małgorzata", "Malgorzata", "Wiśniewska") == []
        assert result.text.count("[PERSOON-1]") == 4

    def test_gc_6_9_staff_substitutes_therapists_contacts_and_complainants_are_replaced(self, deducer):
        text = ("Tijdens mijn vakantie sprak Soerinder met haar; Doekhie schrijft dat het goed gaat. Lachmon meet "
                "de HRV. Grzegorz belde namens de werkgever en Wójcik wil evalueren. Ouaali ziet haar terug. "
                "Haar broer Fouad diende de klacht in; Ouchan wil mediation. Hylke neemt het over.")
        result = deidentify(text, known_names=MALGORZATA)
        assert leftover(result, "Soerinder", "Doekhie", "Lachmon", "Grzegorz", "Wójcik", "Ouaali", "Fouad",
                        "Ouchan", "Hylke") == []

    def test_gc_6_8_an_employer_is_replaced_with_or_without_its_legal_form(self, deducer):
        text = ("Ze werkt als inpakster bij Bakkerij De Vries BV. Bakkerij De Vries B.V. zoekt lichter werk; "
                "De Vries belt volgende week. Haar zus werkt bij Parlak Facilitair.")
        result = deidentify(text, known_names=MALGORZATA)
        assert leftover(result, "Bakkerij", "De Vries", "Parlak", "BV", "B.V.") == []
        assert "[PERSOON" not in result.text
        assert result.text.count("[INSTELLING-1]") == 3

    def test_gc_6_8_a_misspelt_client_name_is_caught_by_deduces_patient_matching(self, deducer):
        result = deidentify("Gesprek met Małgorzta; Wiśniewskaa komt later.", known_names=MALGORZATA)
        assert leftover(result, "Małgorzta", "Wiśniewskaa") == []

    def test_a_lone_letter_that_is_the_clients_initial_stays(self, deducer):
        assert "E-mail" in deidentify("E-mail aan Eva gestuurd.", known_names=KnownNames.of(client=["Eva", "Ouchan"])).text

    def test_possessives_and_initials_go_with_the_name(self, deducer):
        result = deidentify("Małgorzata's rooster blijft. Rypmas vakantie begint. Getekend: M.K. Wiśniewska.",
                            known_names=MALGORZATA)
        assert result.text == "[PERSOON-1]'s rooster blijft. [PERSOON-2] vakantie begint. Getekend: [PERSOON-1]."

    def test_one_person_keeps_one_number_however_she_is_named(self, deducer):
        result = deidentify("Małgorzata Wiśniewska kwam. M. Wiśniewska tekende. Wiśniewska-contact: Małgorzata.",
                            known_names=MALGORZATA)
        assert set(re.findall(r"\[PERSOON-\d+\]", result.text)) == {"[PERSOON-1]"}

    def test_ordinary_dutch_words_are_not_redacted_though_a_known_name_is_spelt_like_them(self, deducer):
        names = KnownNames.of(client=["Peter", "de Groot"], people=["Lieve Boer"], shared=PRACTICE)
        text = ("Cliënt is de boer op gegaan met zijn cv en heeft een groot aantal brieven per post verstuurd. "
                "Het team van de afdeling werk en inkomen denkt mee. De cursus betaalt hij op eigen rekening; "
                "de bakker om de hoek zoekt iemand. Het is lieve moeite, maar hij houdt hoop.")
        assert deidentify(text, known_names=names).text == text
        written_as_names = deidentify("Post belde; De Groot en Bakker waren er, Afdeling Werk ook.", known_names=names)
        assert leftover(written_as_names, "Post", "De Groot", "Bakker", "Afdeling Werk") == []

    def test_a_contact_that_names_a_function_counts_only_as_a_whole(self):
        names = KnownNames.of(contacts=["Afdeling Werk", "Team Re-integratie"])
        assert [s.tag for s in names.spans("Het team belt; Werk gaat voor. De afdeling werk belt.")] == []
        assert len(names.spans("Team Re-integratie belde en Afdeling Werk ook.")) == 2

    def test_known_names_are_found_without_deduce(self, monkeypatch):
        monkeypatch.setattr(deid, "get_deducer", lambda: pytest.fail("deduce used"))
        assert deid.find_known("Overleg met Wójcik en Ouaali.", known_names=MALGORZATA) == ["Wójcik", "Ouaali"]


def tags(annotator, text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.tag) for s in annotator(text)]


def covered(annotator, text: str, expected: str) -> bool:
    return any(text[s.start : s.end] == expected or expected in text[s.start : s.end] for s in annotator(text))


class TestOwnAnnotators:
    """The fast annotators that fill deduce's gaps (GC-6.9)."""

    @pytest.mark.parametrize("text", ["46-jarige", "46 jarige", "46 jaar oud", "(46)", "is 46 jaar"])
    def test_it_finds_ages_in_dutch_notations(self, text):
        assert any(s.tag == screening.LEEFTIJD for s in screening.annotate_ages(f"De cliënt {text} vertelt."))

    def test_it_does_not_take_years_of_service_for_an_age(self):
        assert not list(screening.annotate_ages("Hij is 30 jaar in dienst."))

    @pytest.mark.parametrize(
        "number", ["+31 6 12345678", "+31612345678", "0031 6 1234 5678", "06-12345678", "06 1234 5678",
                   "020-1234567", "0318 512345", "(020) 123 4567", "+31 (0)20 123 4567", "0800-1234"]
    )
    def test_it_finds_dutch_phone_numbers_in_every_notation(self, number):
        assert tags(screening.annotate_phone_numbers, f"Bel {number} morgen.") == [(number, screening.TELEFOON)]

    def test_it_finds_a_municipalitys_short_number(self):
        assert tags(screening.annotate_phone_numbers, "Gemeente: 14 033.") == [("14 033", screening.TELEFOON)]

    def test_it_does_not_take_a_date_for_a_phone_number(self):
        assert not list(screening.annotate_phone_numbers("op 01-03-2024 gebeld"))

    def test_it_finds_email_addresses_and_urls(self):
        text = "Mail j.jansen@voorbeeld.nl of kijk op https://www.voorbeeld.nl/vacatures en werkenbij.nl."
        found = tags(screening.annotate_emails, text) + tags(screening.annotate_urls, text)
        assert ("j.jansen@voorbeeld.nl", screening.EMAIL) in found
        assert ("https://www.voorbeeld.nl/vacatures", screening.URL) in found
        assert ("werkenbij.nl", screening.URL) in found
        assert ("voorbeeld.nl", screening.URL) not in found  # the domain of the e-mail address

    def test_it_finds_a_bsn_that_passes_the_eleven_test(self):
        assert tags(screening.annotate_bsn, "nummer 628194821") == [("628194821", screening.BSN)]
        assert tags(screening.annotate_bsn, "nummer 2527.60.189") == [("2527.60.189", screening.BSN)]

    def test_it_ignores_nine_digits_failing_the_eleven_test_unless_labelled_bsn(self):
        assert not list(screening.annotate_bsn("ordernummer 123456789"))
        assert tags(screening.annotate_bsn, "BSN: 123456789") == [("123456789", screening.BSN)]

    def test_it_finds_an_iban_with_valid_check_digits(self):
        assert tags(screening.annotate_ibans, "rekening NL34INGB5326502014 t.n.v.") == [
            ("NL34INGB5326502014", screening.IBAN)
        ]
        assert tags(screening.annotate_ibans, "rekening NL34 INGB 5326 5020 14.") == [
            ("NL34 INGB 5326 5020 14", screening.IBAN)
        ]
        assert not list(screening.annotate_ibans("rekening NL35INGB5326502014"))

    def test_it_finds_dutch_postcodes_but_not_the_unissued_letter_pairs(self):
        assert tags(screening.annotate_postcodes, "3811 CW Amersfoort, 3811CW") == [
            ("3811 CW", screening.POSTCODE), ("3811CW", screening.POSTCODE)
        ]
        assert not list(screening.annotate_postcodes("1234 SS"))

    @pytest.mark.parametrize(
        "date", ["14 januari 2026", "13 okt. 2025", "maart 2025", "03-11-2025", "19/02/2026", "2025-10-06",
                 "7.8.1979", "12 maart", "3/4", "17-3", "woensdag 4 februari", "vr 20/3", "1e mei", "2014"]
    )
    def test_it_finds_dates_with_and_without_a_year(self, date):
        assert covered(screening.annotate_dates, f"Gesprek {date} gehad.", date)

    def test_it_does_not_take_a_fraction_or_an_amount_for_a_date(self):
        assert not list(screening.annotate_dates("Hij werkt 3/4 van zijn uren en verdient 2000 euro."))

    def test_it_does_not_take_a_score_for_a_date(self):
        assert not list(screening.annotate_dates("Score vermoeidheid 7/10, vorige keer 8/10."))

    @pytest.mark.parametrize(
        "address", ["Kerkstraat 12", "Dorpsweg 3a", "kerkstraat 12", "Burgemeester de Withstraat 17",
                    "Prinses Irenelaan 4", "Loolaan 88-2"]
    )
    def test_it_finds_a_street_with_a_house_number(self, address):
        assert tags(screening.annotate_streets, f"Verhuisd naar {address}, gisteren.")[0] == (address, screening.LOCATIE)

    def test_it_leaves_the_sentence_before_a_street_alone(self):
        assert tags(screening.annotate_streets, "Verhuisd van Burgemeester de Withstraat 17.") == [
            ("Burgemeester de Withstraat 17", screening.LOCATIE)
        ]

    @pytest.mark.parametrize(
        "org", ["Bouwbedrijf Hendriks B.V.", "De Vries Installatietechniek BV", "Metaalwerken Oost N.V.",
                "Stichting Werkpad", "Gemeente Ede", "Transportbedrijf Van der Meulen", "UWV",
                "Restaurant De Gouden Leeuw"]
    )
    def test_it_finds_employers_and_institutions(self, org):
        assert covered(screening.annotate_organisations, f"Werkgever: {org} in de regio.", org)

    @pytest.mark.parametrize(
        "text,value",
        [("dossiernummer 2026-0042", "2026-0042"), ("klantnr. A12345", "A12345"),
         ("Zaaknummer SHV-20391", "SHV-20391"), ("kenmerk TR-2025-118", "TR-2025-118")],
    )
    def test_it_finds_free_form_ids(self, text, value):
        assert (value, screening.ID) in tags(screening.annotate_ids, f"Zie {text}.")

    def test_it_finds_lower_case_first_names_with_their_surname(self):
        assert tags(screening.annotate_first_names, "afspraak met jeroen de boer verzet") == [
            ("jeroen de boer", screening.PERSOON)
        ]

    @pytest.mark.parametrize("name", ["Łukasz", "Ömer", "Jürgen", "Şükrü", "Çağla", "Yiğit", "Zoë"])
    def test_it_finds_a_first_name_written_with_diacritics_that_the_list_spells_without(self, name):
        """GC-6.8, GC-6.9: "Łukasz Kowalski" must not survive because deduce lists "lukasz"."""
        assert tags(screening.annotate_first_names, f"Gesprek met {name} Kowalski, haar teamleider.") == [
            (f"{name} Kowalski", screening.PERSOON)
        ]

    def test_it_does_not_take_ordinary_words_for_lower_case_names(self):
        text = "ik wil graag een baan met rust, hoop op een job zonder storm in juni"
        assert tags(screening.annotate_first_names, text) == []

    def test_it_finds_titled_names_and_initials(self):
        found = [t for t, _ in tags(screening.annotate_titled_names, "Bel mevrouw Jansen en mr. S. Hoogendoorn, of M. Kuipers.")]
        assert "mevrouw Jansen" in found
        assert any("Hoogendoorn" in f for f in found)
        assert "M. Kuipers" in found

    def test_it_finds_a_surinamese_name_after_a_title(self):
        assert tags(screening.annotate_titled_names, "Bel mevrouw Tjon A Fong terug.") == [("mevrouw Tjon A Fong", screening.PERSOON)]

    @pytest.mark.parametrize(
        "text,employer",
        [("Ze werkt 24 uur per week bij Parlak Facilitair.", "Parlak Facilitair"),
         ("Haar contactpersoon bij Kwiek is ziek.", "Kwiek"),
         ("Werkgever De Vries wil een gesprek.", "De Vries"),
         ("Terugkeer bij Zuivelcoöperatie Noordoost gepland.", "Zuivelcoöperatie Noordoost")],
    )
    def test_gc_6_8_it_finds_an_employer_after_bij_or_werkgever_that_no_list_has(self, text, employer):
        assert tags(screening.annotate_employers, text) == [(employer, screening.INSTELLING)]

    def test_it_takes_no_month_acronym_common_word_town_or_first_name_after_bij_for_an_employer(self):
        text = "Terug bij HR in Maart, bij Ziekte melden, afspraak bij Utrecht, bij de huisarts, bij Jan thuis."
        assert tags(screening.annotate_employers, text) == []

    def test_it_finds_towns_capitalised_and_after_a_preposition_in_lower_case(self):
        assert tags(screening.annotate_places, "Ze woont in amersfoort, hij in Zwolle.") == [
            ("Zwolle", screening.LOCATIE), ("amersfoort", screening.LOCATIE)
        ]


class TestSpecialCategories:
    """PR-4: religion, origin, politics, trade union, sexual orientation and health are flagged."""

    @pytest.mark.parametrize(
        "text,category",
        [
            ("Hij gaat elke vrijdag naar de moskee.", SpecialCategory.RELIGION),
            ("Vanuit haar geloof wil ze geen alcohol schenken.", SpecialCategory.RELIGION),
            ("Tijdens de ramadan werkt hij liever vroeg.", SpecialCategory.RELIGION),
            ("Ze is christelijk opgevoed.", SpecialCategory.RELIGION),
            ("Zijn Marokkaanse achtergrond speelt mee.", SpecialCategory.ORIGIN),
            ("Ze heeft de Turkse nationaliteit.", SpecialCategory.ORIGIN),
            ("De Surinaamse familie helpt.", SpecialCategory.ORIGIN),
            ("Hij stemt op de PVV.", SpecialCategory.POLITICS),
            ("Haar politieke voorkeur ligt bij GroenLinks.", SpecialCategory.POLITICS),
            ("Hij is lid van de SP.", SpecialCategory.POLITICS),
            ("Hij is lid van de FNV.", SpecialCategory.TRADE_UNION),
            ("De vakbond is ingeschakeld.", SpecialCategory.TRADE_UNION),
            ("Zij is lesbisch en getrouwd.", SpecialCategory.SEXUAL_ORIENTATION),
            ("Hij vertelde over zijn homoseksuele broer.", SpecialCategory.SEXUAL_ORIENTATION),
            ("Diagnose burn-out gesteld.", SpecialCategory.HEALTH),
            ("Ze gebruikt medicatie tegen depressieve klachten.", SpecialCategory.HEALTH),
            ("Hij is onder behandeling bij een psychiater.", SpecialCategory.HEALTH),
            ("Ze heeft veel rugklachten.", SpecialCategory.HEALTH),
        ],
    )
    def test_it_flags_each_category_with_inflections(self, text, category):
        assert category in {f.category for f in find_special_categories(text)}

    def test_it_reports_the_matched_span(self):
        text = "Cliënt is van Marokkaanse afkomst."
        findings = find_special_categories(text)
        assert [(f.text, f.category) for f in findings] == [
            ("Marokkaanse", SpecialCategory.ORIGIN), ("afkomst", SpecialCategory.ORIGIN)
        ]
        assert all(text[f.start : f.end] == f.text for f in findings)

    def test_an_address_in_the_kerkstraat_is_not_religion(self):
        assert find_special_categories("Ze woont op de Kerkstraat 12 in Ede, vlakbij de Moskeelaan.") == []

    def test_ordinary_words_are_not_flagged(self):
        text = "Ik geloof dat hij een vaste baan wil; hij denkt aan een pool van uitzendkrachten en voegt taken toe (add)."
        assert find_special_categories(text) == []

    def test_party_acronyms_count_only_in_capitals(self):
        assert find_special_categories("denk aan volt en sp") == []

    def test_it_is_fast_enough_for_every_note_save(self):
        text = " ".join(n["plain"] for n in load_corpus())
        find_special_categories(text)  # warm the lexicons
        started = time.perf_counter()
        for _ in range(10):
            find_special_categories(text)
        print(f"\nPR-4 scan of the whole corpus: {(time.perf_counter() - started) / 10 * 1000:.1f} ms")


class TestPersonMentions:
    """GC-5.2: warn when a note names other persons."""

    def test_it_lists_other_persons_named_in_a_note(self):
        text = "Gesprek met Marieke. Haar leidinggevende Peter van Dijk en collega sandra waren er ook."
        assert find_person_mentions(text, known_identifiers=["Marieke", "Bosman"]) == [
            "Peter van Dijk", "sandra"
        ]

    def test_gc_5_2_it_warns_about_a_name_with_diacritics_too(self):
        assert find_person_mentions("Haar collega's Ömer en Łukasz Nowak waren er.") == ["Ömer", "Łukasz Nowak"]

    def test_gc_5_2_it_warns_about_a_person_the_system_knows_though_no_list_has_them(self):
        names = KnownNames.of(contacts=["Grzegorz Wójcik", "Soerinder Doekhie"])
        assert find_person_mentions("Grzegorz belde; Doekhie neemt het over.", known_names=names) == [
            "Grzegorz", "Doekhie"]
        assert find_person_mentions("Grzegorz belde; Doekhie neemt het over.") == []

    def test_gc_5_2_the_client_herself_is_no_other_person_though_the_system_knows_her(self):
        names = KnownNames.of(contacts=["Małgorzata Wiśniewska", "Grzegorz Wójcik"])
        assert find_person_mentions("Małgorzata en Wójcik praatten.", known_identifiers=["Małgorzata", "Wiśniewska"],
                                    known_names=names) == ["Wójcik"]

    def test_it_leaves_out_the_client_herself(self):
        assert find_person_mentions("Marieke Bosman is moe.", known_identifiers=["Marieke", "Bosman"]) == []

    def test_it_finds_titled_names_and_initials(self):
        assert find_person_mentions("Overleg met mevrouw Jansen en M. Kuipers.") == ["mevrouw Jansen", "M. Kuipers"]

    def test_it_does_not_take_a_company_for_a_person(self):
        assert find_person_mentions("Hij werkt bij Bakkerij Jansen B.V. in de nachtdienst.") == []

    def test_a_note_without_names_gives_no_warning(self):
        assert find_person_mentions("Huiswerk: energiedagboek bijhouden, volgende week bespreken.") == []

    def test_it_does_not_need_deduce(self, monkeypatch):
        monkeypatch.setattr(deid, "get_deducer", lambda: pytest.fail("deduce used on the fast path"))
        find_person_mentions("Collega Ahmed belde.")
        find_special_categories("Collega Ahmed belde.")


class TestDeduceBuiltOneProcessAtATime:
    """deduce writes its lookup cache with a plain open("wb"): a process reading it while
    another writes it fails with "pickle data was truncated" (seen when two test runs built
    deduce at once; a server's workers warming up after an upgrade do the same)."""

    def test_building_deduce_holds_a_lock_that_other_processes_wait_for(self, monkeypatch, tmp_path):
        import fcntl
        import sys
        import types

        lock_path = tmp_path / "deduce.lock"
        held = []

        def build():
            with open(lock_path, "a") as other:  # another open file, as another process has
                try:
                    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    held.append(True)
                else:
                    held.append(False)
                    fcntl.flock(other, fcntl.LOCK_UN)
            return "deducer"

        monkeypatch.setitem(sys.modules, "deduce", types.SimpleNamespace(Deduce=build, lookup_structs=types.SimpleNamespace()))
        monkeypatch.setattr(deid, "DEDUCE_LOCK", lock_path)
        monkeypatch.setattr(deid, "_deducer", None)
        assert get_deducer() == "deducer"
        assert held == [True]
        with open(lock_path, "a") as after:  # and it is let go
            fcntl.flock(after, fcntl.LOCK_EX | fcntl.LOCK_NB)


class TestDeducesLookupCache:
    """deduce's lookup cache takes 100 s and 1.2 GB to build: a cache that a later process
    rejects costs every server worker and every test run that much."""

    @staticmethod
    def _in_zone(zone: str):
        import os

        os.environ["TZ"] = zone
        time.tzset()

    def _cache_stamped(self, tmp_path, zone: str) -> tuple[dict, Path]:
        import os

        from deduce import lookup_structs

        source = tmp_path / "src" / "lst_x"
        source.mkdir(parents=True)
        (source / "items.txt").write_text("jan\n")
        installed = time.time() - 60  # pip installed the sources a minute before the warm-up
        os.utime(source / "items.txt", (installed, installed))
        os.utime(source, (installed, installed))
        self._in_zone(zone)
        return {"deduce_version": "x", "saved_datetime": str(lookup_structs.datetime.now())}, tmp_path

    def test_a_cache_warmed_up_outside_django_is_valid_in_a_django_process_in_amsterdam(self, tmp_path):
        import os

        from deduce import lookup_structs
        from deduce.lookup_structs import validate_lookup_struct_cache

        before = os.environ.get("TZ")
        try:
            deid.stamp_cache_in_utc(lookup_structs)
            cache, base = self._cache_stamped(tmp_path, "UTC")  # `warm_up()` from bootstrap or deploy
            self._in_zone("Europe/Amsterdam")  # Django sets TZ to its TIME_ZONE
            assert validate_lookup_struct_cache(cache, base, "x")
        finally:
            if before is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = before
            time.tzset()

    def test_a_cache_built_inside_a_test_that_travels_is_stamped_with_todays_date(self):
        import datetime

        import time_machine
        from deduce import lookup_structs

        deid.stamp_cache_in_utc(lookup_structs)
        with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)):
            stamp = lookup_structs.datetime.now()
        real = datetime.datetime.fromtimestamp(time.time(), datetime.UTC)
        assert abs(real.replace(tzinfo=None) - stamp) < datetime.timedelta(minutes=1)
