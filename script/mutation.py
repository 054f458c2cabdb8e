"""Mutation testing with mutmut 3 on one target, in a copy of the tree. See script/mutation."""

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# target: the file mutmut mutates, the tests it runs per mutant, and the functions that count
# (mutmut 3 mutates only undecorated functions and methods: module-level tables such as
# TRANSITIONS and ACTIONS are pinned by the tests directly; see docs/reliability.md).
TARGETS = {
    "deadlines": {
        "files": ["coachdossier/complaints/deadlines.py"],
        "tests": ["coachdossier/complaints/tests/test_deadlines.py"],
        "functions": ["coachdossier.complaints.deadlines.*"],
    },
    "reports": {
        "files": ["coachdossier/reports/models.py", "coachdossier/reports/actions.py"],
        "tests": ["coachdossier/reports/tests/test_transitions.py"],
        "functions": [
            # models.py: the pure rules of the life cycle
            "coachdossier.reports.models.xǁReportQuerySetǁ*",
            "coachdossier.reports.models.xǁReportǁcan__*",
            "coachdossier.reports.models.xǁReportǁreview_passed__*",
            "coachdossier.reports.models.xǁReportǁsend_refusal__*",
            "coachdossier.reports.models.xǁDeliveryǁrefusal__*",
            # actions.py: where the state changes
            "coachdossier.reports.actions.x__move__*",
            "coachdossier.reports.actions.x__answer__*",
            "coachdossier.reports.actions.x_deliver_client_notice__*",
            "coachdossier.reports.actions.x_notify_client__*",
            "coachdossier.reports.actions.x_send_report__*",
        ],
    },
    "access": {
        "files": ["coachdossier/clients/access.py"],
        "tests": ["coachdossier/clients/tests/test_access_policy.py"],
        "functions": ["coachdossier.clients.access.*"],
    },
}

# Copied next to the mutated package: Django finds templates, translations and static files
# relative to BASE_DIR, which is the copy.
ALSO_COPY = ["templates", "static", "locale", "manage.py", "conftest.py"]

CONFTEST = '''"""Written by script/mutation for a mutation run only (not part of the project's suite)."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# mutmut runs the same test in several processes; hypothesis would call that a health problem.
settings.register_profile("mutation", suppress_health_check=[HealthCheck.differing_executors], deadline=None)
settings.load_profile("mutation")

STATE = Path(__file__).resolve().parent / "var"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database on disk, kept between the runs (--reuse-db): each mutant's run then
    skips the migrations (~6 s) instead of building an in-memory database again."""
    from django.conf import settings as django_settings

    STATE.mkdir(exist_ok=True)
    for alias, config in django_settings.DATABASES.items():
        if config["ENGINE"].endswith("sqlite3"):
            config.setdefault("TEST", {})["NAME"] = str(STATE / f"mutation-test-{alias}.sqlite3")
'''


def copy_tree(work: Path) -> None:
    """The files git knows (committed or new, not ignored), as they are in the worktree now."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / name)


def setup_cfg(target: dict) -> str:
    def lines(values):
        return "".join(f"\n    {v}" for v in values)

    return (
        "[mutmut]\n"
        "source_paths = coachdossier\n"
        f"only_mutate ={lines(target['files'])}\n"
        f"also_copy ={lines(ALSO_COPY)}\n"
        f"pytest_add_cli_args_test_selection ={lines(target['tests'])}\n"
        "pytest_add_cli_args =\n    --reuse-db\n"
        "use_git_change_detection = false\n"
    )


STATUS_NAMES = {"killed": "killed", "survived": "survived", "no tests": "no tests", "timeout": "timeout",
                "suspicious": "suspicious", "not checked": "not checked", "segfault": "segfault",
                "caught by type check": "type check", "skipped": "skipped", "check was interrupted by user":
                "interrupted"}


def results(work: Path, target: dict) -> dict[str, str]:
    out = subprocess.run([str(ROOT / ".venv/bin/mutmut"), "results", "--all", "true"], cwd=work, check=True,
                         capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"\s+(\S+): (.+)$", line)
        if m and any(fnmatch.fnmatchcase(m.group(1), p) for p in target["functions"]):
            found[m.group(1)] = m.group(2).strip()
    return found


def function_of(mutant: str) -> str:
    module, _, rest = mutant.rpartition(".")
    name = re.sub(r"__mutmut_\d+$", "", rest).replace("ǁ", ".").lstrip(".")
    return name[2:] if name.startswith("x_") else name.removeprefix("x.")


def report(work: Path, target: dict, name: str) -> int:
    found = results(work, target)
    if not found:
        print(f"script/mutation: no results for {name} in {work} (run it first)", file=sys.stderr)
        return 1
    tally = Counter(found.values())
    total, killed, no_tests = len(found), tally["killed"], tally["no tests"]
    print(f"\n{name}: {', '.join(target['files'])} against {', '.join(target['tests'])}")
    print(f"mutants {total}  killed {killed}  survived {tally['survived']}  no tests {no_tests}"
          + "".join(f"  {k} {v}" for k, v in sorted(tally.items()) if k not in ("killed", "survived", "no tests")))
    print(f"score: {100 * killed / total:.1f}% killed"
          + (f" ({100 * killed / (total - no_tests):.1f}% of the mutants a test reaches)" if no_tests else ""))
    by_function = defaultdict(Counter)
    for mutant, status in found.items():
        by_function[function_of(mutant)][status] += 1
    print("\nper function (killed / all, then what else):")
    for function, counts in sorted(by_function.items()):
        rest = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if k != "killed")
        print(f"  {function:40} {counts['killed']:3} / {sum(counts.values()):3}  {rest}")
    alive = sorted(m for m, s in found.items() if s != "killed")
    if alive:
        print(f"\nnot killed (show one with: cd {work.relative_to(ROOT)} && ../../../.venv/bin/mutmut show NAME):")
        for mutant in alive:
            print(f"  {found[mutant]:10} {mutant}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="script/mutation", description=__doc__)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--summary", action="store_true", help="print the tally of the last run, run nothing")
    parser.add_argument("--children", type=int, default=int(os.getenv("MUTATION_CHILDREN", "1")),
                        help="mutants tested at once (default 1: the machine is shared)")
    args = parser.parse_args()
    target = TARGETS[args.target]
    work = ROOT / "var" / "mutation" / args.target
    if args.summary:
        return report(work, target, args.target)

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    copy_tree(work)
    (work / "conftest.py").write_text(CONFTEST)
    (work / "setup.cfg").write_text(setup_cfg(target))
    print(f"==> {args.target}: copy of the tree in {work.relative_to(ROOT)}; mutmut output follows", flush=True)
    started = time.monotonic()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DATABASE_URL", None)  # SQLite in the copy's own var/
    env.pop("COACHDOSSIER_STATE_DIR", None)
    run = subprocess.run(["nice", "-n", "19", str(ROOT / ".venv/bin/mutmut"), "run", "--max-children",
                          str(args.children), *target["functions"]], cwd=work, env=env)
    print(f"\n==> mutmut exited with {run.returncode} after {time.monotonic() - started:.0f} s")
    if run.returncode != 0:
        return run.returncode
    return report(work, target, args.target)


if __name__ == "__main__":
    sys.exit(main())
