"""OKR pages: the quarter's tree at `/okrs/`, a KR page, the htmx quick check-in."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.history import page_as_of
from okrs import services
from okrs.forms import BenefitKeyResultForm, CheckInForm, KeyResultForm, ObjectiveForm
from okrs.models import KeyResult, Objective, ObjectiveLevel
from okrs.permissions import can_manage_objective, can_manage_objective_scope
from okrs.selectors import key_result_detail, key_result_row, key_result_target_history, objective_scored, okr_tree
from portfolio.models import Epic, Quarter, ValueStream
from portfolio.permissions import can_manage_value_stream, is_director, managed_value_stream_ids
from portfolio.selectors.base import quarter_from_code


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field messages on their fields, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def _editable(user):
    """(director?, managed stream ids): what the page may offer this user, in one query."""
    director = is_director(user)
    return director, set() if director else managed_value_stream_ids(user)


def _can_edit(objective, director: bool, managed: set[int]) -> bool:
    if director:
        return True
    return objective.value_stream_id is not None and objective.value_stream_id in managed


def okrs_home(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    stream = None
    if request.GET.get("value_stream"):
        stream = ValueStream.objects.filter(slug=request.GET["value_stream"]).first()
    as_of = page_as_of(request)
    tree = okr_tree(quarter=quarter, value_stream_id=stream.id if stream else None, as_of=as_of) if quarter else None
    director, managed = _editable(request.user)
    if as_of:  # the past is read-only
        director, managed = False, set()
    if tree:
        for node in [*tree.portfolio, *tree.unaligned, *[c for n in tree.portfolio for c in n.children]]:
            node.editable = _can_edit(node.objective, director, managed)
            for kr in node.key_results:
                kr.editable = node.editable
    return render(
        request,
        "okrs/home.html",
        {
            "quarter": quarter,
            "quarters": Quarter.objects.order_by("-start"),
            "value_streams": ValueStream.objects.active(),
            "selected_stream": stream,
            "tree": tree,
            "check_in_form": CheckInForm(),
            "can_add_objective": director or bool(managed),
            "as_of": as_of,
            "as_of_enabled": True,
            "can_check_in": director or bool(managed),
        },
    )


@require_POST
def key_result_check_in(request, pk: int):
    """Record a check-in; for htmx, answer the KR row plus the objective's score (out of band)."""
    key_result = get_object_or_404(KeyResult.objects.select_related("objective"), pk=pk)
    if not can_manage_objective(request.user, key_result.objective):
        raise PermissionDenied("Only the managers of this value stream (or directors) check in on its key results.")
    form = CheckInForm(request.POST)
    errors = None
    if form.is_valid():
        try:
            services.check_in_record(key_result=key_result, author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items()]
    if request.htmx:
        kr = key_result_row(key_result_id=pk)
        kr.editable = True
        response = render(
            request,
            "okrs/home.html#kr-row",
            {
                "kr": kr,
                "check_in_form": CheckInForm(),
                "errors": errors,
                "oob_objective": objective_scored(objective_id=key_result.objective_id),
            },
        )
        # Errors come back in the row itself (200), as htmx does not swap 4xx answers by default.
        return response
    if errors:
        kr, check_ins = key_result_detail(key_result_id=pk)
        return render(
            request,
            "okrs/key_result_detail.html",
            _detail_context(request, kr, check_ins, form=form, errors=errors),
            status=400,
        )
    return redirect(f"{reverse('okrs-home')}?quarter={key_result.objective.quarter.code}#kr-{pk}")


def _detail_context(request, kr, check_ins, *, form=None, errors=None):
    # Dates go out as ISO strings; the script puts them on a linear axis of days (to scale, no
    # date adapter needed) spanning the quarter, so a gap between check-ins shows as a gap.
    quarter = kr.objective.quarter
    chart = {
        "labels": [c.date.isoformat() for c in check_ins],
        "start": quarter.start.isoformat(),
        "end": quarter.end.isoformat(),
        "values": [float(c.value) for c in check_ins],
        "grades": [c.grade for c in check_ins],
        "baseline": float(kr.baseline),
        "target": float(kr.target),
        "unit": kr.unit,
    }
    return {
        "kr": kr,
        "target_history": key_result_target_history(key_result_id=kr.id),
        "check_ins": check_ins,
        "chart": chart,
        "can_edit": can_manage_objective(request.user, kr.objective),
        "check_in_form": form or CheckInForm(),
        "errors": errors,
    }


