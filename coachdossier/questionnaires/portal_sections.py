"""The questionnaire section in the client portal: open questionnaires to fill in, and the
completed ones with results and trend charts (clients always see their own results)."""

from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.clients.access import ACTIONS

from . import trends
from .models import Administration


def context_for(client) -> dict:
    administrations = list(Administration.objects.for_client(client).order_by("-sent_at"))
    completed = sorted((a for a in administrations if a.is_completed), key=lambda a: a.completed_at)
    return {
        "client": client,
        "open": [a for a in administrations if not a.is_completed],
        "completed": [(a, trends.result_groups(a)) for a in reversed(completed)],
        "trends": trends.trends(completed, chart_prefix="pq"),
    }


def sections(request, client, grant):
    if grant.basis not in ACTIONS["questionnaires.read"]:
        return []
    return [Panel(_("Questionnaires"), "questionnaires/portal_section.html", context_for(client), order=30)]
