"""The rule registry stays honest: every implemented rule has a test that names it."""

import re
from pathlib import Path

from django.core.management import call_command

from coachdossier import rules


def test_every_rule_of_the_catalogue_is_in_the_registry():
    catalogue = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "rules.md"
    registry = rules.load()
    if catalogue.exists():
        ids = [i.strip() for i in re.findall(r"^\| ((?:GC|PR|KR|LAW)-[^|]+?) \|", catalogue.read_text(), re.M)]
        assert sorted(ids) == sorted(registry)


def test_every_rule_has_a_known_status_and_planned_rules_name_their_capability():
    for rule_id, rule in rules.load().items():
        assert rule["status"] in rules.STATUSES, rule_id
        if rule["status"] == "planned":
            assert rule.get("capability"), rule_id
        if rule["kind"] == "org":
            assert rule["status"] == "org", rule_id


def test_every_implemented_rule_is_named_by_a_test():
    sources = rules.test_sources()
    missing = [rule_id for rule_id, rule in rules.load().items()
               if rule["status"] == "implemented" and not rules.tests_naming(rule_id, sources)]
    assert missing == [], f"implemented rules without a test naming them: {missing}"


def test_a_rule_id_is_found_in_a_docstring_and_in_a_test_name_but_not_inside_a_longer_id():
    pattern = rules.rule_pattern("GC-5.4")
    assert pattern.search('"""GC-5.4: destroyed within 4 weeks"""')
    assert pattern.search("def test_gc_5_4_destroys_within_four_weeks():")
    assert not pattern.search("GC-5.41")
    assert not rules.rule_pattern("GC-6.1").search("GC-6.12")


def test_the_rules_command_prints_the_tally(capsys):
    call_command("rules")
    out = capsys.readouterr().out
    assert re.search(r"rules: \d+ implemented, \d+ planned, \d+ org", out)
