"""Colours and resolution-independent sizes for everything drawn on frames.

Frames are RGB (``media.iter_frames`` yields RGB), so every colour here is an ``(R, G, B)``
tuple. Sizes are expressed at a 720-pixel reference and scaled by the frame's shorter side, so
the same overlay reads the same on a 360p phone clip and on 4K footage.
"""

from __future__ import annotations

from dataclasses import dataclass

Color = tuple[int, int, int]

LEFT: Color = (40, 170, 255)
"""Left-side limbs (blue)."""
RIGHT: Color = (255, 130, 30)
"""Right-side limbs (orange)."""
CENTRE: Color = (235, 235, 235)
"""Limbs that join the two sides (shoulder and hip lines)."""
GOOD: Color = (70, 210, 90)
"""A ``good`` analysis opinion."""
BAD: Color = (235, 60, 60)
"""A ``bad`` analysis opinion."""
NEUTRAL: Color = (240, 240, 240)
"""Text without an opinion."""
MUTED: Color = (170, 170, 170)
"""Secondary text and faint boxes of other people."""
SHADOW: Color = (0, 0, 0)

REFERENCE_SIDE_PX = 720
"""Shorter frame side at which sizes below are given at scale 1."""
MIN_SCALE = 0.42
"""Lower bound on the scale so text stays legible on very small frames (240p and below)."""
MIN_JOINT_SCORE = 0.3
"""Joints with a lower confidence are not drawn (they would jump around)."""


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes for one frame size."""

    scale: float
    line: int
    joint_radius: int
    font_scale: float
    font_thickness: int
    margin: int
    line_gap: int

    @classmethod
    def for_frame(cls, width: int, height: int) -> Sizes:
        s = max(MIN_SCALE, min(width, height) / REFERENCE_SIDE_PX)
        return cls(
            scale=s,
            line=max(2, round(3 * s)),
            joint_radius=max(2, round(4 * s)),
            font_scale=0.75 * s,
            font_thickness=max(1, round(2 * s)),
            margin=max(6, round(16 * s)),
            line_gap=max(4, round(10 * s)),
        )
