"""Pelican settings for local development; publishconf.py overrides the production keys."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

AUTHOR = "Next Round editors"
SITENAME = "Next Round"
SITESUBTITLE = "Career advice, and the stories of readers who have been there"
SITE_DESCRIPTION = (
    "Practical career advice on job search, interviews, resumes, negotiation and growth, "
    "with moderated stories from readers."
)
# Absolute origin used for canonical URLs, feeds, the sitemap and structured data.
# Links between pages use SITE_ROOT (the path part) so the built site works on any host.
SITEURL = os.environ.get("SITEURL", "http://127.0.0.1:8000").rstrip("/")
SITE_ROOT = urlsplit(SITEURL).path.rstrip("/")
RELATIVE_URLS = False

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
# An article without a Category line goes here, not to a category named after its folder.
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "Career Advice"
THEME = "theme"
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"
DEFAULT_PAGINATION = 10
DEFAULT_ORPHANS = 2
SUMMARY_MAX_LENGTH = 40

# This site's own plugin (plugins/nextround), then the two packages it builds on. In this order:
# the tip boxes' HowTo data reuses the plain summary nextround stores on each article.
PLUGINS = ["nextround", "tipboxes", "reader_stories.pelican_plugin"]

# Clean URLs: /handling-job-rejection/ rather than /handling-job-rejection.html.
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
SITEMAP_SAVE_AS = "sitemap.xml"
# "404" cannot be a Python name, so its save path is set by the plugin's defaults.
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors", "archives", "search", "sitemap"]
TEMPLATE_PAGES = {"robots.txt": "robots.txt", "404.html": "404.html"}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Atom only: one site feed and one per category.
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
FEED_MAX_ITEMS = 20

# Compiled templates are kept between builds, keyed by each template's source (Jinja's own
# cache, in a private folder of the system's temporary folder), as Python keeps .pyc files;
# the plugin makes the cache (plugins/nextround/template_cache.py).
TEMPLATE_BYTECODE_CACHE = True
JINJA_ENVIRONMENT = {
    # Pelican makes a new environment for every build, so nothing is gained by checking each
    # template file's date again at every include (tens of thousands of times per build).
    "auto_reload": False,
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
}

# Restated in full because a MARKDOWN dict replaces Pelican's default rather than merging.
# No smarty: it is one of the dearest extensions; authors type typographic quotes where they want.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        # An id on every heading, as "toc" would give it, without building a table of contents.
        "nextround.headings": {},
        "markdown.extensions.codehilite": {"css_class": "highlight", "guess_lang": False},
        # "/// tip | Title" boxes (the tipboxes package); options: heading_level, id_prefix.
        "tipboxes.extension": {},
        # Inline patterns tried only on text holding what they begin with: the same output,
        # about half the Markdown time of a page of prose (plugins/nextround/inline_gate.py).
        "nextround.inline_gate": {},
    },
    "output_format": "html5",
}

# The "reader" cache layer is the one that is safe with plugins that attach data after reading.
CACHE_CONTENT = False
CONTENT_CACHING_LAYER = "reader"
CACHE_PATH = "var/cache"
LOAD_CONTENT_CACHE = False

MENUITEMS = (("Tips", "tips/"), ("Archives", "archives/"), ("Search", "search/"))
DISPLAY_PAGES_ON_MENU = True
DISPLAY_CATEGORIES_ON_MENU = True

# The theme's CSS and JS are minified in output/theme/ (plugins/nextround/minify.py).
MINIFY_THEME_ASSETS = True

# Processes the build runs on: Markdown is converted, and the stories are tallied and rendered,
# in worker processes (plugins/nextround/read_ahead.py, stories/reader_stories/pages/ahead.py).
# 0: one per usable core; 1: one process.
BUILD_PROCESSES = 0

READING_WORDS_PER_MINUTE = 230
RELATED_ARTICLES_MAX = 3

# Reader stories. Every key can be overridden by an environment variable COMMENTS_<KEY>
# (COMMENTS_DATABASE_URL, COMMENTS_SECRET_KEY, ...); see the README.
COMMENTS = {
    "database_url": "sqlite:///var/comments.sqlite3",
    "rate_limit": "5/600",
    "max_pending": 1000,
    "max_links": 3,
    "policy_url": "privacy/",
}
