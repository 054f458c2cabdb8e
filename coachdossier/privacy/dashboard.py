"""The auditor's dashboard: where the registers and reports are. Management's dashboard: coaches
who cannot take new clients, coaches not in the registry, dossiers due for destruction, data
breaches decided (or still undecided) past the 72 hours."""

from django.utils.translation import gettext as _

from coachdossier.accounts.dashboard import Panel
from coachdossier.accounts.models import Role


def panels(request, now):
    if request.user.has_role(Role.AUDITOR) and not request.user.has_role(Role.MANAGEMENT):
        return [Panel(_("Audit"), "privacy/dashboard_auditor.html", {}, order=70)]
    if not request.user.has_role(Role.MANAGEMENT):
        return []
    from django.utils import timezone

    from coachdossier import policy

    from . import actions, registry
    from .models import CoachProfile, DataBreach

    today = timezone.localdate(now)
    problems = [(p, p.problems(today)) for p in CoachProfile.objects.select_related("coach").prefetch_related("fees")]
    backlog = actions.retention_backlog(today, within_days=policy.current().retention_notice_days)
    hours = policy.current().breach_notify_hours
    return [Panel(_("Privacy"), "privacy/dashboard_panel.html", {
        "registry_problems": [(p, issues) for p, issues in problems if issues],
        "unregistered": list(registry.coaches_without_profile()),
        "due": len(backlog),
        # LAW-33: open breaches whose decision on notifying came, or is still missing, past the 72 hours.
        "breach_notify_hours": hours,
        "late_breaches": sum(1 for b in DataBreach.objects.open() if b.is_late(now, hours)),
        "expiring": [p for p, issues in problems if not issues and p.insurance_expires_on
                     and (p.insurance_expires_on - today).days <= registry.REMINDER_DAYS],
    }, order=70)]
