"""The outbox: every mail is stored (OutgoingMail), then sent. Emails carry a notice and a link,
never dossier content (GC-6.3); each app's emails.py has one function per email, rendered by
`lib.emails.render`, and sends after the commit that caused it (transaction.on_commit).

Every mail goes through the outbox (OutgoingMail): it is stored, then tried at
once; when the mail server cannot take it, it stays queued and `coachdossier
send_queued_mail` (also run by `run_daily`) retries it with backoff. The rule for callers:

- `send()` is for mail that something depends on. It returns when the mail went, and
  raises `MailNotSent` when it did not (the message stays queued). A caller that may only
  proceed once the mail went (reports: the client's copy before the report counts as
  delivered) catches the exception and does not proceed; when it retries, the queued message
  is sent, not a second copy.
- `send_or_queue()` is for notices nobody waits for: it never raises for a transport error,
  so a mail server that is down never turns a saved change into an error page; it returns
  whether the mail went now.
- `queue()` is for mail that is part of a change (a report's link, "your dossier was
  destroyed"): the outbox row is written in the change's own transaction and tried at once
  after the commit (`deliver_now`). A process killed between the commit and the attempt
  leaves the message queued, and `send_queued_mail` sends it; sent after commit with
  `transaction.on_commit` alone, it would be lost (a report counted as sent whose link never
  went; script/crashtest-server). Delivery is at least once: killed after the mail server
  took the message but before its row says so, it is sent again.

An app whose state depends on whether a queued mail went (a report delivery's "Mail failed")
registers a function in `OUTCOME_HOOKS` from its AppConfig.ready(); `deliver` calls it in the
transaction that records each attempt, so the app's row and the outbox row never disagree,
whichever attempt (the first, or a retry by `send_queued_mail`) settles it.

A mail to a client (their login or personal address) or delivering their report passes
`client_ref=` (the client's public id): destroying the dossier calls `forget_client`, which
deletes those rows, queued or sent, in the destruction's transaction (GC-5.4, PR-8).

Every message goes to one address (GC-6.3, AVG data minimisation): on a shared To: line each
recipient of a staff notice saw the others' addresses. `send_or_queue()` writes one message per
address it is given; `send()` and `queue()` return one message and take exactly one address.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coachdossier.lib.emails import render

from .models import MailStatus, OutgoingMail, User

log = logging.getLogger("coachdossier.mail")

# fn(*, mail, now): one attempt at `mail` was recorded (mail.status is SENT, still QUEUED after a
# failure, or FAILED when given up). Runs inside the transaction that saves the outcome.
OUTCOME_HOOKS: list = []


class MailNotSent(Exception):
    """The mail server did not take the message; it stays in the outbox for a retry."""

    def __init__(self, outbox_id: int, reason: str):
        super().__init__(f"mail {outbox_id} not sent: {reason}")
        self.outbox_id = outbox_id


def _store(name: str, to: list[str], subject: str, body: str, html: str, now, client_ref=None):
    """The outbox row for this message. If an identical message is still queued (a caller
    retrying after a failure), that one is reused, so the recipient gets it once."""
    if len(to) != 1:  # GC-6.3: recipients must not see each other's addresses
        raise ValueError(f"mail {name!r} needs exactly one recipient, got {len(to)}; see send_or_queue()")

    found = OutgoingMail.objects.filter(status=MailStatus.QUEUED, name=name, to=list(to), subject=subject,
                                        body=body, html=html).first()
    if found is not None:
        return found
    # The queue leaves a fresh message to this first attempt for a minute.
    return OutgoingMail.objects.create(name=name, to=list(to), from_email=settings.DEFAULT_FROM_EMAIL,
                                       subject=subject, body=body, html=html, created_at=now,
                                       next_attempt_at=now + datetime.timedelta(minutes=1), client_ref=client_ref)


def deliver(mail, now) -> bool:
    """One attempt to send an outbox message; records the outcome. True when it went."""
    message = EmailMultiAlternatives(mail.subject, mail.body, mail.from_email, mail.to)
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    mail.attempts += 1
    try:
        message.send()
    except Exception as exc:  # any transport error (SMTP, socket, TLS): keep it for a retry
        mail.last_error = f"{type(exc).__name__}: {exc}"[:255]
        if mail.attempts >= OutgoingMail.MAX_ATTEMPTS:
            mail.status = MailStatus.FAILED
            log.error("mail %s (outbox %s) given up after %d attempts: %s", mail.name, mail.pk, mail.attempts,
                      mail.last_error)
        else:
            mail.next_attempt_at = now + mail.backoff()
            log.warning("mail %s (outbox %s) not sent, attempt %d, next at %s: %s", mail.name, mail.pk,
                        mail.attempts, mail.next_attempt_at.isoformat(), mail.last_error)
        _record(mail, now, ["attempts", "last_error", "status", "next_attempt_at"])
        return False
    mail.status, mail.sent_at, mail.last_error = MailStatus.SENT, now, ""
    _record(mail, now, ["attempts", "last_error", "status", "sent_at"])
    log.info("mail %s sent to %d recipient(s)", mail.name, len(mail.to))
    return True


def _record(mail, now, fields: list[str]) -> None:
    """Save an attempt's outcome together with what depends on it (OUTCOME_HOOKS)."""
    with transaction.atomic():
        if not OutgoingMail.objects.filter(pk=mail.pk).update(**{name: getattr(mail, name) for name in fields}):
            return  # forgotten while it was being sent: its client's dossier was destroyed (forget_client)
        for fn in OUTCOME_HOOKS:
            fn(mail=mail, now=now)


