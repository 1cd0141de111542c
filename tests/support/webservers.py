"""Run Debian's nginx or Apache for a test: the built site under a sub-path, with the
configuration the build ships in it (dist/deploy/nginx-formsite.conf, dist/.htaccess) used
exactly as the README tells an administrator.

Each server runs in the foreground as a child of the test, with every path (pid, logs,
temporary files) in a temporary folder and a free loopback port, and is stopped by its own
process id. Apache refuses to serve as root: started by root, its workers run as www-data, so
the served folder must be world-readable (a build's folders are, with the usual umask).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from builder.hosting import NGINX_SNIPPET

APACHE_MODULES = Path("/usr/lib/apache2/modules")
# What a stock Debian Apache loads that the site's .htaccess uses (mpm and access control
# aside): types, headers, the rewrite to precompressed siblings, on-the-fly compression.
_APACHE_MODULES = ("mpm_event", "authz_core", "mime", "headers", "rewrite", "filter", "deflate",
                   "env", "alias", "dir")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or _sbin("nginx")


def apache_binary() -> str | None:
    binary = shutil.which("apache2") or _sbin("apache2")
    return binary if binary and (APACHE_MODULES / "mod_rewrite.so").is_file() else None


def _sbin(name: str) -> str | None:
    return next((p for p in (f"/usr/sbin/{name}", f"/usr/local/sbin/{name}")
                 if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _nginx_config(dist: Path, sub_path: str, port: int, tmp: Path) -> str:
    # As root, nginx would hand its worker to "nobody"; keep it the current user.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temps = "\n".join(f"    {kind}_temp_path {tmp}/{kind};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/access.log;
{temps}
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location {sub_path} {{
            alias {dist}/;
            include {dist / NGINX_SNIPPET};
        }}
    }}
}}
"""


def _apache_config(dist: Path, sub_path: str, port: int, tmp: Path) -> str:
    modules = "\n".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in _APACHE_MODULES)
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    (tmp / "empty").mkdir()
    # Debian's own defaults that matter here: its mime.types, and .gz typed as an archive
    # (the site's .htaccess must undo that for precompressed siblings).
    return f"""ServerRoot {tmp}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {tmp}/httpd.pid
ErrorLog {tmp}/error.log
{user}{modules}
TypesConfig /etc/mime.types
AddType application/x-gzip .gz .tgz
DirectoryIndex index.html
DocumentRoot {tmp}/empty
Alias {sub_path} {dist}/
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {dist}>
    Options FollowSymLinks
    AllowOverride FileInfo
    Require all granted
</Directory>
"""


@contextlib.contextmanager
def run_nginx(dist: Path, sub_path: str = "/forms/2025/") -> Iterator[str]:
    """Serve ``dist`` with nginx at ``sub_path``; yield the base URL (ends in ``/``)."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx")
    with _server(dist, sub_path, _nginx_config, "nginx.conf",
                 lambda conf, tmp: [binary, "-p", str(tmp), "-e", str(tmp / "error.log"),
                                    "-c", str(conf)], check="-t") as base_url:
        yield base_url


@contextlib.contextmanager
def run_apache(dist: Path, sub_path: str = "/forms/2025/") -> Iterator[str]:
    """Serve ``dist`` with Apache at ``sub_path`` (the site's .htaccess files allowed)."""
    binary = apache_binary()
    if binary is None:
        raise FileNotFoundError("apache2")
    with _server(dist, sub_path, _apache_config, "httpd.conf",
                 lambda conf, _: [binary, "-f", str(conf), "-DFOREGROUND"], check="-t") as base_url:
        yield base_url


@contextlib.contextmanager
def _server(dist, sub_path, config, conf_name, command, *, check: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="formsite-server-") as name:
        tmp = Path(name)
        tmp.chmod(0o755)  # Apache's workers (www-data) open files below ServerRoot
        port = _free_port()
        conf = tmp / conf_name
        conf.write_text(config(dist.resolve(), sub_path, port, tmp), encoding="utf-8")
        args = command(conf, tmp)
        checked = subprocess.run([*args, check], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"{args[0]} refuses the configuration:\n{checked.stderr}")
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_listening(port, proc, tmp)
            yield f"http://127.0.0.1:{port}{sub_path}"
        finally:
            proc.terminate()  # SIGTERM: a fast shutdown of the main process and its workers
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stderr:
                proc.stderr.close()


def _wait_listening(port: int, proc: subprocess.Popen, tmp: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = tmp / "error.log"
            text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
            raise RuntimeError(f"server exited ({proc.returncode}):\n{text}{proc.stderr.read()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError("the server did not start listening within 15 s")
