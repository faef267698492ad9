"""Email notifications for reader stories: compose, queue in the store's outbox, send over SMTP.

Nothing here ever sends during a request: the intake and moderation only queue messages in the
same transaction as the change they announce, and a sender delivers them later, with retries.
This package imports nothing on import, so the store can use its records without a cycle.
"""
