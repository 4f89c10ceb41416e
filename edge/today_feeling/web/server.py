"""The dashboard's HTTP server: waitress in a background thread, serving a small WSGI app.

Why waitress: a phone-facing server on a home LAN meets idle, slow and half-open connections. The
stdlib's thread-per-connection server gave each one a thread with no timeout (1,000 idle sockets
took the dashboard down); waitress keeps idle connections in one poll loop, closes them after
``CHANNEL_TIMEOUT_S``, bounds them (in total and per client address: address_limit.py), answers
from a fixed pool of threads and sets TCP_NODELAY. Headers are capped at ``MAX_HEADER_BYTES`` and
no request may carry a body (413 before it is read).

GET and HEAD only: static files from memory and the read-only API; the data endpoints need the
broker login of a reader or controller (web/login.py). A port that is taken does not stop the
daemon; the server retries binding in the background with backoff.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from waitress import wasyncore
from waitress.server import create_server

from today_feeling.backoff import Backoff
from today_feeling.web.address_limit import limit_per_address
from today_feeling.web.api import Api, Reply
from today_feeling.web.login import BrokerLogins
from today_feeling.web.static_files import StaticFile

logger = logging.getLogger(__name__)
# "Task queue depth is 1" whenever two requests overlap on a 2-thread pool is not a warning.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)

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
#: What a person's household data is served from: a login is needed (mood history, metrics).
PRIVATE_PATHS = frozenset({"/api/history", "/api/summary", "/metrics"})
LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
#: Idle connections are closed after this long; at most CONNECTION_LIMIT are kept at once.
CHANNEL_TIMEOUT_S = 15
CONNECTION_LIMIT = 2000
#: Request line and headers of one request (a browser sends 1-2 KiB with the Basic login).
MAX_HEADER_BYTES = 16384
THREADS = 2
BACKLOG = 128

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class DashboardApp:
    """The WSGI application: routing, the login gate, static files with ETags and gzip."""

    def __init__(self, api: Api, files: dict[str, StaticFile], logins: BrokerLogins | None) -> None:
        self._api, self._files, self._logins = api, files, logins

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return _send(start_response, Reply(405, "text/plain; charset=utf-8",
                                               b"read-only: use MQTT for commands\n"), {"Allow": "GET, HEAD"})
        path = environ.get("PATH_INFO", "")
        if path in PRIVATE_PATHS and not self._authorised(environ):
            return _send(start_response, Reply(401, "application/json",
                                               b'{"error":"sign in with a reader or controller login"}'),
                         {"WWW-Authenticate": 'TodayFeeling realm="dashboard"', "Cache-Control": "no-store"})
        if path == "/healthz" and not self._full_health(environ):
            return _send(start_response, self._api.public_health(), {"Cache-Control": "no-store"})
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        reply = self._api.handle(path, query)
        if reply is not None:
            return _send(start_response, reply, {"Cache-Control": "no-store"})
        static = self._files.get(path)
        if static is None:
            return _send(start_response, Reply(404, "text/plain; charset=utf-8", b"not found\n"), {})
        return self._static(environ, start_response, static)

    def _full_health(self, environ: dict[str, Any]) -> bool:
        """The detailed /healthz: for a login (a probe without one never costs a broker login)."""
        if self._logins is None or environ.get("HTTP_AUTHORIZATION"):
            return self._authorised(environ)
        return False

    def _authorised(self, environ: dict[str, Any]) -> bool:
        """The broker accepts the page's login; without a broker, this machine only."""
        if self._logins is None:
            return environ.get("REMOTE_ADDR", "") in LOOPBACK
        return self._logins.allowed(environ.get("HTTP_AUTHORIZATION"), environ.get("REMOTE_ADDR", ""))

    @staticmethod
    def _static(environ: dict[str, Any], start_response: StartResponse,
                static: StaticFile) -> Iterable[bytes]:
        # no-cache = revalidate every time (cheap 304s); the service worker gives offline use.
        headers = {"Cache-Control": "no-cache", "ETag": static.etag}
        if environ.get("HTTP_IF_NONE_MATCH") == static.etag:
            return _send(start_response, Reply(304, static.content_type, b""), headers)
        body = static.body
        if static.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
            if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
                body, headers["Content-Encoding"] = static.gzipped, "gzip"
        return _send(start_response, Reply(200, static.content_type, body), headers)


def _send(start_response: StartResponse, reply: Reply, headers: dict[str, str]) -> Iterable[bytes]:
    status = f"{reply.status} {_REASONS.get(reply.status, 'OK')}"
    all_headers = [("Content-Type", reply.content_type), ("Content-Length", str(len(reply.body))),
                   *SECURITY_HEADERS.items(), *headers.items()]
    start_response(status, all_headers)
    return [reply.body] if reply.status != 304 else []


_REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class HttpServer:
    """Owns the listening socket and its thread; start/stop follow the Service contract."""

    def __init__(self, host: str, port: int, api: Api, files: dict[str, StaticFile], *,
                 retry_max_s: float = 30.0, logins: BrokerLogins | None = None) -> None:
        self._host, self._port = host, port
        self._app = DashboardApp(api, files, logins)
        self._retry_max_s = retry_max_s
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._bound = threading.Event()
        self._lock = threading.Lock()  # orders bind vs stop so no server outlives stop()

    @property
    def port(self) -> int:
        """The bound port (useful with port 0); the configured one until bound."""
        return int(self._server.effective_port) if self._server is not None else self._port

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
            # Close every socket from inside the poll loop (the only thread that may touch them).
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if server is not None:
            server.task_dispatcher.shutdown()
        self._server, self._thread = None, None
        self._bound.clear()

    @staticmethod
    def _discard(server: Any) -> None:
        """A server that never ran: its sockets and its worker threads go (nothing may leak)."""
        wasyncore.close_all(server._map)
        server.task_dispatcher.shutdown()

    def _run(self) -> None:
        retry = Backoff(0.5, self._retry_max_s, jitter=0.0)
        while not self._stopping.is_set():
            try:
                server = self._bind()
            except (OSError, ValueError) as err:  # taken, not there yet, or not resolvable
                delay = retry.next_delay()
                logger.error("dashboard cannot listen on %s:%d (%s); retrying in %.1fs",
                             self._host, self._port, err, delay)
                self._stopping.wait(delay)
                continue
            with self._lock:
                if self._stopping.is_set():
                    self._discard(server)
                    return
                self._server = server
            logger.info("dashboard listening on http://%s:%d/", self._host, self.port)
            self._bound.set()
            server.run()
            return

    def _bind(self) -> Any:
        """Bind first, then build the server on that socket: waitress starts its threads before
        binding, so a port that is taken must fail here, where nothing has been started yet."""
        sock = _listening_socket(self._host, self._port)
        server = create_server(
            self._app, sockets=[sock], threads=THREADS, backlog=BACKLOG,
            connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT_S,
            asyncore_use_poll=True,  # select() cannot watch more than 1,024 sockets
            ident="today-feeling", expose_tracebacks=False, clear_untrusted_proxy_headers=True,
            log_socket_errors=False,  # a phone that drops its connection is not news
            # Memory per connection stays small: waitress would hold 256 KiB of unfinished
            # headers and read a 1 GiB body (to disk) before answering; nothing here takes a body.
            max_request_header_size=MAX_HEADER_BYTES, max_request_body_size=0,
        )
        limit_per_address(server, exempt=LOOPBACK)
        return server


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket; ``[::]`` also serves IPv4 (as the dashboard always has)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((host, port))
    except (OSError, UnicodeError):
        sock.close()
        raise
    return sock
