"""Reads for OKRs: scores per value stream, the quarter's objective tree, a KR's history."""

from dataclasses import dataclass, field

from django.db.models import Avg, F, FloatField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery

from core.history import history_as_of
from okrs.models import CheckIn, KeyResult, Objective, ObjectiveLevel
from okrs.querysets import objective_score_subquery
from okrs.scoring import grade_expression, progress_expression, score_band
from portfolio.models import MMP, Quarter
from portfolio.people import display_name
from portfolio.selectors.search import Found, found, matching

# Sparklines are drawn in this box (SVG user units); the page scales them with CSS.
SPARK_WIDTH, SPARK_HEIGHT = 100, 24


def value_stream_okr_scores(*, quarter: Quarter) -> dict[int, float | None]:
    """OKR score per value stream in a quarter: the mean of its value-stream objectives' scores
    (each the weighted mean of its KR grades). One query for all value streams."""
    rows = (
        Objective.objects.filter(quarter=quarter, level=ObjectiveLevel.VALUE_STREAM)
        .annotate(score=objective_score_subquery())
        .order_by()
        .values("value_stream")
        .annotate(okr_score=Avg("score", output_field=FloatField()))
        .values_list("value_stream", "okr_score")
    )
    return dict(rows)


def check_in_grade_expression():
    """A check-in's value graded against its KR's baseline and target, clamped to 0..1."""
    return grade_expression(current="value", prefix="key_result__")


def sparkline_points(grades: list[float]) -> str:
    """SVG polyline points for a run of 0..1 grades (one point is drawn as a flat line)."""
    if not grades:
        return ""
    if len(grades) == 1:
        grades = [grades[0], grades[0]]
    step = SPARK_WIDTH / (len(grades) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - max(0.0, min(1.0, g)) * (SPARK_HEIGHT - 4):.1f}"
        for i, g in enumerate(grades)
    )


def key_results_scored() -> QuerySet[KeyResult]:
    """Key results with `progress_value`, `grade_value` and their objective (for lists)."""
    return KeyResult.objects.with_scores().select_related("objective", "objective__value_stream")


@dataclass
class ObjectiveNode:
    objective: Objective
    key_results: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def band(self) -> str:
        return score_band(self.objective.score)


@dataclass
class OkrTree:
    quarter: Quarter
    portfolio: list[ObjectiveNode]
    unaligned: list[ObjectiveNode]  # value-stream objectives without a portfolio parent

    @property
    def empty(self) -> bool:
        return not self.portfolio and not self.unaligned


def okr_tree(*, quarter: Quarter, value_stream_id: int | None = None, as_of=None) -> OkrTree:
    """The quarter's objectives as a tree: portfolio objectives -> aligned value-stream
    objectives -> key results (with grade, band, confidence and sparkline points).

    Three queries whatever the size: objectives with scores, key results with grades, and the
    check-ins' grades for the sparklines. Python only arranges rows into the tree.
    `as_of`: key results (targets, current value, confidence) and scores as they stood at the end
    of that day, check-ins up to it (objectives themselves as they are now).
    """
    objectives = Objective.objects.filter(quarter=quarter)
    if as_of is None:
        objectives = objectives.with_scores()
        key_results = KeyResult.objects.with_scores()
    else:
        key_results = key_results_as_of(day=as_of)
        objectives = objectives.annotate(
            score=objective_score_subquery(key_results=history_as_of(KeyResult, day=as_of))
        )
    objectives = objectives.select_related("value_stream", "owner", "theme").order_by(
        "level", "value_stream__name", "title", "id"
    )
    # No select_related here: the tree already holds the objectives, and building three model
    # instances per KR row was most of this function's time at benchmark size.
    key_results = key_results.filter(objective__quarter=quarter).order_by("objective_id", "id")
    check_ins = CheckIn.objects.filter(date__lte=as_of) if as_of else CheckIn.objects.all()
    check_ins = (
        check_ins.filter(key_result__objective__quarter=quarter)
        .annotate(grade=check_in_grade_expression())
        .order_by("key_result_id", "date", "id")
        .values_list("key_result_id", "grade")
    )
    if value_stream_id is not None:
        # Keep the portfolio objectives the stream's objectives align to.
        objectives = objectives.filter(value_stream_id=value_stream_id) | objectives.filter(
            level=ObjectiveLevel.PORTFOLIO
        )
        key_results = key_results.filter(objective__value_stream_id=value_stream_id)
        check_ins = check_ins.filter(key_result__objective__value_stream_id=value_stream_id)

    grades: dict[int, list[float]] = {}
    for kr_id, grade in check_ins:
        grades.setdefault(kr_id, []).append(grade)
    krs_by_objective: dict[int, list[KeyResult]] = {}
    for kr in key_results:
        kr.band = score_band(kr.grade_value)
        kr.sparkline = sparkline_points(grades.get(kr.id, []))
        krs_by_objective.setdefault(kr.objective_id, []).append(kr)

    nodes = {o.id: ObjectiveNode(objective=o, key_results=krs_by_objective.get(o.id, [])) for o in objectives}
    portfolio, unaligned = [], []
    for node in nodes.values():
        objective = node.objective
        if objective.level == ObjectiveLevel.PORTFOLIO:
            portfolio.append(node)
        elif objective.parent_id in nodes:
            nodes[objective.parent_id].children.append(node)
        else:
            unaligned.append(node)
    if value_stream_id is not None:
        portfolio = [node for node in portfolio if node.children]
    return OkrTree(quarter=quarter, portfolio=portfolio, unaligned=unaligned)


