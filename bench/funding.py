"""Funding figure: `/funding/` for the current quarter of the demo data (seeded by the OKR
section, `seed_demo --scale 5`), as the demo's value stream manager, against the SQL sums of
allocations and spend per value stream plus a minimal template."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context, Engine
from django.utils import timezone

from bench import Http, Server, explain, floor, html, log_in, timed

SQL = (
    "SELECT vs.id, vs.name,"
    " (SELECT SUM(a.amount_cents) FROM funding_allocation a JOIN funding_quarterbudget b ON a.budget_id = b.id"
    " WHERE b.quarter_id = %s AND a.value_stream_id = vs.id),"
    " (SELECT SUM(s.amount_cents) FROM funding_spend s WHERE s.value_stream_id = vs.id"
    " AND s.voided_at IS NULL AND s.month >= %s AND s.month <= %s)"
    " FROM portfolio_valuestream vs WHERE vs.active ORDER BY vs.name"
)
TEMPLATE = Engine().from_string(
    "{% for r in rows %}<tr><td>{{ r.1 }}</td><td>{{ r.2 }}</td><td>{{ r.3 }}</td></tr>{% endfor %}"
)


@floor("funding")
def funding_floor(params: dict[str, str]):
    with connection.cursor() as cursor:
        cursor.execute(SQL, [params["quarter"], params["start"], params["today"]])
        rows = cursor.fetchall()
    return html(TEMPLATE.render(Context({"rows": rows})))


def run(report, server: Server) -> None:
    from portfolio.selectors.base import quarter_current

    quarter = quarter_current()
    today = timezone.localdate()
    params = [quarter.pk, quarter.start, today]
    page = Http(server, session_key=log_in(get_user_model().objects.get(username="vsm")))

    report.ratio(
        "/funding/ (current quarter)",
        ours=timed(lambda: page.get(f"/funding/?quarter={quarter.code}")),
        floor=timed(server.floor("funding", quarter=quarter.pk, start=quarter.start, today=today)),
        floor_is="SQL sums of allocation and spend + minimal template",
        goal=3,
    )
    report.plan("/funding/", explain(SQL, params))
