"""Teams (fixed cost per sprint, capacity in a quarter) and epics' cost estimates."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from funding import services
from funding.forms import EstimateForm, TeamForm, TeamSprintForm
from funding.models import Team
from funding.selectors.sprints import team_sprint_panel
from funding.selectors.teams import epic_estimates, team_list, team_sprints
from funding.services.common import require_stream_manager
from funding.templatetags.funding_tags import plain_amount
from funding.views.common import form_post, saved, writable_streams
from portfolio.models import Epic, ValueStream
from portfolio.permissions import can_manage_value_stream
from portfolio.selectors.base import quarter_from_code


def team_index(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    writable = writable_streams(request.user)
    form = TeamForm(request.POST or None, value_streams=writable)

    def page(_errors=()):
        teams = team_list(quarter=quarter) if quarter else team_list()
        context = {"teams": teams, "quarter": quarter, "form": form, "can_add": writable.exists()}
        return render(request, "funding/teams.html", context, status=400 if form.errors else 200)

    if request.method != "POST":
        return page()
    return form_post(
        form=form,
        write=lambda data: services.team_create(user=request.user, **data),
        refused=page,
        done=lambda team: saved(request, f"Team {team.name} added.", request.get_full_path()),
    )


def team_edit(request, team_id: int):
    team = get_object_or_404(Team.objects.select_related("value_stream"), pk=team_id)
    require_stream_manager(request.user, team.value_stream_id)  # only who may change it sees the form
    initial = {
        "value_stream": team.value_stream,
        "name": team.name,
        "cost_per_sprint_cents": plain_amount(team.cost_per_sprint_cents),
        "sprint_length_days": team.sprint_length_days,
        "headcount": team.headcount,
        "members": list(team.members.all()),
        "active": team.active,
    }
    form = TeamForm(request.POST or None, initial=initial, value_streams=writable_streams(request.user))

    def page(_errors=()):
        context = {"team": team, "form": form}
        return render(request, "funding/team_edit.html", context, status=400 if form.errors else 200)

    if request.method != "POST":
        return page()
    return form_post(
        form=form,
        write=lambda data: services.team_update(user=request.user, team=team, **data),
        refused=page,
        done=lambda team: saved(request, f"Team {team.name} saved.", "funding-teams"),
    )


def estimate_index(request):
    raw = request.GET.get("value_stream", "")
    value_stream = raw if raw.isdecimal() else None
    context = {
        "epics": epic_estimates(value_stream_id=value_stream),
        "value_streams": ValueStream.objects.filter(active=True),
        "selected": value_stream,
    }
    return render(request, "funding/estimates.html", context)


def estimate_edit(request, epic_id: int):
    epic = get_object_or_404(Epic.objects.select_related("value_stream", "funding_estimate__team"), pk=epic_id)
    require_stream_manager(request.user, epic.value_stream_id)  # only who may estimate sees the form
    teams = Team.objects.filter(active=True).select_related("value_stream").order_by("value_stream__name", "name")
    form = EstimateForm(request.POST or None, teams=teams)

    def page(_errors=()):
        context = {"epic": epic, "estimate": getattr(epic, "funding_estimate", None), "form": form}
        return render(request, "funding/estimate_edit.html", context, status=400 if form.errors else 200)

    def write(data):
        return services.epic_estimate_set(
            user=request.user, epic=epic, amount_cents=data["amount"], team=data["team"], sprints=data["sprints"]
        )

    if request.method != "POST":
        return page()
    return form_post(
        form=form,
        write=write,
        refused=page,
        done=lambda _: saved(request, f"Estimate of {epic.key} saved.", "funding-estimates"),
    )


def team_sprint_index(request, team_id: int):
    """A team's sprints (newest first) and, for the managers of its value stream and directors,
    the form recording one; the service is the permission gate."""
    team = get_object_or_404(Team.objects.select_related("value_stream"), pk=team_id)
    form = TeamSprintForm(request.POST or None)

    def page(_errors=()):
        context = {
            "team": team,
            "sprints": team_sprints(team_id=team.pk)[:100],
            "form": form,
            "can_record": can_manage_value_stream(request.user, team.value_stream_id),
            "panel": team_sprint_panel(team=team, as_of=timezone.localdate()),
        }
        return render(request, "funding/team_sprints.html", context, status=400 if form.errors else 200)

    if request.method != "POST":
        return page()
    require_stream_manager(request.user, team.value_stream_id)  # refused before the form is read

    def write(data):
        return services.team_sprint_record(
            user=request.user,
            team=team,
            start=data["start"],
            end=data["end"],
            cost_cents=data["cost_cents"],
            committed_size=data["committed_size"],
            done_size=data["done_size"],
            **data["work_items"],
        )

    return form_post(
        form=form,
        write=write,
        refused=page,
        done=lambda sprint: saved(request, f"Sprint from {sprint.start} recorded.", request.get_full_path()),
    )
