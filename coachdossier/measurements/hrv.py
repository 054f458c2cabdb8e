"""Heart rate variability (HRV) from RR-interval files.

Three steps, each a pure function (no Django):

1. ``parse_rr(data, filename)`` reads an uploaded file into an ``RRSeries``.
2. ``analyse(series)`` removes artefacts, refuses a recording with too many of
   them (``RRQualityError``), and computes time- and frequency-domain measures
   with neurokit2.
3. ``tachogram_points(series)`` and ``power_spectrum(series)`` give chart data,
   at most ``MAX_CHART_POINTS`` points each.

neurokit2 takes ~2 s to import, so it is imported inside the functions that
need it; parsing and artefact handling use numpy only.

Result objects are frozen dataclasses with ``to_dict()`` (JSON-safe: NaN becomes
None). Messages meant for people are codes with Dutch and English text in
``MESSAGES``, for the UI to show in the user's language.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from dataclasses import asdict, dataclass

import numpy as np

# Physiological limits for one RR interval: 250 ms is 240 bpm, 2500 ms is 24 bpm.
# Anything outside is a detection error (a missed or doubled beat, a dropout), not a heartbeat.
MIN_RR_MS = 250
MAX_RR_MS = 2500

# Ectopic beat: an interval differing more than 20% from the median of its neighbours
# (up to 5 intervals on each side, itself excluded). The 20% criterion is the classic
# RR filter (Malik et al. 1993; Kamath & Fallen 1995: "percentage filter"); comparing with
# the median of neighbours rather than the previous interval keeps one ectopic beat from
# also condemning the normal beat after it. A premature beat and its compensatory pause
# are both removed, as both intervals are abnormal.
ECTOPIC_TOLERANCE = 0.20
ECTOPIC_NEIGHBOURS = 5

# Share of removed intervals above which a recording is refused. Removed beats bias HRV
# (Peltola 2012, Front. Physiol. 3:148: even a few percent of artefacts inflates RMSSD and
# HF power noticeably), and excluding recordings with more than 5% edited beats is a
# common criterion in HRV research. A clean chest-strap rest recording has well under 1%.
MAX_REMOVED_SHARE = 0.05

# At least this many intervals remain for any analysis (2 successive differences).
MIN_INTERVALS = 3

# Frequency domain needs a long enough recording: the Task Force (1996, Circulation
# 93:1043) states that about 1 minute is needed for HF and about 2 minutes for LF, and
# recommends 5-minute recordings for short-term analysis. Below 2 minutes we report no
# frequency domain; between 2 and 5 minutes the result is given, and
# ``FrequencyDomain.below_standard_duration`` says it is shorter than the standard.
MIN_FREQUENCY_DURATION_S = 120
STANDARD_FREQUENCY_DURATION_S = 300

# Frequency analysis: RR series interpolated at 4 Hz (the Kubios default), Welch PSD.
INTERPOLATION_HZ = 4
LF_BAND = (0.04, 0.15)
HF_BAND = (0.15, 0.4)
SPECTRUM_MAX_HZ = 0.5

MAX_CHART_POINTS = 1000

MESSAGES = {
    "converted_from_seconds": {
        "nl": "De waarden stonden in seconden en zijn omgerekend naar milliseconden.",
        "en": "The values were in seconds and have been converted to milliseconds.",
    },
    "recording_too_short": {
        "nl": "De meting is korter dan 2 minuten; voor het frequentiedomein (LF/HF) is minstens 2 minuten nodig, 5 minuten is de standaard.",
        "en": "The recording is shorter than 2 minutes; the frequency domain (LF/HF) needs at least 2 minutes, 5 minutes is the standard.",
    },
    "below_standard_duration": {
        "nl": "De meting is korter dan de standaard van 5 minuten; LF en HF zijn minder betrouwbaar.",
        "en": "The recording is shorter than the standard 5 minutes; LF and HF are less reliable.",
    },
    "too_many_artefacts": {
        "nl": "Te veel artefacten: meer dan 5% van de slagen moest worden verwijderd.",
        "en": "Too many artefacts: more than 5% of the beats had to be removed.",
    },
    "too_few_beats": {
        "nl": "Te weinig bruikbare slagen voor een analyse.",
        "en": "Too few usable beats for an analysis.",
    },
}


# ---------------------------------------------------------------------------
# Errors


class RRFormatError(ValueError):
    """The file is not an RR-interval file we can read; ``lines`` are 1-based line numbers."""

    def __init__(self, message: str, lines: tuple[int, ...] = (), kind: str = "empty"):
        self.lines = tuple(lines)
        self.kind = kind  # "empty", "not_a_number" or "no_rr_column": the page words it in the user's language
        super().__init__(message)


class RRQualityError(ValueError):
    """The recording has too many artefacts (or too few beats) to analyse.

    ``reason`` is a key of ``MESSAGES``; ``artefacts`` holds the counts.
    """

    def __init__(self, reason: str, artefacts: Artefacts):
        self.reason = reason
        self.artefacts = artefacts
        super().__init__(
            f"{MESSAGES[reason]['en']} Intervals: {artefacts.n_raw}, out of range: {artefacts.n_out_of_range}, "
            f"ectopic: {artefacts.n_ectopic}, removed share: {artefacts.removed_share:.1%}."
        )


# ---------------------------------------------------------------------------
# Results


def _json_number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class RRSeries:
    """RR intervals in ms, as read (unit-converted, not yet cleaned)."""

    intervals_ms: tuple[float, ...]
    source_format: str  # "plain", "csv" or "polar-sensor-logger"
    notes: tuple[str, ...] = ()  # keys of MESSAGES

    def to_dict(self) -> dict:
        return {"intervals_ms": list(self.intervals_ms), "source_format": self.source_format, "notes": list(self.notes)}


@dataclass(frozen=True)
class Artefacts:
    n_raw: int
    n_out_of_range: int
    n_ectopic: int
    n_kept: int
    removed_share: float  # (out of range + ectopic) / raw

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TimeDomain:
    mean_rr_ms: float
    sdnn_ms: float  # sample standard deviation (ddof=1), as neurokit2 computes it
    rmssd_ms: float
    pnn50_pct: float  # neurokit2: NN50 / number of NN intervals × 100 (Task Force 1996 wording)
    mean_hr_bpm: float  # 60000 / mean RR: beats per minute over the recording
    n_beats: int  # NN intervals analysed
    duration_s: float  # from the start of the first to the end of the last analysed interval

    def to_dict(self) -> dict:
        return {k: _json_number(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class FrequencyDomain:
    lf_ms2: float  # power 0.04-0.15 Hz
    hf_ms2: float  # power 0.15-0.40 Hz
    lf_hf: float
    below_standard_duration: bool  # shorter than the Task Force's 5 minutes
    method: str = f"welch, RR interpolated at {INTERPOLATION_HZ} Hz"

    def to_dict(self) -> dict:
        return {k: _json_number(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class HRVResult:
    time: TimeDomain
    frequency: FrequencyDomain | None
    frequency_unavailable_reason: str | None  # a key of MESSAGES, e.g. "recording_too_short"
    artefacts: Artefacts
    notes: tuple[str, ...]  # keys of MESSAGES
    software: str  # e.g. "neurokit2 0.2.13", to know what computed a stored result

    def to_dict(self) -> dict:
        return {
            "time": self.time.to_dict(),
            "frequency": self.frequency.to_dict() if self.frequency else None,
            "frequency_unavailable_reason": self.frequency_unavailable_reason,
            "artefacts": self.artefacts.to_dict(),
            "notes": list(self.notes),
            "software": self.software,
        }


@dataclass(frozen=True)
class ChartSeries:
    x: tuple[float, ...]
    y: tuple[float, ...]
    x_unit: str
    y_unit: str
    n_source: int  # points before downsampling

    def to_dict(self) -> dict:
        return asdict(self) | {"x": list(self.x), "y": list(self.y)}


# ---------------------------------------------------------------------------
# Parsing

_RR_COLUMN_NAMES = {"rr", "rri", "rrms", "rrinterval", "rrintervals", "rrintervalms", "interval", "intervals", "ibi", "ibims", "nn", "nni"}
_POLAR_HEADER = ("phone timestamp", "rr-interval [ms]")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_MAX_LISTED_LINES = 10


def parse_rr(data: bytes, filename: str = "") -> RRSeries:
    """Read RR intervals from an uploaded file.

    Supported formats, detected from the content (``filename`` is only used in messages):

    1. Plain text: one interval per line; blank lines and ``#`` comments are ignored.
       This is also what many apps export as "RR intervals" (one number a line).
    2. CSV with a header row, separated by ``,``, ``;`` or tab, with a column named
       like rr, rri, rr_ms, RR interval, interval, ibi or nn (case and units such as
       ``[ms]`` or ``(ms)`` ignored). With ``;`` or tab separators a decimal comma is
       accepted (Dutch spreadsheets).
    3. Polar Sensor Logger RR export (Polar H10 and other Polar straps):
       ``Phone timestamp;RR-interval [ms]`` header, ``;`` separated, one interval a row.

    Values are taken as ms, unless every value is below 10: then they are seconds
    (e.g. Kubios-style exports) and are converted, with the note
    ``converted_from_seconds``. Any value that is not a number raises
    ``RRFormatError`` listing the line numbers.
    """
    text = _decode(data)
    lines = text.splitlines()
    content = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        raise RRFormatError(f"{filename or 'the file'}: no RR intervals found")

    first_line, first = content[0]
    if _number(first) is not None:
        source_format = "plain"
        values, bad = [], []
        for n, line in content:
            value = _number(line)
            (bad.append(n) if value is None else values.append(value))
    else:
        source_format, values, bad = _parse_table(content, filename)

    if bad:
        raise RRFormatError(
            f"{filename or 'the file'}: not a number on line(s) {_list_lines(bad)}", lines=tuple(bad),
            kind="not_a_number",
        )
    if not values:
        raise RRFormatError(f"{filename or 'the file'}: no RR intervals found")

    notes: tuple[str, ...] = ()
    if all(v < 10 for v in values):
        values = [v * 1000 for v in values]
        notes = ("converted_from_seconds",)
    return RRSeries(intervals_ms=tuple(values), source_format=source_format, notes=notes)


def _parse_table(content: list[tuple[int, str]], filename: str) -> tuple[str, list[float], list[int]]:
    header_line, header = content[0]
    separator = max((";", ",", "\t"), key=header.count)
    columns = [c.strip().strip('"').strip() for c in header.split(separator)]
    is_polar = len(columns) >= 2 and tuple(c.lower() for c in columns[:2]) == _POLAR_HEADER
    names = [_normalise_column(c) for c in columns]
    index = next((i for i, name in enumerate(names) if name in _RR_COLUMN_NAMES), None)
    if index is None:
        raise RRFormatError(
            f"{filename or 'the file'}: line {header_line} is not a number and has no RR column "
            f"(looked for rr, rri, rr_ms, interval, ibi; found: {', '.join(columns)})",
            lines=(header_line,),
            kind="no_rr_column",
        )

    values, bad = [], []
    rows = csv.reader(io.StringIO("\n".join(line for _, line in content[1:])), delimiter=separator)
    for (n, _), row in zip(content[1:], rows):
        if not any(cell.strip() for cell in row):
            continue
        cell = row[index].strip() if index < len(row) else ""
        value = _number(cell, decimal_comma=separator != ",")
        (bad.append(n) if value is None else values.append(value))
    return ("polar-sensor-logger" if is_polar else "csv"), values, bad


def _normalise_column(name: str) -> str:
    name = re.sub(r"[\[(].*?[\])]", "", name.lower())  # drop units: "RR [ms]", "ibi (ms)"
    return re.sub(r"[^a-z]", "", name)


def _number(text: str, decimal_comma: bool = True) -> float | None:
    text = text.strip().strip('"')
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _list_lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:_MAX_LISTED_LINES])
    more = len(lines) - _MAX_LISTED_LINES
    return f"{shown} and {more} more" if more > 0 else shown


# ---------------------------------------------------------------------------
# Artefacts


@dataclass(frozen=True)
class _Clean:
    rr: np.ndarray  # kept intervals, ms
    time: np.ndarray  # end of each kept interval, s since the start of the recording
    artefacts: Artefacts


def _clean(series: RRSeries) -> _Clean:
    """Remove out-of-range and ectopic intervals; refuse a recording with too many.

    Times come from the cumulative sum of *all* raw intervals, so removed beats leave
    gaps at the right place; neurokit2 then skips differences across a gap (RMSSD,
    pNN50) and interpolates over it (frequency domain).
    """
    raw = np.asarray(series.intervals_ms, dtype=float)
    time = np.cumsum(raw) / 1000
    in_range = (raw >= MIN_RR_MS) & (raw <= MAX_RR_MS)
    ectopic = np.zeros_like(in_range)
    ectopic[in_range] = _ectopic(raw[in_range])
    keep = in_range & ~ectopic

    n_raw = len(raw)
    n_out, n_ectopic = int(np.sum(~in_range)), int(np.sum(ectopic))
    artefacts = Artefacts(
        n_raw=n_raw,
        n_out_of_range=n_out,
        n_ectopic=n_ectopic,
        n_kept=int(np.sum(keep)),
        removed_share=(n_out + n_ectopic) / n_raw if n_raw else 0.0,
    )
    if artefacts.removed_share > MAX_REMOVED_SHARE:
        raise RRQualityError("too_many_artefacts", artefacts)
    if artefacts.n_kept < MIN_INTERVALS:
        raise RRQualityError("too_few_beats", artefacts)
    return _Clean(rr=raw[keep], time=time[keep], artefacts=artefacts)


def _ectopic(rr: np.ndarray) -> np.ndarray:
    """True where an interval differs > ECTOPIC_TOLERANCE from the median of its neighbours."""
    k = ECTOPIC_NEIGHBOURS
    if len(rr) < 3:
        return np.zeros(len(rr), dtype=bool)
    padded = np.concatenate([np.full(k, np.nan), rr, np.full(k, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * k + 1)
    neighbours = np.delete(windows, k, axis=1)
    reference = np.nanmedian(neighbours, axis=1)
    return np.abs(rr - reference) > ECTOPIC_TOLERANCE * reference


# ---------------------------------------------------------------------------
# Analysis


def analyse(series: RRSeries) -> HRVResult:
    """Time- and frequency-domain HRV of a recording, computed by neurokit2.

    Artefacts are removed first (see ``MIN_RR_MS``, ``MAX_RR_MS``,
    ``ECTOPIC_TOLERANCE``); more than ``MAX_REMOVED_SHARE`` removed raises
    ``RRQualityError``. The intervals go to neurokit2 as ``{"RRI", "RRI_Time"}``,
    neurokit2's own interval input, equivalent to peaks from
    ``nk.intervals_to_peaks`` but without rounding intervals to whole samples and
    with the gaps of removed beats kept.

    A recording shorter than ``MIN_FREQUENCY_DURATION_S`` (2 minutes, the Task
    Force 1996 minimum for LF) gets ``frequency=None`` and
    ``frequency_unavailable_reason="recording_too_short"``.
    """
    import neurokit2 as nk

    clean = _clean(series)
    intervals = {"RRI": clean.rr, "RRI_Time": clean.time}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # neurokit2 warns about indices we do not use (e.g. SDANN on short data)
        time_domain = nk.hrv_time(intervals).iloc[0]

    mean_rr = float(time_domain["HRV_MeanNN"])
    duration = _duration(clean)
    time = TimeDomain(
        mean_rr_ms=mean_rr,
        sdnn_ms=float(time_domain["HRV_SDNN"]),
        rmssd_ms=float(time_domain["HRV_RMSSD"]),
        pnn50_pct=float(time_domain["HRV_pNN50"]),
        mean_hr_bpm=60000 / mean_rr,
        n_beats=len(clean.rr),
        duration_s=duration,
    )

    frequency, reason = None, None
    if duration < MIN_FREQUENCY_DURATION_S:
        reason = "recording_too_short"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bands = nk.hrv_frequency(
                intervals,
                lf=LF_BAND,
                hf=HF_BAND,
                psd_method="welch",
                normalize=False,  # keep ms²; neurokit2 normalises to the peak by default
                interpolation_rate=INTERPOLATION_HZ,
            ).iloc[0]
        lf, hf = float(bands["HRV_LF"]), float(bands["HRV_HF"])
        frequency = FrequencyDomain(
            lf_ms2=lf,
            hf_ms2=hf,
            lf_hf=lf / hf if hf > 0 else math.nan,
            below_standard_duration=duration < STANDARD_FREQUENCY_DURATION_S,
        )

    notes = series.notes + (("below_standard_duration",) if frequency and frequency.below_standard_duration else ())
    return HRVResult(
        time=time,
        frequency=frequency,
        frequency_unavailable_reason=reason,
        artefacts=clean.artefacts,
        notes=notes,
        software=f"neurokit2 {nk.__version__}",
    )


def _duration(clean: _Clean) -> float:
    return float(clean.time[-1] - clean.time[0] + clean.rr[0] / 1000)


# ---------------------------------------------------------------------------
# Charts


def tachogram_points(series: RRSeries, cleaned: bool = True) -> ChartSeries:
    """RR interval (ms) against time (s), at most MAX_CHART_POINTS points.

    ``cleaned=True`` shows the analysed intervals (and raises ``RRQualityError``
    like ``analyse``); ``cleaned=False`` shows the file as read, artefacts included,
    e.g. to show why a recording was refused. Downsampling keeps each bucket's
    lowest and highest interval, so spikes stay visible.
    """
    if cleaned:
        clean = _clean(series)
        time, rr = clean.time, clean.rr
    else:
        rr = np.asarray(series.intervals_ms, dtype=float)
        time = np.cumsum(rr) / 1000
    x, y = _min_max_downsample(time, rr, MAX_CHART_POINTS)
    return ChartSeries(x=_floats(x, 3), y=_floats(y, 1), x_unit="s", y_unit="ms", n_source=len(rr))


def power_spectrum(series: RRSeries) -> ChartSeries | None:
    """Power spectral density (ms²/Hz) against frequency (Hz), 0-0.5 Hz.

    Computed as in ``analyse``: artefacts removed, RR interpolated at
    ``INTERPOLATION_HZ`` by ``nk.intervals_process``, Welch PSD by
    ``nk.signal_psd``. None when the recording is too short for the frequency
    domain. More than MAX_CHART_POINTS frequencies are averaged in buckets, which
    keeps the area under the curve (the band powers) about the same.
    """
    import neurokit2 as nk

    clean = _clean(series)
    if _duration(clean) < MIN_FREQUENCY_DURATION_S:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signal, _, rate = nk.intervals_process(
            clean.rr, intervals_time=clean.time, interpolate=True, interpolation_rate=INTERPOLATION_HZ
        )
        psd = nk.signal_psd(signal, sampling_rate=rate, method="welch", normalize=False, max_frequency=SPECTRUM_MAX_HZ)
    frequency, power = psd["Frequency"].to_numpy(), psd["Power"].to_numpy()
    x, y = _mean_downsample(frequency, power, MAX_CHART_POINTS)
    return ChartSeries(x=_floats(x, 5), y=_floats(y, 3), x_unit="Hz", y_unit="ms²/Hz", n_source=len(frequency))


def _min_max_downsample(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= max_points:
        return x, y
    edges = np.linspace(0, len(x), max_points // 2 + 1).astype(int)
    keep = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        segment = y[lo:hi]
        keep.extend(sorted({lo + int(np.argmin(segment)), lo + int(np.argmax(segment))}))
    return x[keep], y[keep]


def _mean_downsample(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= max_points:
        return x, y
    edges = np.linspace(0, len(x), max_points + 1).astype(int)[:-1]
    counts = np.diff(np.append(edges, len(x)))
    return np.add.reduceat(x, edges) / counts, np.add.reduceat(y, edges) / counts


def _floats(values: np.ndarray, decimals: int) -> tuple[float, ...]:
    return tuple(np.round(values.astype(float), decimals).tolist())
