"""Pelican glue for tip boxes: `tips` metadata on every Markdown article, and the /tips/ page.

The only module that joins Pelican and `tipboxes.extension`; the extension itself knows nothing of
Pelican, so it is loaded through MARKDOWN["extension_configs"] like any other (the plugin adds it
there when the settings do not name it).
"""

from __future__ import annotations

import io
import itertools
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader
from markdown import Markdown
from pelican.generators import Generator
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from tipboxes import page_features
from tipboxes.extension import TipBoxExtension, TipSyntaxError
from tipboxes.tip import Tip

logger = logging.getLogger(__name__)

TIPS_URL = "tips/"
TIPS_SAVE_AS = "tips/index.html"
META_PRIORITY = 27  # where markdown.extensions.meta registers its preprocessor
EXTENSION = "tipboxes.extension"
# The package's default tips.html, used when the theme has none of its own.
TEMPLATES = Path(__file__).resolve().parent / "templates"


def register() -> None:
    from pelican import signals

    signals.initialized.connect(add_extension)
    signals.generator_init.connect(add_templates)
    signals.readers_init.connect(add_reader)
    signals.get_generators.connect(get_generators)
    signals.content_object_init.connect(page_features.declare_tips)
    signals.article_generator_finalized.connect(page_features.attach_tip_features)


def add_extension(pelican: Any) -> None:
    """initialized handler: the Markdown extension, unless MARKDOWN already names it."""
    markdown = pelican.settings.get("MARKDOWN", {})
    configs = markdown.get("extension_configs", {})
    named = [*configs, *markdown.get("extensions", [])]
    if EXTENSION in named or any(isinstance(e, TipBoxExtension) for e in named):
        return
    pelican.settings["MARKDOWN"] = {**markdown, "extension_configs": {**configs, EXTENSION: {}}}


def add_templates(generator: Any) -> None:
    """generator_init handler: the default tips.html after the theme's templates."""
    loader = generator.env.loader
    if isinstance(loader, ChoiceLoader):
        loader.loaders.append(FileSystemLoader(str(TEMPLATES)))


class TipsReaderMixin:
    """Adds the tips the extension collected to the metadata, as `tips` (a list of Tip)."""

    _md: Any
    _source_path: str | None
    settings: dict[str, Any]

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        self._tips: list[Tip] | None = None
        try:
            content, metadata = super().read(source_path)  # type: ignore[misc]
        except TipSyntaxError as error:
            failure = error
        else:
            tips = self._tips if self._tips is not None else getattr(self._md, "tips", [])
            metadata["tips"] = list(tips)
            return content, metadata
        # Pelican's own "Could not process FILE" hides the cause unless DEBUG is on, so this line
        # tells the author what to fix. Logged after the except block so handlers that append
        # the exception in flight (sitetools.build) do not print the problem twice in one line.
        logger.error("%s: %s", self._display_path(source_path), failure)
        raise failure

    def _parse_metadata(self, meta: dict[str, Any]) -> dict[str, Any]:
        # A formatted field such as Summary is converted with the same Markdown instance after
        # a reset, which empties md.tips: keep the article's tips first.
        self._tips = list(getattr(self._md, "tips", []))
        return super()._parse_metadata(meta)  # type: ignore[misc]

    def _display_path(self, source_path: str) -> str:
        content = os.path.abspath(self.settings["PATH"])
        path = os.path.abspath(source_path)
        return os.path.relpath(path, content) if path.startswith(content + os.sep) else source_path


@dataclass(frozen=True)
class Converted:
    """One Markdown file converted, as plain data that can cross a process boundary.

    Pelican turns metadata into dates, categories and tags tied to the running build's settings,
    so those are made from `meta` by the process that reads the file, never where it was
    converted.
    """

    html: str
    meta: dict[str, list[str]] | None  # the Meta extension's raw strings, None without it
    formatted: dict[str, str]  # each formatted field's Markdown (such as Summary) to its HTML
    attributes: dict[str, Any]  # what extensions left on the Markdown instance (tips, toc)


# What extensions leave on the Markdown instance that readers look at after converting.
CARRIED_ATTRIBUTES = ("tips", "toc", "toc_tokens")


class ConvertedMarkdown:
    """Stands for the Markdown instance once a file is converted: Pelican's `_parse_metadata`
    converts formatted fields through the instance, so those answers come from `Converted`."""

    def __init__(self, converted: Converted) -> None:
        self._formatted = converted.formatted
        self.preprocessors = _NoPreprocessors()
        if converted.meta is not None:
            self.Meta = converted.meta
        for name, value in converted.attributes.items():
            setattr(self, name, value)

    def reset(self) -> ConvertedMarkdown:
        return self

    def convert(self, source: str) -> str:
        return self._formatted[source]


class _NoPreprocessors:
    def deregister(self, name: str, strict: bool = True) -> None:
        """Nothing to take out: the file is converted already."""


# Gives a file's conversion made ahead of reading (in a worker process), or None to convert it.
ConvertedAhead = Callable[[str], Converted | None]


class ReusingMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader with one Markdown instance for all files instead of one each.

    Building a `Markdown` with our extensions was a sixth of the Markdown time of a build.
    `Markdown.reset()` clears every extension's per-document state (the tip boxes keep theirs in
    a registered extension for this). Pelican's `_parse_metadata` deregisters the "meta"
    preprocessor before converting Summary, so it is put back before the next file.

    Converting (`convert`) gives plain data and reading turns it into Pelican's metadata, so a
    build may convert files in other processes ahead of time (`converted_ahead`) and read
    exactly what it would have read converting them itself.
    """

    _markdown: Markdown | None = None
    _meta_preprocessor: Any = None
    converted_ahead: ConvertedAhead | None = None

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        self._source_path = source_path
        ahead = self.converted_ahead
        converted = ahead(source_path) if ahead is not None else None
        if converted is None:
            converted = self.convert(source_path)
        self._md = ConvertedMarkdown(converted)
        metadata = self._parse_metadata(converted.meta) if converted.meta is not None else {}
        return converted.html, metadata

    def convert(self, source_path: str) -> Converted:
        """The file's HTML, raw metadata and formatted fields, as `_parse_metadata` would
        convert them (the same instance, reset, without the "meta" preprocessor)."""
        md = self._reusable_markdown()
        with pelican_open(source_path) as text:
            html = md.convert(text)
        meta = getattr(md, "Meta", None)
        attributes = {
            name: _copied(getattr(md, name)) for name in CARRIED_ATTRIBUTES if hasattr(md, name)
        }
        formatted: dict[str, str] = {}
        if meta is not None:
            md.preprocessors.deregister("meta")
            fields = self.settings["FORMATTED_FIELDS"]
            for name, values in meta.items():
                if name.lower() in fields:
                    source = "\n".join(values)
                    md.reset()
                    formatted[source] = md.convert(source)
        return Converted(html, meta, formatted, attributes)

    def _reusable_markdown(self) -> Markdown:
        md = self._markdown
        if md is None:
            md = self._markdown = Markdown(**self.settings["MARKDOWN"])
            self._meta_preprocessor = md.preprocessors["meta"]
            return md
        md.reset()
        if "meta" not in md.preprocessors:
            md.preprocessors.register(self._meta_preprocessor, "meta", META_PRIORITY)
        return md


def _copied(value: Any) -> Any:
    """Lists are copied: the next conversion on the same instance may change them in place."""
    return list(value) if isinstance(value, list) else value


class TipsMarkdownReader(TipsReaderMixin, ReusingMarkdownReader):
    """Pelican's Markdown reader with `tips` metadata."""


def with_tips(reader_class: type) -> type:
    """A reader class that also records tips, composed with any other Markdown reader."""
    if issubclass(reader_class, TipsReaderMixin):
        return reader_class
    if reader_class is MarkdownReader:
        return TipsMarkdownReader
    return type(f"Tips{reader_class.__name__}", (TipsReaderMixin, reader_class), {})


def add_reader(readers: Any) -> None:
    """readers_init handler: every extension read as Markdown now records tips."""
    for extension, reader_class in list(readers.reader_classes.items()):
        if isinstance(reader_class, type) and issubclass(reader_class, MarkdownReader):
            readers.reader_classes[extension] = with_tips(reader_class)


def tip_groups(categories: Iterable[tuple[Any, Sequence[Any]]]) -> list[tuple[Any, list[Any]]]:
    """[(category, [article, ...])] keeping only articles with tips and categories with any."""
    groups = []
    for category, articles in categories:
        with_any = [article for article in articles if getattr(article, "tips", None)]
        if with_any:
            groups.append((category, with_any))
    return groups


class StreamedTemplate:
    """A template whose render() gathers its output a batch of pieces at a time. Jinja's own
    render() joins a list of every piece the template yields, all held at once: for the tips
    page of a site of 5,000 articles (20,000 tips) that list held 22 MiB, the largest moment of
    the whole build. A batch is joined in C, where a Python loop over each piece took a sixth
    of the page's time. The output is the same string."""

    BATCH = 1024  # pieces

    def __init__(self, template: Any) -> None:
        self._template = template

    def render(self, *args: Any, **kwargs: Any) -> str:
        gathered = io.StringIO()
        pieces = self._template.generate(*args, **kwargs)
        while batch := list(itertools.islice(pieces, self.BATCH)):
            gathered.write("".join(batch))
        return gathered.getvalue()


class TipsPageGenerator(Generator):
    """Writes the site-wide tips page: every article's tips, grouped by category."""

    def generate_context(self) -> None:
        self.context.setdefault("TIPS_URL", self.settings.get("TIPS_URL", TIPS_URL))

    def generate_output(self, writer: Any) -> None:
        save_as = self.settings.get("TIPS_SAVE_AS", TIPS_SAVE_AS)
        if not save_as:
            return
        groups = tip_groups(self.context.get("categories", []))
        writer.write_file(
            save_as,
            StreamedTemplate(self.get_template("tips")),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=self.settings.get("TIPS_URL", TIPS_URL),
            tip_groups=groups,
            tip_total=sum(len(article.tips) for _, articles in groups for article in articles),
        )


def get_generators(pelican: Any) -> type[Generator]:
    """get_generators handler."""
    return TipsPageGenerator
