"""Measurements over time on the coach's client page, next to the questionnaire trends."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachdossier.accounts.dashboard import Panel, Tab
from coachdossier.clients.access import ACTIONS

from . import trends
from .models import MeasurementSession


def context_for(client, prefix: str) -> dict | None:
    sessions = list(MeasurementSession.objects.filter(client=client).select_related("recorded_by"))
    if not sessions:
        return None
    for s in sessions:
        s.client = client
    return {"client": client, "sessions": sessions, "over_time": trends.over_time(sessions, chart_prefix=prefix)}


TAB = Tab("measurements", gettext_lazy("Biofeedback"), "measurements.read", order=31)


def sections(request, client, grant):
    if grant.basis not in ACTIONS["measurements.read"]:
        return []
    context = context_for(client, "cm")
    if context is None:
        # An empty tab says what brings measurements here: a referral (GC-9.1), which the
        # client's own coach makes.
        return [Panel(_("Biofeedback measurements"), "measurements/section_empty.html", {
            "client": client, "referred": client.referrals.active().exists(),
            "can_refer": grant.basis in ACTIONS["referral.manage"]}, order=31)]
    return [Panel(_("Biofeedback measurements"), "measurements/section.html", context, order=31)]
