"""Every human-readable text the running analysis refers to, as message keys.

The analysis returns keys (``"overstride.high"``), never sentences; the API renders them in the
client's language from its catalogs. :data:`MESSAGE_KEYS` maps each key to its English default so
the catalogs can be checked for completeness (every key here must exist in every language).
"""

from __future__ import annotations

#: key -> English default text.
MESSAGE_KEYS: dict[str, str] = {
    # --- side view: section titles ---
    "side_view.title": "Side view running analysis",
    "metrics.title": "Running metrics",
    "metrics.speed": "Speed",
    "metrics.step_length": "Step length",
    "metrics.cadence": "Cadence",
    "metrics.ground_contact_time": "Ground contact time",
    "metrics.flight_time": "Flight time",
    "metrics.duty_factor": "Duty factor",
    "metrics.vertical_oscillation": "Vertical oscillation",
    # --- reasons a metric is missing or imprecise ---
    "reason.pace_required": "Speed needs the treadmill pace.",
    "reason.too_few_steps": "Not enough steps were seen to measure this.",
    "reason.low_frame_rate": (
        "The video has fewer than 50 frames per second: contact and flight times are approximate."
    ),
    "reason.slow_motion_suspected": (
        "The video looks like slow motion: durations are left out (their video-time value is "
        "given beside) unless the slow-motion factor is given."
    ),
    "reason.treadmill_suspected": (
        "The runner stays in place while running, as on a treadmill: speed and step length "
        "cannot be measured from the video."
    ),
    "hint.treadmill_suspected": (
        "On a treadmill? Send treadmill=true and the pace (MM:SS per km) to get speed and step "
        "length. If the camera followed the runner, film from a fixed spot instead."
    ),
    "reason.heel_hidden": (
        "The runner faces the camera, so the back of the heel is hidden: pronation needs a video "
        "filmed from behind."
    ),
    # --- cadence ---
    "cadence.low": "Your cadence is low. Try shorter, quicker steps.",
    "cadence.ok": "Your cadence is in the usual range.",
    "cadence.high": "Your cadence is high.",
    # --- overstride ---
    "overstride.title": "Overstride",
    "overstride.low": "Your foot lands close to under your knee. Good.",
    "overstride.moderate": "Your foot lands a little ahead of your knee.",
    "overstride.high": (
        "Your foot lands well ahead of your knee (overstriding). Aim to land with the shin closer "
        "to vertical."
    ),
    # --- foot landing ---
    "foot_landing.title": "Foot landing",
    "foot_landing.rearfoot": "Rearfoot (heel) strike",
    "foot_landing.midfoot": "Midfoot strike",
    "foot_landing.forefoot": "Forefoot strike",
    # --- joint angles ---
    "joint_angles.title": "Joint angles",
    "joint.ankle": "Ankle",
    "joint.knee": "Knee",
    "joint.hip": "Hip",
    "joint.shoulder": "Shoulder",
    "joint.elbow": "Elbow",
    "joint.trunk": "Trunk lean",
    "joint.head": "Head",
    "phase.touch_down": "Touch-down",
    "phase.mid_stance": "Mid-stance",
    "phase.toe_off": "Toe-off",
    "phase.range": "Range of motion",
    # --- running styles (dual-axis model) ---
    "running_styles.title": "Running style",
    "style.stick.title": "Stick",
    "style.stick.description": "Short ground contacts with little bounce: quick and compact.",
    "style.bounce.title": "Bounce",
    "style.bounce.description": "Short ground contacts with a lot of vertical motion: springy.",
    "style.push.title": "Push",
    "style.push.description": "Long ground contacts with a lot of vertical motion: pushing off.",
    "style.sit.title": "Sit",
    "style.sit.description": "Long ground contacts with little bounce: seated, shuffling.",
    # --- total score ---
    "total_score.title": "Overall score",
    "total_score.good": "Your running form looks efficient.",
    "total_score.fair": "Your running form is fair, with room to improve.",
    "total_score.poor": "Several aspects of your running form could improve.",
    # --- back view ---
    "back_view.title": "Back view running analysis",
    "gait_cycle.title": "Gait cycle",
    "back.pronation": "Pronation (rearfoot angle)",
    "back.hip_adduction": "Hip adduction",
    "back.knee_adduction": "Knee adduction (frontal-plane projection angle)",
    "back.pelvic_drop": "Pelvic drop",
    "pronation.over": "Your foot rolls inwards a lot during stance (overpronation).",
    "pronation.neutral": "Your foot rolling during stance is in the usual range.",
    "pronation.under": "Your foot rolls outwards during stance (supination).",
    "hip_adduction.high": "Your thigh moves towards the midline during stance.",
    "hip_adduction.ok": "Your hip adduction is in the usual range.",
    "knee_adduction.valgus": "Your knee collapses inwards during stance (valgus).",
    "knee_adduction.varus": "Your knee bows outwards during stance (varus).",
    "knee_adduction.ok": "Your knee alignment is in the usual range.",
    "pelvic_drop.high": "Your pelvis drops on the swing side during stance.",
    "pelvic_drop.ok": "Your pelvic drop is in the usual range.",
    "side.left": "Left",
    "side.right": "Right",
}


def check_keys(keys: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """The keys in ``keys`` that are not in :data:`MESSAGE_KEYS` (empty when all are known)."""
    return sorted(k for k in keys if k not in MESSAGE_KEYS)
