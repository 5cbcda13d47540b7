"""The blob store port's embedded default: a directory on disk with HMAC-signed URLs.

Uploads and downloads go through this server (``direct_upload`` False, see
:mod:`repstride.service.blobs.port`); the S3 adapter (scale-out) implements the same port with a
real presigned POST/GET.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

from repstride.errors import (
    FileTooLarge, InvalidSignature, InvalidUploadPolicy, NotFound, StorageError,
    UploadPolicyExpired,
)
from repstride.service.blobs.port import PresignedPost, UploadPolicy, check_key
from repstride.service.security import Signer

Clock = Callable[[], float]

#: Bytes per write when streaming.
CHUNK = 1024 * 1024


class LocalBlobStore:
    """Blobs as files under ``root``; uploads and downloads go through this server's routes
    (``POST /uploads``, ``GET /blobs/{key}``), authorised by HMAC signatures instead of tokens."""

    UPLOAD_PATH = "/uploads"
    DOWNLOAD_PATH = "/blobs/"
    direct_upload = False

    def __init__(self, root: Path, signer: Signer, *, clock: Clock = time.time) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self.root / ".tmp"
        self._tmp.mkdir(exist_ok=True)
        self.signer = signer
        self.clock = clock

    def remove_stale_partials(self, idle_s: float) -> int:
        """Delete partial writes in ``.tmp/`` untouched for ``idle_s`` (left by a crash: a live
        upload writes at least every body idle timeout, or its connection is cut). Returns the
        number removed."""
        cutoff = time.time() - idle_s
        n = 0
        for p in self._tmp.iterdir():
            try:
                if p.is_file() and p.stat().st_mtime < cutoff:
                    p.unlink()
                    n += 1
            except FileNotFoundError:  # finished or removed meanwhile
                continue
        return n

    # -- storage -------------------------------------------------------------------------

    def path_for(self, key: str) -> Path:
        return self.root / check_key(key)

    @contextmanager
    def open_write(self, key: str, *, max_size: int | None = None) -> Iterator[_LimitedWriter]:
        """Write a blob atomically: it appears only if the block exits without error. A full
        disk (or another I/O error) raises :class:`StorageFull` / :class:`StorageError`."""
        dest = self.path_for(key)
        tmp = None
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._tmp)
            with os.fdopen(fd, "wb") as f:
                writer = _LimitedWriter(f, max_size)
                yield writer
            os.replace(tmp, dest)
        except OSError as exc:
            raise StorageError.from_os_error(exc) from exc
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    def put_bytes(self, key: str, data: bytes) -> None:
        with self.open_write(key) as w:
            w.write(data)

    def put_file(self, key: str, path: Path) -> None:
        with open(path, "rb") as src, self.open_write(key) as w:
            while chunk := src.read(CHUNK):
                w.write(chunk)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.path_for(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"Blob {key!r} not found.") from exc

    def download_to(self, key: str, path: Path) -> None:
        try:
            shutil.copyfile(self.path_for(key), path)
        except FileNotFoundError as exc:
            raise NotFound(f"Blob {key!r} not found.") from exc

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def size(self, key: str) -> int:
        n = self.head_size(key)
        if n is None:
            raise NotFound(f"Blob {key!r} not found.")
        return n

    def head_size(self, key: str) -> int | None:
        try:
            st = self.path_for(key).stat()
        except FileNotFoundError:
            return None
        return st.st_size if stat.S_ISREG(st.st_mode) else None

    def delete_prefix(self, prefix: str) -> int:
        target = self.path_for(prefix.rstrip("/"))
        if target.is_dir():
            n = sum(1 for p in target.rglob("*") if p.is_file())
            shutil.rmtree(target, ignore_errors=True)
            return n
        if target.is_file():
            target.unlink(missing_ok=True)
            return 1
        return 0

    def list_prefix(self, prefix: str) -> dict[str, int]:
        target = self.path_for(prefix.rstrip("/"))
        files = [target] if target.is_file() else sorted(target.rglob("*"))
        out: dict[str, int] = {}
        for p in files:
            try:
                if p.is_file():
                    out[p.relative_to(self.root).as_posix()] = p.stat().st_size
            except FileNotFoundError:  # deleted meanwhile
                continue
        return out

    # -- signed upload (presigned-POST-like) ---------------------------------------------

    def presigned_post(self, key: str, *, max_size: int, expires_s: float, base_url: str,
                       meta: dict[str, Any] | None = None) -> PresignedPost:
        policy = {"key": check_key(key), "max_size": int(max_size),
                  "expires": round(self.clock() + expires_s, 3), "meta": dict(meta or {})}
        b64, sig = self.signer.encode_policy(policy)
        return PresignedPost(url=base_url.rstrip("/") + self.UPLOAD_PATH,
                             fields={"key": key, "policy": b64, "signature": sig})

    def verify_post(self, fields: dict[str, str]) -> UploadPolicy:
        """Check the form fields of an upload; raises 403 errors on tampering or expiry."""
        b64, sig, key = fields.get("policy"), fields.get("signature"), fields.get("key")
        if not b64 or not sig or not key:
            raise InvalidUploadPolicy("The upload form must carry the 'key', 'policy' and "
                                      "'signature' fields from POST /videos, before 'file'.")
        if not self.signer.verify(b64, sig):
            raise InvalidUploadPolicy("The upload policy signature does not match.")
        try:
            policy = Signer.decode_policy(b64)
            up = UploadPolicy(key=str(policy["key"]), max_size=int(policy["max_size"]),
                              expires=float(policy["expires"]), meta=dict(policy.get("meta", {})))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidUploadPolicy("The upload policy cannot be decoded.") from exc
        if up.key != key:
            raise InvalidUploadPolicy("The 'key' field does not match the signed policy.")
        if self.clock() > up.expires:
            raise UploadPolicyExpired()
        return up

    # -- signed download -----------------------------------------------------------------

    def presigned_get(self, key: str, *, expires_s: float, base_url: str) -> str:
        expires = int(self.clock() + expires_s)
        sig = self.signer.sign(f"GET\n{check_key(key)}\n{expires}")
        return (base_url.rstrip("/") + self.DOWNLOAD_PATH + quote(key)
                + "?" + urlencode({"expires": expires, "signature": sig}))

    def verify_get(self, key: str, expires: str | None, signature: str | None) -> Path:
        try:
            exp = int(expires or "")
            check_key(key)
        except ValueError as exc:
            raise InvalidSignature() from exc
        if not self.signer.verify(f"GET\n{key}\n{exp}", signature or "") or self.clock() > exp:
            raise InvalidSignature()
        path = self.path_for(key)
        if not path.is_file():
            raise NotFound("The file no longer exists.")
        return path


class _LimitedWriter:
    """File writer that raises :class:`FileTooLarge` as soon as ``max_size`` is exceeded."""

    def __init__(self, f: IO[bytes], max_size: int | None) -> None:
        self._f = f
        self._max = max_size
        self.written = 0

    def write(self, data: bytes) -> None:
        self.written += len(data)
        if self._max is not None and self.written > self._max:
            raise FileTooLarge(f"The file is larger than the {self._max} bytes allowed for it.",
                               details={"max_size": self._max})
        self._f.write(data)
