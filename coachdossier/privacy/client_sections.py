"""On the coach's client page: the client's breaches of confidentiality (GC-6.5)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachdossier.accounts.dashboard import Panel, Tab
from coachdossier.clients import access

TAB = Tab("privacy", gettext_lazy("Privacy"), "dossier.read", order=80)


def sections(request, client, grant):
    items = list(client.confidentiality_breaches.all())
    may_write = access.grant_for(request.user, client, "dossier.write") is not None
    panels = []
    if may_write:
        panels.append(Panel(_("Supervision and research"), "privacy/exports_section.html", {
            "supervision_url": reverse("privacy:supervision", args=[client.public_id]),
            "research_url": reverse("privacy:research")}, order=85))
    if not items and not may_write:
        return panels
    return panels + [Panel(_("Breaches of confidentiality"), "privacy/confidentiality_section.html", {
        "items": items, "staff": True,
        "new_url": reverse("privacy:confidentiality_new", args=[client.public_id]) if may_write else "",
    }, order=80)]
