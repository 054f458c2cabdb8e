"""Pages for reports: the coach writes and sends, the client reads and answers in the portal,
management sees states without content, and a recipient downloads with link and code."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.forms import apply_errors
from coachdossier.clients.models import Client, DossierEntry
from coachdossier.lib.dates import format_date

from . import actions
from .forms import CodeForm, MedicalEntryForm, NewReportForm, ObjectionForm, ReportForm, SendForm, SignForm
from .models import Addressee, Delivery, Report, ReportState

S = ReportState
STAFF_WRITE = (Role.COACH,)


def _report_for(request, client_id, report_id, action, log_action=None, log=True):
    """The report `report_id` of client `client_id`, if the user may do `action` on that client."""
    client, grant = access.get_client_for(request, client_id, action, log=False)
    report = (Report.objects.filter(client=client, public_id=report_id)
              .select_related("client__user", "trajectory__principal", "created_by", "answered_by").first())
    if report is None:
        access.deny(request.user, log_action or action, client_ref=client.public_id)
    if log:
        access.log_access(client, grant, log_action or action, obj=report)
    return client, grant, report


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _filename(report) -> str:
    return f"{report.reference.replace('/', '-')}.pdf"


# --- Coach ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_WRITE)
def report_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "reports.write", log=False)
    form = NewReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = actions.create_report(actor=request.user, client=client, kind=data["kind"],
                                           addressee=data["addressee"], language=data["language"],
                                           signature_required=data["signature_required"], now=timezone.now(),
                                           grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("reports:edit", client.public_id, report.public_id)
    return render(request, "reports/new.html", {"client": client, "form": form})


@require_GET
@role_required(*STAFF_WRITE)
def report_detail(request, client_id, report_id):
    """The report as the coach sees it: text, state, the client's answer, versions, deliveries."""
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", "report.read")
    now = timezone.now()
    return render(request, "reports/detail.html", {
        "client": client, "report": report, "content": report.content,
        "deliveries": list(report.deliveries.all()),
        "versions": list(Report.objects.filter(client=client, number=report.number).order_by("version")),
        "send_refusal": report.send_refusal(now), "medical": _medical_context(client, report),
        "can_revise": report.can("revise"),
        # PR-4: said where the coach decides to send the client the copy, while it can be changed.
        "health_notice": actions.health_notice(report) if report.state == S.DRAFT else "",
    })


def _entry_choices(client):
    entries = client.entries.for_timeline(include_medical=False).filter(withdrawn_at__isnull=True)  # GC-5.3
    return [(str(e.public_id), f"{format_date(e.occurred_on, 'SHORT_DATE_FORMAT')} · {e.get_kind_display()} · "
                               f"{e.current.content.get('title') or '—'}") for e in entries]


def _medical_context(client, report):
    if report.addressee != Addressee.COMPANY_DOCTOR or report.state != S.DRAFT:
        return None
    chosen = {e["id"] for e in report.content["entries"] if e["medical"]}
    entries = (DossierEntry.objects.filter(client=client, is_medical=True, deleted_at__isnull=True)
               .prefetch_related("versions"))
    return [{"entry": e, "title": e.current.content.get("title", ""), "chosen": str(e.public_id) in chosen,
             "form": MedicalEntryForm(initial={"entry": e.public_id})}
            for e in entries]


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_WRITE)
def report_edit(request, client_id, report_id):
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", "report.read",
                                        log=request.method == "GET")
    if report.state != S.DRAFT:
        messages.error(request, _("Only a draft can be changed. Write a new version instead."))
        return redirect("reports:detail", client.public_id, report.public_id)
    content = report.content
    recipient = content.get("recipient") or {}
    initial = {"addressee": report.addressee, "subject": content["subject"], "salutation": content["salutation"],
               "closing": content["closing"], "include_trajectory": bool(content.get("trajectory")),
               "entries": [e["id"] for e in content["entries"] if not e["medical"]],
               "signature_required": report.signature_required,
               **{f"recipient_{k}": recipient.get(k, "") for k in ("name", "organisation", "address", "email")}}
    form = ReportForm(request.POST or None, initial=initial, sections=content["sections"],
                      entry_choices=_entry_choices(client))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.edit_report(actor=request.user, report=report, now=timezone.now(), grant=grant,
                                addressee=data["addressee"], subject=data["subject"],
                                salutation=data["salutation"], sections=form.sections(), closing=data["closing"],
                                include_trajectory=data["include_trajectory"], entry_ids=data["entries"],
                                signature_required=data["signature_required"], recipient=form.recipient())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("reports:detail", client.public_id, report.public_id)
    return render(request, "reports/edit.html", {"client": client, "report": report, "form": form,
                                                 "medical": _medical_context(client, report)})


