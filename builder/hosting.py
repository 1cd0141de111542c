"""Server configuration written into dist/ by the build, so an administrator copies one folder.

* ``dist/web.config``: IIS (7.5 or later). MIME map, headers, caching and static compression;
  IIS answers 404.3 for any extension missing from its MIME map (``.whl`` always, ``.wasm`` on
  older versions), and refuses the whole folder if a ``<mimeMap>`` repeats one it already
  knows, hence ``<remove>`` before each ``<mimeMap>``.
* ``dist/.htaccess`` (and one in each versioned runtime folder): Apache 2.4 with
  ``AllowOverride FileInfo``; every block is wrapped in ``<IfModule>`` so a missing module
  costs a feature, never a 500.
* ``dist/deploy/nginx-formsite.conf``: an nginx snippet to ``include`` inside the ``location``
  that serves the copied folder (see the README, "Deploying").

tests/test_hosting.py runs the nginx and Apache files in Debian's servers; the IIS file is
only checked as XML.

Each carries the same three promises: the Content-Security-Policy of the pages
(:data:`builder.site.CONTENT_SECURITY_POLICY`, sent as a header so that it also covers the Web
Worker, which a page's ``<meta>`` does not), the MIME types the runtime needs, and caching:
content-addressed runtime folders (``runtime/<hash>/``) are immutable for a year, everything
else (pages, ``definitions.json``, the worker, ``pyodide/`` while it is not versioned) is
revalidated on every load, so a new rule set reaches everyone at once.

Every server gets the whole MIME table below; a file in dist/ whose extension it lacks stops
the build. The immutable folders are listed by name, as the build made them.
"""

from __future__ import annotations

from pathlib import Path

from builder.site import CONTENT_SECURITY_POLICY

# dist/runtime/<hash>/ holds files whose name changes whenever a byte does.
IMMUTABLE_DIR = "runtime"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_REVALIDATE = "no-cache"
NGINX_SNIPPET = "deploy/nginx-formsite.conf"

# Extension -> MIME type (essence), for every kind of file dist/ holds. .js and .mjs are
# text/javascript (RFC 9239); browsers refuse module scripts of any non-JavaScript type.
# application/wasm lets the browser compile while downloading.
MIME_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".whl": "application/octet-stream",
    ".snapshot": "application/octet-stream",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".md": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Sent with "; charset=utf-8": every text file of the site is UTF-8.
TEXT_TYPES = frozenset({"text/html", "text/css", "text/javascript", "application/json",
                        "application/manifest+json", "image/svg+xml", "application/xml",
                        "text/plain"})
# Worth compressing on the fly (zip, wheels, images and fonts are compressed already).
COMPRESSIBLE_TYPES = (*sorted(TEXT_TYPES), "application/wasm")
# The server configurations themselves: never served as content.
_CONFIG_NAMES = frozenset({"web.config", ".htaccess"})


class HostingError(RuntimeError):
    """dist/ holds a file the server configurations cannot give a type."""


def content_type(extension: str) -> str:
    """The Content-Type header for a file extension (``.js`` → ``text/javascript; charset=utf-8``)."""
    mime = MIME_TYPES[extension.lower()]
    return f"{mime}; charset=utf-8" if mime in TEXT_TYPES else mime


def header_policy(meta_policy: str = CONTENT_SECURITY_POLICY) -> str:
    """The policy as an HTTP header: the pages' ``<meta>`` policy plus what only a header can
    say (``frame-ancestors``: no other site may frame the forms)."""
    directives = [d.strip() for d in meta_policy.split(";") if d.strip()]
    if not any(d.split()[0] == "frame-ancestors" for d in directives):
        directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


def check_types(dist: Path) -> None:
    """Raise :class:`HostingError` naming every file of ``dist`` (the server configurations
    aside) whose extension :data:`MIME_TYPES` lacks."""
    unknown = [path.relative_to(dist).as_posix() for path in sorted(dist.rglob("*"))
               if path.is_file() and path.name not in _CONFIG_NAMES
               and path.parent != dist / "deploy" and path.suffix.lower() not in MIME_TYPES]
    if unknown:
        raise HostingError("以下文件的扩展名没有对应的 MIME 类型（请在 builder/hosting.py 的 "
                           "MIME_TYPES 中补充）：" + "、".join(unknown))


