"""Drawing primitives on RGB frames (OpenCV, anti-aliased, in place).

Everything works on a region of interest where blending is needed, never on a full-frame copy,
so drawing costs about a millisecond per frame even on 4K footage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import SKELETON_EDGES, Joint
from repstride.render import style
from repstride.render.style import Color, Sizes

_SHIFT = 4  # sub-pixel bits for cv2 drawing
_ONE = 1 << _SHIFT
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _side(j: Joint) -> str:
    if j.name.startswith("LEFT_"):
        return "left"
    if j.name.startswith("RIGHT_"):
        return "right"
    return "centre"


def _edge_color(a: Joint, b: Joint) -> Color:
    sides = {_side(a), _side(b)} - {"centre"}
    if sides == {"left"}:
        return style.LEFT
    if sides == {"right"}:
        return style.RIGHT
    return style.CENTRE


_EDGE_COLORS: tuple[Color, ...] = tuple(_edge_color(a, b) for a, b in SKELETON_EDGES)
_DRAWN_JOINTS: tuple[Joint, ...] = tuple(sorted({j for e in SKELETON_EDGES for j in e}))
_JOINT_COLORS: dict[Joint, Color] = {
    j: {"left": style.LEFT, "right": style.RIGHT, "centre": style.CENTRE}[_side(j)]
    for j in _DRAWN_JOINTS
}


def _pt(p: NDArray[np.float64]) -> tuple[int, int]:
    return int(round(p[0] * _ONE)), int(round(p[1] * _ONE))


def skeleton(img: NDArray[np.uint8], px: NDArray[np.float64], score: NDArray[np.float64],
             sz: Sizes, *, min_score: float = style.MIN_JOINT_SCORE) -> None:
    """Draw the wireframe. ``px (J, 2)`` pixel coordinates, ``score (J,)``; NaN joints skipped."""
    ok = np.isfinite(px).all(axis=1) & (score >= min_score)
    if not ok.any():
        return
    # every joint's fixed-point position at once (what _pt does per point)
    pts = [tuple(p) for p in np.round(np.where(ok[:, None], px, 0.0) * _ONE).astype(np.int64)
           .tolist()]
    ok_l = ok.tolist()
    edges = [(pts[a], pts[b], color) for (a, b), color in zip(SKELETON_EDGES, _EDGE_COLORS)
             if ok_l[a] and ok_l[b]]
    outline = sz.line + max(1, sz.line // 2)
    for p, q, _ in edges:
        cv2.line(img, p, q, style.SHADOW, outline, cv2.LINE_AA, _SHIFT)
    for p, q, color in edges:
        cv2.line(img, p, q, color, sz.line, cv2.LINE_AA, _SHIFT)
    r_out, r_in = (sz.joint_radius + 1) * _ONE, sz.joint_radius * _ONE
    for j in _DRAWN_JOINTS:
        if ok_l[j]:
            c = pts[j]
            cv2.circle(img, c, r_out, style.SHADOW, -1, cv2.LINE_AA, _SHIFT)
            cv2.circle(img, c, r_in, _JOINT_COLORS[j], -1, cv2.LINE_AA, _SHIFT)


def _clip_box(img: NDArray[np.uint8], x0: float, y0: float, x1: float, y1: float
              ) -> tuple[int, int, int, int] | None:
    h, w = img.shape[:2]
    xa, ya = max(0, int(math.floor(x0))), max(0, int(math.floor(y0)))
    xb, yb = min(w, int(math.ceil(x1))), min(h, int(math.ceil(y1)))
    if xb - xa < 2 or yb - ya < 2:
        return None
    return xa, ya, xb, yb


def faint_box(img: NDArray[np.uint8], box: Sequence[float], sz: Sizes, *,
              color: Color = style.MUTED, alpha: float = 0.45) -> None:
    """A thin, half-transparent rectangle (other people in the scene). ``box`` in pixels."""
    if not all(math.isfinite(v) for v in box):
        return
    t = max(1, sz.line // 2)
    clip = _clip_box(img, box[0] - t, box[1] - t, box[2] + t + 1, box[3] + t + 1)
    if clip is None:
        return
    xa, ya, xb, yb = clip
    roi = img[ya:yb, xa:xb]
    layer = roi.copy()
    cv2.rectangle(layer, (int(box[0]) - xa, int(box[1]) - ya), (int(box[2]) - xa, int(box[3]) - ya),
                  color, t, cv2.LINE_AA)
    cv2.addWeighted(layer, alpha, roi, 1.0 - alpha, 0.0, dst=roi)


def shade(img: NDArray[np.uint8], x0: float, y0: float, x1: float, y1: float, *,
          keep: float = 0.4) -> None:
    """Darken a rectangle in place (backing for text panels)."""
    clip = _clip_box(img, x0, y0, x1, y1)
    if clip is None:
        return
    xa, ya, xb, yb = clip
    roi = img[ya:yb, xa:xb]
    cv2.convertScaleAbs(roi, dst=roi, alpha=keep)


def text_size(text: str, sz: Sizes, *, big: float = 1.0) -> tuple[int, int]:
    (w, h), base = cv2.getTextSize(text, _FONT, sz.font_scale * big, _thick(sz, big))
    return w, h + base


def _thick(sz: Sizes, big: float) -> int:
    return max(1, round(sz.font_thickness * big))


def text(img: NDArray[np.uint8], s: str, org: tuple[int, int], sz: Sizes, *,
         color: Color = style.NEUTRAL, big: float = 1.0) -> None:
    """Text with a dark outline so it reads on any background. ``org`` is the top-left corner."""
    w, h = text_size(s, sz, big=big)
    th = _thick(sz, big)
    base = (org[0], org[1] + h - max(1, h // 5))
    cv2.putText(img, s, base, _FONT, sz.font_scale * big, style.SHADOW, th + max(2, th), cv2.LINE_AA)
    cv2.putText(img, s, base, _FONT, sz.font_scale * big, color, th, cv2.LINE_AA)


@dataclass(frozen=True, eq=False)
class Sprite:
    """Pre-rendered text block: ``out = roi * k / 255 + p`` composites it in one pass.

    ``k`` folds the panel shading, the dark outline and the text coverage into one multiplier;
    ``p`` is the anti-aliased text colour already weighted by coverage. Rendering text with
    OpenCV is the slow part of an overlay; a sprite is drawn once and reused on every frame that
    shows the same lines, and compositing is two saturating SIMD operations.
    """

    k: NDArray[np.uint8]  # (h, w, 3)
    p: NDArray[np.uint8]  # (h, w, 3)

    @property
    def size(self) -> tuple[int, int]:
        return int(self.k.shape[1]), int(self.k.shape[0])


def make_sprite(lines: Sequence[tuple[str, Color, float]], sz: Sizes, *, keep: float = 0.4,
                align: str = "left") -> Sprite:
    """Render ``(text, colour, size)`` lines on a shaded (``keep`` x brightness) background."""
    sizes = [text_size(t, sz, big=b) for t, _, b in lines]
    pad = sz.line_gap
    w = max((s[0] for s in sizes), default=0) + 2 * pad
    h = sum(s[1] for s in sizes) + pad * (len(lines) + 1)
    outline = np.zeros((h, w), np.uint8)
    cover = np.zeros((h, w), np.uint8)
    color = np.zeros((h, w, 3), np.uint8)
    y = pad
    for (t, col, big), (tw, lh) in zip(lines, sizes):
        th = _thick(sz, big)
        x = pad if align == "left" else (w - tw) // 2
        base = (x, y + lh - max(1, lh // 5))
        fs = sz.font_scale * big
        cv2.putText(outline, t, base, _FONT, fs, 255, th + max(2, th), cv2.LINE_AA)
        cv2.putText(cover, t, base, _FONT, fs, 255, th, cv2.LINE_AA)
        cv2.putText(color, t, base, _FONT, fs, col, th, cv2.LINE_AA)
        y += lh + pad
    a_out = outline.astype(np.float32) / 255.0
    a_txt = cover.astype(np.float32) / 255.0
    k = np.rint(255.0 * keep * (1.0 - a_out) * (1.0 - a_txt)).astype(np.uint8)
    return Sprite(k=np.repeat(k[:, :, None], 3, axis=2), p=color)


def blit(img: NDArray[np.uint8], sprite: Sprite, x0: int, y0: int) -> None:
    """Composite ``sprite`` with its top-left corner at ``(x0, y0)`` (clipped to the frame)."""
    H, W = img.shape[:2]
    w, h = sprite.size
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    if xb <= xa or yb <= ya:
        return
    roi = img[ya:yb, xa:xb]
    k = sprite.k[ya - y0: yb - y0, xa - x0: xb - x0]
    p = sprite.p[ya - y0: yb - y0, xa - x0: xb - x0]
    roi[...] = cv2.add(cv2.multiply(roi, k, scale=1.0 / 255.0), p)


def text_panel(img: NDArray[np.uint8], lines: Sequence[tuple[str, Color, float]],
               org: tuple[int, int], sz: Sizes, *, anchor_right: bool = False,
               anchor_bottom: bool = False, cache: dict | None = None) -> tuple[int, int, int, int]:
    """A shaded box of ``(text, colour, size)`` lines; returns its pixel box ``x0, y0, x1, y1``.

    With ``cache`` (any dict kept across frames) the rendered box is reused for identical lines.
    """
    if not lines:
        return org[0], org[1], org[0], org[1]
    key = ("panel", tuple(lines))
    sprite = cache.get(key) if cache is not None else None
    if sprite is None:
        sprite = make_sprite(lines, sz)
        if cache is not None:
            if len(cache) > 512:  # bounded: a long clip with many distinct states
                cache.clear()
            cache[key] = sprite
    w, h = sprite.size
    x0 = org[0] - w if anchor_right else org[0]
    y0 = org[1] - h if anchor_bottom else org[1]
    blit(img, sprite, x0, y0)
    return x0, y0, x0 + w, y0 + h


def gauge(img: NDArray[np.uint8], centre: tuple[int, int], radius: int, degrees: float | None,
          label: str, sz: Sizes, *, cache: dict | None = None) -> None:
    """A half-dial 0..180 degrees (left = folded, top = 90, right = straight) with the value."""
    cx, cy = centre
    shade(img, cx - radius - sz.margin, cy - radius - sz.margin, cx + radius + sz.margin,
          cy + sz.margin + text_size("0", sz)[1] * 2 + sz.line_gap)
    thick = max(2, sz.line * 2)
    cv2.ellipse(img, (cx, cy), (radius, radius), 0, 180, 360, (90, 90, 90), thick, cv2.LINE_AA)
    if degrees is not None and math.isfinite(degrees):
        d = float(np.clip(degrees, 0.0, 180.0))
        cv2.ellipse(img, (cx, cy), (radius, radius), 0, 180, 180 + d, style.LEFT, thick, cv2.LINE_AA)
        tip = (cx - radius * math.cos(math.radians(d)), cy - radius * math.sin(math.radians(d)))
        cv2.line(img, _pt(np.array([cx, cy], float)), _pt(np.array(tip)), style.NEUTRAL,
                 max(1, sz.line - 1), cv2.LINE_AA, _SHIFT)
        value = f"{d:.0f} deg"
    else:
        value = "--"
    cv2.circle(img, (cx, cy), max(2, sz.line), style.NEUTRAL, -1, cv2.LINE_AA)
    key = ("gauge", value, label)
    sprite = cache.get(key) if cache is not None else None
    if sprite is None:
        sprite = make_sprite([(value, style.NEUTRAL, 1.0), (label, style.MUTED, 1.0)], sz,
                             keep=1.0, align="centre")
        if cache is not None:
            cache[key] = sprite
    blit(img, sprite, cx - sprite.size[0] // 2, cy)


def joint_arc(img: NDArray[np.uint8], a: NDArray[np.float64], b: NDArray[np.float64],
              c: NDArray[np.float64], sz: Sizes, color: Color = style.NEUTRAL) -> None:
    """Arc at vertex ``b`` between the limbs towards ``a`` and ``c`` (pixel coordinates)."""
    if not (np.isfinite(a).all() and np.isfinite(b).all() and np.isfinite(c).all()):
        return
    la, lc = float(np.hypot(*(a - b))), float(np.hypot(*(c - b)))
    r = int(min(la, lc) * 0.35)
    if r < 4:
        return
    t1 = math.degrees(math.atan2(a[1] - b[1], a[0] - b[0]))
    t2 = math.degrees(math.atan2(c[1] - b[1], c[0] - b[0]))
    if (t2 - t1) % 360 > 180:
        t1, t2 = t2, t1
    start = t1
    end = t1 + (t2 - t1) % 360
    cv2.ellipse(img, _pt(b), (r * _ONE, r * _ONE), 0, start, end, color, max(1, sz.line - 1),
                cv2.LINE_AA, _SHIFT)


def strip_height(sz: Sizes) -> int:
    """Height of :func:`events_strip` including its shaded border."""
    lane = max(8, round(16 * sz.scale))
    gap = max(2, round(4 * sz.scale))
    return 2 * lane + 3 * gap


def events_strip(img: NDArray[np.uint8], stances: Sequence[tuple[str, float, float]],
                 t0: float, t1: float, now: float, sz: Sizes) -> int:
    """Two lanes (L, R) along the top edge: ground contacts in each foot's colour and a playhead.

    At the top rather than the bottom because the feet, the thing to watch in a running clip,
    are usually near the bottom of the frame. Returns the strip's bottom y.
    """
    h, w = img.shape[:2]
    lane = max(8, round(16 * sz.scale))
    gap = max(2, round(4 * sz.scale))
    label_big = 0.8 * lane / max(1, text_size("L", sz)[1])  # lane-high letters
    label_w = text_size("R", sz, big=label_big)[0] + sz.line_gap
    x0, x1 = sz.margin + label_w, w - sz.margin
    y0 = sz.margin // 2 + gap
    shade(img, sz.margin - gap, y0 - gap, w - sz.margin + gap, y0 + 2 * lane + 2 * gap)
    span = max(t1 - t0, 1e-6)

    def xs(t: float) -> int:
        return int(round(x0 + (x1 - x0) * (min(max(t, t0), t1) - t0) / span))

    for i, (side, col) in enumerate((("left", style.LEFT), ("right", style.RIGHT))):
        ly = y0 + i * (lane + gap)
        text(img, side[0].upper(),
             (sz.margin, ly + (lane - text_size("L", sz, big=label_big)[1]) // 2), sz,
             color=col, big=label_big)
        cv2.rectangle(img, (x0, ly), (x1, ly + lane), (60, 60, 60), -1)
        for s, a, b in stances:
            if s == side:
                cv2.rectangle(img, (xs(a), ly), (max(xs(a) + 1, xs(b)), ly + lane), col, -1)
    px = xs(now)
    cv2.line(img, (px, y0 - gap), (px, y0 + 2 * lane + gap), style.NEUTRAL, max(1, sz.line // 2),
             cv2.LINE_AA)
    return y0 + 2 * lane + 2 * gap


def ring(img: NDArray[np.uint8], centre: NDArray[np.float64], radius: int, color: Color,
         sz: Sizes) -> None:
    """An open circle (a foot on the ground)."""
    cv2.circle(img, _pt(centre), radius * _ONE, color, max(1, sz.line - 1), cv2.LINE_AA, _SHIFT)
