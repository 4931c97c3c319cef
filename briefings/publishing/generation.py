"""The published generation: a token that changes whenever what readers can see may change.

Publishing (and deleting a published briefing) advances it; the page cache
(briefings/public/cache.py) puts it in every key, so advancing it empties the
cache at once for every worker sharing the ``pages`` cache (Redis when
``CACHE_URL`` is set). Pages cached under an older token are never read again
and expire on their own.
"""

import logging
import time

from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

ALIAS = "pages"
KEY = "generation"


def current():
    """The current generation; a fresh one if the cache lost it (so nothing older is read)."""
    cache = caches[ALIAS]
    value = cache.get(KEY)
    if value is None:
        cache.add(KEY, time.time_ns(), timeout=None)
        value = cache.get(KEY)
    return value


def advance():
    try:
        caches[ALIAS].set(KEY, time.time_ns(), timeout=None)
    except Exception:
        # The cache is unreachable: nothing can be read from it either; say so loudly.
        logger.exception("The page cache could not be emptied")


def advance_on_commit():
    """Advance now and again once the current transaction commits.

    Now, so that readers inside this transaction (and tests, which never
    commit) see the change; after the commit, because a reader who rendered
    between the two could have cached what was there before: once the
    publishing call has returned, no reader is served a page older than it.
    """
    advance()
    transaction.on_commit(advance)
