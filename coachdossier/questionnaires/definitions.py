"""Questionnaire definitions: load, validate and describe a versioned instrument.

A definition is a YAML or JSON file checked against
``schema/questionnaire.schema.json`` and then against the rules a JSON Schema
cannot express (references between scales, items and subscales, band tiling,
weights). Every problem found is reported at once in one ``DefinitionError``,
each with its path (``items[3].scale``) and, for YAML, its line.

Pure Python: no Django. The objects are frozen dataclasses; the scorer in
``scoring.py`` precomputes what it needs from them.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).parent / "schema" / "questionnaire.schema.json"
INSTRUMENTS_DIR = Path(__file__).parent / "instruments"

SCORING_METHODS = ("sum", "mean", "weighted")


# ---------------------------------------------------------------------------
# Errors


class Problem(NamedTuple):
    """One problem in a definition: ``path`` like ``subscales[0].bands[2].min``."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(document)'}: {self.message}"


class DefinitionError(ValueError):
    """A definition that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = tuple(problems)
        self.source = source
        head = f"{source}: " if source else ""
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}{len(self.problems)} problem(s) in questionnaire definition:\n{listing}")


# ---------------------------------------------------------------------------
# The definition


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.nl

    def to_dict(self) -> dict:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Option:
    value: float | int | str
    label: Text


@dataclass(frozen=True)
class Scale:
    key: str
    options: tuple[Option, ...]

    @property
    def values(self) -> tuple:
        return tuple(o.value for o in self.options)

    @property
    def numeric(self) -> bool:
        return all(_is_number(v) for v in self.values)

    @property
    def min_value(self) -> float | None:
        return min(self.values) if self.numeric else None

    @property
    def max_value(self) -> float | None:
        return max(self.values) if self.numeric else None


@dataclass(frozen=True)
class Item:
    id: str
    text: Text
    scale: str
    reverse: bool = False
    required: bool = True
    scored: bool = True


@dataclass(frozen=True)
class Band:
    """Scores from ``min`` to ``max`` inclusive; ``max`` is None for an open-ended last band."""

    min: float
    max: float | None
    label: Text
    level: int

    def contains(self, score: float) -> bool:
        return self.min <= score and (self.max is None or score <= self.max)

    def to_dict(self) -> dict:
        return {"min": self.min, "max": self.max, "label": self.label.to_dict(), "level": self.level}


@dataclass(frozen=True)
class Subscale:
    """A scored group of items; also used for the optional total (key ``total``).

    ``min_score``/``max_score`` are the final scores of the lowest and highest
    complete answer sets (multiplier applied).
    """

    key: str
    title: Text
    items: tuple[str, ...]
    scoring: str
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    multiplier: float = 1
    decimals: int = 0
    max_missing: int = 0
    bands: tuple[Band, ...] = ()
    min_score: float = 0
    max_score: float = 0


@dataclass(frozen=True)
class Definition:
    format_version: int
    key: str
    version: int | str
    title: Text
    description: Text | None
    instructions: Text
    scales: tuple[Scale, ...]
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...]
    total: Subscale | None
    reference: str | None
    licence: str | None
    fictional: bool
    checksum: str  # sha256 of the canonical JSON of the content (comments and layout do not count)

    # Identity is the content: two loads of the same file are interchangeable.
    def __hash__(self) -> int:
        return hash(self.checksum)

    def scale(self, key: str) -> Scale:
        return next(s for s in self.scales if s.key == key)

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)


# ---------------------------------------------------------------------------
# Loading


def load_definition(path_or_text: str | Path) -> Definition:
    """Load and validate a definition from a path or from YAML/JSON text.

    A ``Path``, or a ``str`` that names an existing file and has no newline, is
    read as a file; any other ``str`` is the document itself. Raises
    ``DefinitionError`` listing every problem found.
    """
    text, source = _read_source(path_or_text)
    lines: dict[tuple, int] = {}
    duplicates: list[tuple] = []
    try:
        if _looks_like_json(text, source):
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
            lines, duplicates = _line_map(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        line = _error_line(exc)
        raise DefinitionError([Problem("", f"not valid YAML/JSON: {_first_line(exc)}", line)], source) from None

    problems = [_at(path, "duplicate key", lines) for path in duplicates]
    problems += [_at(path, message, lines) for path, message in _schema_problems(data)]
    problems += [_at(path, message, lines) for path, message in _semantic_problems(data)]
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise DefinitionError(problems, source)
    return _build(data)


def load_instrument(name: str) -> Definition:
    """Load one of the instruments shipped in ``instruments/`` by file stem, e.g. ``dass21``."""
    return load_definition(INSTRUMENTS_DIR / f"{name}.yaml")


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _read_source(path_or_text: str | Path) -> tuple[str, str]:
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8"), str(path_or_text)
    looks_like_a_path = "\n" not in path_or_text and ": " not in path_or_text and not path_or_text.startswith("{")
    if looks_like_a_path and Path(path_or_text).suffix.lower() in (".yaml", ".yml", ".json"):
        return Path(path_or_text).read_text(encoding="utf-8"), path_or_text
    return path_or_text, ""


def _looks_like_json(text: str, source: str) -> bool:
    return source.lower().endswith(".json") or text.lstrip().startswith("{")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _error_line(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return mark.line + 1
    return getattr(exc, "lineno", None)


# ---------------------------------------------------------------------------
# Paths and lines


def format_path(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _at(path: tuple, message: str, lines: Mapping[tuple, int]) -> Problem:
    # A missing field has no line of its own: report the line of the nearest parent.
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return Problem(format_path(path), message, lines[path[:cut]])
    return Problem(format_path(path), message, None)


def _line_map(text: str) -> tuple[dict[tuple, int], list[tuple]]:
    """Map each path in a YAML document to its 1-based line, and find duplicate keys.

    PyYAML silently keeps the last of two equal keys, so duplicates are found here.
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[tuple, int] = {}
    duplicates: list[tuple] = []

    def walk(node, path: tuple) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value
                child = path + (key,)
                if key in seen:
                    duplicates.append(child)
                seen.add(key)
                lines[child] = key_node.start_mark.line + 1
                walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, value_node in enumerate(node.value):
                lines[path + (index,)] = value_node.start_mark.line + 1
                walk(value_node, path + (index,))

    if root is not None:
        walk(root, ())
    return lines, duplicates


