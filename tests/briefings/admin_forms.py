"""Read an admin change form back as the POST data a browser would send."""

from html.parser import HTMLParser

from django.urls import reverse


def _form_data(form, data):
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[bound.html_name] = value


def change_form_data(client, briefing, response=None):
    """The change form of ``briefing`` as ``client`` sees it (or as ``response`` shows it)."""
    if response is None:
        response = client.get(reverse("admin:briefings_briefing_change", args=[briefing.pk]))
        assert response.status_code == 200
    data = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data


class _PostedFields(HTMLParser):
    """The fields a browser would submit from the page's forms (buttons left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data = {}
        self._textarea = None
        self._select = None

    def _add(self, name, value):
        if name in self.data:
            held = self.data[name]
            self.data[name] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        buttons = ("submit", "button", "image", "reset")
        if tag == "input" and name and attrs.get("type", "text") not in buttons:
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
            if "multiple" in attrs:
                self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            value = attrs.get("value", "")
            if isinstance(self.data.get(self._select), list):
                self.data[self._select].append(value)
            else:
                self.data[self._select] = value

    def handle_data(self, text):
        if self._textarea:
            self._textarea[1] += text

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            name, text = self._textarea
            # Browsers drop the one newline right after <textarea>.
            self._add(name, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "select":
            self._select = None


def change_form_from_html(html):
    """The POST data of a change form read from its HTML, as a browser would send it.

    Unlike ``response.context`` (captured through a process-wide signal), this
    is safe when several threads fetch pages at once.
    """
    parser = _PostedFields()
    parser.feed(html)
    return parser.data


def section_key(data, index, field="body"):
    return f"sections-{index}-{field}"


def approval(briefing):
    """What the review page's approve form carries: what the reviewer saw of the briefing, now."""
    from briefings.models import Briefing
    from briefings.publishing.review import shared_records

    briefing = Briefing.objects.get(pk=briefing.pk)
    return {"edit_version": briefing.edit_version, "shared": shared_records(briefing)}
