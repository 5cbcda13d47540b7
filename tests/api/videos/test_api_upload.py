"""The upload target: S3-presigned-POST-like policy, streaming, limits, chunked bodies."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from svc_helpers import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", 8)


def _create(api, token: str, size: int) -> dict:  # noqa: ANN001
    r = api.post("/videos", json={"filename": "clip.mp4", "size": size},
                 headers={"Authorization": token})
    assert r.status_code == 200, r.text
    return r.json()


def _multipart(fields: dict[str, str], data: bytes, boundary: str = "XyZbound") -> bytes:
    out = b""
    for k, v in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                .encode())
    out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"clip.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode()
    return out + data + f"\r\n--{boundary}--\r\n".encode()


def _chunks(body: bytes, n: int = 1000):  # noqa: ANN202
    for i in range(0, len(body), n):
        yield body[i:i + n]


CT = {"content-type": "multipart/form-data; boundary=XyZbound"}


def test_chunked_upload_without_content_length(api, services, token, clip) -> None:  # noqa: ANN001
    data = clip.read_bytes()
    created = _create(api, token, len(data))
    r = api.post("/uploads", content=_chunks(_multipart(created["fields"], data)), headers=CT)
    assert r.status_code == 204, r.text
    assert services.blobs.get_bytes(created["fields"]["key"]) == data
    assert len(services.jobs.ready_ids()) == 1  # the analysis is enqueued
    assert api.get(f"/videos/{created['id']}", headers={"Authorization": token}) \
        .json()["status"] == "Success"


def test_second_upload_is_refused(api, token, clip) -> None:  # noqa: ANN001
    data = clip.read_bytes()
    created = _create(api, token, len(data))
    assert api.post("/uploads", content=_multipart(created["fields"], data),
                    headers=CT).status_code == 204
    r = api.post("/uploads", content=_multipart(created["fields"], data), headers=CT)
    assert (r.status_code, r.json()["code"]) == (409, "already_uploaded")


def _tamper(fields: dict[str, str], how: str) -> dict[str, str]:
    f = dict(fields)
    if how == "signature":
        f["signature"] = "0" * len(f["signature"])
    elif how == "key":
        f["key"] = f["key"].replace("source", "other")
    elif how == "policy":
        pad = "=" * (-len(f["policy"]) % 4)
        pol = json.loads(base64.urlsafe_b64decode(f["policy"] + pad))
        pol["max_size"] = 10**9
        f["policy"] = base64.urlsafe_b64encode(json.dumps(pol).encode()).decode()
    elif how == "missing":
        f.pop("policy")
    return f


@pytest.mark.parametrize("how", ["signature", "key", "policy", "missing"])
def test_tampered_policy_403(api, services, token, clip, how: str) -> None:  # noqa: ANN001
    data = clip.read_bytes()
    created = _create(api, token, len(data))
    r = api.post("/uploads", content=_multipart(_tamper(created["fields"], how), data), headers=CT)
    assert (r.status_code, r.json()["code"]) == (403, "invalid_policy")
    assert services.jobs.ready_ids() == []
    assert not services.blobs.exists(created["fields"]["key"])


def test_expired_policy_403(api, services, token, clock, clip) -> None:  # noqa: ANN001
    data = clip.read_bytes()
    created = _create(api, token, len(data))
    clock.advance(services.settings.upload_policy_ttl_s + 1)
    r = api.post("/uploads", content=_multipart(created["fields"], data), headers=CT)
    assert (r.status_code, r.json()["code"]) == (403, "policy_expired")


def test_file_larger_than_declared_413(api, services, token) -> None:  # noqa: ANN001
    created = _create(api, token, 1000)
    r = api.post("/uploads", content=_chunks(_multipart(created["fields"], b"v" * 1001)),
                 headers=CT)
    assert (r.status_code, r.json()["code"]) == (413, "file_too_large")
    assert not services.blobs.exists(created["fields"]["key"])
    assert list((services.blobs.root / ".tmp").iterdir()) == []
    # the video can still be uploaded correctly afterwards
    r = api.post("/uploads", content=_multipart(created["fields"], b"v" * 1000), headers=CT)
    assert r.status_code == 204


def test_declared_size_over_server_limit_413(api, services, token) -> None:  # noqa: ANN001
    r = api.post("/videos", json={"filename": "big.mp4",
                                  "size": services.settings.max_upload_bytes + 1},
                 headers={"Authorization": token})
    assert (r.status_code, r.json()["code"]) == (413, "file_too_large")


@pytest.mark.parametrize("case", ["not_multipart", "no_file", "empty_file", "truncated"])
def test_malformed_uploads_400(api, token, case: str) -> None:  # noqa: ANN001
    created = _create(api, token, 100)
    if case == "not_multipart":
        r = api.post("/uploads", json=created["fields"])
    elif case == "no_file":
        body = "".join(f"--XyZbound\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                       for k, v in created["fields"].items()) + "--XyZbound--\r\n"
        r = api.post("/uploads", content=body.encode(), headers=CT)
    elif case == "empty_file":
        r = api.post("/uploads", content=_multipart(created["fields"], b""), headers=CT)
    else:
        r = api.post("/uploads", content=_multipart(created["fields"], b"v" * 50)[:-30],
                     headers=CT)
    assert (r.status_code, r.json()["code"]) == (400, "malformed_upload"), r.text


def test_upload_for_deleted_video_404(api, token, clip) -> None:  # noqa: ANN001
    data = clip.read_bytes()
    created = _create(api, token, len(data))
    api.delete(f"/videos/{created['id']}", headers={"Authorization": token})
    r = api.post("/uploads", content=_multipart(created["fields"], data), headers=CT)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_non_video_upload_ends_failed_with_reason(api, services, token) -> None:  # noqa: ANN001
    junk = b"%PDF-1.4 definitely not a video" * 20
    created = _create(api, token, len(junk))
    assert api.post("/uploads", content=_multipart(created["fields"], junk),
                    headers=CT).status_code == 204
    (job_id,) = services.jobs.ready_ids()
    services.runner.run_job(job_id)
    h = {"Authorization": token}
    v = api.get(f"/videos/{created['id']}", headers=h).json()
    assert (v["status"], v["reason"]) == ("Failed", "invalid_file_type")
    a = api.get(f"/videos/{created['id']}/analysis", headers=h).json()
    assert (a["status"], a["reason"]) == ("Failed", "invalid_file_type")


def test_requests_style_upload_with_extra_fields_after_file(api, token, clip) -> None:  # noqa: ANN001
    data = clip.read_bytes()
    created = _create(api, token, len(data))
    body = _multipart(created["fields"], data)[:-len("--XyZbound--\r\n")]
    body += b"--XyZbound\r\nContent-Disposition: form-data; name=\"late\"\r\n\r\nx\r\n--XyZbound--\r\n"
    assert api.post("/uploads", content=body, headers=CT).status_code == 204
