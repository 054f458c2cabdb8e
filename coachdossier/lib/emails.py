"""Rendering an email from its templates: templates/emails/<name>-subject.txt and
<name>-body.txt (and optionally -body.html), in the recipient's language. Storing and sending
is the outbox's job (accounts.outbox); each app's emails.py has one function per email."""

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def render(name: str, context: dict, language: str) -> tuple[str, str, str]:
    """(subject, plain-text body, HTML body or "") of email `name`."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        body = render_to_string(f"emails/{name}-body.txt", context)
        html: str
        try:
            html = render_to_string(f"emails/{name}-body.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject, body, html

