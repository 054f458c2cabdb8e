"""The staff side of the portal: invitations, messages and consent proposals to a client, and
the handling of the client's requests (copy, correction, destruction)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.clients import access
from coachdossier.clients.forms import apply_errors
from coachdossier.clients.models import Client
from coachdossier.portal import actions
from coachdossier.portal.forms import (
    DecideCorrectionForm,
    DestroyForm,
    LetterRequestForm,
    MessageForm,
    ProposalForm,
    ReleaseCopyForm,
)
from coachdossier.portal.models import (
    ClientRequest,
    Invitation,
    RequestChannel,
    RequestKind,
    RequestStatus,
)

from .shared import copy_payload


@require_POST
@role_required(Role.COACH, Role.MANAGEMENT)
def invite(request, client_id):
    client, grant = access.get_client_for(request, client_id, "portal.invite", log=False)
    try:
        actions.invite_client(actor=request.user, client=client, now=timezone.now(), grant=grant,
                              language=request.POST.get("language") or None)
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
    form = ProposalForm(request.POST, client=client)
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
    body, content_type, name = copy_payload(client, found, "pdf")
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
