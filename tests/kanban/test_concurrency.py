"""Concurrent moves on PostgreSQL: the version check and the WIP-limit lock hold under races."""

import threading

import pytest
from django.db import connection

from kanban.models import Transition
from kanban.services import MoveConflict, MoveRefused, epic_move
from portfolio import roles
from portfolio.models import Epic
from tests.factories import EpicFactory, UserFactory, ValueStreamFactory, WipLimitFactory, ready_epic_fields
from tests.kanban.db_helpers import restore_role_groups, role_groups_restored_after  # noqa: F401

# Transactional: the racing threads must see committed rows. The flush at the end of each test
# takes the role groups with it, so they are restored for the tests that run after this module.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups_restored_after"),
]


def _race(calls):
    """Run the calls at the same moment in threads; return each one's outcome (a class name)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            call()
            outcomes[i] = "ok"
        except (MoveConflict, MoveRefused) as exc:
            outcomes[i] = type(exc).__name__
        except Exception as exc:
            outcomes[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def director():
    # The test before this one flushed the role groups (see tests/kanban/db_helpers.py).
    restore_role_groups()
    return UserFactory(username="race_director", roles=[roles.DIRECTOR])


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
