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
    "notifications",
    "orgsettings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so it sees database failures of every view; `core.unavailable.server_error` (the
    # handler500) covers failures in the middleware below it.
    "core.unavailable.DatabaseUnavailableMiddleware",
    # Marks GET/HEAD requests so the replica router may send their reads to the replica.
    "core.db_router.ReadOnlyRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.VaryOnHtmxMiddleware",
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
# A PostgreSQL read replica for the read-only pages and the API's GETs (core/db_router.py).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
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
# --- Single sign-on (OpenID Connect, mozilla-django-oidc; vmo/sso.py) -------------------------
# On when a client id and either the issuer (its /.well-known/openid-configuration is read on
# the first login) or the three endpoints are set. Explicit endpoints win over discovery.
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", default="RS256")
# Add the provider's groups scope ("... groups") when it sends the roles claim only for it.
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
# The claim that carries the user's groups, and which claim value gives which of the four roles
# ("vmo-directors=director,vsm=value_stream_manager,execs=executive,pmo=program_manager").
# Applied at every login: the claim wins over roles set on the users page while SSO is on.
OIDC_ROLES_CLAIM = env("OIDC_ROLES_CLAIM", default="groups")
OIDC_ROLE_MAP = env.dict("OIDC_ROLE_MAP", default={})
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID and (OIDC_ISSUER or (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT)))
# Off: the login page offers only single sign-on and every password login is refused (pages,
# admin). API tokens are not passwords and keep working.
PASSWORD_LOGIN = env.bool("PASSWORD_LOGIN", default=True)
OIDC_AUTHENTICATE_CLASS = "vmo.sso.SSOAuthenticateView"
OIDC_CALLBACK_CLASS = "vmo.sso.SSOCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend that refuses every password while PASSWORD_LOGIN is off.
    "vmo.sso.PasswordBackend",
    # Answers only the OpenID Connect callback (a code and a state), and only when SSO is on.
    "vmo.sso.OIDCBackend",
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
# One date format everywhere (ISO: 2026-07-31, 2026-07-31 14:05): config/formats/en/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
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
# django-filter's empty choice reads as a word, not Django's "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Any"
FILTERS_NULL_CHOICE_LABEL = "None"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: DRF answers 401 with the first authenticator's WWW-Authenticate header.
        "core.authentication.TokenAuthentication",  # DRF's, in one plain statement
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
        # django-filter's backend, skipped when no filter is asked for.
        "core.api.QuietFilterBackend",
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
        "PBSessionStatusEnum": "funding.models.PBSessionStatus",
        # The epic list row and the epic share these choice sets: one enum each.
        "EpicKindEnum": "portfolio.models.epics.EpicKind",
        # An epic's investment horizon keeps its name; the VMO backlog's horizon is another
        # choice set under the same field name.
        "HorizonEnum": "portfolio.models.epics.InvestmentHorizon",
        "BacklogHorizonEnum": "vmo.models.BacklogHorizon",
        # An MVP's decision (persevere, pivot, stop) and a stage gate's (approved, rejected).
        "MvpDecisionEnum": "portfolio.models.benefits.MvpDecision",
        "GateDecisionEnum": "portfolio.models.projects.GateDecision",
    },
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Embedded mode: seconds without a write a debounced background thread waits before draining the
# rollup outbox (a burst of writes shares one rollup, and none runs inside a request), and the
# longest it waits after the first write while writes keep coming; a delay of 0 drains inline.
ROLLUP_EMBEDDED_DRAIN_DELAY = env.float("ROLLUP_EMBEDDED_DRAIN_DELAY", default=2.0)
ROLLUP_EMBEDDED_DRAIN_MAX_WAIT = env.float("ROLLUP_EMBEDDED_DRAIN_MAX_WAIT", default=30.0)
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
# The Redis result backend builds its connections (and its pub/sub subscription) from these,
# not from the transport options above: without them a hung Redis held a request for minutes.
CELERY_REDIS_SOCKET_TIMEOUT = 1
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
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
    # Deliver outbound events whose retry fell due; the after-commit nudge usually came first.
    "events-deliver": {
        "task": "portfolio.tasks.events_deliver_task",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Nightly snapshot of every value stream, so trends have a point per day even without writes.
    "rollup-nightly": {
        "task": "vmo.tasks.rollup_all_task",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 60 * 60 * 23},
    },
    # Notification rules (issue 19): idempotent, so an hourly run only adds what is new.
    "notifications-evaluate": {
        "task": "notifications.tasks.notifications_evaluate_task",
        "schedule": crontab(minute=5),
        "options": {"expires": 60 * 50},
    },
    "notifications-digest": {
        "task": "notifications.tasks.notifications_digest_task",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 60 * 60 * 23},
    },
    # Scheduled reports: daily, so a day missed (worker down) is caught up the next day; each
    # schedule sends once per month whatever the number of runs.
    "report-schedules-send": {
        "task": "notifications.tasks.report_schedules_send_task",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 60 * 60 * 23},
    },
}

