"""What the client's copy (LAW-15) and the hand-over package include about reports: who
received which report when, and the fingerprint of what they received."""

from .models import Delivery, ReportKind


def sent_reports(client) -> list[dict]:
    """Every delivery of a report about `client`: recipient, date, type, SHA-256, download."""
    deliveries = (Delivery.objects.filter(report__client=client).select_related("report__client", "report__trajectory__principal")
                  .order_by("created_at"))
    rows = []
    for d in deliveries:
        recipient = d.recipient
        rows.append({
            "report": d.report.reference,
            "recipient": ", ".join(p for p in (recipient.get("organisation"), recipient.get("name")) if p),
            "recipient_kind": d.addressee,
            "date": d.created_at.isoformat(),
            "type": d.report.kind,
            "sha256": d.sha256,
            "downloaded_at": d.downloaded_at.isoformat() if d.downloaded_at else None,
            "objection_attached": bool(d.report.objection_sealed),
            "signed": bool(d.report.signed_sha256),
        })
    return rows


def handover_files(client) -> list[tuple[str, bytes]]:
    """For privacy.handover.HANDOVER_FILES (PR-R4): the exact PDF of every report sent about
    the client, as it went out (its SHA-256 is the one the delivery recorded)."""
    from .actions import read_sent_pdf
    from .models import Report

    reports = Report.objects.filter(client=client).exclude(sent_storage_name="").select_related("client") \
        .order_by("number", "version")
    return [(f"reports/{r.reference.replace('/', '-')}-{r.kind}.pdf", read_sent_pdf(r)) for r in reports]


def export_section(client) -> tuple[str, list[dict]]:
    """For portal.export.EXPORT_SECTIONS: the section name and its rows."""
    return "reports_sent", sent_reports(client)


def pdf_section(rows: list[dict], language: str):
    """portal.export.PDF_SECTIONS: which report went to whom, when, and whether it was opened."""
    from django.utils.translation import gettext as _

    from coachdossier.lib import pdf
    from coachdossier.portal.export import format_date

    kinds = dict(ReportKind.choices)
    return _("Reports sent"), [pdf.Table(
        [_("Report"), _("Recipient"), _("Sent"), _("Downloaded")],
        [[f"{kinds.get(r['type'], r['type'])} {r['report']}", r["recipient"], format_date(r["date"], language),
          format_date(r["downloaded_at"], language)] for r in rows] or [["—", "", "", ""]],
        col_widths=(3, 3, 2, 2))]
