"""The build profile's summary: which frames count as tip-box code."""

from __future__ import annotations

from bench.profiling import _summarise


def _frame(function: str, file: str, seconds: float) -> dict[str, object]:
    return {"function": function, "file": file, "line": 1, "seconds": seconds}


def test_tip_code_leaves_out_the_reader_methods_that_wrap_pelicans_whole_read() -> None:
    profile = {
        "total": 10.0,
        "functions": [
            _frame("TipsMarkdownReader.read", "tipboxes/pelican_glue.py", 5.0),
            _frame("TipsMarkdownReader._parse_metadata", "tipboxes/pelican_glue.py", 0.5),
            _frame("TipBlockProcessor.run", "tipboxes/extension.py", 0.2),
            _frame("attach_tip_features", "tipboxes/page_features.py", 0.05),
            _frame("attach_stories", "reader_stories/pelican_plugin.py", 0.7),
        ],
    }
    summary = _summarise(profile)
    assert [f["function"] for f in summary["tip_code"]] == [
        "TipBlockProcessor.run",
        "attach_tip_features",
    ]
    assert "attach_stories" in [f["function"] for f in summary["our_code"]]
    assert summary["tip_code"][0]["share"] == 0.02
