"""Pages assembled from panels that each app offers.

- The per-role dashboard: an app with something for it has `dashboard.py` with
  `panels(request, now) -> list[Panel]`, returning only panels for the request's user.
- The coach's client page: an app adds a tab with `client_sections.py`: `TAB`, a `Tab`
  naming the access action the tab needs and logs, and `sections(request, client, grant) ->
  list[Panel]`, computed only when that tab is opened (questionnaires, measurements, reports,
  portal, privacy).
- The client portal: `portal_sections.py`: `sections(request, client, grant) -> list[Panel]`.
The caller has already checked access; a section must not widen it."""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation


@dataclass
class Panel:
    title: "StrOrPromise"
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class Tab:
    """A tab of the coach's client page, offered by an app's `client_sections.py`. `action`
    (clients.access vocabulary) decides who sees the tab and is what opening it logs."""

    key: str
    label: "StrOrPromise"
    action: str
    order: int = 50
    # Optional `badge(client) -> int`: a count worth seeing before opening the tab (unread
    # messages); one cheap query, shown on the tab when not zero.
    badge: object = None


@cache
def modules_with(module_name: str) -> tuple:
    """Our apps' `<app>.<module_name>` modules, in app order. Found once per process: the
    installed apps do not change while it runs, and a failed import is not cached by Python,
    so looking again on every request cost a search of the import path per app per page."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("coachdossier."):
            continue
        try:
            module = import_module(f"{config.name}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module_name}":
                raise
            continue
        if module.__name__ != __name__:
            modules.append(module)
    return tuple(modules)


def collect_from_apps(module_name: str, function: str, *args) -> list[Panel]:
    panels = [panel for module in modules_with(module_name) for panel in getattr(module, function)(*args)]
    return sorted(panels, key=lambda p: p.order)


def collect(request, now) -> list[Panel]:
    return collect_from_apps("dashboard", "panels", request, now)
