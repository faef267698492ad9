"""Run Python-Markdown's own test suite with the tip boxes added to every Markdown instance.

Usage: python markdown_suite.py SUITE_ROOT EXTENSION... ; prints one JSON object: how many tests
ran, which failed (with their messages), and how many Markdown instances got the extensions,
so a patch that silently stopped applying cannot pass.
"""

from __future__ import annotations

import json
import sys
import unittest

import markdown


def add_to_every_instance(extensions: list[str]) -> dict[str, int]:
    """Patch Markdown's constructor so each instance also loads `extensions`."""
    made = {"instances": 0}
    original = markdown.Markdown.__init__

    def __init__(self: markdown.Markdown, **kwargs: object) -> None:
        kwargs["extensions"] = [*list(kwargs.get("extensions") or []), *extensions]
        made["instances"] += 1
        original(self, **kwargs)

    markdown.Markdown.__init__ = __init__  # type: ignore[method-assign]
    return made


def main(root: str, extensions: list[str]) -> None:
    made = add_to_every_instance(extensions)
    suite = unittest.defaultTestLoader.discover(f"{root}/tests", top_level_dir=root)
    result = unittest.TestResult()
    suite.run(result)
    problems = [(str(test), text) for test, text in [*result.failures, *result.errors]]
    print(
        json.dumps(
            {
                "ran": result.testsRun,
                "problems": problems,
                "skipped": len(result.skipped),
                "instances": made["instances"],
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    main(sys.argv[1], sys.argv[2:])
