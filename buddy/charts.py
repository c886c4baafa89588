"""Small server-rendered SVG charts: readable without JavaScript, crisp when printed."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

BAR_H, GAP, LABEL_W, CHART_W = 18, 8, 240, 520
COLUMNS_W = 760
COLORS = ("#0b5cad", "#e08a00", "#2e7d32", "#8e24aa")


@dataclass(frozen=True)
class Series:
    """One named series of values, in the order of the chart's labels."""

    name: str
    values: tuple[float, ...]


def _num(value: float) -> str:
    return f"{value:g}"


def bars(title: str, labels: list[str], series: list[Series], unit: str = "") -> str:
    """Horizontal grouped bars: one group per label, one bar per series."""
    top = max([max(s.values, default=0) for s in series] + [1])
    group_h = len(series) * BAR_H + GAP
    height = len(labels) * group_h + 30
    width = LABEL_W + CHART_W + 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for k, s in enumerate(series):
        x = LABEL_W + k * 170
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLORS[k % 4]}"/>'
                     f'<text x="{x + 16}" y="15" font-size="12">{escape(s.name)}</text>')
    for i, label in enumerate(labels):
        y = 26 + i * group_h
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + len(series) * BAR_H / 2 + 4}" '
                     f'font-size="12" text-anchor="end">{escape(label)}</text>')
        for k, s in enumerate(series):
            value = s.values[i]
            w = CHART_W * value / top
            yy = y + k * BAR_H
            parts.append(f'<rect x="{LABEL_W}" y="{yy}" width="{w:.1f}" height="{BAR_H - 3}" '
                         f'fill="{COLORS[k % 4]}"><title>{escape(label)}, {escape(s.name)}: '
                         f'{_num(value)}{unit}</title></rect>'
                         f'<text x="{LABEL_W + w + 4:.1f}" y="{yy + BAR_H - 6}" '
                         f'font-size="11">{_num(value)}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def columns(title: str, labels: list[str], series: list[Series], unit: str = "") -> str:
    """Vertical grouped columns, e.g. one group per month."""
    top = max([max(s.values, default=0) for s in series] + [1])
    plot_h, width = 180, COLUMNS_W
    group_w = (width - 60) / max(len(labels), 1)
    col_w = min(22.0, (group_w - 8) / max(len(series), 1))
    height = plot_h + 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for k, s in enumerate(series):
        x = 40 + k * 200
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLORS[k % 4]}"/>'
                     f'<text x="{x + 16}" y="15" font-size="12">{escape(s.name)}</text>')
    base = plot_h + 30
    parts.append(f'<line x1="36" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#888"/>')
    for i, label in enumerate(labels):
        x = 40 + i * group_w
        for k, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top
            parts.append(f'<rect x="{x + k * col_w:.1f}" y="{base - h:.1f}" '
                         f'width="{col_w - 2:.1f}" height="{h:.1f}" fill="{COLORS[k % 4]}">'
                         f'<title>{escape(label)}, '
                         f'{escape(s.name)}: {_num(value)}{unit}</title></rect>')
        parts.append(f'<text x="{x + group_w / 2 - 4:.1f}" y="{base + 14}" font-size="10" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<text x="4" y="{base - plot_h + 4}" font-size="10">{_num(top)}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def from_rows(kind: str, title: str, rows, names: list[str], labels: list[str]) -> str:
    """A chart of stats rows: series k takes each row's k-th value."""
    series = [Series(str(name), tuple(float(r.values[k]) for r in rows))
              for k, name in enumerate(names)]
    draw = bars if kind == "bars" else columns
    return draw(str(title), [str(label) for label in labels], series)
