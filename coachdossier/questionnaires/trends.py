"""Results over time: one chart per questionnaire, a line per subscale, the bands of the
first subscale shaded behind it when all subscales share the same bands' range, and a data
table as the accessible fallback. Used by the client page, the portal and summaries."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from coachdossier.lib import charts

from .forms import language
from .models import Administration


@dataclass
class Trend:
    key: str
    title: str
    subscales: list[str]  # titles, in order
    rows: list[dict] = field(default_factory=list)  # {"administration", "date", "moment", "scores": [(score, band)], "cells"}
    groups: list = field(default_factory=list)  # the stored result's subscale dicts, in order
    charts: list = field(default_factory=list)  # {"title", "svg"} per subscale


def groups(result: dict) -> list[dict]:
    """A stored result's subscales, then its total when it has one."""
    return result["subscales"] + ([result["total"]] if result.get("total") else [])


def completed_for(client):
    return list(Administration.objects.for_client(client).completed().order_by("completed_at"))


def trends(administrations, *, chart_prefix: str = "q") -> list[Trend]:
    """One Trend per questionnaire, its rows in the order given, with its charts."""
    lang = language()
    by_key: dict[str, Trend] = {}
    for a in administrations:
        result = a.result
        if not result:
            continue
        groups = result["subscales"] + ([result["total"]] if result.get("total") else [])
        trend = by_key.get(a.definition.key)
        if trend is None:
            trend = by_key[a.definition.key] = Trend(
                key=a.definition.key, title=a.definition.title,
                subscales=[g["title"][lang] for g in groups], groups=groups)
        trend.rows.append({
            "administration": a, "date": a.completed_at, "moment": a.get_moment_display(),
            "version": result["definition_version"],
            "by_key": {g["key"]: (g["score"], (g["band"] or {}).get("label", {}).get(lang, "")) for g in groups},
        })
    for n, trend in enumerate(by_key.values()):
        # Keyed by subscale: a later version of an instrument may add or drop a subscale.
        for row in trend.rows:
            row["scores"] = [row["by_key"].get(g["key"], (None, "")) for g in trend.groups]
            # For the table, each score with its subscale's name: on a phone a row stacks, each
            # figure under its name (table-stack).
            row["cells"] = [(title, score, band) for title, (score, band) in zip(trend.subscales, row["scores"])]
        latest = trend.rows[-1]["administration"]
        for i, (title, group) in enumerate(zip(trend.subscales, trend.groups)):
            series = [charts.Series(label=title, points=[(row["date"], row["scores"][i][0]) for row in trend.rows])]
            # The same chart drawn twice: wide, and for a phone (shown instead under 600 px).
            svg, svg_narrow = (charts.line_chart(
                series, title=_("%(title)s: %(subscale)s over time") % {"title": trend.title, "subscale": title},
                desc=_("Scores of %(n)d completed administrations, with the severity bands behind them; "
                       "the table lists the same figures.") % {"n": len(trend.rows)},
                chart_id=f"{chart_prefix}-{n}-{i}{suffix}", y_min=group["min_score"], y_max=group["max_score"],
                bands=_bands(latest, group["key"], lang), narrow=narrow)
                for suffix, narrow in (("", False), ("-s", True)))
            trend.charts.append({"title": title, "svg": svg, "svg_narrow": svg_narrow})
    return list(by_key.values())


def _bands(administration, subscale_key, lang):
    definition = administration.definition.definition
    groups = [*definition.subscales, *([definition.total] if definition.total else [])]
    group = next((s for s in groups if s.key == subscale_key), None)
    if group is None:
        return []
    return [charts.Shade(start=b.min, end=b.max, label=b.label.get(lang)) for b in group.bands]


def result_groups(administration) -> list[dict]:
    """The stored result as rows for a template: title, score, range, band label and level."""
    lang = language()
    result = administration.result
    if not result:
        return []
    groups = result["subscales"] + ([result["total"]] if result.get("total") else [])
    return [{"title": g["title"][lang], "score": g["score"], "min": g["min_score"], "max": g["max_score"],
             "band": (g["band"] or {}).get("label", {}).get(lang, ""), "level": (g["band"] or {}).get("level")}
            for g in groups]
