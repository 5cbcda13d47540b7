"""Thresholds and flags of the gait-event detector (see :mod:`repstride.analysis.running.gait`).

Heights are in leg lengths (hip to ankle), speeds in leg lengths per second, durations as
fractions of the stride period unless a name says otherwise.
"""

from __future__ import annotations


#: Lowest frame rate (frames per second of real time) at which contact and flight times are
#: presented as precise; below it they are flagged ``low_resolution``.
MIN_CONTACT_FPS = 50.0
#: A joint whose visibility score is below this is treated as not seen.
MIN_JOINT_SCORE = 0.3
#: Foot-height threshold for "on the ground", in leg lengths (hip-to-ankle): a first guess used
#: to find stance frames; the threshold actually used per foot is NOISE_MULTIPLE times the
#: measured jitter of the foot on the ground, clipped to [MIN_, MAX_CONTACT_HEIGHT].
CONTACT_HEIGHT = 0.045
NOISE_MULTIPLE = 3.0
MIN_CONTACT_HEIGHT = 0.015
MAX_CONTACT_HEIGHT = 0.06
#: Fraction of the stance speed (pelvis-relative) a foot must move backwards to be in contact.
STANCE_SPEED_FRACTION = 0.25
#: Measure foot height against a ground line that follows camera motion (see
#: ``_moving_ground_heights``); GROUND_PERCENTILE of the lowest foot point over one step.
MOVING_GROUND = True
GROUND_PERCENTILE = 75.0
#: Low-pass cut-off (Hz) for the foot trajectories before events are read from them.
FOOT_CUTOFF_HZ = 12.0
#: Sub-frame timing: a threshold crossing can be moved towards the contact's plateau along the
#: local slope by this fraction of the way (1 = assume a straight-line approach to the ground;
#: 0 = the crossing itself), at most EXTRAPOLATE_MAX_S. Off: with the noise-scaled threshold the
#: crossing is already within a frame on synthetic runs, and on real clips the pose model's heel
#: settles late (extrapolating made touch-downs 1-2 frames late against hand marks).
TD_EXTRAPOLATE = 0.0
TO_EXTRAPOLATE = 0.0
EXTRAPOLATE_MAX_S = 0.02
#: Back view: when more than this fraction of the foot's image descent (swing top, searched over
#: APPROACH_WINDOW_STRIDE of a stride before the landing, to the contact's lowest point) lies
#: below the contact level, the foot is still coming towards the camera after landing and the
#: touch-down is taken half way down (see ``_approach_touch_down``).
APPROACH_FRACTION = 0.1
APPROACH_WINDOW_STRIDE = 0.4
#: A contact is a run of frames below LOOSE_FACTOR x the threshold (hysteresis) holding a core
#: of frames in contact.
LOOSE_FACTOR = 2.0
#: Rises of the foot shorter than this fraction of the stride period (2 frames of a 170
#: steps/min stride at 60 fps) inside a contact are pose glitches, not a lift-off and landing.
GLITCH_STRIDE = 0.05
#: Two contacts of the same foot closer than this fraction of a stride are one contact cut in
#: two (see ``_merge_split_contacts``).
SAME_FOOT_GAP_STRIDE = 0.15
#: Cost (in units of a contact's confidence-weighted label evidence, 0.1-1.1) of leaving two
#: consecutive contacts on the same side when the feet should alternate.
NON_ALTERNATION_COST = 1.5
#: Side view: a shank pointing forward more than this (deg from vertical) is not a running
#: leg but a pose error (see ``_blank_implausible_legs``).
MAX_FORWARD_SHANK_DEG = 70.0
#: Shortest and longest contact as fractions of the stride period.
MIN_CONTACT_STRIDE = 0.08
MAX_CONTACT_STRIDE = 0.85
#: A running stride (s) used when the period cannot be measured, and to scale filters.
TYPICAL_STRIDE_S = 0.7
#: A cadence (steps/min, video time) below which a running video is suspected slow motion.
SLOW_MOTION_CADENCE_SPM = 100.0
#: Duty factor (contact time over stride time) at and above which both feet are down at once
#: for part of each step: walking, which has no flight phase and may really be that slow.
WALKING_DUTY_FACTOR = 0.5
#: Cost (in squared leg lengths) of switching the left/right labelling in the swap pass, and
#: per frame spent with the detector's labels swapped (the detector is right most of the time,
#: so only short glitches with a clear jump out and back are undone).
SWAP_COST = 0.05
SWAPPED_FRAME_COST = 0.01
#: Cost per row (same units) of a labelling whose legs' depth order (the pose model's world z)
#: contradicts the hips', at full weight: hips and legs at least DEPTH_APART_M (metres) apart in
#: depth. With at least DEPTH_MIN_ROWS rows' worth of depth evidence it also decides which
#: labelling is which, instead of the detector's majority.
DEPTH_COST = 0.02
DEPTH_APART_M = 0.1
DEPTH_MIN_ROWS = 5.0
#: Flags.
FLAG_LOW_RESOLUTION = "low_frame_rate_contact_times"
FLAG_FEW_CONTACTS = "few_contacts"
FLAG_ONE_FOOT = "one_foot_only"
FLAG_NO_FLIGHT = "no_flight_phase"
FLAG_SLOW_MOTION_SUSPECTED = "slow_motion_suspected"
#: Why a duration-based number is null on a video that looks like undeclared slow motion.
REASON_SLOW_MOTION = "reason.slow_motion_suspected"
