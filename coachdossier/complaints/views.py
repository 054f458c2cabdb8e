"""Complaint pages: the register and case page for the complaints officer and management,
the committee's view of its cases (the case only, never the dossier: GC-9.4), the client's
lodging form and letters, the practice's letter templates and closure days, proof of
making the procedure known (KR-3.1) and the reports (KR-3.6, KR-3.7)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachdossier import audit, policy
from coachdossier.accounts.decorators import role_required
from coachdossier.accounts.models import Role, User
from coachdossier.audit.models import Basis
from coachdossier.audit.models import Outcome as LogOutcome
from coachdossier.clients.forms import OneTimeTokenField, apply_errors
from coachdossier.clients.models import Client, Trajectory
from coachdossier.lib.idempotency import Once

from . import actions, deadlines, forms, letters, reports
from .models import (
    ClosureDay,
    Complaint,
    Document,
    Letter,
    LetterKind,
    LetterLanguage,
    ProcedureNotice,
    Status,
    clocks_for,
    complaints_officers,
    working_calendar,
)

HANDLERS = (Role.COMPLAINTS_OFFICER, Role.MANAGEMENT)
STAFF = (Role.COMPLAINTS_OFFICER, Role.MANAGEMENT, Role.COACH)


def may_handle(user, complaint) -> bool:
    """KR-3.3b: management, or a complaints officer not involved in this case."""
    return Complaint.objects.handled_by(user).filter(pk=complaint.pk).exists()


def is_complainant(user) -> bool:
    """A client seeing a complaint sees their own (Complaint.objects.visible_to)."""
    return user.has_role(Role.CLIENT) and not user.is_staff_member


def get_complaint_for(request, complaint_id, *, handle=False, or_complainant=False,
                      log_action="complaint.read") -> Complaint:
    """The complaint case if the user may open it (404 otherwise, logged: a complaints officer
    involved in the case is a stranger to it, KR-3.3b); `handle` also asks that the user
    handles it (403 for a committee member or client), and with `or_complainant` lets the
    complainant through too (403 for a committee member)."""
    user = request.user
    complaint = (Complaint.objects.visible_to(user).filter(public_id=complaint_id)
                 .select_related("client__user", "coach", "complainant_user").first())
    if complaint is None:
        audit.record(action=log_action, outcome=LogOutcome.DENIED, basis=Basis.NONE, object_type="complaint",
                     object_ref=str(complaint_id), role=",".join(sorted(user.roles)))
        raise Http404
    own = is_complainant(user)
    if handle and not ((or_complainant and own) or may_handle(user, complaint)):
        audit.record(action=log_action, client=complaint.client, obj=complaint, outcome=LogOutcome.DENIED,
                     basis=Basis.NONE, role=",".join(sorted(user.roles)))
        raise PermissionDenied
    audit.record(action=log_action, client=complaint.client, obj=complaint,
                 basis=Basis.CLIENT if own else Basis.COMPLAINTS, role=",".join(sorted(user.roles)))
    return complaint


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The register ----------------------------------------------------------------------------


def register_rows(user, today, qs=None):
    """Open complaints (or `qs`) with their clocks; overdue first, then by nearest deadline."""
    calendar = working_calendar()
    qs = qs if qs is not None else Complaint.objects.visible_to(user).open()
    rows = []
    for complaint in qs.select_related("coach"):
        clock_list = clocks_for(complaint, today, calendar)
        rows.append({"complaint": complaint, "clocks": clock_list, "nearest": deadlines.nearest(clock_list),
                     # Overdue: a step still to do past its term, as the daily reminders count it.
                     "late": any(c.is_overdue for c in clock_list)})
    far = datetime.date.max
    rows.sort(key=lambda r: (not r["late"], r["nearest"].due if r["nearest"] else far))
    return rows


@require_GET
@role_required(*STAFF)
def register(request):
    """The complaints register (KR-3.2): open complaints with every clock, overdue first;
    closed ones below. A coach sees only the cases of committees they sit on."""
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    qs = Complaint.objects.visible_to(request.user)
    rows = register_rows(request.user, today, qs.open() if show == "open" else qs.filter(status=Status.CLOSED))
    roles = request.user.roles
    management = Role.MANAGEMENT in roles
    return render(request, "complaints/register.html", {
        "rows": rows, "show": show, "today": today, "is_handler": bool(roles & set(HANDLERS)),
        # KR-3.3b: an officer does not see the cases she is involved in; management sees all,
        # and which of them no officer can take.
        "is_officer_only": Role.COMPLAINTS_OFFICER in roles and not management,
        "no_officer": (set(Complaint.objects.open().without_impartial_officer().values_list("pk", flat=True))
                       if management else set()),
        "clock_names": deadlines.CLOCKS})


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def complaint_new(request):
    """Staff lodge a complaint that reached them (KR-2.1, KR-2.2)."""
    form = forms.StaffComplaintForm(request.POST or None, request.FILES or None,
                                    initial={"received_on": timezone.localdate(),
                                             "idempotency_key": OneTimeTokenField.new()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = None
        if data["client_reference"].strip():
            # KR-2: whoever receives a complaint links it to the client by the reference the
            # complainant gives. No dossier is opened: the action copies only name, address and
            # contact into the sealed complaint, and logs it under "complaints handling".
            client = Client.objects.alive().filter(reference=data["client_reference"].strip()).first()
            if client is None:
                form.add_error("client_reference", _("No client with this reference."))
        if not form.errors:
            try:
                complaint, outcome = actions.lodge_complaint_once(
                    idempotency_key=data["idempotency_key"], actor=request.user, now=timezone.now(),
                    channel=data["channel"], subject=data["subject"],
                    category=data["category"], level=data["level"], description=data["description"],
                    received_on=data["received_on"], client=client, coach=data["coach"], name=data["name"],
                    address_lines=[line.strip() for line in data["address"].splitlines() if line.strip()],
                    email=data["email"], phone=data["phone"], phone_offer_made=data["phone_offer_made"],
                    phone_form={"called_at": data["phone_called_at"], "summary": data["phone_summary"],
                                "wish": data["phone_wish"], "agreed": data["phone_agreed"]},
                    files=data["files"], language=data["language"] or None)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if outcome is Once.CONFLICT:
                    messages.warning(request, _("This complaint had already been lodged when the form was sent "
                                                "again; the changes in the second submission were not saved."))
                # KR-3.3b: a complaints officer who lodges a complaint about herself or her own
                # client does not see it again; it goes to another officer.
                if may_handle(request.user, complaint):
                    return redirect("complaints:detail", complaint.public_id)
                return render(request, "complaints/lodged.html", {"complaint": complaint})
    return render(request, "complaints/new.html", {"form": form})


def _officers_context(complaint) -> dict:
    """For the handlers: which complaints officers are kept off this case and why (KR-3.3b), and
    whether anyone but management is left to handle it."""
    officers = list(complaints_officers())
    kept_off = [(officer, actions.involvement_reason(complaint, officer)) for officer in officers]
    kept_off = [(officer, reason) for officer, reason in kept_off if reason]
    return {"officers_kept_off": kept_off, "no_impartial_officer": len(kept_off) == len(officers)}


def _detail_context(request, complaint, bound_step=None, bound_form=None):
    today = timezone.localdate()
    handler = may_handle(request.user, complaint)
    context = {
        "complaint": complaint, "content": complaint.content, "is_handler": handler, "today": today,
        "clocks": clocks_for(complaint, today),
        "events": list(complaint.events.select_related("actor")),
        "letters": list(complaint.letters.all()),
        "documents": list(complaint.documents.all()),
        "committee": list(complaint.committee.select_related("coach")),
        "attempts": list(complaint.attempts.all()),
        "propose_letter": actions.proposes_not_reached_letter(complaint),
        "settle_due": actions.current_settle_due(complaint),
        "aftercare_attempts": policy.current().complaint_aftercare_attempts,
        "step_errors": bound_form.errors if bound_form is not None else None, "bound_step": bound_step,
        "step_problems": bound_form.non_field_errors() if bound_form is not None else [],
    }
    # Several forms on one page: ids per step, so every label points at its own field.
    step_forms = {name: (_step_form(name, complaint) if form_class else None)
                  for name, (form_class, _run, _h) in STEPS.items()}
    step_forms["register"] = forms.RegisterForm(auto_id="id_register_%s", initial={
        "received_on": complaint.received_on, "category": complaint.category, "language": complaint.language})
    step_forms["language"] = forms.LanguageForm(auto_id="id_language_%s", initial={"language": complaint.language})
    if bound_step:
        if "seen" in bound_form.fields:  # sent again, it is checked against what the page shows now
            bound_form.data = bound_form.data.copy()
            bound_form.data["seen"] = step_forms[bound_step].initial["seen"]
        step_forms[bound_step] = bound_form
    context["forms"] = step_forms
    if handler:
        context.update(_officers_context(complaint))
    return context


@require_GET
@role_required(*STAFF)
def detail(request, complaint_id):
    """The case: the complaint, every clock, the committee, letters, documents, aftercare and
    the register's events (KR-3.3e). Committee members see this and nothing of the dossier."""
    complaint = get_complaint_for(request, complaint_id)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _step_register(request, complaint, data, now):
    actions.register_complaint(actor=request.user, complaint=complaint, now=now, category=data["category"],
                               received_on=data["received_on"], language=data["language"] or None)


