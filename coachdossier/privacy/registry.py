"""The coach registry's one question: may this coach be given a new client today?

GC-0.3, GC-4.4, GC-4.5: only coaches registered with the umbrella organisation, with this
year's fee paid and a valid professional liability insurance take on new clients.

A coach *without* a registry profile is treated as "not yet entered in the registry": the
assignment is allowed, and the management dashboard and the registry page warn about
every such coach until management enters them. This keeps a practice that starts using
the registry working on its first day; a profile that records a problem (not registered,
fee unpaid, insurance expired) always refuses."""

import datetime

from django.utils.translation import gettext as _

REMINDER_DAYS = 30  # a coach and management hear this long before the insurance expires


def profile_of(coach):
    from .models import CoachProfile

    return CoachProfile.objects.filter(coach=coach).prefetch_related("fees").first()


def standing_problem(coach, today: datetime.date) -> str | None:
    """Why `coach` may not be assigned a new client today, or None."""
    profile = profile_of(coach)
    if profile is None:
        return None
    problems = profile.problems(today)
    if not problems:
        return None
    return _("This coach is not in good standing: %(problems)s.") % {"problems": "; ".join(problems)}


def assignment_refusal(*, coach, today: datetime.date) -> str | None:
    """clients.hooks.ASSIGNMENT_REFUSALS: the registry's say in assigning a new client."""
    return standing_problem(coach, today)


def coaches_without_profile():
    from coachdossier.accounts.models import Role, User

    return (User.objects.filter(role_grants__role=Role.COACH, is_active=True, coach_profile__isnull=True)
            .distinct().order_by("full_name"))
