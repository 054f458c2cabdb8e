"""Pages for coaches (their own clients and dossiers) and management (registration and
trajectories, without dossier content). Every client is reached through access.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier import policy
from coachdossier.accounts.dashboard import Tab, modules_with
from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role
from coachdossier.lib.idempotency import Once

from . import access, actions, crypto
from .forms import (
    AssignCoachForm,
    AttachmentsForm,
    BreakGlassForm,
    ConsentForm,
    EntryEditForm,
    EntryForm,
    GoalForm,
    OneTimeTokenField,
    PersonalDataForm,
    PrincipalForm,
    ReferralForm,
    RegisterClientForm,
    SessionForm,
    TermsForm,
    TrajectoryForm,
    apply_errors,
)
from .models import (
    ENTRY_KIND_HELP_FOR_STAFF,
    Attachment,
    Client,
    Consent,
    DossierEntry,
    EntryKind,
    Principal,
    Trajectory,
    TrajectoryStatus,
)

PAGE_SIZE = 50
# Links in lists are reversed once per page with this in place of the row's id, then filled in.
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Coach ---------------------------------------------------------------------------------


def _client_page(request, action: str, url_name: str):
    """One page of the clients `action` allows, searched by name or reference, logged one entry per client
    shown (LAW-NEN7513), each prepared once for its row: the link (reversed once per page),
    the current trajectory and its status label."""
    term = request.GET.get("q", "").strip()
    page = _page(request, Client.objects.visible_to(request.user, action, timezone.now()).search(term))
    crypto.KeyRing.load(c.public_id for c in page)
    access.log_list(request.user, "client.search" if term else "client.list", page)
    trajectories = Trajectory.objects.current_rows([c.pk for c in page])
    url = reverse(url_name, args=[_PLACEHOLDER])
    labels = dict(TrajectoryStatus.choices)
    for client in page:
        client.url = url.replace(_PLACEHOLDER, str(client.public_id))
        client.t = trajectories.get(client.pk)
        client.status_label = labels[client.t["status"]] if client.t else ""
    return page, term


@require_GET
@role_required(Role.COACH)
def client_list(request):
    """A coach's caseload: own clients and clients they substitute for, searchable by name or reference."""
    page, term = _client_page(request, "dossier.read", "clients:detail")
    template = "clients/list.html#rows" if request.htmx else "clients/list.html"
    return render(request, template, {"page": page, "q": term})


TIMELINE_SIZE = 50


def _timeline(client, *, include_medical: bool, page: int) -> dict:
    """One page of the timeline, newest first, with a link to the older entries when there
    are more (a dossier of years stays one quick page). Rows come decrypted from
    `timeline_page`; links are reversed once per page and filled in per row, and the type's
    label and explanation are looked up once per type, not per entry."""
    start = (page - 1) * TIMELINE_SIZE
    rows = DossierEntry.objects.timeline_page(client, include_medical=include_medical, offset=start,
                                              limit=TIMELINE_SIZE + 1)
    has_older = len(rows) > TIMELINE_SIZE
    rows = rows[:TIMELINE_SIZE]
    entry_url = reverse("clients:entry", args=[client.public_id, _PLACEHOLDER])
    attachment_url = reverse("clients:attachment", args=[client.public_id, _PLACEHOLDER])
    kinds = {kind: (str(kind.label), str(ENTRY_KIND_HELP_FOR_STAFF[kind])) for kind in EntryKind}
    for row in rows:
        row["kind_label"], row["kind_help"] = kinds[row["kind"]]
        row["url"] = entry_url.replace(_PLACEHOLDER, str(row["public_id"]))
        for f in row["files"]:
            f["url"] = attachment_url.replace(_PLACEHOLDER, str(f["public_id"]))
    return {"entries": rows, "page_number": page, "older_page": page + 1 if has_older else None,
            "include_medical": include_medical}


def _dossier_context(client) -> dict:
    """Everything on the dossier tab besides the timeline."""
    trajectory = client.current_trajectory
    sessions = list(trajectory.sessions.all()) if trajectory else []
    return {
        "personal": client.personal,
        "trajectory": trajectory,
        "goals": list(trajectory.goals.select_related("author").order_by("-number")) if trajectory else [],
        "sessions": sessions,
        "hours_used": round(sum(s.minutes for s in sessions) / 60, 1),
        "medical_count": client.entries.filter(is_medical=True, deleted_at__isnull=True).count(),
        # GC-0.4: the signed agreement of this trajectory, the newest if it was renewed.
        "agreement": (client.entries.listed(include_medical=False)
                      .filter(kind=EntryKind.AGREEMENT, trajectory=trajectory).order_by("-occurred_on", "-pk")
                      .values("public_id", "occurred_on").first() if trajectory else None),
        "consents": list(client.consents.select_related("substitute")),
        "referrals": list(client.referrals.active().select_related("therapist")),
        "today": timezone.localdate(),
    }


