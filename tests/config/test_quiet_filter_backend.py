"""`core.api.QuietFilterBackend`: no FilterSet for a list that names no filter; every filter,
and every bad filter value, works as before."""

from unittest import mock

import pytest

from portfolio.filters.epics import EpicFilter
from tests.factories import EpicFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


def test_a_list_without_filters_builds_no_filterset(api_as, executive):
    EpicFactory()
    with mock.patch.object(EpicFilter, "__init__", side_effect=AssertionError("built")):
        response = api_as(executive).get("/api/epics/?page_size=20&ordering=-wsjf")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_named_filter_still_filters_and_a_bad_value_is_still_a_400(api_as, executive):
    stream = ValueStreamFactory()
    mine = EpicFactory(value_stream=stream)
    EpicFactory()
    client = api_as(executive)

    listed = client.get(f"/api/epics/?value_stream={stream.id}&page_size=20").json()["results"]

    assert [row["key"] for row in listed] == [mine.key]
    assert client.get("/api/epics/?value_stream=abc").status_code == 400


def test_a_parameter_of_a_multi_widget_filter_counts_as_naming_it(api_as, executive):
    # `measured_after` is the filter itself; a prefix match also covers django-filter's
    # suffixed widgets (`<name>_after`, `<name>_min`).
    assert api_as(executive).get("/api/benefit-measurements/?measured_after=not-a-date").status_code == 400
