"""BlobStore contract (parametrized over adapters; the S3 adapter adds a param) plus the local
store's signature checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from repstride.errors import (
    FileTooLarge, InvalidSignature, InvalidUploadPolicy, NotFound, NotImplementedFeature,
    UploadPolicyExpired,
)
from repstride.service.blobs.local import LocalBlobStore
from repstride.service.blobs.port import BlobStore
from repstride.service.security import Signer


class Clock:
    t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["local"])
def store(request, tmp_path: Path) -> BlobStore:  # noqa: ANN001
    return LocalBlobStore(tmp_path / "blobs", Signer(b"s" * 32), clock=Clock())


def test_put_get_download_delete(store: BlobStore, tmp_path: Path) -> None:
    assert isinstance(store, BlobStore)
    store.put_bytes("videos/a/x.json", b"{}")
    src = tmp_path / "src.bin"
    src.write_bytes(b"\x00\x01" * 1000)
    store.put_file("videos/a/source", src)
    store.put_bytes("videos/b/x.json", b"[]")
    assert store.get_bytes("videos/a/x.json") == b"{}"
    assert store.size("videos/a/source") == 2000
    out = tmp_path / "out.bin"
    store.download_to("videos/a/source", out)
    assert out.read_bytes() == src.read_bytes()
    assert store.list_prefix("videos/a") == {"videos/a/x.json": 2, "videos/a/source": 2000}
    assert store.list_prefix("videos/a/source") == {"videos/a/source": 2000}
    assert store.list_prefix("videos/none") == {}
    assert store.delete_prefix("videos/a") == 2
    assert not store.exists("videos/a/source") and store.exists("videos/b/x.json")
    with pytest.raises(NotFound):
        store.get_bytes("videos/a/x.json")


def test_overwrite_is_idempotent(store: BlobStore) -> None:
    store.put_bytes("k/v", b"1")
    store.put_bytes("k/v", b"2")
    assert store.get_bytes("k/v") == b"2"


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/../b", ""])
def test_rejects_unsafe_keys(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.put_bytes(key, b"x")


def test_head_size_is_the_size_or_none(store: BlobStore) -> None:
    """What direct upload polls (one cheap request): the blob's size, None while it is absent."""
    assert store.head_size("videos/h/source") is None
    store.put_bytes("videos/h/source", b"12345")
    assert store.head_size("videos/h/source") == 5 == store.size("videos/h/source")
    store.put_bytes("videos/h/source", b"1")
    assert store.head_size("videos/h/source") == 1
    assert store.head_size("videos/h") is None  # a prefix is not a blob
    store.delete_prefix("videos/h")
    assert store.head_size("videos/h/source") is None


def test_server_side_upload_half_follows_direct_upload(store: BlobStore) -> None:
    """A store the client uploads to directly refuses the server-side calls with a clear error;
    any other one verifies the form it signed and writes the blob."""
    post = store.presigned_post("videos/s/source", max_size=10, expires_s=60,
                                base_url="http://h:1/", meta={"video_id": "s"})
    if store.direct_upload:
        for call in (lambda: store.verify_post(post.fields),
                     lambda: store.open_write("videos/s/source", max_size=10),
                     lambda: store.verify_get("videos/s/source", "1", "sig")):
            with pytest.raises(NotImplementedFeature):
                call()
        return
    assert store.verify_post(post.fields).key == "videos/s/source"
    with store.open_write("videos/s/source", max_size=10) as w:
        w.write(b"abc")
    assert w.written == 3 and store.head_size("videos/s/source") == 3


def test_local_store_receives_uploads_itself(local: LocalBlobStore) -> None:
    assert isinstance(local, BlobStore) and local.direct_upload is False


def test_presigned_post_has_url_and_fields(store: BlobStore) -> None:
    post = store.presigned_post("videos/a/source", max_size=10, expires_s=60,
                                base_url="http://h:1/", meta={"video_id": "a"})
    assert post.url.startswith("http://h:1/") and post.fields["key"] == "videos/a/source"


