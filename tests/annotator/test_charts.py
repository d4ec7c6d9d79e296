"""The SVG charts: valid XML, one mark per data point with a hover title, escaped text, sane axes."""

import xml.etree.ElementTree as ET

import pytest

from annotator import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & co'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None  # the chart's accessible name
    return root


def marks(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == "mark"]


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter() if el.tag in (f"{SVG}text", f"{SVG}title")]


def test_line_chart_has_a_circle_per_point_with_its_note():
    series = [
        charts.Series(
            "det_ap",
            [charts.Point(10, 0.2, "v1"), charts.Point(40, 0.5, "v2"), charts.Point(90, 0.7)],
        ),
        charts.Series("map", [charts.Point(10, 0.1), charts.Point(90, 0.4)]),
    ]
    root = parse(
        charts.line_chart(
            series, title="Learning curve", x_label="labels", y_label="AP", y_range=(0, 1)
        )
    )
    found = marks(root)
    assert len(found) == 5 and {m.tag for m in found} == {f"{SVG}circle"}
    assert [m.find(f"{SVG}title").text for m in found][:2] == ["v1", "v2"]
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert {"det_ap", "map", "labels", "AP"} <= set(texts(root))  # legend and axis labels
    assert {"0", "0.2", "1"} <= set(texts(root))  # y ticks over the fixed range


def test_line_chart_points_rise_with_their_values():
    root = parse(
        charts.line_chart(
            [charts.Series("s", [charts.Point(0, 0.0), charts.Point(1, 1.0)])],
            title="t",
            x_label="x",
            y_label="y",
            y_range=(0, 1),
        )
    )
    low, high = marks(root)
    assert float(high.get("cy")) < float(low.get("cy"))  # SVG y grows downwards
    assert float(high.get("cx")) > float(low.get("cx"))


def test_bar_chart_has_a_bar_per_value_in_order_and_none_as_na():
    bars = [
        charts.Bar("Myotis", 120),
        charts.Bar("Nyctalus", 3),
        charts.Bar("Rare", 0),
        charts.Bar("Unscored", None),
    ]
    root = parse(charts.bar_chart(bars, title="Species", x_label="events"))
    found = marks(root)
    assert len(found) == 3 and {m.tag for m in found} == {f"{SVG}rect"}
    widths = [float(m.get("width")) for m in found]
    assert widths[0] > widths[1] > widths[2] == 0
    assert [float(m.get("y")) for m in found] == sorted(float(m.get("y")) for m in found)
    assert "n/a" in texts(root)
    assert found[0].find(f"{SVG}title").text == "Myotis: 120"


def test_bar_chart_grows_with_a_long_tail():
    few = parse(
        charts.bar_chart([charts.Bar(f"sp{i}", i) for i in range(3)], title="t", x_label="x")
    )
    many = parse(
        charts.bar_chart([charts.Bar(f"sp{i}", i) for i in range(60)], title="t", x_label="x")
    )
    assert float(many.get("height")) > float(few.get("height")) * 5
    assert len(marks(many)) == 60


def test_stacked_bar_chart_has_a_mark_per_non_zero_segment_stacked_upwards():
    root = parse(
        charts.stacked_bar_chart(
            ["d1", "d2", "d3"],
            ["ann1", "ann2"],
            [[4, 2], [0, 1], [0, 0]],
            title="Labels per day",
            x_label="day",
            y_label="labels",
        )
    )
    found = marks(root)
    assert len(found) == 3
    first, second = found[0], found[1]  # d1: ann1 below ann2
    assert float(second.get("y")) + float(second.get("height")) == pytest.approx(
        float(first.get("y")), abs=0.2
    )
    assert float(first.get("height")) == pytest.approx(2 * float(second.get("height")), abs=0.2)
    assert first.find(f"{SVG}title").text == "d1 · ann1: 4"
    assert {"ann1", "ann2"} <= set(texts(root))  # legend


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.line_chart(
            [charts.Series(EVIL, [charts.Point(1, 1, EVIL)])],
            title=EVIL,
            x_label=EVIL,
            y_label=EVIL,
        ),
        lambda: charts.bar_chart([charts.Bar(EVIL, 1, EVIL)], title=EVIL, x_label=EVIL),
        lambda: charts.bar_chart([charts.Bar(EVIL, 1)], title=EVIL, x_label=EVIL),
        lambda: charts.stacked_bar_chart(
            [EVIL], [EVIL, "b"], [[1, 2]], title=EVIL, x_label=EVIL, y_label=EVIL
        ),
    ],
)
def test_text_is_escaped(draw):
    svg = draw()
    assert "<script>" not in svg
    root = parse(svg)  # parses, so no stray markup
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    assert any(EVIL in t for t in texts(root))  # the text survives, as text
    assert any(EVIL in (m.find(f"{SVG}title").text or "") for m in marks(root))


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.line_chart([], title="t", x_label="x", y_label="y", empty="Nothing yet"),
        lambda: charts.bar_chart([], title="t", x_label="x", empty="Nothing yet"),
        lambda: charts.stacked_bar_chart(
            ["a"], ["s"], [[0]], title="t", x_label="x", y_label="y", empty="Nothing yet"
        ),
    ],
)
def test_empty_charts_say_so(draw):
    root = parse(draw())
    assert marks(root) == [] and "Nothing yet" in texts(root)


def test_no_style_elements_or_ids_so_charts_can_share_a_page():
    svg = charts.stacked_bar_chart(["a"], ["s", "t"], [[1, 2]], title="t", x_label="x", y_label="y")
    root = parse(svg)
    assert not list(root.iter(f"{SVG}style"))
    assert all(el.get("id") is None for el in root.iter())


@pytest.mark.parametrize(
    "lo, hi, expected",
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0, 7, [0, 2, 4, 6, 8]),
        (0, 120, [0, 50, 100, 150]),
        (3, 3, [3, 4, 5, 6]),
    ],
)
def test_nice_ticks_are_round_and_cover_the_range(lo, hi, expected):
    ticks = charts.nice_ticks(lo, hi)
    assert ticks == pytest.approx(expected)


@pytest.mark.parametrize(
    "value, text",
    [
        (12, "12"),
        (3.5, "3.5"),
        (0.125, "0.125"),
        (12_500, "12.5k"),
        (2_000_000, "2M"),
        (None, "n/a"),
        (float("nan"), "n/a"),
    ],
)
def test_format_number(value, text):
    assert charts.format_number(value) == text
