"""The confidentiality-breach register (GC-6.5) and the data-breach register (LAW-33)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier import policy
from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access
from coachdossier.clients.forms import apply_errors
from coachdossier.clients.models import Client

from .. import actions
from ..forms import BreachClientForm, BreachDecisionForm, ConfidentialityBreachForm, DataBreachForm
from ..models import ConfidentialityBreach, DataBreach

# --- Confidentiality-breach register (GC-6.5) ----------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT)
def confidentiality_register(request):
    """The register without content: dossier, date, legal ground, whether the client was told."""
    items = ConfidentialityBreach.objects.select_related("client", "recorded_by")
    return render(request, "privacy/confidentiality_register.html", {"items": items})


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def confidentiality_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "dossier.write")
    form = ConfidentialityBreachForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_confidentiality_breach(actor=request.user, client=client, now=timezone.now(), grant=grant,
                                                  **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The breach of confidentiality has been recorded."))
            return redirect("clients:tab", client.public_id, "privacy")
    return render(request, "privacy/confidentiality_form.html", {"form": form, "client": client})


# --- Data-breach register (LAW-33) ----------------------------------------------------------------


def _breach(breach_id):
    return get_object_or_404(DataBreach.objects.select_related("recorded_by", "decided_by"), public_id=breach_id)


@require_GET
@role_required(Role.MANAGEMENT)
def breaches(request):
    """LAW-33: a decision taken, or still missing, past the 72 hours is marked late."""
    now, hours = timezone.now(), policy.current().breach_notify_hours
    rows = [{"breach": b, "deadline": b.deadline(hours), "late": b.is_late(now, hours)}
            for b in DataBreach.objects.select_related("recorded_by", "decided_by")]
    return render(request, "privacy/breaches.html", {"rows": rows, "hours": hours})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def breach_new(request):
    form = DataBreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach = actions.record_data_breach(actor=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The data breach has been recorded; the 72-hour clock runs from its discovery."))
            return redirect("privacy:breach_detail", breach.public_id)
    return render(request, "privacy/breach_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def breach_detail(request, breach_id):
    breach = _breach(breach_id)
    form = BreachDecisionForm(request.POST or None, initial={
        "decision": breach.decision, "decision_reason": breach.decision_reason, "decided_at": breach.decided_at,
        "authority_notified_at": breach.authority_notified_at, "authority_reference": breach.authority_reference,
        "measures": breach.measures})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide_data_breach(actor=request.user, breach=breach, decision=data["decision"],
                                       reason=data["decision_reason"], notified_at=data["authority_notified_at"],
                                       reference=data["authority_reference"], measures=data["measures"],
                                       decided_at=data["decided_at"], now=timezone.now())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The decision has been saved."))
            return redirect("privacy:breach_detail", breach.public_id)
    hours = policy.current().breach_notify_hours
    notices = list(breach.notices.select_related("client"))
    return render(request, "privacy/breach_detail.html", {
        "breach": breach, "form": form, "deadline": breach.deadline(hours),
        "late": breach.is_late(timezone.now(), hours), "notices": notices, "client_form": BreachClientForm()})


@require_POST
@role_required(Role.MANAGEMENT)
def breach_client(request, breach_id):
    breach = _breach(breach_id)
    form = BreachClientForm(request.POST)
    if form.is_valid():
        client = (Client.objects.visible_to(request.user, "privacy.manage")
                  .filter(reference__iexact=form.cleaned_data["reference"].strip()).first())
        if client is None:
            messages.error(request, _("No dossier with reference %(ref)s.") % {"ref": form.cleaned_data["reference"]})
        else:
            client, grant = access.get_client_for(request, client.public_id, "privacy.manage")
            try:
                actions.add_breach_client(actor=request.user, breach=breach, client=client, grant=grant,
                                          notified_on=form.cleaned_data["notified_on"], now=timezone.now())
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The affected client has been recorded."))
    else:  # a bad date is not a missing reference: say what is wrong
        messages.error(request, " ".join(f"{form.fields[name].label}: {' '.join(errors)}"
                                         for name, errors in form.errors.items()))
    return redirect("privacy:breach_detail", breach.public_id)


@require_POST
@role_required(Role.MANAGEMENT)
def breach_close(request, breach_id):
    breach = _breach(breach_id)
    try:
        actions.close_data_breach(actor=request.user, breach=breach, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The data breach has been closed."))
    return redirect("privacy:breach_detail", breach.public_id)