def _language(to: list[str], language: str | None) -> str:
    """The language a message is written in: the one the caller gives (a complaint's letter
    notice goes in the complaint's language, an invitation in the one chosen for it), else the
    recipient's stored choice (User.language) when the address is an account's, else Dutch."""
    if language:
        return language
    return (User.objects.language_of(to[0]) if len(to) == 1 else None) or "nl"


def send(name: str, to: list[str], context: dict, language: str | None = None, *, client_ref=None) -> None:
    """Store the message in the outbox and send it now. Raises MailNotSent when the mail
    server did not take it (it stays queued); see the module docstring for the rule."""
    subject, body, html = render(name, context, _language(to, language))
    now = timezone.now()
    mail = _store(name, to, subject, body, html, now, client_ref)
    if not deliver(mail, now):
        raise MailNotSent(mail.pk, mail.last_error)


def send_or_queue(name: str, to: list[str], context: dict, language: str | None = None, *,
                  client_ref=None) -> bool:
    """Like send(), for notices nobody waits for, in one message per address (GC-6.3: the
    recipients need not see each other's addresses; each message is its own outbox row,
    retried on its own). A transport failure leaves a message queued for `send_queued_mail`
    and is not an error for the caller. Returns whether every message went now."""
    went = True
    for address in dict.fromkeys(to):  # each address once, in the order given
        try:
            send(name, [address], context, language, client_ref=client_ref)
        except MailNotSent:
            went = False
    return went


def queue(name: str, to: list[str], context: dict, language: str | None = None, *, deliver_after_commit=True,
          client_ref=None):
    """Store the message in the outbox inside the caller's transaction; unless the caller
    delivers it itself (`deliver_now`), try it once the transaction commits. Returns the row."""
    subject, body, html = render(name, context, _language(to, language))
    mail = _store(name, to, subject, body, html, timezone.now(), client_ref)
    if deliver_after_commit:
        mail_id = mail.pk
        transaction.on_commit(lambda: deliver_now(mail_id))
    return mail


def deliver_now(mail_id: int, now=None) -> bool:
    """Try a queued message at once (after the commit that queued it). True when it went,
    now or before; a failure leaves it queued for `send_queued`."""
    now = now or timezone.now()
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    if mail is None or mail.status != MailStatus.QUEUED:
        return mail is not None and mail.status == MailStatus.SENT
    # Claim it as send_queued does: a queue run that got there first leaves it alone.
    if not OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.QUEUED, attempts=mail.attempts).update(
            next_attempt_at=now + datetime.timedelta(minutes=5)):
        return False
    return deliver(mail, now)


def send_queued(now, *, limit: int = 200) -> str | None:
    """Retry the queued messages whose time has come (`coachdossier send_queued_mail`, and a
    step of `run_daily`), and forget sent and given-up ones after 30 days. Returns what it did,
    or None."""
    sent = failed = 0
    for mail in list(OutgoingMail.objects.due(now).order_by("next_attempt_at")[:limit]):
        # Claim it: a concurrent run (or send()) that got there first leaves it alone.
        claimed = OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.QUEUED, attempts=mail.attempts).update(
            next_attempt_at=now + datetime.timedelta(minutes=5))
        if not claimed:
            continue
        if deliver(mail, now):
            sent += 1
        else:
            failed += 1
    # GC-5.4: the outbox holds recipients' addresses in plain text; a message given up (after
    # about two days of trying, logged as an error then) goes the same month's way as a sent one.
    month_ago = now - datetime.timedelta(days=30)
    forgotten, _ = OutgoingMail.objects.filter(Q(status=MailStatus.SENT, sent_at__lt=month_ago)
                                               | Q(status=MailStatus.FAILED, created_at__lt=month_ago)).delete()
    if not (sent or failed or forgotten):
        return None
    return f"{sent} sent, {failed} still not sent, {forgotten} old message(s) forgotten"


def forget_client(*, client_ref, addresses=()) -> int:
    """GC-5.4, PR-8: a destroyed client's mail leaves the outbox, in the destruction's
    transaction: queued mail must not go any more, and sent mail would keep their address
    for the outbox's 30 days. Rows linked to the client (`client_ref`) are deleted. A row
    without a link (written before there was one, or by a mail function that does not know
    the client) loses the client's `addresses`, read before their personal data was wiped,
    and is deleted when no recipient is left. Returns how many rows went or changed."""
    changed = OutgoingMail.objects.filter(client_ref=client_ref).delete()[1].get("accounts.OutgoingMail", 0)
    wanted = {address.strip().casefold() for address in addresses if address and address.strip()}
    if not wanted:
        return changed
    for pk, to in list(OutgoingMail.objects.filter(client_ref__isnull=True).values_list("pk", "to")):
        kept = [address for address in to if str(address).strip().casefold() not in wanted]
        if len(kept) == len(to):
            continue
        if kept:
            OutgoingMail.objects.filter(pk=pk).update(to=kept)
        else:
            OutgoingMail.objects.filter(pk=pk).delete()
        changed += 1
    return changed

