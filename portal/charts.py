"""Server-side SVG charts for the dashboards: accessible markup, no JavaScript.

Each helper returns a ``<figure>`` holding an inline ``<svg role="img">`` (with
``<title>`` and ``<desc>`` read by screen readers), a text legend for series and
the same figures as a table inside ``<details>``, so nothing depends on seeing
colour or the drawing itself. Series are told apart by colour *and* by a fill
pattern (bars) or a marker shape and dash (lines). Every label is escaped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Number = int | float | Decimal

# Colours with at least 4.5:1 contrast on white (so they also pass as text);
# each series also gets its own pattern or marker, never colour alone.
PALETTE = ("#0b4f8a", "#a64b00", "#1a7f37", "#6f42c1", "#b42318", "#3d4752")
INK, MUTED, GRID = "#1b1f24", "#4a5561", "#d0d7de"
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP = 72, 16, 24
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3")

_ids = itertools.count(1)


def format_number(value: Number | None, unit: str = "") -> str:
    """A value as a person reads it, in the user's language: integers whole, a
    Decimal with the places it has (money to the cent), floats to two places."""
    if value is None:
        return "–"
    if isinstance(value, int):
        places = 0
    elif isinstance(value, Decimal):
        places = max(0, -int(value.as_tuple().exponent))
    else:
        places = 2
    text = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    if unit == "%":
        return f"{text}%"
    if len(unit) == 3 and unit.isalpha() and unit.isupper():
        return f"{unit} {text}"  # a currency code, written as on the invoices
    return f"{text} {unit}".strip()


def _nice_max(top: float, *, whole: bool = False) -> tuple[float, float]:
    """The axis maximum and tick step: 1, 2, 2.5 or 5 times a power of ten
    (whole numbers only when counting)."""
    if whole and top <= 4:
        return max(float(math.ceil(top)), 1.0), 1.0
    if top <= 0:
        return 1.0, 0.25
    rough = top / 4
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10):
        step = power * factor
        if step * 4 >= top:
            break
    ticks = -(-top // step)  # ceiling
    return step * ticks, step


def _chart_id() -> str:
    return f"chart-{next(_ids)}"


def _empty(title: str) -> SafeString:
    return mark_safe(
        f'<figure class="chart chart-empty"><figcaption>{escape(title)}'
        f'</figcaption><p class="muted">{escape(_("No data yet"))}</p></figure>'
    )


def _is_empty(labels: Sequence, series: dict[str, Sequence]) -> bool:
    return not labels or not any(v for values in series.values() for v in values)


def _axes(
    chart_id: str, labels: Sequence[str], top: float, step: float, unit: str
) -> tuple[list[str], Callable[[float], float], float, float]:
    """Gridlines, y-axis values and x-axis labels; returns the y mapping and the
    plot's bottom and slot width."""
    rotate = len(labels) > 8
    bottom = HEIGHT - (64 if rotate else 36)
    plot_h = bottom - TOP
    slot = (WIDTH - LEFT - RIGHT) / len(labels)

    def y(value: float) -> float:
        return bottom - plot_h * (value / top)

    parts = []
    tick = 0.0
    while tick <= top + step / 1000:
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED}">{escape(format_number(_tick_value(tick), unit))}</text>'
        )
        tick += step
    for i, label in enumerate(labels):
        cx = LEFT + slot * (i + 0.5)
        if rotate:
            parts.append(
                f'<text x="{cx:.1f}" y="{bottom + 14}" text-anchor="end" '
                f'fill="{INK}" transform="rotate(-40 {cx:.1f} {bottom + 14})">'
                f"{escape(label)}</text>"
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{bottom + 18}" text-anchor="middle" '
                f'fill="{INK}">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    return parts, y, bottom, slot


def _tick_value(tick: float) -> Number:
    return int(tick) if float(tick).is_integer() else Decimal(str(round(tick, 2)))


def _patterns(chart_id: str, count: int) -> tuple[str, list[str]]:
    """One fill per series: solid, then hatched, dotted, crossed… in its colour."""
    defs, fills = [], []
    shapes = (
        "",
        '<path d="M0 8 L8 0" stroke="#fff" stroke-width="2"/>',
        '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
        '<path d="M0 4 H8 M4 0 V8" stroke="#fff" stroke-width="1.5"/>',
        '<path d="M0 0 L8 8" stroke="#fff" stroke-width="2"/>',
        '<path d="M0 2 H8 M0 6 H8" stroke="#fff" stroke-width="1.2"/>',
    )
    for i in range(count):
        colour = PALETTE[i % len(PALETTE)]
        shape = shapes[i % len(shapes)]
        if not shape:
            fills.append(colour)
            continue
        pid = f"{chart_id}-p{i}"
        defs.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{shape}</pattern>'
        )
        fills.append(f"url(#{pid})")
    return (f"<defs>{''.join(defs)}</defs>" if defs else ""), fills


def _legend(names: Sequence[str], swatches: Sequence[str]) -> str:
    items = "".join(
        f'<li style="display:inline-flex;align-items:center;gap:.35rem;'
        f'margin-right:1rem">{swatch}<span>{escape(name)}</span></li>'
        for name, swatch in zip(names, swatches, strict=True)
    )
    return (
        f'<ul class="chart-legend" style="list-style:none;padding:0;margin:.25rem 0">'
        f"{items}</ul>"
    )


