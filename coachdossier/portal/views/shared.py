"""Helpers the client's pages and the staff pages of the portal share: the client's own record
through the access policy, the identity check before a copy or a destruction request, and
the copy in its formats."""

import time

from allauth.account import app_settings as allauth_account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone, translation

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access
from coachdossier.portal import export

client_only = role_required(Role.CLIENT)


def recently_authenticated(request) -> bool:
    """Whether the last sign-in or re-authentication of this session is recent enough that
    `require_recent_authentication` lets the request through without asking the password."""
    records = get_authentication_records(request, request.user)
    return bool(records) and time.time() - records[-1]["at"] <= allauth_account_settings.REAUTHENTICATION_TIMEOUT


def require_recent_authentication(request):
    """Identity check before a destruction request or a copy (allauth's re-authentication):
    the last sign-in or re-authentication of this session must be recent, otherwise
    allauth asks for the password again and then resumes the request."""
    if not recently_authenticated(request):
        raise ReauthenticationRequired()


def own(request, action, **kwargs):
    """The signed-in client's own record, through the access policy."""
    record = getattr(request.user, "client_record", None) if request.user.is_authenticated else None
    if record is None:
        access.deny(request.user, action)
    return access.get_client_for(request, record.public_id, action, **kwargs)


def one_click(request, step, success: str, then: str):
    """One of the client's one-button steps (withdraw, answer a proposal): the action runs with
    the client as actor and the time now; a refusal is said in a message, as success is."""
    try:
        step(actor=request.user, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(then)


def _language():
    return (translation.get_language() or "nl")[:2]


def copy_payload(client, found, fmt):
    data = export.build_export(client, redacted=found.redacted_ids, now=timezone.now())
    if fmt == "json":
        return export.to_json(data), "application/json", "dossier.json"
    pdf_bytes = export.build_pdf(data, language=_language())
    if fmt == "pdf":
        return pdf_bytes, "application/pdf", "dossier.pdf"
    return export.build_zip(client, data, pdf_bytes), "application/zip", "dossier.zip"

