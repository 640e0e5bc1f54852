"""Writes for participatory budgeting: open a session, pledge, close a round, close the session,
discuss an epic, and turn the outcome into a funding scenario.

Directors run sessions; only a session's participants pledge and discuss. Pledges are integer
cents: the pledge service locks the participant's share row (and, before it, the table's row,
in that fixed order, because the estimate and the caps are table-wide) and re-checks everything
inside the transaction, so concurrent pledges never overdraw a share or overfund an epic.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from funding.models import (
    PBCap,
    PBComment,
    PBEventKind,
    PBOffer,
    PBParticipant,
    PBPledge,
    PBPledgeEvent,
    PBSession,
    PBSessionStatus,
    PBTable,
    QuarterBudget,
)
from funding.services.common import FundingConflict, audit, require_director
from funding.services.scenarios import scenario_create, scenario_line_set
from portfolio.models import Epic, EpicState, InvestmentHorizon, InvestmentType, ValueStream
from portfolio.money import format_amount

# The epics a session may offer: analysed and waiting for money.
OFFERABLE_STATES = (EpicState.ANALYZING, EpicState.BACKLOG)


@dataclass(frozen=True)
class CapSpec:
    """`investment_type` or `horizon` (one of them), and the most a table may give it, in percent."""

    max_pct: int
    investment_type: str = ""
    horizon: str = ""


@transaction.atomic
def pb_session_create(
    *,
    user,
    budget: QuarterBudget,
    name: str,
    money_cents: int,
    epic_ids: list[int],
    tables: dict[str, list[int]],
    ends_at: dt.datetime,
    share_cents: int | None = None,
    caps: list[CapSpec] = (),
    only_table: dict[int, str] | None = None,
) -> PBSession:
    """Open a session: the money in play (at most the budget's unallocated money), the epics on
    offer (analyzing or portfolio backlog, with an estimate), tables of participants (user ids),
    each with an equal share of the money (remainder cents stay unpledged) or `share_cents`.

    `only_table` maps an epic id to the name of the one table whose money may fund it.
    """
    require_director(user)
    budget = QuarterBudget.objects.select_for_update(of=("self",)).get(pk=budget.pk)
    if budget.status == "closed":
        raise FundingConflict("This budget is closed.")
    allocated = budget.allocations.aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]
    unallocated = budget.total_cents - allocated
    errors = {}
    if money_cents is None or money_cents <= 0:
        errors["money"] = "Put some money in play."
    elif money_cents > unallocated:
        errors["money"] = f"At most the unallocated {format_amount(unallocated)} can be in play."
    user_ids = [uid for members in tables.values() for uid in members]
    if not tables or not user_ids:
        errors["tables"] = "Seat at least one participant at a table."
    elif len(set(user_ids)) != len(user_ids):
        errors["tables"] = "A participant sits at one table only."
    elif get_user_model().objects.filter(pk__in=user_ids, is_active=True).count() != len(user_ids):
        errors["tables"] = "Unknown or inactive participant."
    epics = list(Epic.objects.filter(pk__in=set(epic_ids)).order_by("key"))
    if not epics:
        errors["epics"] = "Offer at least one epic."
    elif len(epics) != len(set(epic_ids)):
        errors["epics"] = "Unknown epic."
    else:
        bad = [e.key for e in epics if e.state not in OFFERABLE_STATES or not e.estimated_cost_cents]
        if bad:
            errors["epics"] = (
                f"Only epics analysing or in the portfolio backlog with an estimate: not {', '.join(bad)}."
            )
    for cap in caps:
        valid_dimension = (cap.investment_type in InvestmentType.values and not cap.horizon) or (
            cap.horizon in InvestmentHorizon.values and not cap.investment_type
        )
        if not valid_dimension or not 0 <= cap.max_pct <= 100:
            errors["caps"] = "A cap names one investment type or horizon and a percentage from 0 to 100."
    if only_table and not set(only_table.values()) <= set(tables):
        errors["epics"] = "An epic reserved to a table names a table of the session."
    if not errors and share_cents is not None and share_cents * len(user_ids) > money_cents:
        errors["share"] = f"{len(user_ids)} shares of {format_amount(share_cents)} exceed the money in play."
    if ends_at is None or ends_at <= timezone.now():
        errors["ends_at"] = "The time box ends in the future."
    if errors:
        raise ValidationError(errors)
    share = share_cents if share_cents is not None else money_cents // len(user_ids)
    session = PBSession(budget=budget, name=name, money_cents=money_cents, ends_at=ends_at, created_by=user)
    session.full_clean()
    audit(session, user=user)
    session.save()
    table_rows = {table_name: PBTable.objects.create(session=session, name=table_name) for table_name in tables}
    PBParticipant.objects.bulk_create(
        PBParticipant(session=session, table=table_rows[table_name], user_id=uid, share_cents=share)
        for table_name, members in tables.items()
        for uid in members
    )
    only_table = only_table or {}
    PBOffer.objects.bulk_create(
        PBOffer(
            session=session,
            epic=epic,
            estimate_cents=epic.estimated_cost_cents,
            only_table=table_rows.get(only_table.get(epic.pk)),
        )
        for epic in epics
    )
    PBCap.objects.bulk_create(
        PBCap(session=session, investment_type=c.investment_type, horizon=c.horizon, max_pct=c.max_pct) for c in caps
    )
    return session


def _open_round(session: PBSession) -> None:
    if session.status != PBSessionStatus.OPEN:
        raise FundingConflict("The session is closed.")
    if timezone.now() >= session.ends_at:
        raise FundingConflict("The session's time is up: no more pledges.")


@transaction.atomic
def pb_pledge_set(*, user, session: PBSession, offer_id: int, amount_cents: int) -> PBPledge:
    """Set the participant's pledge to one epic to `amount_cents` (0 takes it back).

    Refused: a non-participant (403); after the round or session closed, a pledge funded in an
    earlier round (409); an epic not on offer, reserved to another table, more than the
    participant's share, more than the epic still needs at the table, or over a cap (400).
    """
    participant = PBParticipant.objects.filter(session_id=session.pk, user_id=user.pk).values("id", "table_id").first()
    if participant is None or not user.is_authenticated:
        raise PermissionDenied("Only the session's participants pledge.")
    if amount_cents is None or amount_cents < 0:
        raise ValidationError({"amount": "A pledge is zero or more."})
    # Lock order: session, table, participant, everywhere. The session lock makes a round's close
    # wait for pledges in flight; the table lock serialises the table-wide checks below.
    session = PBSession.objects.select_for_update().get(pk=session.pk)
    _open_round(session)
    PBTable.objects.select_for_update().get(pk=participant["table_id"])
    seat = PBParticipant.objects.select_for_update().get(pk=participant["id"])
    offer = PBOffer.objects.filter(session=session, pk=offer_id).select_related("epic").first()
    if offer is None:
        raise ValidationError({"offer": "This epic is not on offer in this session."})
    if offer.only_table_id is not None and offer.only_table_id != seat.table_id:
        raise ValidationError({"offer": "Only another table's money may fund this epic."})
    pledge = PBPledge.objects.filter(participant=seat, offer=offer).first() or PBPledge(participant=seat, offer=offer)
    if pledge.locked:
        raise FundingConflict("This epic was funded in an earlier round: its money stays.")
    others = PBPledge.objects.filter(participant=seat).exclude(offer=offer)
    pledged_elsewhere = others.aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]
    if pledged_elsewhere + amount_cents > seat.share_cents:
        free = seat.share_cents - pledged_elsewhere
        raise ValidationError({"amount": f"Your share has {format_amount(free)} left for this epic."})
    table_pledges = PBPledge.objects.filter(participant__table_id=seat.table_id).exclude(pk=pledge.pk)
    pooled_elsewhere = table_pledges.filter(offer=offer).aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]
    if pooled_elsewhere + amount_cents > offer.estimate_cents:
        need = offer.estimate_cents - pooled_elsewhere
        raise ValidationError({"amount": f"{offer.epic.key} needs only {format_amount(need)} more at your table."})
    _check_caps(session, seat.table_id, offer, table_pledges, amount_cents)
    pledge.amount_cents = amount_cents
    pledge.save()
    PBPledgeEvent.objects.create(
        session=session,
        participant=seat,
        offer=offer,
        round=session.round,
        kind=PBEventKind.PLEDGE,
        amount_cents=amount_cents,
    )
    return pledge


def _check_caps(session, table_id, offer, table_pledges, amount_cents) -> None:
    epic = offer.epic
    caps = [
        c
        for c in session.caps.all()
        if (c.investment_type and c.investment_type == epic.investment_type)
        or (c.horizon and c.horizon == epic.horizon)
    ]
    if not caps:
        return
    table_money = PBParticipant.objects.filter(table_id=table_id).aggregate(total=Coalesce(Sum("share_cents"), 0))[
        "total"
    ]
    for cap in caps:
        same = (
            Q(offer__epic__investment_type=cap.investment_type)
            if cap.investment_type
            else Q(offer__epic__horizon=cap.horizon)
        )
        used = table_pledges.filter(same).aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]
        limit = table_money * cap.max_pct // 100
        if used + amount_cents > limit:
            label = (
                InvestmentType(cap.investment_type).label
                if cap.investment_type
                else InvestmentHorizon(cap.horizon).label
            )
            raise ValidationError(
                {"amount": f"At most {cap.max_pct}% of your table's money ({format_amount(limit)}) goes to {label}."}
            )


def _round_end(session: PBSession) -> None:
    """Return the pledges to epics their table did not fund (logged), lock the funded ones."""
    # A pledge's table total, by a correlated subquery: set-based, one query whatever the size.
    pooled = Subquery(
        PBPledge.objects.filter(offer=OuterRef("offer"), participant__table=OuterRef("participant__table"))
        .order_by()
        .values("offer")
        .annotate(total=Sum("amount_cents"))
        .values("total"),
        output_field=BigIntegerField(),
    )
    returned = list(
        PBPledge.objects.filter(participant__session=session, amount_cents__gt=0, locked=False)
        .annotate(pooled=pooled)
        .filter(pooled__lt=F("offer__estimate_cents"))
        .values_list("pk", "participant_id", "offer_id")
    )
    PBPledgeEvent.objects.bulk_create(
        PBPledgeEvent(
            session=session,
            participant_id=participant_id,
            offer_id=offer_id,
            round=session.round,
            kind=PBEventKind.RETURN,
            amount_cents=0,
        )
        for _, participant_id, offer_id in returned
    )
    PBPledge.objects.filter(pk__in=[pk for pk, _, _ in returned]).update(amount_cents=0)
    PBPledge.objects.filter(participant__session=session, amount_cents__gt=0).update(locked=True)


@transaction.atomic
def pb_round_close(*, user, session: PBSession) -> PBSession:
    """End the round: unfunded epics' pledges go back to their givers; the next round opens."""
    require_director(user)
    session = PBSession.objects.select_for_update().get(pk=session.pk)
    if session.status != PBSessionStatus.OPEN:
        raise FundingConflict("The session is closed.")
    _round_end(session)
    session.round += 1
    audit(session, user=user, reason=f"round {session.round - 1} closed")
    session.save()
    return session


@transaction.atomic
def pb_session_close(*, user, session: PBSession) -> PBSession:
    """End the last round and the session; its outcome becomes visible to everyone."""
    require_director(user)
    session = PBSession.objects.select_for_update().get(pk=session.pk)
    if session.status != PBSessionStatus.OPEN:
        raise FundingConflict("The session is already closed.")
    _round_end(session)
    session.status, session.closed_at = PBSessionStatus.CLOSED, timezone.now()
    audit(session, user=user, reason="closed")
    session.save()
    return session


@transaction.atomic
def pb_comment_add(*, user, session: PBSession, offer_id: int, body: str) -> PBComment:
    """A participant's message on an epic's thread, seen by their table."""
    seat = PBParticipant.objects.filter(session=session, user_id=user.pk).first() if user.is_authenticated else None
    if seat is None:
        raise PermissionDenied("Only the session's participants discuss its epics.")
    if session.status != PBSessionStatus.OPEN:
        raise FundingConflict("The session is closed.")
    offer = PBOffer.objects.filter(session=session, pk=offer_id).first()
    if offer is None:
        raise ValidationError({"offer": "This epic is not on offer in this session."})
    comment = PBComment(offer=offer, table_id=seat.table_id, author=user, body=(body or "").strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def pb_scenario_create(*, user, session: PBSession):
    """The closed session's outcome as a funding scenario (audited by the scenario services):
    each value stream's allocation plus the estimates of the epics funded overall there.
    Commit it like any scenario (compare, then commit)."""
    from funding.selectors.participatory import pb_outcome

    require_director(user)
    session = PBSession.objects.select_for_update().select_related("budget").get(pk=session.pk)
    if session.status != PBSessionStatus.CLOSED:
        raise FundingConflict("Close the session first.")
    if session.scenario_id is not None:
        raise FundingConflict("This session's outcome is already a scenario.")
    outcome = pb_outcome(session=session)
    scenario = scenario_create(
        user=user,
        budget=session.budget,
        name=f"Participatory: {session.name}"[:120],
        note=f"Outcome of the participatory budgeting session {session.name} (epics funded by most tables).",
    )
    current = dict(scenario.lines.values_list("value_stream_id", "amount_cents"))
    streams = ValueStream.objects.in_bulk([row.value_stream_id for row in outcome.by_value_stream])
    for row in outcome.by_value_stream:
        scenario_line_set(
            user=user,
            scenario=scenario,
            value_stream=streams[row.value_stream_id],
            amount_cents=current.get(row.value_stream_id, 0) + row.amount_cents,
        )
    session.scenario = scenario
    audit(session, user=user, reason="outcome turned into a scenario")
    session.save()
    return scenario
