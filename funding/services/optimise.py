"""Write the optimiser's answer as a new scenario, audited like every scenario write.

Directors only. The new scenario's lines are the money each value stream's funded epics cost;
the comparison with plain WSJF order is kept on it for the page. It is edited and committed like
any scenario (`scenario_line_set`, `scenario_commit`).
"""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from funding.models import Scenario, ScenarioLine
from funding.selectors.optimise import OptimiseInput, optimise_problem, optimise_result
from funding.services.common import audit, require_director


def _free_name(budget_id: int, base: str) -> str:
    taken = set(Scenario.objects.filter(budget_id=budget_id, name__startswith=base).values_list("name", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def scenario_optimise(*, user, scenario: Scenario, options: OptimiseInput) -> Scenario:
    """Solve the funding of the scenario's quarter exactly and store it as a new scenario.

    Raises `PermissionDenied` for anyone but a director, `ValidationError` for bad pins and
    `Infeasible` (a ValidationError naming the constraint) when nothing can be funded within
    the constraints; nothing is written then. The solve runs before the transaction opens.
    """
    require_director(user)
    result = optimise_result(setup=optimise_problem(scenario=scenario, options=options))
    with transaction.atomic():
        name = _free_name(scenario.budget_id, f"{scenario.name[:100]} optimised")
        optimised = Scenario(
            budget_id=scenario.budget_id,
            name=name,
            note=f"Optimised from {scenario.name}: cost of delay removed {result['optimum_value']} "
            f"({result['basis']}) against {result['wsjf_value']} in WSJF order.",
            created_by=user,
            optimisation=result,
        )
        optimised.full_clean()
        audit(optimised, user=user, reason="optimised")
        optimised.save()
        lines = [
            ScenarioLine(scenario=optimised, value_stream_id=row["value_stream"], amount_cents=row["amount_cents"])
            for row in result["value_streams"]
        ]
        bulk_create_with_history(lines, ScenarioLine, default_user=user)
    return optimised
