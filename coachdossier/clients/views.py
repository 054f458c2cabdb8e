"""Pages for coaches (their own clients and dossiers) and management (registration and
trajectories, without dossier content). Every client is reached through access.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role

from . import access, actions, crypto
from .forms import (
    AssignCoachForm,
    BreakGlassForm,
    ConsentForm,
    EntryEditForm,
    EntryForm,
    GoalForm,
    PersonalDataForm,
    PrincipalForm,
    ReferralForm,
    RegisterClientForm,
    SessionForm,
    TrajectoryForm,
    apply_errors,
)
from .models import Attachment, Client, Consent, DossierEntry, EntryKind, Principal, Trajectory

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _search(qs, term: str):
    words = crypto.normalise_for_search(term).split()
    for word in words:
        qs = qs.filter(search_tokens__token=crypto.search_token(word))
    return qs.distinct() if words else qs


# --- Coach ---------------------------------------------------------------------------------


@require_GET
@role_required(Role.COACH)
def client_list(request):
    """A coach's caseload: own clients and clients they substitute for, searchable by name."""
    now = timezone.now()
    qs = (Client.objects.visible_to(request.user, "dossier.read", now)
          .prefetch_related("trajectories__principal", "trajectories__coach"))
    term = request.GET.get("q", "").strip()
    qs = _search(qs, term)
    page = _page(request, qs)
    crypto.KeyRing.load(c.public_id for c in page)
    access.log_list(request.user, "client.search" if term else "client.list", page)
    template = "clients/list.html#rows" if request.htmx else "clients/list.html"
    return render(request, template, {"page": page, "q": term})


def _timeline(client, entries):
    """The timeline rows, prepared once: the current version (decrypted once), the entry's
    link and its attachments' links and names. Links are reversed once per page and filled
    in per row, instead of a `{% url %}` and several model lookups per entry in the template."""
    ref = str(client.public_id)
    placeholder = "00000000-0000-0000-0000-000000000000"
    entry_url = reverse("clients:entry", args=[ref, placeholder])
    attachment_url = reverse("clients:attachment", args=[ref, placeholder])
    for entry in entries:
        entry.v = entry.current
        entry.url = entry_url.replace(placeholder, str(entry.public_id))
        entry.files = [{"url": attachment_url.replace(placeholder, str(a.public_id)), "name": a.filename,
                        "size": a.size} for a in entry.attachments.all()]
    return entries


def _dossier_context(client, grant, *, include_medical: bool):
    entries = _timeline(client, list(client.entries.for_timeline(include_medical=include_medical)))
    trajectory = client.current_trajectory
    return {
        "client": client,
        "grant": grant,
        "personal": client.personal,
        "trajectory": trajectory,
        "trajectories": client.trajectories.all(),
        "goals": list(trajectory.goals.select_related("author").order_by("-number")) if trajectory else [],
        "sessions": list(trajectory.sessions.all()) if trajectory else [],
        "entries": entries,
        "medical_count": client.entries.filter(is_medical=True, deleted_at__isnull=True).count(),
        "include_medical": include_medical,
        "consents": list(client.consents.select_related("substitute")),
        "referrals": list(client.referrals.active().select_related("therapist")),
        "today": timezone.localdate(),
    }


def _sections(request, client, grant):
    from coachdossier.accounts.dashboard import collect_from_apps

    return collect_from_apps("client_sections", "sections", request, client, grant)


