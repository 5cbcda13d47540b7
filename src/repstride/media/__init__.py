"""Video intake: probing, validation and frame decoding (PyAV). PyAV objects never leave here."""

from repstride.media.probe import VideoInfo, probe
from repstride.media.decode import Frame, iter_frames

__all__ = ["VideoInfo", "probe", "Frame", "iter_frames"]
