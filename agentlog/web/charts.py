"""Charts as inline SVG, drawn on the server: no script, no library. Every label goes
through Jinja2's escaping (markupsafe) like any other stored text."""

from __future__ import annotations

from markupsafe import Markup, escape

W, H, PAD = 640, 220, 36
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1")


def _scale(values: list[float]) -> float:
    top = max(values, default=0) or 1
    return (H - 2 * PAD) / top


def _frame(body: list[str], labels: list[str], top: float, unit: str, title: str,
           legend: list[tuple[str, str]]) -> Markup:
    step = (W - 2 * PAD) / max(1, len(labels))
    ticks = [f'<text x="{PAD + i * step + step / 2:.1f}" y="{H - 8}" text-anchor="middle">'
             f"{escape(label)}</text>"
             for i, label in enumerate(labels) if i % max(1, len(labels) // 6) == 0]
    keys, x = [], PAD
    for name, colour in legend:
        keys.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{x + 14}" y="14">{escape(name)}</text>')
        x += 26 + 7 * len(name)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#999"/>'
        f'<text x="{PAD}" y="{PAD - 4}">max {escape(_number(top))}{unit}</text>'
        + "".join(body + ticks + keys) + "</svg>")


def _number(value: float) -> str:
    return f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"


def bars(labels: list[str], series: list[tuple[str, list[float]]], title: str,
         unit: str = "", stacked: bool = False) -> Markup:
    """Grouped (or stacked) bars: one group per label, one bar per series."""
    sums = [sum(s[1][i] or 0 for s in series) for i in range(len(labels))]
    top = max(sums if stacked else [v or 0 for _, s in series for v in s], default=0)
    scale = _scale([top])
    step = (W - 2 * PAD) / max(1, len(labels))
    width = step * 0.8 / (1 if stacked else max(1, len(series)))
    body = []
    for i in range(len(labels)):
        base = H - PAD
        for j, (name, values) in enumerate(series):
            value = values[i] or 0
            height = value * scale
            x = PAD + i * step + step * 0.1 + (0 if stacked else j * width)
            y = base - height
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                        f'height="{height:.1f}" fill="{COLOURS[j % len(COLOURS)]}">'
                        f"<title>{escape(name)} {escape(labels[i])}: "
                        f"{escape(_number(value))}{unit}</title></rect>")
            if stacked:
                base = y
    legend = [(name, COLOURS[j % len(COLOURS)]) for j, (name, _) in enumerate(series)]
    return _frame(body, labels, top, unit, title, legend)


def lines(labels: list[str], series: list[tuple[str, list[float | None]]], title: str,
          unit: str = "") -> Markup:
    """One polyline per series; a missing value (None) breaks nothing, it is skipped."""
    top = max((v for _, s in series for v in s if v is not None), default=0)
    scale = _scale([top])
    step = (W - 2 * PAD) / max(1, len(labels))
    body = []
    for j, (_, values) in enumerate(series):
        points = [f"{PAD + i * step + step / 2:.1f},{H - PAD - v * scale:.1f}"
                  for i, v in enumerate(values) if v is not None]
        colour = COLOURS[j % len(COLOURS)]
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(points)}"/>')
        body += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" '
                 f'fill="{colour}"/>' for p in points]
    legend = [(name, COLOURS[j % len(COLOURS)]) for j, (name, _) in enumerate(series)]
    return _frame(body, labels, top, unit, title, legend)
