"""Success messages after saves on the funding page and in the planning workspace."""

import pytest

from funding.models import Allocation
from tests.factories import PlanningEventFactory, QuarterBudgetFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def budget(quarter):
    return QuarterBudgetFactory(quarter=quarter, total_cents=1_000_000_00)


def test_an_htmx_allocation_save_swaps_a_success_message_into_the_message_region(
    client, director, budget, value_stream
):
    client.force_login(director)

    response = client.post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "250,000.00"}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="htmx-messages" class="messages" aria-live="polite" hx-swap-oob="true">' in html
    assert '<p class="message message-success" role="status">Allocation of Payments saved.</p>' in html
    assert Allocation.objects.get().amount_cents == 250_000_00


def test_a_plain_allocation_save_redirects_with_the_message(client, director, budget, value_stream):
    client.force_login(director)

    response = client.post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "1,000.00"}, follow=True
    )

    assert response.redirect_chain == [("/funding/?quarter=2026-Q3", 302)]
    assert "Allocation of Payments saved." in response.content.decode()


def test_a_refused_allocation_save_has_no_success_message(client, director, budget, value_stream):
    client.force_login(director)

    response = client.post(
        f"/funding/budgets/{budget.id}/allocations/{value_stream.id}/", {"amount": "2,000,000.00"}, **HTMX
    )

    assert "message-success" not in response.content.decode()
    assert Allocation.objects.count() == 0


def test_the_planning_workspace_says_an_output_was_recorded(client, program_manager, quarter):
    event = PlanningEventFactory(quarter=quarter)
    client.force_login(program_manager)

    response = client.post(
        f"/vmo/planning/{event.id}/action-items/", {"title": "Agree the API contract", "priority": "2"}, follow=True
    )

    assert response.redirect_chain == [(f"/vmo/planning/{event.id}/", 302)]
    assert "Action item added to the VMO backlog." in response.content.decode()
