"""Small server-side SVG charts: a line chart, a horizontal bar chart and a stacked bar chart.

Each function takes plain numbers and returns one self-contained SVG document as a string, with
axes, ticks, axis labels, a legend where there are several series, and a ``<title>`` on every mark
(the hover text). Marks carry ``class="mark"`` and ``data-value``. All text is escaped. Styling is by
presentation attributes only (no ``<style>``, no ids), so several charts can be inlined in one page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK = "#1d2320"
MUTED = "#66706a"
GRID = "#e3e6e3"
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#F0E442")
CHAR_W = 6.6  # average width of a 12 px character, for laying out labels without a font engine

Scale = Callable[[float], float]  # data value -> pixel


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    note: str = ""  # hover text; a default one is made from the series name and the values


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: shown as "n/a" without a bar
    note: str = ""


@dataclass
class _Canvas:
    width: float
    height: float
    title: str
    parts: list[str] = field(default_factory=list)

    def add(self, fragment: str) -> None:
        self.parts.append(fragment)

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        anchor: str = "start",
        size: int = 12,
        fill: str = INK,
        weight: str = "normal",
        rotate: bool = False,
    ) -> None:
        transform = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"'
            f' font-weight="{weight}"{transform}>{escape(content)}</text>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK) -> None:
        self.add(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"'
            ' stroke-width="1" shape-rendering="crispEdges"/>'
        )

    def render(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" height="{self.height:.0f}"'
            f' viewBox="0 0 {self.width:.0f} {self.height:.0f}" role="img" font-family="{escape(FONT)}">'
            f"<title>{escape(self.title)}</title>"
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
        )
        heading = (
            f'<text x="12" y="20" font-size="14" font-weight="600" fill="{INK}">'
            f"{escape(self.title)}</text>"
        )
        return head + heading + "".join(self.parts) + "</svg>"


# --- numbers on axes -----------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 × 10^k) covering ``lo``..``hi`` with about ``n`` ticks."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step + 1e-9) * step
    ticks = []
    value = first
    while value < hi + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def format_number(value: float | None) -> str:
    """Short human form: 12, 3.5, 0.125, 1.2k, 3.4M."""
    if value is None or not math.isfinite(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.3g}k"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.3g}" if magnitude >= 1 else f"{value:.3f}".rstrip("0").rstrip(".")


def _scale(lo: float, hi: float, a: float, b: float) -> Scale:
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _shorten(label: str, max_chars: int) -> str:
    return label if len(label) <= max_chars else label[: max_chars - 1] + "…"


def _empty(c: _Canvas, message: str) -> str:
    c.text(c.width / 2, c.height / 2, message, anchor="middle", fill=MUTED)
    return c.render()


def _legend(c: _Canvas, names: Sequence[str], x: float, y: float) -> None:
    """One swatch and name per series, left to right, wrapping at the canvas edge."""
    cx = x
    for i, name in enumerate(names):
        label = _shorten(name, 28)
        w = 18 + len(label) * CHAR_W + 14
        if cx + w > c.width - 8 and cx > x:
            cx, y = x, y + 16
        c.add(
            f'<rect x="{cx:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
        )
        c.text(cx + 14, y, label, size=11, fill=MUTED)
        cx += w


def _mark_title(note: str) -> str:
    return f"<title>{escape(note)}</title>"


# --- line chart ------------------------------------------------------------------------------------


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    y_range: tuple[float, float] | None = None,
    width: int = 640,
    height: int = 320,
    empty: str = "No data yet",
) -> str:
    """Lines with a circle per point (the marks); ``y_range`` fixes the y axis (e.g. 0..1 for AP)."""
    c = _Canvas(width, height, title)
    points = [p for s in series for p in s.points]
    if not points:
        return _empty(c, empty)
    left, right, top, bottom = 56, width - 16, 48, height - 44
    xs, ys = [p.x for p in points], [p.y for p in points]
    x_ticks = nice_ticks(min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1)
    y_ticks = nice_ticks(*(y_range or (min(0.0, min(ys)), max(ys))))
    sx = _scale(x_ticks[0], x_ticks[-1], left, right)
    sy = _scale(y_ticks[0], y_ticks[-1], bottom, top)
    _axes(c, left, right, top, bottom, x_ticks, y_ticks, sx, sy)
    c.text((left + right) / 2, height - 8, x_label, anchor="middle", fill=MUTED)
    c.text(14, (top + bottom) / 2, y_label, anchor="middle", fill=MUTED, rotate=True)
    for i, s in enumerate(series):
        _series(c, s, PALETTE[i % len(PALETTE)], sx, sy)
    if len(series) > 1:
        _legend(c, [s.name for s in series], left + 4, 38)
    return c.render()


def _axes(
    c: _Canvas,
    left: float,
    right: float,
    top: float,
    bottom: float,
    x_ticks: list[float],
    y_ticks: list[float],
    sx: Scale,
    sy: Scale,
) -> None:
    for t in y_ticks:
        y = sy(t)
        c.line(left, y, right, y, stroke=GRID)
        c.text(left - 6, y + 4, format_number(t), anchor="end", size=11, fill=MUTED)
    for t in x_ticks:
        x = sx(t)
        c.line(x, bottom, x, bottom + 4)
        c.text(x, bottom + 17, format_number(t), anchor="middle", size=11, fill=MUTED)
    c.line(left, bottom, right, bottom)
    c.line(left, top, left, bottom)


def _series(c: _Canvas, s: Series, color: str, sx: Scale, sy: Scale) -> None:
    pts = sorted(s.points, key=lambda p: p.x)
    if len(pts) > 1:
        path = " ".join(f"{sx(p.x):.1f},{sy(p.y):.1f}" for p in pts)
        c.add(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
    for p in pts:
        note = p.note or f"{s.name}: {format_number(p.y)} at {format_number(p.x)}"
        c.add(
            f'<circle class="mark" data-value="{p.y}" cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="4"'
            f' fill="{color}" stroke="#ffffff" stroke-width="1">{_mark_title(note)}</circle>'
        )


# --- horizontal bar chart ----------------------------------------------------------------------------


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    x_label: str,
    width: int = 640,
    bar_height: int = 18,
    x_max: float | None = None,
    empty: str = "No data yet",
) -> str:
    """Horizontal bars, one row per bar in the given order; the chart grows with the rows so a
    long tail stays readable. Every bar with a value is a mark (zero gives a zero-width bar)."""
    top, row = 48, bar_height + 6
    height = top + row * max(len(bars), 1) + 44
    c = _Canvas(width, height, title)
    if not bars:
        return _empty(c, empty)
    max_chars = 32
    left = 12 + min(max(len(b.label) for b in bars), max_chars) * CHAR_W + 8
    right, bottom = width - 56, top + row * len(bars)
    values = [b.value for b in bars if b.value is not None]
    ticks = nice_ticks(0.0, x_max if x_max is not None else max(values + [0.0]) or 1.0)
    sx = _scale(0.0, ticks[-1], left, right)
    for t in ticks:
        c.line(sx(t), top - 4, sx(t), bottom, stroke=GRID)
        c.text(sx(t), bottom + 16, format_number(t), anchor="middle", size=11, fill=MUTED)
    for i, b in enumerate(bars):
        _bar_row(c, b, top + i * row, bar_height, left, sx)
    c.line(left, top - 4, left, bottom)
    c.line(left, bottom, right, bottom)
    c.text((left + right) / 2, height - 10, x_label, anchor="middle", fill=MUTED)
    return c.render()


def _bar_row(c: _Canvas, b: Bar, y: float, h: float, left: float, sx: Scale) -> None:
    c.text(left - 6, y + h * 0.75, _shorten(b.label, 32), anchor="end", size=12)
    if b.value is None:
        c.text(left + 6, y + h * 0.75, "n/a", size=11, fill=MUTED)
        return
    w = max(sx(b.value) - left, 0.0)
    note = b.note or f"{b.label}: {format_number(b.value)}"
    c.add(
        f'<rect class="mark" data-value="{b.value}" x="{left:.1f}" y="{y:.1f}" width="{w:.1f}"'
        f' height="{h}" fill="{PALETTE[0]}">{_mark_title(note)}</rect>'
    )
    c.text(left + w + 4, y + h * 0.75, format_number(b.value), size=11, fill=MUTED)


# --- stacked bar chart ---------------------------------------------------------------------------------


def stacked_bar_chart(
    categories: Sequence[str],
    stacks: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 640,
    height: int = 320,
    empty: str = "No data yet",
) -> str:
    """Vertical bars, one per category, each split into ``stacks`` (``values[category][stack]``).

    Every non-zero segment is a mark; zeros draw nothing. Category labels are thinned to fit.
    """
    c = _Canvas(width, height, title)
    if not categories or not any(v for row in values for v in row):
        return _empty(c, empty)
    left, right, top, bottom = 56, width - 16, 48 + 16 * (len(stacks) > 1), height - 44
    ticks = nice_ticks(0.0, max(sum(row) for row in values))
    sy = _scale(0.0, ticks[-1], bottom, top)
    slot = (right - left) / len(categories)
    _axes_y(c, left, right, bottom, ticks, sy)
    every = max(1, math.ceil(len(categories) / max(1, int((right - left) / 80))))
    for i, (category, row) in enumerate(zip(categories, values, strict=True)):
        x = left + i * slot
        bar_w = min(slot * 0.76, 56.0)
        _stack(c, category, stacks, row, x + (slot - bar_w) / 2, bar_w, sy)
        if i % every == 0:
            c.text(
                x + slot / 2,
                bottom + 16,
                _shorten(category, 14),
                anchor="middle",
                size=11,
                fill=MUTED,
            )
    c.line(left, bottom, right, bottom)
    c.text((left + right) / 2, height - 8, x_label, anchor="middle", fill=MUTED)
    c.text(14, (top + bottom) / 2, y_label, anchor="middle", fill=MUTED, rotate=True)
    if len(stacks) > 1:
        _legend(c, stacks, left + 4, 40)
    return c.render()


def _axes_y(
    c: _Canvas, left: float, right: float, bottom: float, ticks: list[float], sy: Scale
) -> None:
    for t in ticks:
        c.line(left, sy(t), right, sy(t), stroke=GRID)
        c.text(left - 6, sy(t) + 4, format_number(t), anchor="end", size=11, fill=MUTED)
    c.line(left, sy(ticks[-1]), left, bottom)


def _stack(
    c: _Canvas,
    category: str,
    stacks: Sequence[str],
    row: Sequence[float],
    x: float,
    w: float,
    sy: Scale,
) -> None:
    base = 0.0
    for j, (name, value) in enumerate(zip(stacks, row, strict=True)):
        if not value:
            continue
        y0, y1 = sy(base), sy(base + value)
        note = (
            f"{category} · {name}: {format_number(value)}"
            if len(stacks) > 1
            else f"{category}: {format_number(value)}"
        )
        c.add(
            f'<rect class="mark" data-value="{value}" x="{x:.1f}" y="{y1:.1f}" width="{max(w, 1.0):.1f}"'
            f' height="{y0 - y1:.1f}" fill="{PALETTE[j % len(PALETTE)]}">{_mark_title(note)}</rect>'
        )
        base += value