# ---------------------------------------------------------------------------
# Checks


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_problems(data: Any) -> list[tuple[tuple, str]]:
    problems = []
    for error in _validator().iter_errors(data):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            # Point at the missing field itself, and say which language is missing.
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path += (missing,)
            message = {"nl": "missing Dutch (nl) text", "en": "missing English (en) text"}.get(
                missing, "missing required field"
            )
        elif error.validator == "additionalProperties":
            message = f"unknown field: {error.message.split('(')[-1].rstrip(')')}"
        elif error.validator == "pattern" and path and path[-1] in ("nl", "en"):
            message = "text is empty"
        else:
            message = error.message
        problems.append((path, message))
    return problems


def _semantic_problems(data: Any) -> list[tuple[tuple, str]]:
    """Rules beyond the schema. Written to survive malformed parts, so that a
    file with schema errors still gets every semantic problem reported too."""
    if not isinstance(data, dict):
        return []
    problems: list[tuple[tuple, str]] = []
    add = lambda path, message: problems.append((path, message))  # noqa: E731

    scales: dict[str, dict] = {}
    for i, scale in _entries(data, "scales"):
        key = scale.get("key")
        if not isinstance(key, str):
            continue
        if key in scales:
            add(("scales", i, "key"), f"duplicate scale key {key!r}")
        else:
            scales[key] = scale
        values = [o.get("value") for o in _list(scale.get("options")) if isinstance(o, dict)]
        seen_values = set()
        for j, value in enumerate(values):
            if value in seen_values:
                add(("scales", i, "options", j, "value"), f"duplicate option value {value!r}")
            seen_values.add(value)

    items: dict[str, dict] = {}
    for i, item in _entries(data, "items"):
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in items:
                add(("items", i, "id"), f"duplicate item id {item_id!r}")
            else:
                items[item_id] = item
        scale_key = item.get("scale")
        if isinstance(scale_key, str):
            if scale_key not in scales:
                add(("items", i, "scale"), f"unknown scale {scale_key!r}")
            elif item.get("reverse") and not _numeric_scale(scales[scale_key]):
                add(("items", i, "reverse"), f"reverse scoring needs numeric values, scale {scale_key!r} has none")

    in_a_subscale: set[str] = set()
    subscale_keys: set[str] = set()
    for i, sub in _entries(data, "subscales"):
        key = sub.get("key")
        if isinstance(key, str):
            if key in subscale_keys or key == "total":
                add(("subscales", i, "key"), f"duplicate subscale key {key!r}")
            subscale_keys.add(key)
        members = _check_group(("subscales", i), sub, items, scales, add)
        in_a_subscale.update(members)

    total = data.get("total")
    if isinstance(total, dict):
        if "items" not in total:
            total = {**total, "items": [k for k, v in items.items() if v.get("scored", True) is not False]}
        _check_group(("total",), total, items, scales, add)

    for i, item in _entries(data, "items"):
        item_id = item.get("id")
        if isinstance(item_id, str) and item.get("scored", True) and item_id not in in_a_subscale:
            add(("items", i, "id"), f"item {item_id!r} is in no subscale (mark it 'scored: false' if intended)")
    return problems


