"""Complaints API: lodging, registering, every step, the committee, letters and reports.
Thin: the same accessor and actions as the pages; bad input gives 422 with field errors."""

import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, HeaderEx, P, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from coachdossier import policy
from coachdossier.accounts.models import Role, User
from coachdossier.api.pagination import Pages, Rows
from coachdossier.clients.models import Client, Trajectory
from coachdossier.lib.idempotency import Once

from . import actions, letters, reports
from .models import ClosureDay, Complaint, Document, LetterLanguage, clocks_for, working_calendar
from .views import (
    HANDLERS,
    get_complaint_for,
    get_letter_for,
    is_complainant,
    may_handle,
    procedure_language_asked,
    procedure_status,
    template_rows,
)

router = Router(tags=["complaints"])


class ClockOut(Schema):
    key: str
    rule: str
    due: datetime.date | None
    done_on: datetime.date | None
    state: str


class ComplaintOut(Schema):
    id: UUID
    number: str
    status: str
    channel: str
    subject: str
    category: str
    level: str
    received_on: datetime.date
    outcome: str
    language: str  # the complainant's: letters and notices go out in it
    clocks: list[ClockOut]


class ComplaintDetailOut(ComplaintOut):
    description: str
    committee: list[str]
    letters: list[dict]
    # The documents shared with the case (GC-9.4: the committee sees these, never the dossier).
    documents: list[dict] = []
    # For those who handle the case: every complaints officer is involved in it (KR-3.3b), so
    # management handles it or appoints an officer who is not. Always false for anyone else.
    no_impartial_officer: bool = False
    # For those who handle an open case: the outcomes it can close with now, as the page's close
    # form offers them (actions.closing_outcomes; KR-3.5). Empty for anyone else.
    closing_outcomes: list[str] = []
    # The latest register event (KR-3.3e); send it back as `seen` when closing.
    last_event: str = ""


class PhoneFormIn(Schema):
    """KR-2.2: the standard registration form filled in with a caller; text fields only."""

    called_at: str = ""
    summary: str = ""
    wish: str = ""
    agreed: str = ""


class LodgeIn(Schema):
    subject: str
    category: str
    description: str
    channel: str = "portal"
    level: str = "practice"
    received_on: datetime.date | None = None
    coach: UUID | None = None
    client_reference: str = ""
    name: str = ""
    # Where letters go for a complainant who is not a client (KR-2.1), as the page's postal
    # address: one line each.
    address_lines: list[str] = []
    email: str = ""
    phone: str = ""
    phone_offer_made: bool = False
    phone_form: PhoneFormIn = PhoneFormIn()
    # The complainant's language for letters ("nl" or "en"); without it, the language of her
    # portal account (the client's own, or that of the client named by `client_reference`), or Dutch.
    language: str | None = None


class TextIn(Schema):
    text: str = ""


class RulingLetterIn(TextIn):
    """GC-8.2: `text` for the complainant's letter, `coach_text` for the coach's."""

    coach_text: str = ""


class RegisterComplaintIn(Schema):
    received_on: datetime.date | None = None
    category: str | None = None
    language: str | None = None


class ComplainantLanguageIn(Schema):
    language: str  # "nl" or "en"


class AdmissionIn(Schema):
    admitted: bool
    reason: str = ""


class CommitteeIn(Schema):
    coaches: list[UUID]


class ExtensionIn(Schema):
    new_date: datetime.date
    told_via: str
    text: str = ""


class SettleIn(Schema):
    text: str
    measures: str = ""


class RulingIn(Schema):
    ruling: str
    ruling_on: datetime.date
    measures: str = ""


class CallIn(Schema):
    reached: bool
    satisfied: bool | None = None
    note: str = ""


class CloseIn(Schema):
    outcome: str
    note: str = ""
    # Optional: the `last_event` of the case as the caller last read it. When someone else took a
    # step since, nothing is closed and the 422 says what they did (KR-3.5).
    seen: str = ""


class NoteIn(Schema):
    note: str


