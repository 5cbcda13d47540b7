"""The BlobStore contract (tests/service/test_blobs.py) on the S3 adapter against moto in server
mode, plus what only a direct-upload store does: a real presigned POST (policy conditions, the
seed's ``requests`` upload snippet) and presigned GETs."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
import requests
from test_blobs import (  # the shared contract, collected again here on the S3 adapter
    test_head_size_is_the_size_or_none, test_overwrite_is_idempotent,
    test_put_get_download_delete, test_rejects_unsafe_keys,
    test_server_side_upload_half_follows_direct_upload,
)

from repstride.errors import ConfigurationError, NotFound
from repstride.service.blobs.port import BlobStore
from repstride.service.blobs.s3 import S3BlobStore

__all__ = ["test_head_size_is_the_size_or_none", "test_overwrite_is_idempotent",
           "test_put_get_download_delete", "test_rejects_unsafe_keys",
           "test_server_side_upload_half_follows_direct_upload"]


@pytest.fixture
def store(s3_endpoint: str, s3_bucket: str) -> S3BlobStore:
    return S3BlobStore(s3_bucket, endpoint_url=s3_endpoint)


def _policy(fields: dict[str, str]) -> dict:
    b64 = fields["policy"]
    return json.loads(base64.b64decode(b64 + "=" * (-len(b64) % 4)))


def test_presigned_post_is_a_real_s3_policy(store: S3BlobStore, s3_endpoint: str) -> None:
    before = time.time()
    post = store.presigned_post("videos/a/source", max_size=12345, expires_s=600,
                                base_url="http://api.example", meta={"video_id": "a"})
    assert isinstance(store, BlobStore) and store.direct_upload is True
    assert post.url == f"{s3_endpoint}/{store.bucket}"  # the store, not the API
    assert post.fields["key"] == "videos/a/source"
    assert {"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} <= set(post.fields)
    policy = _policy(post.fields)
    assert ["content-length-range", 1, 12345] in policy["conditions"]
    assert {"key": "videos/a/source"} in policy["conditions"]
    assert {"bucket": store.bucket} in policy["conditions"]
    expires = time.mktime(time.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert before + 590 <= expires <= time.time() + 610


def test_seed_python_upload_snippet_against_the_presigned_post(store: S3BlobStore,
                                                               tmp_path: Path) -> None:
    clip = tmp_path / "workout.mp4"
    clip.write_bytes(bytes(range(256)) * 40)
    post = store.presigned_post("videos/v1/source", max_size=clip.stat().st_size, expires_s=60,
                                base_url="")
    # The seed's example, verbatim but for the variable names.
    with open(clip, "rb") as f:
        r = requests.post(post.url, data=post.fields, files={"file": f}, timeout=30)
    assert r.status_code == 204, r.text
    assert store.head_size("videos/v1/source") == clip.stat().st_size
    assert store.get_bytes("videos/v1/source") == clip.read_bytes()


def test_presigned_get_downloads_without_credentials(store: S3BlobStore) -> None:
    store.put_bytes("videos/v2/overlay.mp4", b"overlay-bytes")
    url = store.presigned_get("videos/v2/overlay.mp4", expires_s=60, base_url="http://ignored")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    r = requests.get(url, timeout=30)
    assert (r.status_code, r.content) == (200, b"overlay-bytes")
    # (moto does not verify signatures or POST policy conditions; AWS S3 and MinIO do.)


def test_missing_objects_and_prefix_boundaries(store: S3BlobStore, tmp_path: Path) -> None:
    assert store.head_size("videos/none/source") is None and not store.exists("videos/none/x")
    for call in (lambda: store.get_bytes("videos/none/x"), lambda: store.size("videos/none/x"),
                 lambda: store.download_to("videos/none/x", tmp_path / "o")):
        with pytest.raises(NotFound):
            call()
    store.put_bytes("videos/a/x", b"1")
    store.put_bytes("videos/ab/x", b"2")  # shares the string prefix, not the folder
    assert store.list_prefix("videos/a") == {"videos/a/x": 1}
    assert store.list_prefix("videos/a/x") == {"videos/a/x": 1}
    assert store.list_prefix("videos/none") == {}
    assert store.delete_prefix("videos/a") == 1
    assert store.exists("videos/ab/x")


def test_many_objects_are_deleted_in_batches(store: S3BlobStore) -> None:
    for i in range(25):
        store.put_bytes(f"videos/m/part{i}", b"x")
    assert store.delete_prefix("videos/m/") == 25
    assert store.delete_prefix("videos/m") == 0


def test_bucket_is_required() -> None:
    with pytest.raises(ConfigurationError):
        S3BlobStore("", client=object())
