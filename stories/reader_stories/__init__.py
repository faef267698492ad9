"""Reader stories: storage, validation, rendering and moderation, free of Pelican.

The intake service, the moderation tasks and the Pelican plugin all build on these
modules; import the one you need (``reader_stories.store``, ``.moderation``...).
"""
