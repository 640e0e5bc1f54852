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
    group: str  # "DORA" or "Flow"
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
        no_data="'no data' when none of the four metrics has data.",
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
)

BY_KEY = {metric.key: metric for metric in CATALOGUE}
