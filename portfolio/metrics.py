"""The metrics catalogue: every delivery figure's definition, written once.

The selectors in `portfolio/selectors/delivery.py` implement these definitions; the `/metrics/`
page, the figure labels' tooltips and the README point here. A change of definition changes
this text in the same commit as the selector.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Metric:
    """One figure: what it is, how it is computed, over what, from which data, and what its
    absence means. `devlake` lists where Apache DevLake's published queries differ."""

    key: str  # anchor on /metrics/ and the snapshot/API field family
    name: str
    group: str  # "DORA", "Flow" or "Value"
    formula: str
    unit: str
    window: str
    source: str
    no_data: str
    fields: tuple[str, ...] = ()  # snapshot / API fields carrying it
    devlake: tuple[str, ...] = field(default_factory=tuple)


QUARTER_TO_DATE = (
    "The quarter to date: from the quarter's first day (00:00 in the installation's time zone) to the end "
    "of the snapshot's day D. Only events at or before the end of D count, so replaying D's rollup later "
    "gives the same figure."
)

CATALOGUE: tuple[Metric, ...] = (
    Metric(
        key="deployment_frequency",
        name="Deployment frequency",
        group="DORA",
        formula=(
            "deployments_per_week = successful production deployments in the window / weeks in the window; "
            "deployment_days_per_week = distinct days (local time) with one / weeks in the window. "
            "Graded on deployment DAYS, the way DORA's buckets read: the median number of deployment days per "
            "complete week of the window, then per complete month (the window itself until a month is complete), "
            "then in the window (at most six months). Benchmark 2023/2024: elite >= 5 days a week, high >= 1 a "
            "week, medium >= 1 a month, otherwise low. 2021: elite >= 5 a week, high >= 1 a month, medium >= 1 in "
            "the window. The thresholds are data (DoraBenchmark), the vintage is the DORA_BENCHMARK setting."
        ),
        unit="deployments per week; deployment days per week",
        window=QUARTER_TO_DATE + " Weeks and months are counted from the quarter's first day.",
        source="Deployments with environment 'production' (GitHub deployment_status, GitLab deployment with "
        "environment_tier production, CSV, bulk API) that succeeded.",
        no_data="'no production deployment recorded' (none ever, up to the end of D); not graded while the "
        "window holds less than one full week ('less than a full week in the window'). A stream that deployed "
        "before but not in the window has 0 and grades low.",
        fields=("deployments_per_week", "deployment_days_per_week", "deployment_frequency_level"),
        devlake=(
            "DevLake's elite needs a median of 7 deployment days a week (every calendar day); we take 5 (every "
            "working day), so a team deploying on every working day is elite here and high in DevLake.",
            "DevLake counts calendar weeks (Monday) and months over the dashboard's range including partial ones "
            "at the edges; we count only complete weeks and months from the quarter's start, so one deployment "
            "on a quarter's first day grades nothing special.",
            "DevLake merges the deployments of one pipeline into one; we count deployments as the tool sends them "
            "(deployment days are unaffected).",
        ),
    ),
    Metric(
        key="lead_time",
        name="Lead time for changes",
        group="DORA",
        formula=(
            "Median over successful production deployments in the window of (deployed_at - first commit). The "
            "first commit is the tool's own first_commit_at when it sends one (CSV, bulk API), otherwise the "
            "earliest commit (authored time) pushed to the deployment's repository after its previous production "
            "deployment and by this one (GitHub push / workflow_run, GitLab push / pipeline)."
        ),
        unit="hours",
        window=QUARTER_TO_DATE,
        source="Deployments and commits.",
        no_data="'no deployments in the window', or 'no commit times for the deployments in the window' (no "
        "first_commit_at and no commit pushed to the repository).",
        fields=("lead_time_median_hours", "lead_time_level"),
        devlake=(
            "DevLake's lead time is per pull request (median over PRs deployed in the range, from the PR's first "
            "commit to the deployment that shipped it); ours is per deployment (from the earliest commit it "
            "shipped). They agree when each deployment ships one pull request.",
        ),
    ),
    Metric(
        key="change_failure_rate",
        name="Change failure rate",
        group="DORA",
        formula=(
            "Production deployments in the window that caused an incident (opened by the end of D) / production "
            "deployments in the window. A deployment with several incidents counts once. An incident sent without "
            "a deployment is linked to the last production deployment of its value stream before it opened (its "
            "deployment_link says 'last_before'; 'explicit' when the source named the deployment)."
        ),
        unit="ratio 0..1",
        window=QUARTER_TO_DATE,
        source="Deployments and incidents (GitHub issues labelled 'incident', GitLab incidents and alerts, Jira "
        "issues of type Incident, PagerDuty, CSV, bulk API).",
        no_data="'no incident source connected': no incident ever recorded for the stream (up to D) and no source "
        "rule that reports incidents (a PagerDuty rule, or a rule marked 'reports incidents'). Such a stream is "
        "never graded on failure rate, let alone elite. 'no deployments in the window' otherwise.",
        fields=("change_failure_rate", "change_failure_rate_level"),
        devlake=(
            "DevLake links an incident to the last deployment before it (same as our inferred link) and shows "
            "'N/A' when no incident was collected: same figure.",
        ),
    ),
    Metric(
        key="recovery_time",
        name="Failed deployment recovery time",
        group="DORA",
        formula=(
            "Median over incidents RESOLVED in the window that were caused by a production deployment of "
            "(resolved_at - that deployment's deployed_at)."
        ),
        unit="hours",
        window=QUARTER_TO_DATE + " The incident's resolution date decides, not the deployment's date.",
        source="Incidents and the deployments they are linked to.",
        no_data="'no incident source connected' (as for change failure rate), or 'no failed deployment recovered "
        "in the window'.",
        fields=("recovery_time_median_hours", "recovery_time_level"),
        devlake=("Same definition as DevLake's failed deployment recovery time (2023 report).",),
    ),
    Metric(
        key="time_to_restore",
        name="Time to restore service",
        group="DORA",
        formula="Median over incidents resolved in the window of (resolved_at - opened_at). Shown beside recovery "
        "time; not graded.",
        unit="hours",
        window=QUARTER_TO_DATE,
        source="Incidents.",
        no_data="'no incident source connected', or 'no incident resolved in the window'.",
        fields=("time_to_restore_median_hours",),
        devlake=("DevLake's older MTTR (2021 report) is this figure.",),
    ),
    Metric(
        key="dora_level",
        name="DORA level",
        group="DORA",
        formula=(
            "Each metric with data gets the best level whose threshold it meets in the benchmark vintage in use "
            "(lead time and recovery strictly under, failure rate at most, deployment days at least). The overall "
            "level is the worst of those levels, and says on how many of the four metrics it rests ('2 of 4 "
            "metrics'). A metric without data is not a grade."
        ),
        unit="elite / high / medium / low",
        window=QUARTER_TO_DATE,
        source="The four figures above and the DoraBenchmark rows (2021, 2023, 2024).",
        no_data="'no data' when none of the four metrics has data. A project-mode stream with no production "
        "deployment in the window is not graded at all: 'not graded: project mode, no deployments' (its "
        "figures stay; see 'Delivery mode').",
        fields=("dora_level", "dora_metrics_graded", "dora_levels", "dora_no_data"),
        devlake=("DevLake grades each metric separately and has no overall level.",),
    ),
    Metric(
        key="flow_velocity",
        name="Flow velocity",
        group="Flow",
        formula="Work items done (finished_at) in the window.",
        unit="items",
        window=QUARTER_TO_DATE,
        source="Work items (GitHub/GitLab issues and merge requests, Jira issues, CSV, bulk API).",
        no_data="0 when nothing was finished.",
        fields=("flow_velocity",),
    ),
    Metric(
        key="flow_time",
        name="Flow time",
        group="Flow",
        formula="Median and 85th percentile (interpolated, as PostgreSQL's percentile_cont) over items done in the "
        "window of (finished_at - started_at); creation time when the tool never reported a start. An item "
        "first seen already active starts when it was first seen.",
        unit="days",
        window=QUARTER_TO_DATE,
        source="Work items.",
        no_data="No item done in the window.",
        fields=("flow_time_median_days", "flow_time_p85_days"),
    ),
    Metric(
        key="flow_load",
        name="Flow load",
        group="Flow",
        formula="Items in progress at the end of D: started before it and not finished by then (active, waiting, "
        "or done / canceled later).",
        unit="items",
        window="The instant at the end of D.",
        source="Work items.",
        no_data="0 when nothing is in progress.",
        fields=("flow_load",),
    ),
    Metric(
        key="flow_efficiency",
        name="Flow efficiency",
        group="Flow",
        formula="Sum of active time / sum of (active + waiting) time over items done in the window that report "
        "active or waiting states.",
        unit="ratio 0..1",
        window=QUARTER_TO_DATE,
        source="Work items' status changes (any tool status can be mapped to waiting: paused, blocked).",
        no_data="No item done in the window reports active/waiting time.",
        fields=("flow_efficiency",),
    ),
    Metric(
        key="flow_distribution",
        name="Flow distribution",
        group="Flow",
        formula="Share of each flow item type (feature, defect, risk, debt) among the items done in the window.",
        unit="share per type",
        window=QUARTER_TO_DATE,
        source="Work items.",
        no_data="Empty when nothing was done.",
        fields=("flow_distribution",),
    ),
    # --- what the money bought (issue 12) ---------------------------------------------------------
    Metric(
        key="actual_cost",
        name="Actual cost per epic (and per release)",
        group="Value",
        formula="A fixed-cost team's sprint cost (the team's cost per sprint when the sprint was recorded) is "
        "spread over the work items linked to the sprint that are done, by size (no size counts 1): each item "
        "gets floor(sprint cost x its size / the sprint's done size); an epic (or MVP/MMP) sums its items' "
        "shares. Spend rows tagged with the epic (not void) add directly. Items of no epic keep their share "
        "(unattributed), and so do the cents lost to rounding. The rule lives in funding.selectors.actuals.",
        unit="money",
        window="To date: every sprint and tagged spend row recorded so far.",
        source="Team sprints (team, start, end, cost, work items), work items, spend.",
        no_data="0 for an epic with no done work in any sprint and no tagged spend; a sprint with no done work "
        "attributes nothing.",
        fields=("actual", "actual_cost"),
    ),
    Metric(
        key="forecast_at_completion",
        name="Forecast at completion and variance",
        group="Value",
        formula="Done epic: the actual cost. No actual cost yet: the estimate. Some work done: actual x total "
        "size / done size (the spend rate so far continues). Otherwise the larger of estimate and actual. "
        "Variance = forecast - estimate (positive is an overrun).",
        unit="money",
        window="To date.",
        source="Actual cost, the epic's work items (canceled ones excluded), its estimate.",
        no_data="Null without an estimate and without cost.",
        fields=("forecast_at_completion", "variance"),
    ),
    Metric(
        key="benefit",
        name="Planned and realised benefit",
        group="Value",
        formula="Planned: each money benefit's amount per month x the months started by the day, from its start "
        "month. Realised: the sum of the money measurements recorded for it. Leading indicators are shown with "
        "their latest value and carry no money. Amounts are in the installation's currency; another currency is "
        "refused.",
        unit="money",
        window="Epic: to date. Value stream: the quarter to date, and to date.",
        source="Benefit hypotheses and benefit measurements (append-only).",
        no_data="Null when no money benefit is recorded.",
        fields=("benefit_planned", "benefit_realised", "benefit_planned_to_date", "benefit_realised_to_date"),
    ),
    Metric(
        key="return",
        name="Return on the money",
        group="Value",
        formula="Realised return = money benefit realised to date / actual cost to date. Planned return = planned "
        "money benefit over BENEFIT_HORIZON_MONTHS (36 by default) from each benefit's start / the estimate. A "
        "value stream's figures run over its epics that carry a money benefit.",
        unit="ratio (x)",
        window="To date.",
        source="Benefits, actual cost, estimates.",
        no_data="Null when there is no money benefit, no cost yet or no estimate.",
        fields=("return_realised", "return_planned", "realised_return", "planned_return"),
    ),
    Metric(
        key="time_to_value",
        name="Time to value",
        group="Value",
        formula="Per epic: days from entering the funnel (its creation) and from its go decision to its first "
        "released MVP/MMP, and to done. Per value stream: median and 85th percentile (interpolated) of funnel -> "
        "first release over epics first released in the window. A value stream without any release of user "
        "value for NO_VALUE_RELEASE_DAYS (90 by default) is flagged.",
        unit="days",
        window=QUARTER_TO_DATE,
        source="Epics, MVP/MMP release dates, Kanban transitions.",
        no_data="Null when no epic had its first release in the window.",
        fields=("time_to_value_median_days", "time_to_value_p85_days", "no_value_alarm", "last_value_release"),
    ),
    Metric(
        key="epic_flow",
        name="Epic throughput, cycle time and time in state",
        group="Value",
        formula="Throughput: epics moved to done in the window. Cycle time: first arrival in the portfolio "
        "backlog -> last move to done (median, 85th percentile). Time in state: mean stay in each Kanban state, "
        "a stay ending at the epic's next move or now.",
        unit="epics; days",
        window=QUARTER_TO_DATE,
        source="Kanban transitions.",
        no_data="Cycle time null when no epic was done in the window.",
        fields=("epic_throughput", "epic_cycle_time_median_days", "epic_cycle_time_p85_days"),
    ),
    Metric(
        key="predictability",
        name="Flow predictability",
        group="Value",
        formula="Delivered / planned business value of the MMPs committed at the quarter's closed quarterly "
        "planning event (frozen in its plan snapshot with the epic's user-business value). Delivered: released "
        "by the quarter end (or the day, to date). SAFe's target band is 80-100 %.",
        unit="percent",
        window="The quarter (to date).",
        source="The plan snapshot, MMP releases.",
        no_data="Null without a closed quarterly planning event or without committed MMPs.",
        fields=("predictability", "planned_mmps", "delivered_mmps"),
    ),
    Metric(
        key="cost_reconciliation",
        name="Team cost against labour spend",
        group="Value",
        formula="Per value stream and month: labour spend (not void) against the cost of its teams' sprints "
        "ending in the month. Flagged when |spend - team cost| x 100 > tolerance x team cost; the tolerance is "
        "the budget guardrail's cost_tolerance_pct (10 by default).",
        unit="money; percent",
        window="Months of the quarter to date.",
        source="Spend, team sprints, guardrails.",
        no_data="A month without sprints has no team cost: shown as no data and never flagged.",
        fields=("cost_flagged_months",),
    ),
)

