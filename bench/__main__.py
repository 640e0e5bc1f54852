"""`python -m bench [section ...]`: drop and migrate the bench database, then run the sections."""

import importlib
import os
import sys

import django


def _fresh_database() -> None:
    """Every run starts empty, so the seeded data sets are the same from run to run."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            path = f"{database['NAME']}{suffix}"
            if os.path.exists(path):
                os.remove(path)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()
    from django.core.management import call_command

    from bench import SECTIONS, Report, Server

    _fresh_database()
    call_command("migrate", verbosity=0, interactive=False)
    report = Report()
    only = set(sys.argv[1:])
    with Server() as server:
        for name in SECTIONS:
            if only and name not in only:
                continue
            print(f"== {name}", flush=True)
            importlib.import_module(f"bench.{name}").run(report, server)
            report.flush()
    report.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
