"""Funding pages: rendering per role, htmx allocation edits, refusals, query counts, spend, scenarios."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from funding.models import Allocation, BudgetRevision, EpicEstimate, Scenario, Spend, Team
from tests.factories import (
    AllocationFactory,
    EpicFactory,
    GuardrailFactory,
    QuarterBudgetFactory,
    SpendFactory,
    TeamFactory,
    ValueStreamFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def budget(quarter):
    return QuarterBudgetFactory(quarter=quarter, total_cents=1_000_000_00)


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["director", "vsm", "executive", "program_manager"])
def test_every_role_reads_the_funding_page(client, request, persona, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=400_000_00)

    response = _login(client, request.getfixturevalue(persona)).get("/funding/?quarter=2026-Q3")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="headroom">600,000.00<' in html
    assert ('name="amount"' in html) is (persona == "director")


def test_anonymous_is_sent_to_login(client):
    response = client.get("/funding/")

    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_director_edits_an_allocation_inline_with_htmx(client, director, budget, value_stream):
    response = _login(client, director).post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "250000.00"}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="funding-panel"' in html
    assert 'id="headroom">750,000.00<' in html
    assert Allocation.objects.get().amount_cents == 250_000_00


def test_plain_post_redirects_back_to_the_quarter(client, director, budget, value_stream):
    response = _login(client, director).post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "1.00"}
    )

    assert (response.status_code, response.url) == (302, "/funding/?quarter=2026-Q3")


def test_over_allocation_on_the_page_shows_headroom_and_writes_nothing(
    client, director, budget, value_stream, other_value_stream
):
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=900_000_00)

    response = _login(client, director).post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "100000.01"}, **HTMX
    )

    assert response.status_code == 200
    assert "Over-allocation: at most 100,000.00 is available for Payments" in response.content.decode()
    assert Allocation.objects.filter(value_stream=value_stream).exists() is False


def test_a_refused_allocation_is_shown_in_its_own_row(client, director, budget, value_stream, other_value_stream):
    """The allocations table's rows are written in Python (funding_tags.allocation_rows): the
    refusal sits in the row of the stream that was refused, whose form posts back to its own
    allocation with the request's csrf token."""
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=900_000_00)
    client = _login(client, director)
    client.get("/funding/?quarter=2026-Q3")  # sets the csrf cookie

    html = client.post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "100000.01"}, **HTMX
    ).content.decode()

    rows = {
        slug: html[html.index(f'<tr id="stream-{slug}"') :].split("</tr>")[0] for slug in ("payments", "onboarding")
    }
    payments = rows[value_stream.slug]
    assert '<small class="field-error" role="alert">Over-allocation' in payments
    assert f'action="/funding/budgets/{budget.id}/allocations/{value_stream.id}/"' in payments
    assert 'name="csrfmiddlewaretoken" value="' in payments
    assert 'value="900,000.00"' in rows[other_value_stream.slug]
    assert "field-error" not in rows[other_value_stream.slug]


@pytest.mark.parametrize("amount", ["1,0000", "1.000,50", "1e3", "-5", "0.001", "NaN", "\u0661\u0660", "", "9" * 30])
def test_bad_amount_on_the_page_is_reshown_never_500(client, director, budget, value_stream, amount):
    response = _login(client, director).post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": amount}
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Allocation.objects.count() == 0


