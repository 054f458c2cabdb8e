"""The auditor's pages: the overview, signed checkpoints, the security report (GC-6.6) and the
monthly log review."""

import datetime

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coachdossier import audit, policy
from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role

from .. import actions, registry, report, signing
from .. import checkpoints as checkpoint_log
from ..models import BackupKind, BackupRun, Checkpoint, CoachProfile, DataBreach, LogVerification
from ..pdfs import security_report_pdf as build


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
        open_breaches = list(DataBreach.objects.open())
        hours = policy.current().breach_notify_hours
        context["open_breaches"] = len(open_breaches)
        # LAW-33: a decision on notifying taken, or still missing, past the 72 hours.
        context["late_breaches"] = sum(1 for b in open_breaches if b.is_late(timezone.now(), hours))
    return render(request, "privacy/overview.html", context)


# --- Signed checkpoints ------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT, Role.AUDITOR)
def checkpoints(request):
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


# --- The auditor's security report (GC-6.6) and the monthly log review -------------------------


@require_GET
@role_required(Role.AUDITOR, Role.MANAGEMENT)
def security_report(request):
    audit.record(action="security_report.view", object_type="report", role=",".join(sorted(request.user.roles)))
    return render(request, "privacy/security_report.html", {"r": report.security_report(timezone.now())})


@require_GET
@role_required(Role.AUDITOR, Role.MANAGEMENT)
def security_report_pdf(request):
    audit.record(action="security_report.download", object_type="report", role=",".join(sorted(request.user.roles)))
    response = HttpResponse(build(report.security_report(timezone.now()), language=request.LANGUAGE_CODE[:2]),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="beveiligingsrapport.pdf"'
    return response


@require_GET
@role_required(Role.AUDITOR, Role.MANAGEMENT)
def log_review(request):
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
