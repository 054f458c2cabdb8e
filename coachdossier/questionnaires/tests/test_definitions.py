import json

import jsonschema
import pytest

from coachdossier.questionnaires.definitions import (
    INSTRUMENTS_DIR,
    SCHEMA_PATH,
    DefinitionError,
    load_definition,
    load_instrument,
)

# A small valid definition, edited by each test that needs a broken one.
VALID = """\
format_version: 1
key: mini
version: "0.1.0"
title: {nl: "Mini", en: "Mini"}
instructions: {nl: "Kies.", en: "Choose."}
scales:
  - key: yes-no
    options:
      - {value: 0, label: {nl: "Nee", en: "No"}}
      - {value: 1, label: {nl: "Ja", en: "Yes"}}
items:
  - id: a
    scale: yes-no
    text: {nl: "Vraag a", en: "Question a"}
  - id: b
    scale: yes-no
    text: {nl: "Vraag b", en: "Question b"}
subscales:
  - key: all
    title: {nl: "Alles", en: "All"}
    items: [a, b]
    scoring: sum
    bands:
      - {min: 0, max: 1, level: 0, label: {nl: "Laag", en: "Low"}}
      - {min: 2, level: 1, label: {nl: "Hoog", en: "High"}}
"""

# Line numbers are part of the test: keep this text as it is.
BROKEN = """\
format_version: 1
key: broken
version: 2
title: {nl: "Kapot", en: "Broken"}
instructions: {nl: "Kies.", en: "Choose."}
scales:
  - key: agree
    options:
      - {value: 1, label: {nl: "Oneens", en: "Disagree"}}
      - {value: 2, label: {nl: "Eens", en: "Agree"}}
  - key: colour
    options:
      - {value: red, label: {nl: "Rood", en: "Red"}}
      - {value: blue, label: {nl: "Blauw"}}
items:
  - id: a
    scale: agree
    text: {nl: "Vraag a", en: "Question a"}
  - id: b
    scale: agreee
    text: {nl: "Vraag b", en: "Question b"}
  - id: a
    scale: agree
    text: {nl: "Vraag a, nogmaals", en: "Question a, again"}
  - id: c
    scale: colour
    reverse: true
    text: {nl: "Vraag c", en: "Question c"}
  - id: d
    scale: agree
    text: {nl: "Vraag d", en: "Question d"}
subscales:
  - key: first
    title: {nl: "Eerste", en: "First"}
    items: [a, b, x]
    scoring: weighted
    bands:
      - {min: 0, max: 3, level: 0, label: {nl: "Laag", en: "Low"}}
      - {min: 3, max: 4, level: 1, label: {nl: "Midden", en: "Middle"}}
      - {min: 6, level: 2, label: {nl: "Hoog", en: "High"}}
"""


def problems_of(text):
    with pytest.raises(DefinitionError) as caught:
        load_definition(text)
    return {(p.path, p.line): p.message for p in caught.value.problems}


def test_the_schema_is_valid_draft_2020_12():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_shipped_instruments_load():
    for path in INSTRUMENTS_DIR.glob("*.yaml"):
        definition = load_definition(path)
        assert definition.key == path.stem.replace("dass21", "dass-21")


def test_dass21_has_21_items_in_three_subscales_of_seven():
    dass = load_instrument("dass21")
    assert len(dass.items) == 21
    assert {s.key: len(s.items) for s in dass.subscales} == {"depression": 7, "anxiety": 7, "stress": 7}
    depression = next(s for s in dass.subscales if s.key == "depression")
    assert depression.items == ("q3", "q5", "q10", "q13", "q16", "q17", "q21")
    assert depression.multiplier == 2
    assert (depression.min_score, depression.max_score) == (0, 42)
    assert dass.licence.startswith("Public domain")


def test_the_demo_instrument_is_marked_fictional():
    demo = load_instrument("demo-werkvermogen")
    assert demo.fictional is True
    assert "fictie" in demo.title.nl and "fictional" in demo.title.en


def test_a_broken_definition_lists_every_problem_with_path_and_line():
    problems = problems_of(BROKEN)

    assert problems == {
        ("scales[1].options[1].label.en", 14): "missing English (en) text",
        ("items[1].scale", 20): "unknown scale 'agreee'",
        ("items[2].id", 22): "duplicate item id 'a'",
        ("items[3].reverse", 27): "reverse scoring needs numeric values, scale 'colour' has none",
        ("items[3].id", 25): "item 'c' is in no subscale (mark it 'scored: false' if intended)",
        ("items[4].id", 29): "item 'd' is in no subscale (mark it 'scored: false' if intended)",
        ("subscales[0].items[2]", 35): "unknown item 'x'",
        ("subscales[0].weights", 33): "weighted scoring needs a weight for every item",
        ("subscales[0].bands[1].min", 39): "overlaps band 0, which ends at 3",
        ("subscales[0].bands[2].min", 40): "gap after band 1: scores above 4 and below 6 have no band",
    }


