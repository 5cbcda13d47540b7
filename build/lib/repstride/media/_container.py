"""Private helpers shared by probe and decode: content sniffing, opening, stream choice, orientation.

Every PyAV/FFmpeg failure is turned into a :class:`~repstride.errors.RepstrideError` here, so the
rest of ``media/`` (and everything above it) only ever sees our stable error codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import av.container
import av.video.frame
import av.video.stream
import numpy as np
from numpy.typing import NDArray

from repstride.errors import (
    CorruptVideo,
    EmptyVideo,
    InvalidFileType,
    InvalidInput,
    NoVideoStream,
    UnsupportedDimensions,
)

MIN_SIDE = 16
"""Smallest accepted frame side in pixels (smaller cannot hold a usable person)."""
MAX_SIDE = 8192
"""Largest accepted frame side in pixels."""
MAX_PIXELS = 40_000_000
"""Largest accepted frame area in pixels (8K UHD is 33.2 Mpx)."""

#: FFmpeg demuxer names we accept, mapped from the content signature we sniffed ourselves.
_ACCEPTED_DEMUXERS = {"mov,mp4,m4a,3gp,3g2,mj2", "avi", "matroska,webm"}
#: ISO-BMFF top-level boxes a QuickTime/MP4 file can start with.
_ISOBMFF_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot", b"uuid"}
#: ISO-BMFF brands of still images (HEIF/AVIF): the mov demuxer opens them, we do not accept them.
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1", b"avif", b"avis"}
_SNIFF_BYTES = 64


@dataclass(frozen=True)
class Orientation:
    """How to turn a decoded (stored) frame into the displayed frame.

    ``k`` counter-clockwise quarter turns (``np.rot90`` convention) after an optional horizontal
    mirror of the stored frame. ``rotation_cw`` is the same rotation in the clockwise degrees of
    the legacy ``rotate`` tag (a portrait phone clip stored as 1920x1080 has ``rotation_cw=90``).
    """

    k: int = 0
    mirror: bool = False

    @property
    def rotation_cw(self) -> int:
        return (360 - 90 * self.k) % 360

    @property
    def swaps_axes(self) -> bool:
        return self.k % 2 == 1

    def apply(self, rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """The displayed frame, C-contiguous (one copy at most: FFmpeg pads its rows, and a
        turned or mirrored view is strided; neither is what OpenCV/MediaPipe want)."""
        out = rgb[:, ::-1] if self.mirror else rgb
        if self.k:
            out = np.rot90(out, k=self.k)
        return np.ascontiguousarray(out)


IDENTITY = Orientation()


def sniff(path: Path) -> str:
    """Container family judged by the first bytes, not the extension: ``mp4``, ``mov``, ``avi``,
    ``webm`` or ``mkv``. Raises ``InvalidInput`` (missing), ``EmptyVideo`` (0 bytes) or
    ``InvalidFileType``."""
    if path.exists() and not path.is_file():  # a directory, FIFO or device: never block on it
        raise InvalidInput(f"Not a regular file: {path}")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except FileNotFoundError as exc:
        raise InvalidInput(f"No such file: {path}") from exc
    if not head:
        raise EmptyVideo("The file is empty (0 bytes).")
    if len(head) >= 12 and head[4:8] in _ISOBMFF_BOXES:
        if head[4:8] == b"ftyp":
            brand = head[8:12]
            if brand in _IMAGE_BRANDS:
                raise InvalidFileType(f"The file is a still image (brand {brand.decode('latin-1')!r}).")
            return "mov" if brand == b"qt  " else "mp4"
        return "mov"
    if head[:4] == b"RIFF" and head[8:12] in (b"AVI ", b"AVIX"):
        return "avi"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        # EBML header; DocType element 0x4282, then a one-byte size (0x84) and the doctype string.
        return "webm" if b"\x42\x82\x84webm" in head else "mkv"
    raise InvalidFileType()


def open_input(path: str | Path) -> tuple[av.container.InputContainer, str]:
    """Open ``path`` for reading after sniffing it. Returns the container and the family name."""
    path = Path(path)
    family = sniff(path)
    try:
        # Metadata is free text from whoever wrote the file: never fail on its encoding.
        container = av.open(str(path), mode="r", metadata_errors="replace")
    except av.error.EOFError as exc:
        # The header parses but the data ends before any frame (e.g. a Matroska file with no
        # cluster): nothing to decode.
        raise EmptyVideo(f"The {family} file ends before its first frame.") from exc
    except av.error.FFmpegError as exc:
        # The bytes say "video container" but FFmpeg cannot parse it: a truncated MP4 without
        # its moov box, a damaged header, ...
        raise CorruptVideo(f"The {family} container could not be read: {exc}") from exc
    if container.format.name not in _ACCEPTED_DEMUXERS:  # belt and braces over sniff()
        container.close()
        raise InvalidFileType(f"Unsupported container {container.format.name!r}.")
    return container, family


def pick_video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream:
    """The largest real video stream (cover art / thumbnails are not video)."""
    candidates = [
        s for s in container.streams.video
        if not (s.disposition & av.stream.Disposition.attached_pic)
    ]
    if not candidates:
        if not len(container.streams):
            raise EmptyVideo("The file contains no streams.")
        raise NoVideoStream()
    candidates = [s for s in candidates if s.codec_context is not None]
    if not candidates:  # FFmpeg has no decoder for it (or the codec tag is damaged)
        raise InvalidFileType("The video codec is not supported.")
    return max(candidates, key=lambda s: (s.codec_context.width or 0) * (s.codec_context.height or 0))


def check_dimensions(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        return  # unknown before decoding; checked again on the first frame
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise UnsupportedDimensions(
            f"{width}x{height} is outside the supported range ({MIN_SIDE}..{MAX_SIDE} px per side, "
            f"at most {MAX_PIXELS // 1_000_000} Mpx).",
            details={"width": width, "height": height},
        )


def orientation_of(frame: av.video.frame.VideoFrame) -> Orientation:
    """Read the display matrix side data (rotation in multiples of 90 degrees, plus mirroring).

    FFmpeg's matrix maps a stored pixel ``(x, y)`` (y down) to the displayed
    ``(a*x + c*y, b*x + d*y)`` (plus a translation); ``a, b, c, d`` are 16.16 fixed point.
    Angles that are not a multiple of 90 degrees are rounded to the nearest quarter turn.
    """
    try:
        sd = frame.side_data["DISPLAYMATRIX"]
    except KeyError:
        return IDENTITY
    m = np.frombuffer(bytes(sd), dtype=np.int32)
    if m.size < 9:
        return IDENTITY
    a, b, c, d = (float(v) / 65536.0 for v in (m[0], m[1], m[3], m[4]))
    mirror = a * d - b * c < 0
    if mirror:  # factor out a mirror of the stored frame: L = L' @ diag(-1, 1)
        a, b = -a, -b
    # The rotation part now is [[a, c], [b, d]] = [[cos, sin], [-sin, cos]] for a CCW turn of
    # the picture (y down): a quarter turn CCW is a=0, b=-1, c=1, d=0 (== np.rot90(k=1)).
    angle_ccw = float(np.degrees(np.arctan2(-b, a)))
    k = int(round(angle_ccw / 90.0)) % 4
    return Orientation(k=k, mirror=bool(mirror))


def is_shown(packet: av.Packet) -> bool:
    """Whether a demuxed packet is a frame a player shows.

    Not shown: empty (flush) packets, and packets an MP4/MOV edit list cuts (encoder pre-roll with
    negative timestamps, frames past the edit's end), which FFmpeg flags *discard* and whose
    frames the decoder drops.
    """
    return packet.size > 0 and not packet.is_discard


def packet_time(packet: av.Packet) -> int | None:
    """Presentation timestamp (stream time base) of a shown packet, else ``None``."""
    if not is_shown(packet):
        return None
    t = packet.pts if packet.pts is not None else packet.dts
    return None if t is None else int(t)


def ffmpeg_errors() -> tuple[type[BaseException], ...]:
    """Exceptions PyAV raises for bad data (decoding or demuxing)."""
    return (av.error.FFmpegError, UnicodeDecodeError)