BY_KEY = {metric.key: metric for metric in CATALOGUE}

# The Monte Carlo forecast (issue 16): computed by vmo after each rollup, cached in portfolio.
FORECASTS: tuple[Metric, ...] = (
    Metric(
        key="forecast",
        name="Delivery forecast (Monte Carlo)",
        group="Forecast",
        formula=(
            "A seeded bootstrap (FORECAST_TRIALS, default 10,000 trials): each trial draws weeks at random, with "
            "replacement, from the stream's weekly throughput and counts the weeks until the work is done. 'When' "
            "for an epic or MMP: its open work plus the work ranked ahead of it in its stream (implementing first, "
            "then WSJF), size-weighted (no size counts 1); P50/P85/P95 = the weeks by which 50/85/95 % of trials "
            "finished. 'How many' by the quarter's end: P85 = the count 85 % of trials reached."
        ),
        unit="dates; items; probability 0..1",
        window="The last FORECAST_HISTORY_WEEKS (default 26) whole weeks before the forecast day, zeros included.",
        source="Work items done (finished_at) per value stream and week.",
        no_data="'too little history' when fewer than 8 of those weeks had a done item; no dates are given.",
        fields=("p50", "p85", "p95", "probability_by_quarter_end", "how_many"),
    ),
    Metric(
        key="forecast_backtest",
        name="Forecast backtest: P85 hit rate",
        group="Forecast",
        formula=(
            "At each of the past 26 weeks with a full history window before it, forecast 'how many items in the "
            "next 4 weeks' and check the actual count reached P85; hit rate = hits / forecasts replayed. Near 0.85 "
            "means the P85 dates can be trusted as such (manage.py forecast_backtest)."
        ),
        unit="ratio 0..1",
        window="The 26 weeks before the forecast day, each replayed with its own history window.",
        source="The same weekly throughput as the forecast.",
        no_data="null when no past week had enough history to replay.",
        fields=("backtest_p85_hit_rate",),
    ),
)

