"""The questionnaire section on the coach's client page: results with bands, a trend chart
per subscale, and the form to send a questionnaire."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachdossier.accounts.dashboard import Panel, Tab
from coachdossier.clients.access import ACTIONS

from . import actions, trends
from .forms import SendForm
from .models import Administration

TAB = Tab("questionnaires", gettext_lazy("Questionnaires"), "questionnaires.read", order=30)


def sections(request, client, grant):
    if grant.basis not in ACTIONS["questionnaires.read"]:
        return []
    administrations = list(Administration.objects.for_client(client).order_by("-sent_at"))
    completed = sorted((a for a in administrations if a.is_completed), key=lambda a: a.completed_at)
    may_send = grant.basis in ACTIONS["questionnaires.send"]
    context = {
        "client": client,
        "administrations": administrations,
        "latest": [(a, trends.result_groups(a)) for a in reversed(completed[-3:])],
        "trends": trends.trends(completed, chart_prefix="cq"),
        "form": SendForm(definitions=actions.available_definitions(now=timezone.now())) if may_send else None,
        "staff": True,
        # The client fills questionnaires in the portal: without an account the form could
        # only be refused, so the tab says what comes first.
        "no_portal": client.user_id is None or not client.user.is_active,
    }
    return [Panel(_("Questionnaires"), "questionnaires/section.html", context, order=30)]
