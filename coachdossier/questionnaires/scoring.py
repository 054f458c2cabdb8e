"""Score a set of answers against a questionnaire definition.

``score(definition, answers)`` checks every answer against its item's scale
(refusing all bad answers at once with ``AnswerError``), applies reverse
scoring (``(min + max) - value``), and computes each subscale and the optional
total: raw score (sum, mean or weighted sum of item scores), final score (raw
× multiplier, rounded half-up to the subscale's decimals) and its band.

A subscale with more unanswered items than its ``max_missing`` (default 0) has
no score. Within ``max_missing``, a sum or weighted sum is prorated to the full
item count and a mean is taken over the answered items.

Speed: everything that depends only on the definition is precomputed once per
definition (cached by checksum), so one call is a few dict look-ups per item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from coachdossier.questionnaires.definitions import Band, Definition, Subscale, Text, round_half_up


class AnswerError(ValueError):
    """Answers that do not fit the definition; ``problems`` holds (item_id, message) for each."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = tuple(problems)
        listing = "; ".join(f"{item_id}: {message}" for item_id, message in self.problems)
        super().__init__(f"{len(self.problems)} answer(s) refused: {listing}")


@dataclass(frozen=True)
class SubscaleScore:
    key: str
    title: Text
    raw: float | int | None  # before multiplier and rounding; None when too many items are unanswered
    score: float | int | None  # raw × multiplier, rounded to the subscale's decimals
    band: Band | None
    answered: int
    n_items: int
    min_score: float | int
    max_score: float | int

    def to_dict(self) -> dict:
        data = asdict(self)
        data["title"] = self.title.to_dict()
        data["band"] = self.band.to_dict() if self.band else None
        return data


@dataclass(frozen=True)
class Result:
    definition_key: str
    definition_version: int | str
    definition_checksum: str
    subscales: tuple[SubscaleScore, ...]
    total: SubscaleScore | None
    missing: tuple[str, ...]  # required items without an answer, in questionnaire order

    @property
    def complete(self) -> bool:
        return not self.missing

    def subscale(self, key: str) -> SubscaleScore:
        return next(s for s in self.subscales if s.key == key)

    def to_dict(self) -> dict:
        return {
            "definition_key": self.definition_key,
            "definition_version": self.definition_version,
            "definition_checksum": self.definition_checksum,
            "subscales": [s.to_dict() for s in self.subscales],
            "total": self.total.to_dict() if self.total else None,
            "missing": list(self.missing),
        }


def score(definition: Definition, answers: Mapping[str, Any]) -> Result:
    """Score ``answers`` (item id → option value; None or absent = unanswered)."""
    plan = _plan(definition)
    item_scores: dict[str, float] = {}
    problems = []
    for item_id, value in answers.items():
        if value is None:
            continue
        table = plan.tables.get(item_id)
        if table is None:
            problems.append((item_id, "unknown item"))
            continue
        try:
            # bool is an int in Python; True must not pass for 1.
            fits = not isinstance(value, bool) and value in table
        except TypeError:  # unhashable, e.g. a list
            fits = False
        if not fits:
            problems.append((item_id, f"{value!r} is not on the scale {plan.allowed[item_id]}"))
            continue
        item_scores[item_id] = table[value]
    if problems:
        raise AnswerError(problems)

    return Result(
        definition_key=definition.key,
        definition_version=definition.version,
        definition_checksum=definition.checksum,
        subscales=tuple(_score_group(group, item_scores) for group in definition.subscales),
        total=_score_group(definition.total, item_scores) if definition.total else None,
        missing=tuple(i for i in plan.required if i not in item_scores and answers.get(i) is None),
    )


def _score_group(group: Subscale, item_scores: dict[str, float]) -> SubscaleScore:
    values = [item_scores[i] for i in group.items if i in item_scores]
    answered, n_items = len(values), len(group.items)
    raw = final = band = None
    if answered and n_items - answered <= group.max_missing:
        if group.scoring == "mean":
            raw = sum(values) / answered
        else:
            if group.scoring == "weighted":
                raw = sum(item_scores[i] * group.weights[i] for i in group.items if i in item_scores)
            else:
                raw = sum(values)
            if answered < n_items:
                raw = raw * n_items / answered
        final = round_half_up(raw * group.multiplier, group.decimals)
        band = next((b for b in group.bands if b.contains(final)), None)
    return SubscaleScore(
        key=group.key,
        title=group.title,
        raw=raw,
        score=final,
        band=band,
        answered=answered,
        n_items=n_items,
        min_score=group.min_score,
        max_score=group.max_score,
    )


@dataclass(frozen=True)
class _Plan:
    tables: dict[str, dict]  # item id → {accepted answer value: item score, reverse applied}
    allowed: dict[str, list]  # item id → option values, for messages
    required: tuple[str, ...]


@lru_cache(maxsize=64)
def _plan(definition: Definition) -> _Plan:
    scales = {s.key: s for s in definition.scales}
    tables, allowed = {}, {}
    for item in definition.items:
        scale = scales[item.scale]
        if item.reverse:
            low, high = scale.min_value, scale.max_value
            if low is None or high is None:  # validate() refuses reverse scoring on such a scale
                raise ValueError(f"item {item.id}: reverse scoring needs a numeric scale")
            low_plus_high = low + high
            tables[item.id] = {v: low_plus_high - v for v in scale.values}
        else:
            tables[item.id] = {v: v for v in scale.values}
        allowed[item.id] = list(scale.values)
    required = tuple(i.id for i in definition.items if i.required)
    return _Plan(tables=tables, allowed=allowed, required=required)
