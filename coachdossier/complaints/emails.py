"""The complaints emails. Never content (GC-6.3): a notice and a link to log in; the only
attachment is the complaints procedure itself, which is no dossier content (KR-3.1)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from coachdossier import policy
from coachdossier.accounts import outbox
from coachdossier.accounts.models import Role, User

from . import letters


def complaint_received(*, complaint_id: int) -> None:
    """The complaints officers learn a complaint came in (KR-3.2: register within 5 working days),
    each officer who is not involved in it (KR-3.3b). When every officer is, management is told
    that nobody else can take it."""
    from .models import Complaint

    complaint = Complaint.objects.get(pk=complaint_id)
    officers = [officer.email for officer in complaint.impartial_officers()]
    outbox.send_or_queue("complaint-received", officers or User.objects.addresses_of(Role.MANAGEMENT), {
        "url": reverse("complaints:detail", args=[complaint.public_id]), "received_on": complaint.received_on,
        "no_officer": not officers})


def letter_notice(*, letter_id: int) -> None:
    """A letter is ready in the portal: the complainant gets a notice with the link, the
    letter itself stays behind the login (GC-6.3), in the letter's language (the
    complainant's). Complainants without a portal account get the letter by post; the
    register shows it was not emailed."""
    from .models import Letter

    letter = Letter.objects.select_related("complaint__client__user", "complaint__complainant_user").get(pk=letter_id)
    complaint = letter.complaint
    account = complaint.complainant_user or (complaint.client.user if complaint.client is not None else None)
    if account is None or not account.is_active:
        return
    # The client's own account: the notice goes with their dossier (GC-5.4); the complaint stays.
    client = complaint.client if complaint.client is not None and complaint.client.user_id == account.pk else None
    # Marked emailed only when the notice went now; a queued notice may still arrive later.
    if outbox.send_or_queue("complaint-letter", [account.email],
                            {"url": reverse("complaints:mine", args=[complaint.public_id]), "number": complaint.number},
                            letter.language, client_ref=client.public_id if client else None):
        type(letter).objects.filter(pk=letter.pk).update(emailed=True)


def reminder(*, to: list[str], complaint, clock, no_officer=False) -> None:
    """`no_officer`: `to` is management, because every complaints officer is involved (KR-3.3b)."""
    outbox.send_or_queue("complaint-reminder", to, {
        # The label itself, not str() of it: translated when the mail is rendered, in its language.
        "number": complaint.number or "—", "clock": clock.label, "rule": clock.rule, "due": clock.due,
        "url": reverse("complaints:detail", args=[complaint.public_id]), "no_officer": no_officer})


def procedure(*, to: str, pdf: bytes, language: str = "nl") -> None:
    """KR-3.1: the complaints procedure, `pdf` rendered in `language` like the mail."""
    context = {"site_url": settings.SITE_URL, "practice": policy.current().practice_name,
               "contact": policy.current().complaints_contact}
    with translation.override(language):
        subject = " ".join(render_to_string("emails/complaints-procedure-subject.txt", context).split())
        body = render_to_string("emails/complaints-procedure-body.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach(letters.procedure_filename(language), pdf, "application/pdf")
    message.send()
