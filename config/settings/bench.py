"""`make bench`: production-like settings (no debug), its own database, tasks in-process."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, env

DEBUG = False
DATABASES = {"default": env.db("BENCH_DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'bench.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # As production (base.py): persistent connections. Without them every request paid a new
    # PostgreSQL backend (a fork and an authentication), which the floors never pay, and which
    # was most of a 20-row list's time.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
