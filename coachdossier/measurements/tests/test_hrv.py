import json
import math
from pathlib import Path

import numpy as np
import pytest

from coachdossier.measurements.hrv import (
    MAX_CHART_POINTS,
    MAX_REMOVED_SHARE,
    MESSAGES,
    RRFormatError,
    RRQualityError,
    RRSeries,
    analyse,
    parse_rr,
    power_spectrum,
    tachogram_points,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name):
    return parse_rr((SAMPLES / name).read_bytes(), name)


def series(intervals):
    return RRSeries(intervals_ms=tuple(float(v) for v in intervals), source_format="plain")


def modulated(frequencies_and_amplitudes, seconds=600, mean=800, noise=5, seed=1):
    """RR intervals of a heart whose interval follows mean + Σ a·sin(2π f t), plus white noise."""
    rng = np.random.default_rng(seed)
    intervals, t = [], 0.0
    while t < seconds:
        rr = mean + sum(a * math.sin(2 * math.pi * f * t) for f, a in frequencies_and_amplitudes)
        rr += rng.normal(0, noise)
        intervals.append(rr)
        t += rr / 1000
    return series(intervals)


# --- measures against hand computation


def test_time_domain_matches_a_hand_computed_example():
    result = analyse(series([800, 810, 790, 820, 780, 800, 805, 795]))

    time = result.time
    # mean RR = 6400 / 8 = 800 ms; mean HR = 60000 / 800 = 75 bpm
    assert time.mean_rr_ms == pytest.approx(800)
    assert time.mean_hr_bpm == pytest.approx(75)
    # SDNN, sample SD (ddof=1; neurokit2's hrv_time uses np.nanstd(rri, ddof=1)):
    # deviations 0, 10, -10, 20, -20, 0, 5, -5 → squares 0+100+100+400+400+0+25+25 = 1050
    # 1050 / 7 = 150 → √150 = 12.247 ms
    assert time.sdnn_ms == pytest.approx(math.sqrt(150), abs=1e-6)
    # RMSSD: differences 10, -20, 30, -40, 20, 5, -10 → squares 100+400+900+1600+400+25+100 = 3525
    # 3525 / 7 = 503.57 → √503.57 = 22.440 ms
    assert time.rmssd_ms == pytest.approx(math.sqrt(3525 / 7), abs=1e-6)
    # pNN50: no difference exceeds 50 ms → 0 %
    assert time.pnn50_pct == 0
    assert time.n_beats == 8
    # duration = 6400 ms = 6.4 s
    assert time.duration_s == pytest.approx(6.4)


def test_pnn50_follows_neurokit2_dividing_by_the_number_of_intervals():
    result = analyse(series([800, 860, 790, 850, 800, 810]))

    # differences 60, -70, 60, -50, 10: NN50 = 3 (60, 70, 60; 50 is not more than 50).
    # neurokit2 divides by the number of NN intervals (6), as the Task Force 1996 words it:
    # 3 / 6 × 100 = 50 %. (Kubios divides by the 5 differences and would say 60 %.)
    assert result.time.pnn50_pct == pytest.approx(50)
    # mean = 4910 / 6 = 818.33; RMSSD = √((3600 + 4900 + 3600 + 2500 + 100) / 5) = √2940 = 54.22
    assert result.time.mean_rr_ms == pytest.approx(4910 / 6)
    assert result.time.rmssd_ms == pytest.approx(math.sqrt(2940))


# --- parsers


def test_plain_text_skips_comments_and_blank_lines():
    rr = sample("rr-plain.txt")

    assert rr.source_format == "plain"
    assert len(rr.intervals_ms) == 40
    assert rr.intervals_ms[:3] == (818, 858, 837)
    assert rr.notes == ()


