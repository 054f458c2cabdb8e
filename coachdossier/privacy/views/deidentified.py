"""De-identified exports: supervision (GC-6.9) and research (GC-6.8)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access

from .. import actions
from ..forms import ResearchExportForm, SupervisionReviewForm, UmbrellaApprovalForm


def _deid_not_ready(request):
    """deduce is never built inside a request: start it in the background and ask to wait."""
    from .. import deid_service

    deid_service.ensure_warming()
    if deid_service.is_ready():
        return None
    response = render(request, "privacy/deid_warming.html", status=503)
    response["Retry-After"] = "60"
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def supervision(request, client_id):
    """GC-6.9: the coach picks entries, reviews the de-identified summary, downloads it."""
    from .. import exports
    from ..deidentify import PSEUDONYMISED_LABEL

    client, grant = access.get_client_for(request, client_id, "dossier.write", log_action="supervision.view")
    waiting = _deid_not_ready(request)
    if waiting is not None:
        return waiting
    today = timezone.localdate()
    entries = exports.supervision_entries(client)
    context = {"client": client, "entries": entries, "consented": exports.has_consent(client, "supervision", today),
               "label": PSEUDONYMISED_LABEL.get(request.LANGUAGE_CODE[:2], PSEUDONYMISED_LABEL["en"])}
    step = request.POST.get("step")
    if step == "prepare":
        chosen = [e for e in entries if str(e.public_id) in set(request.POST.getlist("entries"))]
        identifiable = request.POST.get("identifiable") == "on"
        try:
            summary = exports.supervision_draft(client, chosen, identifiable=identifiable, today=today)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            context["form"] = SupervisionReviewForm(initial={"summary": summary, "identifiable": identifiable})
            context["identifiable"] = identifiable
            return render(request, "privacy/supervision_review.html", context)
    elif step == "download":
        form = SupervisionReviewForm(request.POST)
        if form.is_valid():
            identifiable = form.cleaned_data["identifiable"]
            try:
                body = exports.supervision_export(client, grant, form.cleaned_data["summary"],
                                                  identifiable=identifiable, today=today,
                                                  language=request.LANGUAGE_CODE[:2])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    form.add_error("summary" if field == "summary" else None, messages)
            else:
                response = HttpResponse(body.encode(), content_type="text/plain; charset=utf-8")
                response["Content-Disposition"] = supervision_filename(identifiable)
                return response
        context["form"], context["identifiable"] = form, form.data.get("identifiable") in ("True", "true", "on")
        return render(request, "privacy/supervision_review.html", context)
    return render(request, "privacy/supervision.html", context)


def supervision_filename(identifiable: bool) -> str:
    """The summary's Content-Disposition; the page and the API answer with this."""
    kind = "identificeerbaar" if identifiable else "gepseudonimiseerd"
    return f'attachment; filename="casus-{kind}-{datetime.date.today():%Y%m%d}.txt"'


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH, Role.MANAGEMENT)
def research(request):
    """GC-6.8: a de-identified dataset of the clients who consented and whose consent the
    umbrella organisation approved; the others are left out (and counted). A coach exports
    their own clients; management the whole practice, through the action "research.export",
    which yields only this pseudonymised output (management has no dossier.read, PR-7).
    Every exported client gets an access-log entry with the basis it was exported on."""
    from .. import exports

    today = timezone.localdate()
    rows = exports.research_candidates(request.user, today)
    for row in rows:
        row["can_approve"] = (any(not k.umbrella_approved_on for k in row["consents"])
                              and access.grant_for(request.user, row["client"], "consent.manage") is not None)
    form = ResearchExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        eligible = [r["client"] for r in rows if r["eligible"]]
        if not eligible:
            form.add_error(None, exports.NOTHING_TO_EXPORT)
        else:
            waiting = _deid_not_ready(request)
            if waiting is not None:
                return waiting
            content, content_type, ext = exports.research_export(
                request.user, eligible, today=today, date_mode=form.cleaned_data["date_mode"],
                fmt=form.cleaned_data["fmt"], language=request.LANGUAGE_CODE[:2])
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="onderzoek-gepseudonimiseerd.{ext}"'
            return response
    access.log_list(request.user, "research.list", [r["client"] for r in rows])
    return render(request, "privacy/research.html", {"rows": rows, "form": form,
                                                     "excluded": sum(1 for r in rows if not r["eligible"])})


@require_POST
@role_required(Role.COACH)
def umbrella_approval(request, client_id, consent_id):
    client, grant = access.get_client_for(request, client_id, "consent.manage")
    consent = get_object_or_404(client.consents.all(), public_id=consent_id)
    form = UmbrellaApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of the umbrella organisation's approval."))
        return redirect("privacy:research")
    try:
        actions.record_umbrella_approval(actor=request.user, consent=consent, now=timezone.now(), grant=grant,
                                         approved_on=form.cleaned_data["approved_on"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The umbrella organisation's approval has been recorded."))
    return redirect("privacy:research")
