"""Reports over the API: the same actions and access-log entries as the pages. Management
gets states only; the client reads the report under review (and its PDF, whose SHA-256 a
signature names) before answering."""

import datetime
import uuid

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from coachdossier.api.pagination import Pages
from coachdossier.clients import access

from . import actions
from .models import Addressee, Delivery, Report, ReportKind, ReportState

router = Router(tags=["reports"])


class ReportStatus(Schema):
    id: uuid.UUID
    reference: str
    kind: ReportKind
    addressee: Addressee
    state: ReportState
    version: int
    signature_required: bool
    created_at: datetime.datetime
    client_notified_at: datetime.datetime | None
    review_until: datetime.date | None
    answered_at: datetime.datetime | None
    sent_at: datetime.datetime | None

    @staticmethod
    def resolve_id(obj):
        return obj.public_id


class Section(Schema):
    title: str
    text: str


class Recipient(Schema):
    name: str = ""
    organisation: str = ""
    address: str = ""
    email: str = ""


class ReportContent(ReportStatus):
    subject: str
    salutation: str
    sections: list[Section]
    closing: str
    trajectory: list[list[str]] | None
    entries: list[dict]
    recipient: dict
    objection: str
    pdf_sha256: str
    signed_sha256: str
    sent_sha256: str

    @staticmethod
    def resolve_subject(obj):
        return obj.content["subject"]

    @staticmethod
    def resolve_salutation(obj):
        return obj.content["salutation"]

    @staticmethod
    def resolve_sections(obj):
        return obj.content["sections"]

    @staticmethod
    def resolve_closing(obj):
        return obj.content["closing"]

    @staticmethod
    def resolve_trajectory(obj):
        return obj.content.get("trajectory")

    @staticmethod
    def resolve_entries(obj):
        return obj.content.get("entries", [])

    @staticmethod
    def resolve_recipient(obj):
        return obj.content.get("recipient") or {}


class NewReport(Schema):
    kind: ReportKind
    addressee: Addressee
    language: str = "nl"
    signature_required: bool = False


class EditReport(Schema):
    addressee: Addressee | None = None
    subject: str
    salutation: str = ""
    sections: list[Section]
    closing: str = ""
    include_trajectory: bool = False
    entry_ids: list[uuid.UUID] = []
    signature_required: bool | None = None
    recipient: Recipient | None = None


class SendIn(Schema):
    code_channel: Delivery.CodeChannel
    recipient_email: str = ""


class SendOut(Schema):
    delivery: uuid.UUID
    expires_at: datetime.datetime
    code: str | None  # only when the coach passes it on by phone


class SignIn(Schema):
    document_sha256: str


class ObjectIn(Schema):
    text: str


def _run(fn, **kwargs):
    """An action at the time now; its refusal (ValidationError) is the API's 422 (api/api.py)."""
    return fn(now=timezone.now(), **kwargs)


def _report(request, client_id, report_id, action, log_action):
    client, grant = access.get_client_for(request, client_id, action, log=False)
    report = (Report.objects.filter(client=client, public_id=report_id)
              .select_related("client__user", "trajectory__principal", "created_by").first())
    if report is None:
        access.deny(request.user, log_action, client_ref=client.public_id)
    return client, grant, report


def _review(request, report_id, log_action="report.review"):
    report = (Report.objects.filter(public_id=report_id, client_notified_at__isnull=False)
              .select_related("client__user", "trajectory__principal").first())
    if report is None:
        access.deny(request.user, log_action)
    client, grant = access.get_client_for(request, report.client.public_id, "reports.review", log=False)
    return grant, report


@router.get("/clients/{client_id}/reports", response=list[ReportStatus])
@paginate(Pages)
def list_reports(request, client_id: uuid.UUID):
    """Every report of the client with its state, without content (coach, substitute,
    management), newest first (number, then version), a page at a time."""
    client, grant = access.get_client_for(request, client_id, "reports.status")
    return Report.objects.filter(client=client).select_related("client").order_by("-number", "-version")


@router.post("/clients/{client_id}/reports", response={201: ReportStatus})
def create_report(request, client_id: uuid.UUID, data: NewReport):
    client, grant = access.get_client_for(request, client_id, "reports.write", log=False)
    return Status(201, _run(actions.create_report, actor=request.user, client=client, grant=grant, **data.dict()))


@router.get("/clients/{client_id}/reports/{report_id}", response=ReportContent)
def get_report(request, client_id: uuid.UUID, report_id: uuid.UUID):
    client, grant, report = _report(request, client_id, report_id, "reports.write", "report.read")
    access.log_access(client, grant, "report.read", obj=report)
    return report