SPRINT_WINDOW = (
    "Sprints that ended in the 12 weeks up to the day shown (after day - 84 days, on or before the day); "
    "a sprint counts whole in the window its end falls in."
)

MODES: tuple[Metric, ...] = (
    Metric(
        key="delivery_mode",
        name="Delivery mode: which figures apply",
        group="Modes",
        formula=(
            "A value stream's delivery mode chooses its panels and grading (portfolio/modes.py): project streams "
            "show delivery, flow, DORA and a finish forecast, and are graded on DORA only when they deploy (at "
            "least one successful production deployment in the window); agile streams add velocity, say/do and "
            "the sprint burn-up; continuous streams show flow and DORA and change vs run spend instead of a "
            "finish forecast."
        ),
        unit="project / agile / continuous",
        window=QUARTER_TO_DATE + " (for 'deploys').",
        source="ValueStream.delivery_mode; production deployments.",
        no_data="'not graded: project mode, no deployments' instead of a DORA level.",
        fields=("delivery_mode", "dora_not_graded"),
    ),
    Metric(
        key="velocity",
        name="Sprint velocity",
        group="Modes",
        formula=(
            "A sprint's done size = its typed done size, else the size of its linked work items that are done with "
            "a finish day on or before the sprint's last day (an item without size counts 1). Team velocity = "
            "mean done size per sprint; value stream velocity = the sum of its teams' velocities."
        ),
        unit="size per sprint",
        window=SPRINT_WINDOW,
        source="Team sprints (typed figures or linked work items).",
        no_data="'no data' when no sprint ended in the window (a team without sprints is not zero).",
        fields=("velocity",),
    ),
    Metric(
        key="say_do",
        name="Say/do ratio",
        group="Modes",
        formula=(
            "Done size / committed size over the sprints in the window (pooled over a stream's teams). Committed "
            "= the typed committed size, else the size of the sprint's linked work items."
        ),
        unit="ratio (shown as %)",
        window=SPRINT_WINDOW,
        source="Team sprints.",
        no_data="'no data' when nothing was committed in the window.",
        fields=("say_do",),
    ),
    Metric(
        key="sprint_burnup",
        name="Sprint burn-up",
        group="Modes",
        formula=(
            "Team: per day of its latest begun sprint, the done size of the sprint's work items finished by that "
            "day, against the committed size. Value stream: per sprint end day, running totals of committed and "
            "done size over its teams' sprints."
        ),
        unit="size",
        window="The sprint's days (team); " + SPRINT_WINDOW + " (value stream).",
        source="Team sprints and their work items.",
        no_data="No chart when no sprint has begun (team) or ended in the window (value stream).",
    ),
    Metric(
        key="run_change",
        name="Change vs run spend",
        group="Modes",
        formula=(
            "Per month: change = booked spend tagged to an epic whose investment type is not 'keep the lights on'; "
            "run = the rest of the booked spend (tagged to a KTLO epic or to no epic). Change share = change / all "
            "over the period."
        ),
        unit="money per month; ratio",
        window="The 12 months up to the current month.",
        source="Spend (not voided) and its epic's investment type.",
        no_data="Months without booked spend show 0; the share is 'no data' when nothing was booked.",
    ),
)
CATALOGUE = (*CATALOGUE, *FORECASTS, *MODES)
BY_KEY = {metric.key: metric for metric in CATALOGUE}