def objective_scored(*, objective_id: int) -> Objective:
    return Objective.objects.with_scores().select_related("value_stream").get(pk=objective_id)


def key_result_row(*, key_result_id: int) -> KeyResult:
    """One KR as the tree shows it (grade, band, sparkline): two queries."""
    kr = key_results_scored().get(pk=key_result_id)
    grades = list(
        CheckIn.objects.filter(key_result_id=key_result_id)
        .annotate(grade=check_in_grade_expression())
        .order_by("date", "id")
        .values_list("grade", flat=True)
    )
    kr.band = score_band(kr.grade_value)
    kr.sparkline = sparkline_points(grades)
    return kr


def key_result_detail(*, key_result_id: int) -> tuple[KeyResult, list[CheckIn]]:
    """A KR with its scores, linked epics and MMPs, and its check-ins (oldest first) with grades."""
    kr = (
        key_results_scored()
        .select_related("objective__quarter", "objective__parent")
        .prefetch_related("epics", Prefetch("mmps", queryset=MMP.objects.select_related("epic")))
        .get(pk=key_result_id)
    )
    kr.band = score_band(kr.grade_value)
    check_ins = list(
        CheckIn.objects.filter(key_result_id=key_result_id)
        .annotate(grade=check_in_grade_expression())
        .select_related("author")
        .order_by("date", "id")
    )
    return kr, check_ins


def epic_key_results(*, epic) -> list[KeyResult]:
    """The KRs an epic is expected to move, with grades: one query (or none when the caller
    prefetched `key_results` with `key_results_scored()`)."""
    cache = getattr(epic, "_prefetched_objects_cache", {})
    if "key_results" in cache:
        krs = list(cache["key_results"])
    else:
        krs = list(
            epic.key_results.with_scores()
            .select_related("objective", "objective__value_stream")
            .order_by("objective__title", "id")
        )
    for kr in krs:
        kr.band = score_band(getattr(kr, "grade_value", None))
    return krs


def key_result_target_history(*, key_result_id: int) -> list:
    """Each recorded version of a KR's definition (newest first) with who changed it: one query."""
    rows = list(
        KeyResult.history.filter(id=key_result_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .values(
            "history_date",
            "history_type",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
            "direction",
            "baseline",
            "target",
            "weight",
        )
    )
    for row in rows:
        row["history_user_name"] = (
            display_name(
                None,
                first_name=row["history_user__first_name"],
                last_name=row["history_user__last_name"],
                username=row["history_user__username"],
            )
            if row["history_user__username"]
            else ""
        )
    return rows


def objectives_with_scores(*, value_stream_id: int, quarter: Quarter) -> list[Objective]:
    objectives = list(
        Objective.objects.filter(value_stream_id=value_stream_id, quarter=quarter)
        .with_scores()
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.with_scores().order_by("id")))
        .order_by("id")
    )
    for objective in objectives:
        objective.band = score_band(objective.score)
    return objectives


# --- the quarter's key results for reports, plans and "then and now" ----------------------------


def key_results_of_quarter(*, quarter: Quarter, value_stream=None) -> QuerySet[KeyResult]:
    """The quarter's KRs scored, with their objective, in report order. With a value stream:
    its own KRs and the portfolio-level ones it contributes to."""
    key_results = KeyResult.objects.filter(objective__quarter=quarter)
    if value_stream is not None:
        key_results = key_results.filter(
            Q(objective__value_stream=value_stream) | Q(objective__level=ObjectiveLevel.PORTFOLIO)
        )
    return (
        key_results.with_scores()
        .select_related("objective", "objective__value_stream")
        .order_by("objective__level", "objective__title", "id")
    )


