"""Unicode bidirectional controls: refused in addresses and identifiers, removed from pages.

U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates) are
invisible and reorder the text around them: "‮gpj.exe" reads as "exe.jpg".
In a slug or a source's URL they make one address look like another, so
they are refused with a message naming the character. In prose they are
stored as typed (an editor sees them in the admin's compare), and
config/bidi.py takes them out of every page written for a browser.

This module imports nothing from briefings/, so sources and briefings both use it.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI_CONTROLS_RE = re.compile(f"[{BIDI_CONTROLS}]")
_STRIP = str.maketrans(dict.fromkeys(BIDI_CONTROLS))


def strip_bidi_controls(text):
    return text.translate(_STRIP)


def refuse_bidi_controls(value):
    """Validator: no bidirectional control character anywhere in ``value``."""
    match = BIDI_CONTROLS_RE.search(value or "")
    if match:
        raise ValidationError(
            "Contains an invisible bidirectional control character (U+%(code)04X) at position "
            "%(position)d: it can make one address look like another. Remove it.",
            code="bidi_control",
            params={"code": ord(match.group()), "position": match.start() + 1},
        )


class AddressSlugField(models.SlugField):
    """A slug that becomes part of a public address: bidi controls refused with their own message.

    The form field gets the validator too, so the admin names the character
    instead of only saying the slug is not valid.
    """

    default_validators = [*models.SlugField.default_validators, refuse_bidi_controls]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.validators = [refuse_bidi_controls, *field.validators]
        return field
