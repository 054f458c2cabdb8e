"""The umbrella auditor's security report (GC-6.6) and the monthly log review (NEN 7513).

Counts, dates and account names only, never client content or client names: the auditor
may check the practice's measures "on first request", not read dossiers."""

import datetime
from collections import Counter, defaultdict

from django.db.models import Max, Min
from django.utils import timezone

from coachdossier import policy
from coachdossier.accounts import confidentiality
from coachdossier.accounts.models import STAFF_ROLES, ConfidentialityAcceptance, Role, User
from coachdossier.audit.models import AccessLogEntry, Basis, Outcome
from coachdossier.clients.access import LIST_ACTIONS
from coachdossier.clients.crypto import ClientKey, current_master_key_id
from coachdossier.clients.models import Client

from . import actions
from .models import BackupKind, BackupRun, CoachProfile, DataBreach, LogVerification

ODD_HOURS = (22, 6)  # from 22:00 to 06:00 local time, and weekends
BULK_THRESHOLD = 50  # one person opening this many different clients in a day (lists not counted)


def _staff():
    return (User.objects.filter(is_active=True, role_grants__role__in=STAFF_ROLES).distinct()
            .prefetch_related("role_grants"))


def security_report(now) -> dict:
    from allauth.mfa.models import Authenticator

    today = timezone.localdate(now)
    terms = policy.current()
    staff = list(_staff())
    with_mfa = set(Authenticator.objects.filter(user__in=staff, type=Authenticator.Type.TOTP)
                   .values_list("user_id", flat=True))
    cutoff = now - datetime.timedelta(days=terms.inactive_account_days)
    inactive = [u for u in staff if (u.last_login or u.date_joined) < cutoff]
    keys = ClientKey.objects.aggregate(oldest=Min("created_at"), newest=Max("created_at"),
                                       last_rewrap=Max("rewrapped_at"))
    current = current_master_key_id()
    alive = Client.objects.filter(destroyed_at__isnull=True).count()
    hours = terms.breach_notify_hours
    open_breaches = list(DataBreach.objects.open())
    # LAW-33: every breach of the last year whose decision on notifying came (or is still
    # missing) past the 72 hours, closed ones too: a late "not required" is late as well.
    recent_breaches = DataBreach.objects.filter(discovered_at__gte=now - datetime.timedelta(days=365))
    backlog = actions.retention_backlog(today)
    # PR-R1-R2: the statement in force; an older version's signature does not count.
    signed = set(ConfidentialityAcceptance.objects.filter(user__in=staff, version=confidentiality.CURRENT_VERSION)
                 .values_list("user_id", flat=True))
    return {
        "generated_at": now,
        "mfa": {"staff": len(staff), "with_mfa": len(with_mfa),
                "without": sorted(u.full_name for u in staff if u.pk not in with_mfa)},
        "encryption": {
            "clients": alive, "keys": ClientKey.objects.count(), "current_master_key": current,
            "keys_on_old_master_key": ClientKey.objects.exclude(master_key_id=current).count(),
            "oldest_key": keys["oldest"], "newest_key": keys["newest"], "last_rewrap": keys["last_rewrap"],
        },
        "last_backup": BackupRun.objects.filter(kind=BackupKind.BACKUP).first(),
        "last_verified": BackupRun.objects.filter(kind=BackupKind.VERIFY, ok=True).first(),
        # LAW-32: a verification failing since the last successful one must not hide behind it.
        "last_verify_run": BackupRun.objects.filter(kind=BackupKind.VERIFY).first(),
        "last_restore": BackupRun.objects.filter(kind=BackupKind.RESTORE).first(),
        "last_log_check": LogVerification.objects.first(),
        "confidentiality": {"staff": len(staff), "signed": len(signed),
                            "without": sorted(u.full_name for u in staff if u.pk not in signed)},
        "registry": _registry_standing(staff, today),
        "inactive": sorted((u.full_name, u.last_login) for u in inactive),
        "inactive_days": terms.inactive_account_days,
        "open_breaches": len(open_breaches),
        "late_breaches": sum(1 for b in open_breaches if b.is_late(now, hours)),
        "late_breach_decisions": sum(1 for b in recent_breaches if b.is_late(now, hours)),
        "breach_notify_hours": hours,
        "overdue_destruction_requests": _overdue_destruction_requests(today),
        "retention_backlog": len(backlog),
        # PR-8: past the term lawfully (a legal hold, a pending complaint), not left behind.
        "retention_kept": sum(1 for row in backlog if row["blockers"]),
    }


