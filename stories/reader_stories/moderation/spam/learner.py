"""The classifier that learns from this site's own decisions: scikit-learn's multinomial naive
Bayes over hashed runs of characters.

Published stories are its examples of what readers write, stories marked as spam (and
suspected ones a moderator confirmed) its examples of spam, and a suspected story a moderator
put back in the queue counts with the readers'. It learns nothing until the site has decided on
``min_each`` of both, so a new site is scored by the other signals alone.

scikit-learn takes most of a second to import, so it is imported by the first training, in a
background thread, never while a reader waits; after that, scoring a story is a sparse dot
product. The model is retrained from the store when it is older than ``retrain_after``, again
in the background, and only a finished model replaces the one in use.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reader_stories.errors import StoriesError
from reader_stories.moderation.spam.signals import Signal
from reader_stories.store import Store

log = logging.getLogger(__name__)

MIN_EACH = 20  # decisions of each kind before the classifier has a say
MAX_EACH = 5000  # the newest decisions of each kind it learns from
RETRAIN_AFTER = 600.0  # seconds
# Lidstone smoothing: imaginary counts added to every hashed feature of each class. With 2**18
# features, 0.1 each added 26,000 counts per class, more than a small site's decisions hold,
# and pulled every short text toward the readers' side. On the corpus of the tests, any value
# from 0.001 to 0.03 holds 96 to 96.5% of spam (93% at 0.1) with the same readers held.
SMOOTHING = 0.01
# How far the classifier moves the score: a story it is sure of is worth a held story's
# points on its own; one it finds clean takes a little off what the other signals found, never
# enough to clear a story the rules are sure of.
MAX_POINTS = 6
MIN_POINTS = -2


@dataclass(frozen=True)
class Model:
    """A trained classifier, and how many decisions of each kind taught it."""

    vectorizer: Any
    classifier: Any
    ham: int
    spam: int

    def spam_probability(self, text: str) -> float:
        """The classifier's own joint log-likelihoods (``predict_proba``'s), read for the few
        words of one text: scikit-learn's checks on every call would cost more than the sum."""
        features = self.vectorizer.transform([text])
        learned = self.classifier.feature_log_prob_[:, features.indices] @ features.data
        ham, spam = learned + self.classifier.class_log_prior_
        return 1.0 / (1.0 + math.exp(min(700.0, ham - spam)))

    def signal(self, text: str) -> Signal | None:
        """The classifier's points for ``text`` and its reason, or None when it has no view."""
        probability = self.spam_probability(text)
        points = max(MIN_POINTS, min(MAX_POINTS, round((probability - 0.5) * 12)))
        if points == 0:
            return None
        taught = f"learned from {self.ham + self.spam} of this site's decisions"
        return Signal(
            "classifier", points, f"the classifier ({taught}) rates it {probability:.0%} spam"
        )


def train(texts: Sequence[str], spam: Sequence[bool], smoothing: float = SMOOTHING) -> Model:
    """A model of these examples (any number; the caller decides whether there are enough)."""
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.naive_bayes import MultinomialNB

    # Runs of 3 to 5 characters inside words: they catch a word's variants ("subscribe",
    # "subscribers") and scripts written without spaces, and did better than whole words on
    # the corpus in the tests (tests/stories/spam/corpus).
    vectorizer = HashingVectorizer(
        n_features=2**18, alternate_sign=False, analyzer="char_wb", ngram_range=(3, 5), norm=None
    )
    classifier = MultinomialNB(alpha=smoothing)
    classifier.fit(vectorizer.transform(texts), [int(s) for s in spam])
    return Model(vectorizer, classifier, ham=spam.count(False), spam=spam.count(True))


def train_from_store(store: Store, min_each: int = MIN_EACH) -> Model | None:
    """A model of the store's decisions, or None while there are fewer than ``min_each`` of
    either kind."""
    with store.reading() as tx:
        ham, spam = tx.decided_texts(MAX_EACH)
    if len(ham) < min_each or len(spam) < min_each:
        return None
    return train([*ham, *spam], [False] * len(ham) + [True] * len(spam))


class Learner:
    """The model in use, retrained in a background thread as decisions accumulate."""

    def __init__(
        self,
        min_each: int = MIN_EACH,
        retrain_after: float = RETRAIN_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_each = min_each
        self.retrain_after = retrain_after
        self.clock = clock
        self.model: Model | None = None
        self._trained_at: float | None = None
        self._running: threading.Thread | None = None
        self._lock = threading.Lock()

    def signal(self, text: str) -> Signal | None:
        model = self.model
        return None if model is None else model.signal(text)

    def train_now(self, store: Store) -> Model | None:
        """Train in this thread (the CLI, tests, and the background thread's own work)."""
        model = train_from_store(store, self.min_each)
        self.model = model
        return model

    def refresh(self, store: Callable[[], Store]) -> None:
        """Start a retraining in the background when the model is due for one; never waits."""
        now = self.clock()
        with self._lock:
            due = self._trained_at is None or now - self._trained_at >= self.retrain_after
            due = due and self.retrain_after != math.inf
            if not due or (self._running is not None and self._running.is_alive()):
                return
            self._trained_at = now
            self._running = threading.Thread(
                target=self._train_quietly, args=(store,), name="spam-learner", daemon=True
            )
            self._running.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until a retraining under way has finished (shutdown, tests)."""
        running = self._running
        if running is not None:
            running.join(timeout)

    def _train_quietly(self, store: Callable[[], Store]) -> None:
        try:
            self.train_now(store())
        except StoriesError as exc:  # the store is down: the current model stays
            log.warning("Spam classifier not retrained: %s", exc)
        except ImportError:  # the package was installed without its spam-learning extra
            log.warning(
                "The spam classifier needs scikit-learn (pip install "
                "'pelican-reader-stories[spam-learning]'); the other signals score alone."
            )
            self.retrain_after = math.inf