STEPS = {
    # step: (form class, function(request, complaint, cleaned_data, now), handlers only)
    "register": (forms.RegisterForm, _step_register, True),
    "language": (forms.LanguageForm, lambda r, c, d, n: actions.change_language(
        actor=r.user, complaint=c, now=n, language=d["language"]), True),
    "acknowledge": (forms.TextForm, lambda r, c, d, n: actions.acknowledge(actor=r.user, complaint=c, now=n,
                                                                           text=d["text"]), True),
    "admission": (forms.AdmissionForm, lambda r, c, d, n: actions.decide_admission(
        actor=r.user, complaint=c, now=n, admitted=d["admitted"], reason=d["reason"]), True),
    "committee": (forms.CommitteeForm, lambda r, c, d, n: actions.appoint_committee(
        actor=r.user, complaint=c, now=n, coaches=d["coaches"]), True),
    "extend": (forms.ExtensionForm, lambda r, c, d, n: actions.extend_term(
        actor=r.user, complaint=c, now=n, new_date=d["new_date"], told_via=d["told_via"], text=d["text"]), True),
    "settle": (forms.SettleForm, lambda r, c, d, n: actions.settle(
        actor=r.user, complaint=c, now=n, text=d["text"], measures=d["measures"]), True),
    "ruling": (forms.RulingForm, lambda r, c, d, n: actions.record_ruling(
        actor=r.user, complaint=c, now=n, ruling=d["ruling"], ruling_on=d["ruling_on"], measures=d["measures"]),
        True),
    "communicate": (forms.RulingLetterForm, lambda r, c, d, n: actions.communicate_ruling(
        actor=r.user, complaint=c, now=n, text=d["text"], coach_text=d["coach_text"]), True),
    "call": (forms.CallForm, lambda r, c, d, n: actions.log_call(
        actor=r.user, complaint=c, now=n, reached=d["reached"], satisfied=d["satisfied"], note=d["note"]), True),
    "not_reached": (None, lambda r, c, d, n: actions.send_not_reached_letter(actor=r.user, complaint=c, now=n),
                    True),
    "mediation": (forms.TextForm, lambda r, c, d, n: actions.refer_to_mediation(
        actor=r.user, complaint=c, now=n, text=d["text"]), True),
    "umbrella": (forms.HandOverForm, lambda r, c, d, n: actions.hand_to_umbrella(
        actor=r.user, complaint=c, now=n, note=d["note"]), True),
    "close": (forms.CloseForm, lambda r, c, d, n: actions.close_complaint(
        actor=r.user, complaint=c, now=n, outcome=d["outcome"], note=d["note"], seen=d["seen"]), True),
    "note": (forms.NoteForm, lambda r, c, d, n: actions.add_note(actor=r.user, complaint=c, now=n, note=d["note"]),
             False),
    "document": (forms.DocumentForm, lambda r, c, d, n: actions.add_document(
        actor=r.user, complaint=c, now=n, upload=d["file"]), False),
}


