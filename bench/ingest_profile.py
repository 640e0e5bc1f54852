"""In-process profile of one 1,000-row work-item batch through the ingestion service: new rows,
then a replay of the same batch. A measuring harness, not a test (nothing asserts a time).

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=config.settings.test \
        python -m bench.ingest_profile [--profile] [--api]

It creates (or keeps) its own database (`ingest_profile`) of the configured backend, empties the work-item tables
there, and prints rows/s per phase; `--profile` adds the cProfile top functions, `--api` also
posts the same batch through the bulk API in process (serializer + view + service).
"""

import cProfile
import datetime as dt
import io
import pstats
import sys
import time

import django

ROWS = 1000
REPEAT = 5


def _rows(vs_id: int, prefix: str) -> list[dict]:
    created = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
    started = dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)
    return [
        {
            "value_stream_id": vs_id,
            "source": "jira",
            "external_id": f"{prefix}-{n}",
            "title": f"Item {n}",
            "item_type": "feature",
            "size": 3,
            "status": "active",
            "created_at": created,
            "started_at": started,
        }
        for n in range(ROWS)
    ]


def _api_name(name: str) -> str:
    return "value_stream" if name == "value_stream_id" else name


def _timed(label: str, call, profile: bool) -> None:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = call()
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    counts = (result.created, result.updated, result.unchanged) if hasattr(result, "created") else result
    print(f"{label:<28} {elapsed * 1000:8.1f} ms  {ROWS / elapsed:10,.0f} rows/s  {counts}")
    if profiler:
        out = io.StringIO()
        # The project's own steps, the statements' round trips and the JSON parsing/rendering.
        wanted = r"ingest/(core|portfolio)/|psycopg/cursor.py.*execute|rest_framework/(parsers|renderers)"
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(wanted, 25)
        print(out.getvalue())


def main() -> int:
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import setup_test_environment

    from portfolio import roles
    from portfolio.models import ValueStream, WorkItem, WorkItemStatusChange
    from portfolio.services.delivery import work_items_upsert

    profile = "--profile" in sys.argv
    # As in production's embedded mode: the rollup drain is debounced onto a timer thread after
    # the response, so it is not part of a batch's time (the tests' setting runs it inline).
    settings.ROLLUP_EMBEDDED_DRAIN_DELAY = 3600
    setup_test_environment()
    # Its own database, so the rows left here never reach the test suite's reused one.
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "ingest_profile"
    connection.creation.create_test_db(verbosity=0, keepdb=True)
    print(f"backend: {connection.vendor}")
    WorkItemStatusChange.objects.all().delete()
    WorkItem.objects.all().delete()
    vs, _ = ValueStream.objects.get_or_create(slug="ingest-profile", defaults={"name": "Ingest profile"})
    user, _ = get_user_model().objects.get_or_create(username="ingest-profile-vsm")
    vs.managers.add(user)
    user.groups.add(Group.objects.get(name=roles.VALUE_STREAM_MANAGER))
    work_items_upsert(rows=_rows(vs.id, "warm")[:10], user=user)  # connection, caches, roles
    for run in range(REPEAT):
        show = profile and run == REPEAT - 1
        _timed(
            f"new rows (run {run + 1})",
            lambda run=run: work_items_upsert(rows=_rows(vs.id, f"r{run}"), user=user),
            show,
        )
        _timed(
            f"replay (run {run + 1})", lambda run=run: work_items_upsert(rows=_rows(vs.id, f"r{run}"), user=user), show
        )
    if "--api" in sys.argv:
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(user)

        def post(prefix):
            rows = [
                {_api_name(k): v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}
                for row in _rows(vs.id, prefix)
            ]
            body = client.post("/api/work-items/", rows, format="json").json()
            if "created" not in body:
                raise SystemExit(str(body)[:500])
            return body["created"], body["updated"], body["unchanged"]

        for run in range(REPEAT):
            _timed(f"API new rows (run {run + 1})", lambda run=run: post(f"api{run}"), profile and run == REPEAT - 1)
            _timed(f"API replay (run {run + 1})", lambda run=run: post(f"api{run}"), profile and run == REPEAT - 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
