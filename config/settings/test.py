"""Test settings: fast hashing, no lockouts between tests unless a test asks for them."""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
# Tests that need the real broker ask for it explicitly; the rest run tasks in-process.
CELERY_TASK_ALWAYS_EAGER = True
# ... and drain the rollup outbox inline after commit, so a test sees its snapshot at once.
ROLLUP_EMBEDDED_DRAIN_DELAY = 0
# ... and outbound events delivered inline after commit, with no retry timers (tests move time).
EVENTS_EMBEDDED_DELIVERY_DELAY = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A second database standing in for a read replica: only the tests that name it
# (`databases={"default", "replica"}`) create it, and they install the replica router themselves.
DATABASES["replica"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
