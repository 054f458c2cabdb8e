import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachdossier.questionnaires.definitions import load_instrument
from coachdossier.questionnaires.scoring import AnswerError, score

DASS = load_instrument("dass21")
DEMO = load_instrument("demo-werkvermogen")

DEPRESSION = ["q3", "q5", "q10", "q13", "q16", "q17", "q21"]
ANXIETY = ["q2", "q4", "q7", "q9", "q15", "q19", "q20"]
STRESS = ["q1", "q6", "q8", "q11", "q12", "q14", "q18"]


def dass_answers(depression=(0,) * 7, anxiety=(0,) * 7, stress=(0,) * 7):
    answers = {}
    for ids, values in ((DEPRESSION, depression), (ANXIETY, anxiety), (STRESS, stress)):
        answers.update(zip(ids, values))
    return answers


def spread(total, n=7, high=3):
    """Item values (0-3) for n items that add up to total."""
    values = []
    for _ in range(n):
        values.append(min(high, total))
        total -= values[-1]
    assert total == 0
    return tuple(values)


def test_dass21_scores_a_mixed_example_like_the_manual():
    answers = dass_answers(
        depression=(2, 1, 3, 2, 1, 0, 2),  # q3..q21: 2+1+3+2+1+0+2 = 11, × 2 = 22 → severe (21-27)
        anxiety=(1, 0, 1, 2, 0, 0, 1),  # q2..q20: 1+0+1+2+0+0+1 = 5, × 2 = 10 → moderate (10-14)
        stress=(3, 2, 2, 3, 2, 1, 2),  # q1..q18: 3+2+2+3+2+1+2 = 15, × 2 = 30 → severe (26-33)
    )

    result = score(DASS, answers)

    depression, anxiety, stress = result.subscales
    assert (depression.raw, depression.score, depression.band.label.en) == (11, 22, "Severe")
    assert (anxiety.raw, anxiety.score, anxiety.band.label.en) == (5, 10, "Moderate")
    assert (stress.raw, stress.score, stress.band.label.en) == (15, 30, "Severe")
    assert stress.band.label.nl == "Ernstig"
    assert stress.band.level == 3
    assert result.missing == ()
    assert result.complete


def test_dass21_all_zero_is_normal_and_all_three_is_extremely_severe():
    lowest = score(DASS, dass_answers())
    # 7 items × 3 = 21, × 2 = 42 on every subscale
    highest = score(DASS, dass_answers((3,) * 7, (3,) * 7, (3,) * 7))

    assert [(s.score, s.band.label.en, s.band.level) for s in lowest.subscales] == [(0, "Normal", 0)] * 3
    assert [(s.score, s.band.label.en, s.band.level) for s in highest.subscales] == [(42, "Extremely severe", 4)] * 3


@pytest.mark.parametrize(
    "raw, final, band",
    [
        (4, 8, "Normal"),  # normal 0-9
        (5, 10, "Mild"),  # mild 10-13
        (6, 12, "Mild"),
        (7, 14, "Moderate"),  # moderate 14-20
        (10, 20, "Moderate"),
        (11, 22, "Severe"),  # severe 21-27
        (13, 26, "Severe"),
        (14, 28, "Extremely severe"),  # 28+
    ],
)
def test_dass21_depression_band_boundaries(raw, final, band):
    result = score(DASS, dass_answers(depression=spread(raw)))

    assert (result.subscale("depression").score, result.subscale("depression").band.label.en) == (final, band)


@pytest.mark.parametrize(
    "raw, final, band",
    [
        (3, 6, "Normal"),  # normal 0-7
        (4, 8, "Mild"),  # mild 8-9
        (5, 10, "Moderate"),  # moderate 10-14
        (7, 14, "Moderate"),
        (8, 16, "Severe"),  # severe 15-19
        (9, 18, "Severe"),
        (10, 20, "Extremely severe"),  # 20+
    ],
)
def test_dass21_anxiety_band_boundaries(raw, final, band):
    result = score(DASS, dass_answers(anxiety=spread(raw)))

    assert (result.subscale("anxiety").score, result.subscale("anxiety").band.label.en) == (final, band)


@pytest.mark.parametrize(
    "raw, final, band",
    [
        (7, 14, "Normal"),  # normal 0-14
        (8, 16, "Mild"),  # mild 15-18
        (9, 18, "Mild"),
        (10, 20, "Moderate"),  # moderate 19-25
        (12, 24, "Moderate"),
        (13, 26, "Severe"),  # severe 26-33
        (16, 32, "Severe"),
        (17, 34, "Extremely severe"),  # 34+
    ],
)
def test_dass21_stress_band_boundaries(raw, final, band):
    result = score(DASS, dass_answers(stress=spread(raw)))

    assert (result.subscale("stress").score, result.subscale("stress").band.label.en) == (final, band)