def test_seconds_are_converted_to_milliseconds_with_a_note():
    rr = sample("rr-seconds.txt")

    assert rr.intervals_ms == pytest.approx(sample("rr-plain.txt").intervals_ms)
    assert rr.notes == ("converted_from_seconds",)
    assert set(MESSAGES["converted_from_seconds"]) == {"nl", "en"}


def test_a_csv_with_an_rr_column_is_read():
    rr = sample("rr-generic.csv")

    assert rr.source_format == "csv"
    assert rr.intervals_ms == sample("rr-plain.txt").intervals_ms


def test_a_semicolon_csv_with_decimal_commas_is_read():
    rr = sample("rr-dutch.csv")

    assert rr.intervals_ms == tuple(v + 0.5 for v in sample("rr-plain.txt").intervals_ms)


def test_a_polar_sensor_logger_export_is_recognised():
    rr = sample("polar-sensor-logger-rr.txt")

    assert rr.source_format == "polar-sensor-logger"
    assert rr.intervals_ms == sample("rr-plain.txt").intervals_ms


@pytest.mark.parametrize("header", ["rr", "RRI", "rr_ms", "Interval", "IBI", "RR-interval [ms]", "rr (ms)"])
def test_the_rr_column_is_found_by_common_names(header):
    data = f"timestamp;{header};hr\n1;800;75\n2;810;74\n".encode()

    assert parse_rr(data).intervals_ms == (800, 810)


def test_a_byte_order_mark_is_ignored():
    assert parse_rr(b"\xef\xbb\xbfRR\n800\n").intervals_ms == (800,)


def test_a_non_numeric_file_is_refused_with_its_line_numbers():
    with pytest.raises(RRFormatError) as caught:
        parse_rr(b"800\n810\nabc\n# fine\n790\n8O0\n", "upload.txt")

    assert caught.value.lines == (3, 6)
    assert "upload.txt: not a number on line(s) 3, 6" in str(caught.value)


def test_a_bad_csv_cell_is_reported_on_its_file_line():
    with pytest.raises(RRFormatError) as caught:
        parse_rr(b"time,rr\n\n1,800\n2,n/a\n3,\n")

    assert caught.value.lines == (4, 5)


def test_a_table_without_an_rr_column_is_refused():
    with pytest.raises(RRFormatError) as caught:
        parse_rr(b"date,heart rate\n2024-01-01,70\n")

    assert caught.value.lines == (1,)
    assert "found: date, heart rate" in str(caught.value)


def test_an_empty_file_is_refused():
    with pytest.raises(RRFormatError):
        parse_rr(b"# nothing here\n\n")


def test_a_binary_file_is_refused():
    with pytest.raises(RRFormatError):
        parse_rr(bytes(range(256)) * 4)


# --- artefacts


def test_out_of_range_beats_over_the_tolerated_share_are_refused_with_counts():
    intervals = [800] * 94 + [3000, 120, 4000, 200, 2600, 100]  # 6 of 100 = 6 % > 5 %

    with pytest.raises(RRQualityError) as caught:
        analyse(series(intervals))

    assert caught.value.reason == "too_many_artefacts"
    assert caught.value.artefacts.n_out_of_range == 6
    assert caught.value.artefacts.removed_share == pytest.approx(0.06)
    assert MAX_REMOVED_SHARE == 0.05


def test_artefacts_under_the_tolerated_share_are_removed_and_counted():
    intervals = [800, 820] * 50
    intervals[10] = 3000  # out of range
    intervals[30] = 200  # out of range
    intervals[60] = 1000  # 25 % above its neighbours: ectopic

    result = analyse(series(intervals))

    assert (result.artefacts.n_raw, result.artefacts.n_out_of_range, result.artefacts.n_ectopic) == (100, 2, 1)
    assert result.artefacts.n_kept == result.time.n_beats == 97


