"""What the import tests share: the fixtures' folder, a settings file over a built site, and
reading back what a store holds."""

from __future__ import annotations

from pathlib import Path

from reader_stories.models import Story
from reader_stories.store import Store, schema

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def settings_over(folder: Path, built_site: Path) -> Path:
    """The site's own settings file, with the built site at ``built_site``: the import reads
    which articles exist from it. Written into ``folder``, so var/ is the test's own."""
    settings = folder / "settings.py"
    settings.write_text(
        "import pathlib\n"
        f"exec(pathlib.Path({str(ROOT / 'pelicanconf.py')!r}).read_text(encoding='utf-8'))\n"
        f"OUTPUT_PATH = {str(built_site)!r}\n",
        "utf-8",
    )
    return settings


def all_stories(store: Store) -> list[Story]:
    with store.reading() as tx:
        ids = sorted(
            tx.conn.scalars(schema.stories.select().with_only_columns(schema.stories.c.id))
        )
        return tx.get_many(ids)
