"""Measurements API: list a client's sessions (coach, client, referred therapist) and record
a session with optional RR intervals (the referred therapist). Same action as the page."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from coachdossier.clients import access

from . import actions
from .models import MeasurementSession

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


def _out(s):
    return {"id": s.public_id, "date": s.measured_on, "protocol": s.protocol, "values": s.values,
            "conclusions": s.conclusions, "hrv": s.hrv.get("result") if s.hrv else None}


@router.get("/clients/{client_id}/sessions", response=list[SessionOut])
def list_sessions(request, client_id: uuid.UUID):
    client, grant = access.get_client_for(request, client_id, "measurements.read")
    sessions = list(MeasurementSession.objects.filter(client=client))
    for s in sessions:
        s.client = client
    return [_out(s) for s in sessions]


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
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        detail = {("rr_intervals_ms" if k == "rr_file" else k): v for k, v in detail.items()}
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in detail.items())) from exc
    return Status(201, _out(session))
