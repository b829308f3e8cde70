"""The one settings module.

Every knob is an environment variable with an embedded default (see the README's configuration table).
With nothing set you get the embedded mode: SQLite, the in-memory channel layer, Celery tasks run eagerly
in-process, console email and the local responder. Production sets ``DJANGO_DEBUG=false`` and then must
provide ``DJANGO_SECRET_KEY``; ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env(
        "DJANGO_SECRET_KEY", default="insecure-embedded-default-key-only-for-local-use-0123456789"
    )
else:
    # No default outside debug: production fails fast without a real secret.
    SECRET_KEY = env("DJANGO_SECRET_KEY")

# Encrypts the secrets kept in the database (a bot's own Anthropic key); empty uses SECRET_KEY. A list, to
# rotate: the first encrypts, every one (and SECRET_KEY) decrypts.
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Application definition ---------------------------------------------------------------------------

DJANGO_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "channels",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = [
    "helpdesk",
    "inbox",
    "tickets",
    "handoff",
    "chatbot",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# Panels of the inbox's conversation page, shown in its context card after the handoff: templates of the
# apps that build on the inbox, included by name so the inbox knows none of them. Each gets the page's
# context (conversation, membership, request).
INBOX_CONVERSATION_PANELS = ["handoff/_review_form.html"]

MIDDLEWARE = [
    # First: health probes answer before host validation, so a probe by IP works whatever ALLOWED_HOSTS is.
    "helpdesk.middleware.health_probes",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Agent pages follow the browser's Accept-Language (one of LANGUAGES, else LANGUAGE_CODE). The customer
    # side chooses its own: the bot's texts per conversation, the widget API by its explicit language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpdesk.middleware.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.tenant",
            ],
        },
    },
]

# Data stores ----------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Reuse connections through psycopg's pool, not CONN_MAX_AGE: Django's ASGI handler runs each request's
# sync code on a thread of its own, so a connection kept by its thread is never reused and piles up
# until PostgreSQL refuses new ones (measured with bench/connect_storm.py: "too many clients" at 1,000
# sockets with CONN_MAX_AGE=60). The pool is shared by every thread of the process; each process holds
# at most DATABASE_POOL_MAX_SIZE connections, so size it with PostgreSQL's max_connections in mind.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# Sockets' database calls run on this many threads per process (helpdesk/socket_db.py); 0 keeps
# Channels' single database thread, the right choice for SQLite's single writer.
SOCKET_DB_THREADS = env.int(
    "SOCKET_DB_THREADS",
    default=8 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 0,
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=DATABASES["default"]["CONN_MAX_AGE"] == 0
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        # A web process: the socket threads, plus request threads, task threads and housekeeping; a worker:
        # its threads (CELERY_WORKER_CONCURRENCY, 16).
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=SOCKET_DB_THREADS + 12),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (the ASGI server's sync threads, eager Celery tasks) write at once in the embedded
    # mode. WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so a
    # writer waits out the busy timeout instead of failing at once with "database is locked" when a
    # read transaction has to upgrade; synchronous=NORMAL is durable enough under WAL and much faster.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    # Redis pub/sub, configured for long-lived sockets; why pub/sub: see helpdesk/channel_layer.py.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "helpdesk.channel_layer.HelpdeskChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL}],
                "prefix": env("CHANNELS_PREFIX", default="helpdesk"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    # Short timeouts: the cache holds nothing that must survive (rate-limit counts, readiness results),
    # so a dead Redis has to fail in well under a second and let the caller degrade, not hang a request.
    # The pool is shared by a process's threads; size it for the sync threads plus the event loop.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
            "max_connections": env.int("REDIS_CACHE_MAX_CONNECTIONS", default=50),
            "health_check_interval": 30,
            "retry_on_timeout": False,
        },
    }

# Celery ---------------------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A bot's turn mostly waits (for PostgreSQL, for the model's API), so a worker runs many on threads rather
# than a process per CPU: with the default prefork pool of 2 processes, 50 customers asking at once waited
# 3.5 s for their answers. CPU-heavy work (retraining the detector) runs in management commands.
CELERY_WORKER_POOL = env("CELERY_WORKER_POOL", default="threads")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=16)
# Every task finishes well within the broker's visibility timeout, so a task is only redelivered when
# its worker died. The outbox dedupes the redelivery of a task that is done or still running. The limits
# below are enforced by the prefork pool only; on threads the tasks bound themselves (the model call's
# ANTHROPIC_TOTAL_BUDGET_SECONDS, SMTP and webhook timeouts), and a bot answer is unique per message.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=50)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=45)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task taken by a worker that died goes back on the queue after this, not after the 1 h default.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60),
    "socket_timeout": 10,
    "socket_connect_timeout": 3,
    "socket_keepalive": True,
    "retry_on_timeout": True,
    "health_check_interval": 25,
}
# Publishing a task gives up quickly when the broker is down: the outbox row is dispatched again later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "UTC"
# The same periodic work the web processes' housekeeping runs (see HOUSEKEEPING_JOBS); both may run it.
CELERY_BEAT_SCHEDULE = {
    "pickup-deadlines": {
        "task": "handoff.tasks.pickup_deadlines_check",
        "schedule": env.float("PICKUP_CHECK_SECONDS", default=15.0),
    },
    "outbox-sweep": {"task": "helpdesk.tasks.outbox_sweep_task", "schedule": 5.0},
    # Re-sends ticket emails whose task was lost between commit and enqueue.
    "ticket-emails-sweep": {"task": "tickets.tasks.ticket_emails_sweep", "schedule": 300.0},
    "bot-idle-resolve": {"task": "helpdesk.tasks.bot_conversations_idle_resolve_task", "schedule": 60.0},
    "attachments-unsent-sweep": {"task": "helpdesk.tasks.attachments_unsent_sweep_task", "schedule": 3600.0},
}

# Work after commit, the watchdog and housekeeping (see helpdesk.outbox and helpdesk.housekeeping) ---------

# The embedded mode has no worker: tasks run on threads of the web process, off the sockets' path.
TASKS_IN_THREADS = env.bool("TASKS_IN_THREADS", default=not REDIS_URL)
TASK_THREADS = env.int("TASK_THREADS", default=4)
# A dispatched task not done after this is dispatched again (its worker died, the broker lost it).
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=60)
# A row whose dispatch never happened (the process died right after the commit) is picked up after this.
OUTBOX_DISPATCH_GRACE_SECONDS = env.int("OUTBOX_DISPATCH_GRACE_SECONDS", default=10)
OUTBOX_MAX_RUNS = env.int("OUTBOX_MAX_RUNS", default=8)
# Rows done longer ago than this are deleted by the sweep.
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
# A customer message with no bot answer after this: the customer is told and a person takes over.
BOT_TURN_WATCHDOG_SECONDS = env.int("BOT_TURN_WATCHDOG_SECONDS", default=30)
# Each web process runs the periodic jobs on a thread of its own (see helpdesk.housekeeping).
HOUSEKEEPING_IN_PROCESS = env.bool("HOUSEKEEPING_IN_PROCESS", default=True)
HOUSEKEEPING_INTERVAL_SECONDS = env.float("HOUSEKEEPING_INTERVAL_SECONDS", default=5.0)
HOUSEKEEPING_JOBS = [
    ("helpdesk.outbox.outbox_sweep", HOUSEKEEPING_INTERVAL_SECONDS),
    ("handoff.tasks.pickup_deadlines_check", env.float("PICKUP_CHECK_SECONDS", default=15.0)),
    ("inbox.presence.presence_connections_expire", 30.0),
    ("tickets.tasks.ticket_emails_sweep", 300.0),
    ("helpdesk.services.bot_conversations_idle_resolve", 60.0),
    ("helpdesk.attachments.attachments_unsent_sweep", 3600.0),
]
# A conversation the bot had alone, with no message for this long, is resolved by the bot (0: never).
BOT_IDLE_RESOLVE_MINUTES = env.int("BOT_IDLE_RESOLVE_MINUTES", default=30)

# Auth -------------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:index"
LOGOUT_REDIRECT_URL = "login"

# I18n ---------------------------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
# The languages the product speaks to customers (system texts, shipped catalogs in locale/).
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("pt", "Português"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Detect each conversation's language from what the customer writes (helpdesk.language).
LANGUAGE_DETECTION = env.bool("LANGUAGE_DETECTION", default=True)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files -------------------------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In debug the files are served from their folders (no collectstatic needed); production collects them here.
STATIC_ROOT = env("STATIC_ROOT", default=None if DEBUG else str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = DEBUG
# Access-Control-Allow-Origin: * on every static file (WhiteNoise's default, kept on purpose): the widget's
# loader runs on customers' sites and imports its ES modules from here, and browsers fetch modules in CORS
# mode. The files are public anyway; no cookies are sent or read.
WHITENOISE_ALLOW_ALL_ORIGINS = True
# Uploaded files (attachments) go through Django's storage API: the default storage below keeps them in
# MEDIA_ROOT; point STORAGES["default"] at an S3-compatible backend (django-storages) in production, where
# several web processes must see the same files. They are never served from MEDIA_URL: every download goes
# through a view that checks who asks (helpdesk.attachments).
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email ---------------------------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Helpdesk <support@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# REST framework -------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.api.auth.ApiKeyAuthentication",
        "helpdesk.api.auth.MembershipSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["helpdesk.api.permissions.TenantAccess"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, read no further than DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond it).
    "DEFAULT_PARSER_CLASSES": ["helpdesk.api.parsers.LimitedJSONParser"],
    # Requests per API key (or agent) and per widget visitor (client address); 429 with Retry-After.
    "DEFAULT_THROTTLE_RATES": {
        "api": env("API_RATE_LIMIT", default="600/min"),
        "widget": env("WIDGET_RATE_LIMIT", default="60/min"),
    },
    # Proxies in front of the app: 0 trusts no X-Forwarded-For (set 1 behind one reverse proxy).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": (
        "Conversations, handoffs, tickets and configuration of a tenant. Authenticate with an API key "
        "(`Authorization: Bearer hdk_live_...`) or an agent's session. Errors are "
        '`{"error": {"code", "message", "fields"}}`; lists are cursor pages (`limit` up to 200).'
    ),
    "VERSION": "1",
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "helpdesk.models.Conversation.Status",
        "HandoffReasonEnum": "helpdesk.models.HandoffReason",
        "PresenceStatusEnum": "inbox.models.AgentPresence.Status",
        "TicketStatusEnum": "tickets.models.Ticket.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpdesk.api.schema.error_responses_add",
    ],
}

# The widget runs on the customer's site: only its endpoints answer cross-origin requests.
CORS_URLS_REGEX = r"^/api/v1/widget/.*$"
CORS_ALLOW_ALL_ORIGINS = True

# Product knobs ---------------------------------------------------------------------------------------------

ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY", default="")
ANTHROPIC_MODEL = env("ANTHROPIC_MODEL", default="claude-sonnet-4-6")
ANTHROPIC_TIMEOUT_SECONDS = env.float("ANTHROPIC_TIMEOUT_SECONDS", default=20.0)
ANTHROPIC_MAX_RETRIES = env.int("ANTHROPIC_MAX_RETRIES", default=2)
# One model call, every retry and retry-after wait included, ends within this; then a person takes over.
ANTHROPIC_TOTAL_BUDGET_SECONDS = env.float("ANTHROPIC_TOTAL_BUDGET_SECONDS", default=20.0)
VISITOR_TOKEN_MAX_AGE = env.int("VISITOR_TOKEN_MAX_AGE", default=60 * 60 * 24)
MESSAGE_MAX_CHARS = env.int("MESSAGE_MAX_CHARS", default=4000)
# The largest attachment a customer, an agent, an integrator or an inbound email may add, in bytes.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Uploads no message took within this many hours are deleted with their files (0: kept).
ATTACHMENT_UNSENT_HOURS = env.int("ATTACHMENT_UNSENT_HOURS", default=24)
# The largest inbound email (raw or JSON, attachments included) the inbound endpoint reads, in bytes.
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=25 * 1024 * 1024)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
PRESENCE_TIMEOUT_SECONDS = env.int("PRESENCE_TIMEOUT_SECONDS", default=90)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_RETRIES = env.int("WEBHOOK_MAX_RETRIES", default=6)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)
# Outside debug, webhook URLs that resolve to loopback or private addresses are refused.
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=DEBUG)

# Security (production) -------------------------------------------------------------------------------------

if not DEBUG:
    # HTTPS=false is the one switch for trying a production build over plain http (e.g. docker compose on a
    # laptop): no redirect to https, cookies sent over http, no HSTS. Each setting below can still be set
    # on its own.
    HTTPS = env.bool("HTTPS", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task is noise in the embedded mode, where every bot turn is a task.
        "celery.app.trace": {"level": env("CELERY_TRACE_LOG_LEVEL", default="WARNING")},
        "bm25s": {"level": "WARNING"},
    },
}