def _registry_standing(staff, today) -> dict:
    """GC-0.3, GC-4.4: how many active coaches may be given new clients, who may not and why,
    and who is not yet in the registry (no client content: the umbrella's own registry data)."""
    coaches = [u for u in staff if any(g.role == Role.COACH for g in u.role_grants.all())]  # prefetched
    profiles = {p.coach_id: p for p in CoachProfile.objects.filter(coach__in=coaches).prefetch_related("fees")}
    problems = sorted(((u.full_name, profiles[u.pk].problems(today)) for u in coaches if u.pk in profiles),
                      key=lambda row: row[0])
    return {"coaches": len(coaches), "good_standing": sum(1 for _name, found in problems if not found),
            "not_in_good_standing": [(name, found) for name, found in problems if found],
            "not_in_registry": sorted(u.full_name for u in coaches if u.pk not in profiles)}


def _overdue_destruction_requests(today):
    """GC-5.4 requests past their term, when the portal app (which records them) is installed."""
    try:
        from coachdossier.portal.models import ClientRequest
    except ImportError:
        return None
    qs = ClientRequest.objects.filter(kind="destruction", deadline__lt=today)
    return qs.open().count() if hasattr(qs, "open") else qs.filter(closed_at__isnull=True).count()


def month_bounds(month: datetime.date):
    start = timezone.make_aware(datetime.datetime(month.year, month.month, 1))
    nxt = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(datetime.datetime(nxt.year, nxt.month, 1))


def log_review(month: datetime.date) -> dict:
    """NEN 7513's regular review: what in this month's access log deserves a second look.

    Bulk access counts the different clients a person opened in a day: a dossier, an entry, a
    download, a report. A name in a list or search result (`access.LIST_ACTIONS`) is logged for
    every client shown, but is not counted, or a coach's client list would make every ordinary
    day look like bulk access; those entries stay in the log and in the other counts."""
    start, end = month_bounds(month)
    entries = (AccessLogEntry.objects.filter(at__gte=start, at__lt=end, actor__isnull=False)
               .exclude(role=Role.CLIENT).select_related("actor")
               .only("seq", "at", "action", "outcome", "basis", "client_ref", "actor__full_name", "role"))
    break_glass: list = []
    denied: Counter = Counter()
    odd: Counter = Counter()
    per_day: defaultdict[tuple, set] = defaultdict(set)
    exports: Counter = Counter()
    total = 0
    for e in entries.iterator(chunk_size=5000):
        total += 1
        name = e.actor.full_name
        local = timezone.localtime(e.at)
        if e.basis == Basis.BREAK_GLASS:
            break_glass.append((local, name, e.action))
        if e.outcome == Outcome.DENIED:
            denied[name] += 1  # tried to reach a client outside their caseload
        if local.hour >= ODD_HOURS[0] or local.hour < ODD_HOURS[1] or local.weekday() >= 5:
            odd[name] += 1
        if e.client_ref and e.outcome == Outcome.ALLOWED and e.action not in LIST_ACTIONS:
            per_day[(name, local.date())].add(e.client_ref)
        # Client data leaving the system: an export or download about a client. Viewing or listing
        # the hand-overs is no export, nor is a download of the audit reports (no client in them).
        if e.client_ref and ("export" in e.action or "download" in e.action):
            exports[name] += 1
    bulk = sorted((name, day, len(refs)) for (name, day), refs in per_day.items() if len(refs) >= BULK_THRESHOLD)
    return {"month": start.date(), "entries": total, "break_glass": break_glass,
            "outside_caseload": sorted(denied.items(), key=lambda kv: -kv[1]),
            "odd_hours": sorted(odd.items(), key=lambda kv: -kv[1]), "bulk": bulk,
            "exports": sorted(exports.items(), key=lambda kv: -kv[1]), "bulk_threshold": BULK_THRESHOLD}
