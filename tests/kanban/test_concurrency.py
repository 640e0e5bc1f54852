"""Concurrent moves on PostgreSQL: the version check and the WIP-limit lock hold under races."""

import pytest

from kanban.models import Transition
from kanban.services import MoveConflict, MoveRefused, epic_move
from portfolio.models import Epic
from tests.concurrency import threads_race
from tests.factories import EpicFactory, ValueStreamFactory, WipLimitFactory, ready_epic_fields

# Transactional: the racing threads must see committed rows.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls):
    """Run the calls at the same moment in threads; return each one's outcome: "ok", the class
    name of a refused move, or the repr of any other error."""
    return [_outcome(result) for result in threads_race(calls)]


def _outcome(result) -> str:
    if isinstance(result, MoveConflict | MoveRefused):
        return type(result).__name__
    if isinstance(result, Exception):
        return repr(result)
    return "ok"


def test_ten_threads_moving_the_same_card_with_the_same_version_one_wins(director):
    epic = EpicFactory(value_stream=ValueStreamFactory(), owner=director, **ready_epic_fields())

    outcomes = _race(
        [
            lambda: epic_move(epic_id=epic.id, user=director, to_state="reviewing", version=1, reason="race")
            for _ in range(10)
        ]
    )

    assert sorted(outcomes) == ["MoveConflict"] * 9 + ["ok"]
    assert Transition.objects.filter(epic=epic).count() == 1
    epic.refresh_from_db()
    assert (epic.state, epic.version) == ("reviewing", 2)


def test_two_moves_into_a_column_with_one_free_wip_slot_one_wins(director):
    stream = ValueStreamFactory()
    WipLimitFactory(state="analyzing", limit=2)
    EpicFactory(value_stream=stream, state="analyzing")
    first = EpicFactory(value_stream=stream, state="reviewing", owner=director, **ready_epic_fields())
    second = EpicFactory(value_stream=stream, state="reviewing", owner=director, **ready_epic_fields())

    outcomes = _race(
        [
            lambda: epic_move(epic_id=first.id, user=director, to_state="analyzing", version=1),
            lambda: epic_move(epic_id=second.id, user=director, to_state="analyzing", version=1),
        ]
    )

    assert sorted(outcomes) == ["MoveRefused", "ok"]
    assert Epic.objects.filter(state="analyzing").count() == 2
    assert Transition.objects.filter(to_state="analyzing").count() == 1
