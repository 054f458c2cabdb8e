"""Server-rendered SVG charts: accessible, escaped, and free of scripts and style attributes (strict CSP)."""

import datetime
import xml.etree.ElementTree as ET

from coachdossier.lib import charts

NS = "{http://www.w3.org/2000/svg}"


def test_a_line_chart_has_a_title_a_description_and_a_point_per_value():
    series = [charts.Series("Stress <b>", [(datetime.date(2026, 1, d), v) for d, v in ((1, 30), (15, 20), (29, 8))])]
    svg = charts.line_chart(series, title="Stress & trend", desc="Three scores", chart_id="t1", y_min=0, y_max=42,
                            bands=[charts.Shade(0, 14, "Normal"), charts.Shade(15, None, "High")])
    root = ET.fromstring(str(svg))  # nosec B314  # the SVG our own code drew
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Stress & trend"
    assert root.find(f"{NS}desc").text == "Three scores"
    assert len(root.findall(f"{NS}circle")) == 3
    assert len(root.findall(f"{NS}rect")) >= 2  # the bands
    assert "<b>" not in str(svg) and "style=" not in str(svg) and "<script" not in str(svg)


def test_a_higher_value_is_drawn_higher():
    svg = charts.line_chart([charts.Series("x", [(datetime.date(2026, 1, 1), 10), (datetime.date(2026, 2, 1), 30)])],
                            title="t", desc="d", chart_id="t2", y_min=0, y_max=40)
    circles = ET.fromstring(str(svg)).findall(f"{NS}circle")  # nosec B314  # the SVG our own code drew
    assert float(circles[1].get("cy")) < float(circles[0].get("cy"))


def test_an_xy_chart_draws_one_path_with_shaded_bands():
    x = [i / 100 for i in range(50)]
    svg = charts.xy_chart(x, [v * v for v in x], title="PSD", desc="d", chart_id="t3", x_unit="Hz", y_unit="ms²/Hz",
                          shades=[charts.Shade(0.04, 0.15, "LF"), charts.Shade(0.15, 0.4, "HF")], area=True)
    root = ET.fromstring(str(svg))  # nosec B314  # the SVG our own code drew
    assert len(root.findall(f"{NS}polyline")) == 1
    assert [r.find(f"{NS}title").text for r in root.findall(f"{NS}rect") if r.find(f"{NS}title") is not None] == [
        "LF", "HF"]


def test_no_data_gives_no_chart():
    assert charts.line_chart([charts.Series("x", [])], title="t", desc="d", chart_id="t4") == ""


def test_the_narrow_chart_has_bigger_text_on_a_smaller_canvas_and_its_date_labels_stay_inside():
    series = [charts.Series("HR", [(datetime.date(2026, 1, 1) + datetime.timedelta(weeks=w), 70) for w in range(9)])]
    wide, narrow = (ET.fromstring(str(charts.line_chart(series, title="t", desc="d", chart_id="t4", narrow=n)))  # nosec B314
                    for n in (False, True))
    assert wide.get("viewBox") == "0 0 640 260" and wide.get("class") == "chart"
    assert narrow.get("viewBox") == "0 0 320 240" and narrow.get("class") == "chart chart-narrow"
    # 14 units on a 320 wide canvas stay 11 px or more once it is drawn about 270 px wide.
    assert {g.get("font-size") for g in narrow.iter(f"{NS}g") if g.get("font-size")} == {"14"}
    dates = [t for t in narrow.iter(f"{NS}text") if t.text and t.text.endswith(" 2026")]
    assert len(dates) <= 3
    assert [t.get("text-anchor") for t in dates][0] == "start"


def test_a_dutch_page_writes_the_charts_numbers_with_a_decimal_comma_like_the_table_beside_it():
    """The chart of a client's heart rate said "Hartslag (bpm): 69.8" and ticks "0.1" on a Dutch
    page whose table read "69,8"."""
    from django.utils import translation

    series = [charts.Series("Hartslag (bpm)", [(datetime.date(2026, 1, 1), 69.8), (datetime.date(2026, 2, 1), 72.4)])]
    with translation.override("nl"):
        dutch = str(charts.line_chart(series, title="t", desc="d", chart_id="nl", y_min=0.1, y_max=0.5))
        spectrum = str(charts.xy_chart([0.0, 0.2, 0.4], [1, 2, 3], title="t", desc="d", chart_id="x", x_unit="Hz",
                                       y_unit=""))
    with translation.override("en"):
        english = str(charts.line_chart(series, title="t", desc="d", chart_id="en", y_min=0.1, y_max=0.5))
    assert "Hartslag (bpm): 69,8" in dutch and "69.8" not in dutch
    assert ">0,2<" in spectrum and ">0.2<" not in spectrum
    assert "Hartslag (bpm): 69.8" in english


def test_a_bar_chart_has_a_bar_per_count_at_its_own_size_and_wraps_labels_instead_of_cutting_them():
    rows = [("Brief", 2), ("Opmerking op een formulier of evaluatieverslag", 0), ("Cliëntportaal <b>", 4)]
    svg = charts.bar_chart(rows, title="Klachten per kanaal", desc="Brief: 2", chart_id="b1")
    root = ET.fromstring(str(svg))  # nosec B314  # the SVG our own code drew
    assert (root.get("class"), root.get("width"), root.get("role")) == ("chart chart-bars", "560", "img")
    assert root.get("viewBox") == f"0 0 560 {root.get('height')}"
    assert root.find(f"{NS}title").text == "Klachten per kanaal"
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert widths == [widths[2] / 2, 0, 560 - 228 - 44]
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Opmerking op een formulier of evaluatieverslag" in " ".join(texts)  # in two lines, whole
    assert "Cliëntportaal <b>" in texts and "<b>" not in str(svg) and "style=" not in str(svg)


def test_the_narrow_bar_chart_has_bigger_text_and_puts_each_label_above_its_bar():
    rows = [("Afgehandeld tot tevredenheid van de klager", 1), ("Ingetrokken door de klager", 3)]
    root = ET.fromstring(str(charts.bar_chart(rows, title="t", desc="d", chart_id="b2", narrow=True)))  # nosec B314
    assert (root.get("class"), root.get("width")) == ("chart chart-bars chart-narrow", "300")
    # 14 units on a 300 wide canvas stay 11 px or more down to a figure 236 px wide.
    assert {g.get("font-size") for g in root.iter(f"{NS}g")} == {"14"}
    labels = [t for t in root.iter(f"{NS}text") if t.get("x") == "0"]
    bars = list(root.iter(f"{NS}rect"))
    assert {float(r.get("x")) for r in bars} == {0}
    assert float(labels[0].get("y")) < float(bars[0].get("y"))
    assert float(labels[-1].get("y")) < float(bars[1].get("y"))


def test_a_charts_date_labels_are_written_in_the_pages_language():
    """The axis said "05-01-2026" on an English page too, and with a leading zero the Dutch pages
    do not write (SHORT_DATE_FORMAT: 5-1-2026)."""
    from django.utils import translation

    series = [charts.Series("HR", [(datetime.date(2026, 1, 5), 70), (datetime.date(2026, 2, 5), 72)])]
    with translation.override("nl"):
        dutch = str(charts.line_chart(series, title="t", desc="d", chart_id="nl"))
    with translation.override("en"):
        english = str(charts.line_chart(series, title="t", desc="d", chart_id="en"))
    assert ">5-1-2026<" in dutch and "05-01-2026" not in dutch
    assert ">5 Jan 2026<" in english and "05-01-2026" not in english
