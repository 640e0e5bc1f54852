"""Pages for people in their roles, impediments, customer feedback and release trains
(issue 20): `/vmo/impediments/`, `/vmo/feedback/`, `/vmo/executive-action-team/`, the people
and trains panel of the value stream page, and `/vmo/increments/<id>/`.

A view parses the form, calls one service (the permission gate: its PermissionDenied is a 403)
and redirects; bad input or a refused rule shows the page again with the messages and a 400.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portfolio.models import ValueStream
from portfolio.permissions import is_value_stream_manager
from portfolio.selectors.base import quarter_current, quarter_from_code
from vmo.forms_people import (
    ExecutiveActionTeamForm,
    FeedbackForm,
    ImpedimentForm,
    ImpedimentResolveForm,
    PIObjectiveForm,
    PIObjectiveScoreForm,
    ProgramIncrementForm,
    ReleaseTrainForm,
    StreamRoleForm,
)
from vmo.models_people import Impediment, PIObjective, ProgramIncrement, ReleaseTrain, StreamRole
from vmo.permissions import (
    can_assign_stream_roles,
    can_change_impediment,
    can_escalate_impediment,
    can_keep_executive_action_team,
    can_raise_impediment,
    can_run_events,
)
from vmo.selectors.people import (
    customer_feedback_list,
    executive_action_team_of,
    impediment_list,
    increment_detail,
)
from vmo.services import people as services

FEEDBACK_LIMIT = 200


def _post(request, *, form, write: Callable, again: Callable, to: str, done: str, **kwargs):
    """Valid form -> one service -> redirect with `done`; else the page again with a 400."""
    if form is None or form.is_valid():
        try:
            write(form.cleaned_data if form is not None else {})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
            return redirect(to, **kwargs)
    response = again(form)
    response.status_code = 400
    return response


# --- impediments --------------------------------------------------------------------------------


def _impediments_page(request, form=None):
    impediments = list(impediment_list()[:500])
    for item in impediments:  # rights from ids already loaded: no query per row
        item.changeable = item.resolved_on is None and can_change_impediment(request.user, item)
    return render(
        request,
        "vmo/impediments.html",
        {
            "impediments": impediments,
            "form": form or ImpedimentForm(),
            "can_raise": can_raise_impediment(request.user),
            "can_escalate": can_escalate_impediment(request.user),
        },
    )


def impediments(request):
    if request.method != "POST":
        return _impediments_page(request)
    form = ImpedimentForm(request.POST)
    return _post(
        request,
        form=form,
        write=lambda data: services.impediment_raise(user=request.user, **data),
        again=lambda f: _impediments_page(request, f),
        to="vmo-impediments",
        done="Impediment raised.",
    )


def _back(request) -> str:
    """Where an impediment's button was pressed (the VMO sync, the team's page), if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("vmo-impediments")


@require_POST
def impediment_escalate(request, pk: int):
    impediment = get_object_or_404(Impediment, pk=pk)
    return _post(
        request,
        form=None,
        write=lambda _: services.impediment_escalate(user=request.user, impediment=impediment),
        again=lambda _: _impediments_page(request),
        to=_back(request),
        done="Escalated to the executive action team.",
    )


@require_POST
def impediment_resolve(request, pk: int):
    impediment = get_object_or_404(Impediment, pk=pk)
    return _post(
        request,
        form=ImpedimentResolveForm(request.POST),
        write=lambda data: services.impediment_resolve(user=request.user, impediment=impediment, **data),
        again=lambda _: _impediments_page(request),
        to=_back(request),
        done="Impediment resolved.",
    )


# --- customer feedback --------------------------------------------------------------------------


def _feedback_page(request, form=None):
    return render(
        request,
        "vmo/feedback.html",
        {
            "notes": list(customer_feedback_list()[:FEEDBACK_LIMIT]),
            "form": form or FeedbackForm(),
            # The form is for those who may record on some stream; the service checks the epic's.
            "can_record": can_run_events(request.user) or is_value_stream_manager(request.user),
        },
    )


def feedback(request):
    if request.method != "POST":
        return _feedback_page(request)
    form = FeedbackForm(request.POST)
    return _post(
        request,
        form=form,
        write=lambda data: services.customer_feedback_record(user=request.user, **data),
        again=lambda f: _feedback_page(request, f),
        to="vmo-feedback",
        done="Feedback recorded.",
    )


# --- the executive action team -------------------------------------------------------------------


def _eat_page(request, quarter, form=None):
    team = executive_action_team_of(quarter=quarter) if quarter else None
    if form is None and team is not None:
        form = ExecutiveActionTeamForm(initial={"charter": team.charter, "members": list(team.members.all())})
    return render(
        request,
        "vmo/executive_action_team.html",
        {
            "quarter": quarter,
            "team": team,
            "members": list(team.members.all()) if team else [],
            "obstacles": list(impediment_list().filter(escalated_to=team)) if team else [],
            "form": form or ExecutiveActionTeamForm(),
            "can_keep": can_keep_executive_action_team(request.user) and quarter is not None,
        },
    )


