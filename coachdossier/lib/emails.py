"""One function per email. Emails carry a notice and a link, never dossier content (GC-6.3).

Templates: templates/emails/<name>-subject.txt and <name>-body.txt (and optionally
-body.html). Every function takes ids, loads what it needs, and sends after the commit
that caused it (callers use transaction.on_commit)."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.template import TemplateDoesNotExist
from django.utils import translation

log = logging.getLogger("coachdossier.mail")


def send(name: str, to: list[str], context: dict, language: str = "nl") -> None:
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        body = render_to_string(f"emails/{name}-body.txt", context)
        try:
            html = render_to_string(f"emails/{name}-body.html", context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    log.info("mail %s sent to %d recipient(s)", name, len(to))


def break_glass_used(*, glass_id: int) -> None:
    """Management learns that emergency access happened; the reason stays in the system."""
    from coachdossier.accounts.models import Role, User
    from coachdossier.clients.models import BreakGlass

    glass = BreakGlass.objects.select_related("user", "client").get(pk=glass_id)
    recipients = list(User.objects.filter(role_grants__role=Role.MANAGEMENT, is_active=True)
                      .values_list("email", flat=True))
    if recipients:
        send("break-glass", recipients, {"user_name": glass.user.full_name, "reference": glass.client.reference,
                                         "at": glass.started_at})
