"""The project's rule registry (rules.toml): which rule of the source documents is
implemented, planned or a matter of personal conduct, and which tests name it."""

import re
import tomllib
from collections import Counter
from pathlib import Path

REGISTRY = Path(__file__).with_name("rules.toml")
PACKAGE = Path(__file__).parent
STATUSES = ("implemented", "planned", "org")


def load() -> dict[str, dict]:
    with REGISTRY.open("rb") as fh:
        return tomllib.load(fh)["rule"]


def _spellings(rule_id: str) -> tuple[str, str]:
    """The two ways tests write a rule ID: `GC-5.4` (docstrings) and `gc_5_4` (test names).
    Range IDs such as `PR-R1–R2` are written as their first member (`PR-R1`)."""
    first = re.split(r"[–-](?=[A-Z]?\d+$)", rule_id)[0] if "–" in rule_id else rule_id
    first = first.split("–")[0]
    return first, first.lower().replace("-", "_").replace(".", "_")


def rule_pattern(rule_id: str) -> re.Pattern:
    """A rule ID as tests write it: `GC-5.4` in a docstring or `gc_5_4` in a test name."""
    dotted, snake = (re.escape(spelling) for spelling in _spellings(rule_id))
    return re.compile(rf"(?<![\w.]){dotted}(?![\w.]*\d)|(?<![a-z0-9]){snake}(?![0-9a-z])")


def test_sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in PACKAGE.rglob("test*.py") if "tests" in p.parts or p.name.startswith("test_")}


def tests_naming(rule_id: str, sources: dict[Path, str] | None = None) -> list[Path]:
    pattern = rule_pattern(rule_id)
    spellings = _spellings(rule_id)
    sources = test_sources() if sources is None else sources
    # A match contains one of the spellings: finding those first is a plain substring search, a
    # hundred times cheaper than the pattern's look-arounds run over every test file (the suite
    # asks this for each rule).
    return [path for path, text in sources.items()
            if any(spelling in text for spelling in spellings) and pattern.search(text)]


def tally(rules: dict[str, dict] | None = None) -> Counter:
    rules = load() if rules is None else rules
    return Counter(r["status"] for r in rules.values())
