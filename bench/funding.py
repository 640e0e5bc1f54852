"""Funding figure: `/funding/` for the current quarter of the demo data (seeded by the OKR
section, `seed_demo --scale 5`), as the demo's value stream manager, against hand-written SQL for
the same rows the page shows plus a minimal template.

The floor reads what the page reads, each panel in one statement: the budget with its allocated
sum, approver and guardrail; the line per value stream (allocation, spent, booked months,
forecast, team capacity, implementing); the investment mix; the prior and next quarters; labour
spend against team sprints per stream and month; and the last 50 changes of the budget, its
allocations and guardrails with their previous values.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context, Engine
from django.utils import timezone

from bench import Http, Server, explain, floor, html, log_in, timed

BUDGET = (
    "SELECT b.id, b.total_cents, b.status, b.approved_at, u.first_name, u.last_name, u.username,"
    " COALESCE((SELECT SUM(a.amount_cents) FROM funding_allocation a WHERE a.budget_id = b.id), 0),"
    " g.business_features_pct, g.enablers_pct, g.tech_debt_pct, g.ktlo_pct, g.drift_tolerance_pct,"
    " g.approval_threshold_cents, g.cost_tolerance_pct, g.horizon_h0_pct, g.horizon_h1_pct,"
    " g.horizon_h2_pct, g.horizon_h3_pct"
    " FROM funding_quarterbudget b LEFT JOIN auth_user u ON u.id = b.approved_by_id"
    " LEFT JOIN funding_guardrail g ON g.budget_id = b.id WHERE b.quarter_id = %(quarter)s"
)
# Forecast = spent + (spent / booked months) x months not booked, rounded half up.
STREAMS = (
    "WITH alloc AS (SELECT a.value_stream_id AS vs, a.id, a.amount_cents FROM funding_allocation a"
    "  JOIN funding_quarterbudget b ON b.id = a.budget_id WHERE b.quarter_id = %(quarter)s),"
    " spent AS (SELECT value_stream_id AS vs, SUM(amount_cents)::bigint AS cents, COUNT(DISTINCT month) AS booked"
    "  FROM funding_spend WHERE voided_at IS NULL AND month >= %(start)s AND month <= %(until)s GROUP BY 1),"
    " cap AS (SELECT value_stream_id AS vs, SUM((%(days)s / sprint_length_days) * cost_per_sprint_cents) AS cents"
    "  FROM funding_team WHERE active GROUP BY 1),"
    " impl AS (SELECT value_stream_id AS vs, SUM(estimated_cost_cents) AS cents FROM portfolio_epic"
    "  WHERE state = 'implementing' AND (target_quarter_id = %(quarter)s OR target_quarter_id IS NULL) GROUP BY 1)"
    " SELECT vs.id, vs.name, alloc.id, COALESCE(alloc.amount_cents, 0), COALESCE(spent.cents, 0), spent.booked,"
    "  CASE WHEN spent.booked > 0 THEN spent.cents"
    "   + (spent.cents * 2 * (%(months)s - spent.booked) + spent.booked) / (spent.booked * 2) END,"
    "  COALESCE(cap.cents, 0), COALESCE(impl.cents, 0)"
    " FROM portfolio_valuestream vs LEFT JOIN alloc ON alloc.vs = vs.id LEFT JOIN spent ON spent.vs = vs.id"
    " LEFT JOIN cap ON cap.vs = vs.id LEFT JOIN impl ON impl.vs = vs.id"
    " WHERE vs.active OR alloc.vs IS NOT NULL ORDER BY vs.name"
)
MIX = (
    "SELECT investment_type, SUM(estimated_cost_cents) FROM portfolio_epic"
    " WHERE state IN ('backlog', 'implementing') AND estimated_cost_cents IS NOT NULL"
    " AND (target_quarter_id = %(quarter)s OR target_quarter_id IS NULL) GROUP BY 1"
)
NEIGHBOURS = (
    'SELECT (SELECT code FROM portfolio_quarter WHERE "end" < %(start)s ORDER BY start DESC LIMIT 1),'
    " (SELECT code FROM portfolio_quarter WHERE start > %(end)s ORDER BY start LIMIT 1)"
)
RECONCILIATION = (
    "WITH labour AS (SELECT value_stream_id AS vs, month AS m, SUM(amount_cents) AS cents FROM funding_spend"
    "  WHERE voided_at IS NULL AND category = 'labour' AND month >= %(start)s AND month <= %(until)s GROUP BY 1, 2),"
    " team AS (SELECT t.value_stream_id AS vs, date_trunc('month', s.\"end\")::date AS m, SUM(s.cost_cents) AS cents"
    "  FROM funding_teamsprint s JOIN funding_team t ON t.id = s.team_id"
    '  WHERE s."end" >= %(start)s AND s."end" <= %(until)s GROUP BY 1, 2)'
    " SELECT vs.name, COALESCE(labour.m, team.m) AS m, labour.cents, team.cents"
    " FROM labour FULL JOIN team ON team.vs = labour.vs AND team.m = labour.m"
    " JOIN portfolio_valuestream vs ON vs.id = COALESCE(labour.vs, team.vs) ORDER BY vs.id, m"
)
HISTORY = (
    "(SELECT h.history_date, u.username, 'Allocation ' || vs.name, h.amount_cents,"
    "  LAG(h.amount_cents) OVER (PARTITION BY h.id ORDER BY h.history_id), h.history_change_reason"
    "  FROM funding_historicalallocation h JOIN portfolio_valuestream vs ON vs.id = h.value_stream_id"
    "  LEFT JOIN auth_user u ON u.id = h.history_user_id WHERE h.budget_id = %(budget)s)"
    " UNION ALL (SELECT h.history_date, u.username, 'Budget ' || h.status, h.total_cents,"
    "  LAG(h.total_cents) OVER (ORDER BY h.history_id), h.history_change_reason"
    "  FROM funding_historicalquarterbudget h LEFT JOIN auth_user u ON u.id = h.history_user_id"
    "  WHERE h.id = %(budget)s)"
    " UNION ALL (SELECT h.history_date, u.username, 'Guardrails', h.approval_threshold_cents, NULL,"
    "  h.history_change_reason FROM funding_historicalguardrail h LEFT JOIN auth_user u ON u.id = h.history_user_id"
    "  WHERE h.budget_id = %(budget)s)"
    " ORDER BY 1 DESC LIMIT 50"
)
TEMPLATE = Engine().from_string(
    "{% with b=budget %}<p>{{ b.1 }} {{ b.2 }} {{ b.3 }} {{ b.4 }} {{ b.5 }} {{ b.7 }}</p>"
    "<p>{{ b.8 }} {{ b.9 }} {{ b.10 }} {{ b.11 }} {{ b.12 }} {{ b.13 }}</p>{% endwith %}"
    "<p>{{ neighbours.0 }} {{ neighbours.1 }}</p><table>"
    "{% for r in streams %}<tr><td>{{ r.1 }}</td><td>{{ r.3 }}</td><td>{{ r.4 }}</td><td>{{ r.5 }}</td>"
    "<td>{{ r.6 }}</td><td>{{ r.7 }}</td><td>{{ r.8 }}</td></tr>{% endfor %}</table>"
    "<table>{% for r in reconciliation %}<tr><td>{{ r.0 }}</td><td>{{ r.1 }}</td><td>{{ r.2 }}</td>"
    "<td>{{ r.3 }}</td></tr>{% endfor %}</table>"
    "<table>{% for r in mix %}<tr><td>{{ r.0 }}</td><td>{{ r.1 }}</td></tr>{% endfor %}</table>"
    "<table>{% for r in history %}<tr><td>{{ r.0 }}</td><td>{{ r.1 }}</td><td>{{ r.2 }}</td><td>{{ r.3 }}</td>"
    "<td>{{ r.4 }}</td><td>{{ r.5 }}</td></tr>{% endfor %}</table>"
    "{{ chart|json_script:'chart' }}"
)


def floor_params(quarter, today: dt.date) -> dict:
    """The quarter's figures the floor's statements take, as query parameters of the floor's URL."""
    months = [quarter.start, _next_month(quarter.start), _next_month(_next_month(quarter.start))]
    return {
        "quarter": quarter.pk,
        "start": quarter.start,
        "end": quarter.end,
        "until": min(today, quarter.end),
        "days": (quarter.end - quarter.start).days + 1,
        "months": sum(1 for m in months if m <= quarter.end),
    }


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@floor("funding")
def funding_floor(query: dict[str, str]):
    params = dict(query, **{name: int(query[name]) for name in ("quarter", "days", "months")})
    budget = _rows(BUDGET, params)
    budget = budget[0] if budget else None
    streams = _rows(STREAMS, params)
    context = {
        "budget": budget,
        "streams": streams,
        "mix": _rows(MIX, params),
        "neighbours": _rows(NEIGHBOURS, params)[0],
        "reconciliation": _rows(RECONCILIATION, params),
        "history": _rows(HISTORY, dict(params, budget=budget[0])) if budget else [],
        "chart": {
            "labels": [r[1] for r in streams],
            "allocated": [r[3] // 100 for r in streams],
            "spent": [r[4] // 100 for r in streams],
            "forecast": [None if r[6] is None else r[6] // 100 for r in streams],
        },
    }
    return html(TEMPLATE.render(Context(context)))


def run(report, server: Server) -> None:
    from funding.models import QuarterBudget
    from portfolio.selectors.base import quarter_current

    quarter = quarter_current()
    params = floor_params(quarter, timezone.localdate())
    page = Http(server, session_key=log_in(get_user_model().objects.get(username="vsm")))

    report.ratio(
        "/funding/ (current quarter)",
        ours=timed(lambda: page.get(f"/funding/?quarter={quarter.code}")),
        floor=timed(server.floor("funding", **params)),
        floor_is="SQL of the page's panels (6 statements) + minimal template",
        goal=3,
    )
    report.plan("/funding/", explain(STREAMS, params))
    budget = QuarterBudget.objects.filter(quarter=quarter).values_list("id", flat=True).first()
    if budget is not None:
        report.plan("/funding/ history", explain(HISTORY, dict(params, budget=budget)))
