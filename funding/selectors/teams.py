"""Reads for teams (capacity in a quarter) and epics' cost estimates."""

from django.db.models import BigIntegerField, ExpressionWrapper, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.models import Team
from funding.selectors.money import quarter_days
from funding.selectors.sprints import sprint_rows
from portfolio.models import Epic, Quarter


def team_capacity_subquery(quarter: Quarter):
    """Sum over a stream's active teams of (quarter days // sprint length) x cost per sprint."""
    days = quarter_days(quarter)
    teams = (
        Team.objects.filter(value_stream=OuterRef("pk"), active=True)
        .order_by()
        .values("value_stream")
        .annotate(
            total=Sum(
                ExpressionWrapper(
                    (Value(days) / F("sprint_length_days")) * F("cost_per_sprint_cents"),
                    output_field=BigIntegerField(),
                )
            )
        )
        .values("total")
    )
    return Coalesce(Subquery(teams, output_field=BigIntegerField()), Value(0))


def team_list(*, quarter: Quarter | None = None):
    """Teams with their value stream; with a quarter, `sprints_in_quarter` and `capacity_cents`.

    Sprints in a quarter = the quarter's days // sprint length (whole sprints only).
    """
    rows = Team.objects.select_related("value_stream").prefetch_related("members")
    if quarter is not None:
        days = quarter_days(quarter)
        rows = rows.annotate(
            sprints_in_quarter=ExpressionWrapper(Value(days) / F("sprint_length_days"), output_field=IntegerField())
        ).annotate(
            capacity_cents=ExpressionWrapper(
                F("sprints_in_quarter") * F("cost_per_sprint_cents"), output_field=BigIntegerField()
            )
        )
    return rows


def epic_estimates(*, value_stream_id=None):
    """Epics with their estimate shown both ways: money, and sprints of a team.

    Entered as sprints: that team and count. Entered as money: the equivalent in sprints of the
    stream's largest-cost active team, `equivalent_tenths` (tenths of a sprint, rounded down),
    computed by the database.
    """
    reference = Team.objects.filter(value_stream=OuterRef("value_stream"), active=True, cost_per_sprint_cents__gt=0)
    reference = reference.order_by("-cost_per_sprint_cents", "id")
    rows = (
        Epic.objects.open()
        .select_related("value_stream", "funding_estimate__team")
        .annotate(
            reference_team=Subquery(reference.values("name")[:1]),
            reference_cost=Subquery(reference.values("cost_per_sprint_cents")[:1], output_field=BigIntegerField()),
        )
        .annotate(
            equivalent_tenths=ExpressionWrapper(
                F("estimated_cost_cents") * 10 / F("reference_cost"), output_field=BigIntegerField()
            )
        )
        .order_by("value_stream__name", "key")
    )
    if value_stream_id:
        rows = rows.filter(value_stream_id=value_stream_id)
    return rows


def team_sprints(*, team_id: int | None = None):
    """Sprints (newest first) with their team, the ids of their work items (one prefetch
    query, whatever the number of sprints) and their `committed` and `done` size."""
    rows = sprint_rows().select_related("team", "team__value_stream").prefetch_related("work_items")
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    return rows.order_by("-start", "-id")


def teams_of_value_streams(*, value_stream_ids=None):
    """Active teams, with their value stream, ordered by stream and name (for choices and the
    release trains and roles that name them); all streams when `value_stream_ids` is None."""
    teams = Team.objects.filter(active=True).select_related("value_stream").order_by("value_stream__name", "name")
    if value_stream_ids is not None:
        teams = teams.filter(value_stream_id__in=value_stream_ids)
    return teams
