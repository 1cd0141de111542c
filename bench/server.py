"""The bench's HTTP server: a site served the way a compressing intranet server serves it.

A request for ``x`` from a browser that accepts gzip gets ``x.gz`` when the build wrote one
(nginx ``gzip_static on``), else, for text and ``.wasm``, ``x`` gzip-compressed on the fly at
level 6 (nginx ``gzip on``; kept in memory), else ``x`` as is. Revalidation with
``Cache-Control: no-cache`` and ``Last-Modified`` as builder/serve.py. Every requested path is
appended to ``log``. HTTP/1.1 keep-alive, as a real server.
"""

from __future__ import annotations

import email.utils
import gzip
import threading
from pathlib import Path

from builder.serve import SiteRequestHandler, serving

COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".wasm", ".svg", ".txt")
_cache: dict[tuple[str, float], bytes] = {}
_lock = threading.Lock()


class CompressingHandler(SiteRequestHandler):
    protocol_version = "HTTP/1.1"
    log: list[str]

    def do_GET(self) -> None:
        self.log.append(self.path)
        path = Path(self.translate_path(self.path.split("?", 1)[0]))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        stat = path.stat()
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if self.headers.get("If-Modified-Since") == modified:
            self.send_response(304)
            self.send_header("Last-Modified", modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, encoding = self._body(path, stat.st_mtime)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", modified)
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.wfile.write(body)

    def _body(self, path: Path, mtime: float) -> tuple[bytes, str | None]:
        if "gzip" not in (self.headers.get("Accept-Encoding") or ""):
            return path.read_bytes(), None
        sibling = path.with_name(path.name + ".gz")
        if sibling.is_file():
            return sibling.read_bytes(), "gzip"
        if path.suffix in COMPRESSIBLE:
            key = (str(path), mtime)
            with _lock:
                if key not in _cache:
                    _cache[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
                return _cache[key], "gzip"
        return path.read_bytes(), None


def serve_compressed(directory: Path, log: list[str] | None = None):
    """Serve ``directory`` on 127.0.0.1 (a free port); a context manager yielding the base URL."""
    handler_class = type("Handler", (CompressingHandler,), {"log": log if log is not None else []})
    return serving(directory, handler_class)



