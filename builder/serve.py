"""Preview a built dist/ locally: ``python build.py serve`` → http://127.0.0.1:8000/.

Any static server can host dist/; this one exists so a preview never depends on the
machine's MIME database (Python's ``mimetypes`` reads /etc/mime.types and, on Windows, the
registry, which may lack ``.wasm``/``.mjs`` or map ``.js`` to text/plain).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from builder.hosting import MIME_TYPES as HOSTING_TYPES
from builder.hosting import content_type

# The types the shipped server configurations give (builder/hosting.py), with their charset.
MIME_TYPES: dict[str, str] = {ext: content_type(ext) for ext in HOSTING_TYPES}


class SiteRequestHandler(SimpleHTTPRequestHandler):
    """Static files with :data:`MIME_TYPES` and revalidation on every load."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def end_headers(self) -> None:
        # A preview is rebuilt often: make the browser revalidate (cheap 304s) instead of
        # guessing freshness from Last-Modified and showing a stale page.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the URL that matters


@contextlib.contextmanager
def serving(directory: Path, handler_class: type[SimpleHTTPRequestHandler] = SiteRequestHandler,
            ) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yield the base URL. For the
    build's own browser run (and any tool that needs the site for a moment)."""
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def serve(dist_dir: Path, port: int, host: str = "127.0.0.1") -> None:
    """Serve ``dist_dir`` until Ctrl-C."""
    if not (dist_dir / "index.html").is_file():
        raise SystemExit(f"{dist_dir} has no index.html: run `python build.py` first")
    handler = functools.partial(SiteRequestHandler, directory=str(dist_dir))
    with ThreadingHTTPServer((host, port), handler) as server:
        server.daemon_threads = True  # Ctrl-C must not wait for open keep-alive connections
        shown = f"[{host}]" if ":" in host else host
        print(f"serving {dist_dir} at http://{shown}:{server.server_address[1]}/ (Ctrl-C stops)",
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped")
