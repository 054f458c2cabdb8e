"""Hand-over to UWV (PR-R4)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access
from coachdossier.clients.forms import apply_errors

from .. import actions
from ..forms import DeliveryForm, HandoverForm
from ..handover import closed_uwv_trajectories


@require_GET
@role_required(Role.MANAGEMENT)
def handover_list(request):
    """Closed UWV trajectories and whether their hand-over package was made and delivered."""
    rows = closed_uwv_trajectories(request.user)
    access.log_list(request.user, "handover.list", [r["trajectory"].client for r in rows])
    return render(request, "privacy/handovers.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def handover(request, client_id):
    client, grant = access.get_client_for(request, client_id, "privacy.manage", log_action="handover.view")
    trajectories = [t for t in client.trajectories.select_related("principal") if t.principal.is_uwv]
    form = HandoverForm(request.POST or None, trajectories=trajectories)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_handover(actor=request.user, client=client, trajectory=form.cleaned_data["trajectory"],
                                    now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The hand-over package has been made. Download it and record the delivery."))
            return redirect("privacy:handover", client.public_id)
    items = list(client.handovers.select_related("created_by", "delivered_by", "client"))
    return render(request, "privacy/handover.html", {"client": client, "form": form, "items": items,
                                                     "has_uwv": bool(trajectories)})


@require_GET
@role_required(Role.MANAGEMENT)
def handover_download(request, client_id, handover_id):
    return handover_package(request, client_id, handover_id)


def handover_package(request, client_id, handover_id):
    """The hand-over package (zip), logged; the page and the API answer with this."""
    client, grant = access.get_client_for(request, client_id, "privacy.manage", log=False)
    item = get_object_or_404(client.handovers.select_related("client"), public_id=handover_id)
    access.log_access(client, grant, "handover.download", obj=item)
    response = HttpResponse(actions.read_handover(item), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="overdracht-uwv-{client.reference}.zip"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def handover_deliver(request, client_id, handover_id):
    client, grant = access.get_client_for(request, client_id, "privacy.manage", log_action="handover.view")
    item = get_object_or_404(client.handovers.select_related("client"), public_id=handover_id)
    form = DeliveryForm(request.POST or None, initial={"delivered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_handover_delivery(actor=request.user, item=item, now=timezone.now(), grant=grant,
                                             **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The delivery has been recorded."))
            return redirect("privacy:handover", client.public_id)
    return render(request, "privacy/delivery_form.html", {"form": form, "client": client, "item": item})
