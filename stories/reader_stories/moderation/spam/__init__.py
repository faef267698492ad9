"""The spam score: local signals (signals.py), a text's shape for repeats (shape.py), a
classifier learned from this site's decisions (learner.py), their sum in words (score.py),
and a stored score as the admin and the command line show it (shown.py).

Nothing here leaves the server. The intake scores every story; one that scores at or over the
site's threshold waits in the held bin (models.Hold) instead of the moderator's queue.
"""