def _table(
    title: str, labels: Sequence[str], series: dict[str, Sequence], unit: str
) -> str:
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in series)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(
            f"<td>{escape(format_number(values[i], unit))}</td>"
            for values in series.values()
        )
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return (
        f"<details><summary>{escape(_('Show the figures as a table'))}</summary>"
        f'<table><caption class="visually-hidden">{escape(title)}</caption>'
        f"<thead><tr><td></td>{head}</tr></thead><tbody>{rows}</tbody></table>"
        "</details>"
    )


def _description(labels: Sequence[str], series: dict[str, Sequence], unit: str) -> str:
    parts = []
    for name, values in series.items():
        points = ", ".join(
            f"{label}: {format_number(v, unit)}"
            for label, v in zip(labels, values, strict=True)
        )
        parts.append(f"{name} — {points}" if len(series) > 1 else points)
    return "; ".join(parts)


def _figure(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence],
    unit: str,
    body: Sequence[str],
    legend: str = "",
) -> SafeString:
    svg = (
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'style="max-width:{WIDTH}px;height:auto" '
        f'font-family="sans-serif" font-size="12" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(_description(labels, series, unit))}</desc>'
        f"{''.join(body)}</svg>"
    )
    return mark_safe(
        f'<figure class="chart" id="{chart_id}">'
        f"<figcaption><strong>{escape(title)}</strong></figcaption>"
        f"{legend}{svg}{_table(title, labels, series, unit)}</figure>"
    )


def _whole(series: dict[str, Sequence]) -> bool:
    return all(isinstance(v, int | None) for values in series.values() for v in values)


def _as_float(value: Number | None) -> float:
    return float(value or 0)


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Number | None], *, unit=""
) -> SafeString:
    """One bar per label, its value written above it."""
    return stacked_bar_chart(title, labels, {title: list(values)}, unit=unit)


def stacked_bar_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[Number | None]],
    *,
    unit: str = "",
) -> SafeString:
    """Bars made of one segment per series, the total written above each bar."""
    labels = [str(label) for label in labels]
    if _is_empty(labels, series):
        return _empty(title)
    chart_id = _chart_id()
    totals = [
        sum(_as_float(values[i]) for values in series.values())
        for i in range(len(labels))
    ]
    top, step = _nice_max(max(totals), whole=_whole(series))
    body, y, bottom, slot = _axes(chart_id, labels, top, step, unit)
    defs, fills = _patterns(chart_id, len(series))
    bar_w = min(slot * 0.6, 48)
    for i, label in enumerate(labels):
        x = LEFT + slot * (i + 0.5) - bar_w / 2
        base = 0.0
        for (name, values), fill in zip(series.items(), fills, strict=True):
            value = _as_float(values[i])
            if value <= 0:
                continue
            y_top, y_base = y(base + value), y(base)
            tip = f"{label}, {name}: {format_number(values[i], unit)}"
            body.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" '
                f'height="{y_base - y_top:.1f}" fill="{fill}" stroke="#fff" '
                f'stroke-width="1"><title>{escape(tip)}</title></rect>'
            )
            base += value
        if base > 0:
            total = sum((values[i] for values in series.values() if values[i]), start=0)
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y(base) - 4:.1f}" '
                f'text-anchor="middle" fill="{INK}" font-weight="bold">'
                f"{escape(format_number(total, unit))}</text>"
            )
    legend = ""
    if len(series) > 1:
        swatches = [
            f'<svg width="16" height="16" aria-hidden="true">'
            f'<rect width="16" height="16" fill="{fill}"/></svg>'
            for fill in fills
        ]
        legend = _legend(list(series), swatches)
    return _figure(chart_id, title, labels, series, unit, [defs, *body], legend)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return (
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" '
            f'fill="{colour}"/>'
        )
    if shape == "triangle":
        return (
            f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y + 4:.1f} '
            f'L{x - 5:.1f} {y + 4:.1f} Z" fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5:.1f} '
            f'L{x - 5:.1f} {y:.1f} Z" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[Number | None]],
    *,
    unit: str = "",
    maximum: Number | None = None,
) -> SafeString:
    """One line per series; a missing value (None) leaves a gap. With one series,
    each point's value is written beside it."""
    labels = [str(label) for label in labels]
    if _is_empty(labels, series):
        return _empty(title)
    chart_id = _chart_id()
    highest = max(_as_float(v) for values in series.values() for v in values)
    top, step = _nice_max(
        float(maximum) if maximum is not None else highest, whole=_whole(series)
    )
    body, y, bottom, slot = _axes(chart_id, labels, top, step, unit)
    swatches = []
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        shape, dash = MARKERS[n % len(MARKERS)], DASHES[n % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            point = (LEFT + slot * (i + 0.5), y(float(value)))
            runs[-1].append(point)
            tip = f"{labels[i]}, {name}: {format_number(value, unit)}"
            body.append(
                f"<g>{_marker(shape, *point, colour)}<title>{escape(tip)}</title></g>"
            )
            if len(series) == 1:
                body.append(
                    f'<text x="{point[0]:.1f}" y="{point[1] - 8:.1f}" '
                    f'text-anchor="middle" fill="{INK}">'
                    f"{escape(format_number(value, unit))}</text>"
                )
        for run in runs:
            if len(run) > 1:
                d = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                body.insert(
                    0,
                    f'<polyline points="{d}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash_attr}/>',
                )
        swatches.append(
            f'<svg width="28" height="12" aria-hidden="true">'
            f'<line x1="0" x2="28" y1="6" y2="6" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>{_marker(shape, 14, 6, colour)}</svg>'
        )
    legend = _legend(list(series), swatches) if len(series) > 1 else ""
    return _figure(chart_id, title, labels, series, unit, body, legend)
