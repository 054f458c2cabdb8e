"""Measurements API: the same actions and access-log entries as the pages. The referred
therapist lists their caseload, records a session (with RR intervals), adds or replaces a
session's RR recording; coach, client and therapist read the sessions, one session with its
HRV analysis, the files, and the values over time. Bad input: 422 with field errors."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from coachdossier.accounts.models import Role
from coachdossier.api.pagination import Pages, Rows
from coachdossier.clients import access, crypto
from coachdossier.clients.models import Client

from . import actions
from .models import QUANTITIES, QUANTITY, MeasurementSession
from .views import file_download, session_for

router = Router(tags=["measurements"])


class SessionOut(Schema):
    id: uuid.UUID
    date: datetime.date
    protocol: str
    values: dict
    conclusions: str
    hrv: dict | None = None


class SessionIn(Schema):
    date: datetime.date
    protocol: str
    values: dict[str, float] = {}
    conclusions: str = ""
    rr_intervals_ms: list[float] | None = None


class ChartSeriesOut(Schema):
    x: list[float]
    y: list[float]
    x_unit: str
    y_unit: str
    n_source: int


class SessionDetail(SessionOut):
    """One session with the whole HRV analysis of its RR recording: `hrv` (time and
    frequency domain, artefacts, notes), the tachogram and the power spectrum as the page
    charts them (downsampled), and which files it holds."""

    recorded_by: str
    has_device_report: bool
    has_rr_file: bool
    source_format: str = ""
    tachogram: ChartSeriesOut | None = None
    spectrum: ChartSeriesOut | None = None


class CaseloadRow(Schema):
    id: uuid.UUID
    reference: str
    name: str
    sessions: int
    last_measured_on: datetime.date | None


class MeasuredValue(Schema):
    date: datetime.date
    value: float


class QuantityTrend(Schema):
    key: str
    title: str
    unit: str
    count: int = Field(description="Points in the series; they come a page at a time from trends/{key}.")


def _out(s):
    return {"id": s.public_id, "date": s.measured_on, "protocol": s.protocol, "values": s.values,
            "conclusions": s.conclusions, "hrv": s.hrv.get("result") if s.hrv else None}


def _detail(s):
    analysis = s.hrv or {}
    return {**_out(s), "recorded_by": s.recorded_by.full_name, "has_device_report": bool(s.report_storage_name),
            "has_rr_file": bool(s.rr_storage_name), "source_format": analysis.get("source_format") or "",
            "tachogram": analysis.get("tachogram"), "spectrum": analysis.get("spectrum")}


def _field_errors(exc: ValidationError, renames: dict[str, str]) -> ValidationError:
    """The action's field errors under this operation's own field names."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return ValidationError({renames.get(k, k): v for k, v in errors.items()})


@router.get("/clients", response=list[CaseloadRow])
def caseload(request):
    """The therapist's referred clients, name and reference only, with measurement counts
    (GC-9.1). Every client listed is logged, as on the page."""
    if not request.user.has_role(Role.THERAPIST):
        raise PermissionDenied
    clients = list(Client.objects.visible_to(request.user, "measurements.write")
                   .annotate(n_sessions=Count("measurements"), last_measured=Max("measurements__measured_on"))
                   .order_by("reference"))
    crypto.KeyRing.load(c.public_id for c in clients)
    access.log_list(request.user, "measurements.list", clients)
    return [{"id": c.public_id, "reference": c.reference, "name": c.display_name, "sessions": c.n_sessions,
             "last_measured_on": c.last_measured} for c in clients]


@router.get("/clients/{client_id}/sessions", response=list[SessionOut])
@paginate(Pages)
def list_sessions(request, client_id: uuid.UUID):
    """The client's measurement sessions, newest first, a page at a time."""
    client, grant = access.get_client_for(request, client_id, "measurements.read")

    def out(s):
        s.client = client  # the one client, not read again for each session
        return _out(s)
    return Rows(MeasurementSession.objects.filter(client=client).order_by("-measured_on", "-created_at", "-pk"), out)