def _out(complaint, *, detail=False, calendar=None, complainant=False, handler=False) -> dict:
    """The complaint as the API gives it; `complainant`: for the complainant, who is not given
    the letters to the coach; `handler`: for someone who handles it (`may_handle`)."""
    today = timezone.localdate()
    data = {
        "id": complaint.public_id, "number": complaint.number, "status": complaint.status,
        "channel": complaint.channel, "subject": complaint.subject, "category": complaint.category,
        "level": complaint.level, "received_on": complaint.received_on, "outcome": complaint.outcome,
        "language": complaint.language, "clocks": [{"key": c.key, "rule": c.rule, "due": c.due, "done_on": c.done_on, "state": str(c.state)}
                   for c in clocks_for(complaint, today, calendar)],
    }
    if detail:
        data["description"] = complaint.content.get("description", "")
        data["committee"] = [str(m.coach) for m in complaint.committee.select_related("coach")]
        data["letters"] = [{"id": str(letter.public_id), "kind": letter.kind, "date": letter.date.isoformat(),
                            "language": letter.language}
                           for letter in (complaint.letters.to_complainant() if complainant
                                          else complaint.letters.all())]
        data["documents"] = [{"id": str(doc.public_id), "name": doc.name, "size": doc.size}
                             for doc in complaint.documents.all()] if not complainant else []
        data["no_impartial_officer"] = handler and not complaint.impartial_officers()
        data["closing_outcomes"] = ([str(o) for o in actions.closing_outcomes(complaint)]
                                    if handler and complaint.number and complaint.is_open else [])
        data["last_event"] = actions.last_event_id(complaint) if handler else ""
    return data


def _handle(request, complaint_id, step):
    return get_complaint_for(request, complaint_id, handle=True, log_action=f"complaint.{step}")


def _require_handler(request):
    if not request.user.has_role(*HANDLERS):
        raise PermissionDenied


@router.get("/reports/uwv")
def uwv_report(request, start: datetime.date, end: datetime.date):
    """KR-3.7: the five figures for any period."""
    _require_handler(request)
    if end < start:
        raise ValidationError({"end": ["The end comes before the start."]})
    f = reports.uwv_figures(start, end)
    return {"start": f.start, "end": f.end, "total": f.total, "not_admitted": f.not_admitted,
            "not_admitted_in_term": f.not_admitted_in_term, "admitted": f.admitted,
            "admitted_in_term": f.admitted_in_term}


@router.get("/reports/evaluation")
def evaluation_report(request, year: int = Query(..., ge=1900, le=2999)):
    """KR-3.6: the annual evaluation's figures."""
    _require_handler(request)
    report = reports.evaluation(year, timezone.localdate())
    report.pop("lead_times")
    return report


class LetterTemplateOut(Schema):
    kind: str
    language: str
    subject: str
    body: str
    updated_at: datetime.datetime
    # The Dutch text was changed after this English one, which may now say something else.
    check_against_dutch: bool = False


class LetterTemplateIn(Schema):
    subject: str
    body: str


def _template_out(template, check=False) -> dict:
    return {"kind": template.kind, "language": template.language, "subject": template.subject,
            "body": template.body, "updated_at": template.updated_at, "check_against_dutch": check}


@router.get("/letter-templates", response=list[LetterTemplateOut])
def letter_templates(request):
    """The practice's letter texts, Dutch and English (letters to the coach only in Dutch)."""
    _require_handler(request)
    return [_template_out(t, check=t is row["english"] and row["check_english"])
            for row in template_rows() for t in (row["dutch"], row["english"]) if t is not None]


@router.put("/letter-templates/{kind}/{language}", response=LetterTemplateOut)
def letter_template_edit(request, kind: str, language: str, payload: LetterTemplateIn):
    """Management changes a letter's text in one language; 404 for a letter or language there is
    none of."""
    if not request.user.has_role(Role.MANAGEMENT):
        raise PermissionDenied
    if language not in LetterLanguage.values or kind not in letters.kinds_in(language):
        raise Http404
    template = letters.template_for(kind, language)
    actions.update_letter_template(actor=request.user, template=template, now=timezone.now(),
                                   subject=payload.subject, body=payload.body)
    return _template_out(template)


class ClosureDayOut(Schema):
    date: datetime.date
    description: str


