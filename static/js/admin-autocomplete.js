'use strict';
// The admin's autocomplete fields (select2) add a search box with no label of its own. Give each
// search box the label of the field it searches, so a screen reader says what it is for.
// Loaded after Django's autocomplete.js (see briefings/admin/widgets.py), so its handlers run after
// Django's have turned the selects into select2 widgets.
{
    const $ = django.jQuery;

    function fieldName(select) {
        const label = select.id ? document.querySelector(`label[for="${CSS.escape(select.id)}"]`) : null;
        const text = label ? label.textContent.replace(/:\s*$/, '').trim() : '';
        return text || select.name;
    }

    function labelSearchBoxes(select) {
        const widget = $(select).data('select2');
        if (!widget) {
            return;
        }
        const name = `Search ${fieldName(select)}`;
        for (const part of [widget.$container, widget.$dropdown]) {
            if (part) {
                part.find('.select2-search__field').attr('aria-label', name);
            }
        }
    }

    function labelAll(root) {
        $(root).find('.admin-autocomplete').not('[name*=__prefix__]').each((i, select) => labelSearchBoxes(select));
    }

    $(function() {
        labelAll(document);
        // A single select's search box is made when its dropdown first opens.
        $(document).on('select2:open', '.admin-autocomplete', (event) => labelSearchBoxes(event.target));
    });

    document.addEventListener('formset:added', (event) => labelAll(event.target));
}
