import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Within <script>, HTML parsing ends at "</script" and "<!--" changes the
# tokenizer's state; \u escapes keep the JSON identical while making those
# sequences impossible. The line separators break older JavaScript parsers.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


@register.filter(is_safe=True)
def json_ld(value):
    """``value`` as a JSON-LD script element, safe for any text inside it."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 -- <, >, & escaped above