@router.put("/clients/{client_id}/reports/{report_id}", response=ReportContent)
def edit_report(request, client_id: uuid.UUID, report_id: uuid.UUID, data: EditReport):
    client, grant, report = _report(request, client_id, report_id, "reports.write", "report.edit")
    values = data.dict()
    values["sections"] = [dict(s) for s in values["sections"]]
    values["entry_ids"] = [str(i) for i in values["entry_ids"]]
    return _run(actions.edit_report, actor=request.user, report=report, grant=grant, **values)


@router.post("/clients/{client_id}/reports/{report_id}/ready", response=ReportStatus)
def mark_ready(request, client_id: uuid.UUID, report_id: uuid.UUID):
    """PR-6: the client gets a copy first; the state becomes client_copy once the notice went out."""
    client, grant, report = _report(request, client_id, report_id, "reports.write", "report.ready")
    _run(actions.mark_ready, actor=request.user, report=report, grant=grant)
    report.refresh_from_db()
    return report


@router.post("/clients/{client_id}/reports/{report_id}/send", response=SendOut)
def send_report(request, client_id: uuid.UUID, report_id: uuid.UUID, data: SendIn):
    client, grant, report = _report(request, client_id, report_id, "reports.write", "report.send")
    sent = _run(actions.send_report, actor=request.user, report=report, grant=grant, code_channel=data.code_channel,
                recipient_email=data.recipient_email)
    return {"delivery": sent.delivery.public_id, "expires_at": sent.delivery.expires_at,
            "code": sent.code if sent.delivery.code_channel == Delivery.CodeChannel.PHONE else None}


def _pdf(report) -> HttpResponse:
    response = HttpResponse(actions.current_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.reference.replace("/", "-")}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@router.get("/clients/{client_id}/reports/{report_id}/pdf")
def report_pdf(request, client_id: uuid.UUID, report_id: uuid.UUID):
    """The PDF: as sent (once sent), else the client's copy, or a preview of a draft. Logged."""
    client, grant, report = _report(request, client_id, report_id, "reports.write", "report.download")
    access.log_access(client, grant, "report.download", obj=report)
    return _pdf(report)


@router.post("/clients/{client_id}/reports/{report_id}/notify", response=ReportStatus)
def notify_client(request, client_id: uuid.UUID, report_id: uuid.UUID):
    """Send the client's notice of a ready report again (after it could not be delivered)."""
    client, grant, report = _report(request, client_id, report_id, "reports.write", "report.notify")
    _run(actions.notify_client, actor=request.user, report=report, grant=grant)
    report.refresh_from_db()
    return report


@router.post("/clients/{client_id}/reports/{report_id}/revise", response={201: ReportStatus})
def revise(request, client_id: uuid.UUID, report_id: uuid.UUID):
    """PR-6: a change after the client's copy is a new version (a draft, 201); this one can
    no longer be sent, and the client gets a copy of the new one first."""
    client, grant, report = _report(request, client_id, report_id, "reports.write", "report.revise")
    return Status(201, _run(actions.revise_report, actor=request.user, report=report, grant=grant))


@router.get("/review/{report_id}", response=ReportContent)
def review(request, report_id: uuid.UUID):
    """The client reads the report that waits for their answer (PR-6, GC-6.1). Logged."""
    grant, report = _review(request, report_id)
    access.log_access(report.client, grant, "report.review", obj=report)
    return report


@router.get("/review/{report_id}/pdf")
def review_pdf(request, report_id: uuid.UUID):
    """The PDF the client reads and signs: `POST …/sign` names its SHA-256 (`pdf_sha256`). Logged."""
    grant, report = _review(request, report_id)
    access.log_access(report.client, grant, "report.download", obj=report)
    return _pdf(report)


@router.post("/review/{report_id}/approve", response=ReportStatus)
def approve(request, report_id: uuid.UUID):
    grant, report = _review(request, report_id)
    return _run(actions.approve_report, actor=request.user, report=report, grant=grant)


@router.post("/review/{report_id}/sign", response=ReportStatus)
def sign(request, report_id: uuid.UUID, data: SignIn):
    grant, report = _review(request, report_id)
    return _run(actions.sign_report, actor=request.user, report=report, grant=grant,
                document_sha256=data.document_sha256)


@router.post("/review/{report_id}/block", response=ReportStatus)
def block(request, report_id: uuid.UUID):
    grant, report = _review(request, report_id)
    return _run(actions.block_report, actor=request.user, report=report, grant=grant)


@router.post("/review/{report_id}/object", response=ReportStatus)
def object_to(request, report_id: uuid.UUID, data: ObjectIn):
    grant, report = _review(request, report_id)
    return _run(actions.object_to_report, actor=request.user, report=report, grant=grant, text=data.text)