@pytest.mark.parametrize(
    "key, bounds",
    [
        ("depression", [(0, 9), (10, 13), (14, 20), (21, 27), (28, None)]),
        ("anxiety", [(0, 7), (8, 9), (10, 14), (15, 19), (20, None)]),
        ("stress", [(0, 14), (15, 18), (19, 25), (26, 33), (34, None)]),
    ],
)
def test_dass21_bands_are_the_published_ones(key, bounds):
    subscale = next(s for s in DASS.subscales if s.key == key)

    assert [(b.min, b.max) for b in subscale.bands] == bounds
    assert [b.level for b in subscale.bands] == [0, 1, 2, 3, 4]


def test_the_demo_reverses_its_reverse_item():
    # e3 is reversed on 1-5: (1 + 5) - 5 = 1, so the energy mean is (4 + 3 + 1) / 3 = 2.666… → 2.67
    low = score(DEMO, {"e1": 4, "e2": 3, "e3": 5, "r1": 3, "r2": 3, "r3": 3, "r4": 3})
    # (1 + 5) - 1 = 5: (4 + 3 + 5) / 3 = 4.00
    high = score(DEMO, {"e1": 4, "e2": 3, "e3": 1, "r1": 3, "r2": 3, "r3": 3, "r4": 3})

    assert (low.subscale("energie").score, low.subscale("energie").band.label.nl) == (2.67, "Gemiddeld")
    assert (high.subscale("energie").score, high.subscale("energie").band.label.en) == (4.0, "Strong")
    # total: mean of 4, 3, 1, 3, 3, 3, 3 = 20 / 7 = 2.857… → 2.86
    assert low.total.score == 2.86


def test_mean_scores_round_half_up_onto_the_band_grid():
    # energie (5 + 2 + 2) / 3 = 3.0; regie (3 + 2 + 2 + 3) / 4 = 2.5 exactly → "Average", not the band below
    result = score(DEMO, {"e1": 5, "e2": 2, "e3": 4, "r1": 3, "r2": 2, "r3": 2, "r4": 3})

    assert result.subscale("regie").score == 2.5
    assert result.subscale("regie").band.label.en == "Average"


def test_a_subscale_tolerates_its_max_missing_and_lists_the_missing_item():
    # regie allows one unanswered item: mean of r1..r3 = (4 + 4 + 3) / 3 = 3.666… → 3.67
    result = score(DEMO, {"e1": 4, "e2": 4, "e3": 2, "r1": 4, "r2": 4, "r3": 3})

    assert result.subscale("regie").score == 3.67
    assert result.subscale("regie").answered == 3
    assert result.missing == ("r4",)
    assert not result.complete
    assert result.total.score is None  # the total tolerates no missing item


def test_a_subscale_with_too_many_missing_items_has_no_score():
    result = score(DASS, {k: v for k, v in dass_answers().items() if k != "q3"})

    assert result.subscale("depression").score is None
    assert result.subscale("depression").band is None
    assert result.subscale("anxiety").score == 0
    assert result.missing == ("q3",)


def test_an_unanswered_optional_item_is_not_missing():
    result = score(DEMO, {"e1": 4, "e2": 4, "e3": 2, "r1": 4, "r2": 4, "r3": 3, "r4": 3, "status": None})

    assert result.missing == ()


def test_answers_out_of_scale_are_refused_listing_each_item():
    answers = dass_answers() | {"q1": 4, "q2": -1, "q3": "2", "q4": True, "q5": [1], "q99": 1}

    with pytest.raises(AnswerError) as caught:
        score(DASS, answers)

    assert [item for item, _ in caught.value.problems] == ["q3", "q5", "q2", "q4", "q1", "q99"]
    assert dict(caught.value.problems)["q1"] == "4 is not on the scale [0, 1, 2, 3]"
    assert dict(caught.value.problems)["q99"] == "unknown item"


def test_a_non_numeric_option_is_accepted_for_an_unscored_item():
    result = score(DEMO, {"status": "partial", "e1": 3})

    assert result.subscale("energie").score is None

    with pytest.raises(AnswerError):
        score(DEMO, {"status": "maybe"})


def test_a_whole_float_answer_counts_as_its_integer():
    result = score(DASS, dass_answers() | {"q3": 2.0})

    assert result.subscale("depression").score == 4


def test_a_result_serialises_to_json_and_names_its_definition():
    result = score(DASS, dass_answers(depression=spread(11)))

    data = json.loads(json.dumps(result.to_dict()))

    assert data["definition_key"] == "dass-21"
    assert data["definition_checksum"] == DASS.checksum
    assert data["subscales"][0]["band"]["label"] == {"nl": "Ernstig", "en": "Severe"}


def complete_answers(definition):
    scales = {s.key: s for s in definition.scales}
    return st.fixed_dictionaries(
        {item.id: st.sampled_from(scales[item.scale].values) for item in definition.items if item.scored}
    )


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_complete_answer_set_scores_within_each_subscales_range(data):
    for definition in (DASS, DEMO):
        result = score(definition, data.draw(complete_answers(definition)))

        for subscale in result.subscales + ((result.total,) if result.total else ()):
            assert subscale.min_score <= subscale.score <= subscale.max_score
            assert subscale.band is not None