def executive_action_team(request):
    quarter = quarter_from_code(code=request.GET.get("quarter")) or quarter_current(today=timezone.localdate())
    if request.method != "POST":
        return _eat_page(request, quarter)
    if quarter is None:
        raise Http404("No quarter.")
    if not can_keep_executive_action_team(request.user):
        raise PermissionDenied("Executives own the executive action team.")
    form = ExecutiveActionTeamForm(request.POST)
    response = _post(
        request,
        form=form,
        write=lambda data: services.executive_action_team_set(user=request.user, quarter=quarter, **data),
        again=lambda f: _eat_page(request, quarter, f),
        to="vmo-executive-action-team",
        done="Executive action team saved.",
    )
    if response.status_code == 302:
        response["Location"] += f"?quarter={quarter.code}"
    return response


# --- roles and trains on the value stream page --------------------------------------------------


def _back_to_stream(request, value_stream):
    # Bad input on the stream's panel: say why on the page it came from (the page is large).
    return redirect("value-stream-detail", slug=value_stream.slug)


def _stream_post(request, value_stream, *, form, write, done):
    if not can_assign_stream_roles(request.user, value_stream.id):
        raise PermissionDenied("Directors and the stream's managers set its roles and trains.")
    response = _post(
        request,
        form=form,
        write=write,
        again=lambda f: _back_to_stream(request, value_stream),
        to="value-stream-detail",
        done=done,
        slug=value_stream.slug,
    )
    if response.status_code == 400:
        if form is not None:
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{field}: {error}" if field != "__all__" else error)
        response.status_code = 302  # post/redirect/get back to the page, which shows the messages
    return response


@require_POST
def stream_role_add(request, slug: str):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    form = StreamRoleForm(request.POST, value_stream_id=value_stream.id)
    return _stream_post(
        request,
        value_stream,
        form=form,
        write=lambda d: services.stream_role_assign(
            user=request.user, value_stream=value_stream, person=d["person"], role=d["role"], team=d["team"]
        ),
        done="Role given.",
    )


@require_POST
def stream_role_remove(request, slug: str, pk: int):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    assignment = get_object_or_404(StreamRole, pk=pk, value_stream=value_stream)
    return _stream_post(
        request,
        value_stream,
        form=None,
        write=lambda _: services.stream_role_remove(user=request.user, assignment=assignment),
        done="Role removed.",
    )


@require_POST
def release_train_add(request, slug: str):
    value_stream = get_object_or_404(ValueStream, slug=slug)
    form = ReleaseTrainForm(request.POST, value_stream_id=value_stream.id)
    return _stream_post(
        request,
        value_stream,
        form=form,
        write=lambda d: services.release_train_create(
            user=request.user, value_stream=value_stream, name=d["name"], teams=list(d["teams"])
        ),
        done="Release train added.",
    )


@require_POST
def program_increment_add(request, pk: int):
    train = get_object_or_404(ReleaseTrain.objects.select_related("value_stream"), pk=pk)
    return _stream_post(
        request,
        train.value_stream,
        form=ProgramIncrementForm(request.POST),
        write=lambda d: services.program_increment_create(user=request.user, train=train, **d),
        done="Program increment added.",
    )


def _increment_page(request, increment, form=None):
    value_stream_id = increment.train.value_stream_id
    return render(
        request,
        "vmo/increment.html",
        {
            "increment": increment,
            "form": form or PIObjectiveForm(value_stream_id=value_stream_id),
            "can_change": can_assign_stream_roles(request.user, value_stream_id),
        },
    )


def _increment(pk):
    try:
        return increment_detail(increment_id=pk)
    except ProgramIncrement.DoesNotExist:
        raise Http404("No such program increment.") from None


def increment(request, pk: int):
    increment = _increment(pk)
    if request.method != "POST":
        return _increment_page(request, increment)
    form = PIObjectiveForm(request.POST, value_stream_id=increment.train.value_stream_id)
    return _post(
        request,
        form=form,
        write=lambda d: services.pi_objective_add(user=request.user, increment=increment, **d),
        again=lambda f: _increment_page(request, increment, f),
        to="vmo-increment",
        done="Objective added.",
        pk=pk,
    )


@require_POST
def pi_objective_score(request, pk: int):
    objective = get_object_or_404(PIObjective.objects.select_related("increment__train"), pk=pk)
    increment = objective.increment
    return _post(
        request,
        form=PIObjectiveScoreForm(request.POST),
        write=lambda d: services.pi_objective_score(user=request.user, objective=objective, **d),
        again=lambda _: _increment_page(request, _increment(increment.pk)),
        to="vmo-increment",
        done="Objective scored.",
        pk=increment.pk,
    )
