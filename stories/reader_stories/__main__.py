"""`python -m reader_stories COMMAND`: the moderation command line (reader_stories/cli.py)."""

import sys

from reader_stories.cli import main

sys.exit(main())
