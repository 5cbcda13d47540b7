"""Tiny inline-SVG chart builders for the offline report (no JavaScript, no external assets).

Every builder returns one ``<svg>`` string with a ``viewBox`` so it scales with the page, a
``<title>`` for accessibility and ``data-chart`` naming the chart (the report test looks for it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import NDArray

LEFT = "#2898ff"
RIGHT = "#ff8020"
GOOD = "#2fa84f"
BAD = "#d83a3a"
NEUTRAL = "#7a7a7a"
GRID = "#e3e3e3"
INK = "#222"


@dataclass(frozen=True)
class Frame:
    """Plot area inside an SVG of ``width`` x ``height`` user units."""

    width: float = 900.0
    height: float = 300.0
    left: float = 56.0
    right: float = 16.0
    top: float = 16.0
    bottom: float = 40.0

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:
        return self.top

    @property
    def y1(self) -> float:
        return self.height - self.bottom


def nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """About ``n`` round tick values covering ``lo..hi``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    out = []
    v = start
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def _f(v: float) -> str:
    return f"{v:.1f}"


def _svg(kind: str, fr: Frame, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" data-chart="{escape(kind)}" viewBox="0 0 {fr.width:g} {fr.height:g}" '
            f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def _axes(fr: Frame, xticks: Sequence[float], xs, yticks: Sequence[float], ys, *,
          xlabel: str, ylabel: str, xfmt=lambda v: f"{v:g}", yfmt=lambda v: f"{v:g}") -> list[str]:
    out = []
    for v in yticks:
        y = ys(v)
        out.append(f'<line x1="{_f(fr.x0)}" x2="{_f(fr.x1)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{GRID}"/>')
        out.append(f'<text x="{_f(fr.x0 - 6)}" y="{_f(y + 4)}" text-anchor="end" font-size="11" '
                   f'fill="{NEUTRAL}">{escape(yfmt(v))}</text>')
    for v in xticks:
        x = xs(v)
        out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(fr.y1)}" y2="{_f(fr.y1 + 4)}" stroke="{NEUTRAL}"/>')
        out.append(f'<text x="{_f(x)}" y="{_f(fr.y1 + 17)}" text-anchor="middle" font-size="11" '
                   f'fill="{NEUTRAL}">{escape(xfmt(v))}</text>')
    out.append(f'<line x1="{_f(fr.x0)}" x2="{_f(fr.x1)}" y1="{_f(fr.y1)}" y2="{_f(fr.y1)}" stroke="{INK}"/>')
    out.append(f'<text x="{_f((fr.x0 + fr.x1) / 2)}" y="{_f(fr.height - 4)}" text-anchor="middle" '
               f'font-size="12" fill="{INK}">{escape(xlabel)}</text>')
    out.append(f'<text transform="translate(14 {_f((fr.y0 + fr.y1) / 2)}) rotate(-90)" '
               f'text-anchor="middle" font-size="12" fill="{INK}">{escape(ylabel)}</text>')
    return out


def _path(x: NDArray[np.float64], y: NDArray[np.float64]) -> str:
    """SVG path data; NaN breaks the line instead of joining across a gap."""
    parts: list[str] = []
    pen = False
    for xi, yi in zip(x, y):
        if math.isfinite(xi) and math.isfinite(yi):
            parts.append(("L" if pen else "M") + f"{xi:.1f} {yi:.1f}")
            pen = True
        else:
            pen = False
    return " ".join(parts)


@dataclass(frozen=True)
class Band:
    """A shaded time span with a marker (a rep: start..end, marker at ``mid``)."""

    start: float
    end: float
    mid: float
    color: str
    label: str


def angle_chart(t: NDArray[np.float64], deg: NDArray[np.float64], bands: Sequence[Band], *,
                title: str, ylabel: str = "angle (deg)", fr: Frame = Frame()) -> str:
    """Angle over time with rep bands and good/bad markers at each rep's mid-point."""
    t = np.asarray(t, float)
    deg = np.asarray(deg, float)
    t_lo = float(t[0]) if t.size else 0.0
    t_hi = float(t[-1]) if t.size else 1.0
    t_hi = max(t_hi, t_lo + 1e-3, *(b.end for b in bands)) if bands else max(t_hi, t_lo + 1e-3)
    finite = deg[np.isfinite(deg)]
    lo = 0.0 if finite.size == 0 else max(0.0, math.floor(float(finite.min()) / 10) * 10 - 10)
    hi = 180.0 if finite.size == 0 else min(180.0, math.ceil(float(finite.max()) / 10) * 10 + 10)
    if hi <= lo:
        lo, hi = 0.0, 180.0

    def xs(v: float) -> float:
        return fr.x0 + (fr.x1 - fr.x0) * (v - t_lo) / (t_hi - t_lo)

    def ys(v: float) -> float:
        return fr.y1 - (fr.y1 - fr.y0) * (v - lo) / (hi - lo)

    body: list[str] = []
    for i, b in enumerate(bands):
        body.append(f'<rect class="rep-band" x="{_f(xs(b.start))}" y="{_f(fr.y0)}" '
                    f'width="{_f(max(1.0, xs(b.end) - xs(b.start)))}" height="{_f(fr.y1 - fr.y0)}" '
                    f'fill="{b.color}" fill-opacity="{0.10 if i % 2 else 0.16}">'
                    f"<title>{escape(b.label)}</title></rect>")
    body += _axes(fr, nice_ticks(t_lo, t_hi, 10), xs, nice_ticks(lo, hi, 5), ys,
                  xlabel="time (s)", ylabel=ylabel)
    xp = np.array([xs(v) for v in t]) if t.size else np.zeros(0)
    yp = np.array([ys(v) if math.isfinite(v) else math.nan for v in deg]) if deg.size else np.zeros(0)
    body.append(f'<path class="angle-line" d="{_path(xp, yp)}" fill="none" stroke="{INK}" '
                f'stroke-width="1.6" stroke-linejoin="round"/>')
    for b in bands:
        v = float(np.interp(b.mid, t, deg)) if t.size and np.isfinite(deg).any() else math.nan
        y = ys(v) if math.isfinite(v) else fr.y0 + 8
        body.append(f'<circle class="rep-mark" cx="{_f(xs(b.mid))}" cy="{_f(y)}" r="5" '
                    f'fill="{b.color}" stroke="white" stroke-width="1.5">'
                    f"<title>{escape(b.label)}</title></circle>")
    return _svg("angle", fr, title, body)