@pytest.mark.parametrize(("typed", "cents"), [("400,000.00", 400_000_00), ("1,000", 1_000_00), ("2500.5", 2500_50)])
def test_amounts_are_accepted_with_grouping_as_the_page_shows_them(
    client, director, budget, value_stream, typed, cents
):
    response = _login(client, director).post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": typed}
    )

    assert response.status_code == 302
    assert Allocation.objects.get(value_stream=value_stream).amount_cents == cents


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_non_directors_cannot_change_money_on_pages(client, request, persona, budget, value_stream):
    allocation = AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=5_00)
    client = _login(client, request.getfixturevalue(persona))

    codes = [
        client.post(f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "1.00"}).status_code,
        client.post(f"/funding/quarters/{budget.quarter_id}/budget/", {"total": "1.00"}).status_code,
        client.post(f"/funding/budgets/{budget.id}/approve/").status_code,
        client.post(f"/funding/budgets/{budget.id}/guardrails/", {"business_features_pct": 100}).status_code,
        client.post("/funding/scenarios/?quarter=2026-Q3", {"name": "Mine"}).status_code,
    ]

    assert codes == [403] * 5
    allocation.refresh_from_db()
    budget.refresh_from_db()
    assert (allocation.amount_cents, budget.total_cents, budget.status) == (5_00, 1_000_000_00, "draft")
    assert Scenario.objects.count() == 0


def test_approved_budget_needs_a_reason_on_the_page(client, director, budget, value_stream):
    budget.status = "approved"
    budget.save()
    client = _login(client, director)
    url = f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/"

    refused = client.post(url, {"amount": "10.00"}, **HTMX)
    accepted = client.post(url, {"amount": "10.00", "reason": "Pilot"}, **HTMX)

    assert "give a reason for this revision" in refused.content.decode()
    assert "Pilot" in accepted.content.decode()  # the history table on the page
    assert list(BudgetRevision.objects.values_list("reason", flat=True)) == ["Pilot"]


def test_closed_budget_shows_no_forms_and_refuses_writes(client, director, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=5_00)
    budget.status = "closed"
    budget.save()
    client = _login(client, director)

    page = client.get("/funding/?quarter=2026-Q3").content.decode()
    response = client.post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "1.00", "reason": "x"}
    )

    assert 'name="amount"' not in page
    assert response.status_code == 400
    assert "is closed; its figures are frozen" in response.content.decode()
    assert Allocation.objects.get().amount_cents == 5_00


def test_director_creates_and_approves_a_budget_on_the_page(client, director, quarter):
    client = _login(client, director)

    client.post(f"/funding/quarters/{quarter.id}/budget/", {"total": "30000000.00"})
    client.post(f"/funding/budgets/{quarter.budget.id}/approve/")

    quarter.budget.refresh_from_db()
    assert (quarter.budget.total_cents, quarter.budget.status) == (30_000_000_00, "approved")


def test_guardrail_drift_is_flagged_on_the_page(client, executive, budget, quarter, value_stream):
    GuardrailFactory(budget=budget, drift_tolerance_pct=5)
    EpicFactory(value_stream=value_stream, target_quarter=quarter, state="backlog", estimated_cost_cents=100)

    html = _login(client, executive).get("/funding/?quarter=2026-Q3").content.decode()

    assert html.count('class="badge drift-flag"') == 4  # 100% features vs 60/20/10/10 planned
    assert 'id="funding-chart-data"' in html


def test_funding_page_query_count_is_constant(client, executive, budget, quarter, django_assert_num_queries):
    client = _login(client, executive)

    def grow(n):
        for _ in range(n):
            vs = ValueStreamFactory()
            AllocationFactory(budget=budget, value_stream=vs, amount_cents=1_00)
            TeamFactory(value_stream=vs)
            SpendFactory(value_stream=vs, month=dt.date(2026, 7, 1))
            EpicFactory(value_stream=vs, target_quarter=quarter, state="implementing", estimated_cost_cents=1)

    grow(1)
    client.get("/funding/?quarter=2026-Q3")
    # 17 + team cost vs labour spend (2, issue 12); the guardrail comes with the budget, the money
    # figures in two grouped queries (allocations; spend per stream and month)
    with django_assert_num_queries(19):
        client.get("/funding/?quarter=2026-Q3")
    grow(10)
    with django_assert_num_queries(19):
        client.get("/funding/?quarter=2026-Q3")


