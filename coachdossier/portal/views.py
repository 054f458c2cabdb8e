"""The client portal (the client's own pages) and the staff side of invitations, requests and
messages. The client reaches only their own record, through the access policy like
everybody else: `access.get_client_for(request, <their client id>, action)`."""

import time
from functools import partial

from allauth.account import app_settings as allauth_account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access
from coachdossier.clients.actions import read_attachment
from coachdossier.clients.forms import OneTimeTokenField, apply_errors
from coachdossier.clients.models import Attachment, Client, Consent, DossierEntry
from coachdossier.lib.idempotency import Once

from . import accesslog, actions, export
from .forms import (
    CommunicationForm,
    ConsentGrantForm,
    CorrectionForm,
    DecideCorrectionForm,
    DestroyForm,
    DestructionForm,
    LetterRequestForm,
    MessageForm,
    ProposalForm,
    ReleaseCopyForm,
    SetPasswordForm,
    StatementForm,
)
from .models import (
    ClientRequest,
    CommunicationAgreement,
    ConsentProposal,
    Direction,
    EmailContent,
    Invitation,
    Message,
    RequestChannel,
    RequestKind,
    RequestStatus,
)

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


def _own(request, action, **kwargs):
    """The signed-in client's own record, through the access policy."""
    record = getattr(request.user, "client_record", None) if request.user.is_authenticated else None
    if record is None:
        access.deny(request.user, action)
    return access.get_client_for(request, record.public_id, action, **kwargs)


def _one_click(request, step, success: str, then: str):
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
    client, grant = _own(request, "client.see")
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
    client, grant = _own(request, "dossier.read")
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
    client, grant = _own(request, "dossier.read", log=False)
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
    client, grant = _own(request, "requests.own")
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
    client, grant = _own(request, "requests.own", log=False)
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


def _copy_payload(client, found, fmt):
    data = export.build_export(client, redacted=found.redacted_ids, now=timezone.now())
    if fmt == "json":
        return export.to_json(data), "application/json", "dossier.json"
    pdf_bytes = export.build_pdf(data, language=_language())
    if fmt == "pdf":
        return pdf_bytes, "application/pdf", "dossier.pdf"
    return export.build_zip(client, data, pdf_bytes), "application/zip", "dossier.zip"


