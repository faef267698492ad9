"""The shipped deployment files, made runnable on this machine: paths, ports and a certificate of
the test's own put where the files name a server's, nothing else changed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def required() -> bool:
    """CI sets REQUIRE_DEPLOY_TOOLS=1: there a missing nginx or Caddy fails instead of skipping."""
    return os.environ.get("REQUIRE_DEPLOY_TOOLS", "").strip() not in {"", "0"}


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost (openssl), standing in for Let's Encrypt's."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_config(
    folder: Path, *, web_root: Path, https_port: int, http_port: int, service_port: int
) -> Path:
    """deploy/nginx/nextround.conf and its snippet in a complete nginx.conf under `folder`."""
    cert, key = certificate(folder / "certs")
    snippet = folder / "nextround-proxy.conf"
    shutil.copy(DEPLOY / "nginx" / "nextround-proxy.conf", snippet)
    site = (DEPLOY / "nginx" / "nextround.conf").read_text(encoding="utf-8")
    for server_value, ours in {
        "/etc/letsencrypt/live/careers.example/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/careers.example/privkey.pem": str(key),
        "/etc/nginx/snippets/nextround-proxy.conf": str(snippet),
        "/var/www/nextround": str(web_root),
        "/var/www/letsencrypt": str(folder / "acme"),
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{service_port};",
        "listen 443 ssl http2;": f"listen {https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen {http_port};",
        "listen [::]:80;": "",
        "careers.example": "localhost",
    }.items():
        assert server_value in site, f"deploy/nginx/nextround.conf no longer has {server_value}"
        site = site.replace(server_value, ours)
    (folder / "nextround.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(
        "user root;\n"
        "worker_processes 1;\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    client_body_temp_path {folder / 'body'};\n"
        f"    proxy_temp_path {folder / 'proxy'};\n"
        f"    fastcgi_temp_path {folder / 'fastcgi'};\n"
        f"    uwsgi_temp_path {folder / 'uwsgi'};\n"
        f"    scgi_temp_path {folder / 'scgi'};\n"
        f"    include {folder / 'nextround.conf'};\n"
        "}\n",
        encoding="utf-8",
    )
    return main
