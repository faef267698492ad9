"""Share cards: the 1200x630 picture a link preview shows for an article.

Drawn with Pillow from the article's title and category, the site's name and the theme's
colours, so a shared link on LinkedIn, Mastodon or in a chat app is not a grey box. The font is
the one Pillow ships (FreeType, Latin scripts); text is sized to stay readable as a thumbnail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes, so every cached card is drawn again.
DESIGN = "1"

# The theme's tokens (theme/static/css/site.css: --bg, --text, --accent, --muted, --surface).
BACKGROUND = "#fbfaf7"
TEXT = "#1c1e21"
ACCENT = "#0b5f73"
MUTED = "#595d63"
SURFACE = "#f2f0ea"

MARGIN = 80
# Title sizes tried from the largest down, until the title fits in MAX_LINES lines.
TITLE_SIZES = (76, 68, 60, 54, 48)
MAX_LINES = 4


@dataclass(frozen=True)
class CardText:
    title: str
    category: str
    site_name: str

    @property
    def digest(self) -> str:
        """Names the card: the same text (and design) is the same picture, drawn once."""
        key = "\x00".join((DESIGN, self.title, self.category, self.site_name))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)


def wrap(text: str, size: int, width: int) -> list[str]:
    """Words in lines no wider than `width` pixels at `size`; one over-long word gets a line."""
    font = _font(size)
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def fit_title(title: str, width: int) -> tuple[int, list[str]]:
    """The largest title size whose lines fit; at the smallest, extra lines end in an ellipsis."""
    for size in TITLE_SIZES:
        lines = wrap(title, size, width)
        if len(lines) <= MAX_LINES:
            return size, lines
    size = TITLE_SIZES[-1]
    lines = wrap(title, size, width)[:MAX_LINES]
    lines[-1] = lines[-1].rstrip(".,;: ") + "…"
    return size, lines


def draw(text: CardText) -> Image.Image:
    """The card as an image: category above, title in the middle, site name below."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, 24, HEIGHT), fill=ACCENT)
    pen.rectangle((24, HEIGHT - 110, WIDTH, HEIGHT), fill=SURFACE)
    inner = WIDTH - 2 * MARGIN
    pen.text((MARGIN, 64), text.category.upper(), font=_font(30), fill=ACCENT)
    size, lines = fit_title(text.title, inner)
    leading = round(size * 1.22)
    top = 130 + max(0, (MAX_LINES * 60 * 1.22 - len(lines) * leading) / 2)
    for number, line in enumerate(lines):
        pen.text(
            (MARGIN, top + number * leading),
            line,
            font=_font(size),
            fill=TEXT,
            stroke_width=1,
            stroke_fill=TEXT,
        )
    pen.text((MARGIN, HEIGHT - 76), text.site_name, font=_font(36), fill=TEXT)
    return image


def save(text: CardText, path: Path) -> None:
    """Draw the card into `path` as a JPEG (what every preview accepts, and five times quicker
    to encode than a PNG of the same card), written whole or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    draw(text).save(partial, format="JPEG", quality=85)
    partial.replace(path)


def save_all(jobs: list[tuple[CardText, Path]]) -> None:
    """Draw a batch of cards: what a worker process is given."""
    for text, path in jobs:
        save(text, path)
