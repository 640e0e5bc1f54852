"""Demo data of the Kanban: six months of transitions for the demo epics, and WIP limits.

Idempotent: the transitions of the seeded epics are rebuilt from a fixed random seed (the log
of a demo epic is demo data too), and the WIP limits are upserted.
"""

import datetime as dt
import random

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kanban.models import Transition, WipLimit
from kanban.services import mvp_evaluation_record
from portfolio.models import EPIC_FLOW, MMP, Epic, EpicState, MMPKind, MMPStatus, MvpDecision, MvpEvaluation, MvpResult

SEED = 20260702
BACK_REASONS = ("Business case too thin; more analysis", "Dependency not ready", "Re-scoped after review")


@transaction.atomic
def seed_transitions(ctx, seeds) -> None:
    """Each epic walks the board from the funnel to its state between its creation and today."""
    rng = random.Random(SEED)
    now = timezone.now()
    epics = [s.epic for s in seeds]
    Transition.objects.filter(epic__in=epics).delete()
    rows: list[Transition] = []
    changed: list[Epic] = []
    for seed in seeds:
        epic = seed.epic
        if seed.state in EPIC_FLOW:
            path = EPIC_FLOW[: EPIC_FLOW.index(seed.state) + 1]
        else:
            path = [*EPIC_FLOW[: rng.randint(1, 3) + 1], EpicState.NOT_PURSUED]
        steps = len(path) - 1
        start = seed.created_at
        span = (now - start).total_seconds()
        moments = sorted(start + dt.timedelta(seconds=rng.uniform(0.05, 0.95) * span) for _ in range(steps))
        by = epic.owner or ctx.users["vsm"]
        last = start
        for i in range(steps):
            reason = ""
            if path[i + 1] == EpicState.NOT_PURSUED:
                reason = "Cost of delay too low against the alternatives"
            rows.append(
                Transition(epic=epic, from_state=path[i], to_state=path[i + 1], by=by, at=moments[i], reason=reason)
            )
            last = moments[i]
        # One epic in seven was sent back once on its way and came forward again.
        if steps >= 3 and rng.random() < 1 / 7:
            back_at = moments[1] + (moments[2] - moments[1]) / 3
            forward_at = moments[1] + (moments[2] - moments[1]) * 2 / 3
            rows.append(
                Transition(
                    epic=epic,
                    from_state=path[2],
                    to_state=path[1],
                    by=by,
                    at=back_at,
                    reason=rng.choice(BACK_REASONS),
                )
            )
            rows.append(Transition(epic=epic, from_state=path[1], to_state=path[2], by=by, at=forward_at))
        epic.state_changed_at = last
        epic.version = 1 + steps
        changed.append(epic)
    Transition.objects.bulk_create(rows, batch_size=1000)
    Epic.objects.bulk_update(changed, ["state_changed_at", "version"], batch_size=500)
    # WIP limits with a little room above what the demo holds, so moves can be tried.
    for state in (EpicState.REVIEWING, EpicState.ANALYZING, EpicState.IMPLEMENTING):
        count = Epic.objects.filter(state=state).count()
        WipLimit.objects.update_or_create(state=state, value_stream=None, defaults={"limit": count + 3})


@transaction.atomic
def seed_mvp_pivot(ctx) -> None:
    """One implementing epic whose released MVP was invalidated and that pivoted back to
    analyzing, recorded through the evaluation service (who, why, the move). Idempotent: done
    once, when no evaluation exists yet."""
    existing = MvpEvaluation.objects.filter(epic__value_stream__in=ctx.value_streams).select_related("epic").first()
    if existing is not None:
        # `seed_transitions` rebuilt the demo epics' logs: put the pivot back on its epic.
        epic = existing.epic
        if not Transition.objects.filter(epic=epic, to_state=existing.to_state, reason__startswith="MVP ").exists():
            Transition.objects.create(
                epic=epic,
                from_state=existing.from_state,
                to_state=existing.to_state,
                by=existing.decided_by,
                at=existing.decided_at,
                reason=f"MVP invalidated: pivot. {existing.reason}",
            )
            Epic.objects.filter(id=epic.id).update(
                state=existing.to_state, version=F("version") + 1, state_changed_at=existing.decided_at
            )
        return
    mvp = (
        MMP.objects.filter(
            epic__value_stream__in=ctx.value_streams,
            epic__state=EpicState.IMPLEMENTING,
            kind=MMPKind.MVP,
            status=MMPStatus.RELEASED,
        )
        .select_related("epic")
        .order_by("epic__key", "id")
        .first()
    )
    if mvp is None:
        return
    director = ctx.users.get("director")
    mvp_evaluation_record(
        user=director,
        epic_id=mvp.epic_id,
        mmp_id=mvp.id,
        result=MvpResult.INVALIDATED,
        evidence="Six weeks live: 3 % of invited customers used it against the 15 % the hypothesis needed.",
        decision=MvpDecision.PIVOT,
        reason="Customers asked for the feature inside the existing app flow, not as a separate journey.",
    )