def _step_form(name, complaint, *data):
    """The step's form, with ids of its own (several forms on one page). The close form offers
    only the outcomes the case can close with now: the action's own rule (KR-3.5)."""
    form_class = STEPS[name][0] or forms.forms.Form
    extra = {}
    if form_class is forms.CloseForm:
        extra = {"outcomes": actions.closing_outcomes(complaint), "initial": {"seen": actions.last_event_id(complaint)}}
    return form_class(*data, auto_id=f"id_{name}_%s", **extra)


@require_POST
@role_required(*STAFF)
def step(request, complaint_id, step):
    """One step of the procedure: the form's input goes to its action; errors are shown on
    the case page next to the fields, and nothing is saved."""
    if step not in STEPS:
        raise Http404
    _form_class, run, handlers_only = STEPS[step]
    complaint = get_complaint_for(request, complaint_id, handle=handlers_only, log_action=f"complaint.{step}")
    form = _step_form(step, complaint, request.POST, request.FILES)
    if form.is_valid():
        try:
            run(request, complaint, form.cleaned_data, timezone.now())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("complaints:detail", complaint.public_id)
    complaint.refresh_from_db()
    complaint.__dict__.pop("content", None)
    return render(request, "complaints/detail.html", _detail_context(request, complaint, step, form))


