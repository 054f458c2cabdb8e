"""The privacy app's emails: notices with a link, never dossier content (GC-6.3)."""

from coachdossier.lib.emails import send_or_queue as send  # notices: a mail server that is down queues them


def _management_emails() -> list[str]:
    from coachdossier.accounts.models import Role, User

    return list(User.objects.filter(role_grants__role=Role.MANAGEMENT, is_active=True)
                .values_list("email", flat=True).distinct())


def retention_notice(*, items) -> None:
    """PR-8: management learns which dossiers (by reference) will be destroyed, and when."""
    recipients = _management_emails()
    if recipients:
        send("retention-notice", recipients, {"items": [{"reference": r, "due_on": d} for r, d in items]})


def insurance_expiring(*, profile_id) -> None:
    """GC-4.4: the coach and management hear before the liability insurance expires."""
    from .models import CoachProfile

    profile = CoachProfile.objects.select_related("coach").get(pk=profile_id)
    recipients = sorted({profile.coach.email, *_management_emails()})
    send("insurance-expiring", recipients, {"coach_name": profile.coach.full_name,
                                            "expires_on": profile.insurance_expires_on})


def breach_deadline(*, breach_id, late: bool) -> None:
    """LAW-33: the 72-hour decision on notifying the authority is due (or overdue)."""
    from coachdossier import policy

    from .models import DataBreach

    breach = DataBreach.objects.get(pk=breach_id)
    recipients = _management_emails()
    if recipients:
        send("breach-deadline", recipients, {"late": late, "discovered_at": breach.discovered_at,
                                             "deadline": breach.deadline(policy.current().breach_notify_hours)})


def log_review_ready(*, month, flags: int) -> None:
    """NEN 7513: last month's access-log review is ready for management and the auditor."""
    from coachdossier.accounts.models import Role, User

    recipients = list(User.objects.filter(role_grants__role__in=[Role.MANAGEMENT, Role.AUDITOR], is_active=True)
                      .values_list("email", flat=True).distinct())
    if recipients:
        send("log-review", recipients, {"month": month, "flags": flags})
