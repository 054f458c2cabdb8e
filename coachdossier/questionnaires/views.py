"""Questionnaire pages: the coach sends one and reads results; the client fills it in (on a
phone too), saves to continue later, and sees the result. Clients are reached through
clients.access only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access
from coachdossier.clients.forms import OneTimeTokenField, apply_errors
from coachdossier.clients.models import Client

from . import actions, trends
from .forms import AnswerForm, SendForm
from .models import Administration

STAFF_PAGE_ROLES = (Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def send(request, client_id):
    client, grant = access.get_client_for(request, client_id, "questionnaires.send", log=False)
    now = timezone.now()
    form = SendForm(request.POST or None, definitions=actions.available_definitions(now=now))
    if request.method == "POST" and form.is_valid():
        try:
            actions.send_questionnaire(actor=request.user, client=client, definition=form.cleaned_data["definition"],
                                       moment=form.cleaned_data["moment"], now=now, grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The questionnaire has been sent. The client gets an email with a link."))
            return redirect("clients:tab", client.public_id, "questionnaires")
    return render(request, "questionnaires/send.html", {"client": client, "form": form})


@require_GET
@role_required(*STAFF_PAGE_ROLES)
def result(request, client_id, administration_id):
    """One administration with its answers and scores, for the coach."""
    client, grant = access.get_client_for(request, client_id, "questionnaires.read", log=False)
    administration = (Administration.objects.for_client(client).filter(public_id=administration_id).first())
    if administration is None:
        access.deny(request.user, "questionnaires.read", client_ref=client.public_id)
    access.log_access(client, grant, "questionnaires.read", obj=administration)
    return render(request, "questionnaires/result.html", {
        "client": client, "administration": administration, "groups": trends.result_groups(administration),
        "answer_rows": _answer_rows(administration), "staff": True,
    })


def _answer_rows(administration):
    from .forms import language

    lang, definition, answers = language(), administration.definition.definition, administration.answers
    rows = []
    for item in definition.items:
        value = answers.get(item.id)
        label = next((o.label.get(lang) for o in definition.scale(item.scale).options if o.value == value), "")
        rows.append({"text": item.text.get(lang), "value": value, "label": label, "reverse": item.reverse})
    return rows


def administration_for(request, administration_id, action):
    """The administration, its client through the policy for `action` (a stranger 404, a
    visible client with another relationship 403; both logged), and the grant. The pages and
    the API reach an administration through this."""
    administration = (Administration.objects.filter(public_id=administration_id)
                      .select_related("definition", "client").first())
    if administration is None:
        access.deny(request.user, action)
    client, grant = access.get_client_for(request, administration.client.public_id, action, log=False)
    administration.client = client
    return administration, client, grant


@require_http_methods(["GET", "POST"])
@role_required(Role.CLIENT)
def fill(request, administration_id):
    administration, client, grant = administration_for(request, administration_id, "questionnaires.answer")
    if administration.is_completed:
        access.log_access(client, grant, "questionnaires.read", obj=administration)
        return render(request, "questionnaires/result.html", {
            "client": client, "administration": administration, "groups": trends.result_groups(administration),
            "answer_rows": _answer_rows(administration),
            "trends": trends.trends(trends.completed_for(client)),
        })
    definition = administration.definition.definition
    form = AnswerForm(request.POST or None, definition=definition, initial_answers=administration.answers,
                      initial={"idempotency_key": OneTimeTokenField.new()})
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                actions.save_answers(actor=request.user, administration=administration, answers=form.answers(),
                                     submit=submit, now=timezone.now(), grant=grant,
                                     idempotency_key=form.cleaned_data["idempotency_key"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if submit:
                    messages.success(request, _("Thank you. Your answers have been submitted; your result is below."))
                else:
                    messages.success(request, _("Your answers have been saved. You can continue later."))
                return redirect("questionnaires:fill", administration.public_id)
    else:
        access.log_access(client, grant, "questionnaires.answer", obj=administration)
    from .forms import language

    lang = language()
    return render(request, "questionnaires/fill.html", {
        "administration": administration, "form": form, "definition": definition,
        "instructions": definition.instructions.get(lang),
        "description": definition.description.get(lang) if definition.description else "",
    })


@require_GET
@role_required(Role.CLIENT)
def my_questionnaires(request):
    """The client's own questionnaires: open ones to fill in, completed ones with trends."""
    from .portal_sections import context_for

    client = Client.objects.visible_to(request.user, "questionnaires.answer").first()
    if client is None:
        access.deny(request.user, "questionnaires.read")
    client, grant = access.get_client_for(request, client.public_id, "questionnaires.read")
    return render(request, "questionnaires/mine.html", {"client": client, "panel": context_for(client)})
