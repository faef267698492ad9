"""Resized copies of an article's images in modern formats, made once and kept in the cache.

An author drops a full-size photo into content/images/; readers get the smallest copy that fills
their screen, in AVIF or WebP where the browser takes it, with a JPEG or PNG for the rest. Each
copy is named by the original's content, so a rebuild reuses it and a changed original gets new
names (browsers never keep a stale copy).
"""

from __future__ import annotations

import hashlib
import shutil
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

# Widths offered to the browser: a phone, a tablet, the 40rem column on a 2x screen.
WIDTHS = (480, 800, 1280)
# Formats tried first by the browser, best compression first; the original's own format
# (JPEG, or PNG for a picture with transparency or few colours) comes last, in the <img>.
MODERN = (("avif", "image/avif"), ("webp", "image/webp"))
QUALITY = {"avif": 60, "webp": 78, "jpeg": 82}
# Bump when the encoding changes, so every cached copy is made again.
RECIPE = "1"
# Originals above these are reported: they are published as they are and slow every cold build.
LARGE_BYTES = 5 * 1024 * 1024
LARGE_PIXELS = 6000

RESIZABLE = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}


class ImageProblem(ValueError):
    """An image an author must fix; the message says which and how."""


@dataclass(frozen=True)
class Variant:
    """One resized copy: where it is cached and what it is called in the site."""

    source: Path
    width: int
    height: int
    format: str  # "avif", "webp", "jpeg" or "png"
    name: str  # file name in the site's images/sized/ folder

    def make(self, cache: Path) -> Path:
        """The copy in the cache, made now if it is not there yet."""
        cached = cache / self.name
        if not cached.exists():
            cache.mkdir(parents=True, exist_ok=True)
            with Image.open(self.source) as original:
                image = ImageOps.exif_transpose(original)
                if self.format == "jpeg" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                resized = image.resize((self.width, self.height), Image.Resampling.LANCZOS)
                partial = cached.with_name(f".{cached.name}.partial")
                options = {"quality": QUALITY[self.format]} if self.format in QUALITY else {}
                if self.format == "png":
                    options = {"optimize": True}
                resized.save(partial, format=self.format.upper(), **options)
            partial.replace(cached)
        return cached


@dataclass(frozen=True)
class Raster:
    """A JPEG, PNG or WebP original and the copies the page offers of it."""

    width: int
    height: int
    fallback: str  # the format of the <img> copies
    variants: tuple[Variant, ...]
    large: str  # a note for the author when the original is enormous, else ""

    def of_format(self, format: str) -> list[Variant]:
        return [v for v in self.variants if v.format == format]


@dataclass(frozen=True)
class Vector:
    """An SVG original, published as it is, with the size it declares."""

    width: int
    height: int


def widths_for(original: int) -> list[int]:
    """The standard widths up to the original's, and the original's own when it is narrower
    than the largest: never an upscaled copy."""
    if original >= WIDTHS[-1]:
        return list(WIDTHS)
    return [*(w for w in WIDTHS if w < original), original]


def describe(source: Path) -> Raster | Vector:
    """What the page needs to know about an original: its size and its copies."""
    if source.suffix.lower() == ".svg":
        return _vector(source)
    try:
        with Image.open(source) as image:
            kind = image.format or ""
            width, height = ImageOps.exif_transpose(image).size
            transparent = image.mode in ("RGBA", "LA", "P") or "transparency" in image.info
    except (OSError, SyntaxError) as exc:
        raise ImageProblem(f"{source} is not an image Pillow can read ({exc})") from exc
    if kind not in RESIZABLE:
        raise ImageProblem(
            f"{source} is a {kind or 'file of an unknown kind'}; use a JPEG, PNG, WebP or SVG."
        )
    fallback = "png" if kind == "PNG" and transparent else "jpeg"
    digest = hashlib.sha256(RECIPE.encode() + source.read_bytes()).hexdigest()[:12]
    variants = []
    for w in widths_for(width):
        h = max(1, round(height * w / width))
        for format in (*(f for f, _ in MODERN), fallback):
            name = f"{source.stem}.{digest}.{w}.{format.replace('jpeg', 'jpg')}"
            variants.append(Variant(source, w, h, format, name))
    return Raster(width, height, fallback, tuple(variants), _large(source, width, height))


def _large(source: Path, width: int, height: int) -> str:
    size = source.stat().st_size
    if size <= LARGE_BYTES and max(width, height) <= LARGE_PIXELS:
        return ""
    return (
        f"{source} is a {size / 1024 / 1024:.1f} MB, {width}x{height} original: readers get "
        f"resized copies, but the original is published too and every uncached build reads it; "
        f"a copy {WIDTHS[-1] * 2} pixels wide is plenty."
    )


def _vector(source: Path) -> Vector:
    try:
        root = ElementTree.parse(source).getroot()
    except ElementTree.ParseError as exc:
        raise ImageProblem(f"{source} is not a readable SVG file ({exc})") from exc
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if (width is None or height is None) and len(box) == 4:
        box_width, box_height = float(box[2]), float(box[3])
        if width is None and height is None:
            width, height = box_width, box_height
        elif width is None:
            width = height * box_width / box_height
        else:
            height = width * box_height / box_width
    if not width or not height:
        raise ImageProblem(
            f"{source} declares no size: give its <svg> a viewBox (or width and height), so the "
            "page can reserve its space."
        )
    return Vector(round(width), round(height))


def _length(value: str | None) -> float | None:
    if not value:
        return None
    number = value.strip().removesuffix("px")
    try:
        return float(number)
    except ValueError:
        return None  # "100%" or "10em": the viewBox says more


def publish(variant: Variant, cache: Path, folder: Path) -> None:
    """Put a copy into the built site, made first if the cache does not have it yet."""
    target = folder / variant.name
    if not target.exists():
        link_or_copy(variant.make(cache), target)


def link_or_copy(cached: Path, target: Path) -> None:
    """A cached file into the built site: a hard link where the two share a disk."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.hardlink_to(cached)
    except OSError:
        shutil.copyfile(cached, target)
