"""The client portal's menu, named in one place: the links, and the page she is on, which the
menu's summary shows on a phone, where the menu folds into one line (PR-6)."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

MENU = [
    ("portal:home", _("Overview")),
    ("portal:dossier", _("My dossier")),
    ("portal:copy", _("Copy")),
    ("portal:requests", _("My requests")),
    ("portal:messages", _("Messages")),
    ("portal:consents", _("Consents")),
    ("portal:access_log", _("Who looked at my file")),
    ("portal:communication", _("How we contact you")),
]


@dataclass
class MenuItem:
    url: str
    label: str
    current: bool


@register.inclusion_tag("portal/_menu.html", takes_context=True)
def portal_menu(context):
    match = getattr(context.get("request"), "resolver_match", None)
    here = match.view_name if match else None
    items = [MenuItem(reverse(name), label, name == here) for name, label in MENU]
    return {"items": items, "current": next((item for item in items if item.current), None)}
