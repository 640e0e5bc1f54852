"""Participatory budgeting pages: the sessions, a session (a participant's table board, polled
every few seconds; the director's controls; the outcome once closed), and their writes.

A participant's board shows their table only; the outcome shows every table once closed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from funding import services
from funding.forms import PBCommentForm, PBPledgeForm, PBSessionForm
from funding.models import PBSessionStatus
from funding.selectors.budgets import budget_for_quarter
from funding.selectors.participatory import pb_outcome, pb_seat, pb_sessions_visible, pb_table_board
from funding.services.common import require_director
from funding.services.participatory import OFFERABLE_STATES
from funding.views.common import form_post, saved
from portfolio.models import Epic
from portfolio.permissions import can_manage_funding
from portfolio.selectors.base import quarter_from_code


def _offerable():
    return Epic.objects.filter(state__in=OFFERABLE_STATES, estimated_cost_cents__gt=0).order_by("key")


def pb_index(request):
    quarter = quarter_from_code(code=request.GET.get("quarter"))
    budget = budget_for_quarter(quarter=quarter) if quarter else None
    form = PBSessionForm(request.POST or None, epics=_offerable())

    def page(_errors=()):
        context = {
            "quarter": quarter,
            "budget": budget,
            "sessions": pb_sessions_visible(user=request.user),
            "form": form,
            "can_fund": can_manage_funding(request.user),
        }
        return render(request, "funding/pb_index.html", context, status=400 if form.errors else 200)

    if request.method != "POST":
        return page()
    require_director(request.user)
    if budget is None:
        raise Http404("This quarter has no budget.")

    def write(data):
        return services.pb_session_create(
            user=request.user,
            budget=budget,
            name=data["name"],
            money_cents=data["money"],
            share_cents=data["share"],
            epic_ids=[e.pk for e in data["epics"]],
            tables=data["tables"],
            caps=data["caps"],
            ends_at=data["ends_at"],
        )

    return form_post(form=form, write=write, refused=page, done=lambda s: redirect("funding-pb", session_id=s.pk))


def _session_or_404(request, session_id: int):
    # Not visible is not found: a running session's existence is the participants' business.
    return get_object_or_404(pb_sessions_visible(user=request.user), pk=session_id)


def _render(request, session, *, partial: str = "", error: str = "", status: int = 200):
    seat = pb_seat(user=request.user, session=session)
    is_open = session.status == PBSessionStatus.OPEN
    context = {
        "session": session,
        "seat": seat,
        "board": pb_table_board(session=session, seat=seat) if seat and is_open else None,
        "outcome": None if is_open else pb_outcome(session=session),
        "can_fund": can_manage_funding(request.user),
        "error": error,
    }
    template = "funding/pb_session.html" + (f"#{partial}" if partial else "")
    return render(request, template, context, status=status)


def pb_session(request, session_id: int):
    return _render(request, _session_or_404(request, session_id))


def pb_board(request, session_id: int):
    """The table board alone, for the polling (every 3 s) that shows the pooled figures live."""
    session = _session_or_404(request, session_id)
    if pb_seat(user=request.user, session=session) is None:
        raise PermissionDenied("Only participants see a table.")
    return _render(request, session, partial="board")


def _board_post(request, session, *, form, write):
    def refused(errors):
        if request.htmx:
            return _render(request, session, partial="board", error=" ".join(errors))
        return _render(request, session, error=" ".join(errors), status=400)

    def done(_result):
        if request.htmx:
            return _render(request, session, partial="board")
        return redirect("funding-pb", session_id=session.pk)

    return form_post(form=form, write=write, refused=refused, done=done)


@require_POST
def pb_pledge(request, session_id: int):
    session = _session_or_404(request, session_id)
    return _board_post(
        request,
        session,
        form=PBPledgeForm(request.POST),
        write=lambda data: services.pb_pledge_set(
            user=request.user, session=session, offer_id=data["offer"], amount_cents=data["amount"]
        ),
    )


@require_POST
def pb_comment(request, session_id: int):
    session = _session_or_404(request, session_id)
    return _board_post(
        request,
        session,
        form=PBCommentForm(request.POST),
        write=lambda data: services.pb_comment_add(
            user=request.user, session=session, offer_id=data["offer"], body=data["body"]
        ),
    )


@require_POST
def pb_director_action(request, session_id: int, action: str):
    """Close the round, close the session, or turn the outcome into a scenario (directors)."""
    session = _session_or_404(request, session_id)
    require_director(request.user)
    write = {
        "round-close": services.pb_round_close,
        "close": services.pb_session_close,
        "scenario": services.pb_scenario_create,
    }[action]

    def refused(errors):
        messages.error(request, " ".join(errors))
        return redirect("funding-pb", session_id=session.pk)

    def done(result):
        if action == "scenario":
            return saved(
                request,
                "The outcome is a scenario: compare it, then commit it.",
                "funding-scenario",
                scenario_id=result.pk,
            )
        return saved(
            request,
            "Round closed." if action == "round-close" else "Session closed.",
            "funding-pb",
            session_id=session.pk,
        )

    return form_post(form=None, write=lambda _: write(user=request.user, session=session), refused=refused, done=done)
