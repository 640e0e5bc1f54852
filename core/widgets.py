"""Form widgets shared by the pages."""

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html in Python: `True` writes the bare name, `False` leaves it out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _label(label) -> str:
    return conditional_escape(label if isinstance(label, str) else localize(label))


class QuickSelect(forms.Select):
    """A `<select>` that writes the very HTML of Django's select.html and select_option.html
    without a template include per option: a filter bar's value-stream select has hundreds of
    options, and rendering each through the template engine cost more than all the cards of
    the Kanban board. The choices, the selected value and the attributes are Django's own
    (`get_context`); only the writing moves to Python."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{_label(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
