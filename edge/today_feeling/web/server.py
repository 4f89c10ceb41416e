"""The dashboard's HTTP server: stdlib ThreadingHTTPServer in a background thread.

GET and HEAD only: static files from memory and the read-only API. A port that is taken
does not stop the daemon; the server retries binding in the background with backoff.
"""

from __future__ import annotations

import logging
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from today_feeling.backoff import Backoff
from today_feeling.web.api import Api, Reply
from today_feeling.web.static_files import StaticFile

logger = logging.getLogger(__name__)

# 'self' everywhere; the page only talks to the broker (ws/wss, any host: the URL is config).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self' ws: wss:; manifest-src 'self'; worker-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    api: Api
    files: dict[str, StaticFile]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "today-feeling"  # no Python version: nothing to fingerprint

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _refuse(self) -> None:
        self._send(Reply(HTTPStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                         b"read-only: use MQTT for commands\n"), {"Allow": "GET, HEAD"}, True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def _serve(self, send_body: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        reply = self.server.api.handle(path, dict(parse_qsl(parts.query)))
        if reply is not None:
            self._send(reply, {"Cache-Control": "no-store"}, send_body)
            return
        static = self.server.files.get(path)
        if static is None:
            self._send(Reply(404, "text/plain; charset=utf-8", b"not found\n"), {}, send_body)
            return
        self._send_static(static, send_body)

    def _send_static(self, static: StaticFile, send_body: bool) -> None:
        # no-cache = revalidate every time (cheap 304s); the service worker gives offline use.
        headers = {"Cache-Control": "no-cache", "ETag": static.etag}
        if self.headers.get("If-None-Match") == static.etag:
            self._send(Reply(304, static.content_type, b""), headers, False)
            return
        body = static.body
        if static.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                body, headers["Content-Encoding"] = static.gzipped, "gzip"
        self._send(Reply(200, static.content_type, body), headers, send_body)

    def _send(self, reply: Reply, headers: dict[str, str], send_body: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in {**SECURITY_HEADERS, **headers}.items():
            self.send_header(key, value)
        self.end_headers()
        if send_body and reply.body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("request from=%s %s", self.address_string(), format % args)


class HttpServer:
    """Owns the listening socket and its thread; start/stop follow the Service contract."""

    def __init__(self, host: str, port: int, api: Api, files: dict[str, StaticFile],
                 retry_max_s: float = 30.0) -> None:
        self._host, self._port = host, port
        self._api, self._files = api, files
        self._retry_max_s = retry_max_s
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._bound = threading.Event()
        self._lock = threading.Lock()  # orders bind vs stop so no server outlives stop()

    @property
    def port(self) -> int:
        """The bound port (useful with port 0); the configured one until bound."""
        return self._server.server_address[1] if self._server else self._port

    def wait_bound(self, timeout: float) -> bool:
        return self._bound.wait(timeout)

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            server = self._server
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._server, self._thread = None, None
        self._bound.clear()

    def _run(self) -> None:
        retry = Backoff(0.5, self._retry_max_s, jitter=0.0)
        while not self._stopping.is_set():
            try:
                server = self._bind()
            except OSError as err:
                delay = retry.next_delay()
                logger.error("dashboard cannot listen on %s:%d (%s); retrying in %.1fs",
                             self._host, self._port, err, delay)
                self._stopping.wait(delay)
                continue
            with self._lock:
                if self._stopping.is_set():
                    server.server_close()
                    return
                self._server = server
            logger.info("dashboard listening on http://%s:%d/", self._host, self.port)
            self._bound.set()
            server.serve_forever(poll_interval=0.5)
            return

    def _bind(self) -> _Server:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        server_cls = type("_BoundServer", (_Server,), {"address_family": family})
        server: _Server = server_cls((self._host, self._port), _Handler)
        server.api, server.files = self._api, self._files
        return server