def test_transfer_on_the_page(client, director, budget, value_stream, other_value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)

    _login(client, director).post(
        f"/funding/budgets/{budget.id}/transfer/",
        {"source": value_stream.id, "target": other_value_stream.id, "amount": "40.00"},
        **HTMX,
    )

    assert dict(Allocation.objects.values_list("value_stream_id", "amount_cents")) == {
        value_stream.id: 60_00,
        other_value_stream.id: 40_00,
    }


# --- spend -----------------------------------------------------------------------------------------


def test_spend_import_page_good_file(client, vsm, value_stream):
    upload = SimpleUploadedFile("spend.csv", b"value_stream,month,amount\npayments,2026-07,10.00\n")

    response = _login(client, vsm).post("/funding/spend/", {"file": upload})

    assert response.status_code == 302
    assert Spend.objects.get().amount_cents == 10_00


def test_spend_import_page_bad_file_lists_lines_and_writes_nothing(client, vsm, value_stream, other_value_stream):
    upload = SimpleUploadedFile(
        "spend.csv", b"value_stream,month,amount\npayments,2026-07,10.00\nonboarding,2026-07,1.00\n"
    )

    response = _login(client, vsm).post("/funding/spend/", {"file": upload})

    assert response.status_code == 400
    assert "Line 3: you may not record spend for Onboarding." in response.content.decode()
    assert Spend.objects.count() == 0


def test_vsm_records_spend_on_the_page_only_for_own_stream(client, vsm, value_stream, other_value_stream):
    client = _login(client, vsm)

    ok = client.post(
        "/funding/spend/", {"value_stream": value_stream.id, "month": "2026-07", "amount": "5.00", "category": "other"}
    )
    denied = client.post(
        "/funding/spend/",
        {"value_stream": other_value_stream.id, "month": "2026-07", "amount": "5.00", "category": "other"},
    )

    assert (ok.status_code, denied.status_code) == (302, 400)
    assert list(Spend.objects.values_list("value_stream_id", flat=True)) == [value_stream.id]


def test_spend_void_on_the_page_by_other_vsm_is_forbidden(client, other_vsm, value_stream):
    spend = SpendFactory(value_stream=value_stream)

    response = _login(client, other_vsm).post(f"/funding/spend/{spend.id}/void/")

    spend.refresh_from_db()
    assert (response.status_code, spend.voided_at) == (403, None)


