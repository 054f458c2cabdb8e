"""The processing register, processors and the DPIA (LAW-30, GC-9.5)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients.forms import apply_errors

from .. import actions, inventory
from ..forms import DpiaForm, ProcessorForm
from ..models import Dpia, Processor
from ..pdfs import processing_register_pdf


def _processing_context():
    dpia = Dpia.objects.select_related("uploaded_by").first()
    return {"rows": inventory.register(), "processors": Processor.objects.all(), "dpia": dpia,
            "dpias": Dpia.objects.select_related("uploaded_by"), "fingerprint": inventory.fingerprint(),
            "dpia_outdated": dpia is not None and dpia.inventory_fingerprint != inventory.fingerprint(),
            "protection_labels": inventory.PROTECTION_LABELS, "controller": inventory.controller(),
            "security_measures": inventory.security_measures()}


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def processing_register(request):
    context = _processing_context()
    context["is_management"] = request.user.has_role(Role.MANAGEMENT)
    return render(request, "privacy/processing.html", context)


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def processing_pdf(request):
    response = HttpResponse(processing_register_pdf(_processing_context(), language=request.LANGUAGE_CODE[:2]),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="verwerkingsregister.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def processor_new(request):
    form = ProcessorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_processor(actor=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The processor has been added."))
            return redirect("privacy:processing")
    return render(request, "privacy/processor_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def dpia_new(request):
    form = DpiaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.upload_dpia(actor=request.user, title=data["title"], version=data["version"],
                                approved_on=data["approved_on"], upload=data["document"], now=timezone.now())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The DPIA has been saved with the current data inventory."))
            return redirect("privacy:processing")
    return render(request, "privacy/dpia_form.html", {"form": form})


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def dpia_download(request, dpia_id):
    return dpia_document(dpia_id)


def dpia_document(dpia_id):
    """The DPIA as uploaded; the page and the API answer with this."""
    dpia = get_object_or_404(Dpia, public_id=dpia_id)
    with default_storage.open(dpia.storage_name, "rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{dpia.filename.replace(chr(34), "")}"'
    return response
