"""OKR figure: `/okrs/` for the current quarter of `seed_demo --scale 5` (its fixed seed;
`BENCH_DEMO_SCALE` changes the scale), as
the demo's value stream manager, against the SQL of the quarter's objectives and key results
plus a minimal template."""

import os

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.template import Context, Engine

from bench import Http, Server, explain, floor, html, log_in, timed

SCALE = int(os.environ.get("BENCH_DEMO_SCALE", "5"))
SQL = (
    "SELECT o.id, o.title, o.level, o.parent_id, kr.id, kr.title, kr.baseline, kr.target, kr.current, kr.confidence"
    " FROM okrs_objective o LEFT JOIN okrs_keyresult kr ON kr.objective_id = o.id WHERE o.quarter_id = %s"
    " ORDER BY o.level, o.id, kr.id"
)
TEMPLATE = Engine().from_string(
    '{% for r in rows %}<tr id="kr-{{ r.4 }}"><td>{{ r.1 }}</td><td><a href="/okrs/key-results/{{ r.4 }}/">'
    "{{ r.5 }}</a> {{ r.6 }} → {{ r.7 }} now {{ r.8 }}</td><td>{{ r.9 }}</td></tr>{% endfor %}"
)


@floor("okrs")
def okrs_floor(params: dict[str, str]):
    with connection.cursor() as cursor:
        cursor.execute(SQL, [params["quarter"]])
        rows = cursor.fetchall()
    return html(TEMPLATE.render(Context({"rows": rows})))


def run(report, server: Server) -> None:
    from okrs.models import KeyResult
    from portfolio.selectors.base import quarter_current

    call_command("seed_demo", scale=SCALE, verbosity=0)
    quarter = quarter_current()
    report.value(
        "okrs: key results in the current quarter", str(KeyResult.objects.filter(objective__quarter=quarter).count())
    )
    page = Http(server, session_key=log_in(get_user_model().objects.get(username="vsm")))

    report.ratio(
        "/okrs/ (current quarter)",
        ours=timed(lambda: page.get(f"/okrs/?quarter={quarter.code}")),
        floor=timed(server.floor("okrs", quarter=quarter.id)),
        floor_is="SQL of objectives and KRs + minimal template",
        goal=None,
    )
    report.plan("/okrs/", explain(SQL, [quarter.id]))
