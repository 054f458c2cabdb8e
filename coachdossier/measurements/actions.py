"""Every audited change to measurements: recording a session (values, conclusions, the
device's PDF report), importing an RR-interval file with HRV analysis, and removing a
destroyed client's measurements with their files."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coachdossier import audit
from coachdossier.accounts.models import Role
from coachdossier.audit.models import Basis
from coachdossier.clients import crypto, uploads
from coachdossier.clients.actions import _remove_on_rollback, atomic_files
from coachdossier.clients.models import SealedJSON

from . import hrv
from .models import QUANTITIES, QUANTITY, MeasurementSession, Protocol

MAX_RR_BYTES = 5 * 1024 * 1024  # a 24-hour recording of ~100,000 beats is well under 1 MB


def _log(action, *, client, obj, grant=None):
    audit.record(action=action, client=client, obj=obj, basis=getattr(grant, "basis", Basis.REFERRAL),
                 basis_ref=getattr(grant, "ref", ""), role=getattr(grant, "role", Role.THERAPIST))


def _lang() -> str:
    return "en" if (get_language() or "nl").startswith("en") else "nl"


def _store(session, part: str, data: bytes) -> str:
    client_ref = session.client.public_id
    name = default_storage.save(f"{client_ref}/measurement-{session.public_id}-{part}.bin",
                                ContentFile(crypto.seal(client_ref, data, session.aad(part))))
    _remove_on_rollback(name)
    return name


def read_file(session, part: str) -> bytes:
    """The decrypted bytes of the session's "report" or "rr" file."""
    name = session.report_storage_name if part == "report" else session.rr_storage_name
    with default_storage.open(name, "rb") as fh:
        return crypto.open_sealed(session.client.public_id, fh.read(), session.aad(part))


def clean_values(values: dict) -> dict:
    """Numbers within the plausible range of each quantity; errors per field."""
    errors, cleaned = {}, {}
    for key, value in values.items():
        if value in (None, ""):
            continue
        quantity = QUANTITY.get(key)
        if quantity is None:
            errors[key] = _("Unknown measurement.")
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[key] = _("Enter a number.")
            continue
        if not quantity.low <= number <= quantity.high:
            errors[key] = _("Enter a value between %(low)s and %(high)s %(unit)s.") % {
                "low": quantity.low, "high": quantity.high, "unit": quantity.unit}
            continue
        cleaned[key] = round(number, 2)
    if errors:
        raise ValidationError(errors)
    return cleaned


def analyse_rr(data: bytes, filename: str) -> dict:
    """Parse and analyse an RR file; ValidationError({"rr_file": reason}) when it cannot be used.
    A recording too short for the frequency domain still gives the time domain (the result
    says why the frequency domain is missing)."""
    lang = _lang()
    if not data:
        raise ValidationError({"rr_file": _("The file is empty.")})
    if len(data) > MAX_RR_BYTES:
        raise ValidationError({"rr_file": _("The file is larger than 5 MB; is this an RR-interval file?")})
    try:
        series = hrv.parse_rr(data, filename)
        result = hrv.analyse(series)
        tachogram = hrv.tachogram_points(series)
        spectrum = hrv.power_spectrum(series) if result.frequency else None
    except hrv.RRFormatError as exc:
        reason = {
            "not_a_number": ngettext("line %(lines)s holds no number.", "lines %(lines)s hold no number.",
                                     len(exc.lines)),
            "no_rr_column": _("line %(lines)s is not a number, and no column is named rr, rri, rr_ms, interval "
                              "or ibi."),
        }.get(exc.kind, _("no RR intervals found.")) % {
            "lines": ", ".join(str(n) for n in exc.lines[:10]) + (" …" if len(exc.lines) > 10 else "")}
        raise ValidationError({"rr_file": _("This is not an RR-interval file we can read: %(reason)s") % {
            "reason": reason}}) from exc
    except hrv.RRQualityError as exc:
        counts = exc.artefacts
        raise ValidationError({"rr_file": "{} {}".format(hrv.MESSAGES[exc.reason][lang], _(
            "%(raw)d intervals, %(range)d out of the physiological range (250-2500 ms), %(ectopic)d ectopic.") % {
            "raw": counts.n_raw, "range": counts.n_out_of_range, "ectopic": counts.n_ectopic})}) from exc
    return {"result": result.to_dict(), "tachogram": tachogram.to_dict(),
            "spectrum": spectrum.to_dict() if spectrum else None, "source_format": series.source_format}


