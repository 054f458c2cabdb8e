"""The report mails. None carries report content or the client's name (GC-6.3): a notice
and a link; the one-time code travels in a mail of its own."""

from django.urls import reverse

from coachdossier import policy
from coachdossier.accounts import outbox


def client_copy(report) -> None:
    """PR-6: the client learns a report is waiting for them in the portal."""
    user = report.client.user
    outbox.send("report-client-copy", [user.email], {
        "practice": policy.current().practice_name,
        "path": reverse("reports:review", args=[report.public_id]),
        "review_days": policy.current().report_review_working_days,
    }, client_ref=report.client.public_id)


def report_link(delivery, token: str):
    """Queued in the sending transaction (a sent report never lacks its link mail); the
    caller delivers it after the commit. Returns the outbox row."""
    return outbox.queue("report-link", [delivery.recipient["email"]], {
        "practice": policy.current().practice_name, "reference": delivery.report.reference,
        "path": reverse("reports:download", args=[token]), "expires_at": delivery.expires_at,
        "code_by_phone": delivery.code_channel == "phone",
    }, deliver_after_commit=False, client_ref=delivery.report.client.public_id)


def report_code(delivery, code: str):
    return outbox.queue("report-code", [delivery.recipient["email"]], {
        "practice": policy.current().practice_name, "reference": delivery.report.reference, "code": code,
    }, deliver_after_commit=False, client_ref=delivery.report.client.public_id)
