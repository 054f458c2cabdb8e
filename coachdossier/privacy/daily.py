"""The daily job (`coachdossier run_daily`): every step is idempotent, so running it twice a
day, or again after a failure, does no harm. Each step returns lines saying what it did (or,
with dry_run, what it would do)."""

import fcntl
import logging
from contextlib import contextmanager
from importlib import import_module

from django.conf import settings
from django.db import connection
from django.utils import timezone

from coachdossier import policy
from coachdossier.audit.log import verify as verify_access_log
from coachdossier.clients import actions as client_actions

from . import actions, checkpoints, erasure
from .models import Checkpoint, LogVerification

log = logging.getLogger("coachdossier.privacy")

# Other apps' daily work, called when the app provides it: (module, function).
OTHER_APPS = [
    ("coachdossier.portal.actions", "send_due_reminders"),
    ("coachdossier.complaints.actions", "send_deadline_reminders"),
    ("coachdossier.reports.actions", "retry_client_notices"),  # PR-6: a notice that did not go yet
    ("coachdossier.accounts.outbox", "send_queued"),  # the outbox: mail the mail server refused earlier
]


def _other(module_name, function):
    def step(now, dry_run):
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if not (exc.name and (module_name == exc.name or module_name.startswith(exc.name + "."))):
                raise  # a missing import *inside* the app's module is a real error
            return []
        fn = getattr(module, function, None)
        if fn is None:
            return []
        if dry_run:
            return [f"would call {module_name}.{function}"]
        result = fn(now)
        return [f"{module_name}.{function}: {result}"] if result not in (None, [], 0) else []

    step.__name__ = f"{module_name}.{function}"
    return step


def retention_notices(now, dry_run):
    return actions.notify_retention(now=now, dry_run=dry_run)


def retention_destruction(now, dry_run):
    return actions.destroy_expired(now=now, dry_run=dry_run)


def orphan_keys(now, dry_run):
    if dry_run:
        return ["would remove data keys of destroyed clients"]
    count = client_actions.purge_orphan_keys()
    return [f"removed {count} orphaned data key(s)"] if count else []


def orphan_files(now, dry_run):
    return actions.purge_orphan_files(now=now, dry_run=dry_run)


def erasure_registry(now, dry_run):
    if dry_run:
        return []
    count = erasure.sync()
    return [f"erasure registry: {count} destruction(s) added"] if count else []


def insurance_reminders(now, dry_run):
    return actions.send_insurance_reminders(now=now, dry_run=dry_run)


def breach_reminders(now, dry_run):
    return actions.send_breach_reminders(now=now, dry_run=dry_run)


def log_review(now, dry_run):
    return actions.announce_log_review(now=now, dry_run=dry_run)


def access_log_retention(now, dry_run):
    """LAW-30, AVG art. 5(1)(e): entries older than the log's term (`access_log_retention_years`,
    NEN 7513's minimum) go, so the processing register can state a maximum that holds; by hand
    only, the log kept everything until someone ran `prune_access_log`."""
    from coachdossier.audit.management.commands.prune_access_log import prune

    years = policy.current().access_log_retention_years
    if dry_run:
        return [f"would remove access-log entries older than {years} years"]
    count = prune(now=now)
    return [f"removed {count} access-log entries older than {years} years"] if count else []


def access_log(now, dry_run):
    """GC-6.6: verify the chain, keep the result, and sign a checkpoint of the head."""
    if dry_run:
        return ["would verify the access log and sign a checkpoint"]
    result = verify_access_log()
    LogVerification.objects.create(at=now, ok=result.ok, checked=result.checked, problem=result.problem)
    if not result.ok:
        # A failure of the job, not a line among others: run_daily exits 1, so the timer's
        # unit fails and whoever watches it hears of it (it exited 0 before, LAW-NEN7513).
        return [f"FAILED: access_log: the access log is BROKEN at entry #{result.first_bad_seq}: {result.problem} "
                f"({result.checked} entries verified before it); no checkpoint signed"]
    lines = [f"access log OK ({result.checked} entries)"]
    checkpoint = checkpoints.sign_checkpoint(now=now)
    if checkpoint:
        lines.append(f"signed checkpoint at #{checkpoint.size}")
    return lines


STEPS = [retention_notices, retention_destruction, orphan_keys, orphan_files, erasure_registry, insurance_reminders,
         breach_reminders, *[_other(m, f) for m, f in OTHER_APPS], log_review, access_log_retention, access_log]


# pg_try_advisory_lock key of the daily job: any constant, the same on every app server.
LOCK_KEY = 7_513_000_001


@contextmanager
def single_run():
    """Yields True when this process may do the daily work and False while another holds it,
    so that two app servers whose timers fire together do not both send the reminders. On
    PostgreSQL a session advisory lock (shared by every host using the database; released
    if the process dies); on SQLite, which lives on one machine, a lock file next to it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            got = cursor.fetchone()[0]
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    with open(settings.LOCAL_STATE_DIR / "run_daily.lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def refusal(now) -> str | None:
    """Why the daily job may not run as of `now`: a time before its last signed checkpoint. The
    checkpoint says what the log held at its moment; a run "earlier" would sign one dated before
    it covering more, and would judge retention and deadlines by a clock that went back. None
    when `now` is at or after it."""
    last = Checkpoint.objects.order_by("-at").first()
    if last is None or now >= last.at:
        return None
    at = timezone.localtime(last.at).isoformat()
    return (f"--now {now.isoformat()} is before the daily job's last checkpoint ({at}, #{last.size}): nothing "
            "was run; to run it as of that time on purpose, add --rerun")


def run(*, now=None, dry_run=False) -> list[str]:
    now = now or timezone.now()
    lines = []
    for step in STEPS:
        try:
            lines += step(now, dry_run)
        except Exception:  # one failing step must not stop the others (and is reported)
            log.exception("daily step %s failed", step.__name__)
            lines.append(f"FAILED: {step.__name__} (see the log)")
    return lines