def _check_group(path: tuple, group: dict, items: dict, scales: dict, add) -> list[str]:
    """Check one subscale or the total; return its known item ids."""
    members: list[str] = []
    seen: set[str] = set()
    for j, item_id in enumerate(_list(group.get("items"))):
        if not isinstance(item_id, str):
            continue
        if item_id in seen:
            add(path + ("items", j), f"item {item_id!r} listed twice")
            continue
        seen.add(item_id)
        item = items.get(item_id)
        if item is None:
            add(path + ("items", j), f"unknown item {item_id!r}")
            continue
        if item.get("scored", True) is False:
            add(path + ("items", j), f"item {item_id!r} is marked 'scored: false'")
            continue
        scale = scales.get(item.get("scale"))
        if scale is not None and not _numeric_scale(scale):
            add(path + ("items", j), f"item {item_id!r} has a scale without numeric values and cannot be scored")
            continue
        members.append(item_id)

    method = group.get("scoring")
    weights = group.get("weights")
    if method == "weighted":
        if not isinstance(weights, dict) or not weights:
            add(path + ("weights",), "weighted scoring needs a weight for every item")
        else:
            for item_id in members:
                if item_id not in weights:
                    add(path + ("weights",), f"no weight for item {item_id!r}")
            for item_id in weights:
                if item_id not in seen:
                    add(path + ("weights", item_id), f"weight for item {item_id!r}, which is not in this group")
    elif weights is not None and method in SCORING_METHODS:
        add(path + ("weights",), f"weights are only used with weighted scoring, not {method!r}")

    max_missing = group.get("max_missing", 0)
    if isinstance(max_missing, int) and max_missing >= len(seen) > 0:
        add(path + ("max_missing",), f"max_missing must be less than the {len(seen)} items")

    bounds = None
    if method in SCORING_METHODS and members and len(members) == len(seen):
        if method != "weighted" or (isinstance(weights, dict) and all(_is_number(weights.get(m)) for m in members)):
            bounds = _score_bounds(group, members, items, scales)
    _check_bands(path, group, bounds, add)
    return members


def _check_bands(path: tuple, group: dict, bounds: tuple[float, float] | None, add) -> None:
    bands = [(j, b) for j, b in enumerate(_list(group.get("bands"))) if isinstance(b, dict)]
    if not bands:
        return
    decimals = _decimals(group)
    step = Decimal(1).scaleb(-decimals)
    previous = None
    for j, band in bands:
        low: Any = band.get("min")  # YAML: checked to be a number just below
        high: Any = band.get("max")
        if not _is_number(low) or (high is not None and not _is_number(high)):
            previous = None
            continue
        for name, bound in (("min", low), ("max", high)):
            if bound is not None and _dec(bound) != _dec(bound).quantize(step):
                add(path + ("bands", j, name), f"{bound} is finer than the score, which has {decimals} decimal(s)")
        if high is not None and high < low:
            add(path + ("bands", j, "max"), f"max {high} is below min {low}")
        if previous is not None:
            p_index, p_high = previous
            if p_high is None:
                add(path + ("bands", j), f"band follows the open-ended band {p_index}")
            elif _dec(low) <= _dec(p_high):
                add(path + ("bands", j, "min"), f"overlaps band {p_index}, which ends at {p_high}")
            elif _dec(low) > _dec(p_high) + step:
                add(path + ("bands", j, "min"), f"gap after band {p_index}: scores above {p_high} and below {low} have no band")
        previous = (j, high)
    if bounds is not None:
        lowest, highest = bounds
        first_j, first = bands[0]
        last_j, last = bands[-1]
        if _is_number(first.get("min")) and first["min"] > lowest:
            add(path + ("bands", first_j, "min"), f"scores from {lowest} up to {first['min']} have no band")
        last_max: Any = last.get("max")
        if _is_number(last_max) and last_max < highest:
            add(path + ("bands", last_j, "max"), f"scores above {last_max} up to {highest} have no band")