def get_letter_for(request, complaint_id, letter_id) -> Letter:
    """A complaint letter for the complaints officer, management or the complainant. A committee
    member sees the case without the complainant's contact details (GC-9.4), and every letter
    prints the address it went to: the committee hears both sides and rules, and needs none of
    the correspondence the practice sent (403, logged)."""
    complaint = get_complaint_for(request, complaint_id, handle=True, or_complainant=True,
                                  log_action="complaint.letter_read")
    # A letter to the coach complained about is not the complainant's (404).
    readable = complaint.letters.all() if may_handle(request.user, complaint) else complaint.letters.to_complainant()
    return get_object_or_404(readable, public_id=letter_id)


@require_GET
@role_required(*STAFF, Role.CLIENT)
def letter_pdf(request, complaint_id, letter_id):
    letter = get_letter_for(request, complaint_id, letter_id)
    return _pdf(letters.render(letter), f"{letter.complaint.number or 'klacht'}-{letter.kind}.pdf")


@require_GET
@role_required(*STAFF)
def document(request, complaint_id, document_id):
    complaint = get_complaint_for(request, complaint_id, log_action="complaint.document_read")
    doc = get_object_or_404(Document, complaint=complaint, public_id=document_id)
    response = HttpResponse(actions.read_document(doc), content_type=doc.content_type)
    response["Content-Disposition"] = "attachment"
    return response


# --- The client ------------------------------------------------------------------------------


def _own_client(user):
    return Client.objects.alive().filter(user=user).prefetch_related("trajectories__coach",
                                                                     "trajectories__principal").first()


