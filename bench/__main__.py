import importlib
import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()
    from django.core.management import call_command

    from bench import SECTIONS, Report

    call_command("migrate", verbosity=0, interactive=False)
    report = Report()
    only = set(sys.argv[1:])
    for name in SECTIONS:
        if only and name not in only:
            continue
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").run(report)
    report.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