def gait_timeline(stances: Sequence[tuple[str, float, float]],
                  events: Sequence[tuple[float, str, str]], t_lo: float, t_hi: float, *,
                  title: str, fr: Frame = Frame(height=150, bottom=40)) -> str:
    """Two lanes (left, right): ground-contact bars and event ticks (contact ▼, toe-off |)."""
    t_hi = max(t_hi, t_lo + 1e-3)

    def xs(v: float) -> float:
        return fr.x0 + (fr.x1 - fr.x0) * (v - t_lo) / (t_hi - t_lo)

    lane_h = (fr.y1 - fr.y0) / 2 - 6
    lane_y = {"left": fr.y0, "right": fr.y0 + lane_h + 12}
    colors = {"left": LEFT, "right": RIGHT}
    body = _axes(fr, nice_ticks(t_lo, t_hi, 10), xs, [], lambda v: 0.0, xlabel="time (s)",
                 ylabel="")
    for side, y in lane_y.items():
        body.append(f'<rect x="{_f(fr.x0)}" y="{_f(y)}" width="{_f(fr.x1 - fr.x0)}" '
                    f'height="{_f(lane_h)}" fill="#f4f4f4"/>')
        body.append(f'<text x="{_f(fr.x0 - 6)}" y="{_f(y + lane_h / 2 + 4)}" text-anchor="end" '
                    f'font-size="12" fill="{colors[side]}">{side}</text>')
    for side, a, b in stances:
        y = lane_y[side]
        body.append(f'<rect class="stance" x="{_f(xs(a))}" y="{_f(y)}" '
                    f'width="{_f(max(1.0, xs(b) - xs(a)))}" height="{_f(lane_h)}" '
                    f'fill="{colors[side]}"><title>{side} contact {a:.3f}-{b:.3f} s '
                    f'({1000 * (b - a):.0f} ms)</title></rect>')
    for t, kind, side in events:
        x, y = xs(t), lane_y[side]
        if kind == "contact":
            body.append(f'<path class="event" d="M{_f(x - 4)} {_f(y - 7)} L{_f(x + 4)} {_f(y - 7)} '
                        f'L{_f(x)} {_f(y - 1)} Z" fill="{INK}"><title>{side} contact '
                        f'{t:.3f} s</title></path>')
        else:
            body.append(f'<line class="event" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(y - 7)}" '
                        f'y2="{_f(y + lane_h)}" stroke="{INK}" stroke-dasharray="2 2">'
                        f"<title>{side} toe-off {t:.3f} s</title></line>")
    return _svg("gait-timeline", fr, title, body)


def step_bars(steps: Sequence[tuple[str, float | None, float | None]], *, title: str,
              fr: Frame = Frame(height=260)) -> str:
    """Per step: contact time (solid, foot colour) and flight time (hatched) side by side, ms."""
    vals = [v for _, c, f in steps for v in (c, f) if v is not None and math.isfinite(v)]
    hi = max(vals) * 1.15 if vals else 100.0
    n = max(len(steps), 1)
    slot = (fr.x1 - fr.x0) / n
    bw = min(28.0, slot * 0.38)

    def ys(v: float) -> float:
        return fr.y1 - (fr.y1 - fr.y0) * v / hi

    body = _axes(fr, [], lambda v: 0.0, nice_ticks(0.0, hi, 5), ys, xlabel="step",
                 ylabel="time (ms)")
    body.append('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ddd"/>'
                f'<line x1="0" y1="0" x2="0" y2="6" stroke="{NEUTRAL}" stroke-width="2"/>'
                "</pattern></defs>")
    for i, (side, contact, flight) in enumerate(steps):
        cx = fr.x0 + slot * (i + 0.5)
        color = LEFT if side == "left" else RIGHT
        for k, (v, fill, cls, name) in enumerate(((contact, color, "bar-contact", "contact"),
                                                  (flight, "url(#hatch)", "bar-flight", "flight"))):
            x = cx - bw + k * bw
            if v is None or not math.isfinite(v):
                body.append(f'<text x="{_f(x + bw / 2)}" y="{_f(fr.y1 - 4)}" text-anchor="middle" '
                            f'font-size="10" fill="{NEUTRAL}">n/a</text>')
                continue
            body.append(f'<rect class="{cls}" x="{_f(x)}" y="{_f(ys(v))}" width="{_f(bw - 2)}" '
                        f'height="{_f(fr.y1 - ys(v))}" fill="{fill}"><title>step {i + 1} '
                        f'({side}) {name} {v:.0f} ms</title></rect>')
        body.append(f'<text x="{_f(cx)}" y="{_f(fr.y1 + 17)}" text-anchor="middle" font-size="11" '
                    f'fill="{color}">{i + 1}{side[0].upper()}</text>')
    return _svg("step-bars", fr, title, body)
