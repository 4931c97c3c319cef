"""URL converters for whole numbers that must fit the database column they are looked up in.

Django's ``int`` converter accepts any run of digits. Looked up in a
foreign key or an ``__in`` list, a number beyond the column's range is not
caught by Django's overflow guard (which covers only exact and comparison
lookups on the field itself) and SQLite raises OverflowError: a 500 for a
typo'd URL. These converters refuse such numbers, so the URL does not match
and the request is a plain 404, whatever view or lookup follows.

Public routes use the converters. Admin routes keep ``int`` and check with
``bounded_int`` where they look the number up: an admin URL that does not
match falls through to the admin's ``<path:object_id>/`` catch-all, which
would redirect with a misleading "object does not exist" rather than 404.
Query parameters (``?from=``, ``link=``) use ``bounded_int`` too.
"""

INT32_MAX = 2**31 - 1  # PositiveIntegerField, and django-reversion's AutoField ids
INT64_MAX = 2**63 - 1  # the project's BigAutoField primary keys


def bounded_int(text, maximum=INT32_MAX):
    """``text`` as a whole number from 0 to ``maximum``, or None (also for query parameters)."""
    # Length first: int() refuses strings of more than 4,300 digits (ValueError),
    # and no number in range has more digits than the maximum itself.
    if not isinstance(text, str) or len(text) > len(str(maximum)) or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= maximum else None


class Int32Converter:
    regex = "[0-9]+"
    maximum = INT32_MAX

    def to_python(self, value):
        number = bounded_int(value, self.maximum)
        if number is None:
            # A ValueError makes the pattern not match: the URL resolves to a 404.
            raise ValueError(f"{value} is out of range")
        return number

    def to_url(self, value):
        return str(value)


class Int64Converter(Int32Converter):
    maximum = INT64_MAX


class DigitsConverter:
    """Any run of digits, kept as text for the view to check with ``bounded_int``.

    For admin routes: Django's ``int`` converter raises on a number int()
    cannot parse (more than 4,300 digits), the route then does not match and
    the admin's catch-all redirects instead of answering 404.
    """

    regex = "[0-9]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)
