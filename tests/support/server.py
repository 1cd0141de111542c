"""A local static server for browser tests that can also behave like a badly configured one.

``serve(directory)`` serves like ``builder.serve`` (correct MIME types) on 127.0.0.1 under a
sub-path. ``mime_overrides`` maps a path suffix (an extension such as ``".wasm"`` or a file
name such as ``"pyodide.asm.mjs.js"``) to the Content-Type to send instead, imitating real
servers that do not know an extension:

* ``{".wasm": "application/octet-stream"}``: nginx/IIS without a wasm entry;
* ``{".js": "text/plain"}``: a Windows registry that maps .js to text/plain;
* ``{".whl": None}``: IIS, which answers 404 for extensions missing from its MIME map;
* ``{".mjs": ""}``: no Content-Type header at all.

``hang`` lists path suffixes that are never answered (until the server stops), to test
stall detection.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

from builder.serve import SiteRequestHandler


class _Handler(SiteRequestHandler):
    sub_path = "/"
    overrides: dict[str, str | None] = {}  # noqa: RUF012 - replaced per server, never mutated
    hang: tuple[str, ...] = ()
    released: threading.Event
    log: list[str]
    requested = "/"

    def _local_path(self) -> str | None:
        path = self.requested.split("?", 1)[0]
        if not path.startswith(self.sub_path):
            return None
        return "/" + path[len(self.sub_path):]

    def send_head(self):  # type: ignore[no-untyped-def]
        self.requested = self.path  # kept: self.path is rewritten below
        self.log.append(self.path)
        local = self._local_path()
        if local is None:
            self.send_error(404, "outside the served sub-path")
            return None
        if self.hang and local.endswith(self.hang):
            self.released.wait(timeout=120)  # bounded, so a stuck test still ends
            self.send_error(503, "released")
            return None
        if self._override() is None and self._overridden():
            self.send_error(404, "unknown extension (like IIS 404.3)")
            return None
        original = self.path
        self.path = local  # SimpleHTTPRequestHandler maps self.path onto the directory
        try:
            return super().send_head()
        finally:
            self.path = original

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-type" and self._overridden():
            override = self._override()
            if not override:
                return  # no Content-Type header at all
            value = override
        super().send_header(keyword, value)

    def _matching_suffix(self) -> str | None:
        local = (self._local_path() or "").lower()
        # The longest matching suffix wins: "pyodide.asm.mjs.js" before ".js".
        matches = [s for s in self.overrides if local.endswith(s)]
        return max(matches, key=len) if matches else None

    def _overridden(self) -> bool:
        return self._matching_suffix() is not None

    def _override(self) -> str | None:
        suffix = self._matching_suffix()
        return self.overrides[suffix] if suffix is not None else None


@contextlib.contextmanager
def serve(directory: Path, mime_overrides: dict[str, str | None] | None = None, *,
          sub_path: str = "/some/sub/path/", hang: tuple[str, ...] = (),
          log: list[str] | None = None) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yield the base URL (ends in ``/``).

    ``log``, when given, receives every requested path (with the sub-path), in order.
    """
    if not (sub_path.startswith("/") and sub_path.endswith("/")):
        raise ValueError("sub_path must start and end with '/'")
    released = threading.Event()
    handler_class = type("Handler", (_Handler,), {
        "sub_path": sub_path,
        "overrides": {k.lower(): v for k, v in (mime_overrides or {}).items()},
        "hang": hang,
        "released": released,
        "log": log if log is not None else [],
    })
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{sub_path}"
    finally:
        released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
