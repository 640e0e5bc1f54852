"""Form fields every app's pages share, so people and choices read the same everywhere."""

from django import forms

from portfolio.people import display_name


class PersonChoiceField(forms.ModelChoiceField):
    """A user picked by full name ("Diana Reyes"), not by username; the empty choice says so."""

    def __init__(self, *args, empty_label="Nobody", **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several users picked by full name."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)