# Project (waterfall) mode, issue 18: earned value management of a project-mode epic, computed by
# `funding.selectors.earned_value` from its plan (portfolio/models/projects.py) and actual cost.
EARNED_VALUE_WINDOW = (
    "From the project's start to the end of the day asked for (as_of; today by default): a milestone counts "
    "when its date is on or before that day, spend when its month began by then, a sprint when it ended by then."
)
PROJECTS: tuple[Metric, ...] = (
    Metric(
        key="planned_value",
        name="Planned value (PV)",
        group="Project",
        formula=(
            "PV = BAC x (weight of the milestones whose BASELINE date is on or before the day) / (weight of all "
            "milestones), rounded down to the cent. BAC (budget at completion) is the project plan's baseline "
            "budget; a milestone's weight (1 by default) is its share of the budget."
        ),
        unit="money",
        window=EARNED_VALUE_WINDOW,
        source="Project plan (baseline budget), milestones (baseline dates, weights).",
        no_data="null without milestones.",
        fields=("planned_value", "budget_at_completion"),
    ),
    Metric(
        key="earned_value",
        name="Earned value (EV)",
        group="Project",
        formula=(
            "THE EARNED-VALUE RULE, per project (the plan's ev_method). 'milestones' (the default): EV = BAC x "
            "(weight of the milestones COMPLETED on or before the day) / (weight of all milestones): 0/100 per "
            "milestone, nothing is earned for a milestone half done. 'percent_complete': EV = BAC x (size of the "
            "epic's work items done by the end of the day) / (size of its work items), canceled items left out, "
            "an item without a size counting 1 (delivery progress at that day). Rounded down to the cent."
        ),
        unit="money",
        window=EARNED_VALUE_WINDOW,
        source="Milestones (completed_on) or the epic's work items (status, finished_at).",
        no_data="null without milestones (milestone method) or without work items (percent complete).",
        fields=("earned_value",),
    ),
    Metric(
        key="actual_cost_evm",
        name="Actual cost (AC)",
        group="Project",
        formula=(
            "The epic's actual cost by the cost rule (funding/selectors/actuals.py): its shares of team sprints "
            "(fixed-cost teams, spread over done work by size) for sprints that ended by the day, plus spend "
            "tagged with the epic (not void) of the months begun by the day. An epic no team sprint works on "
            "costs its tagged spend alone."
        ),
        unit="money",
        window=EARNED_VALUE_WINDOW,
        source="Team sprints and their work items, spend tagged with the epic.",
        no_data="0 when nothing was spent yet (then CPI and EAC are null).",
        fields=("actual_cost",),
    ),
    Metric(
        key="spi_cpi",
        name="Schedule and cost performance (SPI, CPI)",
        group="Project",
        formula="SPI = EV / PV; CPI = EV / AC; four decimals, rounded half up. Below 1: behind schedule / over cost.",
        unit="ratio",
        window=EARNED_VALUE_WINDOW,
        source="PV, EV, AC above.",
        no_data="SPI null when PV is 0 or null; CPI null when AC is 0 or EV is null.",
        fields=("spi", "cpi"),
    ),
    Metric(
        key="estimate_at_completion",
        name="Estimate at completion (EAC)",
        group="Project",
        formula="EAC = BAC / CPI = BAC x AC / EV (the cost efficiency so far continues), rounded down to the cent.",
        unit="money",
        window=EARNED_VALUE_WINDOW,
        source="BAC, AC, EV.",
        no_data="null while CPI is null: nothing earned (EV 0 or null) or nothing spent (AC 0).",
        fields=("estimate_at_completion",),
    ),
    Metric(
        key="project_rag",
        name="Project RAG status",
        group="Project",
        formula=(
            "From the worse of SPI and CPI (those that are not null): at or above PROJECT_RAG_GREEN (0.95) green, "
            "at or above PROJECT_RAG_AMBER (0.85) amber, below it red. Both settings are environment variables."
        ),
        unit="green / amber / red",
        window=EARNED_VALUE_WINDOW,
        source="SPI, CPI.",
        no_data="null (no status) when neither SPI nor CPI can be computed.",
        fields=("rag",),
    ),
)
CATALOGUE = (*CATALOGUE, *PROJECTS)
# Value stream maps and the VMO's governance flow (issue 18): `portfolio/selectors/maps.py`,
# `kanban/selectors.py::governance_flow_days`; the map page shows these texts.
MAPS: tuple[Metric, ...] = (
    Metric(
        key="vsm_stage_times",
        name="Stage process, wait and lead time",
        group="Value stream map",
        formula=(
            "A stage is a set of tool statuses (Jira status names, the GitHub/GitLab label or state that decided the "
            "item's status, the API's tool_status). Each status change of a work item starts a stay that ends at "
            "the item's next change. Stage lead time = the seconds of all stays in the stage's statuses / the work "
            "items that stayed there; process time = the same over stays whose flow status is active; wait time = "
            "lead time - process time. An item that returns to a stage adds its later stays to the same stage. "
            "Where no stay is recorded the stage's typed process and wait hours are used (marked 'typed'); a "
            "future-state map always uses its typed figures (they are the targets)."
        ),
        unit="hours per work item",
        window="Stays that began in the map's window (90 days by default) before now and ended by now; a stay "
        "still open does not count yet.",
        source="WorkItemStatusChange rows (webhooks, CSV, the work-items API), each with its tool status.",
        no_data="'no data' for a stage with neither a recorded stay nor typed hours.",
        fields=("lead_hours", "process_hours", "wait_hours"),
    ),
    Metric(
        key="vsm_totals",
        name="Map lead time, flow efficiency and rolled %C&A",
        group="Value stream map",
        formula=(
            "Total lead time = sum of the stages' lead times; flow efficiency = sum of process times / total lead "
            "time. %C&A (percent complete and accurate) is typed per stage: the share of work the next stage can "
            "use as it comes; rolled %C&A = the product of the stages' %C&A (the share that goes through every "
            "stage without rework). Bottleneck: the stage with the longest lead time (ties: the earlier stage)."
        ),
        unit="hours; ratio 0..1",
        window="As the stage times.",
        source="The stage figures.",
        no_data="Null when no stage has figures (lead time, efficiency) or no stage has a %C&A (rolled %C&A; it "
        "runs over the stages that have one).",
        fields=("lead_hours", "flow_efficiency", "rolled_complete_accurate"),
    ),
    Metric(
        key="vsm_waste",
        name="Dominant waste of a stage",
        group="Value stream map",
        formula=(
            "Three shares, the largest names the stage's dominant waste: waiting = wait time / lead time; rework = "
            "1 - %C&A; handoffs = (stays - items) / stays, the share of stays beyond each item's first (a hand-over "
            "to another status of the stage, or a return to it). Ties go to waiting, then rework, then handoffs."
        ),
        unit="one of waiting, rework, handoffs",
        window="As the stage times.",
        source="The stage figures; handoffs only from history.",
        no_data="None when every share is zero or unknown.",
    ),
    Metric(
        key="governance_flow",
        name="Governance flow",
        group="Value stream map",
        formula=(
            "Per epic, the time it spent in each of the VMO's governance states (reviewing, analyzing, portfolio "
            "backlog): the sum of its stays in the state that ended in the quarter, a stay running from a move into "
            "the state to the epic's next move. Median and 85th percentile over those epics (interpolated), and "
            "their count."
        ),
        unit="days",
        window="Stays that ended in the quarter (up to now).",
        source="Kanban transitions.",
        no_data="'no data' for a state no epic left in the quarter.",
    ),
)
CATALOGUE = (*CATALOGUE, *MAPS)
BY_KEY = {metric.key: metric for metric in CATALOGUE}