def immutable_dirs(dist: Path) -> list[str]:
    """The content-addressed runtime folders, as paths relative to ``dist`` ("runtime/<hash>")."""
    root = dist / IMMUTABLE_DIR
    if not root.is_dir():
        return []
    return sorted(f"{IMMUTABLE_DIR}/{d.name}" for d in root.iterdir() if d.is_dir())


def write_server_configs(dist: Path, meta_policy: str = CONTENT_SECURITY_POLICY) -> list[Path]:
    """Write the IIS, Apache and nginx configurations into ``dist``; return the written files."""
    check_types(dist)
    policy = header_policy(meta_policy)
    versioned = immutable_dirs(dist)
    files = {
        "web.config": iis_web_config(policy, versioned),
        ".htaccess": apache_htaccess(policy),
        NGINX_SNIPPET: nginx_snippet(policy, versioned),
        **{f"{d}/.htaccess": _APACHE_IMMUTABLE for d in versioned},
    }
    written = []
    for name, text in files.items():
        path = dist / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


# --- nginx ------------------------------------------------------------------------------------

def nginx_snippet(policy: str, versioned: list[str]) -> str:
    by_type: dict[str, list[str]] = {}
    for ext in MIME_TYPES:
        by_type.setdefault(MIME_TYPES[ext], []).append(ext[1:])
    types = "\n".join(f"    {mime} {' '.join(exts)};" for mime, exts in sorted(by_type.items()))
    # add_header is inherited only by a location that has none of its own: the runtime
    # location repeats every header.
    headers = _nginx_headers(policy, CACHE_REVALIDATE)
    blocks = [f"""# formsite: nginx settings for the copied dist/ folder, written by the build
# (builder/hosting.py); rebuild rather than edit. Include it inside the location that serves
# the folder, under any path, e.g.
#
#     location /forms/2025/ {{
#         alias /srv/www/formsite/;   # the copied dist/, both paths ending in /
#         include /srv/www/formsite/deploy/nginx-formsite.conf;
#     }}
#
# Only these types apply inside that location (types replaces the server's list there).
types {{
{types}
}}
default_type application/octet-stream;
charset utf-8;
charset_types {' '.join(sorted(TEXT_TYPES))};

# Precompressed *.gz siblings when the build wrote them, otherwise compressed on the fly.
gzip_static on;
gzip on;
gzip_vary on;
gzip_types {' '.join(t for t in COMPRESSIBLE_TYPES if t != 'text/html')};

# Pages, definitions.json, the worker and anything not content-addressed: revalidate (a
# cheap 304 when unchanged), so a new rule set is seen at the next load.
{headers}
"""]
    if versioned:
        names = "|".join(_nginx_regex(d) for d in versioned)
        blocks.append(f"""# Content-addressed runtime: its names change with its bytes, so it never needs revalidation.
location ~ /(?:{names})/ {{
{_indent(_nginx_headers(policy, CACHE_IMMUTABLE))}
}}
""")
    return "\n".join(blocks)


def _nginx_headers(policy: str, cache: str) -> str:
    return "\n".join((
        f'add_header Content-Security-Policy "{policy}" always;',
        'add_header X-Content-Type-Options "nosniff" always;',
        f'add_header Cache-Control "{cache}" always;',
    ))


def _nginx_regex(path: str) -> str:
    return "".join(f"\\{c}" if c in r".^$*+?()[]{}|\/" else c for c in path)


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line for line in text.splitlines())


# --- Apache -----------------------------------------------------------------------------------

_APACHE_IMMUTABLE = f"""# formsite: content-addressed runtime (names change with the bytes); written by the build.
<IfModule mod_headers.c>
  Header set Cache-Control "{CACHE_IMMUTABLE}"
</IfModule>
"""