def test_differences_across_a_removed_beat_are_not_counted():
    intervals = [800, 820] * 50
    intervals.insert(50, 1100)  # an ectopic beat between two normal ones

    result = analyse(series(intervals))

    # Every successive difference of 800/820 alternation is 20 ms; 1100 is removed and the
    # 800 → 800 difference across its gap is skipped (it would lower RMSSD).
    assert result.artefacts.n_ectopic == 1
    assert result.time.rmssd_ms == pytest.approx(20)


def test_too_few_beats_are_refused():
    with pytest.raises(RRQualityError) as caught:
        analyse(series([800, 810]))

    assert caught.value.reason == "too_few_beats"


# --- frequency domain


def test_a_short_recording_gives_time_domain_and_a_reason_for_no_frequency_domain():
    result = analyse(modulated([(0.25, 40)], seconds=60))

    assert result.time.rmssd_ms > 0
    assert result.frequency is None
    assert result.frequency_unavailable_reason == "recording_too_short"
    assert "2 minuten" in MESSAGES["recording_too_short"]["nl"]
    assert power_spectrum(modulated([(0.25, 40)], seconds=60)) is None


def test_breathing_rate_modulation_at_0_25_hz_makes_hf_dominate():
    result = analyse(modulated([(0.25, 40), (0.1, 10)]))

    assert result.frequency.hf_ms2 > result.frequency.lf_ms2
    assert result.frequency.lf_hf < 1
    # a sine of amplitude 40 ms has power 40² / 2 = 800 ms²
    assert result.frequency.hf_ms2 == pytest.approx(800, rel=0.15)
    assert result.frequency.below_standard_duration is False


def test_baroreflex_modulation_at_0_1_hz_makes_lf_dominate():
    result = analyse(modulated([(0.1, 40), (0.25, 10)]))

    assert result.frequency.lf_hf > 1
    assert result.frequency.lf_ms2 == pytest.approx(800, rel=0.15)


def test_a_three_minute_recording_gets_a_frequency_domain_marked_below_standard():
    result = analyse(modulated([(0.25, 40)], seconds=180))

    assert result.frequency is not None
    assert result.frequency.below_standard_duration is True
    assert "below_standard_duration" in result.notes


def test_a_result_serialises_to_strict_json():
    result = analyse(sample("rr-seconds.txt"))

    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))

    assert data["frequency"] is None
    assert data["notes"] == ["converted_from_seconds"]
    assert data["software"].startswith("neurokit2 ")


# --- charts


def test_the_tachogram_of_a_short_recording_has_every_beat():
    chart = tachogram_points(series([800, 810, 790]))

    assert chart.x == (0.8, 1.61, 2.4)
    assert chart.y == (800, 810, 790)
    assert (chart.x_unit, chart.y_unit) == ("s", "ms")


def test_a_long_tachogram_is_downsampled_keeping_its_extremes():
    recording = modulated([(0.25, 40)], seconds=3600)

    chart = tachogram_points(recording)

    assert len(chart.x) <= MAX_CHART_POINTS
    assert chart.n_source > 4000
    assert list(chart.x) == sorted(chart.x)
    assert max(chart.y) == pytest.approx(max(recording.intervals_ms), abs=0.1)
    assert min(chart.y) == pytest.approx(min(recording.intervals_ms), abs=0.1)


def test_the_raw_tachogram_shows_artefacts_that_were_refused():
    refused = series([800] * 90 + [3000] * 10)

    chart = tachogram_points(refused, cleaned=False)

    assert max(chart.y) == 3000
    with pytest.raises(RRQualityError):
        tachogram_points(refused)


def test_the_power_spectrum_peaks_at_the_modulation_frequency():
    chart = power_spectrum(modulated([(0.25, 40)], seconds=3600))

    assert len(chart.x) <= MAX_CHART_POINTS
    assert chart.n_source > MAX_CHART_POINTS
    peak = chart.x[int(np.argmax(chart.y))]
    assert peak == pytest.approx(0.25, abs=0.01)
    assert max(chart.x) <= 0.5
    assert chart.to_dict()["y_unit"] == "ms²/Hz"
