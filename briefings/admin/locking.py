"""The optimistic lock on shared records (sources, partners) in the admin.

Two people editing one source: the second save is refused, showing what
the first changed (field by field, theirs against yours), and the form is
given back with the second person's text. Fields they did not touch take
the first person's values, so saving again keeps both.

The form carries the record's ``edit_version`` and the values it showed; the
check locks the row inside the admin's save transaction
(briefings/editing/lock.py), so no save can slip in between.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat
from django.utils.timezone import template_localtime
from reversion.models import Version

from briefings.editing.lock import StaleRecord, lock_record

LOCK_FIELDS = ("base_edit_version", "base_values")


class LockedRecordForm(forms.ModelForm):
    base_edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    base_values = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["base_edit_version"].initial = self.instance.edit_version
            shown = {name: self._shown(name) for name in self._edited_fields()}
            self.fields["base_values"].initial = json.dumps(shown)

    def _edited_fields(self):
        return [name for name in self.fields if name not in LOCK_FIELDS]

    def _shown(self, name):
        value = self[name].value()
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return "" if value is None else str(value)

    def _posted(self, name):
        field = self.fields[name]
        value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        if isinstance(field, forms.BooleanField):
            return str(bool(value))
        return "" if value is None else str(value)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        try:
            lock_record(type(self.instance), self.instance.pk, base=cleaned.get("base_edit_version"))
        except StaleRecord as stale:
            self._refuse(stale.current)
        return cleaned

    def _refuse(self, current):
        try:
            base = json.loads(self.cleaned_data.get("base_values") or "{}")
        except ValueError:
            base = {}
        theirs_form = type(self)(instance=current)
        theirs = {name: theirs_form._shown(name) for name in self._edited_fields()}
        data = self.data.copy()
        self.differences = []
        for name in self._edited_fields():
            mine = self._posted(name)
            if theirs[name] == base.get(name, theirs[name]):
                continue
            label = self.fields[name].label or name
            self.differences.append({"field": label, "theirs": theirs[name], "mine": mine})
            if name in base and mine == base[name]:
                # The editor left it alone: keep the colleague's value when they save again.
                key = self.add_prefix(name)
                if isinstance(theirs[name], list):
                    data.setlist(key, theirs[name])
                elif isinstance(self.fields[name], forms.BooleanField):
                    if theirs[name] == "True":
                        data[key] = "on"
                    else:
                        data.pop(key, None)
                else:
                    data[key] = theirs[name]
        data[self.add_prefix("base_edit_version")] = current.edit_version
        data[self.add_prefix("base_values")] = json.dumps(theirs)
        self.data = data
        latest = Version.objects.get_for_object(current).select_related("revision__user").first()
        who = "Someone else"
        if latest is not None:
            name = latest.revision.user.get_username() if latest.revision.user else "an unknown user"
            when = dateformat.format(template_localtime(latest.revision.date_created), "j M Y, H:i:s")
            who = f"{name}, at {when},"
        changed = "; ".join(
            f"{d['field']}: now “{d['theirs']}”, yours “{d['mine']}”" for d in self.differences
        )
        raise ValidationError(
            f"Not saved: {who} saved this {current._meta.verbose_name} after you opened it"
            + (f" ({changed})" if changed else "")
            + ". Your text is still in the form; the fields you did not change now show their values. "
            "Check it, then save again.",
            code="stale",
        )


class LockedRecordAdminMixin:
    """Adds the lock's hidden fields to every form this admin builds (change, restore)."""

    form = LockedRecordForm

    def get_fieldsets(self, request, obj=None):
        # An admin without fieldsets of its own lists every form field, the lock's included:
        # keep those in the hidden fieldset only, or the page holds each input twice.
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in LOCK_FIELDS]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, (None, {"fields": LOCK_FIELDS, "classes": ("hidden",)})]
