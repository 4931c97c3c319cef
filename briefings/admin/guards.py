"""Limits every admin changelist keeps, whoever registered the model admin.

- Filtering: only the lookups the list's own filters (and date hierarchy)
  produce. Django allows any lookup on a model's own fields from the query
  string, so ``?title__regex=(a+)+$`` made SQLite run a catastrophic regular
  expression for as long as the worker lived. Anything else is refused with
  400 Bad Request (Django's DisallowedModelAdminLookup).
- Searching: at most MAX_SEARCH_TERMS words and MAX_SEARCH_LENGTH characters.
  Each word adds an OR over every search field, so ~1,700 words made SQLite
  refuse the query ("Expression tree is too large") with a 500. Longer
  searches use their first words, and the page says so.

``guard_admin_site`` applies the mixin to every registered ModelAdmin
(briefings.apps calls it once the admin has loaded every app's admin module).
"""

from django.contrib import admin, messages
from django.contrib.admin import SimpleListFilter
from django.utils.text import smart_split

MAX_SEARCH_TERMS = 10
MAX_SEARCH_LENGTH = 500

# What Django's own list filters add to a field's path: see django/contrib/admin/filters.py.
FILTER_SUFFIXES = frozenset(
    {"", "exact", "isnull", "in", "gte", "lt", "lte", "gt", "isempty", "id__exact", "pk__exact"}
)
DATE_HIERARCHY_SUFFIXES = ("year", "month", "day", "gte", "lt")


class GuardedAdminMixin:
    def allowed_lookups(self, request):
        """(exact parameters, field paths) that this changelist's filters may send."""
        exact, paths = set(), set()
        for entry in self.get_list_filter(request):
            if isinstance(entry, (tuple, list)):
                entry = entry[0]
            if isinstance(entry, str):
                paths.add(entry)
            elif isinstance(entry, type) and issubclass(entry, SimpleListFilter):
                exact.add(entry.parameter_name)
        hierarchy = self.date_hierarchy
        if hierarchy:
            exact.update(f"{hierarchy}__{suffix}" for suffix in DATE_HIERARCHY_SUFFIXES)
        return exact, paths

    def lookup_allowed(self, lookup, value, request=None):
        exact, paths = self.allowed_lookups(request)
        if lookup in exact:
            return super().lookup_allowed(lookup, value, request)
        for path in paths:
            if lookup == path or (
                lookup.startswith(f"{path}__") and lookup[len(path) + 2 :] in FILTER_SUFFIXES
            ):
                return super().lookup_allowed(lookup, value, request)
        # Related-object pop-ups filter by a foreign key's limit_choices_to.
        for limits in self.opts.related_fkey_lookups:
            limits = limits() if callable(limits) else limits
            if isinstance(limits, dict) and lookup in limits:
                return super().lookup_allowed(lookup, value, request)
        return False

    def get_search_results(self, request, queryset, search_term):
        terms = list(smart_split(search_term[:MAX_SEARCH_LENGTH]))
        if len(search_term) > MAX_SEARCH_LENGTH or len(terms) > MAX_SEARCH_TERMS:
            total = len(list(smart_split(search_term)))
            kept = terms[:MAX_SEARCH_TERMS]
            search_term = " ".join(kept)
            if request is not None:
                messages.warning(
                    request,
                    f"Search uses at most {MAX_SEARCH_TERMS} words and {MAX_SEARCH_LENGTH} characters: "
                    f"searched for the first {len(kept)} of the {total} words given.",
                    fail_silently=True,
                )
        return super().get_search_results(request, queryset, search_term)


def guard_admin_site(site=None):
    """Mix GuardedAdminMixin into every ModelAdmin registered on ``site`` (default: admin.site)."""
    site = site or admin.site
    for model_admin in site._registry.values():
        cls = type(model_admin)
        if not issubclass(cls, GuardedAdminMixin):
            model_admin.__class__ = type(f"Guarded{cls.__name__}", (GuardedAdminMixin, cls), {})