@require_GET
@role_required(Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
def client_detail(request, client_id):
    """The dossier: personal data, trajectory, goals, sessions and the timeline of entries.
    Medical entries appear only when asked for, and that is logged as such (PR-4)."""
    include_medical = request.GET.get("medical") == "1"
    client, grant = access.get_client_for(request, client_id, "dossier.read",
                                          log_action="dossier.read_medical" if include_medical else "dossier.read")
    context = _dossier_context(client, grant, include_medical=include_medical)
    context["sections"] = [] if request.htmx else _sections(request, client, grant)
    template = "clients/detail.html#timeline" if request.htmx else "clients/detail.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def entry_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    form = EntryForm(request.POST or None, request.FILES or None,
                     initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_entry(actor=request.user, client=client, kind=data["kind"], occurred_on=data["occurred_on"],
                              title=data["title"], text=data["text"], source=data["source"],
                              is_medical=data["is_medical"], justification=data["justification"],
                              files=data["files"], now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The entry has been added to the dossier."))
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/entry_form.html", {"client": client, "form": form})


def _entry_for(request, client_id, entry_id, action, log_action=None):
    client, grant = access.get_client_for(request, client_id, action, log=False)
    entry = (DossierEntry.objects.filter(client=client, public_id=entry_id, deleted_at__isnull=True)
             .prefetch_related("versions__author", "attachments").first())
    if entry is None:
        access.deny(request.user, log_action or action, client_ref=client.public_id)
    return client, grant, entry


@require_GET
@role_required(Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
def entry_detail(request, client_id, entry_id):
    """One entry with every version, author and time."""
    client, grant, entry = _entry_for(request, client_id, entry_id, "dossier.read", "entry.read")
    access.log_access(client, grant, "entry.read_medical" if entry.is_medical else "entry.read", obj=entry)
    versions = sorted(entry.versions.all(), key=lambda v: -v.number)
    return render(request, "clients/entry_detail.html", {"client": client, "entry": entry, "versions": versions,
                                                         "grant": grant})


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def entry_edit(request, client_id, entry_id):
    client, grant, entry = _entry_for(request, client_id, entry_id, "dossier.write")
    if entry.kind == EntryKind.CLIENT_STATEMENT:
        access.deny(request.user, "entry.edit", client_ref=client.public_id, status=403)
    current = entry.current.content
    form = EntryEditForm(request.POST or None, initial={"title": current.get("title"), "text": current.get("text"),
                                                         "is_medical": entry.is_medical})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.edit_entry(actor=request.user, entry=entry, title=data["title"], text=data["text"],
                               reason=data["reason"], justification=data["justification"],
                               is_medical=data["is_medical"], now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("A new version of the entry has been saved; the earlier one stays visible."))
            return redirect("clients:entry", client.public_id, entry.public_id)
    return render(request, "clients/entry_edit.html", {"client": client, "entry": entry, "form": form})


@require_GET
@role_required(Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
def attachment_download(request, client_id, attachment_id):
    client, grant = access.get_client_for(request, client_id, "dossier.read", log=False)
    attachment = (Attachment.objects.filter(public_id=attachment_id, entry__client=client,
                                            entry__deleted_at__isnull=True).select_related("entry__client").first())
    if attachment is None:
        access.deny(request.user, "attachment.download", client_ref=client.public_id)
    access.log_access(client, grant, "attachment.download", obj=attachment)
    response = HttpResponse(actions.read_attachment(attachment), content_type=attachment.content_type)
    # The name is the client's data: send it only in the header of this authorised response.
    response["Content-Disposition"] = f'attachment; filename="{attachment.public_id}"; ' \
                                      f"filename*=UTF-8''{_quote(attachment.filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def personal_edit(request, client_id):
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    form = PersonalDataForm(request.POST or None, initial=PersonalDataForm.initial_from(client.personal))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_personal_data(actor=request.user, client=client, personal=form.personal(),
                                         now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The personal data have been saved."))
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/personal_form.html", {"client": client, "form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def goal_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    trajectory = client.current_trajectory
    if trajectory is None:
        raise Http404
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reformulate_goal(actor=request.user, trajectory=trajectory, now=timezone.now(), grant=grant,
                                     **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The goal has been saved; earlier wordings are kept."))
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/goal_form.html", {"client": client, "form": form, "trajectory": trajectory})


@require_POST
@role_required(Role.COACH, Role.MANAGEMENT)
def trajectory_activate(request, client_id, trajectory_id):
    client, grant = access.get_client_for(request, client_id, "client.see", log=False)
    if grant.basis not in (access.C, access.S, access.M):
        access.deny(request.user, "trajectory.activate", client_ref=client.public_id, status=403)
    trajectory = get_object_or_404(Trajectory, client=client, public_id=trajectory_id)
    try:
        actions.activate_trajectory(actor=request.user, trajectory=trajectory, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The trajectory is now active."))
    if grant.basis == access.M:
        return redirect("clients:admin_detail", client.public_id)
    return redirect("clients:detail", client.public_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def session_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    trajectory = client.current_trajectory
    if trajectory is None:
        raise Http404
    form = SessionForm(request.POST or None, initial={"date": timezone.localdate(), "minutes": 60})
    if request.method == "POST" and form.is_valid():
        try:
            actions.log_session(actor=request.user, trajectory=trajectory, now=timezone.now(), grant=grant,
                                **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The session has been logged."))
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/session_form.html", {"client": client, "form": form, "trajectory": trajectory})


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def consent_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "consent.manage", log=False)
    form = ConsentForm(request.POST or None, request.FILES or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_consent(actor=request.user, client=client, now=timezone.now(), grant=grant,
                                   **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/consent_form.html", {"client": client, "form": form})


@require_POST
@role_required(Role.COACH)
def consent_withdraw(request, client_id, consent_id):
    client, grant = access.get_client_for(request, client_id, "consent.manage", log=False)
    consent = Consent.objects.filter(client=client, public_id=consent_id).first()
    if consent is None:
        access.deny(request.user, "consent.withdraw", client_ref=client.public_id)
    try:
        actions.withdraw_consent(actor=request.user, consent=consent, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The consent has been withdrawn. It no longer gives access."))
    return redirect("clients:detail", client.public_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def referral_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "referral.manage", log=False)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.refer_to_therapist(actor=request.user, client=client, therapist=form.cleaned_data["therapist"],
                                       now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The client has been referred. The therapist sees only measurements."))
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/referral_form.html", {"client": client, "form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
def break_glass(request):
    """Emergency access for staff without a relationship: reason required, logged as such."""
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = Client.objects.alive().filter(reference=form.cleaned_data["reference"].strip()).first()
        if client is None:
            access.deny(request.user, "break_glass.start")
        try:
            actions.break_glass(actor=request.user, client=client, reason=form.cleaned_data["reason"],
                                now=timezone.now())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.warning(request, _("Emergency access granted for two hours. Management has been told."))
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/break_glass.html", {"form": form})


# --- Management ----------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGEMENT)
def admin_list(request):
    """PR-7: names, status, coach and dates of every client; no dossier content."""
    qs = (Client.objects.visible_to(request.user, "trajectory.manage")
          .prefetch_related("trajectories__coach", "trajectories__principal"))
    term = request.GET.get("q", "").strip()
    qs = _search(qs, term)
    page = _page(request, qs)
    crypto.KeyRing.load(c.public_id for c in page)
    access.log_list(request.user, "client.search" if term else "client.list", page)
    template = "clients/admin_list.html#rows" if request.htmx else "clients/admin_list.html"
    return render(request, template, {"page": page, "q": term})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def client_register(request):
    form = RegisterClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, now = form.cleaned_data, timezone.now()
        try:
            client = register_with_trajectory(actor=request.user, form=form, now=now)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Client %(ref)s has been registered.") % {"ref": client.reference})
            return redirect("clients:admin_detail", client.public_id)
    return render(request, "clients/register.html", {"form": form})


def register_with_trajectory(*, actor, form, now):
    from django.db import transaction

    data = form.cleaned_data
    with transaction.atomic():
        client = actions.register_client(actor=actor, personal=form.personal(), principal=data["principal"], now=now)
        actions.open_trajectory(actor=actor, client=client, principal=data["principal"], coach=data["coach"],
                                source=data["source"], uwv_order_number=data["uwv_order_number"],
                                approved_hours=data["approved_hours"], agreement_date=data["agreement_date"],
                                vulnerable=data["vulnerable"], goal_text=data["goal_text"],
                                goal_justification=data["goal_justification"], now=now)
    return client


@require_GET
@role_required(Role.MANAGEMENT)
def admin_detail(request, client_id):
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log_action="client.see")
    trajectories = client.trajectories.select_related("principal", "coach").prefetch_related("sessions", "goals")
    return render(request, "clients/admin_detail.html", {"client": client, "trajectories": trajectories,
                                                         "assign_form": AssignCoachForm()})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def trajectory_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    form = TrajectoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.open_trajectory(actor=request.user, client=client, now=timezone.now(), **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The trajectory has been opened."))
            return redirect("clients:admin_detail", client.public_id)
    return render(request, "clients/trajectory_form.html", {"client": client, "form": form})


@require_POST
@role_required(Role.MANAGEMENT)
def trajectory_close(request, client_id, trajectory_id):
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    trajectory = get_object_or_404(Trajectory, client=client, public_id=trajectory_id)
    try:
        actions.close_trajectory(actor=request.user, trajectory=trajectory, now=timezone.now(), grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The trajectory is closed; the retention term has started."))
    return redirect("clients:admin_detail", client.public_id)


@require_POST
@role_required(Role.MANAGEMENT)
def trajectory_assign(request, client_id, trajectory_id):
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    trajectory = get_object_or_404(Trajectory, client=client, public_id=trajectory_id)
    form = AssignCoachForm(request.POST)
    if form.is_valid():
        try:
            actions.assign_coach(actor=request.user, trajectory=trajectory, coach=form.cleaned_data["coach"],
                                 now=timezone.now())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The coach has been assigned."))
    else:
        messages.error(request, _("Choose a coach."))
    return redirect("clients:admin_detail", client.public_id)


@require_GET
@role_required(Role.MANAGEMENT)
def principals(request):
    return render(request, "clients/principals.html", {"principals": Principal.objects.all()})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def principal_new(request):
    form = PrincipalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.create_principal(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The principal has been saved."))
        return redirect("clients:principals")
    return render(request, "clients/principal_form.html", {"form": form})
