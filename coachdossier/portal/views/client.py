"""The client portal: the client's own pages, and the public invitation and export schema.
The client reaches only their own record, through the access policy like everybody else:
`access.get_client_for(request, <their client id>, action)` (see `shared.own`)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier.clients import access
from coachdossier.clients.actions import read_attachment
from coachdossier.clients.forms import OneTimeTokenField, apply_errors
from coachdossier.clients.models import Attachment, Consent, DossierEntry, EntryKind
from coachdossier.lib.idempotency import Once
from coachdossier.portal import accesslog, actions, export
from coachdossier.portal.forms import (
    PERSONAL_FIELD_LABELS,
    CommunicationForm,
    ConsentGrantForm,
    CorrectionForm,
    DestructionForm,
    MessageForm,
    SetPasswordForm,
    StatementForm,
)
from coachdossier.portal.models import (
    CommunicationAgreement,
    ConsentProposal,
    Direction,
    EmailContent,
    Message,
    RequestKind,
    RequestStatus,
)

from .shared import client_only, copy_payload, one_click, own, recently_authenticated, require_recent_authentication

# --- Invitation (public) -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def accept(request, token):
    now = timezone.now()
    invitation = actions.invitation_for(token, now)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and invitation is not None and form.is_valid():
        try:
            actions.accept_invitation(token=token, password=form.cleaned_data["password1"], now=now)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your password is set. Log in with your email address and the new password."))
            return redirect("account_login")
    if invitation is None:
        if request.method == "POST":
            try:
                actions.accept_invitation(token=token, password="", now=now)  # logs the attempt
            except ValidationError:
                pass
        return render(request, "portal/invitation_invalid.html", status=410)
    return render(request, "portal/accept.html", {"form": form, "expires_at": invitation.expires_at})


@require_GET
def schema(request):
    """LAW-20: the published JSON Schema of the export, public."""
    response = JsonResponse(export.schema(), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/schema+json"
    return response


# --- The client's pages --------------------------------------------------------------------


def _sections(request, client, grant):
    from coachdossier.accounts.dashboard import collect_from_apps

    return collect_from_apps("portal_sections", "sections", request, client, grant)


@require_GET
@client_only
def home(request):
    client, grant = own(request, "client.see")
    return render(request, "portal/home.html", {
        "client": client,
        "trajectory": client.current_trajectory,
        "open_requests": list(client.requests.open()),
        "unread": Message.objects.filter(client=client, direction=Direction.TO_CLIENT, read_at__isnull=True).count(),
        "sections": _sections(request, client, grant),
    })


@require_GET
@client_only
def dossier(request):
    """GC-5.1: the whole dossier as the coach sees it, in plain language."""
    client, grant = own(request, "dossier.read")
    entries = list(client.entries.filter(deleted_at__isnull=True).select_related("created_by")
                   .prefetch_related("versions__author", "attachments"))
    trajectories = list(client.trajectories.select_related("principal", "coach").prefetch_related("goals__author"))
    return render(request, "portal/dossier.html", {
        "client": client, "personal": client.personal, "trajectories": trajectories, "entries": entries,
        "consents": list(client.consents.select_related("substitute")),
    })


@require_GET
@client_only
def attachment(request, attachment_id):
    return attachment_download(request, attachment_id)


def attachment_download(request, attachment_id):
    """An attachment of the signed-in client's own dossier, logged; the page and the API answer
    with this."""
    client, grant = own(request, "dossier.read", log=False)
    found = (Attachment.objects.filter(public_id=attachment_id, entry__client=client, entry__deleted_at__isnull=True)
             .select_related("entry__client").first())
    if found is None:
        access.deny(request.user, "attachment.download", client_ref=client.public_id)
    access.log_access(client, grant, "attachment.download", obj=found)
    from urllib.parse import quote

    response = HttpResponse(read_attachment(found), content_type=found.content_type)
    response["Content-Disposition"] = (f'attachment; filename="{found.public_id}"; '
                                       f"filename*=UTF-8''{quote(found.filename, safe='')}")
    return response


@require_GET
@client_only
def copy(request):
    client, grant = own(request, "requests.own")
    copies = list(client.requests.filter(kind=RequestKind.COPY))
    # One copy at a time (file_request refuses a second): while one is open, the page says what it waits for.
    pending = next((r for r in copies if r.is_open), None)
    # The notice about the password only when the request will really ask for it.
    return render(request, "portal/copy.html", {"client": client, "copies": copies, "pending": pending,
                                                "asks_password": not recently_authenticated(request)})


@require_POST
@client_only
def copy_request(request):
    """GC-5.1, LAW-15: one click. Released at once unless entries concern other people."""
    require_recent_authentication(request)
    client, grant = own(request, "requests.own", log=False)
    try:
        found = actions.file_request(actor=request.user, client=client, kind=RequestKind.COPY, now=timezone.now(),
                                     grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:copy")
    if found.status == RequestStatus.DONE:
        messages.success(request, _("Your copy is ready. Download it below."))
    else:
        messages.info(request, _("Your request is received. Your coach first checks whether parts concern other "
                                 "people; you will get an email when the copy is ready."))
    return redirect("portal:copy")


@require_GET
@client_only
def copy_download(request, request_id, fmt):
    client, grant = own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id, kind=RequestKind.COPY, status=RequestStatus.DONE).first()
    if found is None or fmt not in ("pdf", "json", "zip"):
        access.deny(request.user, "copy.download", client_ref=client.public_id)
    require_recent_authentication(request)
    access.log_access(client, grant, "copy.download", obj=found)
    body, content_type, name = copy_payload(client, found, fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{client.reference}-{name}"'
    return response


@require_GET
@client_only
def requests(request):
    client, grant = own(request, "requests.own")
    found = list(client.requests.prefetch_related("events", "entry__versions").select_related("entry__client"))
    # GC-5.3: a correction says which of her data it corrects, in her words ("Town", not "city").
    labels = dict(PERSONAL_FIELD_LABELS)
    for r in found:
        r.field_label = labels.get(r.details.get("field", ""), "")
    return render(request, "portal/requests.html", {"client": client, "requests": found,
                                                    "today": timezone.localdate()})


@require_POST
@client_only
def request_withdraw(request, request_id):
    """GC-1.3: the client withdraws an open request (the page asks first)."""
    client, grant = own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id).select_related("client").first()
    if found is None:
        access.deny(request.user, "request.withdraw", client_ref=client.public_id)
    return one_click(request, partial(actions.withdraw_request, request=found, grant=grant),
                      _("Your request has been withdrawn. Nothing will be done with it."), "portal:requests")


def _entry_of(client, entry_id):
    if not entry_id:
        return None
    try:
        return DossierEntry.objects.filter(client=client, public_id=entry_id, deleted_at__isnull=True) \
            .prefetch_related("versions").first()
    except ValidationError:
        return None


@require_http_methods(["GET", "POST"])
@client_only
def correction_new(request):
    """GC-5.3: a correction of personal data or of a fact. A finding or conclusion is
    explained and the client is offered a statement instead."""
    if request.method == "POST":
        require_recent_authentication(request)
    client, grant = own(request, "requests.own", log=False)
    entry_id = request.POST.get("entry") or request.GET.get("entry")
    entry = _entry_of(client, entry_id)
    if entry_id and entry is None:
        access.deny(request.user, "request.correction", client_ref=client.public_id)
    initial = {"entry": entry_id or ""}
    if entry is not None:
        initial["proposed"] = entry.current.content.get("text", "")
    form = CorrectionForm(request.POST or None, initial=initial, entry=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.file_request(actor=request.user, client=client, kind=RequestKind.CORRECTION, now=timezone.now(),
                                 grant=grant, entry=entry, field=data.get("field", ""),
                                 proposed=data["proposed"], reason=data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your correction request is received. Your coach decides within a month."))
            return redirect("portal:requests")
    return render(request, "portal/correction_form.html", {"client": client, "form": form, "entry": entry,
                                                           "correctable": entry is None or entry.is_correctable})


@require_http_methods(["GET", "POST"])
@client_only
def destruction_new(request):
    """GC-5.4: a written request to destroy the dossier; re-authentication is required."""
    if request.method == "POST":
        require_recent_authentication(request)
    client, grant = own(request, "requests.own", log=False)
    form = DestructionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.file_request(actor=request.user, client=client, kind=RequestKind.DESTRUCTION, now=timezone.now(),
                                 grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your request is received. The dossier will be destroyed within 4 weeks, "
                                        "unless the law obliges us to keep it; you will be told either way."))
            return redirect("portal:requests")
    pending = client.requests.open().filter(kind=RequestKind.DESTRUCTION).first()
    return render(request, "portal/destruction_form.html", {"client": client, "form": form, "pending": pending,
                                                            "asks_password": not recently_authenticated(request)})


@require_http_methods(["GET", "POST"])
@client_only
def statement_new(request):
    client, grant = own(request, "dossier.statement", log=False)
    form = StatementForm(request.POST or None, initial={"idempotency_key": OneTimeTokenField.new()})
    if request.method == "POST" and form.is_valid():
        try:
            _entry, outcome = actions.add_statement(actor=request.user, client=client, now=timezone.now(),
                                                    grant=grant, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if outcome is Once.CONFLICT:
                messages.warning(request, _("Your statement had already been added when you sent the form again; "
                                            "the changes in your second submission were not saved. You can add "
                                            "another statement."))
            else:
                messages.success(request, _("Your statement has been added to your dossier."))
            return redirect("portal:dossier")
    return render(request, "portal/statement_form.html", {"client": client, "form": form})


def statement_of(client, entry_id):
    """One of the client's own statements, or None; the page and the API look it up so."""
    return (DossierEntry.objects.filter(client=client, public_id=entry_id, kind=EntryKind.CLIENT_STATEMENT,
                                        deleted_at__isnull=True).select_related("client")
            .prefetch_related("versions").first())