def test_the_error_message_names_each_problem_on_its_own_line():
    with pytest.raises(DefinitionError) as caught:
        load_definition(BROKEN)

    message = str(caught.value)
    assert "10 problem(s)" in message
    assert "line 20: items[1].scale: unknown scale 'agreee'" in message


def test_a_valid_definition_loads():
    definition = load_definition(VALID)

    assert definition.key == "mini"
    assert definition.subscales[0].bands[1].max is None


def test_a_missing_dutch_text_is_refused():
    text = VALID.replace('{nl: "Vraag b", en: "Question b"}', '{en: "Question b"}')

    assert problems_of(text) == {("items[1].text.nl", 17): "missing Dutch (nl) text"}


def test_an_empty_text_is_refused():
    text = VALID.replace('en: "Question b"', 'en: "  "')

    assert problems_of(text) == {("items[1].text.en", 17): "text is empty"}


def test_weights_are_required_for_each_item_of_a_weighted_subscale():
    text = VALID.replace("scoring: sum", "scoring: weighted\n    decimals: 0\n    weights: {a: 2, z: 1}")

    assert problems_of(text) == {
        ("subscales[0].weights", 24): "no weight for item 'b'",
        ("subscales[0].weights.z", 24): "weight for item 'z', which is not in this group",
    }


def test_bands_must_cover_every_possible_score():
    text = VALID.replace("{min: 0, max: 1,", "{min: 1, max: 1,").replace("{min: 2, level", "{min: 2, max: 3, level")

    assert problems_of(text) == {
        ("subscales[0].bands[0].min", 24): "scores from 0 up to 1 have no band",
    }


def test_a_band_bound_finer_than_the_score_is_refused():
    # A sum of whole numbers is never 1.5: the band is probably a typo.
    text = VALID.replace("{min: 0, max: 1,", "{min: 0, max: 1.5,")

    problems = problems_of(text)

    assert problems[("subscales[0].bands[0].max", 24)] == "1.5 is finer than the score, which has 0 decimal(s)"


def test_duplicate_yaml_keys_are_refused_rather_than_silently_dropped():
    text = VALID.replace("    scale: yes-no\n    text: {nl: \"Vraag b\"", "    scale: yes-no\n    scale: other\n    text: {nl: \"Vraag b\"")

    with pytest.raises(DefinitionError) as caught:
        load_definition(text)

    assert ("items[1].scale", "duplicate key", 17) in caught.value.problems


def test_unknown_fields_are_refused():
    text = VALID.replace("    scoring: sum", "    scoring: sum\n    reversed: true")

    assert problems_of(text) == {("subscales[0]", 19): "unknown field: 'reversed' was unexpected"}


def test_invalid_yaml_is_refused_with_its_line():
    with pytest.raises(DefinitionError) as caught:
        load_definition("format_version: 1\nkey: [unclosed\n")

    (problem,) = caught.value.problems
    assert problem.message.startswith("not valid YAML/JSON")
    assert problem.line == 3


def test_a_json_definition_loads_and_has_the_same_checksum_as_its_yaml():
    import yaml

    as_json = json.dumps(yaml.safe_load(VALID), indent=1)

    assert load_definition(as_json).checksum == load_definition(VALID).checksum


def test_json_problems_have_paths_but_no_lines():
    import yaml

    data = yaml.safe_load(VALID)
    data["items"][0]["scale"] = "nope"

    problems = problems_of(json.dumps(data))

    assert problems == {("items[0].scale", None): "unknown scale 'nope'"}


def test_the_checksum_is_stable_across_layout_and_comments():
    reformatted = "# a comment\n" + VALID.replace('title: {nl: "Mini", en: "Mini"}', 'title:\n  en: "Mini"\n  nl: "Mini"')

    assert load_definition(reformatted).checksum == load_definition(VALID).checksum
    assert load_definition(VALID).checksum == load_definition(VALID).checksum


def test_the_checksum_changes_with_the_content():
    changed = VALID.replace('"Question a"', '"Question A"')

    assert load_definition(changed).checksum != load_definition(VALID).checksum


def test_the_dass21_checksum_is_pinned():
    # Changing dass21.yaml changes stored results' meaning: bump its version and this value.
    assert load_instrument("dass21").checksum == "236bb23cdde11c42d1720e1382102f4268da1b65bf53dfda4c812949972209b3"


def test_a_path_object_and_a_path_string_both_load():
    path = INSTRUMENTS_DIR / "demo-werkvermogen.yaml"

    assert load_definition(path).checksum == load_definition(str(path)).checksum == load_definition(path.read_text()).checksum


def test_definitions_are_frozen():
    definition = load_definition(VALID)

    with pytest.raises(AttributeError):
        definition.key = "other"
