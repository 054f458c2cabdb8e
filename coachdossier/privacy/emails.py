"""The privacy app's emails: notices with a link, never dossier content (GC-6.3); one
message per recipient (accounts.outbox.send_or_queue)."""

from coachdossier.accounts.models import Role, User
from coachdossier.accounts.outbox import send_or_queue as send  # notices: a mail server that is down queues them


def retention_notice(*, items) -> None:
    """PR-8: management learns which dossiers (by reference) will be destroyed, and when."""
    send("retention-notice", User.objects.addresses_of(Role.MANAGEMENT),
         {"items": [{"reference": r, "due_on": d} for r, d in items]})


def insurance_expiring(*, profile_id) -> None:
    """GC-4.4: the coach and management hear before the liability insurance expires."""
    from .models import CoachProfile

    profile = CoachProfile.objects.select_related("coach").get(pk=profile_id)
    send("insurance-expiring", [profile.coach.email, *User.objects.addresses_of(Role.MANAGEMENT)],
         {"coach_name": profile.coach.full_name, "expires_on": profile.insurance_expires_on})


def breach_deadline(*, breach_id, late: bool) -> None:
    """LAW-33: the 72-hour decision on notifying the authority is due (or overdue)."""
    from coachdossier import policy

    from .models import DataBreach

    breach = DataBreach.objects.get(pk=breach_id)
    send("breach-deadline", User.objects.addresses_of(Role.MANAGEMENT),
         {"late": late, "discovered_at": breach.discovered_at,
          "deadline": breach.deadline(policy.current().breach_notify_hours)})


def log_review_ready(*, month, flags: int) -> None:
    """NEN 7513: last month's access-log review is ready for management and the auditor."""
    send("log-review", User.objects.addresses_of(Role.MANAGEMENT, Role.AUDITOR), {"month": month, "flags": flags})
