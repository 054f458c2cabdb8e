"""Server-rendered SVG charts: no JavaScript, no inline styles (strict CSP).

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` for screen
readers; templates put a data table next to it as the accessible fallback. Colours are
SVG presentation attributes (allowed under a strict style-src), text is escaped.

Each comes in a wide shape (the default) and, with ``narrow=True``, a shape drawn for a phone:
a smaller canvas with bigger text and fewer date labels, so that scaled down to a 320 px screen
its labels stay readable (the viewBox scales text with everything else). Templates put both in
the figure and CSS shows one.

Three kinds:
- ``line_chart``: a few series over time (questionnaire trends, measurements), optional
  horizontal bands (severity bands) behind them.
- ``xy_chart``: one dense series against a numeric axis (tachogram, power spectrum),
  optional shaded x ranges (the LF and HF bands).
- ``bar_chart``: a count per label as horizontal bars (the complaints evaluation); drawn at
  its own size, never larger, and wide or for a phone like the line chart.
"""

from __future__ import annotations

import datetime
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe

from .dates import format_date

WIDTH, HEIGHT = 640, 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 52, 16, 16, 40
PALETTE = ("#1f5fa8", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00838f")
BAND_FILLS = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffebee", "#fce4ec")


@dataclass
class Series:
    label: str
    points: list[tuple]  # (x, y); x a date/datetime (line_chart) or a number (xy_chart); y None = gap


@dataclass
class Shade:
    """A range shaded behind the data: y from..to (line_chart) or x from..to (xy_chart)."""

    start: float
    end: float | None
    label: str
    fill: str = ""


@dataclass(frozen=True)
class _Size:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int
    dates: int  # at most this many date labels under a line chart
    css: str


WIDE = _Size(WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM, font=11, dates=6, css="chart")
# Shown below 640 px: about 270 px wide on a 320 px phone, so 14 units render at 11.8 px.
NARROW = _Size(320, 240, 40, 12, 22, 46, font=14, dates=3, css="chart chart-narrow")
# An xy chart for a phone: room left for a six-figure power ("100000"), above it for its unit, below for two
# legend lines (the LF and HF bands do not fit side by side at 14 units).
XY_NARROW = _Size(320, 280, 56, 12, 32, 76, font=14, dates=3, css="chart chart-narrow")


@dataclass
class _Frame:
    x0: float
    x1: float
    y0: float
    y1: float
    size: _Size = WIDE
    marks: list = field(default_factory=list)

    def x(self, value: float) -> float:
        span, size = (self.x1 - self.x0) or 1, self.size
        return size.left + (value - self.x0) / span * (size.width - size.left - size.right)

    def y(self, value: float) -> float:
        span, size = (self.y1 - self.y0) or 1, self.size
        return size.height - size.bottom - (value - self.y0) / span * (size.height - size.top - size.bottom)


def _n(value: float) -> str:
    return f"{value:.1f}"


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.ceil(lo / step) * step
    ticks, value = [], start
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _fmt(value: float) -> str:
    """A tick or a value as the reader writes numbers: "10,5" on a Dutch page, "10.5" on an English one,
    like the table next to the chart."""
    if abs(value) >= 100 or float(value).is_integer():
        return formats.number_format(round(value), 0)
    if abs(value) >= 1:
        return formats.number_format(value, 1)
    return formats.number_format(float(f"{value:.2g}"))


def _open(title: str, desc: str, chart_id: str, size: _Size, *, fill: bool = True) -> list[str]:
    """The <svg> with its title and description; `fill`: as wide as its box, else at its own
    size (both shrink to a narrower box: app.css gives every svg max-width: 100%)."""
    chart_id = escape(chart_id)  # an attribute value: escaped like every text in the chart
    extent = 'width="100%"' if fill else f'width="{size.width}" height="{size.height}"'
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{size.css}" viewBox="0 0 {size.width} {size.height}" '
        'role="img" '
        f'{extent} preserveAspectRatio="xMidYMid meet" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def _axes(frame: _Frame, y_ticks: list[float], y_unit: str) -> list[str]:
    size = frame.size
    out = [f'<g font-size="{size.font}" fill="#555" font-family="sans-serif">']
    for tick in y_ticks:
        y = frame.y(tick)
        out.append(f'<line x1="{size.left}" x2="{size.width - size.right}" y1="{_n(y)}" y2="{_n(y)}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{size.left - 6}" y="{_n(y + size.font * 4 / 11)}" text-anchor="end">'
                   f'{escape(_fmt(tick))}</text>')
    if y_unit:
        out.append(f'<text x="4" y="{size.top - 4 if size.top > 12 else 12}" text-anchor="start">{escape(y_unit)}</text>')
    base = size.height - size.bottom
    out.append(f'<line x1="{size.left}" x2="{size.width - size.right}" y1="{base}" y2="{base}" stroke="#888"/>')
    out.append(f'<line x1="{size.left}" x2="{size.left}" y1="{size.top}" y2="{base}" stroke="#888"/>')
    out.append("</g>")
    return out


def _legend(labels: list[str], colours: list[str], size: _Size) -> list[str]:
    """The labels side by side along the bottom; one that would pass the right edge starts a
    line above the last (at an estimated 0.64 em a character)."""
    box, x = size.font - 1, size.left
    lines: list[list[tuple[int, str, str]]] = [[]]
    for label, colour in zip(labels, colours):
        advance = round(24 + 7 * len(label) * size.font / 11)
        if lines[-1] and x + advance - 12 > size.width:
            lines.append([])
            x = size.left
        lines[-1].append((x, label, colour))
        x += advance
    out = [f'<g font-size="{size.font}" font-family="sans-serif">']
    for row, line in enumerate(lines):
        lift = (len(lines) - 1 - row) * round(size.font * 1.5)
        for x, label, colour in line:
            out.append(f'<rect x="{x}" y="{size.height - box - 4 - lift}" width="{box}" height="{box}" fill="{colour}"/>')
            out.append(f'<text x="{x + box + 4}" y="{size.height - 5 - lift}" fill="#333">{escape(label)}</text>')
    out.append("</g>")
    return out


def _as_number(x) -> float:
    if isinstance(x, datetime.datetime):
        return x.timestamp() / 86400
    if isinstance(x, datetime.date):
        return float(x.toordinal())
    return float(x)


def line_chart(series: list[Series], *, title: str, desc: str, chart_id: str, y_min: float | None = None,
               y_max: float | None = None, y_unit: str = "", bands: Sequence[Shade] = (),
               narrow: bool = False) -> SafeString:
    """Series over time, with a dot per point (repeated administrations are few)."""
    xs = [_as_number(x) for s in series for x, y in s.points if y is not None]
    ys = [y for s in series for _, y in s.points if y is not None]
    if not xs:
        return SafeString("")
    size = NARROW if narrow else WIDE
    lo = min(ys) if y_min is None else y_min
    hi = max(ys) if y_max is None else y_max
    if hi <= lo:
        hi = lo + 1
    x0, x1 = min(xs), max(xs)
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    frame = _Frame(x0, x1, lo, hi, size)
    out = _open(title, desc, chart_id, size)
    for i, band in enumerate(bands):
        top = hi if band.end is None else min(band.end, hi)
        bottom = max(band.start, lo)
        if top <= bottom:
            continue
        fill = band.fill or BAND_FILLS[min(i, len(BAND_FILLS) - 1)]
        out.append(f'<rect x="{size.left}" y="{_n(frame.y(top))}" width="{size.width - size.left - size.right}" '
                   f'height="{_n(frame.y(bottom) - frame.y(top))}" fill="{fill}"><title>{escape(band.label)}</title></rect>')
    out += _axes(frame, _nice_ticks(lo, hi), y_unit)
    dates = sorted({x for s in series for x, y in s.points if y is not None}, key=_as_number)
    out.append(f'<g font-size="{size.font}" fill="#555" font-family="sans-serif">')
    step = max(1, math.ceil(len(dates) / size.dates))
    for x in dates[::step]:
        label = format_date(x, "SHORT_DATE_FORMAT") if hasattr(x, "strftime") else _fmt(x)
        at = frame.x(_as_number(x))
        anchor = "middle"
        if narrow:  # a date label is a third of the narrow canvas: keep the outer ones inside it
            share = (at - size.left) / (size.width - size.left - size.right)
            anchor = "start" if share < 0.2 else "end" if share > 0.8 else "middle"
        out.append(f'<text x="{_n(at)}" y="{size.height - size.bottom + size.font + 3}" '
                   f'text-anchor="{anchor}">{escape(label)}</text>')
    out.append("</g>")
    colours = []
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        colours.append(colour)
        pts = [(frame.x(_as_number(x)), frame.y(y), y) for x, y in sorted(s.points, key=lambda p: _as_number(p[0]))
               if y is not None]
        if len(pts) > 1:
            path = " ".join(f"{_n(px)},{_n(py)}" for px, py, _ in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py, y in pts:
            out.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="4" fill="{colour}">'
                       f'<title>{escape(s.label)}: {escape(_fmt(y))}</title></circle>')
    out += _legend([s.label for s in series], colours, size)
    out.append("</svg>")
    return mark_safe("".join(out))  # nosec B308 B703  # every text and id in it went through escape()


def xy_chart(x: list[float], y: list[float], *, title: str, desc: str, chart_id: str, x_unit: str, y_unit: str,
             shades: Sequence[Shade] = (), y_min: float | None = 0, area: bool = False,
             narrow: bool = False) -> SafeString:
    """A dense numeric series (hundreds of points) as one path."""
    if not x:
        return SafeString("")
    size = XY_NARROW if narrow else WIDE
    lo = min(y) if y_min is None else min(y_min, min(y))
    hi = max(y)
    x0, x1 = min(x), max(x)
    frame = _Frame(x0, x1 if x1 > x0 else x0 + 1, lo, hi if hi > lo else lo + 1, size)
    out = _open(title, desc, chart_id, size)
    labels, colours = [], []
    for i, shade in enumerate(shades):
        start, end = max(shade.start, x0), min(shade.end if shade.end is not None else x1, x1)
        if end <= start:
            continue
        fill = shade.fill or BAND_FILLS[i % len(BAND_FILLS)]
        out.append(f'<rect x="{_n(frame.x(start))}" y="{size.top}" width="{_n(frame.x(end) - frame.x(start))}" '
                   f'height="{size.height - size.top - size.bottom}" fill="{fill}"><title>{escape(shade.label)}</title></rect>')
        labels.append(shade.label)
        colours.append(fill)
    out += _axes(frame, _nice_ticks(frame.y0, frame.y1), y_unit)
    out.append(f'<g font-size="{size.font}" fill="#555" font-family="sans-serif">')
    for tick in _nice_ticks(x0, x1, 4 if narrow else 6):
        out.append(f'<text x="{_n(frame.x(tick))}" y="{size.height - size.bottom + 14}" text-anchor="middle">'
                   f'{escape(_fmt(tick))}</text>')
    out.append(f'<text x="{size.width - size.right}" y="{size.height - size.bottom + 28}" text-anchor="end">'
               f'{escape(x_unit)}</text>')
    out.append("</g>")
    path = " ".join(f"{_n(frame.x(a))},{_n(frame.y(b))}" for a, b in zip(x, y))
    if area:
        base = _n(frame.y(frame.y0))
        out.append(f'<polygon points="{_n(frame.x(x[0]))},{base} {path} {_n(frame.x(x[-1]))},{base}" '
                   f'fill="#1f5fa8" fill-opacity="0.25" stroke="none"/>')
    out.append(f'<polyline points="{path}" fill="none" stroke="#1f5fa8" stroke-width="1.2"/>')
    if labels:
        out += _legend(labels, colours, size)
    out.append("</svg>")
    return mark_safe("".join(out))  # nosec B308 B703  # every text and id in it went through escape()


# A bar chart is drawn at its own size. Wide (shown when its figure is wider than 34rem, so
# never drawn below 544 px): the label left of its bar, 13 units stay 12.6 px or more. Narrow:
# the label above its bar across the whole width; 14 units on 300 stay 11 px or more down to
# 236 px, the figure in a card on a 320 px phone being about 260 px.
BARS_WIDE = _Size(560, 0, 220, 44, 4, 4, font=13, dates=0, css="chart chart-bars")
BARS_NARROW = _Size(300, 0, 0, 44, 4, 4, font=14, dates=0, css="chart chart-bars chart-narrow")
BAR_FILL = "#2f6f8f"


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, desc: str, chart_id: str,
              narrow: bool = False) -> SafeString:
    """A count per label as horizontal bars, the count after each bar. Labels wrap (at an
    estimated 0.6 em a character) instead of being cut off."""
    size = BARS_NARROW if narrow else BARS_WIDE
    font, line, gap = size.font, round(size.font * 1.3), round(size.font * 0.6)
    bar_x = size.left + 8 if size.left else 0
    bar_room = size.width - bar_x - size.right
    chars = max(8, int((size.left or size.width) / (font * 0.6)))
    top = max((n for _, n in rows), default=0) or 1
    body: list[str] = []
    y: float = size.top
    for label, n in rows:
        lines = textwrap.wrap(label, chars) or [""]
        text_height = len(lines) * line
        if narrow:  # the label's lines, then the bar under them
            text_top, bar_y = y, y + text_height + 2
            y = bar_y + font + gap
        else:  # the label's lines beside the bar, both centred in the row
            row = max(text_height, font)
            text_top, bar_y = y + (row - text_height) / 2, y + (row - font) / 2
            y += row + gap
        for i, part in enumerate(lines):
            body.append(f'<text x="0" y="{_n(text_top + i * line + font)}">{escape(part)}</text>')
        width = bar_room * n / top
        body.append(f'<rect x="{bar_x}" y="{_n(bar_y)}" width="{_n(width)}" height="{font}" fill="{BAR_FILL}"/>')
        body.append(f'<text x="{_n(bar_x + width + 4)}" y="{_n(bar_y + font * 0.85)}">{escape(str(n))}</text>')
    size = _Size(size.width, round(y - gap + size.bottom), size.left, size.right, size.top, size.bottom, font,
                 size.dates, size.css)
    out = _open(title, desc, chart_id, size, fill=False)
    out.append(f'<g font-size="{font}" fill="#333" font-family="sans-serif">')
    out += body
    out.append("</g></svg>")
    return mark_safe("".join(out))  # nosec B308 B703  # every text and id in it went through escape()
