"""One page of a list for function views, answering bad page numbers exactly as ListView does."""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404


def page_or_404(request, items, per_page):
    """Page ``?page=`` of ``items``: "last" or a number in range, else 404 (like Django's ListView)."""
    paginator = Paginator(items, per_page)
    number = request.GET.get("page") or 1
    if number == "last":
        number = paginator.num_pages
    try:
        return paginator.page(number)
    except InvalidPage as error:
        raise Http404(f"No page {number!s:.20} here.") from error