@router.post("/clients/{client_id}/sessions", response={201: SessionOut})
def record_session(request, client_id: uuid.UUID, payload: SessionIn):
    client, grant = access.get_client_for(request, client_id, "measurements.write", log=False)
    rr_file = None
    if payload.rr_intervals_ms is not None:
        text = "\n".join(f"{v:g}" for v in payload.rr_intervals_ms)
        rr_file = SimpleUploadedFile("api-rr.txt", text.encode())
    try:
        session = actions.record_session(actor=request.user, client=client, measured_on=payload.date,
                                         protocol=payload.protocol, values=payload.values,
                                         conclusions=payload.conclusions, rr_file=rr_file, now=timezone.now(),
                                         grant=grant)
    except ValidationError as exc:
        raise _field_errors(exc, {"rr_file": "rr_intervals_ms", "measured_on": "date"}) from exc
    return Status(201, _out(session))


@router.get("/clients/{client_id}/sessions/{session_id}", response=SessionDetail)
def session_detail(request, client_id: uuid.UUID, session_id: uuid.UUID):
    client, grant, session = session_for(request, client_id, session_id, "measurements.read")
    access.log_access(client, grant, "measurements.read", obj=session)
    return _detail(session)


@router.post("/clients/{client_id}/sessions/{session_id}/rr", response=SessionDetail)
def upload_rr(request, client_id: uuid.UUID, session_id: uuid.UUID, rr_file: File[UploadedFile]):
    """multipart/form-data, the file under `rr_file`: one interval in ms (or seconds) per line,
    a CSV with an RR/IBI column, or a Polar Sensor Logger RR export. Adds or replaces the
    session's recording and its HRV analysis; a file that cannot be used is a 422 and the
    session keeps what it had."""
    client, grant, session = session_for(request, client_id, session_id, "measurements.write")
    actions.import_rr(actor=request.user, session=session, rr_file=rr_file, now=timezone.now(), grant=grant)
    return _detail(session)


@router.get("/clients/{client_id}/sessions/{session_id}/report")
def download_report(request, client_id: uuid.UUID, session_id: uuid.UUID):
    """The device's report (PDF), decrypted; 404 when the session has none. Logged."""
    return file_download(request, client_id, session_id, "report")


@router.get("/clients/{client_id}/sessions/{session_id}/rr")
def download_rr(request, client_id: uuid.UUID, session_id: uuid.UUID):
    """The RR-interval file as it was imported, decrypted; 404 when the session has none. Logged."""
    return file_download(request, client_id, session_id, "rr")


def _sessions_over_time(request, client_id) -> list[MeasurementSession]:
    """The client's sessions with their values (sealed: opened here, not in SQL), newest first;
    the HRV analysis, the bulk of a session, stays unread."""
    client, grant = access.get_client_for(request, client_id, "measurements.read")
    sessions = list(MeasurementSession.objects.filter(client=client).defer("hrv_sealed")
                    .order_by("-measured_on", "-created_at", "-pk"))
    for s in sessions:
        s.client = client
    return sessions


@router.get("/clients/{client_id}/trends", response=list[QuantityTrend])
def client_trends(request, client_id: uuid.UUID):
    """Each quantity measured at least once, with its unit and how many points it has: the
    series of the "over time" charts (coach, client, referred therapist). The points themselves
    come a page at a time from `trends/{key}` (years of measurements are no one answer)."""
    sessions = _sessions_over_time(request, client_id)
    return [{"key": q.key, "title": str(q.label), "unit": q.unit, "count": n}
            for q in QUANTITIES if (n := sum(q.key in s.values for s in sessions))]


@router.get("/clients/{client_id}/trends/{key}", response=list[MeasuredValue])
@paginate(Pages)
def client_trend(request, client_id: uuid.UUID, key: str):
    """One quantity's (date, value) points, newest first, a page at a time; 404 for a key that
    is no quantity (the keys: `trends`)."""
    if key not in QUANTITY:
        raise Http404
    points = [s for s in _sessions_over_time(request, client_id) if key in s.values]
    return Rows(points, lambda s: {"date": s.measured_on, "value": s.values[key]})
