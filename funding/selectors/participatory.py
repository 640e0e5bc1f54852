"""Reads for participatory budgeting: who sees a session, a table's live board, the outcome,
and the outcome replayed from the pledge log.

Visibility: a running session is seen by its participants and the directors who run it; a
closed one by everyone logged in. A participant sees only their own table's pledges and thread
until the session closes (the board is filtered by the table in the query, not in a template).
"""

from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.models import PBComment, PBOffer, PBParticipant, PBPledge, PBPledgeEvent, PBSession, PBSessionStatus
from portfolio.permissions import is_director


def pb_sessions_visible(*, user):
    """Sessions `user` may open: all for directors, else closed ones and those they sit in."""
    sessions = PBSession.objects.select_related("budget__quarter", "scenario")
    if is_director(user):
        return sessions
    if not user.is_authenticated:
        return sessions.none()
    return sessions.filter(Q(status=PBSessionStatus.CLOSED) | Q(participants__user=user)).distinct()


def pb_seat(*, user, session: PBSession) -> PBParticipant | None:
    if not user.is_authenticated:
        return None
    return PBParticipant.objects.filter(session=session, user=user).select_related("table").first()


def _sum(qs) -> Subquery:
    return Coalesce(
        Subquery(qs.order_by().values("offer").annotate(total=Sum("amount_cents")).values("total")[:1]),
        Value(0),
        output_field=BigIntegerField(),
    )


def pb_table_offers(*, session: PBSession, table_id: int, participant_id: int | None = None):
    """The epics on offer with this table's pooled pledges (`pooled_cents`), the participant's own
    (`mine_cents`, `mine_locked`) and whether the table funded it: one query."""
    table_pledges = PBPledge.objects.filter(offer=OuterRef("pk"), participant__table_id=table_id)
    mine = PBPledge.objects.filter(offer=OuterRef("pk"), participant_id=participant_id)
    return (
        PBOffer.objects.filter(session=session)
        .filter(Q(only_table__isnull=True) | Q(only_table_id=table_id))
        .select_related("epic__value_stream")
        .annotate(
            pooled_cents=_sum(table_pledges),
            mine_cents=_sum(mine),
            mine_locked=Coalesce(Subquery(mine.values("locked")[:1]), Value(False)),
            funders=Count("pledges", filter=Q(pledges__participant__table_id=table_id, pledges__amount_cents__gt=0)),
        )
        .annotate(needed_cents=F("estimate_cents") - F("pooled_cents"))
        .order_by("-epic__wsjf", "epic__key")
    )


def pb_table_comments(*, session: PBSession, table_id: int):
    return PBComment.objects.filter(offer__session=session, table_id=table_id).select_related("author", "offer__epic")


@dataclass(frozen=True)
class TableBoard:
    """What one participant sees: their table's offers, money and thread."""

    seat: PBParticipant
    offers: list
    pledged_cents: int
    comments: list

    @property
    def free_cents(self) -> int:
        return self.seat.share_cents - self.pledged_cents


def pb_table_board(*, session: PBSession, seat: PBParticipant) -> TableBoard:
    """Three queries: offers with the table's figures, the seat's pledged total, the thread."""
    offers = list(pb_table_offers(session=session, table_id=seat.table_id, participant_id=seat.pk))
    pledged = PBPledge.objects.filter(participant=seat).aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]
    comments = list(pb_table_comments(session=session, table_id=seat.table_id))
    return TableBoard(seat=seat, offers=offers, pledged_cents=pledged, comments=comments)


@dataclass(frozen=True)
class FundedEpic:
    key: str
    title: str
    value_stream: str
    estimate_cents: int
    tables: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StreamMoney:
    value_stream_id: int
    name: str
    amount_cents: int


@dataclass(frozen=True)
class Outcome:
    """The closed session's result. `per_table`: table name -> funded epic keys; `overall`: the
    epics funded by most tables (at least half), most agreed first; `by_value_stream`: the
    estimates of the overall funded epics per value stream; `agreement`: every funded epic with
    the tables that funded it."""

    per_table: dict[str, list[str]]
    overall: list[FundedEpic]
    agreement: list[FundedEpic]
    by_value_stream: list[StreamMoney]
    table_count: int

    @property
    def total_cents(self) -> int:
        return sum(row.amount_cents for row in self.by_value_stream)