@require_POST
@role_required(*STAFF_WRITE)
def report_medical(request, client_id, report_id):
    """PR-4: add one medical entry (after the warning) to a report for the company doctor, or
    take one out again."""
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", log=False)
    now = timezone.now()
    try:
        if "remove" in request.POST:
            actions.remove_entry(actor=request.user, report=report, entry_id=request.POST["remove"], now=now,
                                 grant=grant)
        else:
            form = MedicalEntryForm(request.POST)
            form.is_valid()
            entry_id = form.cleaned_data.get("entry")
            entry = DossierEntry.objects.filter(client=client, public_id=entry_id).first() if entry_id else None
            if entry is None:
                raise ValidationError({"entry": _("Choose a medical entry of this client.")})
            actions.add_medical_entry(actor=request.user, report=report, entry=entry,
                                      acknowledged=bool(form.cleaned_data.get("acknowledged")), now=now, grant=grant)
            messages.success(request, _("The medical entry has been added to the report."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("reports:edit", client.public_id, report.public_id)


@require_POST
@role_required(*STAFF_WRITE)
def report_ready(request, client_id, report_id):
    """PR-6: the client gets a copy first. The notice goes out when this request commits."""
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", log=False)
    try:
        actions.mark_ready(actor=request.user, report=report, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        report.refresh_from_db()
        if report.state == S.CLIENT_COPY:
            messages.success(request, _("The client has been notified and can read the report in the portal."))
        else:
            messages.error(request, _("The notice to the client could not be sent. Try again later."))
    return redirect("reports:detail", client.public_id, report.public_id)


@require_POST
@role_required(*STAFF_WRITE)
def report_notify(request, client_id, report_id):
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", log=False)
    try:
        delivered = actions.notify_client(actor=request.user, report=report, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if delivered:
            messages.success(request, _("The client has been notified."))
        else:
            messages.error(request, _("The notice to the client could not be sent. Try again later."))
    return redirect("reports:detail", client.public_id, report.public_id)


@require_POST
@role_required(*STAFF_WRITE)
def report_revise(request, client_id, report_id):
    """A change after the client copy is a new version; the copy-first rule starts again."""
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", log=False)
    try:
        new = actions.revise_report(actor=request.user, report=report, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("reports:detail", client.public_id, report.public_id)
    messages.success(request, _("A new version has been made. The client gets a copy of it before it is sent."))
    return redirect("reports:edit", client.public_id, new.public_id)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_WRITE)
def report_send(request, client_id, report_id):
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", "report.read",
                                        log=request.method == "GET")
    now = timezone.now()
    recipient = report.content.get("recipient") or {}
    default_email = (report.trajectory.principal.contact_email if report.addressee == Addressee.PRINCIPAL
                     else recipient.get("email", ""))
    form = SendForm(request.POST or None, initial={"recipient_email": default_email})
    if request.method == "POST" and form.is_valid():
        try:
            sent = actions.send_report(actor=request.user, report=report, code_channel=form.cleaned_data["code_channel"],
                                       recipient_email=form.cleaned_data["recipient_email"], now=now, grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if sent.delivery.code_channel == Delivery.CodeChannel.PHONE:
                # Shown once; the practice keeps only its keyed hash.
                return render(request, "reports/sent.html", {"client": client, "report": report,
                                                             "code": sent.code, "delivery": sent.delivery})
            messages.success(request, _("The download link and, separately, the code have been sent."))
            return redirect("reports:detail", client.public_id, report.public_id)
    return render(request, "reports/send.html", {"client": client, "report": report, "form": form,
                                                 "send_refusal": report.send_refusal(now)})


@require_GET
@role_required(*STAFF_WRITE)
def report_pdf(request, client_id, report_id):
    """The PDF: as sent (once sent), else the client copy (or a preview of a draft)."""
    client, grant, report = _report_for(request, client_id, report_id, "reports.write", "report.download")
    return _pdf_response(actions.current_pdf(report), _filename(report))


# --- Management ----------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT)
def overview(request):
    """The state of every report, without its content (PR-7)."""
    clients = Client.objects.visible_to(request.user, "reports.status")
    reports = list(Report.objects.filter(client__in=clients).current()
                   .select_related("client", "trajectory__principal", "trajectory__coach")
                   .order_by("state", "-created_at")[:500])
    seen = {r.client.public_id: r.client for r in reports}
    KeyRing.load(seen)
    access.log_list(request.user, "reports.list", seen.values())
    counts = {}
    for r in reports:
        counts[r.get_state_display()] = counts.get(r.get_state_display(), 0) + 1
    return render(request, "reports/overview.html", {"reports": reports, "counts": counts})


# --- Client (portal) -----------------------------------------------------------------------


def _review_for(request, report_id, log_action, log=True):
    report = (Report.objects.filter(public_id=report_id, client_notified_at__isnull=False)
              .select_related("client__user", "trajectory__principal", "created_by").first())
    if report is None:
        access.deny(request.user, log_action)
    client, grant = access.get_client_for(request, report.client.public_id, "reports.review", log=False)
    if log:
        access.log_access(client, grant, log_action, obj=report)
    return client, grant, report


@require_GET
@role_required(Role.CLIENT)
def review(request, report_id):
    client, grant, report = _review_for(request, report_id, "report.review")
    return render(request, "reports/review.html", {
        "client": client, "report": report, "content": report.content,
        "sign_form": SignForm(initial={"document_sha256": report.pdf_sha256}),
        "objection_form": ObjectionForm(), "deliveries": list(report.deliveries.all()),
        "waiting": report.state in (S.CLIENT_COPY, S.OBJECTED) and not (report.state == S.OBJECTED
                                                                        and not report.signature_required),
    })


@require_GET
@role_required(Role.CLIENT)
def review_pdf(request, report_id):
    client, grant, report = _review_for(request, report_id, "report.download")
    return _pdf_response(actions.current_pdf(report), _filename(report))


def _client_answer(request, report_id, fn, success, **kwargs):
    client, grant, report = _review_for(request, report_id, "report.review", log=False)
    try:
        fn(actor=request.user, report=report, now=timezone.now(), grant=grant, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("reports:review", report.public_id)


@require_POST
@role_required(Role.CLIENT)
def review_approve(request, report_id):
    return _client_answer(request, report_id, actions.approve_report, _("You approved the report."))


@require_POST
@role_required(Role.CLIENT)
def review_sign(request, report_id):
    form = SignForm(request.POST)
    if not form.is_valid():
        client, grant, report = _review_for(request, report_id, "report.review", log=False)
        messages.error(request, _("Tick the box to confirm that you read the report and sign it."))
        return redirect("reports:review", report.public_id)
    return _client_answer(request, report_id, actions.sign_report, _("You signed the report."),
                          document_sha256=form.cleaned_data["document_sha256"])


@require_POST
@role_required(Role.CLIENT)
def review_block(request, report_id):
    return _client_answer(request, report_id, actions.block_report,
                          _("You blocked the report. It will not be sent."))


@require_http_methods(["GET", "POST"])
@role_required(Role.CLIENT)
def review_object(request, report_id):
    client, grant, report = _review_for(request, report_id, "report.review", log=request.method == "GET")
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.object_to_report(actor=request.user, report=report, text=form.cleaned_data["text"],
                                     now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your objection has been attached to the report. It is always sent "
                                        "with it."))
            return redirect("reports:review", report.public_id)
    return render(request, "reports/objection.html", {"client": client, "report": report, "form": form})


# --- Recipient (public) --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def download(request, token):
    """The recipient's page: the link plus the one-time code give the PDF, once."""
    delivery = actions.find_delivery(token)
    if delivery is None:
        return render(request, "reports/download.html", {"refusal": _("This link is not valid.")}, status=404)
    now = timezone.now()
    refusal = delivery.refusal(now)
    form = CodeForm(request.POST or None)
    if refusal is None and request.method == "POST" and form.is_valid():
        result = actions.download(delivery=delivery, token=token, code=form.cleaned_data["code"], now=now)
        if not actions.is_refused(result):
            return _pdf_response(result, _filename(delivery.report))
        delivery.refresh_from_db()
        refusal = delivery.refusal(now)
        if refusal is None:
            form.add_error("code", str(result))
    elif refusal is not None and request.method == "POST":
        actions.download(delivery=delivery, token=token, code="", now=now)  # logs the refused attempt
    status = 410 if refusal else 200
    return render(request, "reports/download.html", {"form": form, "refusal": refusal, "delivery": delivery},
                  status=status)
