"""Built articles share their attribute names (CPython 3.11's key-sharing dicts).

The plugins declare what they give an article as Pelican makes it (content_object_init) and group
it in a few objects (article.reading, .nearby, .card, .stories, .tips). Past 29 names in all, or
with a name first set after many articles exist, every article gets a dict of its own: 1.6 KB
instead of about 300 bytes, 6.4 MiB at 5,000 articles. The build runs in a fresh interpreter,
since which names a class shares depends on every instance made before in the process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11),
        reason="measures CPython 3.11's layout of instance dicts",
    ),
]

BUILD = """
import json, sys
from pathlib import Path
from pelican import signals
from bench.corpus import write_corpus
from sitetools.build import build_site

folder = Path(sys.argv[1])
write_corpus(folder / "content", 40)
seen = {}

def measure(generator, writer=None):
    sizes = sorted({sys.getsizeof(vars(article)) for article in generator.articles})
    names = sorted({name for article in generator.articles for name in vars(article)})
    probe = type("Probe", (), {})()
    for name in names:
        setattr(probe, name, None)
    seen.update(sizes=sizes, names=names, shared=sys.getsizeof(vars(probe)))

signals.article_writer_finalized.connect(measure)
build_site(
    Path("pelicanconf.py"),
    folder / "output",
    {
        "PATH": str(folder / "content"),
        "CACHE_PATH": str(folder / "cache"),
        "COMMENTS": {
            "database_url": f"sqlite:///{folder / 'stories.sqlite3'}",
            "secret_key": "test-secret-key-that-is-long-enough-0123456789",
            "policy_url": "privacy/",
        },
        "BUILD_PROCESSES": 1,
    },
    search_index=False,
)
print(json.dumps(seen))
"""


def test_every_built_article_shares_its_attribute_names(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(tmp_path)],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'plugins'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(seen["names"]) <= 29, f"articles carry {len(seen['names'])} attribute names"
    assert {"reading", "nearby", "card", "stories", "tips"} <= set(seen["names"])
    assert seen["sizes"] == [seen["shared"]], "some articles' attributes have a dict of their own"