# --- Outbound events (subscriptions, docs/outbound-events.md) ----------------------------------
# Every POST to a receiver gives up after this long (connect and read).
EVENTS_REQUEST_TIMEOUT_SECONDS = env.float("EVENTS_REQUEST_TIMEOUT_SECONDS", default=5.0)
# A failed delivery is retried after base x 2^(failures-1) seconds, at most the max, and given
# up after EVENTS_MAX_ATTEMPTS tries.
EVENTS_RETRY_BASE_SECONDS = env.int("EVENTS_RETRY_BASE_SECONDS", default=30)
EVENTS_RETRY_MAX_SECONDS = env.int("EVENTS_RETRY_MAX_SECONDS", default=3600)
EVENTS_MAX_ATTEMPTS = env.int("EVENTS_MAX_ATTEMPTS", default=8)
# A subscription whose deliveries failed this many times in a row is disabled until a director
# turns it back on.
EVENTS_DISABLE_AFTER_FAILURES = env.int("EVENTS_DISABLE_AFTER_FAILURES", default=20)
# Beat's period for the delivery task; shorter retries are scheduled with a countdown.
EVENTS_BEAT_SECONDS = 60
# Embedded mode (no worker): deliveries run in a timer thread this many seconds after commit.
EVENTS_EMBEDDED_DELIVERY_DELAY = env.float("EVENTS_EMBEDDED_DELIVERY_DELAY", default=1.0)

# --- Faults and hostile input -----------------------------------------------------------------
# A database outage answers 503 with this Retry-After (seconds).
UNAVAILABLE_RETRY_AFTER_SECONDS = env.int("UNAVAILABLE_RETRY_AFTER_SECONDS", default=30)
# JSON bodies (API and webhooks): larger is a 413, deeper nesting a 400; both checked before
# Python's parser recurses or allocates.
JSON_MAX_BODY_BYTES = 5 * 1024 * 1024
JSON_MAX_DEPTH = 32
# DRF reads JSON through `request.body`, which Django caps with this: one limit for both.
DATA_UPLOAD_MAX_MEMORY_SIZE = JSON_MAX_BODY_BYTES
# The OpenAPI schema and its docs need a login unless an installation publishes them.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)

# --- Product settings -----------------------------------------------------------------------
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo")
# Which DORA benchmark vintage grades deployments: "2021", "2023" or "2024".
DORA_BENCHMARK = env("DORA_BENCHMARK", default="2024")
# Project (waterfall) mode: the stage gates a new project plan gets, in order (key, name), and
# the gate that must be approved before a project-mode epic enters implementing.
PROJECT_STAGE_GATES = [
    ("initiation", "Initiation"),
    ("planning", "Planning"),
    ("execution", "Execution"),
    ("closure", "Closure"),
]
PROJECT_IMPLEMENTING_GATE = env("PROJECT_IMPLEMENTING_GATE", default="planning")
# Earned-value RAG: the worse of SPI and CPI at or above GREEN is green, at or above AMBER is
# amber, below AMBER is red (portfolio/metrics.py, "project_rag").
PROJECT_RAG_GREEN = env("PROJECT_RAG_GREEN", default="0.95")
PROJECT_RAG_AMBER = env("PROJECT_RAG_AMBER", default="0.85")
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

# Monte Carlo delivery forecasts (issue 16): weeks of throughput history sampled, trials per
# forecast, the seed that makes a run reproducible, and the weeks with data below which a
# stream's forecast says "too little history" instead of giving dates.
FORECAST_HISTORY_WEEKS = env.int("FORECAST_HISTORY_WEEKS", default=26)
FORECAST_TRIALS = env.int("FORECAST_TRIALS", default=10_000)
FORECAST_SEED = env.int("FORECAST_SEED", default=20260701)
FORECAST_MIN_WEEKS_WITH_DATA = 8

# --- Notifications and scheduled reports (issue 19) --------------------------------------------
# E-mail: the console by default (embedded); SMTP by EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587 (django-environ's email_url).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="vmo@localhost")
# A key result checked in by people gets a notice to its owner after this many days without one.
NOTIFY_KR_CHECK_IN_DAYS = env.int("NOTIFY_KR_CHECK_IN_DAYS", default=30)
# A value stream that released no MMP/MVP for this many days gets a notice to its managers.
NOTIFY_NO_RELEASE_DAYS = env.int("NOTIFY_NO_RELEASE_DAYS", default=90)
# A stream whose newest snapshot is older than this is stale (the nightly rollup did not run).
NOTIFY_ROLLUP_STALE_HOURS = env.int("NOTIFY_ROLLUP_STALE_HOURS", default=26)
# How many completed months of labour spend against team cost the rule looks back over.
NOTIFY_COST_MONTHS = 3
# The address people reach this installation at, for links in e-mails.
SITE_URL = env("SITE_URL", default="http://localhost:8000")
