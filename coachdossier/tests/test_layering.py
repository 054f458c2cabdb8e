"""House style: dependencies point one way. `lib` imports no app; accounts <- clients <- {consent,
portal, reports, complaints, questionnaires, measurements} <- privacy, so clients imports none of
the apps that build on it (they reach it through clients.hooks), and accounts imports neither
clients nor any of those. Read from the source, imports
inside functions included, so a lazy import does not slip through."""

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = "coachdossier"
AFTER_CLIENTS = {f"{PACKAGE}.{app}" for app in
                 ("consent", "portal", "reports", "complaints", "questionnaires", "measurements", "privacy", "api")}
AFTER_ACCOUNTS = AFTER_CLIENTS | {f"{PACKAGE}.clients"}
# The API's shared plumbing, which each app's api.py (accounts' token operations too) builds on:
# django-ninja only, no project app, so importing it does not turn the dependencies around.
API_PLUMBING = {f"{PACKAGE}.api.throttling", f"{PACKAGE}.api.pagination"}


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


def project_imports(app: str, *, whole_names=False) -> set[tuple[str, str]]:
    """(file, package) for each import of a project package (`coachdossier.X`) in `app`'s
    code outside its tests and migrations; (file, module) with whole_names."""
    found = set()
    for path in sorted((PROJECT / app).rglob("*.py")):
        parts = path.relative_to(PROJECT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        module = ".".join((PACKAGE, *parts))  # a package's __init__: relative imports start from the package
        for name in imported_modules(path.read_text(encoding="utf-8"), module):
            if name.split(".")[0] == PACKAGE:
                found.add((str(path.relative_to(PROJECT)), name if whole_names else ".".join(name.split(".")[:2])))
    return found


class TestLayering:
    def test_no_module_in_lib_imports_a_project_app_or_module(self):
        offending = {(file, name) for file, name in project_imports("lib") if name != f"{PACKAGE}.lib"}
        assert offending == set()

    def test_clients_imports_none_of_the_apps_that_build_on_it(self):
        assert {(file, name) for file, name in project_imports("clients") if name in AFTER_CLIENTS} == set()

    def test_accounts_imports_neither_clients_nor_the_apps_that_build_on_it(self):
        """The demo login page's password came from the clients app's demo command."""
        assert {(file, name) for file, name in project_imports("accounts", whole_names=True)
                if ".".join(name.split(".")[:2]) in AFTER_ACCOUNTS
                and ".".join(name.split(".")[:3]) not in API_PLUMBING} == set()

    def test_the_api_plumbing_accounts_may_import_imports_no_project_app(self):
        files = {f"api/{name.rsplit('.', 1)[1]}.py" for name in API_PLUMBING}
        assert {(file, name) for file, name in project_imports("api") if file in files} == set()

    def test_the_check_sees_absolute_relative_and_lazy_imports(self):
        source = ("import coachdossier.clients.models\n"
                  "from .. import policy\n"
                  "def f():\n    from ..privacy.deidentify import find_person_mentions\n"
                  "from . import pdf\n"
                  "from coachdossier import audit\n")
        found = imported_modules(source, "coachdossier.lib.screening")
        assert {"coachdossier.clients.models", "coachdossier.policy", "coachdossier.privacy.deidentify",
                "coachdossier.lib.pdf", "coachdossier.audit"} <= found