@require_http_methods(["GET", "POST"])
@client_only
def statement_withdraw(request, entry_id):
    """GC-5.3: the client withdraws a statement she added; the page says first what that does."""
    client, grant = own(request, "dossier.statement", log=False)
    entry = statement_of(client, entry_id)
    if entry is None:
        access.deny(request.user, "entry.withdraw_statement", client_ref=client.public_id)
    if request.method == "POST":
        return one_click(request, partial(actions.withdraw_statement, entry=entry, grant=grant),
                         _("Your statement has been withdrawn. Your coach sees that you withdrew it, not what it "
                           "said."), "portal:dossier")
    access.log_access(client, grant, "entry.read", obj=entry)
    return render(request, "portal/statement_withdraw.html", {"client": client, "entry": entry})


@require_http_methods(["GET", "POST"])
@client_only
def consents(request):
    """GC-1.3, GC-6.4: every consent, grant a new one, withdraw any at once."""
    client, grant = own(request, "consent.own", log=request.method == "GET")
    form = ConsentGrantForm(request.POST or None, client=client, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.grant_consent(actor=request.user, client=client, now=timezone.now(), grant=grant,
                                  **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your consent has been recorded. You can withdraw it at any time."))
            return redirect("portal:consents")
    return render(request, "portal/consents.html", {
        "client": client, "form": form, "consents": list(client.consents.select_related("substitute")),
        "proposals": list(client.consent_proposals.open().select_related("substitute", "proposed_by")),
        "today": timezone.localdate()})


@require_POST
@client_only
def proposal_decide(request, proposal_id, decision):
    """GC-2.5: the client agrees to (or declines) a substitute coach the coach proposed."""
    client, grant = own(request, "consent.own", log=False)
    proposal = ConsentProposal.objects.filter(client=client, public_id=proposal_id).select_related("client").first()
    if proposal is None or decision not in ("accept", "decline"):
        access.deny(request.user, "consent.own", client_ref=client.public_id)
    return one_click(request, partial(actions.decide_proposal, proposal=proposal, accept=decision == "accept",
                                       grant=grant), _("Your answer has been recorded."), "portal:consents")


@require_POST
@client_only
def consent_withdraw(request, consent_id):
    client, grant = own(request, "consent.own", log=False)
    consent = Consent.objects.filter(client=client, public_id=consent_id).select_related("client").first()
    if consent is None:
        access.deny(request.user, "consent.withdraw", client_ref=client.public_id)
    return one_click(request, partial(actions.withdraw_own_consent, consent=consent, grant=grant),
                      _("The consent has been withdrawn. It no longer gives anyone access."), "portal:consents")


@require_http_methods(["GET", "POST"])
@client_only
def messages_view(request):
    client, grant = own(request, "messages.read", log=request.method == "GET")
    about = _entry_of(client, request.POST.get("about") or request.GET.get("about"))
    form = MessageForm(request.POST or None, initial={"about": about.public_id if about else ""})
    if request.method == "POST":
        client, grant = own(request, "messages.write", log=False)
        if form.is_valid():
            try:
                actions.send_message(actor=request.user, client=client, text=form.cleaned_data["text"],
                                     now=timezone.now(), grant=grant, about=about)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your message has been sent to your coach."))
                return redirect("portal:messages")
    actions.mark_read(client=client, direction=Direction.TO_CLIENT, now=timezone.now())
    thread = list(Message.objects.filter(client=client).select_related("sender", "about"))
    return render(request, "portal/messages.html", {"client": client, "form": form, "thread": thread,
                                                    "about": about})


@require_http_methods(["GET", "POST"])
@client_only
def communication(request):
    """GC-6.3: the communication agreement."""
    client, grant = own(request, "communication.own", log=False)
    current = CommunicationAgreement.objects.filter(client=client).first()
    initial = {"by_email": True, "by_phone": True, "by_letter": True, "email_content": EmailContent.NOTICE_ONLY}
    if current:
        initial = {k: getattr(current, k) for k in initial}
    form = CommunicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_communication_agreement(actor=request.user, client=client, now=timezone.now(), grant=grant,
                                                **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your choices have been saved."))
            return redirect("portal:home")
    return render(request, "portal/communication.html", {"client": client, "form": form, "current": current})


@require_GET
@client_only
def access_log(request):
    """LAW-NEN7513: who looked at my file, in plain language. Looking is logged too."""
    client, grant = own(request, "access_log.read")
    # Her own visits are left out unless she asks: every page she opens is logged, and they
    # crowded out who else looked. LAW-NEN7513, AVG art. 15: every line the log keeps can be
    # reached, a page at a time, at the same number of queries on every page.
    mine = request.GET.get("mine") == "1"
    page = Paginator(accesslog.entries_for(client, others_only=not mine), 50).get_page(request.GET.get("page"))
    page.object_list = list(map(accesslog.describer(client), page.object_list))
    return render(request, "portal/access_log.html", {"client": client, "page": page, "mine": mine,
                                                      "extra_query": "mine=1" if mine else ""})

