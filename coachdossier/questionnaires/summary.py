"""JSON-able summaries of a client's questionnaires, for reports and the client's copy."""

from .models import Administration, Moment, Status


def for_client(client) -> dict:
    """Every administration: definition and version, moment, status, dates, and for completed
    ones the scores and bands per subscale (the definition version they were scored with)."""
    items = []
    for a in Administration.objects.for_client(client).order_by("sent_at"):
        entry = {
            "id": str(a.public_id),
            "questionnaire": a.definition.key,
            "title": {"nl": a.definition.title_nl, "en": a.definition.title_en},
            "definition_version": a.definition.version,
            "moment": a.moment,
            "status": a.status,
            "sent_at": a.sent_at.isoformat(),
            "completed_at": a.completed_at.isoformat() if a.completed_at else None,
        }
        if a.is_completed:
            result = a.result
            groups = result["subscales"] + ([result["total"]] if result.get("total") else [])
            entry["scores"] = [{"key": g["key"], "title": g["title"], "score": g["score"],
                                "min": g["min_score"], "max": g["max_score"],
                                "band": (g["band"] or {}).get("label")} for g in groups]
            entry["scored_with_version"] = result["definition_version"]
        items.append(entry)
    return {"questionnaires": items}


def export_section(client) -> tuple[str, dict]:
    """portal.export.EXPORT_SECTIONS: the client's copy includes their answers too (GC-5.2)."""
    data = for_client(client)
    answers = {str(a.public_id): a.answers for a in Administration.objects.for_client(client)}
    for entry in data["questionnaires"]:
        entry["answers"] = answers.get(entry["id"], {})
    return "questionnaires", data


def pdf_section(data: dict, language: str):
    """portal.export.PDF_SECTIONS: each questionnaire, its moment and its scores, as the client
    reads them in the copy (the answers are in the JSON)."""
    from django.utils.translation import gettext as _

    from coachdossier.lib import pdf
    from coachdossier.portal.export import format_date

    def text(value):
        return value.get(language) or value.get("nl", "") if isinstance(value, dict) else str(value or "")

    moments, statuses = dict(Moment.choices), dict(Status.choices)
    rows = [[text(q["title"]), str(moments.get(q["moment"], q["moment"])),
             format_date(q["completed_at"] or q["sent_at"], language),
             "\n".join(f"{text(s['title'])} {s['score']}" + (f" ({text(s['band'])})" if s["band"] else "")
                       for s in q.get("scores", [])) or str(statuses.get(q["status"], q["status"]))]
            for q in data["questionnaires"]]
    return _("Questionnaires"), [pdf.Table([_("Questionnaire"), _("Moment"), _("Date"), _("Result")],
                                           rows or [["—", "", "", ""]], col_widths=(4, 2, 2, 3))]


def report_lines(trajectory) -> list[tuple[str, str]]:
    """For reports (PR-5): how many questionnaires were completed, never the scores. DASS-21
    bands describe depression and anxiety: health data that an employer, a municipality or
    UWV may not receive (PR-4); the coach quotes results only in a report to the company
    doctor, by choosing the dossier entries that discuss them."""
    from django.utils.translation import gettext as _

    done = Administration.objects.filter(client=trajectory.client, completed_at__isnull=False,
                                         completed_at__date__gte=trajectory.opened_on)
    moments = sorted({a.get_moment_display() for a in done})
    if not moments:
        return []
    return [(_("Questionnaires completed"), f"{done.count()} ({', '.join(str(m) for m in moments)})")]