def test_spend_export_neutralises_formula_cells(client, executive, value_stream):
    SpendFactory(
        value_stream=value_stream, note='=HYPERLINK("http://x")', amount_cents=12_34, month=dt.date(2026, 7, 1)
    )

    response = _login(client, executive).get("/funding/spend/export.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="spend.csv"'
    lines = response.content.decode().splitlines()
    assert lines[1] == 'payments,2026-07,12.34,labour,,manual,"\'=HYPERLINK(""http://x"")",'


def test_spend_list_query_count_is_constant(client, executive, django_assert_num_queries):
    client = _login(client, executive)
    SpendFactory()
    client.get("/funding/spend/")
    with django_assert_num_queries(8):
        client.get("/funding/spend/")
    for _ in range(20):
        SpendFactory(epic=EpicFactory())
    with django_assert_num_queries(8):
        client.get("/funding/spend/")


def test_import_spend_command(tmp_path, vsm, value_stream):
    good = tmp_path / "good.csv"
    good.write_text("value_stream,month,amount\npayments,2026-07,1.50\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("value_stream,month,amount\npayments,2026-07,1.505\n")

    call_command("import_spend", str(good), "--user", vsm.username)
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("import_spend", str(bad), "--user", vsm.username)

    assert list(Spend.objects.values_list("amount_cents", "source")) == [(1_50, "csv")]


# --- teams and estimates ---------------------------------------------------------------------------


def test_vsm_adds_a_team_and_sees_its_capacity(client, vsm, value_stream, quarter):
    client = _login(client, vsm)

    response = client.post(
        "/funding/teams/?quarter=2026-Q3",
        {
            "value_stream": value_stream.id,
            "name": "Rocket",
            "cost_per_sprint_cents": "1000.00",
            "sprint_length_days": 14,
            "headcount": 5,
            "active": "on",
        },
    )
    page = client.get("/funding/teams/?quarter=2026-Q3").content.decode()

    assert response.status_code == 302
    assert Team.objects.get().cost_per_sprint_cents == 1000_00
    assert '<td class="num">6</td><td class="num">6,000.00</td>' in page


def test_vsm_cannot_add_a_team_to_another_stream(client, vsm, value_stream, other_value_stream):
    response = _login(client, vsm).post(
        "/funding/teams/",
        {
            "value_stream": other_value_stream.id,
            "name": "X",
            "cost_per_sprint_cents": "1.00",
            "sprint_length_days": 14,
            "headcount": 1,
        },
    )

    assert response.status_code == 400
    assert Team.objects.count() == 0


def test_estimate_in_sprints_is_shown_both_ways(client, vsm, value_stream):
    team = TeamFactory(value_stream=value_stream, name="Rocket", cost_per_sprint_cents=1000_00)
    epic = EpicFactory(value_stream=value_stream, key="PAY-7")
    money_epic = EpicFactory(value_stream=value_stream, key="PAY-8")
    client = _login(client, vsm)

    client.post(f"/funding/estimates/{epic.id}/", {"team": team.id, "sprints": 3})
    client.post(f"/funding/estimates/{money_epic.id}/", {"amount": "2500.00"})
    page = client.get("/funding/estimates/").content.decode()

    epic.refresh_from_db()
    assert epic.estimated_cost_cents == 3000_00
    assert "3 sprints of Rocket" in page
    assert "≈ 2.5 sprints of Rocket" in page


def test_estimate_form_needs_one_way_and_other_vsm_is_refused(client, vsm, other_vsm, value_stream):
    epic = EpicFactory(value_stream=value_stream)

    both = _login(client, vsm).post(f"/funding/estimates/{epic.id}/", {"amount": "1.00", "sprints": 2})
    client.logout()
    denied = _login(client, other_vsm).post(f"/funding/estimates/{epic.id}/", {"amount": "1.00"})

    assert (both.status_code, denied.status_code) == (400, 403)
    assert EpicEstimate.objects.count() == 0


# --- scenarios -------------------------------------------------------------------------------------


def test_director_creates_edits_compares_and_commits_a_scenario(client, director, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)
    client = _login(client, director)

    created = client.post("/funding/scenarios/?quarter=2026-Q3", {"name": "Bolder"})
    scenario = Scenario.objects.get()
    client.post(f"/funding/scenarios/{scenario.id}/", {"value_stream": value_stream.id, "amount": "300.00"})
    compare = client.get(f"/funding/scenarios/?quarter=2026-Q3&ids={scenario.id}").content.decode()
    committed = client.post(f"/funding/scenarios/{scenario.id}/commit/", {"reason": "Go bold", "confirmed": "1"})

    assert created.status_code == 302
    assert "300.00 (+200.00)" in compare
    assert committed.url == "/funding/?quarter=2026-Q3"
    assert Allocation.objects.get().amount_cents == 300_00


def test_vsm_cannot_edit_or_commit_scenarios(client, director, vsm, budget, value_stream):
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=100_00)
    scenario = Scenario.objects.create(budget=budget, name="S")
    client = _login(client, vsm)

    codes = [
        client.post(f"/funding/scenarios/{scenario.id}/", {"value_stream": value_stream.id, "amount": "1"}).status_code,
        client.post(f"/funding/scenarios/{scenario.id}/commit/").status_code,
    ]

    assert codes == [403, 403]
    assert scenario.lines.count() == 0
    assert Allocation.objects.get().amount_cents == 100_00


def test_admin_shows_money_read_only(client, budget, value_stream):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    allocation = AllocationFactory(budget=budget, value_stream=value_stream)
    client.force_login(admin_user)

    listing = client.get("/admin/funding/allocation/")
    change = client.post(f"/admin/funding/allocation/{allocation.id}/change/", {"amount_cents": 1})
    delete = client.post(f"/admin/funding/allocation/{allocation.id}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert change.status_code == 403
    assert delete.status_code == 403
    allocation.refresh_from_db()
    assert allocation.amount_cents == 1_000_000_00


def test_estimates_and_scenario_pages_run_a_constant_number_of_queries(
    client, director, budget, quarter, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from funding import services

    client = _login(client, director)

    def grow(n):
        for _ in range(n):
            vs = ValueStreamFactory()
            team = TeamFactory(value_stream=vs)
            AllocationFactory(budget=budget, value_stream=vs, amount_cents=10_00)
            epic = EpicFactory(value_stream=vs, target_quarter=quarter, state="backlog", estimated_cost_cents=1_00)
            services.epic_estimate_set(user=director, epic=epic, team=team, sprints=1)

    grow(1)
    scenario = services.scenario_create(user=director, budget=budget, name="S")
    urls = ["/funding/estimates/", f"/funding/scenarios/?quarter=2026-Q3&ids={scenario.id}"]
    small = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        small.append(len(captured))
    grow(10)
    for url, count in zip(urls, small, strict=True):
        with django_assert_num_queries(count):
            client.get(url)
    assert small == [5, 14]


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/funding/estimates/?value_stream=abc", None),
        ("get", "/funding/?quarter=<script>", None),
        ("get", "/funding/scenarios/?quarter=nope&ids=x&ids=\u00b2", None),
        ("get", "/funding/spend/?value_stream=abc&month_from=yesterday", None),
        ("post", "/funding/scenarios/{scenario}/", {"value_stream": "abc", "amount": "1"}),
    ],
)
def test_garbage_parameters_never_answer_500(client, director, budget, method, url, data):
    scenario = Scenario.objects.create(budget=budget, name="S")
    client = _login(client, director)

    response = getattr(client, method)(url.format(scenario=scenario.id), data)

    assert response.status_code in (200, 404)


def test_funding_page_says_which_months_are_booked(client, executive, budget, value_stream, other_value_stream):
    # given: Q3 read after its end, July and September booked for one stream, nothing for the other
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=400_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=10_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 9, 1), amount_cents=20_000_00)

    html = _login(client, executive).get("/funding/?quarter=2026-Q3").content.decode()

    assert html.count('<small class="muted booked-months">Jul, Sep</small>') == 1
    assert html.count('<small class="muted booked-months">no month booked</small>') == 1
    assert "months without booked spend" in html


