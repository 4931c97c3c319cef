"""Take Unicode bidirectional controls out of every page written for a browser.

Text is stored as typed, and a briefing's prose may hold U+202E and its
kin (pasted, or planted). Escaping does not touch them, and a browser obeys
them: an override in a sentence reverses the words and the citations after
it. This middleware removes them from HTML, Atom and XML responses, the
admin's included; right-to-left text itself still shows right to left,
isolated by the ``dir="auto"`` and ``<bdi>`` the templates put around user
text. JSON exports keep the data as stored. See sources/validators.py.
"""

from sources.validators import BIDI_CONTROLS, strip_bidi_controls

CLEANED_TYPES = ("text/html", "application/atom+xml", "application/xml", "text/xml", "text/plain")
_ENCODED = tuple(ch.encode() for ch in BIDI_CONTROLS)


class StripBidiControlsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith(CLEANED_TYPES):
            return response
        content = response.content
        # Every control encodes to three UTF-8 bytes starting 0xE2; most pages have none.
        if b"\xe2" not in content or not any(code in content for code in _ENCODED):
            return response
        charset = response.charset or "utf-8"
        response.content = strip_bidi_controls(content.decode(charset)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
