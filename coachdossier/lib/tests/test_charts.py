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
    dates = [t for t in narrow.iter(f"{NS}text") if t.text and t.text.endswith("-2026")]
    assert len(dates) <= 3
    assert [t.get("text-anchor") for t in dates][0] == "start"
