"""Video intake and output (PyAV). PyAV objects never leave this package.

- :func:`probe` -> :class:`VideoInfo` (content-sniffed container, displayed size, rotation, real
  fps from timestamps, duration, frame count); :func:`validate` checks service limits.
- :func:`iter_frames` streams :class:`Frame` objects (RGB, displayed orientation), one at a time.
- :class:`VideoWriter` writes H.264 MP4 (yuv420p, faststart); :func:`write_jpeg` and
  :func:`encode_jpeg` make a JPEG.

Bad input raises :class:`~repstride.errors.RepstrideError` subclasses with stable codes
(``invalid_file_type``, ``no_video_stream``, ``corrupt_video``, ``empty_video``,
``unsupported_dimensions``, ``video_too_long``, ``file_too_large``); see docs/media.md.
"""

from repstride.media.decode import DecodeStats, Frame, iter_frames
from repstride.media.encode import VideoWriter, encode_jpeg, write_jpeg
from repstride.media.probe import VideoInfo, probe, validate

__all__ = [
    "VideoInfo", "probe", "validate",
    "Frame", "DecodeStats", "iter_frames",
    "VideoWriter", "encode_jpeg", "write_jpeg",
]
