"""One page of a list for function views, answering bad page numbers exactly as ListView does."""

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.cache import patch_cache_control
from psycopg.errors import QueryCanceled

from config.converters import INT64_MAX, bounded_int


class TailPaginator(Paginator):
    """A Paginator that reads a page past the middle of an ordered queryset from its end.

    ``?page=last`` of 100,000 rows would otherwise be ``OFFSET 99,950``: the
    database reads and throws away every row before it. Here it is the
    reversed ordering at ``OFFSET 0``, turned round in Python, so the deepest
    page costs what the first does; the middle page is the dearest, at half a
    list's offset. The ordering must be total (end with a unique key), so
    that reversed it lists the same rows in the opposite order.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        items = self.object_list
        if bottom > self.count // 2 and isinstance(items, QuerySet) and items.ordered:
            rows = list(items.reverse()[self.count - top : self.count - bottom])[::-1]
            return self._get_page(rows, number, self)
        return self._get_page(items[bottom:top], number, self)


def page_or_404(request, items, per_page, *, count=None):
    """Page ``?page=`` of ``items``: "last" or a number in range, else 404 (like Django's ListView).

    ``count``, a callable, counts ``items`` more cheaply than ``items.count()`` can.
    """
    paginator = TailPaginator(items, per_page)
    if count is not None:
        paginator.count = count()
    number = request.GET.get("page") or 1
    if number == "last":
        number = paginator.num_pages
    try:
        return paginator.page(number)
    except InvalidPage as error:
        raise Http404(f"No page {number!s:.20} here.") from error


# Lists paged by id count at most this many rows, and page by number (OFFSET)
# only this far in; beyond, pages are reached by id (``?after=``/``?before=``)
# and ``?page=last``, so that no page costs more than reading one page's rows.
COUNT_LIMIT = 1_000


def bounded_count(items):
    """How many ``items`` there are, counting COUNT_LIMIT + 1 at most; None if that took too long.

    Without the ordering (any COUNT_LIMIT + 1 matching rows will do, so the database stops
    at the first it finds) and without the rows select_related() joins for display. On
    PostgreSQL the count runs under ``statement_timeout`` = ASSAY_COUNT_TIMEOUT_MS: where no
    index answers a combination of filters (text and a source kind, say) counting reads
    every claim until the thousandth match, and the list is worth showing without it.
    The timeout is SET LOCAL to a transaction of the count's own, so it can only be
    applied outside one (as requests run); inside one (tests) the count is never cut short.
    """
    db = items.db  # asked once: the router may pick a replica at random on every ask
    query = items.using(db).select_related(None).order_by().values("pk")[: COUNT_LIMIT + 1]
    connection = connections[db]
    timeout = settings.ASSAY_COUNT_TIMEOUT_MS
    if connection.vendor != "postgresql" or timeout <= 0 or connection.in_atomic_block:
        return query.count()
    try:
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{timeout}ms"])
            return query.count()
    except OperationalError as error:
        if isinstance(error.__cause__, QueryCanceled):
            return None
        raise


class KeysetPaginator:
    """What a page says about its whole list: ``count`` (at most COUNT_LIMIT) and whether it is exact.

    ``count`` None: not counted (bounded_count gave up); numbered pages work as past the limit.
    """

    def __init__(self, count, per_page):
        self.exact = count is not None and count <= COUNT_LIMIT
        self.count = None if count is None else min(count, COUNT_LIMIT)
        self.per_page = per_page
        self.num_pages = max(1, -(-count // per_page)) if self.exact else None
        self.numbered_pages = COUNT_LIMIT // per_page


class KeysetPage:
    """One page of a list in id order: its rows and the query strings of its neighbours."""

    def __init__(self, object_list, paginator, *, number, has_previous, has_next):
        self.object_list = object_list
        self.paginator = paginator
        self.number = number
        self._has_previous = has_previous
        self._has_next = has_next

    def has_previous(self):
        return self._has_previous

    @property
    def more_than(self):
        """A number of rows the list certainly has more of, from what this page saw (uncounted lists)."""
        before = (self.number - 1) * self.paginator.per_page if self.number else 0
        return before + len(self.object_list)

    def has_next(self):
        return self._has_next

    def has_other_pages(self):
        return self._has_previous or self._has_next

    def previous_query(self):
        """``{parameter: value}`` for the previous page; None drops a parameter."""
        if self.number and self.number > 1:
            return {"page": self.number - 1, "after": None, "before": None}
        return {"page": None, "after": None, "before": self.object_list[0].pk}

    def next_query(self):
        if self.number and self.number < self.paginator.numbered_pages:
            return {"page": self.number + 1, "after": None, "before": None}
        return {"page": None, "before": None, "after": self.object_list[-1].pk}


def keyset_page_or_404(request, items, per_page):
    """The page of ``items`` (by id) that ``?page=`` (a number, "last"), ``?after=`` or ``?before=`` names.

    Any of them costs one bounded count, one read of at most ``per_page + 1`` ids
    along the id index, however long the list, and one read of the page's rows by
    id; anything else is a 404. The ids are chosen without the tables
    select_related() joins for display: with them, SQLite drove the query from the
    briefings table and sorted every claim (?page=last of a million: 2.8 s).
    """
    # One database for the count, the ids and the rows, however the router picks replicas.
    items = items.using(items.db).order_by("pk")
    ids = items.select_related(None).values_list("pk", flat=True)
    paginator = KeysetPaginator(bounded_count(items), per_page)

    def page_of(chosen, *, number, has_previous, has_next):
        rows = items.in_bulk(chosen) if chosen else {}
        found = paginator
        if found.count is None and not has_next and (number or not has_previous):
            # Uncounted, but this page is the list's last and its position is known: so is the count.
            number = number or 1
            found = KeysetPaginator((number - 1) * per_page + len(chosen), per_page)
        return KeysetPage(
            [rows[pk] for pk in chosen], found, number=number, has_previous=has_previous, has_next=has_next
        )

    after, before = request.GET.get("after"), request.GET.get("before")
    page = request.GET.get("page") or "1"
    if after is not None or before is not None:
        key = bounded_int(after if after is not None else before, INT64_MAX)
        if key is None or (after is not None and before is not None):
            raise Http404("No such page here.")
        if after is not None:
            chosen = list(ids.filter(pk__gt=key)[: per_page + 1])
            has_previous, has_next = True, len(chosen) > per_page
            chosen = chosen[:per_page]
        else:
            chosen = list(ids.filter(pk__lt=key).order_by("-pk")[: per_page + 1])
            has_previous, has_next = len(chosen) > per_page, True
            chosen = chosen[:per_page][::-1]
        if not chosen:
            raise Http404("No such page here.")
        return page_of(chosen, number=None, has_previous=has_previous, has_next=has_next)
    if page == "last":
        if paginator.exact:
            size = paginator.count - (paginator.num_pages - 1) * per_page or per_page
            chosen = list(ids.order_by("-pk")[:size])[::-1]
            number = paginator.num_pages
            return page_of(chosen, number=number, has_previous=number > 1, has_next=False)
        chosen = list(ids.order_by("-pk")[: per_page + 1])
        has_previous = len(chosen) > per_page
        return page_of(chosen[:per_page][::-1], number=None, has_previous=has_previous, has_next=False)
    number = bounded_int(page)
    limit = paginator.num_pages if paginator.exact else paginator.numbered_pages
    if number is None or not 1 <= number <= limit:
        raise Http404(f"No page {page!s:.20} here.")
    start = (number - 1) * per_page
    chosen = list(ids[start : start + per_page + 1])
    if not chosen and number > 1:  # past the end of a list that was not counted
        raise Http404(f"No page {page!s:.20} here.")
    has_next = len(chosen) > per_page
    return page_of(chosen[:per_page], number=number, has_previous=number > 1, has_next=has_next)


# A page whose count was given up is kept this long (page cache and CDN), not until the
# next publish: the next request may well count it.
UNCOUNTED_CACHE_SECONDS = 60


def cache_uncounted_briefly(response, page):
    """Shorten how long ``response`` is kept if ``page``'s list was not counted."""
    if page.paginator.count is None:
        patch_cache_control(response, max_age=UNCOUNTED_CACHE_SECONDS)
        response.page_cache_seconds = UNCOUNTED_CACHE_SECONDS
    return response
