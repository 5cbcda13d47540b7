"""Image processing on decoded video frames (numpy RGB arrays), outside the pure pose analysis.

- :mod:`repstride.vision.field_markers`: American-football yard lines and cones for sprints.
"""

from repstride.vision.field_markers import detect_field_markers, detect_field_markers_in_video

__all__ = ["detect_field_markers", "detect_field_markers_in_video"]