def test_a_stream_without_a_booked_month_has_no_forecast_not_a_forecast_of_zero(
    client, executive, budget, value_stream, other_value_stream
):
    # given: one stream with July booked, the other allocated 300,000.00 and nothing booked yet
    AllocationFactory(budget=budget, value_stream=value_stream, amount_cents=400_000_00)
    AllocationFactory(budget=budget, value_stream=other_value_stream, amount_cents=300_000_00)
    SpendFactory(value_stream=value_stream, month=dt.date(2026, 7, 1), amount_cents=10_000_00)
    client = _login(client, executive)

    html = client.get("/funding/?quarter=2026-Q3").content.decode()
    booked, unbooked = (
        html.split(f'<tr id="stream-{vs.slug}"')[1].split("</tr>")[0] for vs in (value_stream, other_value_stream)
    )

    # run rate, forecast and variance: figures for the booked stream, "no data" for the other
    assert booked.count("no data") == 0 and "30,000.00" in booked  # forecast = 10,000 x 3 months
    assert unbooked.count("no data") == 3 and "300,000.00" in unbooked  # its allocation, not its variance
    assert 'class="num negative"' not in unbooked

    # with no stream booked, the totals say so too
    Spend.objects.all().delete()
    html = client.get("/funding/?quarter=2026-Q3").content.decode()
    footer = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert footer.count("no data") == 3
    assert "<small>Forecast at quarter end</small><strong>no data</strong>" in html