def objective_scores_of_quarter(*, quarter: Quarter) -> list[dict]:
    """Every objective of the quarter with its score: id, title, level, value_stream, score."""
    return list(
        Objective.objects.filter(quarter=quarter)
        .with_scores()
        .order_by("level", "title", "id")
        .values("id", "title", "level", "value_stream", "score")
    )


def key_results_as_planned(*, quarter: Quarter) -> list[dict]:
    """The quarter's KRs as a plan keeps them: ids, direction, baseline, target, current, weight."""
    return list(
        KeyResult.objects.filter(objective__quarter=quarter)
        .order_by("objective_id", "id")
        .values(
            "id",
            "objective",
            "objective__value_stream",
            "title",
            "direction",
            "baseline",
            "target",
            "current",
            "weight",
        )
    )


def key_result_targets(*, ids) -> list[dict]:
    """KRs' current targets by id (id, title, target, unit, objective_title), by objective title."""
    return list(
        KeyResult.objects.filter(id__in=ids)
        .order_by("objective__title", "id")
        .values("id", "title", "target", "unit", objective_title=F("objective__title"))
    )


def key_result_target_changes(*, quarter: Quarter, since) -> list[dict]:
    """The quarter's KRs whose target differs from what it was at `since` (from the history
    table): id, title, target, unit, then_target, objective_title. One query."""
    then = Subquery(
        KeyResult.history.filter(id=OuterRef("id"), history_date__lte=since)
        .order_by("-history_date", "-history_id")
        .values("target")[:1]
    )
    return list(
        KeyResult.objects.filter(objective__quarter=quarter)
        .annotate(then_target=then)
        .filter(then_target__isnull=False)
        .exclude(then_target=F("target"))
        .order_by("objective__title", "id")
        .values("id", "title", "target", "unit", "then_target", objective_title=F("objective__title"))
    )


def key_results_as_of(*, day):
    """Key results as they stood at the end of `day` (targets, the current value of the last
    check-in then), with `progress_value` and `grade_value` computed as the live ones are."""
    return history_as_of(KeyResult, day=day).annotate(
        progress_value=progress_expression(), grade_value=grade_expression()
    )


def key_result_target_drift(*, start, end):
    """Key results whose target changed in (start, end], with who and when."""
    from core.history import history_changes

    return history_changes(
        KeyResult,
        start=start,
        end=end,
        fields=["target", "baseline"],
        label="{row.title}",
        queryset=KeyResult.history.model.objects.select_related("objective"),
    )


def key_results_for_benefits(*, value_stream_id: int):
    """The key results a benefit of this value stream may serve: its own stream's and the
    portfolio objectives' (newest quarter first)."""
    return (
        KeyResult.objects.filter(
            Q(objective__value_stream_id=value_stream_id) | Q(objective__level=ObjectiveLevel.PORTFOLIO)
        )
        .select_related("objective", "objective__quarter")
        .order_by("-objective__quarter__start", "objective__title", "title", "id")
    )


def key_results_awaiting_check_in(*, quarter: Quarter, before) -> QuerySet:
    """Key results of `quarter` with an owner (their objective's), checked in by people (not
    bound to a metric: the rollup checks those in), whose latest check-in, or creation when
    there is none, is before the day `before`. One query; the latest day is a database Max."""
    return (
        KeyResult.objects.filter(objective__quarter=quarter, objective__owner__isnull=False, metric="")
        .annotate(last_check_in=Max("check_ins__date"))
        .filter(Q(last_check_in__lt=before) | Q(last_check_in__isnull=True, created_at__date__lt=before))
        .order_by("id")
        .values("id", "title", "last_check_in", owner_id=F("objective__owner_id"))
    )


def key_results_history(*, quarter: Quarter) -> list:
    """Every change of the quarter's key results, by KR then oldest first, labelled with the
    KR's title as it was (`portfolio.history` entries): one query, for the OKRs export's sheet."""
    from portfolio.history import entries_of_many, history_rows_for

    rows = history_rows_for(KeyResult, objects=KeyResult.objects.filter(objective__quarter=quarter))
    return [(entry.record.title, entry) for entry in entries_of_many(KeyResult, rows)]


def key_result_search(*, terms: list[str], limit: int = 10) -> Found:
    """Key results by title or their objective's title (each KR has its page, readable by all),
    newest quarter first; the number of matches rides on the rows (one query)."""
    key_results = KeyResult.objects.filter(matching(terms, "title", "objective__title")).select_related(
        "objective__quarter", "objective__value_stream"
    )
    return found(key_results.order_by("-objective__quarter__start", "objective_id", "id"), limit=limit)
