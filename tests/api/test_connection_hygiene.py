"""Raw sockets against a real ``repstride serve``: an oversized declared length is refused
before its body is sent, a client leaving mid-body is an info line, 405 names what is allowed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from svc_helpers import free_port, wait_healthy


def _serve(tmp_path_factory, **settings: str):  # noqa: ANN001, ANN202
    tmp = tmp_path_factory.mktemp("hygiene")
    env = {**os.environ, "REPSTRIDE_DATA_DIR": str(tmp / "data"), **settings}
    env.pop("REPSTRIDE_DATABASE_URL", None)
    port = free_port()
    log = open(tmp / "server.log", "w")  # noqa: SIM115
    exe = Path(sys.executable).parent / "repstride"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "0"],
                            stdout=subprocess.PIPE, stderr=log, env=env, text=True)
    api_key = ""
    for line in proc.stdout:  # first start: the default client's credentials
        if line.strip().startswith("api_key:"):
            api_key = line.split(":", 1)[1].strip()
            break
    proc.stdout.close()
    wait_healthy(port, proc)
    try:
        yield port, proc, tmp / "server.log", api_key
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: ANN001, ANN201
    yield from _serve(tmp_path_factory)


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):  # noqa: ANN001, ANN201
    yield from _serve(tmp_path_factory, REPSTRIDE_HTTP_HEADER_TIMEOUT_S="3",
                      REPSTRIDE_HTTP_BODY_IDLE_TIMEOUT_S="1", REPSTRIDE_HTTP_MAX_CONNECTIONS="6")


def _read_all(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (the socket's 10 s timeout
    bounds the wait)."""
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    return out


def test_slowloris_and_a_stalled_body_are_closed_while_others_are_served(strict_server) -> None:  # noqa: ANN001
    port, proc, log, _ = strict_server
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    slow.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # never finished
    stalled = _request_head(port, "/oauth2/token", 4000, "application/x-www-form-urlencoded")
    stalled.sendall(b"grant_type=")  # and nothing more
    silent = socket.create_connection(("127.0.0.1", port), timeout=10)  # sends nothing at all
    assert requests.get(f"http://127.0.0.1:{port}/health", timeout=10).ok
    try:
        assert _read_all(slow).startswith(b"HTTP/1.1 408")
        assert _read_all(silent).startswith(b"HTTP/1.1 408")
        assert _read_all(stalled) == b""  # cut off: nobody answers a half request
    finally:
        for s in (slow, stalled, silent):
            s.close()
    assert requests.get(f"http://127.0.0.1:{port}/health", timeout=10).ok
    text = log.read_text()
    assert "request body stalled" in text and "no complete request head" in text
    assert " ERROR " not in text and "Traceback" not in text, text


def test_open_connections_are_bounded(strict_server) -> None:  # noqa: ANN001
    port, _, _, _ = strict_server
    held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(6)]
    try:
        extra = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            assert _read_all(extra).startswith(b"HTTP/1.1 503")
        finally:
            extra.close()
    finally:
        for s in held:
            s.close()


def _request_head(port: int, path: str, length: int, ctype: str) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    auth = "" if path.startswith("/analysis") else "Authorization: Bearer nope\r\n"
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}"
              f"Content-Type: {ctype}\r\nContent-Length: {length}\r\n\r\n".encode())
    return s


@pytest.mark.parametrize("path,ctype", [
    ("/uploads", "multipart/form-data; boundary=b"),
    ("/videos", "application/json"),
    ("/oauth2/token", "application/x-www-form-urlencoded"),
    ("/analysis/start?apiKey={key}", "multipart/form-data; boundary=b"),
])
def test_an_oversized_declared_length_gets_413_before_the_body(server, path, ctype) -> None:  # noqa: ANN001
    port, _, _, key = server
    assert key
    s = _request_head(port, path.format(key=key), 10**10, ctype)  # over every limit; no body byte is sent
    try:
        head = s.recv(65536).decode()
    finally:
        s.close()
    # (the Running API judges the apiKey first, which alone authenticates, then the length)
    assert head.startswith("HTTP/1.1 413"), head
    assert "connection: close" in head.lower()


def test_a_client_leaving_mid_body_is_not_an_error(server) -> None:  # noqa: ANN001
    port, proc, log, _ = server
    for path, ctype in [("/oauth2/token", "application/x-www-form-urlencoded"),
                        ("/analysis/start?apiKey=nope", "multipart/form-data; boundary=b")]:
        s = _request_head(port, path, 4000, ctype)
        s.sendall(b"grant_type=client_cre")
        s.close()
    assert requests.get(f"http://127.0.0.1:{port}/health", timeout=10).ok  # others are served
    assert proc.poll() is None
    text = log.read_text()
    assert " ERROR " not in text and "Traceback" not in text, text


def test_405_names_the_allowed_methods(server) -> None:  # noqa: ANN001
    port, _, _, key = server
    r = requests.delete(f"http://127.0.0.1:{port}/oauth2/token", timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    r = requests.patch(f"http://127.0.0.1:{port}/videos/abc", timeout=10)
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "DELETE"}


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "repstride-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nvideos/x/source\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\nnot-a-policy\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"signature\"\r\n\r\nnope\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"analysis_type\"\r\n\r\nside_view\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n"
            f"Content-Type: video/mp4\r\n\r\n").encode() + b"\0" * size + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _post(client: str, url: str, body: bytes, ctype: str, tmp: Path) -> tuple[int, dict]:
    import json
    import urllib.error
    import urllib.request

    if client == "urllib":
        req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())
    if client == "requests":
        r = requests.post(url, data=body, headers={"Content-Type": ctype}, timeout=30)
        return r.status_code, r.json()
    if client == "httpx":
        import httpx

        r = httpx.post(url, content=body, headers={"Content-Type": ctype}, timeout=30)
        return r.status_code, r.json()
    payload = tmp / "body.bin"
    payload.write_bytes(body)
    out = subprocess.run(["curl", "-sS", "-X", "POST", "-H", f"Content-Type: {ctype}",
                          "--data-binary", f"@{payload}", "-w", "\n%{http_code}", url],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr  # curl exits non-zero on a connection reset
    text, _, status = out.stdout.rpartition("\n")
    return int(status), json.loads(text)


@pytest.mark.parametrize("client", ["urllib", "requests", "httpx", "curl"])
@pytest.mark.parametrize("path,status,code", [
    ("/analysis/start?apiKey=not-a-key", 403, "invalid_api_key"),
    ("/analysis/start", 401, "missing_api_key"),
    ("/uploads", 403, None),
])
def test_an_upload_refused_early_gets_its_json_answer_intact(server, tmp_path, client, path,
                                                             status, code) -> None:  # noqa: ANN001
    """A 4 MB body refused for its credentials or policy before it is read: every common client
    reads the JSON error, none sees a connection reset."""
    if client == "curl" and shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    port, proc, _, _ = server
    body, ctype = _multipart(4 * 1024 * 1024)
    got_status, got = _post(client, f"http://127.0.0.1:{port}{path}", body, ctype, tmp_path)
    if code is None:  # a forged upload policy: refused with a stable code
        assert got_status in (400, 403) and got.get("code"), (got_status, got)
    else:
        assert (got_status, got.get("code")) == (status, code), got
    assert proc.poll() is None