def _score_bounds(group: dict, members: list[str], items: dict, scales: dict) -> tuple[float, float] | None:
    lows, highs = [], []
    for item_id in members:
        scale = scales.get(items[item_id].get("scale"))
        if scale is None:
            return None
        values = [o["value"] for o in _list(scale.get("options")) if isinstance(o, dict)]
        weight = group.get("weights", {}).get(item_id, 1) if group.get("scoring") == "weighted" else 1
        a, b = weight * min(values), weight * max(values)
        lows.append(min(a, b))
        highs.append(max(a, b))
    multiplier = group.get("multiplier", 1) if _is_number(group.get("multiplier", 1)) else 1
    if group.get("scoring") == "mean":
        low, high = sum(lows) / len(lows), sum(highs) / len(highs)
    else:
        low, high = sum(lows), sum(highs)
    decimals = _decimals(group)
    return round_half_up(low * multiplier, decimals), round_half_up(high * multiplier, decimals)


def _entries(data: dict, key: str):
    for i, entry in enumerate(_list(data.get(key))):
        if isinstance(entry, dict):
            yield i, entry


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _numeric_scale(scale: dict) -> bool:
    options = [o for o in _list(scale.get("options")) if isinstance(o, dict)]
    return bool(options) and all(_is_number(o.get("value")) for o in options)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _dec(value: float) -> Decimal:
    return Decimal(repr(value))


def _decimals(group: dict) -> int:
    decimals = group.get("decimals")
    if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 4:
        return decimals
    return 0 if group.get("scoring") == "sum" else 2


def round_half_up(value: float, decimals: int) -> float | int:
    """Round like a person does (2.345 → 2.35), not like ``round`` (banker's, binary)."""
    if isinstance(value, int):
        return value
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
    return int(rounded) if decimals == 0 else float(rounded)


# ---------------------------------------------------------------------------
# Building the objects from valid data


def _text(value: dict) -> Text:
    return Text(nl=value["nl"], en=value["en"])


def _optional_text(value: dict | None) -> Text | None:
    return _text(value) if value else None


def _group(key: str, data: dict, items: list[str], item_map: dict, scale_map: dict) -> Subscale:
    weights = MappingProxyType(dict(data.get("weights", {})))
    group = {**data, "items": items}
    bounds = _score_bounds(group, items, item_map, scale_map)
    if bounds is None:  # validate() refuses such a group before anything is built
        raise ValueError(f"subscale {key}: an item has no scale")
    low, high = bounds
    return Subscale(
        key=key,
        title=_text(data["title"]),
        items=tuple(items),
        scoring=data["scoring"],
        weights=weights,
        multiplier=data.get("multiplier", 1),
        decimals=_decimals(data),
        max_missing=data.get("max_missing", 0),
        bands=tuple(
            Band(min=b["min"], max=b.get("max"), label=_text(b["label"]), level=b["level"])
            for b in data.get("bands", [])
        ),
        min_score=low,
        max_score=high,
    )


def _build(data: dict) -> Definition:
    item_map = {i["id"]: i for i in data["items"]}
    scale_map = {s["key"]: s for s in data["scales"]}
    scored = [i["id"] for i in data["items"] if i.get("scored", True)]
    total = data.get("total")
    return Definition(
        format_version=data["format_version"],
        key=data["key"],
        version=data["version"],
        title=_text(data["title"]),
        description=_optional_text(data.get("description")),
        instructions=_text(data["instructions"]),
        scales=tuple(
            Scale(key=s["key"], options=tuple(Option(o["value"], _text(o["label"])) for o in s["options"]))
            for s in data["scales"]
        ),
        items=tuple(
            Item(
                id=i["id"],
                text=_text(i["text"]),
                scale=i["scale"],
                reverse=i.get("reverse", False),
                required=i.get("required", True),
                scored=i.get("scored", True),
            )
            for i in data["items"]
        ),
        subscales=tuple(_group(s["key"], s, s["items"], item_map, scale_map) for s in data["subscales"]),
        total=_group("total", total, total.get("items", scored), item_map, scale_map) if total else None,
        reference=data.get("reference"),
        licence=data.get("licence"),
        fictional=data.get("fictional", False),
        checksum=hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest(),
    )