DOSSIER_TAB = Tab("dossier", gettext_lazy("Dossier"), "dossier.read", order=0)


def _tab_modules() -> dict:
    """The apps that add a tab to the client page, by tab key."""
    return {module.TAB.key: module for module in modules_with("client_sections")}


def _tabs(client, grant) -> list[dict]:
    """The client page's tabs this grant may open, the dossier first, each with its badge."""
    tabs = [DOSSIER_TAB, *(module.TAB for module in _tab_modules().values())]
    return [{"tab": t, "badge": t.badge(client) if t.badge else 0}
            for t in sorted(tabs, key=lambda t: t.order) if grant.basis in access.ACTIONS[t.action]]


def _timeline_page(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        return 1


@require_GET
@role_required(Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
def client_detail(request, client_id):
    """The dossier: personal data, trajectory, goals, sessions and the timeline of entries.
    Medical entries appear only when asked for, and that is logged as such (PR-4). An htmx
    request gets the timeline alone (showing or hiding medical entries, older entries)."""
    include_medical = request.GET.get("medical") == "1"
    client, grant = access.get_client_for(request, client_id, "dossier.read",
                                          log_action="dossier.read_medical" if include_medical else "dossier.read")
    context = {"client": client, "grant": grant,
               **_timeline(client, include_medical=include_medical, page=_timeline_page(request))}
    if request.htmx:  # showing or hiding medical entries replaces the timeline; older entries extend it
        part = "timeline" if context["page_number"] == 1 else "timeline-items"
        return render(request, f"clients/detail.html#{part}", context)
    context.update(_dossier_context(client))
    context.update(tabs=_tabs(client, grant), active_tab=DOSSIER_TAB.key)
    return render(request, "clients/detail.html", context)


@require_GET
@role_required(Role.COACH, Role.MANAGEMENT, Role.THERAPIST, Role.COMPLAINTS_OFFICER)
def client_tab(request, client_id, tab):
    """One tab of the client page (questionnaires, measurements, reports, portal, privacy),
    computed only when it is opened and logged as what it shows (LAW-NEN7513): the dossier
    page itself stays quick, and the client's access log says which part was read."""
    module = _tab_modules().get(tab)
    if module is None:
        raise Http404
    client, grant = access.get_client_for(request, client_id, "dossier.read", log=False)
    if grant.basis not in access.ACTIONS[module.TAB.action]:
        access.deny(request.user, module.TAB.action, client_ref=client.public_id, status=403)
    access.log_access(client, grant, module.TAB.action)
    return render(request, "clients/tab.html", {
        "client": client, "grant": grant, "trajectory": client.current_trajectory, "tabs": _tabs(client, grant),
        "active_tab": tab, "tab": module.TAB, "sections": module.sections(request, client, grant)})


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def entry_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "dossier.write", log=False)
    # ?kind=agreement from the trajectory's "add the signed agreement" link.
    kind = request.GET.get("kind") if request.GET.get("kind") in EntryKind.values else None
    form = EntryForm(request.POST or None, request.FILES or None,
                     initial={"occurred_on": timezone.localdate(), "idempotency_key": OneTimeTokenField.new(),
                              "kind": kind})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry, outcome = actions.add_entry_once(
                idempotency_key=data["idempotency_key"], actor=request.user, client=client, kind=data["kind"],
                occurred_on=data["occurred_on"], title=data["title"], text=data["text"], source=data["source"],
                is_medical=data["is_medical"], justification=data["justification"], files=data["files"],
                now=timezone.now(), grant=grant)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if outcome is Once.CONFLICT:  # GC-6.6: changes dropped without a word are lost
                messages.warning(request, _(
                    "This entry had already been saved when you sent the form again; the changes in your "
                    "second submission were not saved. Edit the entry to change it."))
            else:
                messages.success(request, _("The entry has been added to the dossier."))
                _warn_about(request, client, data)
            if outcome is Once.CREATED:
                return redirect("clients:detail", client.public_id)
            # The form sent again: show the entry it made, there is no second one.
            return redirect("clients:entry", client.public_id, entry.public_id)
    return render(request, "clients/entry_form.html", {"client": client, "form": form})


def _warn_about(request, client, data) -> None:
    """GC-5.2, PR-4: the screening advice on an entry just saved, as warnings above it."""
    for notice in actions.entry_notices(client=client, title=data["title"], text=data["text"],
                                        is_medical=data["is_medical"]):
        messages.warning(request, notice)


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
    # PR-4: the justification stays with the text it justifies; a typo fix need not re-argue it.
    form = EntryEditForm(request.POST or None, initial={"title": current.get("title"), "text": current.get("text"),
                                                         "is_medical": entry.is_medical,
                                                         "justification": current.get("justification")})
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
            _warn_about(request, client, data)
            return redirect("clients:entry", client.public_id, entry.public_id)
    return render(request, "clients/entry_edit.html", {"client": client, "entry": entry, "form": form})


@require_POST
@role_required(Role.COACH)
def entry_attachments(request, client_id, entry_id):
    """Attach files to an existing entry; the entry page shows what went wrong, if anything."""
    client, grant, entry = _entry_for(request, client_id, entry_id, "dossier.write", "attachment.add")
    if entry.kind == EntryKind.CLIENT_STATEMENT:
        access.deny(request.user, "attachment.add", client_ref=client.public_id, status=403)
    form = AttachmentsForm(request.POST, request.FILES)
    try:
        actions.add_attachments(actor=request.user, entry=entry, now=timezone.now(), grant=grant,
                                files=form.cleaned_data["files"] if form.is_valid() else [])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The attachments have been added to the entry."))
    return redirect("clients:entry", client.public_id, entry.public_id)


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
            used = round(sum(trajectory.sessions.values_list("minutes", flat=True)) / 60, 1)  # with this one
            approved = trajectory.approved_hours
            if approved and used > approved:  # GC-0.5: the principal approved these hours, not more
                messages.warning(request, _(
                    "This trajectory has now used %(used)s of the %(approved)s hours the principal approved. Ask "
                    "the principal for more hours; management records them in the trajectory's terms.") % {
                    "used": number_format(used, 1), "approved": number_format(approved, 1)})
            return redirect("clients:detail", client.public_id)
    return render(request, "clients/session_form.html", {"client": client, "form": form, "trajectory": trajectory})


@require_http_methods(["GET", "POST"])
@role_required(Role.COACH)
def consent_new(request, client_id):
    client, grant = access.get_client_for(request, client_id, "consent.manage", log=False)
    form = ConsentForm(request.POST or None, request.FILES or None, client=client,
                       initial={"valid_from": timezone.localdate()})
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
            # Logged as refused like any miss; but in an emergency a typo must not cost the
            # reason just written: the form comes back with the reference marked.
            access.record_denied(request.user, "break_glass.start")
            form.add_error("reference", _("No client has this reference. Enter the reference shown with the "
                                          "client, such as 2026-0005, not the name."))
        else:
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
    page, term = _client_page(request, "trajectory.manage", "clients:admin_detail")
    template = "clients/admin_list.html#rows" if request.htmx else "clients/admin_list.html"
    return render(request, template, {"page": page, "q": term})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def client_register(request):
    form = RegisterClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
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
    trajectories = client.trajectories.for_management()
    # PR-8: the closing confirmation names the term that closing really starts.
    return render(request, "clients/admin_detail.html", {"client": client, "trajectories": trajectories,
                                                         "assign_form": AssignCoachForm(),
                                                         "retention_years": policy.current().retention_years})


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


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def trajectory_terms(request, client_id, trajectory_id):
    client, grant = access.get_client_for(request, client_id, "trajectory.manage", log=False)
    trajectory = get_object_or_404(Trajectory.objects.select_related("principal"), client=client,
                                   public_id=trajectory_id)
    form = TermsForm.of(trajectory, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_trajectory_terms(actor=request.user, trajectory=trajectory, now=timezone.now(),
                                            grant=grant, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The terms have been changed; the earlier values are kept below."))
            return redirect("clients:admin_detail", client.public_id)
    return render(request, "clients/trajectory_terms.html", {"client": client, "trajectory": trajectory,
                                                             "form": form})


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
