"""Demo data for delivery modes (issue 18): the agile streams' sprints get their commitments.

`seed_sprints` links each sprint to the work items that finished inside it, so from work items
alone every sprint would have done all it committed (say/do 100 %). Real teams over-commit now
and then: each sprint of an agile stream's team gets a typed committed size = its done size
from work items + a deterministic stretch (0 to 5, by the sprint's order), so the demo shows
say/do ratios between about 60 % and 100 % and a burn-up whose lines part. Idempotent: the
same sprints get the same sizes on every run; one read and one bulk update, whatever the count.
"""

from funding.models import TeamSprint
from funding.selectors.sprints import sprint_rows
from portfolio.models import DeliveryMode

# Extra size committed beyond what got done, cycling over a team's sprints in date order.
STRETCH = (2, 0, 4, 1, 3, 0, 5, 1)


def seed_agile_commitments(ctx) -> None:
    streams = [vs.id for vs in ctx.value_streams if vs.delivery_mode == DeliveryMode.AGILE]
    rows = (
        sprint_rows()
        .filter(team__value_stream_id__in=streams)
        .order_by("team_id", "start", "id")
        .values_list("id", "team_id", "items_done")
    )
    updates, position, last_team = [], 0, None
    for sprint_id, team_id, done in rows:  # building demo rows, not computing a figure
        position = 0 if team_id != last_team else position + 1
        last_team = team_id
        updates.append(TeamSprint(id=sprint_id, committed_size=done + STRETCH[position % len(STRETCH)]))
    TeamSprint.objects.bulk_update(updates, ["committed_size"], batch_size=500)
