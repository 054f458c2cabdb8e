"""House style: dependencies point one way. `lib` imports no app; accounts <- clients <- {consent,
portal, reports, complaints, questionnaires, measurements} <- privacy, so clients imports none of
the apps that build on it (they reach it through clients.hooks). Read from the source, imports
inside functions included, so a lazy import does not slip through."""

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = "coachdossier"
AFTER_CLIENTS = {f"{PACKAGE}.{app}" for app in
                 ("consent", "portal", "reports", "complaints", "questionnaires", "measurements", "privacy", "api")}


def imported_modules(source: str, module: str) -> set[str]:
    """The absolute names of the modules `source` (the module `module`) imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            # relative: from the module's package, up level - 1 packages
            base = ".".join(module.split(".")[: -node.level]) if node.level else ""
            parent = ".".join(filter(None, (base, node.module)))
            # "from coachdossier import privacy" imports coachdossier.privacy
            found |= {parent} | {f"{parent}.{alias.name}" for alias in node.names}
    return found


def project_imports(app: str) -> set[tuple[str, str]]:
    """(file, package) for each import of a project package (`coachdossier.X`) in `app`'s
    code outside its tests and migrations."""
    found = set()
    for path in sorted((PROJECT / app).rglob("*.py")):
        parts = path.relative_to(PROJECT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        module = ".".join((PACKAGE, *parts))  # a package's __init__: relative imports start from the package
        for name in imported_modules(path.read_text(encoding="utf-8"), module):
            if name.split(".")[0] == PACKAGE:
                found.add((str(path.relative_to(PROJECT)), ".".join(name.split(".")[:2])))
    return found


class TestLayering:
    def test_no_module_in_lib_imports_a_project_app_or_module(self):
        offending = {(file, name) for file, name in project_imports("lib") if name != f"{PACKAGE}.lib"}
        assert offending == set()

    def test_clients_imports_none_of_the_apps_that_build_on_it(self):
        assert {(file, name) for file, name in project_imports("clients") if name in AFTER_CLIENTS} == set()

    def test_the_check_sees_absolute_relative_and_lazy_imports(self):
        source = ("import coachdossier.clients.models\n"
                  "from .. import policy\n"
                  "def f():\n    from ..privacy.deidentify import find_person_mentions\n"
                  "from . import pdf\n"
                  "from coachdossier import audit\n")
        found = imported_modules(source, "coachdossier.lib.screening")
        assert {"coachdossier.clients.models", "coachdossier.policy", "coachdossier.privacy.deidentify",
                "coachdossier.lib.pdf", "coachdossier.audit"} <= found