@require_GET
@client_only
def copy_download(request, request_id, fmt):
    client, grant = _own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id, kind=RequestKind.COPY, status=RequestStatus.DONE).first()
    if found is None or fmt not in ("pdf", "json", "zip"):
        access.deny(request.user, "copy.download", client_ref=client.public_id)
    require_recent_authentication(request)
    access.log_access(client, grant, "copy.download", obj=found)
    body, content_type, name = _copy_payload(client, found, fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{client.reference}-{name}"'
    return response


@require_GET
@client_only
def requests(request):
    client, grant = _own(request, "requests.own")
    found = list(client.requests.prefetch_related("events").select_related("entry"))
    return render(request, "portal/requests.html", {"client": client, "requests": found,
                                                    "today": timezone.localdate()})


@require_POST
@client_only
def request_withdraw(request, request_id):
    """GC-1.3: the client withdraws an open request (the page asks first)."""
    client, grant = _own(request, "requests.own", log=False)
    found = client.requests.filter(public_id=request_id).select_related("client").first()
    if found is None:
        access.deny(request.user, "request.withdraw", client_ref=client.public_id)
    return _one_click(request, partial(actions.withdraw_request, request=found, grant=grant),
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
    client, grant = _own(request, "requests.own", log=False)
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
    client, grant = _own(request, "requests.own", log=False)
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
    client, grant = _own(request, "dossier.statement", log=False)
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


@require_http_methods(["GET", "POST"])
@client_only
def consents(request):
    """GC-1.3, GC-6.4: every consent, grant a new one, withdraw any at once."""
    client, grant = _own(request, "consent.own", log=request.method == "GET")
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
    client, grant = _own(request, "consent.own", log=False)
    proposal = ConsentProposal.objects.filter(client=client, public_id=proposal_id).select_related("client").first()
    if proposal is None or decision not in ("accept", "decline"):
        access.deny(request.user, "consent.own", client_ref=client.public_id)
    return _one_click(request, partial(actions.decide_proposal, proposal=proposal, accept=decision == "accept",
                                       grant=grant), _("Your answer has been recorded."), "portal:consents")


@require_POST
@client_only
def consent_withdraw(request, consent_id):
    client, grant = _own(request, "consent.own", log=False)
    consent = Consent.objects.filter(client=client, public_id=consent_id).select_related("client").first()
    if consent is None:
        access.deny(request.user, "consent.withdraw", client_ref=client.public_id)
    return _one_click(request, partial(actions.withdraw_own_consent, consent=consent, grant=grant),
                      _("The consent has been withdrawn. It no longer gives anyone access."), "portal:consents")


@require_http_methods(["GET", "POST"])
@client_only
def messages_view(request):
    client, grant = _own(request, "messages.read", log=request.method == "GET")
    about = _entry_of(client, request.POST.get("about") or request.GET.get("about"))
    form = MessageForm(request.POST or None, initial={"about": about.public_id if about else ""})
    if request.method == "POST":
        client, grant = _own(request, "messages.write", log=False)
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
    client, grant = _own(request, "communication.own", log=False)
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
    client, grant = _own(request, "access_log.read")
    # Her own visits are left out unless she asks: every page she opens is logged, and within
    # the newest 1,000 lines they crowded out (and then cut off) who else looked.
    mine = request.GET.get("mine") == "1"
    lines = accesslog.lines_for(client, limit=1000, others_only=not mine)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    return render(request, "portal/access_log.html", {"client": client, "page": page, "mine": mine,
                                                      "extra_query": "mine=1" if mine else ""})


# --- Staff ---------------------------------------------------------------------------------


@require_POST
@role_required(Role.COACH, Role.MANAGEMENT)
def invite(request, client_id):
    client, grant = access.get_client_for(request, client_id, "portal.invite", log=False)
    try:
        actions.invite_client(actor=request.user, client=client, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation has been sent. Earlier links no longer work."))
    if grant.basis == access.M:
        return redirect("portal:manage_client", client.public_id)
    return redirect("clients:tab", client.public_id, "portal")


@require_GET
@role_required(Role.MANAGEMENT)
def manage_client(request, client_id):
    """Management's view of a client's portal: the account, a pending invitation and the
    requests with their dates and deadlines, without dossier content (PR-7)."""
    client, grant = access.get_client_for(request, client_id, "requests.handle", log_action="client.see")
    now = timezone.now()
    user = client.user
    return render(request, "portal/manage_client.html", {
        "client": client, "today": timezone.localdate(now),
        "has_account": bool(user and user.is_active and user.has_usable_password()),
        "pending": Invitation.objects.pending(now).filter(client=client).first(),
        "requests": list(client.requests.all()),
    })


@require_POST
@role_required(Role.COACH)
def coach_message(request, client_id):
    client, grant = access.get_client_for(request, client_id, "messages.write", log=False)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.send_message(actor=request.user, client=client, text=form.cleaned_data["text"],
                                 now=timezone.now(), grant=grant)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your message has been sent. The client gets an email notice."))
    else:
        messages.error(request, _("Write your message."))
    return redirect("clients:tab", client.public_id, "portal")


@require_POST
@role_required(Role.COACH)
def propose_consent(request, client_id):
    client, grant = access.get_client_for(request, client_id, "consent.manage", log=False)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("clients:tab", client.public_id, "portal")
    try:
        actions.propose_substitute(actor=request.user, client=client, now=timezone.now(), grant=grant,
                                   **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The proposal is in the client's portal; the client decides."))
    return redirect("clients:tab", client.public_id, "portal")


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH, Role.MANAGEMENT)
def letter_request(request, client_id):
    """A request that came by letter: staff record the identity check and attach the scan."""
    client, grant = access.get_client_for(request, client_id, "requests.handle", log=False)
    facts = []
    if grant.basis in (access.C, access.S):  # management does not see entries (PR-7)
        facts = client.entries.filter(kind="fact", deleted_at__isnull=True).prefetch_related("versions")
    form = LetterRequestForm(request.POST or None, request.FILES or None, facts=facts,
                             initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = actions.file_request(actor=request.user, client=client, kind=data["kind"], now=timezone.now(),
                                         grant=grant, channel=RequestChannel.LETTER,
                                         entry=form.facts.get(data["entry"]), field=data["field"],
                                         proposed=data["proposed"], reason=data["reason"],
                                         identity_check=data["identity_check"], received_on=data["received_on"],
                                         scan=data["scan"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The request has been registered with its deadline."))
            return redirect("portal:request", client.public_id, found.public_id)
    return render(request, "portal/letter_form.html", {"client": client, "form": form,
                                                       "content": _content_allowed(grant)})


def _staff_request(request, client_id, request_id, action):
    client, grant = access.get_client_for(request, client_id, action, log=False)
    found = ClientRequest.objects.filter(client=client, public_id=request_id).select_related("client", "entry").first()
    if found is None:
        access.deny(request.user, action, client_ref=client.public_id)
    access.log_access(client, grant, "requests.handle", obj=found)
    return client, grant, found


def _content_allowed(grant) -> bool:
    return grant.basis in (access.C, access.S)


@require_GET
@role_required(Role.COACH, Role.MANAGEMENT)
def request_detail(request, client_id, request_id):
    client, grant, found = _staff_request(request, client_id, request_id, "requests.handle")
    context = {"client": client, "grant": grant, "req": found, "content": _content_allowed(grant),
               "events": list(found.events.select_related("actor")), "notices": list(found.notices.all())}
    if found.is_open and found.kind == RequestKind.COPY and context["content"]:
        entries = client.entries.filter(deleted_at__isnull=True, names_others=True).prefetch_related("versions")
        context["release_form"] = ReleaseCopyForm(entries=entries)
    if found.is_open and found.kind == RequestKind.CORRECTION and context["content"]:
        context["decide_form"] = DecideCorrectionForm(initial={"text": found.details.get("proposed", "")})
        context["current"] = found.entry.current.content if found.entry_id else None
    if found.is_open and found.kind == RequestKind.DESTRUCTION and grant.basis == access.M:
        recipients = [(str(c.public_id), c.details.get("recipient", ""))
                      for c in client.consents.filter(kind="disclosure")]
        context["destroy_form"] = DestroyForm(recipients=recipients)
        from coachdossier.clients import hooks

        context["blockers"] = hooks.destruction_blockers(client=client, today=timezone.localdate())
    return render(request, "portal/request_detail.html", context)


@require_GET
@role_required(Role.COACH)
def staff_copy(request, client_id, request_id):
    """The released copy as PDF, for a request that came by letter: the coach sends it by post."""
    client, grant, found = _staff_request(request, client_id, request_id, "dossier.read")
    if found.kind != RequestKind.COPY or found.status != RequestStatus.DONE:
        access.deny(request.user, "copy.download", client_ref=client.public_id)
    access.log_access(client, grant, "copy.download", obj=found)
    body, content_type, name = _copy_payload(client, found, "pdf")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{client.reference}-{name}"'
    return response


@require_POST
@role_required(Role.COACH)
def request_release(request, client_id, request_id):
    client, grant, found = _staff_request(request, client_id, request_id, "dossier.write")
    entries = client.entries.filter(deleted_at__isnull=True, names_others=True).prefetch_related("versions")
    form = ReleaseCopyForm(request.POST, entries=entries)
    if not form.is_valid():
        messages.error(request, _("Choose entries of this dossier."))
        return redirect("portal:request", client.public_id, found.public_id)
    try:
        actions.release_copy(actor=request.user, request=found, now=timezone.now(), grant=grant,
                             redact=form.cleaned_data["redact"], reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The copy has been released; the client is notified."))
    return redirect("portal:request", client.public_id, found.public_id)


@require_POST
@role_required(Role.COACH)
def request_decide(request, client_id, request_id):
    client, grant, found = _staff_request(request, client_id, request_id, "dossier.write")
    form = DecideCorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        accept = data["decision"] == "accept"
        try:
            actions.decide_correction(actor=request.user, request=found, now=timezone.now(), grant=grant,
                                      accept=accept, reason=data["reason"],
                                      text=(data["text"] or None) if found.entry_id else None,
                                      value=(data["text"] or None) if not found.entry_id else None)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The decision is recorded and the client is notified."))
    else:
        messages.error(request, _("Choose accept or refuse."))
    return redirect("portal:request", client.public_id, found.public_id)


@require_POST
@role_required(Role.COACH, Role.MANAGEMENT)
def request_notices(request, client_id, request_id):
    client, grant, found = _staff_request(request, client_id, request_id, "requests.handle")
    count = actions.mark_recipients_told(actor=request.user, request=found, notice_ids=request.POST.getlist("notice"),
                                         now=timezone.now(), grant=grant)
    messages.success(request, ngettext("%(n)d recipient recorded as told.", "%(n)d recipients recorded as told.",
                                       count) % {"n": count})
    return redirect("portal:request", client.public_id, found.public_id)


@require_POST
@role_required(Role.MANAGEMENT)
def request_destroy(request, client_id, request_id):
    client, grant, found = _staff_request(request, client_id, request_id, "privacy.manage")
    recipients = [(str(c.public_id), "") for c in client.consents.filter(kind="disclosure")]
    form = DestroyForm(request.POST, recipients=recipients)
    if not form.is_valid():
        messages.error(request, _("Confirm the destruction."))
        return redirect("portal:request", client.public_id, found.public_id)
    try:
        result = actions.execute_destruction(actor=request.user, request=found, now=timezone.now(), grant=grant,
                                             told=form.cleaned_data["told"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:request", client.public_id, found.public_id)
    if result.status == RequestStatus.BLOCKED:
        messages.warning(request, _("Destruction is blocked by a legal duty to keep; the client has been told."))
        return redirect("portal:request", client.public_id, found.public_id)
    messages.success(request, _("The dossier has been destroyed. The request is kept as a tombstone."))
    return redirect("portal:destructions")


@require_GET
@role_required(Role.MANAGEMENT)
def destructions(request):
    """GC-5.4: every destruction request with its 4-week deadline, including the tombstones
    of dossiers already destroyed (dates and who executed them, nothing else)."""
    found = ClientRequest.objects.destruction_register(Client.objects.visible_to(request.user, "privacy.manage"))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "portal/destructions.html", {"page": page, "today": timezone.localdate()})
