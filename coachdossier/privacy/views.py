"""Privacy pages for management (registry, retention, legal holds) and the auditor
(checkpoints). Client data is reached only through clients.access."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier import audit
from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role, User
from coachdossier.clients import access
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.forms import apply_errors
from coachdossier.clients.models import Client

from . import actions, registry
from . import checkpoints as checkpoint_log
from .forms import (
    BreachClientForm,
    BreachDecisionForm,
    CoachProfileForm,
    ConfidentialityBreachForm,
    CvForm,
    DataBreachForm,
    DeliveryForm,
    DpiaForm,
    FeeForm,
    HandoverForm,
    LegalHoldForm,
    ProcessorForm,
    ResearchExportForm,
    SupervisionReviewForm,
    UmbrellaApprovalForm,
)
from .models import BackupKind, BackupRun, Checkpoint, CoachProfile, LegalHold, LogVerification
from .pdfs import coach_profile_pdf


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def overview(request):
    today = timezone.localdate()
    is_management = request.user.has_role(Role.MANAGEMENT)
    context = {
        "is_management": is_management,
        "last_backup": BackupRun.objects.filter(kind=BackupKind.BACKUP).first(),
        "last_verify": BackupRun.objects.filter(kind=BackupKind.VERIFY).first(),
        "last_log_check": LogVerification.objects.first(),
        "checkpoint_count": Checkpoint.objects.count(),
    }
    if is_management:
        profiles = CoachProfile.objects.select_related("coach").prefetch_related("fees")
        context["registry_problems"] = [(p, p.problems(today)) for p in profiles if p.problems(today)]
        context["unregistered"] = registry.coaches_without_profile()
        context["backlog_count"] = len(actions.retention_backlog(today))
        from .models import DataBreach

        context["open_breaches"] = DataBreach.objects.open().count()
    return render(request, "privacy/overview.html", context)


# --- Coach registry --------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT)
def registry_list(request):
    today = timezone.localdate()
    profiles = list(CoachProfile.objects.select_related("coach").prefetch_related("fees"))
    # GC-4.4: the page warns before the insurance expires, as the reminder mail and the dashboard do.
    horizon = today + datetime.timedelta(days=registry.REMINDER_DAYS)
    rows = [{"profile": p, "problems": p.problems(today),
             "expiring": bool(p.insurance_expires_on and today <= p.insurance_expires_on <= horizon)}
            for p in profiles]
    return render(request, "privacy/registry.html", {
        "rows": rows, "unregistered": registry.coaches_without_profile(), "today": today,
        "reminder_days": registry.REMINDER_DAYS,
    })


def _coach(coach_id):
    coach = User.objects.filter(public_id=coach_id, is_active=True).first()
    if coach is None or not coach.has_role(Role.COACH):
        raise Http404
    return coach


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def profile_edit(request, coach_id):
    coach = _coach(coach_id)
    profile = CoachProfile.objects.filter(coach=coach).first()
    initial = {name: getattr(profile, name) for name in actions.PROFILE_FIELDS} if profile else {}
    form = CoachProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_coach_profile(actor=request.user, coach=coach, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The registry entry of %(name)s has been saved.") % {"name": coach.full_name})
            return redirect("privacy:registry")
    return render(request, "privacy/profile_form.html", {"form": form, "coach": coach, "profile": profile})


def _profile(profile_id):
    return get_object_or_404(CoachProfile.objects.select_related("coach").prefetch_related("fees"),
                             public_id=profile_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def fee_new(request, profile_id):
    profile = _profile(profile_id)
    form = FeeForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_fee(actor=request.user, profile=profile, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The fee payment has been recorded."))
            return redirect("privacy:registry")
    return render(request, "privacy/fee_form.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def cv_upload(request, profile_id):
    profile = _profile(profile_id)
    form = CvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.upload_cv(actor=request.user, profile=profile, upload=form.cleaned_data["cv"], now=timezone.now())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The CV has been saved."))
            return redirect("privacy:registry")
    return render(request, "privacy/cv_form.html", {"form": form, "profile": profile})


@require_GET
@role_required(Role.MANAGEMENT)
def cv_download(request, profile_id):
    profile = _profile(profile_id)
    if not profile.cv_storage_name:
        raise Http404
    response = HttpResponse(actions.read_cv(profile), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="cv-{profile.public_id}.bin"'
    filename = profile.cv_filename.replace('"', "")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@role_required(Role.MANAGEMENT)
def profile_pdf(request, profile_id):
    """GC-4.5: the coach's profile to share with a client or principal on request."""
    profile = _profile(profile_id)
    response = HttpResponse(coach_profile_pdf(profile, today=timezone.localdate(),
                                              language=request.LANGUAGE_CODE[:2]),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="coach-profile-{profile.public_id}.pdf"'
    return response


# --- Retention and legal holds ---------------------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT)
def retention(request):
    """PR-8: dossiers whose retention term ended or ends within the notice period, with what
    keeps them; active legal holds."""
    from coachdossier import policy

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


# --- Signed checkpoints ------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def checkpoints(request):
    from . import signing

    return render(request, "privacy/checkpoints.html", {
        "checkpoints": Checkpoint.objects.order_by("-size", "-at")[:100],
        "public_key": signing.public_key_hex(), "key_id": signing.key_id(),
        "last_log_check": LogVerification.objects.first(),
    })


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def checkpoints_download(request):
    """The auditor keeps these and later runs `coachdossier verify_checkpoints --file`."""
    audit.record(action="checkpoints.download", object_type="checkpoint", role=",".join(sorted(request.user.roles)))
    response = JsonResponse(checkpoint_log.as_json(Checkpoint.objects.order_by("size", "at")),
                            json_dumps_params={"indent": 1})
    response["Content-Disposition"] = 'attachment; filename="coachdossier-checkpoints.json"'
    return response


# --- Hand-over to UWV (PR-R4) -------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT)
def handover_list(request):
    """Closed UWV trajectories and whether their hand-over package was made and delivered."""
    from coachdossier.clients.models import Trajectory, TrajectoryStatus

    from .models import Handover

    trajectories = list(Trajectory.objects.filter(status=TrajectoryStatus.CLOSED, principal__kind="uwv",
                                                  client__destroyed_at__isnull=True)
                        .select_related("client", "principal", "coach").order_by("-closed_on"))
    made = {}
    for item in Handover.objects.filter(trajectory__in=trajectories).order_by("created_at"):
        made[item.trajectory_id] = item
    rows = [{"trajectory": t, "handover": made.get(t.pk)} for t in trajectories]
    return render(request, "privacy/handovers.html", {"rows": rows})


def _uwv_trajectories(client):
    return [t for t in client.trajectories.all() if t.principal.is_uwv]


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


# --- Confidentiality-breach register (GC-6.5) ----------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT)
def confidentiality_register(request):
    """The register without content: dossier, date, legal ground, whether the client was told."""
    from .models import ConfidentialityBreach

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
    from .models import DataBreach

    return get_object_or_404(DataBreach.objects.select_related("recorded_by"), public_id=breach_id)


@require_GET
@role_required(Role.MANAGEMENT)
def breaches(request):
    from coachdossier import policy

    from .models import DataBreach

    now, hours = timezone.now(), policy.current().breach_notify_hours
    rows = [{"breach": b, "deadline": b.deadline(hours), "late": b.is_late(now, hours)}
            for b in DataBreach.objects.select_related("recorded_by")]
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
    from coachdossier import policy

    breach = _breach(breach_id)
    form = BreachDecisionForm(request.POST or None, initial={
        "decision": breach.decision, "decision_reason": breach.decision_reason,
        "authority_notified_at": breach.authority_notified_at, "authority_reference": breach.authority_reference,
        "measures": breach.measures})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide_data_breach(actor=request.user, breach=breach, decision=data["decision"],
                                       reason=data["decision_reason"], notified_at=data["authority_notified_at"],
                                       reference=data["authority_reference"], measures=data["measures"],
                                       now=timezone.now())
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


# --- Processing register, processors, DPIA (LAW-30, GC-9.5) ----------------------------------------


def _processing_context():
    from . import inventory
    from .models import Dpia, Processor

    dpia = Dpia.objects.select_related("uploaded_by").first()
    return {"rows": inventory.register(), "processors": Processor.objects.all(), "dpia": dpia,
            "dpias": Dpia.objects.select_related("uploaded_by"), "fingerprint": inventory.fingerprint(),
            "dpia_outdated": dpia is not None and dpia.inventory_fingerprint != inventory.fingerprint(),
            "protection_labels": inventory.PROTECTION_LABELS}


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def processing_register(request):
    context = _processing_context()
    context["is_management"] = request.user.has_role(Role.MANAGEMENT)
    return render(request, "privacy/processing.html", context)


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def processing_pdf(request):
    from .pdfs import processing_register_pdf

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
    from django.core.files.storage import default_storage

    from .models import Dpia

    dpia = get_object_or_404(Dpia, public_id=dpia_id)
    with default_storage.open(dpia.storage_name, "rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{dpia.filename.replace(chr(34), "")}"'
    return response


# --- The auditor's security report (GC-6.6) and the monthly log review -------------------------


@require_GET
@role_required(Role.AUDITOR, Role.MANAGEMENT)
def security_report(request):
    from . import report

    audit.record(action="security_report.view", object_type="report", role=",".join(sorted(request.user.roles)))
    return render(request, "privacy/security_report.html", {"r": report.security_report(timezone.now())})


@require_GET
@role_required(Role.AUDITOR, Role.MANAGEMENT)
def security_report_pdf(request):
    from . import report
    from .pdfs import security_report_pdf as build

    audit.record(action="security_report.download", object_type="report", role=",".join(sorted(request.user.roles)))
    response = HttpResponse(build(report.security_report(timezone.now()), language=request.LANGUAGE_CODE[:2]),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="beveiligingsrapport.pdf"'
    return response


@require_GET
@role_required(Role.AUDITOR, Role.MANAGEMENT)
def log_review(request):
    from . import report

    today = timezone.localdate()
    month = today.replace(day=1)
    raw = request.GET.get("month", "")
    if raw:
        try:
            asked = datetime.date.fromisoformat(f"{raw}-01")
        except ValueError:
            messages.error(request, _("Give the month as YYYY-MM."))
        else:
            # The month before and after must exist too (the "previous month" link, the end of
            # the month), which year 1 and 9999 do not: they answered 500.
            if 1900 <= asked.year <= 9998:
                month = asked
            else:
                messages.error(request, _("Choose a month between 1900 and 9998."))
    audit.record(action="log_review.view", object_type="report", role=",".join(sorted(request.user.roles)))
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    return render(request, "privacy/log_review.html", {"r": report.log_review(month), "previous": previous,
                                                       "month_value": month.strftime("%Y-%m")})


# --- De-identified exports (GC-6.9 supervision, GC-6.8 research) --------------------------------


def _deid_not_ready(request):
    """deduce is never built inside a request: start it in the background and ask to wait."""
    from . import deid_service

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
    from . import exports
    from .deidentify import PSEUDONYMISED_LABEL

    client, grant = access.get_client_for(request, client_id, "dossier.write", log_action="supervision.view")
    waiting = _deid_not_ready(request)
    if waiting is not None:
        return waiting
    today = timezone.localdate()
    consented = exports.has_consent(client, "supervision", today)
    entries = list(client.entries.filter(deleted_at__isnull=True, is_medical=False)
                   .prefetch_related("versions").order_by("occurred_on", "pk"))
    context = {"client": client, "entries": entries, "consented": consented,
               "label": PSEUDONYMISED_LABEL.get(request.LANGUAGE_CODE[:2], PSEUDONYMISED_LABEL["en"])}
    step = request.POST.get("step")
    if step == "prepare":
        chosen = [e for e in entries if str(e.public_id) in set(request.POST.getlist("entries"))]
        identifiable = request.POST.get("identifiable") == "on"
        if not chosen:
            context["error"] = _("Choose at least one entry.")
        elif identifiable and not consented:
            context["error"] = _("Identifiable use needs the client's supervision consent (GC-6.9).")
        else:
            summary = exports.identifiable_summary(chosen) if identifiable else exports.supervision_summary(client, chosen)
            context["form"] = SupervisionReviewForm(initial={"summary": summary, "identifiable": identifiable})
            context["identifiable"] = identifiable
            return render(request, "privacy/supervision_review.html", context)
    elif step == "download":
        form = SupervisionReviewForm(request.POST)
        if form.is_valid():
            identifiable = form.cleaned_data["identifiable"]
            text = form.cleaned_data["summary"]
            if identifiable and not consented:
                form.add_error(None, _("Identifiable use needs the client's supervision consent (GC-6.9)."))
            elif not identifiable and (left := exports.leftover_identifiers(client, text)):
                form.add_error("summary", _("The summary still contains identifying details: %(items)s. "
                                            "Replace them before downloading.") % {"items": ", ".join(left)})
            else:
                access.log_access(client, grant, "supervision.export_identifiable" if identifiable
                                  else "supervision.export")
                body = exports.labelled(text, language=request.LANGUAGE_CODE[:2], identifiable=identifiable)
                response = HttpResponse(body.encode(), content_type="text/plain; charset=utf-8")
                kind = "identificeerbaar" if identifiable else "gepseudonimiseerd"
                response["Content-Disposition"] = (f'attachment; filename="casus-{kind}-'
                                                   f'{datetime.date.today():%Y%m%d}.txt"')
                return response
        context["form"], context["identifiable"] = form, form.data.get("identifiable") in ("True", "true", "on")
        return render(request, "privacy/supervision_review.html", context)
    return render(request, "privacy/supervision.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH, Role.MANAGEMENT)
def research(request):
    """GC-6.8: a de-identified dataset of the clients who consented and whose consent the
    umbrella organisation approved; the others are left out (and counted). A coach exports
    their own clients; management the whole practice, through the action "research.export",
    which yields only this pseudonymised output (management has no dossier.read, PR-7).
    Every exported client gets an access-log entry with the basis it was exported on."""
    from . import exports

    today = timezone.localdate()
    clients = list(Client.objects.visible_to(request.user, "research.export")
                   .prefetch_related("consents", "trajectories__principal", "trajectories__coach"))
    KeyRing.load(c.public_id for c in clients)
    rows = []
    for c in clients:
        research_consents = [k for k in c.consents.all() if k.kind == "research" and k.is_active_on(today)]
        pending = any(not k.umbrella_approved_on for k in research_consents)
        rows.append({"client": c, "consents": research_consents,
                     "eligible": any(k.umbrella_approved_on for k in research_consents),
                     "can_approve": pending and access.grant_for(request.user, c, "consent.manage") is not None})
    form = ResearchExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        eligible = [r["client"] for r in rows if r["eligible"]]
        if not eligible:
            form.add_error(None, _("None of your clients has both consents (client and umbrella organisation): "
                                   "nothing may be exported (GC-6.8)."))
        else:
            waiting = _deid_not_ready(request)
            if waiting is not None:
                return waiting
            data = exports.research_rows(eligible, today=today, date_mode=form.cleaned_data["date_mode"])
            content, content_type, ext = exports.research_file(data, fmt=form.cleaned_data["fmt"],
                                                                language=request.LANGUAGE_CODE[:2])
            grants = [access.grant_for(request.user, c, "research.export") for c in eligible]
            audit.record_many(action="research.export", clients=eligible, bases=[(g.basis, g.ref) for g in grants],
                              role=",".join(sorted(request.user.roles)))
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="onderzoek-gepseudonimiseerd.{ext}"'
            return response
    access.log_list(request.user, "research.list", clients)
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
