"""OKR figures: the quarter's objective tree (three queries) and the /okrs/ page, against the
bare SQL that fetches the same key results."""

from django.core.management import call_command
from django.db import connection
from django.test import Client

from bench import Report, measure

SCALE = 5


def run(report: Report) -> None:
    from django.contrib.auth import get_user_model

    from okrs.models import KeyResult
    from okrs.selectors import okr_tree
    from portfolio.selectors.base import quarter_current

    call_command("seed_demo", scale=SCALE, verbosity=0)
    quarter = quarter_current()
    krs = KeyResult.objects.filter(objective__quarter=quarter).count()
    report.value("okrs: key results in the current quarter", str(krs))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kr.id, kr.objective_id, kr.title, kr.baseline, kr.target, kr.current, kr.confidence "
                "FROM okrs_keyresult kr JOIN okrs_objective o ON o.id = kr.objective_id WHERE o.quarter_id = %s",
                [quarter.id],
            )
            cursor.fetchall()

    floor_seconds = measure(floor)
    report.ratio(
        "okrs: okr_tree(quarter)",
        seconds=measure(lambda: okr_tree(quarter=quarter)),
        floor_seconds=floor_seconds,
        floor="raw KR select",
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="vsm"))
    url = f"/okrs/?quarter={quarter.code}"
    report.ratio(
        "okrs: GET /okrs/ (whole page)",
        seconds=measure(lambda: client.get(url)),
        floor_seconds=floor_seconds,
        floor="raw KR select",
    )