@require_http_methods(["GET", "POST"])
@role_required(Role.CLIENT)
def lodge(request):
    """KR-1: a client lodges a complaint in the portal."""
    client = _own_client(request.user)
    coach_ids = {t.coach_id for t in client.trajectories.all()} if client else set()
    own_coaches = User.objects.filter(pk__in=coach_ids) if client else None
    # A client with one coach who chooses 'About a coach' means that coach.
    form = forms.PortalComplaintForm(request.POST or None, coach_queryset=own_coaches, initial={
        "idempotency_key": OneTimeTokenField.new(), "coach": next(iter(coach_ids)) if len(coach_ids) == 1 else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint, outcome = actions.lodge_complaint_once(
                idempotency_key=data["idempotency_key"], actor=request.user, now=timezone.now(), channel="portal",
                subject=data["subject"], category=data["category"], level=data["level"],
                description=data["description"], client=client, coach=data["coach"],
                name="" if client else request.user.full_name, email="" if client else request.user.email)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if outcome is Once.CONFLICT:
                messages.warning(request, _("Your complaint had already been sent when you sent the form again; "
                                            "the changes in your second submission were not saved."))
            return redirect("complaints:mine", complaint.public_id)
    return render(request, "complaints/lodge.html", {"form": form, "client": client})  # her portal menu


@require_GET
@role_required(Role.CLIENT)
def mine(request, complaint_id):
    """The client's view of their complaint: its state, dates and letters (GC-6.3)."""
    complaint = get_complaint_for(request, complaint_id)
    return render(request, "complaints/mine.html", {
        "complaint": complaint, "content": complaint.content, "letters": list(complaint.letters.to_complainant()),
        "clocks": [c for c in clocks_for(complaint, timezone.localdate())
                   if c.state != deadlines.State.NOT_APPLICABLE]})


@require_GET
@role_required(*STAFF, Role.CLIENT, Role.THERAPIST, Role.AUDITOR)
def procedure_pdf(request):
    """The complaints procedure, for anyone signed in (KR-3.1), in the language the reader reads
    the site in, or the one asked for (`?language=en`: management reads what an English reader
    was sent)."""
    language = procedure_language_asked(request, request.GET.get("language"))
    return _pdf(letters.procedure_pdf(language=language), letters.procedure_filename(language))


def procedure_language_asked(request, asked: str | None) -> str:
    """The language of the procedure PDF for this request: `asked` when it is one the procedure
    is written in, else the language of the page (page and API)."""
    return asked if asked in LetterLanguage.values else letters.procedure_language(translation.get_language())


# --- Practice settings (management) -----------------------------------------------------------


def template_rows() -> list[dict]:
    """Each letter with its Dutch and English template (None: a letter only written in Dutch),
    and whether its Dutch text was changed after the English one, which may then say
    something else (the English texts start as the standard Dutch texts' translation)."""
    rows = []
    for kind in LetterKind.values:
        dutch = letters.template_for(kind, LetterLanguage.DUTCH)
        english = (letters.template_for(kind, LetterLanguage.ENGLISH)
                   if kind in letters.kinds_in(LetterLanguage.ENGLISH) else None)
        rows.append({"kind": kind, "dutch": dutch, "english": english,
                     "check_english": english is not None and dutch.updated_by_id is not None
                     and (english.updated_by_id is None or english.updated_at < dutch.updated_at)})
    return rows


@require_GET
@role_required(*HANDLERS)
def templates(request):
    return render(request, "complaints/templates.html", {"rows": template_rows(),
                                                         "placeholders": letters.PLACEHOLDERS})


def get_template_for(request, kind):
    """The template of `kind` in the language asked (?language=en; Dutch by default); 404 for
    a letter or language there is none of."""
    language = request.GET.get("language") or LetterLanguage.DUTCH
    if language not in LetterLanguage.values or kind not in letters.kinds_in(language):
        raise Http404
    return letters.template_for(kind, language)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGEMENT)
def template_edit(request, kind):
    template = get_template_for(request, kind)
    form = forms.LetterTemplateForm(request.POST or None, initial={"subject": template.subject,
                                                                   "body": template.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_letter_template(actor=request.user, template=template, now=timezone.now(),
                                           **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("complaints:templates")
    return render(request, "complaints/template_form.html", {"form": form, "template": template,
                                                             "placeholders": letters.PLACEHOLDERS})


@require_http_methods(["GET", "POST"])
@role_required(*HANDLERS)
def closures(request):
    """The practice's closure days: no working days for the deadline clocks."""
    form = forms.ClosureDayForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_role(Role.MANAGEMENT):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.add_closure_day(actor=request.user, now=timezone.now(), **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("complaints:closures")
    return render(request, "complaints/closures.html", {"form": form, "days": ClosureDay.objects.all(),
                                                        "policy_days": policy.current().closure_days,
                                                        "holiday_policy": policy.current().holiday_policy,
                                                        "can_edit": request.user.has_role(Role.MANAGEMENT)})


@require_POST
@role_required(Role.MANAGEMENT)
def closure_delete(request, day_id):
    day = get_object_or_404(ClosureDay, pk=day_id)
    actions.remove_closure_day(actor=request.user, day=day, now=timezone.now())
    return redirect("complaints:closures")


# --- Made known at the start (KR-3.1) --------------------------------------------------------


def procedure_status() -> dict:
    """KR-3.1: the open trajectories and the coaches without proof that the procedure was sent,
    and the latest proofs (page and API)."""
    trajectories = (Trajectory.objects.filter(client__destroyed_at__isnull=True, complaint_notices__isnull=True)
                    .exclude(status="closed").select_related("client", "coach", "principal"))
    coaches = (User.objects.filter(is_active=True, role_grants__role=Role.COACH, complaint_notices__isnull=True)
               .distinct())
    notices = ProcedureNotice.objects.select_related("trajectory__client", "coach")[:50]
    return {"trajectories": trajectories, "coaches": coaches, "notices": notices}


@require_GET
@role_required(Role.MANAGEMENT)
def procedure(request):
    """Trajectories and coaches without proof that the procedure was sent."""
    return render(request, "complaints/procedure.html", procedure_status())


@require_POST
@role_required(Role.MANAGEMENT)
def procedure_send(request):
    now = timezone.now()
    try:
        if request.POST.get("coach"):
            coach = get_object_or_404(User, public_id=request.POST["coach"])
            actions.send_procedure_to_coach(actor=request.user, coach=coach, now=now)
        else:
            trajectory = get_object_or_404(Trajectory.objects.select_related("client"),
                                           public_id=request.POST.get("trajectory") or None)
            actions.send_procedure_for_trajectory(actor=request.user, trajectory=trajectory, now=now)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("complaints:procedure")


# --- Reports ---------------------------------------------------------------------------------


@require_GET
@role_required(*HANDLERS)
def evaluation(request):
    """KR-3.6: the annual evaluation as page, PDF or CSV."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 1900 <= year <= 2999:  # a year outside the calendar's range is a 500 in datetime.date
        year = today.year
    report = reports.evaluation(year, today)
    audit.record(action="complaint.evaluation", object_type="evaluation", object_ref=str(year),
                 basis=Basis.COMPLAINTS, role=",".join(sorted(request.user.roles)))
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return _pdf(reports.evaluation_pdf(report), f"klachtenevaluatie-{year}.pdf")
    if fmt == "csv":
        return _csv(reports.evaluation_csv(report), f"klachtenevaluatie-{year}.csv")
    charts = {key: reports.bars(report[key], title=title, chart_id=f"eval-{key}") for key, title in (
        ("by_channel", _("Complaints by channel")), ("by_category", _("Complaints by category")),
        ("by_outcome", _("Closed complaints by outcome")))}
    charts["lead"] = reports.bars(reports.lead_time_buckets(report["lead_times"]),
                                  title=_("Closed complaints by lead time"), chart_id="eval-lead")
    return render(request, "complaints/evaluation.html", {"report": report, "charts": charts,
                                                          "years": range(today.year, today.year - 6, -1)})


@require_GET
@role_required(*HANDLERS)
def uwv(request):
    """KR-3.7: the five figures for UWV, for a quarter or any period; page, PDF or CSV."""
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    start, end = reports.quarter_bounds(today.year, quarter)
    form = forms.PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    # A period asked for and refused gets no figures: those of the current quarter, shown
    # under the error, were read as the figures asked for.
    figures = None if form.errors else reports.uwv_figures(start, end)
    fmt = request.GET.get("format")
    if fmt == "pdf" and figures is not None:
        return _pdf(reports.uwv_pdf(figures), f"uwv-klachten-{start}-{end}.pdf")
    if fmt == "csv" and figures is not None:
        return _csv(reports.uwv_csv(figures), f"uwv-klachten-{start}-{end}.csv")
    quarters = [(y, q, *reports.quarter_bounds(y, q)) for y in (today.year, today.year - 1) for q in (4, 3, 2, 1)]
    return render(request, "complaints/uwv.html", {"form": form, "figures": figures, "quarters": quarters,
                                                    "footnote": reports.uwv_footnote()})
