"""Pages assembled from panels that each app offers.

- The per-role dashboard: an app with something for it has `dashboard.py` with
  `panels(request, now) -> list[Panel]`, returning only panels for the request's user.
- The coach's client page: an app adds sections with `client_sections.py`:
  `sections(request, client, grant) -> list[Panel]` (questionnaires, measurements, reports).
- The client portal: `portal_sections.py`: `sections(request, client, grant) -> list[Panel]`.
The caller has already checked access; a section must not widen it."""

from dataclasses import dataclass, field
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


def collect_from_apps(module_name: str, function: str, *args) -> list[Panel]:
    panels = []
    for config in apps.get_app_configs():
        if not config.name.startswith("coachdossier."):
            continue
        try:
            module = import_module(f"{config.name}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module_name}":
                raise
            continue
        if module.__name__ == __name__:
            continue
        panels.extend(getattr(module, function)(*args))
    return sorted(panels, key=lambda p: p.order)


def collect(request, now) -> list[Panel]:
    return collect_from_apps("dashboard", "panels", request, now)
