"""The annual evaluation (KR-3.6) and the UWV quarterly report (KR-3.7), from plain register
columns only (no complaint content is opened, except the measures in the evaluation), and
their PDF and CSV forms. The page's charts are inline SVG from `bars(...)`."""

import csv
import datetime
import io
import statistics
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachdossier import policy
from coachdossier.lib import charts, pdf

from . import deadlines
from .models import Category, Channel, Complaint, Level, Outcome, Subject, working_calendar


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - datetime.timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class UwvFigures:
    """KR-3.7: exactly these five figures, for complaints of UWV clients received in the period."""

    start: datetime.date
    end: datetime.date
    total: int
    not_admitted: int
    not_admitted_in_term: int
    admitted: int
    admitted_in_term: int

    def rows(self):
        return [
            (_("Total number of complaints lodged"), self.total),
            (_("Complaints not admitted"), self.not_admitted),
            (_("Complaints not admitted and handled within the term"), self.not_admitted_in_term),
            (_("Complaints admitted"), self.admitted),
            (_("Complaints admitted and handled within the term"), self.admitted_in_term),
        ]


def uwv_footnote() -> str:
    """How the figures are counted, under the page's table and in the PDF (UWV reads it alone)."""
    months = policy.current().complaint_ruling_months
    return " ".join([
        _("Complaints of clients of a UWV trajectory, received in the period. 'Within the term': a non-admission "
          "notice within the non-admission term; a settlement within the settlement term, as validly extended. "
          "Complaints not yet decided count in the total only."),
        # GC-8.1: deadlines.admission.
        _("A complaint handled at the umbrella organisation's level counts as admitted once its complaints "
          "committee ruled on it, also when the practice recorded no decision on admission; before the ruling it "
          "counts in the total only."),
        # GC-8.1/8.2: deadlines.handled_in_term.
        ngettext("An admitted complaint handled at the umbrella organisation's level is settled by its complaints "
                 "committee under its own regulation, not by a settlement letter of the practice: it counts as "
                 "handled within the term when the ruling was put to complainant and coach within a month of the "
                 "ruling.",
                 "An admitted complaint handled at the umbrella organisation's level is settled by its complaints "
                 "committee under its own regulation, not by a settlement letter of the practice: it counts as "
                 "handled within the term when the ruling was put to complainant and coach within %(n)d months of "
                 "the ruling.", months) % {"n": months},
    ])


def uwv_figures(start: datetime.date, end: datetime.date) -> UwvFigures:
    """Complaints without a decision on admission (and, at umbrella level, without the
    umbrella committee's ruling) count in the total only."""
    calendar, p = working_calendar(), policy.current()
    complaints = list(Complaint.objects.received_between(start, end).filter(is_uwv_client=True))
    # GC-8.1: an umbrella complaint the umbrella committee ruled on was taken into handling,
    # whether or not the practice recorded that (deadlines.admission).
    not_admitted = [c for c in complaints if deadlines.admission(c.facts()) is False]
    admitted = [c for c in complaints if deadlines.admission(c.facts()) is True]
    in_term = lambda c: deadlines.handled_in_term(c.facts(), calendar, p)  # noqa: E731
    return UwvFigures(start, end, len(complaints), len(not_admitted), sum(map(in_term, not_admitted)),
                      len(admitted), sum(map(in_term, admitted)))


def _labelled(counter: Counter, choices) -> list[tuple[str, int]]:
    return [(str(label), counter.get(value, 0)) for value, label in choices.choices]


def evaluation(year: int, today: datetime.date) -> dict:
    """KR-3.6: counts by channel, category, level, subject and outcome; lead times; the share
    of each deadline met; the measures taken."""
    calendar, p = working_calendar(), policy.current()
    complaints = list(Complaint.objects.received_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
                      .select_related("client"))
    closed = [c for c in complaints if c.closed_on]
    answered = [c for c in complaints if c.answered_on]
    lead_closed = [(c.closed_on - c.received_on).days for c in closed]
    lead_answered = [(c.answered_on - c.received_on).days for c in answered]
    met: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for c in complaints:
        for clock in deadlines.clocks(c.facts(), calendar, p, today):
            if clock.state == deadlines.State.MET:
                met[clock.key] += 1
                decided[clock.key] += 1
            elif clock.state == deadlines.State.LATE:
                decided[clock.key] += 1
    deadline_rows = [(str(label), rule, met[key], decided[key],
                      round(100 * met[key] / decided[key]) if decided[key] else None)
                     for key, (rule, label) in deadlines.CLOCKS.items()]
    measures = [(c.number, c.content.get("measures")) for c in complaints if c.content.get("measures")]
    return {
        "year": year,
        "total": len(complaints),
        "open": sum(1 for c in complaints if not c.closed_on),
        "by_channel": _labelled(Counter(c.channel for c in complaints), Channel),
        "by_category": _labelled(Counter(c.category for c in complaints), Category),
        "by_level": _labelled(Counter(c.level for c in complaints), Level),
        "by_subject": _labelled(Counter(c.subject for c in complaints), Subject),
        "by_outcome": _labelled(Counter(c.outcome for c in closed), Outcome),
        "lead_closed": _summary(lead_closed),
        "lead_answered": _summary(lead_answered),
        "lead_times": sorted(lead_closed),
        "deadlines": deadline_rows,
        "measures": measures,
    }


