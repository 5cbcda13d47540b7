"""PoseTrack -> the Video API's joint data (seed 001, "Get Joint Data")."""

from __future__ import annotations

from typing import Any

import numpy as np

from repstride.analysis.track import Joint, PoseTrack

#: Wire name -> BlazePose joint. The seed's names first; ``leftHand``/``rightHand`` are the
#: index-finger knuckle (BlazePose has no hand-centre landmark), then every other landmark.
WIRE_JOINTS: dict[str, Joint] = {
    "leftAnkle": Joint.LEFT_ANKLE, "leftElbow": Joint.LEFT_ELBOW, "leftEye": Joint.LEFT_EYE,
    "leftHand": Joint.LEFT_INDEX, "leftHip": Joint.LEFT_HIP, "leftKnee": Joint.LEFT_KNEE,
    "leftShoulder": Joint.LEFT_SHOULDER, "leftWrist": Joint.LEFT_WRIST,
    "rightAnkle": Joint.RIGHT_ANKLE, "rightElbow": Joint.RIGHT_ELBOW, "rightEye": Joint.RIGHT_EYE,
    "rightHand": Joint.RIGHT_INDEX, "rightHip": Joint.RIGHT_HIP, "rightKnee": Joint.RIGHT_KNEE,
    "rightShoulder": Joint.RIGHT_SHOULDER, "rightWrist": Joint.RIGHT_WRIST,
    "nose": Joint.NOSE,
    "leftEyeInner": Joint.LEFT_EYE_INNER, "leftEyeOuter": Joint.LEFT_EYE_OUTER,
    "rightEyeInner": Joint.RIGHT_EYE_INNER, "rightEyeOuter": Joint.RIGHT_EYE_OUTER,
    "leftEar": Joint.LEFT_EAR, "rightEar": Joint.RIGHT_EAR,
    "mouthLeft": Joint.MOUTH_LEFT, "mouthRight": Joint.MOUTH_RIGHT,
    "leftPinky": Joint.LEFT_PINKY, "rightPinky": Joint.RIGHT_PINKY,
    "leftThumb": Joint.LEFT_THUMB, "rightThumb": Joint.RIGHT_THUMB,
    "leftHeel": Joint.LEFT_HEEL, "rightHeel": Joint.RIGHT_HEEL,
    "leftToe": Joint.LEFT_FOOT_INDEX, "rightToe": Joint.RIGHT_FOOT_INDEX,
}


def to_j2p(track: PoseTrack, *, status: str = "Complete") -> dict[str, Any]:
    """Frames where the subject was not found are omitted from each joint's list."""
    points: dict[str, list[dict[str, Any]]] = {}
    found = track.detected
    xy = np.clip(track.xy, 0.0, 1.0)
    for name, j in WIRE_JOINTS.items():
        rows = []
        for t in np.flatnonzero(found):
            x, y = xy[t, int(j)]
            if np.isnan(x):
                continue
            rows.append({
                "frame_idx": int(track.frame_index[t]), "part": name,
                "position": {"x": round(float(x), 5), "y": round(float(y), 5)},
                "score": round(float(np.clip(track.score[t, int(j)], 0, 1)), 4),
                "timestamp": round(float(track.timestamps_s[t]), 5),
            })
        points[name] = rows
    return {
        "status": status, "resolutionHeight": track.height, "resolutionWidth": track.width,
        "jointToPoints": points,
    }
