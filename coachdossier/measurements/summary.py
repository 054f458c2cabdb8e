"""JSON-able summaries of a client's measurements, for reports and the client's copy."""

from .models import QUANTITY, MeasurementSession, Protocol


def for_client(client) -> dict:
    sessions = []
    for s in MeasurementSession.objects.filter(client=client).order_by("measured_on", "created_at"):
        s.client = client
        entry = {
            "id": str(s.public_id),
            "date": s.measured_on.isoformat(),
            "protocol": s.protocol,
            "values": [{"key": k, "value": v, "unit": QUANTITY[k].unit} for k, v in s.values.items() if k in QUANTITY],
            "conclusions": s.conclusions,
            "has_device_report": bool(s.report_storage_name),
            "hrv": s.hrv.get("result") if s.hrv else None,
        }
        sessions.append(entry)
    return {"measurements": sessions}


def export_section(client) -> tuple[str, dict]:
    return "measurements", for_client(client)


def pdf_section(data: dict, language: str):
    """portal.export.PDF_SECTIONS: the measurements as the client reads them in the copy."""
    from django.utils import formats
    from django.utils.translation import gettext as _

    from coachdossier.lib import pdf
    from coachdossier.portal.export import format_date

    protocols = dict(Protocol.choices)
    rows = [[format_date(m["date"], language), str(protocols.get(m["protocol"], m["protocol"])),
             "\n".join(f"{QUANTITY[v['key']].label} {formats.number_format(v['value'], 1)} {v['unit']}"
                       for v in m["values"]), m["conclusions"] or "—"] for m in data["measurements"]]
    return _("Biofeedback measurements"), [pdf.Table(
        [_("Date"), _("Protocol"), _("Values"), _("Conclusions")], rows or [["—", "", "", ""]],
        col_widths=(2, 3, 3, 3))]


def report_lines(trajectory) -> list[tuple[str, str]]:
    """For reports (PR-5): the number of biofeedback sessions, never the values, which are
    health data (PR-4; see questionnaires.summary.report_lines)."""
    from django.utils.translation import gettext as _

    count = MeasurementSession.objects.filter(client=trajectory.client,
                                              measured_on__gte=trajectory.opened_on).count()
    return [(_("Biofeedback sessions"), str(count))] if count else []