class ClosureDaysOut(Schema):
    """The days that are no working days for the deadline clocks besides weekends: the public
    holidays of `holiday_policy`, the policy file's closure days and those management entered."""

    holiday_policy: str
    policy_days: list[datetime.date]
    days: list[ClosureDayOut]


class ClosureDayIn(Schema):
    date: datetime.date
    description: str = ""


def _closure_days() -> dict:
    p = policy.current()
    return {"holiday_policy": p.holiday_policy,
            "policy_days": sorted(datetime.date.fromisoformat(str(d)) for d in p.closure_days),
            "days": [{"date": d.date, "description": d.description} for d in ClosureDay.objects.all()]}


@router.get("/closure-days", response=ClosureDaysOut)
def closure_days(request):
    _require_handler(request)
    return _closure_days()


@router.post("/closure-days", response={201: ClosureDaysOut})
def closure_day_add(request, payload: ClosureDayIn):
    """Management adds a day the practice is closed; every clock skips it from then on."""
    if not request.user.has_role(Role.MANAGEMENT):
        raise PermissionDenied
    actions.add_closure_day(actor=request.user, date=payload.date, description=payload.description,
                            now=timezone.now())
    return Status(201, _closure_days())


@router.delete("/closure-days/{date}", response=ClosureDaysOut)
def closure_day_delete(request, date: datetime.date):
    if not request.user.has_role(Role.MANAGEMENT):
        raise PermissionDenied
    actions.remove_closure_day(actor=request.user, day=get_object_or_404(ClosureDay, date=date), now=timezone.now())
    return _closure_days()


class ProcedureTrajectoryOut(Schema):
    id: UUID
    client_reference: str
    coach: str
    opened_on: datetime.date


class ProcedureNoticeOut(Schema):
    sent_at: datetime.datetime
    trajectory: UUID | None
    coach: UUID | None
    recipient_sha256: str
    document_sha256: str
    document_language: str  # the language of the PDF that was sent: the recipient's


class ProcedureStatusOut(Schema):
    """KR-3.1: who has no proof yet that the complaints procedure was sent, and the latest proofs."""

    trajectories_without_proof: list[ProcedureTrajectoryOut]
    coaches_without_proof: list[dict]
    notices: list[ProcedureNoticeOut]


class ProcedureSendIn(Schema):
    """One of the two: an open trajectory's client, or a (freelance) coach."""

    trajectory: UUID | None = None
    coach: UUID | None = None


def _procedure_status() -> dict:
    status = procedure_status()
    return {
        "trajectories_without_proof": [{"id": t.public_id, "client_reference": t.client.reference,
                                        "coach": str(t.coach), "opened_on": t.opened_on}
                                       for t in status["trajectories"]],
        "coaches_without_proof": [{"id": str(c.public_id), "name": str(c)} for c in status["coaches"]],
        "notices": [{"sent_at": n.sent_at, "trajectory": n.trajectory.public_id if n.trajectory else None,
                     "coach": n.coach.public_id if n.coach else None, "recipient_sha256": n.recipient_sha256,
                     "document_sha256": n.document_sha256, "document_language": n.document_language}
                    for n in status["notices"]],
    }


@router.get("/procedure-notices", response=ProcedureStatusOut)
def procedure_notices(request):
    if not request.user.has_role(Role.MANAGEMENT):
        raise PermissionDenied
    return _procedure_status()


@router.post("/procedure-notices", response={201: ProcedureStatusOut})
def procedure_send(request, payload: ProcedureSendIn):
    """KR-3.1: send the complaints procedure, demonstrably, to a trajectory's client or a coach."""
    if not request.user.has_role(Role.MANAGEMENT):
        raise PermissionDenied
    if (payload.trajectory is None) == (payload.coach is None):
        raise ValidationError({"trajectory": ["Name either a trajectory or a coach."]})
    now = timezone.now()
    if payload.coach is not None:
        coach = get_object_or_404(User, public_id=payload.coach)
        actions.send_procedure_to_coach(actor=request.user, coach=coach, now=now)
    else:
        trajectory = get_object_or_404(Trajectory.objects.select_related("client"), public_id=payload.trajectory)
        actions.send_procedure_for_trajectory(actor=request.user, trajectory=trajectory, now=now)
    return Status(201, _procedure_status())


