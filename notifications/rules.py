"""The notification rules: each asks one app's selector (a database query) what needs
attention and says who should hear of it, under a key that names the event.

The key is what makes a run idempotent (one notice per event and user, `Notification`'s unique
constraint), so it carries what would make the event a new one: an action item's due day (a
new due day that passes again is a new event), a key result's last check-in, a month.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from funding.selectors.actuals import cost_reconciliation
from funding.selectors.guardrails import guardrail_drift
from notifications.models import NoticeKind
from okrs.selectors import key_results_awaiting_check_in
from portfolio import roles
from portfolio.money import format_amount
from portfolio.selectors.attention import (
    epics_awaiting_go_decision,
    user_ids_with_role,
    value_stream_manager_ids,
    value_streams_without_release,
)
from portfolio.selectors.base import quarter_current
from vmo.selectors.attention import action_items_overdue, rollups_delayed, rollups_stale


@dataclass(frozen=True)
class Notice:
    kind: str
    key: str
    user_ids: tuple[int, ...]
    title: str
    body: str = ""
    url: str = ""


class Recipients:
    """Who hears of what: directors, a stream's managers. Each list is read once per run."""

    def __init__(self) -> None:
        self._directors: tuple[int, ...] | None = None

    @property
    def directors(self) -> tuple[int, ...]:
        if self._directors is None:
            self._directors = tuple(user_ids_with_role(role=roles.DIRECTOR))
        return self._directors

    def managers(self, value_stream_ids) -> dict[int, tuple[int, ...]]:
        return {vs: tuple(ids) for vs, ids in value_stream_manager_ids(value_stream_ids=value_stream_ids).items()}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def guardrail_drift_notices(*, today: dt.date, people: Recipients) -> list[Notice]:
    """Investment types of the current quarter beyond the guardrail's tolerance (directors)."""
    quarter = quarter_current(today=today)
    if quarter is None:
        return []
    return [
        Notice(
            kind=NoticeKind.GUARDRAIL_DRIFT,
            key=f"guardrail_drift:{quarter.code}:{row.investment_type}",
            user_ids=people.directors,
            title=f"{row.label} is at {row.actual_pct}% of {quarter.code}'s committed work, planned {row.planned_pct}%",
            body="The investment mix strays beyond the guardrail's tolerance.",
            url=reverse("funding-home"),
        )
        for row in guardrail_drift(quarter=quarter)
    ]


def cost_deviation_notices(*, today: dt.date, people: Recipients) -> list[Notice]:
    """Completed months of the last few in which a stream's labour spend strays from its teams'
    cost beyond the guardrail's tolerance (directors and the stream's managers)."""
    first_of_month = today.replace(day=1)
    start = _add_months(first_of_month, -settings.NOTIFY_COST_MONTHS)
    end = first_of_month - dt.timedelta(days=1)
    flagged = [
        row for row in cost_reconciliation(start=start, end=end, quarter=quarter_current(today=today)) if row.flagged
    ]
    managers = people.managers({row.value_stream_id for row in flagged})
    return [
        Notice(
            kind=NoticeKind.COST_DEVIATION,
            key=f"cost_deviation:{row.value_stream_id}:{row.month:%Y-%m}",
            user_ids=tuple(sorted(set(people.directors) | set(managers.get(row.value_stream_id, ())))),
            title=f"Labour spend of {row.month:%B %Y} strays from the team cost",
            body=(
                f"Labour {format_amount(row.labour_cents)} against a team cost of "
                f"{format_amount(row.team_cost_cents)} (tolerance {row.tolerance_pct}%)."
            ),
            url=reverse("funding-spend"),
        )
        for row in flagged
    ]


def action_overdue_notices(*, today: dt.date, people: Recipients) -> list[Notice]:
    """Overdue open action items (their owner)."""
    return [
        Notice(
            kind=NoticeKind.ACTION_OVERDUE,
            key=f"action_overdue:{row['id']}:{row['due']:%Y-%m-%d}",
            user_ids=(row["owner_id"],),
            title=f"Action item overdue since {row['due']:%Y-%m-%d}: {row['title']}",
            url=reverse("vmo-home"),
        )
        for row in action_items_overdue(today=today)
    ]


