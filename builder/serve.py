"""Preview a built dist/ locally: ``python build.py serve`` → http://127.0.0.1:8000/.

Any static server can host dist/; this one exists so a preview never depends on the
machine's MIME database (Python's ``mimetypes`` reads /etc/mime.types and, on Windows, the
registry, which may lack ``.wasm``/``.mjs`` or map ``.js`` to text/plain).
"""

from __future__ import annotations

import functools
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
