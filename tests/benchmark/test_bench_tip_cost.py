"""The tip-box stage timer runs, accounts for every stage, and leaves Pelican as it found it.

Nothing here looks at how long a stage took: only that every stage is reported, that the
figures add up as the report says they do, and that nested stages sit inside their parent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown import Markdown
from pelican.contents import Content
from pelican.writers import Writer

from bench import report, tip_cost
from bench.build_measures import SECRET
from bench.corpus import HEADINGS, TIPS, write_corpus
from bench.stories_seed import seed_store
from tipboxes import extension as tipbox


@pytest.mark.slow
def test_stage_timer_reports_every_stage_and_they_add_up(tmp_path: Path) -> None:
    specs = write_corpus(tmp_path / "content-tips", 4, TIPS)
    write_corpus(tmp_path / "content-headings", 4, HEADINGS)
    url = f"sqlite:///{tmp_path / 'stories.sqlite3'}"
    seed_store(url, specs, per_article=2, replies_per_article=1)

    # Four files would be converted in worker processes if the stage timer let them (its clocks
    # would then see no Markdown at all): the timer builds in one process.
    parallel = {"BUILD_PARALLEL_MIN_FILES": 2}
    cost = tip_cost.run_child(tmp_path, tmp_path / "work", url, SECRET, runs=1, settings=parallel)

    stages = {stage["key"]: stage for stage in cost["stages"]}
    assert list(stages) == [key for key, _label in tip_cost.STAGES]
    for stage in stages.values():
        assert stage["tips"] >= 0 and stage["headings"] >= 0
    tips = {key: stage["tips"] for key, stage in stages.items()}
    # Nested clocks: the tip processors run inside Markdown, and everything inside the build.
    assert tips["markdown"] >= sum(tips[key] for key in tip_cost.TIP_PROCESSORS)
    assert tips["build"] > tips["markdown"] > 0
    assert all(tips[key] > 0 for key in tip_cost.TIP_PROCESSORS)  # converted where clocks are
    assert tips["tips_page"] > 0 and tips["tip_features"] > 0 and tips["article_pages"] > 0

    def extra(key: str) -> float:
        return stages[key]["tips"] - stages[key]["headings"]

    assert cost["difference"] == pytest.approx(extra("build"))
    assert cost["markdown_rest"] == pytest.approx(
        extra("markdown") - sum(extra(key) for key in tip_cost.TIP_PROCESSORS)
    )
    named = ("markdown", "tip_features", "tips_page", "article_pages", "link_scans")
    assert cost["unattributed"] == pytest.approx(extra("build") - sum(extra(k) for k in named))

    section = "\n".join(report._tip_cost({**cost, "size": 4}))
    for _key, label in tip_cost.STAGES:
        assert label in section
    assert "Markdown's own passes" in section and "Everything else" in section
    assert cost["build_spread"] >= 0 and "varied by up to" in section


def test_instrumentation_puts_every_function_back() -> None:
    owners = {
        (Markdown, "convert"),
        (tipbox.TipBlockProcessor, "run"),
        (Writer, "write_file"),
        (Content, "_update_content"),
        (Content, "get_static_links"),
    }
    clocks = tip_cost.Clocks()
    with tip_cost.instrumented(clocks):  # applies the plugin's link-scan skip first
        pass
    before = {(owner, name): owner.__dict__[name] for owner, name in owners}
    with tip_cost.instrumented(clocks):
        assert all(owner.__dict__[name] is not before[owner, name] for owner, name in owners)
    assert all(owner.__dict__[name] is before[owner, name] for owner, name in owners)
