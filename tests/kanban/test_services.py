"""The move service: entry policies, WIP limits, versions, backward moves, rights."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from funding.models import FundingOverride
from kanban.models import Transition
from kanban.services import MoveConflict, MoveRefused, epic_move
from portfolio.models import Epic, RollupDue
from tests.factories import EpicFactory, UserFactory, WipLimitFactory, ready_epic_fields

pytestmark = pytest.mark.django_db


def _epic(value_stream, *, state="funnel", owner=None, **fields):
    return EpicFactory(value_stream=value_stream, state=state, owner=owner, **fields)


def test_a_move_writes_one_transition_and_bumps_the_version(vsm, value_stream):
    epic = _epic(value_stream, owner=vsm, **ready_epic_fields())

    result = epic_move(epic_id=epic.id, user=vsm, to_state="reviewing", version=1, reason="ready to review")

    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("reviewing", 2)
    assert result.epic.version == 2
    rows = list(Transition.objects.values_list("epic_id", "from_state", "to_state", "by_id", "reason"))
    assert rows == [(epic.id, "funnel", "reviewing", vsm.id, "ready to review")]
    assert list(RollupDue.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]


def test_a_stale_version_is_a_conflict_and_changes_nothing(vsm, value_stream):
    epic = _epic(value_stream, owner=vsm, **ready_epic_fields())
    Epic.objects.filter(id=epic.id).update(version=3)

    with pytest.raises(MoveConflict) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="reviewing", version=2)

    assert (caught.value.state, caught.value.version) == ("funnel", 3)
    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("funnel", 3)
    assert Transition.objects.count() == 0


def test_reviewing_needs_an_owner_and_a_hypothesis_statement(vsm, value_stream):
    epic = _epic(value_stream, hypothesis_for="retail customers")

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="reviewing", version=1)

    assert caught.value.conditions == [
        "Reviewing needs an epic owner.",
        "Reviewing needs the epic hypothesis statement (missing: who, the, is a, that, unlike, our solution).",
    ]
    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("funnel", 1)
    assert Transition.objects.count() == 0


def test_analyzing_needs_every_wsjf_score(vsm, value_stream):
    epic = _epic(value_stream, state="reviewing", owner=vsm, **ready_epic_fields(risk_reduction=None, job_size=None))

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="analyzing", version=1)

    assert caught.value.conditions == [
        "Analyzing needs WSJF scores (missing: risk reduction / opportunity enablement, job size).",
    ]


def test_skipping_columns_meets_the_policies_of_every_skipped_column(vsm, value_stream):
    epic = _epic(value_stream, business_value=3, time_criticality=3, risk_reduction=3, job_size=3)

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="analyzing", version=1)

    assert caught.value.conditions[0] == "Reviewing needs an epic owner."
    assert len(caught.value.conditions) == 2


def test_backlog_lists_every_missing_part_of_the_business_case(vsm, value_stream):
    epic = _epic(
        value_stream,
        state="analyzing",
        owner=vsm,
        **ready_epic_fields(business_outcome_hypothesis="", mvp_definition="", estimated_cost_cents=None),
    )

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="backlog", version=1)

    assert caught.value.conditions == [
        "Portfolio backlog needs a lean business case (business outcome hypothesis).",
        "Portfolio backlog needs an MVP definition.",
        "Portfolio backlog needs a cost estimate.",
        "Portfolio backlog needs a recorded go decision.",
    ]


def test_backlog_with_a_go_decision_below_the_threshold_is_allowed(funding_quarter, vsm, value_stream):
    epic = _epic(
        value_stream,
        state="analyzing",
        owner=vsm,
        go_decision_by=vsm,
        go_decision_at=timezone.now(),
        target_quarter=funding_quarter,
        **ready_epic_fields(estimated_cost_cents=1_000_000_00),
    )

    epic_move(epic_id=epic.id, user=vsm, to_state="backlog", version=1)

    assert Epic.objects.get(id=epic.id).state == "backlog"


def test_above_the_threshold_a_vsm_go_decision_is_not_enough(funding_quarter, vsm, value_stream):
    epic = _epic(
        value_stream,
        state="analyzing",
        owner=vsm,
        go_decision_by=vsm,
        go_decision_at=timezone.now(),
        target_quarter=funding_quarter,
        **ready_epic_fields(estimated_cost_cents=1_000_000_01),
    )

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="backlog", version=1)

    assert caught.value.conditions == [
        "The cost 1,000,000.01 is above the approval threshold 1,000,000.00: "
        "a VMO director must record the go decision."
    ]
    assert Epic.objects.get(id=epic.id).state == "analyzing"


def test_above_the_threshold_a_director_go_decision_lets_it_in(funding_quarter, vsm, director, value_stream):
    epic = _epic(
        value_stream,
        state="analyzing",
        owner=vsm,
        go_decision_by=director,
        go_decision_at=timezone.now(),
        target_quarter=funding_quarter,
        **ready_epic_fields(estimated_cost_cents=5_000_000_00),
    )

    epic_move(epic_id=epic.id, user=vsm, to_state="backlog", version=1)

    assert Epic.objects.get(id=epic.id).state == "backlog"


def test_implementing_needs_funding_room(funding_quarter, vsm, value_stream):
    epic = _epic(value_stream, state="backlog", owner=vsm, target_quarter=funding_quarter, **ready_epic_fields())

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert caught.value.conditions == [
        f"Not enough funding room in 2026-Q3: {epic.key} is estimated at 500,000.00 but only 0.00 of the "
        "value stream's allocation of 0.00 is not yet committed to implementing epics."
    ]
    assert Epic.objects.get(id=epic.id).state == "backlog"


def test_implementing_with_funding_room_is_allowed(funding_room_for_one, vsm, value_stream):
    epic = _epic(value_stream, state="backlog", owner=vsm, target_quarter=funding_room_for_one, **ready_epic_fields())

    epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1)

    assert Epic.objects.get(id=epic.id).state == "implementing"


def test_a_director_may_override_the_funding_room_with_a_reason(funding_quarter, director, value_stream):
    epic = _epic(value_stream, state="backlog", target_quarter=funding_quarter, **ready_epic_fields())

    epic_move(
        epic_id=epic.id, user=director, to_state="implementing", version=1, reason="regulator", override_funding=True
    )

    assert Epic.objects.get(id=epic.id).state == "implementing"
    overrides = FundingOverride.objects.values_list("epic_id", "quarter_id", "created_by_id", "reason")
    assert list(overrides) == [(epic.id, funding_quarter.id, director.id, "regulator")]


def test_a_vsm_cannot_override_the_funding_room(funding_quarter, vsm, value_stream):
    epic = _epic(value_stream, state="backlog", target_quarter=funding_quarter, **ready_epic_fields())

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="implementing", version=1, reason="x", override_funding=True)

    assert caught.value.conditions == ["Only a VMO director may override the funding room check."]
    assert FundingOverride.objects.count() == 0


def test_the_portfolio_wip_limit_refuses_a_move_into_a_full_column(vsm, value_stream, other_value_stream):
    WipLimitFactory(state="analyzing", limit=2)
    _epic(value_stream, state="analyzing")
    _epic(other_value_stream, state="analyzing")
    epic = _epic(value_stream, state="reviewing", owner=vsm, **ready_epic_fields())

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="analyzing", version=1)

    assert caught.value.conditions == ["Analyzing is at its WIP limit in the portfolio (2 of 2)."]
    assert Epic.objects.filter(state="analyzing").count() == 2


def test_a_value_stream_wip_limit_counts_only_that_stream(vsm, value_stream, other_value_stream):
    WipLimitFactory(state="analyzing", limit=1, value_stream=value_stream)
    _epic(other_value_stream, state="analyzing")
    other_stream_epic = _epic(other_value_stream, state="reviewing", **ready_epic_fields())
    epic = _epic(value_stream, state="reviewing", owner=vsm, **ready_epic_fields())
    _epic(value_stream, state="analyzing")

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="analyzing", version=1)
    director = UserFactory(username="dir2", roles=["VMO Director"])
    epic_move(epic_id=other_stream_epic.id, user=director, to_state="analyzing", version=1)

    assert caught.value.conditions == ["Analyzing is at its WIP limit in this value stream (1 of 1)."]
    assert Epic.objects.filter(state="analyzing", value_stream=other_value_stream).count() == 2


def test_one_refusal_lists_policies_and_wip_together(vsm, value_stream):
    WipLimitFactory(state="reviewing", limit=0)
    epic = _epic(
        value_stream,
        hypothesis_for="x",
        hypothesis_who="x",
        hypothesis_the="x",
        hypothesis_is_a="x",
        hypothesis_that="x",
        hypothesis_unlike="x",
        hypothesis_our_solution="x",
    )

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="reviewing", version=1)

    assert caught.value.conditions == [
        "Reviewing needs an epic owner.",
        "Reviewing is at its WIP limit in the portfolio (0 of 0).",
    ]


def test_backward_moves_need_a_reason_and_skip_entry_policies(vsm, value_stream):
    epic = _epic(value_stream, state="analyzing")

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="funnel", version=1)
    epic_move(epic_id=epic.id, user=vsm, to_state="reviewing", version=1, reason="needs more analysis")

    assert caught.value.conditions == ["A backward move needs a reason."]
    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("reviewing", 2)


def test_not_pursued_needs_a_reason(vsm, value_stream):
    epic = _epic(value_stream, state="reviewing")

    with pytest.raises(MoveRefused) as caught:
        epic_move(epic_id=epic.id, user=vsm, to_state="not_pursued", version=1)
    epic_move(epic_id=epic.id, user=vsm, to_state="not_pursued", version=1, reason="market moved")

    assert caught.value.conditions == ["Say why the epic is not pursued."]
    assert Epic.objects.get(id=epic.id).state == "not_pursued"


@pytest.mark.parametrize("to_state", ["funnel", "nowhere"])
def test_a_move_to_the_same_or_an_unknown_state_is_refused(vsm, value_stream, to_state):
    epic = _epic(value_stream)

    with pytest.raises(MoveRefused):
        epic_move(epic_id=epic.id, user=vsm, to_state=to_state, version=1)

    assert Epic.objects.get(id=epic.id).version == 1


@pytest.mark.parametrize("persona", ["other_vsm", "executive", "program_manager"])
def test_only_managers_and_directors_move_cards(request, value_stream, persona):
    user = request.getfixturevalue(persona)
    epic = _epic(value_stream, owner=user, **ready_epic_fields())

    with pytest.raises(PermissionDenied):
        epic_move(epic_id=epic.id, user=user, to_state="reviewing", version=1)

    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("funnel", 1)
    assert Transition.objects.count() == 0


def test_a_director_moves_any_card(director, value_stream, vsm):
    epic = _epic(value_stream, owner=vsm, **ready_epic_fields())

    epic_move(epic_id=epic.id, user=director, to_state="reviewing", version=1)

    assert Epic.objects.get(id=epic.id).state == "reviewing"
