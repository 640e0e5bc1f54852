"""Page forms for what hangs off an epic: MVPs/MMPs, risks (ROAM) and dependencies.

The epic pickers validate against every epic and list only the epics the user may write (plus the
row's own): the service is the permission gate, so an epic of a stream the user may not write is
a 403 from the service, the same answer the API gives, not a "not one of the choices".
"""

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict

from kanban.forms import MoneyInput
from portfolio.form_fields import PersonChoiceField
from portfolio.models import MMP, Dependency, Epic, MMPKind, MMPStatus, Quarter, Risk, RoamStatus, ValueStream
from portfolio.permissions import has_role, is_director, managed_value_stream_ids
from portfolio.roles import PROGRAM_MANAGER


def _date(label, help_text):
    return forms.DateField(
        label=label, required=False, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"})
    )


def _epic_choices(epics, empty_label):
    return [("", empty_label), *((e.id, f"{e.key} · {e.title}") for e in epics)]


def writable_stream_ids(user, *, record: bool) -> set[int] | None:
    """The value streams whose parts `user` may write: None for all (directors; program managers
    for risks and dependencies), else the streams they manage."""
    if is_director(user) or (record and has_role(user, PROGRAM_MANAGER)):
        return None
    return managed_value_stream_ids(user)


class _PartForm(forms.Form):
    """Shared: an epic picker validated against every epic, listing the open epics of the
    streams the user may write (or of every stream: `any_stream`) and the row's own epic."""

    record = False  # risks and dependencies: program managers record them too

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:  # editing: the row's own values, as a ModelForm would show them
            kwargs["initial"] = {**model_to_dict(instance, fields=list(self.base_fields)), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    def _pick_epic(self, name, user, *, current_id, empty_label, any_stream=False):
        epics = Epic.objects.open()
        stream_ids = None if any_stream else writable_stream_ids(user, record=self.record)
        if stream_ids is not None:
            epics = epics.filter(value_stream_id__in=stream_ids)
        if current_id is not None:
            epics = epics | Epic.objects.filter(id=current_id)
        self.fields[name].widget.choices = _epic_choices(epics.only("id", "key", "title").order_by("key"), empty_label)


class MMPForm(_PartForm):
    """An MVP or MMP under an epic: what it is, when it ships, what it costs."""

    epic = forms.ModelChoiceField(
        queryset=Epic.objects.all(), help_text="The epic the MVP or MMP delivers a first slice of."
    )
    kind = forms.ChoiceField(
        choices=MMPKind.choices,
        help_text="MVP: the smallest release that tests the epic's hypothesis. MMP: the smallest "
        "release customers would pay for or use.",
    )
    title = forms.CharField(max_length=200, help_text="What the release is, in a few words.")
    description = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What it contains and how you will know it worked.",
    )
    target_quarter = forms.ModelChoiceField(
        queryset=Quarter.objects.order_by("start"),
        required=False,
        empty_label="No target quarter yet",
        help_text="The quarter you aim to release it in.",
    )
    status = forms.ChoiceField(choices=MMPStatus.choices, help_text="Where the release stands today.")
    released_on = _date("Released on", "The day it reached customers (released ones only).")
    cost_estimate_cents = MoneyInput(
        label="Cost estimate", required=False, help_text="What the release is expected to cost."
    )

    def __init__(self, *args, user, instance: MMP | None = None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self._pick_epic("epic", user, current_id=instance and instance.epic_id, empty_label="Choose an epic")


class RiskForm(_PartForm):
    """A delivery risk on an epic or a whole value stream, with its ROAM status."""

    record = True

    title = forms.CharField(max_length=200, help_text="The risk in a sentence: what may happen.")
    value_stream = forms.ModelChoiceField(
        queryset=ValueStream.objects.all(),
        required=False,
        empty_label="The epic's value stream",
        help_text="The value stream the risk threatens (taken from the epic when you choose one).",
    )
    epic = forms.ModelChoiceField(
        queryset=Epic.objects.all(), required=False, help_text="The epic the risk is on; blank for the whole stream."
    )
    roam_status = forms.ChoiceField(
        label="ROAM status",
        choices=RoamStatus.choices,
        help_text="Resolved: no longer a risk. Owned: someone takes it on. Accepted: we live with "
        "it. Mitigated: a plan reduces it.",
    )
    owner = PersonChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="No owner yet",
        help_text="Who watches the risk and acts on it.",
    )
    description = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Impact, likelihood and what is being done.",
    )

    def __init__(self, *args, user, instance: Risk | None = None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self._pick_epic(
            "epic", user, current_id=instance and instance.epic_id, empty_label="No epic (the whole stream)"
        )
        streams = ValueStream.objects.filter(active=True).only("id", "name").order_by("name")
        stream_ids = writable_stream_ids(user, record=True)
        if stream_ids is not None:
            streams = streams.filter(id__in=stream_ids)
        self.fields["value_stream"].widget.choices = [
            ("", "The epic's value stream"),
            *((s.id, s.name) for s in streams),
        ]
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("epic") is None and data.get("value_stream") is None:
            self.add_error("value_stream", "Choose the value stream or the epic the risk is on.")
        return data


class DependencyForm(_PartForm):
    """`epic` waits for `depends_on`."""

    record = True

    epic = forms.ModelChoiceField(queryset=Epic.objects.all(), help_text="The epic that waits.")
    depends_on = forms.ModelChoiceField(
        queryset=Epic.objects.all(), help_text="The epic it waits for (any value stream)."
    )
    needed_by = _date("Needed by", "The day the other epic's part must be ready.")
    description = forms.CharField(
        max_length=500, required=False, help_text="What exactly is needed from the other epic."
    )
    resolved = forms.BooleanField(required=False, help_text="Tick when the dependency no longer blocks anything.")

    def __init__(self, *args, user, instance: Dependency | None = None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self._pick_epic(
            "epic", user, current_id=instance and instance.epic_id, empty_label="Choose the epic that waits"
        )
        self._pick_epic(
            "depends_on",
            user,
            current_id=instance and instance.depends_on_id,
            empty_label="Choose the epic it waits for",
            any_stream=True,
        )