def _check_report(upload) -> bytes:
    data = upload.read()
    try:
        content_type = uploads.check_upload(data, upload.name)
    except ValidationError as exc:
        raise ValidationError({"report": exc.messages}) from exc
    if content_type != "application/pdf":
        raise ValidationError({"report": _("The device report must be a PDF.")})
    return data


def record_session(*, actor, client, measured_on, protocol: str, values: dict, conclusions: str = "",
                   report=None, rr_file=None, now, grant=None) -> MeasurementSession:
    """The therapist records a measurement session. An RR file is analysed on the spot; its
    heart rate, RMSSD and SDNN fill those values when they were left empty. Any bad part
    refuses the whole session: nothing is stored."""
    errors: dict[str, Any] = {}
    if protocol not in Protocol.values:
        errors["protocol"] = _("Choose a protocol.")
    if measured_on > timezone.localdate(now):
        errors["measured_on"] = _("The date cannot be in the future.")
    try:
        values = clean_values(values)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    analysis = report_data = rr_data = None
    if report is not None:
        try:
            report_data = _check_report(report)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if rr_file is not None:
        rr_data = rr_file.read()
        try:
            analysis = analyse_rr(rr_data, rr_file.name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not values and rr_file is None and not conclusions.strip():  # a bad RR file has its own message
        errors.setdefault("__all__", _("Enter at least one value, an RR file or a conclusion."))
    if errors:
        raise ValidationError(errors)
    if analysis:
        time_domain = analysis["result"]["time"]
        for q in QUANTITIES:
            if q.hrv_key and q.key not in values and time_domain.get(q.hrv_key) is not None:
                values[q.key] = round(time_domain[q.hrv_key], 1)

    with atomic_files():
        session = MeasurementSession(public_id=uuid.uuid4(), client=client, recorded_by=actor,
                                     measured_on=measured_on, protocol=protocol, created_at=now)
        ref = client.public_id
        session.values_sealed = SealedJSON.seal(ref, values, session.aad("values"))
        session.conclusions_sealed = SealedJSON.seal(ref, {"text": conclusions.strip()}, session.aad("conclusions"))
        if report_data is not None:
            session.report_storage_name = _store(session, "report", report_data)
            session.report_name_sealed = crypto.seal(ref, uploads.stored_name(report.name), session.aad("report-name"))
            session.report_size = len(report_data)
        if analysis is not None and rr_data is not None:
            _attach_rr(session, rr_data, rr_file.name, analysis)
        session.save()
        _log("measurement.record", client=client, obj=session, grant=grant)
    return session


def _attach_rr(session, data: bytes, filename: str, analysis: dict) -> None:
    ref = session.client.public_id
    session.rr_storage_name = _store(session, "rr", data)
    session.rr_name_sealed = crypto.seal(ref, uploads.stored_name(filename), session.aad("rr-name"))
    session.hrv_sealed = SealedJSON.seal(ref, analysis, session.aad("hrv"))


def import_rr(*, actor, session: MeasurementSession, rr_file, now, grant=None) -> MeasurementSession:
    """Add (or replace) the RR-interval recording of a session and store its HRV analysis."""
    data = rr_file.read()
    analysis = analyse_rr(data, rr_file.name)
    old = session.rr_storage_name
    with atomic_files():
        _attach_rr(session, data, rr_file.name, analysis)
        session.save(update_fields=["rr_storage_name", "rr_name_sealed", "hrv_sealed"])
        _log("measurement.import_rr", client=session.client, obj=session, grant=grant)
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))
    for attr in ("hrv", "rr_filename"):
        session.__dict__.pop(attr, None)
    return session


def delete_for_client(*, client, actor, now) -> None:
    """clients.hooks.CLIENT_DESTROYED: measurements and their encrypted files go (GC-5.4)."""
    sessions = MeasurementSession.objects.filter(client=client)
    files = [name for pair in sessions.values_list("report_storage_name", "rr_storage_name") for name in pair if name]
    sessions.delete()

    def remove():
        for name in files:
            default_storage.delete(name)

    transaction.on_commit(remove)
