"""Retention (PR-8) and legal holds."""

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
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.forms import apply_errors
from coachdossier.clients.models import Client

from .. import actions
from ..forms import LegalHoldForm
from ..models import LegalHold


@require_GET
@role_required(Role.MANAGEMENT)
def retention(request):
    """PR-8: dossiers whose retention term ended or ends within the notice period, with what
    keeps them; active legal holds."""

    today = timezone.localdate()
    term = request.GET.get("reference", "").strip()
    if term:
        client = Client.objects.visible_to(request.user, "privacy.manage").filter(reference__iexact=term).first()
        if client is not None:
            return redirect("privacy:legal_hold_new", client.public_id)
        messages.error(request, _("No dossier with reference %(ref)s.") % {"ref": term})
    rows = actions.retention_backlog(today, within_days=policy.current().retention_notice_days)
    holds = list(LegalHold.objects.active().select_related("client", "placed_by"))
    KeyRing.load({h.client.public_id for h in holds})
    access.log_list(request.user, "retention.list", [r["client"] for r in rows])
    return render(request, "privacy/retention.html", {"rows": rows, "holds": holds, "today": today,
                                                      "notice_days": policy.current().retention_notice_days})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def legal_hold_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.place_legal_hold(actor=request.user, client=client, reason=form.cleaned_data["reason"],
                                     now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The legal hold has been placed; the dossier will not be destroyed."))
            return redirect("privacy:retention")
    holds = list(client.legal_holds.select_related("placed_by", "released_by"))
    return render(request, "privacy/legal_hold_form.html", {"form": form, "client": client, "holds": holds})


@require_POST
@role_required(Role.MANAGEMENT)
def legal_hold_release(request, client_id, hold_id):
    client, grant = access.get_client_for(request, client_id, "privacy.manage")
    hold = get_object_or_404(LegalHold, client=client, public_id=hold_id)
    try:
        actions.release_legal_hold(actor=request.user, hold=hold, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The legal hold has been released."))
    return redirect("privacy:legal_hold_new", client.public_id)
