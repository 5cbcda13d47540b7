"""The HTTP server of ``repstride serve``: uvicorn on httptools (and uvloop when installed),
with the connection hygiene uvicorn lacks:

- a **header timeout**: a connection that has not sent a whole request head this long after it
  opened (or after the first byte of a keep-alive request) is answered 408 and closed
  (slowloris);
- a **body idle timeout**: a request body that sends no byte for this long is cut off; the
  route sees a client disconnect (logged at info level);
- a **bound on open connections** per process: beyond it, a new connection is answered 503 and
  closed at once.

Idle keep-alive connections are closed by uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("repstride.api.server")

def _canned(status: bytes, code: str, message: str, extra: bytes = b"") -> bytes:
    body = f'{{"code":"{code}","message":"{message}"}}'.encode()
    return (b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\nconnection: close\r\n"
            + extra + b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


_408 = _canned(b"408 Request Timeout", "request_timeout", "The request was too slow.")
_503 = _canned(b"503 Service Unavailable", "service_unavailable", "Too many connections.",
               b"retry-after: 1\r\n")


def guarded_protocol(*, header_timeout_s: float, body_idle_timeout_s: float,
                     max_connections: int) -> type:
    """An ``HttpToolsProtocol`` subclass enforcing the three limits above."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._timer: Any = None
            self._last_body = 0.0
            self._in_body = False

        def _cancel(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                log.warning("refused a connection: %d open (REPSTRIDE_HTTP_MAX_CONNECTIONS)",
                            len(self.connections) - 1)
                transport.write(_503)
                transport.close()
                return
            self._timer = self.loop.call_later(header_timeout_s, self._header_timeout)

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._timer is None:  # next request on a kept-alive connection
                self._timer = self.loop.call_later(header_timeout_s, self._header_timeout)

        def on_headers_complete(self) -> None:
            self._cancel()
            super().on_headers_complete()
            self._in_body = True
            self._last_body = self.loop.time()
            self._timer = self.loop.call_later(body_idle_timeout_s, self._body_check)

        def on_body(self, body: bytes) -> None:
            self._last_body = self.loop.time()
            super().on_body(body)

        def on_message_complete(self) -> None:
            self._in_body = False
            self._cancel()
            super().on_message_complete()

        def _header_timeout(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                log.info("closed a connection that sent no complete request head in %g s",
                         header_timeout_s)
                self.transport.write(_408)
                self.transport.close()

        def _body_check(self) -> None:
            self._timer = None
            if not self._in_body or self.transport.is_closing():
                return
            idle = self.loop.time() - self._last_body
            if self.flow.read_paused or (self.cycle and self.cycle.response_complete) \
                    or idle < body_idle_timeout_s:
                # the app is not reading (its own pace) or bytes came lately: look again later
                self._timer = self.loop.call_later(max(0.05, body_idle_timeout_s - idle),
                                                   self._body_check)
                return
            log.info("closed a connection whose request body stalled for %g s",
                     body_idle_timeout_s)
            self.transport.close()

    return GuardedProtocol


def uvicorn_config(app: Any, settings: Any, *, host: str, port: int) -> Any:
    import uvicorn

    proto = guarded_protocol(header_timeout_s=settings.http_header_timeout_s,
                             body_idle_timeout_s=settings.http_body_idle_timeout_s,
                             max_connections=settings.http_max_connections)
    # log_config=None: uvicorn's records go through the root handler (REPSTRIDE_LOG_FORMAT);
    # its access log is off, the request line of api.observability replaces it
    return uvicorn.Config(app, host=host, port=port, log_level="info", access_log=False,
                          log_config=None,
                          timeout_graceful_shutdown=10, http=proto,
                          timeout_keep_alive=int(settings.http_keep_alive_s))


__all__ = ["guarded_protocol", "uvicorn_config"]
