"""Read an admin change form back as the POST data a browser would send."""

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


def section_key(data, index, field="body"):
    return f"sections-{index}-{field}"


def approval(briefing):
    """What the review page's approve form carries: what the reviewer saw of the briefing, now."""
    from briefings.models import Briefing
    from briefings.publishing.review import shared_records

    briefing = Briefing.objects.get(pk=briefing.pk)
    return {"edit_version": briefing.edit_version, "shared": shared_records(briefing)}
