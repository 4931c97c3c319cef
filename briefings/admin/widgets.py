"""Autocomplete fields that look their chosen rows up once per page, not once per form.

A briefing page holds one partners field per section and one source field
per reference. Django's autocomplete widget queries the chosen rows of each
field when it renders, and ModelChoiceField validates each field with a
query of its own: 240 queries for 200 sections and 40 references. Here the
fields of one formset share a ``ChoiceCache`` that loads every chosen row of
every form in one query.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class ChoiceCache:
    """The rows a formset's forms chose for one field, loaded together on first use."""

    def __init__(self, queryset, load_keys):
        self.queryset = queryset
        self._load_keys = load_keys
        self._rows = None

    def rows(self):
        if self._rows is None:
            keys = {str(k) for k in self._load_keys() if str(k).isdigit()}
            self._rows = {str(row.pk): row for row in self.queryset.filter(pk__in=keys)} if keys else {}
        return self._rows

    def get(self, keys):
        """The rows for ``keys``, or None if one was not known when the cache was filled."""
        rows = self.rows()
        keys = [str(k) for k in keys]
        if all(k in rows for k in keys):
            return [rows[k] for k in keys]
        return None


class _CachedOptionsMixin:
    cache = None

    def optgroups(self, name, value, attr=None):
        chosen = [v for v in value if str(v) not in self.choices.field.empty_values]
        rows = self.cache.get(chosen) if self.cache is not None else None
        if rows is None:
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for index, row in enumerate(rows):
            label = self.choices.field.label_from_instance(row)
            default[1].append(self.create_option(name, row.pk, label, True, index))
        return [default]


class _AccessibleAutocompleteMixin:
    """Select2's search box gets the field's label (static/js/admin-autocomplete.js)."""

    @property
    def media(self):
        # One list, so that the script comes after Django's autocomplete.js (two Media added
        # together are only ordered within each).
        base = super().media
        return forms.Media(css=base._css, js=[*base._js, "js/admin-autocomplete.js"])


class CachedAutocompleteSelect(_AccessibleAutocompleteMixin, _CachedOptionsMixin, AutocompleteSelect):
    pass


class CachedAutocompleteSelectMultiple(
    _AccessibleAutocompleteMixin, _CachedOptionsMixin, AutocompleteSelectMultiple
):
    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # Each chosen row has its own remove button. Select2's "clear all" cross would be a <span>
        # inside its list of chosen rows, which a list must not hold (axe-core: list).
        attrs["data-allow-clear"] = "false"
        return attrs


class CachedModelChoiceField(forms.ModelChoiceField):
    cache = None

    def to_python(self, value):
        if value in self.empty_values or self.cache is None:
            return super().to_python(value)
        rows = self.cache.get([value])
        if rows is None:
            return super().to_python(value)
        return rows[0]


class CachedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    cache = None

    def _check_values(self, value):
        if self.cache is not None:
            try:
                rows = self.cache.get(list(value))
            except TypeError:
                rows = None
            if rows is not None:
                return rows
        return super()._check_values(value)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


def use_cache(form, field_name, cache):
    """Point ``form``'s field (and its widget) at ``cache``."""
    field = form.fields.get(field_name)
    if field is None:
        return
    field.cache = cache
    widget = getattr(field.widget, "widget", field.widget)  # inside the admin's related-field wrapper
    widget.cache = cache