def key_result_page(request, pk: int):
    try:
        kr, check_ins = key_result_detail(key_result_id=pk)
    except KeyResult.DoesNotExist:
        raise Http404("No such key result.") from None
    return render(request, "okrs/key_result_detail.html", _detail_context(request, kr, check_ins))


def key_result_new(request, objective_pk: int):
    """Add a key result to an objective; a target equal to the baseline is refused with a message."""
    objective = get_object_or_404(Objective.objects.select_related("quarter", "value_stream"), pk=objective_pk)
    if not can_manage_objective_scope(request.user, level=objective.level, value_stream_id=objective.value_stream_id):
        raise PermissionDenied("Only the owners of this objective's scope may add key results.")
    form = KeyResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kr = services.key_result_create(objective=objective, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("okrs-key-result", pk=kr.pk)
    return render(
        request,
        "okrs/key_result_form.html",
        {"objective": objective, "form": form},
        status=400 if form.errors else 200,
    )


def objective_new(request):
    """A new objective for a quarter: directors at portfolio or any stream's level, a VSM for
    the streams they manage."""
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    if quarter is None:
        raise Http404("No quarter to plan.")
    director, managed = _editable(request.user)
    if not director and not managed:
        raise PermissionDenied("Directors and value stream managers write objectives.")
    form = ObjectiveForm(request.POST or None)
    streams = ValueStream.objects.active()
    form.fields["value_stream"].queryset = streams if director else streams.filter(id__in=managed)
    form.fields["parent"].queryset = Objective.objects.filter(quarter=quarter, level=ObjectiveLevel.PORTFOLIO)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["level"] == ObjectiveLevel.PORTFOLIO:
            data["value_stream"], data["parent"] = None, None
            if not director:
                raise PermissionDenied("Portfolio objectives are the directors'.")
        # A value-stream objective's stream is limited to the user's streams by the form's
        # choices; a missing one is refused by the service with a message.
        try:
            objective = services.objective_create(quarter=quarter, owner=request.user, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect(f"{reverse('okrs-home')}?quarter={quarter.code}#objective-{objective.pk}")
    return render(
        request,
        "okrs/objective_form.html",
        {"quarter": quarter, "form": form},
        status=400 if form.errors else 200,
    )


def key_result_edit(request, pk: int):
    """Change a key result's definition (its history keeps the old baseline and target)."""
    kr = get_object_or_404(KeyResult.objects.select_related("objective__quarter", "objective__value_stream"), pk=pk)
    if not can_manage_objective(request.user, kr.objective):
        raise PermissionDenied("Only the owners of this objective's scope may change its key results.")
    initial = {name: getattr(kr, name) for name in KeyResultForm.base_fields}
    form = KeyResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_update(key_result=kr, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("okrs-key-result", pk=kr.pk)
    return render(
        request,
        "okrs/key_result_form.html",
        {"objective": kr.objective, "form": form, "key_result": kr},
        status=400 if form.errors else 200,
    )


@require_POST
def epic_benefit_key_result(request, key: str):
    """The epic page's "serves key result" form: tie a benefit to a key result (or untie it), then
    back to the epic page; bad input answers 400 with the form and its errors."""
    epic = get_object_or_404(Epic, key=key)
    if not can_manage_value_stream(request.user, epic.value_stream_id):
        raise PermissionDenied("Only managers of this value stream and VMO directors may change its benefits.")
    form = BenefitKeyResultForm(request.POST, epic=epic)
    if form.is_valid():
        try:
            services.benefit_key_result_set(user=request.user, **form.cleaned_data)
            return redirect("kanban-epic", key=epic.key)
        except ValidationError as exc:
            _add_errors(form, exc)
    return render(request, "okrs/benefit_key_result.html", {"epic": epic, "form": form}, status=400)
