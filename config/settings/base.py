"""Settings shared by every environment, read from the environment (django-environ).

With no environment at all the product runs embedded: SQLite (WAL, busy timeout, IMMEDIATE
transactions) and Celery tasks executed in-process, so `make run` works on a bare machine.
`DATABASE_URL=postgres://...` switches to PostgreSQL and `REDIS_URL` to a real broker.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-local-use")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    # Ours, from the bottom of the dependency graph up (DESIGN.md section 2).
    "portfolio",
    "funding",
    "okrs",
    "kanban",
    "vmo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "vmo.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default. WAL lets the web process read while a writer works,
# busy_timeout makes a second writer wait instead of failing at once, and IMMEDIATE takes the
# write lock at BEGIN so two transactions never deadlock upgrading a read lock to a write lock.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- I18N / money -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One currency per installation; amounts are stored as integer cents.
CURRENCY = env("CURRENCY", default="EUR")

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Security headers -----------------------------------------------------------------------
# htmx works under this policy because the pages carry no inline script or style: htmx's own
# indicator style is switched off by a meta tag (templates/base.html) and styles live in files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# --- REST API -------------------------------------------------------------------------------
# DRF's defaults are open; these close them (DESIGN.md section 5).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: DRF answers 401 with the first authenticator's WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        # Numbers are parsed as Decimal, never float (1234567890123456.78 must survive).
        "core.api.DecimalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"rollup": "30/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VMO platform API",
    "DESCRIPTION": "Value streams, lean budgets, WSJF-ranked epics, OKRs and delivery flow.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the vendored sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One named enum per shared choice set, however many fields use it, and no name collisions
    # between the several "status" enums.
    "ENUM_NAME_OVERRIDES": {
        "WsjfScoreEnum": "portfolio.models.epics.WSJF_CHOICES",
        "EpicStateEnum": "portfolio.models.epics.EpicState",
        "WorkItemStatusEnum": "portfolio.models.delivery.WorkItemStatus",
        "QuarterStatusEnum": "portfolio.models.base.QuarterStatus",
    },
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A dead or hung broker must cost a request almost nothing: short socket timeouts and no
# publish retries; the outbox (vmo) keeps the work until the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    # Longer than the hard time limit, so a slow task is never redelivered while it runs.
    "visibility_timeout": 3600,
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 30
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
# Eager tasks (the embedded default) keep their state too, so a page can poll a task's progress.
CELERY_TASK_STORE_EAGER_RESULT = True
# Time limits for every task, below the broker's visibility timeout (3600 s) so a task that
# overruns is killed before Redis would hand its message to a second worker. Tasks set none.
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 660
# Static schedule; each entry expires a little before its next run so a backlog never piles up.
CELERY_BEAT_SCHEDULE = {
    # Drain the rollup outbox every minute; the on-commit nudge usually got there first.
    "rollup-outbox-drain": {
        "task": "vmo.tasks.rollup_outbox_drain_task",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Nightly snapshot of every value stream, so trends have a point per day even without writes.
    "rollup-nightly": {
        "task": "vmo.tasks.rollup_all_task",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 60 * 60 * 23},
    },
}

# --- Product settings -----------------------------------------------------------------------
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo")
# Which DORA benchmark vintage grades deployments: "2021", "2023" or "2024".
DORA_BENCHMARK = env("DORA_BENCHMARK", default="2024")
WEBHOOK_SECRETS = {
    "github": env("GITHUB_WEBHOOK_SECRET", default=""),
    "gitlab": env("GITLAB_WEBHOOK_TOKEN", default=""),
    "jira": env("JIRA_WEBHOOK_SECRET", default=""),
    "pagerduty": env("PAGERDUTY_WEBHOOK_SECRET", default=""),
}
# GitHub issues with this label are incidents; Jira issues of this type are incidents.
WEBHOOK_INCIDENT_LABEL = env("WEBHOOK_INCIDENT_LABEL", default="incident")
WEBHOOK_INCIDENT_ISSUE_TYPE = env("WEBHOOK_INCIDENT_ISSUE_TYPE", default="Incident")
# Largest bulk POST of delivery data and largest CSV import handled in one request.
DELIVERY_BULK_MAX_ROWS = 1000

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In-process (eager) tasks would log a line per write; a real worker keeps them.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