# The OpenAPI schema says the PDF is binary, so a client (and the fuzzer) does not read it as JSON.
PDF_RESPONSE = {"responses": {200: {"description": "The PDF.", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/procedure.pdf", openapi_extra=PDF_RESPONSE)
def procedure_pdf(request, language: str | None = None):
    """KR-3.1: the complaints procedure, for anyone signed in, in `language` ("nl" or "en"; 422
    for another), else in the language the caller reads the site in (Dutch unless she chose
    English)."""
    if language is not None and language not in LetterLanguage.values:
        raise ValidationError({"language": ["Choose nl or en."]})
    language = procedure_language_asked(request, language)
    return HttpResponse(letters.procedure_pdf(language=language), content_type="application/pdf")


@router.get("/", response=list[ComplaintOut])
@paginate(Pages)
def list_complaints(request, open: bool = True):
    """The register: the complaints the caller may see (officer and management all, committee
    members their cases, a client their own), newest first, a page at a time: the register
    of every year grows without end."""
    qs = Complaint.objects.visible_to(request.user)
    qs = qs.open() if open else qs
    calendar = working_calendar()
    return Rows(qs, lambda c: _out(c, calendar=calendar))


IDEMPOTENCY_KEY = P(alias="Idempotency-Key", max_length=255, description=(
    "Optional: a random value of your own (a UUID, say) that names this request. Send the same "
    "key again (a retry after a lost response) and no second complaint is lodged: the answer is "
    "200 with the complaint the first request lodged, or 409 if this request's content differs "
    "from what the first request sent. Keys are per user."))


class LodgeConflict(Schema):
    """The `Idempotency-Key` was used before, by a request with other content than this one:
    nothing of this request was saved."""

    detail: str
    complaint: UUID


@router.post("/", response={200: ComplaintDetailOut, 201: ComplaintDetailOut, 409: LodgeConflict})
def lodge(request, payload: LodgeIn, idempotency_key: HeaderEx[str, IDEMPOTENCY_KEY] = ""):
    """KR-1, KR-2: lodge a complaint. 201 with the new complaint; 200 with the earlier one when
    its `Idempotency-Key` is sent again (one case, one set of clocks); 409 naming the earlier
    one when the key is sent again with other content (which is not saved)."""
    user = request.user
    if not user.has_role(Role.CLIENT, Role.COMPLAINTS_OFFICER, Role.MANAGEMENT, Role.COACH):
        raise PermissionDenied
    client = None
    if user.has_role(Role.CLIENT) and not user.is_staff_member:
        client = Client.objects.alive().filter(user=user).first()
    elif payload.client_reference:
        client = Client.objects.alive().filter(reference=payload.client_reference).first()
        if client is None:
            raise ValidationError({"client_reference": ["No client with this reference."]})
    coach = User.objects.filter(public_id=payload.coach).first() if payload.coach else None
    if client is not None and coach is not None and user.has_role(Role.CLIENT) and not user.is_staff_member:
        if not client.trajectories.filter(coach=coach).exists():
            raise ValidationError({"coach": ["Name your own coach."]})
    complaint, outcome = actions.lodge_complaint_once(
        idempotency_key=idempotency_key.strip(), actor=user, now=timezone.now(), channel=payload.channel,
        subject=payload.subject, category=payload.category,
        description=payload.description, received_on=payload.received_on, level=payload.level, client=client,
        coach=coach, name=payload.name, email=payload.email, phone=payload.phone,
        address_lines=[line.strip() for line in payload.address_lines if line.strip()],
        phone_offer_made=payload.phone_offer_made,
        phone_form=payload.phone_form.dict(), language=payload.language)
    if outcome is Once.CONFLICT:
        return Status(409, {"detail": "This Idempotency-Key was already used, with other content, for the complaint "
                                      "named here. Nothing of this request was saved.",
                            "complaint": complaint.public_id})
    return Status(201 if outcome is Once.CREATED else 200,
                  _out(complaint, detail=True, complainant=is_complainant(user), handler=may_handle(user, complaint)))


@router.get("/{complaint_id}", response=ComplaintDetailOut)
def complaint_detail(request, complaint_id: UUID):
    complaint = get_complaint_for(request, complaint_id)
    return _out(complaint, detail=True, complainant=is_complainant(request.user),
                handler=may_handle(request.user, complaint))


def _done(complaint) -> dict:
    complaint.refresh_from_db()
    complaint.__dict__.pop("content", None)
    return _out(complaint, detail=True, handler=True)  # only those who handle it take a step


@router.post("/{complaint_id}/register", response=ComplaintDetailOut)
def register(request, complaint_id: UUID, payload: RegisterComplaintIn):
    """KR-3.2: enter the complaint in the register; it gets its number."""
    c = _handle(request, complaint_id, "register")
    actions.register_complaint(actor=request.user, complaint=c, now=timezone.now(),
                               received_on=payload.received_on, category=payload.category,
                               language=payload.language)
    return _done(c)


@router.put("/{complaint_id}/language", response=ComplaintDetailOut)
def language(request, complaint_id: UUID, payload: ComplainantLanguageIn):
    """The complainant's language: the letters from now on, and their notices, go out in it (the
    ones sent stay as they were). A client changes it for her own complaints by changing her own
    language (PUT /api/accounts/me/language)."""
    c = _handle(request, complaint_id, "language")
    actions.change_language(actor=request.user, complaint=c, now=timezone.now(), language=payload.language)
    return _done(c)


@router.post("/{complaint_id}/acknowledgement", response=ComplaintDetailOut)
def acknowledge(request, complaint_id: UUID, payload: TextIn):
    c = _handle(request, complaint_id, "acknowledge")
    actions.acknowledge(actor=request.user, complaint=c, now=timezone.now(), text=payload.text)
    return _done(c)


@router.post("/{complaint_id}/admission", response=ComplaintDetailOut)
def admission(request, complaint_id: UUID, payload: AdmissionIn):
    c = _handle(request, complaint_id, "admission")
    actions.decide_admission(actor=request.user, complaint=c, now=timezone.now(),
                                          admitted=payload.admitted, reason=payload.reason)
    return _done(c)


@router.post("/{complaint_id}/committee", response=ComplaintDetailOut)
def committee(request, complaint_id: UUID, payload: CommitteeIn):
    """KR-3.3b: exactly two coaches, none of them involved."""
    c = _handle(request, complaint_id, "committee")
    coaches = list(User.objects.filter(public_id__in=payload.coaches))
    if len(coaches) != len(set(payload.coaches)):
        raise ValidationError({"coaches": ["Unknown coach."]})
    actions.appoint_committee(actor=request.user, complaint=c, now=timezone.now(), coaches=coaches)
    return _done(c)


@router.post("/{complaint_id}/extension", response=ComplaintDetailOut)
def extension(request, complaint_id: UUID, payload: ExtensionIn):
    c = _handle(request, complaint_id, "extend")
    actions.extend_term(actor=request.user, complaint=c, now=timezone.now(), new_date=payload.new_date,
                                     told_via=payload.told_via, text=payload.text)
    return _done(c)


@router.post("/{complaint_id}/settlement", response=ComplaintDetailOut)
def settlement(request, complaint_id: UUID, payload: SettleIn):
    c = _handle(request, complaint_id, "settle")
    actions.settle(actor=request.user, complaint=c, now=timezone.now(), text=payload.text,
                                measures=payload.measures)
    return _done(c)


@router.post("/{complaint_id}/ruling", response=ComplaintDetailOut)
def ruling(request, complaint_id: UUID, payload: RulingIn):
    c = _handle(request, complaint_id, "ruling")
    actions.record_ruling(actor=request.user, complaint=c, now=timezone.now(), ruling=payload.ruling,
                                       ruling_on=payload.ruling_on, measures=payload.measures)
    return _done(c)


@router.post("/{complaint_id}/ruling-communicated", response=ComplaintDetailOut)
def ruling_communicated(request, complaint_id: UUID, payload: RulingLetterIn):
    """GC-8.2: the letters with the ruling, to the complainant and to the coach."""
    c = _handle(request, complaint_id, "communicate")
    actions.communicate_ruling(actor=request.user, complaint=c, now=timezone.now(), text=payload.text,
                                            coach_text=payload.coach_text)
    return _done(c)


@router.post("/{complaint_id}/calls", response=ComplaintDetailOut)
def call(request, complaint_id: UUID, payload: CallIn):
    c = _handle(request, complaint_id, "call")
    actions.log_call(actor=request.user, complaint=c, now=timezone.now(), reached=payload.reached,
                                  satisfied=payload.satisfied, note=payload.note)
    return _done(c)


@router.post("/{complaint_id}/not-reached-letter", response=ComplaintDetailOut)
def not_reached(request, complaint_id: UUID):
    c = _handle(request, complaint_id, "not_reached")
    actions.send_not_reached_letter(actor=request.user, complaint=c, now=timezone.now())
    return _done(c)


@router.post("/{complaint_id}/mediation", response=ComplaintDetailOut)
def mediation(request, complaint_id: UUID, payload: TextIn):
    c = _handle(request, complaint_id, "mediation")
    actions.refer_to_mediation(actor=request.user, complaint=c, now=timezone.now(), text=payload.text)
    return _done(c)


class HandOverIn(Schema):
    note: str = ""


@router.post("/{complaint_id}/umbrella", response=ComplaintDetailOut)
def umbrella(request, complaint_id: UUID, payload: HandOverIn):
    """GC-8.1: the complaint goes to the umbrella organisation's complaints committee."""
    c = _handle(request, complaint_id, "umbrella")
    actions.hand_to_umbrella(actor=request.user, complaint=c, now=timezone.now(), note=payload.note)
    return _done(c)


@router.post("/{complaint_id}/close", response=ComplaintDetailOut)
def close(request, complaint_id: UUID, payload: CloseIn):
    c = _handle(request, complaint_id, "close")
    actions.close_complaint(actor=request.user, complaint=c, now=timezone.now(),
                            outcome=payload.outcome, note=payload.note, seen=payload.seen)
    return _done(c)


@router.post("/{complaint_id}/notes", response=ComplaintDetailOut)
def note(request, complaint_id: UUID, payload: NoteIn):
    """Committee members may add notes too."""
    complaint = get_complaint_for(request, complaint_id, log_action="complaint.note")
    if not request.user.has_role(*HANDLERS, Role.COACH):
        raise PermissionDenied
    actions.add_note(actor=request.user, complaint=complaint, now=timezone.now(), note=payload.note)
    return _out(complaint, detail=True, handler=may_handle(request.user, complaint))


def _staff_case(request, complaint_id, log_action):
    """The case for staff who see it (handlers and its committee), as the pages give it: a
    client reads her complaint, not its documents (403)."""
    complaint = get_complaint_for(request, complaint_id, log_action=log_action)
    if not request.user.has_role(*HANDLERS, Role.COACH):
        raise PermissionDenied
    return complaint


@router.post("/{complaint_id}/documents", response={201: ComplaintDetailOut})
def add_document(request, complaint_id: UUID, file: File[UploadedFile]):
    """multipart/form-data, the file under `file`: share a document with the case (KR-2.1, the
    source letter; GC-9.4). Its committee members may too, as on the case page."""
    complaint = _staff_case(request, complaint_id, "complaint.document")
    actions.add_document(actor=request.user, complaint=complaint, now=timezone.now(), upload=file)
    return Status(201, _out(complaint, detail=True, handler=may_handle(request.user, complaint)))


@router.get("/{complaint_id}/documents/{document_id}")
def document(request, complaint_id: UUID, document_id: UUID):
    """A document shared with the case, for those who see the case (staff)."""
    complaint = _staff_case(request, complaint_id, "complaint.document_read")
    doc = get_object_or_404(Document, complaint=complaint, public_id=document_id)
    response = HttpResponse(actions.read_document(doc), content_type=doc.content_type)
    response["Content-Disposition"] = "attachment"
    return response


@router.get("/{complaint_id}/letters/{letter_id}", openapi_extra=PDF_RESPONSE)
def letter_pdf(request, complaint_id: UUID, letter_id: UUID):
    """The complaints officer, management and the complainant; not a committee member (403)."""
    letter = get_letter_for(request, complaint_id, letter_id)
    return HttpResponse(letters.render(letter), content_type="application/pdf")
