"""Measurements over time (one chart per quantity, its own unit) and the HRV charts of one
session (tachogram, power spectrum with the LF and HF bands)."""

from django.utils import formats
from django.utils.translation import gettext as _

from coachdossier.lib import charts

from . import hrv
from .models import QUANTITIES


def over_time(sessions, *, chart_prefix: str = "m") -> list[dict]:
    """[{"key", "title", "unit", "svg", "svg_narrow", "rows": [(date, value)]}] for each quantity
    measured at least once; "svg_narrow" is the same chart drawn for a phone."""
    sessions = sorted(sessions, key=lambda s: (s.measured_on, s.created_at))
    out = []
    for n, q in enumerate(QUANTITIES):
        rows = [(s.measured_on, s.values[q.key]) for s in sessions if q.key in s.values]
        if not rows:
            continue
        title = _("%(quantity)s over time") % {"quantity": q.label}
        desc = _("%(n)d measurements in %(unit)s; the table lists the same figures.") % {"n": len(rows),
                                                                                         "unit": q.unit}
        series = [charts.Series(label=f"{q.label} ({q.unit})", points=rows)]
        svg, svg_narrow = (charts.line_chart(series, title=title, desc=desc, chart_id=f"{chart_prefix}-{n}{suffix}",
                                             y_unit=q.unit, y_min=0, narrow=narrow)
                           for suffix, narrow in (("", False), ("-s", True)))
        out.append({"key": q.key, "title": str(q.label), "unit": q.unit, "svg": svg, "svg_narrow": svg_narrow,
                    "rows": rows})
    return out


def session_charts(session) -> dict:
    """The tachogram and power spectrum, each drawn wide and for a phone (`<name>_narrow`): the
    wide drawing on a 390 px phone had 5 px labels (GC-9.1)."""
    data = session.hrv
    if not data:
        return {}
    tachogram, spectrum = data["tachogram"], data.get("spectrum")
    out: dict = {"tachogram_rows": _sample(tachogram["x"], tachogram["y"])}
    for suffix, narrow in (("", False), ("_narrow", True)):
        out["tachogram" + suffix] = charts.xy_chart(
            tachogram["x"], tachogram["y"], title=_("Tachogram"),
            desc=_("RR interval in ms for each beat against time in seconds, after artefact removal "
                   "(%(n)d intervals).") % {"n": tachogram["n_source"]},
            chart_id=f"tacho-{session.public_id}{suffix}", x_unit="s", y_unit="ms", y_min=None, narrow=narrow)
        if spectrum:
            out["spectrum" + suffix] = charts.xy_chart(
                spectrum["x"], spectrum["y"], title=_("Power spectrum"),
                desc=_("Power spectral density in ms²/Hz against frequency in Hz (Welch); the LF band is "
                       "0.04-0.15 Hz, the HF band 0.15-0.40 Hz."),
                chart_id=f"psd-{session.public_id}{suffix}", x_unit="Hz", y_unit="ms²/Hz", area=True,
                shades=[charts.Shade(*hrv.LF_BAND, label=_band("LF", hrv.LF_BAND), fill="#fff3e0"),
                        charts.Shade(*hrv.HF_BAND, label=_band("HF", hrv.HF_BAND), fill="#e3f2fd")], narrow=narrow)
    if spectrum:
        out["spectrum_rows"] = _sample(spectrum["x"], spectrum["y"])
    return out


def _band(name: str, band: tuple[float, float]) -> str:
    """"LF 0,04-0,15 Hz" on a Dutch page, "LF 0.04-0.15 Hz" on an English one."""
    return f"{name} {formats.number_format(band[0], 2)}-{formats.number_format(band[1], 2)} Hz"


def hrv_rows(session, lang: str) -> dict:
    """The stored HRV result as labelled rows for a template."""
    data = session.hrv
    if not data:
        return {}
    result = data["result"]
    t, f, a = result["time"], result["frequency"], result["artefacts"]
    time_rows = [(_("Mean RR"), t["mean_rr_ms"], "ms"), ("SDNN", t["sdnn_ms"], "ms"), ("RMSSD", t["rmssd_ms"], "ms"),
                 ("pNN50", t["pnn50_pct"], "%"), (_("Mean heart rate"), t["mean_hr_bpm"], "bpm"),
                 (_("Beats analysed"), t["n_beats"], ""), (_("Duration"), t["duration_s"], "s")]
    freq_rows = []
    if f:
        freq_rows = [("LF", f["lf_ms2"], "ms²"), ("HF", f["hf_ms2"], "ms²"), ("LF/HF", f["lf_hf"], "")]
    time_rows = [(label, _round(value, 1), unit) for label, value, unit in time_rows]
    freq_rows = [(label, _round(value, 2), unit) for label, value, unit in freq_rows]
    notes = [hrv.MESSAGES[key][lang] for key in result["notes"] if key in hrv.MESSAGES]
    reason = result.get("frequency_unavailable_reason")
    return {
        "time": time_rows, "frequency": freq_rows, "artefacts": a, "software": result["software"],
        "notes": notes, "frequency_unavailable": hrv.MESSAGES[reason][lang] if reason else "",
        "source_format": data.get("source_format", ""),
    }


def _round(value, decimals):
    if value is None or isinstance(value, int):
        return value
    return round(value, decimals)


TABLE_ROWS = 40


def _sample(x, y) -> list[tuple]:
    """At most TABLE_ROWS evenly spaced points: the data table next to a dense chart."""
    step = max(1, -(-len(x) // TABLE_ROWS))
    return list(zip(x[::step], y[::step]))