# --- local store: signatures ------------------------------------------------------------------


@pytest.fixture
def local(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", Signer(b"s" * 32), clock=Clock())


def test_policy_roundtrip(local: LocalBlobStore) -> None:
    post = local.presigned_post("videos/a/source", max_size=10, expires_s=60, base_url="http://h",
                                meta={"video_id": "a"})
    pol = local.verify_post(post.fields)
    assert (pol.key, pol.max_size, pol.meta) == ("videos/a/source", 10, {"video_id": "a"})


def _tampered(fields: dict[str, str], what: str) -> dict[str, str]:
    import base64
    import json

    f = dict(fields)
    if what == "signature":
        f["signature"] = ("0" if f["signature"][0] != "0" else "1") + f["signature"][1:]
    elif what == "key":
        f["key"] = "videos/other/source"
    elif what == "policy":  # raise max_size, keep the old signature
        pad = "=" * (-len(f["policy"]) % 4)
        pol = json.loads(base64.urlsafe_b64decode(f["policy"] + pad))
        pol["max_size"] = 10**12
        f["policy"] = base64.urlsafe_b64encode(json.dumps(pol).encode()).decode().rstrip("=")
    elif what == "missing":
        del f["signature"]
    elif what == "garbage":
        f["policy"] = "!!!"
    return f


@pytest.mark.parametrize("what", ["signature", "key", "policy", "missing", "garbage"])
def test_tampered_policy_is_refused(local: LocalBlobStore, what: str) -> None:
    post = local.presigned_post("videos/a/source", max_size=10, expires_s=60, base_url="http://h")
    with pytest.raises(InvalidUploadPolicy):
        local.verify_post(_tampered(post.fields, what))


def test_expired_policy_is_refused(local: LocalBlobStore) -> None:
    post = local.presigned_post("videos/a/source", max_size=10, expires_s=60, base_url="http://h")
    local.clock.t += 61
    with pytest.raises(UploadPolicyExpired):
        local.verify_post(post.fields)


def test_writer_enforces_size_and_leaves_nothing_behind(local: LocalBlobStore) -> None:
    with pytest.raises(FileTooLarge):
        with local.open_write("videos/a/source", max_size=5) as w:
            w.write(b"abc")
            w.write(b"def")
    assert not local.exists("videos/a/source")
    assert list((local.root / ".tmp").iterdir()) == []


def test_signed_download(local: LocalBlobStore) -> None:
    from urllib.parse import parse_qs, urlparse

    local.put_bytes("videos/a/source", b"data")
    url = urlparse(local.presigned_get("videos/a/source", expires_s=60, base_url="http://h"))
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert local.verify_get("videos/a/source", q["expires"], q["signature"]).read_bytes() == b"data"
    with pytest.raises(InvalidSignature):
        local.verify_get("videos/b/source", q["expires"], q["signature"])
    with pytest.raises(InvalidSignature):
        local.verify_get("videos/a/source", str(int(q["expires"]) + 1), q["signature"])
    local.clock.t += 61
    with pytest.raises(InvalidSignature):
        local.verify_get("videos/a/source", q["expires"], q["signature"])


def test_stale_partial_writes_are_removed(tmp_path) -> None:  # noqa: ANN001
    import os
    import time

    from repstride.service.blobs.local import LocalBlobStore
    from repstride.service.security import Signer

    store = LocalBlobStore(tmp_path / "blobs", Signer(b"k" * 32))
    old = tmp_path / "blobs" / ".tmp" / "crashed"
    old.write_bytes(b"x" * 10)
    os.utime(old, (time.time() - 600, time.time() - 600))
    live = tmp_path / "blobs" / ".tmp" / "live"
    live.write_bytes(b"y")
    assert store.remove_stale_partials(120) == 1
    assert not old.exists() and live.exists()
