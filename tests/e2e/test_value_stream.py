"""End to end: an executive opens a value stream page and its charts are drawn."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portfolio import roles
from tests.factories import (
    DeploymentFactory,
    EpicFactory,
    TransitionFactory,
    UserFactory,
    ValueStreamFactory,
    ValueStreamSnapshotFactory,
    WorkItemFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


CANVASES = [
    "chart-flow-trend",
    "chart-distribution",
    "chart-dora-trend",
    "chart-cfd",
    "chart-burn",
    "chart-benefit",
    "chart-predictability",
    "chart-sprint-burnup",  # the factory's stream is agile (issue 18: agile streams show sprints)
]


def test_executive_sees_the_value_stream_charts_drawn(live_server, page, current_quarter):
    UserFactory(username="elena", password="pw", roles=[roles.EXECUTIVE])
    quarter = current_quarter
    vs = ValueStreamFactory(name="Digital Payments", slug="payments")
    epic = EpicFactory(value_stream=vs, state="implementing", key="PAY-1")
    TransitionFactory(epic=epic, from_state="", to_state="funnel", at=timezone.now() - dt.timedelta(days=3))
    TransitionFactory(epic=epic, from_state="funnel", to_state="reviewing", at=timezone.now() - dt.timedelta(days=1))
    WorkItemFactory(value_stream=vs, epic=epic, status="done", size=3)
    DeploymentFactory(value_stream=vs)
    for days_ago, velocity in ((2, 3), (1, 5), (0, 8)):
        as_of = timezone.localdate() - dt.timedelta(days=days_ago)
        if as_of < quarter.start:
            continue
        ValueStreamSnapshotFactory(
            value_stream=vs,
            quarter=quarter,
            as_of=as_of,
            flow_velocity=velocity,
            dora_level="elite",
            flow_distribution={"feature": 0.8, "defect": 0.2},
        )

    page.goto(f"{live_server.url}/login/?next=/value-streams/payments/")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Digital Payments")).to_be_visible()
    expect(page.locator("#dora-level")).to_have_text("Elite")
    for canvas in CANVASES:
        expect(page.locator(f"canvas#{canvas}")).to_be_visible()
    page.wait_for_function("() => window.vmoCharts && Object.keys(window.vmoCharts).length === 8")
    drawn = page.evaluate(
        """(ids) => ids.map((id) => {
            const chart = Chart.getChart(document.getElementById(id));
            return chart ? [id, chart.config.type, chart.data.datasets.length] : [id, null, 0];
        })""",
        CANVASES,
    )
    assert drawn == [
        ["chart-flow-trend", "line", 4],
        ["chart-distribution", "doughnut", 1],
        ["chart-dora-trend", "line", 2],
        ["chart-cfd", "line", 6],
        ["chart-burn", "line", 3],
        ["chart-benefit", "bar", 2],
        ["chart-predictability", "line", 3],
        ["chart-sprint-burnup", "line", 2],
    ]
    trend = page.evaluate("() => Chart.getChart(document.getElementById('chart-flow-trend')).data.datasets[0].data")
    assert trend[-1] == 8


@pytest.mark.usefixtures("current_quarter")
def test_vsm_starts_a_rollup_and_sees_its_result_without_a_reload(live_server, page):
    vsm = UserFactory(username="victor", password="pw", roles=[roles.VALUE_STREAM_MANAGER])
    ValueStreamFactory(name="Digital Payments", slug="payments", managers=[vsm])

    page.goto(f"{live_server.url}/login/?next=/value-streams/payments/")
    page.get_by_label("Username").fill("victor")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("No rollup yet for this quarter.")).to_be_visible()
    page.get_by_role("button", name="Roll up now").click()

    expect(page.locator("#task-progress")).to_contain_text("Rollup done (computed ")
    expect(page.locator("#task-progress progress")).to_have_attribute("value", "2")
    assert page.url.endswith("/value-streams/payments/")  # swapped in place by htmx
