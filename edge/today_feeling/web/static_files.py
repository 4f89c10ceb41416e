"""The dashboard's static files, loaded once into memory with their gzip form and ETag.

Serving from a table built at start means a request path is only ever a dictionary key:
no path is joined onto the file system per request, so traversal is impossible, and a
Pi answers without touching the SD card.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}
COMPRESSIBLE = (".html", ".js", ".css", ".webmanifest", ".json", ".svg", ".txt", ".md")


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    content_type: str
    etag: str


def load_static(root: Path = STATIC_DIR) -> dict[str, StaticFile]:
    """URL path ("/app.js") -> file; "/" is index.html. Unknown suffixes are not served."""
    table: dict[str, StaticFile] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in CONTENT_TYPES:
            continue
        body = path.read_bytes()
        gz = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        url = "/" + path.relative_to(root).as_posix()
        table[url] = StaticFile(body, gz if gz and len(gz) < len(body) else None,
                                CONTENT_TYPES[path.suffix], etag)
    if "/index.html" in table:
        table["/"] = table["/index.html"]
    logger.debug("static files=%d bytes=%d", len(table), sum(len(f.body) for f in table.values()))
    return table
