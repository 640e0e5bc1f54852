"""Reading the simple-history tables as of a date: the plumbing every app's as-of selector uses.

`?as_of=YYYY-MM-DD` means "at the end of that day" in the installation's TIME_ZONE: every change
before the next midnight counts (a change at 23:59 does, one at 00:01 the day after does not).
The state of each row then is its latest history row before that instant (ties on the date go
to the higher history id), found by the database as an anti-join (`NOT EXISTS` a later row):
one set-based query whatever the number of rows or history rows; a row whose latest history
row is a deletion ("-") did not exist then.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone


def as_of_date(raw: str | None) -> dt.date | None:
    """The `as_of` query parameter as a date (None when absent); a clear error otherwise."""
    if raw is None or raw == "":
        return None
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({"as_of": "Give a date as YYYY-MM-DD."})
    if day > timezone.localdate():
        raise ValidationError({"as_of": "The past only: that date has not ended yet."})
    return day


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant the day ends (the next midnight) in the installation's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def history_as_of(model, *, day: dt.date, queryset: QuerySet | None = None, numbered: bool = False) -> QuerySet:
    """The history rows of `model` that hold each object's state at the end of `day`.

    `numbered` picks the same rows another way, for a long history with an index on
    (id, history_date, history_id) (the epics'): the rows before the day are numbered per
    object newest first from that index alone and only each object's first is read. The
    anti-join reads every history row before the day from the table (with 20 rows per epic,
    ~20x the rows it keeps) and PostgreSQL misjudges how many survive it."""
    history = model.history.model
    before = end_of_day(day)
    rows = history.objects.all() if queryset is None else queryset
    if numbered:
        newest_first = [F("history_date").desc(), F("history_id").desc()]
        latest = (
            history.objects.filter(history_date__lt=before)
            .annotate(newest=Window(RowNumber(), partition_by=[F("id")], order_by=newest_first))
            .filter(newest=1)
            .values("history_id")
        )
        return rows.filter(history_id__in=latest).exclude(history_type="-")
    later = history.objects.filter(id=OuterRef("id"), history_date__lt=before).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return rows.filter(history_date__lt=before).filter(~Exists(later)).exclude(history_type="-")


def page_as_of(request) -> dt.date | None:
    """`?as_of=` of a page: a date, None when absent; a bad one is a 400 (`BadRequest`)."""
    from django.core.exceptions import BadRequest

    try:
        return as_of_date(request.GET.get("as_of"))
    except ValidationError as exc:
        raise BadRequest(exc.message_dict["as_of"][0]) from None


@dataclass(frozen=True)
class Change:
    """One recorded change of a tracked row: what changed from what to what, who, when."""

    id: int
    label: str
    when: dt.datetime
    who: str
    kind: str  # "created", "changed", "deleted"
    fields: dict  # field name -> (old, new); empty for created / deleted
    reason: str


def history_changes(
    model,
    *,
    start: dt.datetime,
    end: dt.datetime,
    fields: list[str],
    label: str,
    queryset=None,
    limit: int = 500,
    shown: dict | None = None,
) -> list[Change]:
    """Changes of `fields` recorded in (start, end], newest first, with who and when.

    One query: the history rows in the window, each with the previous value of every field
    annotated by a subquery (its previous history row, whenever it was), and the user joined.
    Rows that changed none of `fields` (other fields were saved) are left out. `shown` maps a
    field to (the name shown, a function that formats its values), e.g. cents as money.
    """
    shown = shown or {}
    history = model.history.model
    rows = history.objects.all() if queryset is None else queryset

    def prev(name):
        return Subquery(
            history.objects.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values(name)[:1]
        )

    attnames = {name: history._meta.get_field(name).attname for name in fields}
    rows = (
        rows.filter(history_date__gt=start, history_date__lte=end)
        .select_related("history_user")
        .annotate(**{f"prev_{name}": prev(attname) for name, attname in attnames.items()})
        .order_by("-history_date", "-history_id")[:limit]
    )
    changes = []
    for row in rows:
        kind = {"+": "created", "-": "deleted"}.get(row.history_type, "changed")
        diff = {
            name: (getattr(row, f"prev_{name}"), getattr(row, attname))
            for name, attname in attnames.items()
            if getattr(row, f"prev_{name}") != getattr(row, attname)
        }
        if kind == "changed" and not diff:
            continue
        user = row.history_user
        changes.append(
            Change(
                id=row.id,
                label=label.format(row=row),
                when=row.history_date,
                who=(user.get_full_name() or user.username) if user else "system",
                kind=kind,
                fields={shown.get(n, (n, None))[0]: _formatted(shown, n, v) for n, v in diff.items()}
                if kind == "changed"
                else {},
                reason=row.history_change_reason or "",
            )
        )
    return changes


def _formatted(shown: dict, name: str, values: tuple) -> tuple:
    fmt = shown.get(name, (name, None))[1]
    if fmt is None:
        return values
    return tuple(None if v is None else fmt(v) for v in values)