def apache_htaccess(policy: str) -> str:
    types = "\n".join(f"  AddType {mime} {ext}" for ext, mime in MIME_TYPES.items() if ext != ".gz")
    text_exts = " ".join(ext for ext, mime in MIME_TYPES.items() if mime in TEXT_TYPES)
    compressible = " ".join(COMPRESSIBLE_TYPES)
    return f"""# formsite: Apache 2.4 settings for the copied dist/ folder, written by the build
# (builder/hosting.py); rebuild rather than edit. Needs "AllowOverride FileInfo" (or All) for
# this folder, and for the rewrite "Options FollowSymLinks" (Apache's default); each block is
# skipped if its module is not loaded.

<IfModule mod_mime.c>
{types}
  AddCharset utf-8 {text_exts}
  # x.wasm.gz is x.wasm sent gzip-encoded (mod_mime reads every extension of a name).
  RemoveType .gz
  AddEncoding gzip .gz
</IfModule>

# A precompressed sibling (x.wasm.gz next to x.wasm), when the build wrote one and the browser
# accepts gzip; the URL path keeps the rule independent of where the folder is published.
<IfModule mod_rewrite.c>
  RewriteEngine On
  RewriteCond %{{HTTP:Accept-Encoding}} gzip
  RewriteCond %{{REQUEST_FILENAME}} !\\.gz$
  RewriteCond %{{REQUEST_FILENAME}}.gz -f
  RewriteRule ^ %{{REQUEST_URI}}.gz [L]
</IfModule>
<FilesMatch "\\.gz$">
  <IfModule mod_env.c>
    SetEnv no-gzip 1
  </IfModule>
  <IfModule mod_headers.c>
    Header append Vary Accept-Encoding
  </IfModule>
</FilesMatch>
<IfModule mod_filter.c>
  <IfModule mod_deflate.c>
    AddOutputFilterByType DEFLATE {compressible}
  </IfModule>
</IfModule>

<IfModule mod_headers.c>
  Header always set Content-Security-Policy "{policy}"
  Header always set X-Content-Type-Options "nosniff"
  # Revalidate pages, definitions.json and the worker; runtime/<hash>/.htaccess overrides this.
  Header set Cache-Control "{CACHE_REVALIDATE}"
</IfModule>
"""


# --- IIS --------------------------------------------------------------------------------------

def iis_web_config(policy: str, versioned: list[str]) -> str:
    mime_map = "\n".join(
        f'      <remove fileExtension="{ext}" />\n'
        f'      <mimeMap fileExtension="{ext}" mimeType="{_xml_attr(content_type(ext))}" />'
        for ext in MIME_TYPES)
    locations = "".join(f"""
  <location path="{d}">
    <system.webServer>
      <staticContent>
        <clientCache cacheControlMode="UseMaxAge" cacheControlMaxAge="365.00:00:00"
                     cacheControlCustom="public, immutable" />
      </staticContent>
    </system.webServer>
  </location>""" for d in versioned)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!-- formsite: IIS 7.5+ settings for the copied dist/ folder, written by the build
     (builder/hosting.py); rebuild rather than edit. IIS compresses static files itself:
     add application/wasm to its staticTypes (server level) to compress the runtime too. -->
<configuration>
  <system.webServer>
    <staticContent>
{mime_map}
      <!-- Cache-Control: no-cache: pages, definitions.json and the worker are revalidated. -->
      <clientCache cacheControlMode="DisableCache" />
    </staticContent>
    <httpProtocol>
      <customHeaders>
        <remove name="Content-Security-Policy" />
        <add name="Content-Security-Policy" value="{_xml_attr(policy)}" />
        <remove name="X-Content-Type-Options" />
        <add name="X-Content-Type-Options" value="nosniff" />
      </customHeaders>
    </httpProtocol>
    <urlCompression doStaticCompression="true" doDynamicCompression="false" />
  </system.webServer>{locations}
</configuration>
"""


def _xml_attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;")
            .replace("<", "&lt;").replace(">", "&gt;"))