def _funded_pairs(amounts: dict[tuple[int, int], int], seat_tables: dict[int, int], estimates: dict[int, int]):
    pooled: dict[tuple[int, int], int] = {}
    for (participant_id, offer_id), amount in amounts.items():
        key = (seat_tables[participant_id], offer_id)
        pooled[key] = pooled.get(key, 0) + amount
    return {key for key, total in pooled.items() if total >= estimates[key[1]]}


def pb_outcome(*, session: PBSession) -> Outcome:
    """The outcome from the pledges as they stand: funded when a table's pledges reach the
    estimate (the database sums per table and epic). Four queries."""
    funded = set(
        PBPledge.objects.filter(participant__session=session)
        .values("participant__table_id", "offer_id")
        .annotate(pooled=Sum("amount_cents"))
        .filter(pooled__gte=F("offer__estimate_cents"))
        .values_list("participant__table_id", "offer_id")
    )
    return _outcome(session, funded)


def pb_replay(*, session: PBSession) -> dict[tuple[int, int], int]:
    """The pledges (participant id, offer id) -> cents as the pledge log says: the last event of
    each pair, found by the database (a latest-event-per-pair subquery); zero amounts left out."""
    latest = PBPledgeEvent.objects.filter(
        session=session, participant=OuterRef("participant"), offer=OuterRef("offer")
    ).order_by("-id")
    rows = (
        PBPledgeEvent.objects.filter(session=session, pk=Subquery(latest.values("pk")[:1]))
        .filter(amount_cents__gt=0)
        .values_list("participant_id", "offer_id", "amount_cents")
    )
    return {(p, o): amount for p, o, amount in rows}


def pb_outcome_replayed(*, session: PBSession) -> Outcome:
    """The outcome computed from the pledge log alone, to check it reproduces `pb_outcome`."""
    amounts = pb_replay(session=session)
    seat_tables = dict(PBParticipant.objects.filter(session=session).values_list("id", "table_id"))
    estimates = dict(PBOffer.objects.filter(session=session).values_list("id", "estimate_cents"))
    return _outcome(session, _funded_pairs(amounts, seat_tables, estimates))


def _outcome(session: PBSession, funded: set[tuple[int, int]]) -> Outcome:
    tables = dict(session.tables.values_list("id", "name"))
    offers = {
        o.pk: o for o in PBOffer.objects.filter(session=session).select_related("epic__value_stream").order_by("id")
    }
    per_table: dict[str, list[str]] = {name: [] for name in tables.values()}
    by_offer: dict[int, list[str]] = {}
    for table_id, offer_id in sorted(funded, key=lambda pair: (tables[pair[0]], offers[pair[1]].epic.key)):
        per_table[tables[table_id]].append(offers[offer_id].epic.key)
        by_offer.setdefault(offer_id, []).append(tables[table_id])
    agreement = sorted(
        (
            FundedEpic(
                key=offers[o].epic.key,
                title=offers[o].epic.title,
                value_stream=offers[o].epic.value_stream.name,
                estimate_cents=offers[o].estimate_cents,
                tables=names,
            )
            for o, names in by_offer.items()
        ),
        key=lambda row: (-len(row.tables), row.key),
    )
    overall_ids = [o for o, names in by_offer.items() if 2 * len(names) >= len(tables)]
    overall = [row for row in agreement if 2 * len(row.tables) >= len(tables)]
    money: dict[int, int] = {}
    for o in overall_ids:
        vs_id = offers[o].epic.value_stream_id
        money[vs_id] = money.get(vs_id, 0) + offers[o].estimate_cents
    names = {o.epic.value_stream_id: o.epic.value_stream.name for o in offers.values()}
    by_value_stream = [StreamMoney(vs_id, names[vs_id], amount) for vs_id, amount in money.items()]
    by_value_stream.sort(key=lambda row: row.name)
    return Outcome(per_table, overall, agreement, by_value_stream, len(tables))


def pb_pledges_visible(*, user, session: PBSession):
    """The pledges `user` may see: their table's while the session runs (none outside a table),
    every table's once it closed. Zero pledges (taken back, returned) are left out."""
    pledges = PBPledge.objects.filter(participant__session=session, amount_cents__gt=0).select_related(
        "participant__table", "offer__epic"
    )
    if session.status == PBSessionStatus.CLOSED:
        return pledges.order_by("participant__table__name", "offer__epic__key", "participant_id")
    seat = pb_seat(user=user, session=session)
    if seat is None:
        return pledges.none()
    return pledges.filter(participant__table_id=seat.table_id).order_by("offer__epic__key", "participant_id")
