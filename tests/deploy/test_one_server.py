"""One server, deployed as docs/deploy.md says and used as readers and moderators use it.

The site is published with `invoke publish`'s own function into a web root; the shipped nginx
configuration (TLS with a certificate of the test's own) serves it and proxies /stories/ and
/admin/ to the stories service, which runs as the systemd unit runs it (`invoke intake`) with
the production settings a deployment points the checkout at. Readers come from two addresses
of their own, so each has their own rate limit behind the proxy. Everything is checked on the
public site, through nginx: the web root is the live site.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from deploy_support import ROOT, nginx_config, required

from reader_stories.web.admin.passwords import hash_password
from sitetools.publish import PublishFailed, publish_site

pytestmark = pytest.mark.slow

SEED = "handling-job-rejection"
SECRET = "one-server-test-secret-0123456789-abcdefgh"
PASSWORD = "a long moderator password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, verify=False, timeout=2)
            return
        except httpx.TransportError:
            assert process.poll() is None, f"{what} stopped"
            assert time.monotonic() < deadline, f"{what} did not start"
            time.sleep(0.1)


@dataclass
class Server:
    base: str
    web_root: Path
    project: Path
    environ: dict[str, str]

    def reader(self, address: str) -> httpx.Client:
        """A browser on a machine of its own: nginx sees `address` as the reader's."""
        transport = httpx.HTTPTransport(local_address=address, verify=False)
        return httpx.Client(base_url=self.base, transport=transport, timeout=20)

    def page(self) -> str:
        with self.reader("127.0.0.9") as client:
            answer = client.get(f"/{SEED}/")
        assert answer.status_code == 200
        return answer.text

    def invoke(self, *task: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "invoke", *task],
            cwd=ROOT,
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if shutil.which("nginx") is None:
        if required():
            pytest.fail("REQUIRE_DEPLOY_TOOLS is set but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    work = tmp_path_factory.mktemp("one-server")
    # The project as a deployment has it: its own folder (var/ inside), the site's content.
    project = work / "srv"
    project.mkdir()
    for name in ("content", "theme"):
        (project / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    web_root = work / "www"
    https_port, http_port, service_port = free_port(), free_port(), free_port()
    base = f"https://localhost:{https_port}"
    environ = {
        **os.environ,
        "PELICAN_SETTINGS": str(project / "publishconf.py"),
        "SITEURL": base,
        "PUBLISH_METHOD": "rsync",
        "PUBLISH_TARGET": str(web_root),
        "COMMENTS_SECRET_KEY": SECRET,
        "COMMENTS_ADMIN_PASSWORD_HASH": hash_password(PASSWORD),
        "COMMENTS_TRUSTED_PROXIES": "127.0.0.1",
        "COMMENTS_RATE_LIMIT": "2/600",
    }
    # `invoke publish`, in this process: publishconf.py reads the environment when it runs.
    saved = dict(os.environ)
    os.environ.update(environ)
    try:
        publish_site(project / "publishconf.py", project / "var" / "publish")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    service = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "invoke",
            "intake",
            "--host",
            "127.0.0.1",
            "--port",
            str(service_port),
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    config = nginx_config(
        work / "nginx",
        web_root=web_root,
        https_port=https_port,
        http_port=http_port,
        service_port=service_port,
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(config), "-p", str(work / "nginx"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(f"http://127.0.0.1:{service_port}/stories/received", service, "the service")
        wait_for(base, nginx, "nginx")
        yield Server(base, web_root, project, environ)
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.communicate(timeout=30)
        service.terminate()
        _out, errors = service.communicate(timeout=30)
        assert b"Traceback" not in errors, errors.decode()[-3000:]


def form_of(page: str) -> dict[str, str]:
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    return {"article": SEED, "token": token.group(1), "consent": "yes"}


def test_readers_send_stories_with_and_without_javascript_each_with_their_own_limit(
    server: Server,
) -> None:
    form = form_of(server.page())
    with server.reader("127.0.0.2") as first, server.reader("127.0.0.3") as second:
        sent = first.post(
            "/stories/",
            data={**form, "name": "Noor", "story": "NGINX-FORM-MARK: sent by the form."},
        )
        assert sent.status_code == 303 and sent.headers["location"].startswith("/stories/received")
        scripted = first.post(
            "/stories/",
            json={**form, "name": "Noor", "story": "NGINX-JSON-MARK: sent by the script."},
            headers={"Accept": "application/json", "Origin": server.base},
        )
        assert scripted.status_code == 202, scripted.text
        third = first.post(
            "/stories/", data={**form, "name": "Noor", "story": "NGINX-THIRD-MARK: one too many."}
        )
        assert third.status_code == 429  # the first reader's own limit, 2 in 10 minutes
        other = second.post(
            "/stories/", data={**form, "name": "Omar", "story": "NGINX-OTHER-MARK: my own story."}
        )
        assert other.status_code == 303, "another reader behind the same proxy is not held up"
    listed = server.invoke("comments.pending")
    assert listed.returncode == 0, listed.stderr
    assert "NGINX-FORM-MARK" in listed.stdout and "NGINX-OTHER-MARK" in listed.stdout
    assert "NGINX-THIRD-MARK" not in listed.stdout
    assert "trusted proxy" not in listed.stdout + listed.stderr


def pending_id(server: Server, mark: str) -> int:
    listed = server.invoke("comments.pending")
    found = re.search(rf"#(\d+)\s.*{mark}", listed.stdout)
    assert found is not None, listed.stdout
    return int(found.group(1))


def test_an_approval_in_the_admin_through_nginx_is_live_when_it_answers(server: Server) -> None:
    story = pending_id(server, "NGINX-FORM-MARK")
    with server.reader("127.0.0.4") as moderator:
        login = moderator.get("/admin/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert csrf is not None
        logged_in = moderator.post(
            "/admin/login", data={"csrf": csrf.group(1), "password": PASSWORD}
        )
        assert logged_in.status_code == 303, logged_in.text
        queue = moderator.get("/admin/")
        csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text)
        assert csrf is not None
        approved = moderator.post(
            f"/admin/stories/{story}/approve", data={"csrf": csrf.group(1), "status": "pending"}
        )
        assert approved.status_code == 303
    assert "NGINX-FORM-MARK" in server.page()
    assert "NGINX-FORM-MARK" in (server.web_root / SEED / "index.html").read_text()


def test_an_approval_on_the_command_line_is_live_when_it_returns(server: Server) -> None:
    story = pending_id(server, "NGINX-OTHER-MARK")
    approved = server.invoke("comments.approve", str(story))
    assert approved.returncode == 0, approved.stderr
    assert f"{server.web_root / SEED / 'index.html'}" in approved.stdout
    assert "NGINX-OTHER-MARK" in server.page()
    with server.reader("127.0.0.9") as client:
        feed = client.get("/feeds/stories.atom.xml").text
    assert "NGINX-OTHER-MARK" in feed


def test_a_reader_deleting_their_story_takes_it_off_the_public_page(server: Server) -> None:
    form = form_of(server.page())
    with server.reader("127.0.0.5") as reader:
        sent = reader.post(
            "/stories/",
            json={**form, "name": "Pia", "story": "NGINX-DELETE-MARK: I will take this back."},
            headers={"Accept": "application/json", "Origin": server.base},
        )
        assert sent.status_code == 202
        receipt = sent.json()["receipt"]
    story = pending_id(server, "NGINX-DELETE-MARK")
    assert server.invoke("comments.approve", str(story)).returncode == 0
    assert "NGINX-DELETE-MARK" in server.page()
    with server.reader("127.0.0.5") as reader:
        deleted = reader.post(
            "/stories/delete", data={"receipt": receipt}, headers={"Origin": server.base}
        )
        assert deleted.status_code == 200, deleted.text
    assert "NGINX-DELETE-MARK" not in server.page()
    with server.reader("127.0.0.9") as client:
        assert "NGINX-DELETE-MARK" not in client.get("/feeds/stories.atom.xml").text


def test_publishing_from_an_empty_store_is_refused_and_the_stories_stay(server: Server) -> None:
    live = (server.web_root / SEED / "index.html").read_text()
    assert "NGINX-FORM-MARK" in live
    laptop = {**server.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{server.project}/none.db"}
    saved = dict(os.environ)
    os.environ.update(laptop)
    try:
        with pytest.raises(PublishFailed) as refused:
            publish_site(server.project / "publishconf.py", server.project / "var" / "again")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert "this build has 0" in str(refused.value) and "--force" in str(refused.value)
    assert "NGINX-FORM-MARK" in server.page()
