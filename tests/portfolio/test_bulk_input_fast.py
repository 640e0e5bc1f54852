"""The fast batch check gives exactly the serializer's validated rows, and hands every row it
does not understand (and every invalid one) back to the serializer for DRF's messages."""

import pytest

from core.bulk_input import fast_rows
from portfolio.api.delivery import DeploymentInputSerializer, IncidentInputSerializer, WorkItemInputSerializer

ITEM = {
    "value_stream": 3,
    "source": "github",
    "external_id": "  acme/pay#7 ",
    "title": " Refunds ",
    "item_type": "feature",
    "size": None,
    "status": "done",
    "tool_status": "In Review",
    "created_at": "2026-07-01T09:00:00Z",
    "started_at": "2026-07-02T09:00:00+02:00",
    "finished_at": "2026-07-03T09:00:00Z",
    "epic": None,
    "active_seconds": 0,
    "unknown": "ignored",
}


def _drf(serializer_class, data):
    serializer = serializer_class(data=data, many=True)
    assert serializer.is_valid(), serializer.errors
    return [dict(row) for row in serializer.validated_data]


@pytest.mark.parametrize(
    ("serializer_class", "rows"),
    [
        (WorkItemInputSerializer, [ITEM, {**ITEM, "status": "new", "finished_at": None, "title": ""}]),
        (
            WorkItemInputSerializer,
            [
                {k: ITEM[k] for k in ("value_stream", "source", "external_id", "status", "created_at")}
                | {"status": "new"}
            ],
        ),
        (
            DeploymentInputSerializer,
            [
                {
                    "value_stream": 1,
                    "source": "manual",
                    "external_id": "d1",
                    "deployed_at": "2026-07-01T09:00:00Z",
                    "succeeded": False,
                    "first_commit_at": None,
                }
            ],
        ),
        (
            IncidentInputSerializer,
            [
                {
                    "value_stream": 1,
                    "source": "manual",
                    "external_id": "i1",
                    "opened_at": "2026-07-01T09:00:00Z",
                    "deployment": 4,
                    "title": "Outage",
                }
            ],
        ),
    ],
)
def test_plain_rows_come_back_exactly_as_the_serializer_validates_them(serializer_class, rows):
    assert fast_rows(serializer_class, rows) == _drf(serializer_class, rows)


@pytest.mark.parametrize(
    "change",
    [
        {"value_stream": "3"},  # DRF accepts a numeric string: left to it
        {"value_stream": True},
        {"value_stream": 0},
        {"size": 10_001},
        {"status": "nope"},
        {"item_type": ""},
        {"external_id": "   "},
        {"external_id": "x" * 201},
        {"title": "bad \ud800 surrogate"},
        {"created_at": "yesterday"},
        {"created_at": None},
        {"finished_at": None},  # a done item needs finished_at: the serializer's validate()
        {"started_at": "2026-06-01T09:00:00Z"},  # starts before it is created
        {"active_seconds": -1},
        {"tool_status": 7},
    ],
)
def test_anything_unusual_or_invalid_is_left_to_the_serializer(change):
    assert fast_rows(WorkItemInputSerializer, [ITEM, {**ITEM, **change}]) is None


def test_a_missing_required_field_or_a_row_that_is_not_an_object_is_left_to_the_serializer():
    without_status = {k: v for k, v in ITEM.items() if k != "status"}
    assert fast_rows(WorkItemInputSerializer, [without_status]) is None
    assert fast_rows(WorkItemInputSerializer, [ITEM, ["not", "an", "object"]]) is None
