"""Precompressed ``.gz`` siblings of the site's larger files, for servers that send them as is.

nginx (``gzip_static on``) and Apache (the rewrite rule in dist/.htaccess, builder/hosting.py)
answer a request for ``x.wasm`` from a browser that accepts gzip with ``x.wasm.gz`` and
``Content-Encoding: gzip``: compressed once at build time at the highest level, not at every
request at the server's usual low level, and served so even where on-the-fly compression is
off. Files that do not shrink by at least :data:`MIN_SAVING` (zip archives and wheels, whose
members are deflated already) get none. Brotli siblings are not written: nginx needs a module
that is not part of its standard builds to serve them, and IIS does not; bench/run.py prints
what brotli would save.

The bytes are reproducible (no file name and a zero timestamp in the gzip header).
"""

from __future__ import annotations

import gzip
from pathlib import Path

MIN_BYTES = 1024
MIN_SAVING = 0.1  # write x.gz only when it is at least 10 % smaller than x
SUFFIXES = frozenset({".html", ".js", ".css", ".json", ".wasm", ".svg", ".txt", ".xml"})


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def precompress(dist: Path) -> list[Path]:
    """Write ``x.gz`` beside each file of ``dist`` worth it; return the files written."""
    written = []
    for path in sorted(dist.rglob("*")):
        if not path.is_file() or path.suffix not in SUFFIXES or path.stat().st_size < MIN_BYTES:
            continue
        data = path.read_bytes()
        packed = gzip_bytes(data)
        if len(packed) <= len(data) * (1 - MIN_SAVING):
            target = path.with_name(path.name + ".gz")
            target.write_bytes(packed)
            written.append(target)
    return written
