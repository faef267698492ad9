"""The files in deploy/ are what their own tools accept: nginx -t, caddy validate and
systemd-analyze verify, run on the shipped files (paths made local, nothing else changed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_support import DEPLOY, ROOT, nginx_config, required


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if required():
            pytest.fail(f"REQUIRE_DEPLOY_TOOLS is set but {name} is not installed")
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return found


def test_nginx_accepts_the_shipped_configuration(tmp_path: Path) -> None:
    nginx = tool("nginx")
    web_root = tmp_path / "www"
    web_root.mkdir()
    main = nginx_config(
        tmp_path / "nginx", web_root=web_root, https_port=8443, http_port=8080, service_port=8001
    )
    done = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path / "nginx")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


def test_caddy_accepts_the_shipped_caddyfile() -> None:
    caddy = tool("caddy")
    done = subprocess.run(
        [caddy, "validate", "--config", str(DEPLOY / "caddy" / "Caddyfile")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Valid configuration" in done.stdout + done.stderr


def test_systemd_accepts_the_units_and_timers(tmp_path: Path) -> None:
    analyze = tool("systemd-analyze")
    env_file = tmp_path / "stories.env"
    env_file.write_text((DEPLOY / "stories.env.example").read_text(encoding="utf-8"))
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text(encoding="utf-8")
        text = text.replace("/srv/nextround", str(ROOT))
        text = text.replace("/etc/nextround/stories.env", str(env_file))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
        units.append(str(tmp_path / unit.name))
    assert len(units) == 5
    done = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    problems = [line for line in done.stderr.splitlines() if str(tmp_path) in line]
    assert done.returncode == 0 and problems == [], done.stderr


def test_the_environment_template_names_only_known_settings() -> None:
    """Every COMMENTS_* line of stories.env.example is a setting the service knows."""
    from reader_stories.settings import ENVIRONMENT

    known = {*ENVIRONMENT.values(), "SITEURL", "PUBLISH_METHOD", "PUBLISH_TARGET"}
    for line in (DEPLOY / "stories.env.example").read_text(encoding="utf-8").splitlines():
        name = line.lstrip("# ").split("=", 1)[0]
        if "=" in line and name.isupper():
            assert name in known, f"stories.env.example sets {name}, which nothing reads"
