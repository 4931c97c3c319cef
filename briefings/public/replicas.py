"""Public pages read from replicas; everything else reads the primary.

``DATABASE_REPLICA_URLS`` (settings) adds one database alias per replica.
The page cache middleware (briefings/public/cache.py) marks the rendering of
a public page with ``public_reads()``; inside it ``ReplicaRouter`` sends reads
to a replica (chosen at random). Writes, the admin, previews and every read
outside a public page go to the primary, so an editor always sees their own
save.

A replica lags behind the primary. Right after a publish — for
``ASSAY_REPLICA_SETTLE_SECONDS``, measured from the published generation the
publish set (briefings/publishing/generation.py) — public pages read the
primary too, so the page cache never stores a page from before the publish
under the generation that follows it.
"""

import contextlib
import contextvars
import random
import time

from django.conf import settings

_public = contextvars.ContextVar("assay_public_reads", default=False)


def settled(generation):
    """Whether replicas have had time to catch up with the publish that set ``generation``.

    ``None`` (no page cache to store a stale page in): yes.
    """
    if generation is None:
        return True
    age = time.time_ns() - int(generation)
    return age >= settings.ASSAY_REPLICA_SETTLE_SECONDS * 1_000_000_000


@contextlib.contextmanager
def public_reads(generation):
    token = _public.set(bool(settings.ASSAY_READ_REPLICAS) and settled(generation))
    try:
        yield
    finally:
        _public.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _public.get():
            return random.choice(settings.ASSAY_READ_REPLICAS)  # noqa: S311 (load spreading)
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias is a copy of one database.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
