"""The Celery worker that serves CI's broker tests: real broker, real database (the test one)."""

from config.settings.base import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