def kr_check_in_notices(*, today: dt.date, people: Recipients) -> list[Notice]:
    """Key results of the current quarter without a check-in for N days (their owner)."""
    quarter = quarter_current(today=today)
    if quarter is None:
        return []
    days = settings.NOTIFY_KR_CHECK_IN_DAYS
    notices = []
    for row in key_results_awaiting_check_in(quarter=quarter, before=today - dt.timedelta(days=days)):
        last = row["last_check_in"]
        notices.append(
            Notice(
                kind=NoticeKind.KR_CHECK_IN,
                key=f"kr_check_in:{row['id']}:{last:%Y-%m-%d}" if last else f"kr_check_in:{row['id']}:never",
                user_ids=(row["owner_id"],),
                title=f"No check-in for {days} days: {row['title']}",
                body=f"Last check-in {last:%Y-%m-%d}." if last else "Never checked in.",
                url=reverse("okrs-key-result", args=[row["id"]]),
            )
        )
    return notices


def go_decision_notices(*, today: dt.date, people: Recipients) -> list[Notice]:
    """Epics waiting for a go decision (directors)."""
    return [
        Notice(
            kind=NoticeKind.GO_DECISION,
            key=f"go_decision:{row['id']}",
            user_ids=people.directors,
            title=f"{row['key']} waits for a go decision: {row['title']}",
            url=reverse("kanban-epic", args=[row["key"]]),
        )
        for row in epics_awaiting_go_decision()
    ]


def no_release_notices(*, today: dt.date, people: Recipients) -> list[Notice]:
    """Value streams without a released MMP/MVP for N days (their managers and directors)."""
    days = settings.NOTIFY_NO_RELEASE_DAYS
    rows = list(value_streams_without_release(since=today - dt.timedelta(days=days)))
    managers = people.managers({row["id"] for row in rows})
    notices = []
    for row in rows:
        last = row["last_release"]
        notices.append(
            Notice(
                kind=NoticeKind.NO_RELEASE,
                key=f"no_release:{row['id']}:{last:%Y-%m-%d}" if last else f"no_release:{row['id']}:never",
                user_ids=tuple(sorted(set(people.directors) | set(managers.get(row["id"], ())))),
                title=f"{row['name']} has released no user value for {days} days",
                body=f"Last release {last:%Y-%m-%d}." if last else "Nothing released yet.",
                url=reverse("value-stream-detail", args=[row["slug"]]),
            )
        )
    return notices


def rollup_notices(*, now: dt.datetime, people: Recipients) -> list[Notice]:
    """Rollups waiting in the outbox past the warning delay (failed or not run) and streams
    whose newest snapshot is older than the stale age (directors)."""
    notices = [
        Notice(
            kind=NoticeKind.ROLLUP,
            key=f"rollup_delayed:{row['value_stream_id']}:{row['due_since']:%Y-%m-%dT%H:%M}",
            user_ids=people.directors,
            title=f"The rollup of {row['name']} has waited since {row['due_since']:%Y-%m-%d %H:%M}",
            body="The background worker did not run it: check the worker and the broker.",
            url=reverse("overview"),
        )
        for row in rollups_delayed(now=now)
    ]
    hours = settings.NOTIFY_ROLLUP_STALE_HOURS
    for row in rollups_stale(now=now, max_age=dt.timedelta(hours=hours)):
        last = row["last_computed"]
        notices.append(
            Notice(
                kind=NoticeKind.ROLLUP,
                key=f"rollup_stale:{row['id']}:{last:%Y-%m-%dT%H:%M}" if last else f"rollup_stale:{row['id']}:never",
                user_ids=people.directors,
                title=f"The figures of {row['name']} are stale",
                body=f"Last computed {last:%Y-%m-%d %H:%M}." if last else "Never computed.",
                url=reverse("value-stream-detail", args=[row["slug"]]),
            )
        )
    return notices


def all_notices(*, now: dt.datetime, today: dt.date) -> list[Notice]:
    """Every rule's notices of this moment."""
    people = Recipients()
    return [
        *guardrail_drift_notices(today=today, people=people),
        *cost_deviation_notices(today=today, people=people),
        *action_overdue_notices(today=today, people=people),
        *kr_check_in_notices(today=today, people=people),
        *go_decision_notices(today=today, people=people),
        *no_release_notices(today=today, people=people),
        *rollup_notices(now=now, people=people),
    ]