def _summary(days: list[int]) -> dict:
    if not days:
        return {"count": 0, "mean": None, "median": None, "max": None}
    return {"count": len(days), "mean": round(statistics.mean(days), 1), "median": statistics.median(days),
            "max": max(days)}


def bars(rows: list[tuple[str, int]], *, title: str, chart_id: str) -> dict:
    """{"svg", "svg_narrow"}: a horizontal bar chart of (label, count) rows, drawn wide and for
    a phone (lib.charts); the template puts both in a chart-figure and CSS shows one."""
    desc = "; ".join(f"{label}: {n}" for label, n in rows)
    svg, svg_narrow = (charts.bar_chart(rows, title=title, desc=desc, chart_id=f"{chart_id}{suffix}", narrow=narrow)
                       for suffix, narrow in (("", False), ("-s", True)))
    return {"svg": svg, "svg_narrow": svg_narrow}


def lead_time_buckets(days: list[int]) -> list[tuple[str, int]]:
    edges = [(0, 14, _("up to 2 weeks")), (15, 28, _("2 to 4 weeks")), (29, 42, _("4 to 6 weeks")),
             (43, 10_000, _("over 6 weeks"))]
    return [(label, sum(1 for d in days if lo <= d <= hi)) for lo, hi, label in edges]


# --- Output formats ------------------------------------------------------------------------


def csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def uwv_csv(figures: UwvFigures) -> bytes:
    return csv_bytes([[_("Period"), f"{figures.start.isoformat()} – {figures.end.isoformat()}"],
                      *[[label, value] for label, value in figures.rows()]])


def uwv_pdf(figures: UwvFigures) -> bytes:
    from .letters import letterhead

    return pdf.build_document(
        letterhead=letterhead(), title=_("Complaints report for UWV"),
        subtitle=f"{pdf.format_date_nl(figures.start)} – {pdf.format_date_nl(figures.end)}",
        sections=[pdf.Section(_("Complaints of UWV clients (KR-3.7)"),
                              [pdf.KeyValues([(label, str(value)) for label, value in figures.rows()]),
                               pdf.Paragraph(uwv_footnote())])])


def evaluation_rows(report: dict) -> list[list]:
    rows = [[_("Annual evaluation of complaints"), report["year"]], [_("Total"), report["total"]],
            [_("Still open"), report["open"]]]
    for title, key in ((_("Channel"), "by_channel"), (_("Category"), "by_category"), (_("Level"), "by_level"),
                       (_("About"), "by_subject"), (_("Outcome"), "by_outcome")):
        rows += [[f"{title}: {label}", n] for label, n in report[key]]
    for title, key in ((_("Lead time to closure (days)"), "lead_closed"),
                       (_("Lead time to settlement letter (days)"), "lead_answered")):
        s = report[key]
        # Outside the f-strings: makemessages does not find _() inside one, so it stayed English.
        mean, median, longest = _("mean"), _("median"), _("longest")
        rows += [[f"{title}: {mean}", s["mean"]], [f"{title}: {median}", s["median"]],
                 [f"{title}: {longest}", s["max"]]]
    met_label, measure = _("Deadline met"), _("Measure")
    rows += [[f"{met_label}: {label} ({rule})", f"{met}/{decided}"] for label, rule, met, decided, _pct
             in report["deadlines"]]
    rows += [[f"{measure} {number}", text] for number, text in report["measures"]]
    return rows


def evaluation_csv(report: dict) -> bytes:
    return csv_bytes(evaluation_rows(report))


def evaluation_pdf(report: dict) -> bytes:
    from .letters import letterhead

    def table(key):
        return pdf.Table([_("Kind"), _("Number")], [[label, n] for label, n in report[key]], col_widths=(4, 1))

    lead = [(f"{t}", f"{report[k]['mean'] or '—'} / {report[k]['median'] or '—'} / {report[k]['max'] or '—'}")
            for t, k in ((_("To closure: mean / median / longest (days)"), "lead_closed"),
                         (_("To settlement letter: mean / median / longest (days)"), "lead_answered"))]
    sections = [
        pdf.Section(_("Overview"), [pdf.KeyValues([(_("Total"), str(report["total"])),
                                                   (_("Still open"), str(report["open"]))])]),
        pdf.Section(_("Channels"), [table("by_channel")]),
        pdf.Section(_("Categories"), [table("by_category")]),
        pdf.Section(_("Level and subject"), [table("by_level"), pdf.Spacer(), table("by_subject")]),
        pdf.Section(_("Outcomes"), [table("by_outcome")]),
        pdf.Section(_("Lead times"), [pdf.KeyValues(lead)]),
        pdf.Section(_("Deadlines met"), [pdf.Table(
            [_("Deadline"), _("Rule"), _("Met"), _("Decided"), "%"],
            [[label, rule, met, decided, "—" if pct is None else pct]
             for label, rule, met, decided, pct in report["deadlines"]], col_widths=(4, 1, 1, 1, 1))]),
        pdf.Section(_("Measures taken"), [pdf.Table([_("Complaint"), _("Measure")], report["measures"],
                                                    col_widths=(1, 4))] if report["measures"]
                    else [pdf.Paragraph(_("No measures recorded."))]),
    ]
    return pdf.build_document(letterhead=letterhead(), title=_("Annual evaluation of complaints"),
                              subtitle=str(report["year"]), sections=sections)
