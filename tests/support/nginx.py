"""Run Debian's nginx for a test: the built site under a sub-path, with the snippet the build
ships (dist/deploy/nginx-formsite.conf) included exactly as the README tells an administrator.

nginx runs in the foreground (``daemon off``) as the current user, with every path (pid, logs,
temporary files) in a temporary folder and a free loopback port, and is stopped by its own
process id.
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


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(dist: Path, sub_path: str, port: int, tmp: Path) -> str:
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


@contextlib.contextmanager
def run_nginx(dist: Path, sub_path: str = "/forms/2025/") -> Iterator[str]:
    """Serve ``dist`` with nginx at ``sub_path``; yield the base URL (ends in ``/``)."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx")
    with tempfile.TemporaryDirectory(prefix="formsite-nginx-") as name:
        tmp = Path(name)
        port = _free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(_config(dist.resolve(), sub_path, port, tmp), encoding="utf-8")
        checked = subprocess.run([binary, "-t", "-p", str(tmp), "-e", str(tmp / "error.log"),
                                  "-c", str(conf)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refuses the configuration:\n{checked.stderr}")
        proc = subprocess.Popen([binary, "-p", str(tmp), "-e", str(tmp / "error.log"),
                                 "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_listening(port, proc, tmp)
            yield f"http://127.0.0.1:{port}{sub_path}"
        finally:
            proc.terminate()  # SIGTERM: nginx's fast shutdown, master and worker
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
            log = (tmp / "error.log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"nginx exited ({proc.returncode}):\n{log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening within 15 s")
