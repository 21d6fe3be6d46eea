"""Settings for qdsasac, read from the environment.

With no environment set the product runs on its embedded default: SQLite and a
file-system Celery broker under ``var/``, mail written to ``var/mail``. Production
sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` and the mail settings.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QDSASAC_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# The development key is public, so a production start (DEBUG off) refuses it.
DEVELOPMENT_SECRET_KEY = "qdsasac-development-key-not-for-production"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default="SECRET_KEY" not in os.environ)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: production refuses the public development key.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Links in e-mails: by default the address this machine serves (PORT, as scripts/run-demo.sh uses it).
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
# The office's document designations (文号): 青国资督〔2026〕17号 for orders, 青国资督通〔2026〕3号 for circulars.
SUPERVISION_ORDER_PREFIX = env_str("SUPERVISION_ORDER_PREFIX", "青国资督")
CIRCULAR_PREFIX = env_str("CIRCULAR_PREFIX", "青国资督通")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "qdsasac.apps.AxesConfig",
    "csp",
    "enterprises",
    "directives",
    "progress",
    "qdsasac.apps.QdsasacConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "qdsasac.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CSRF check reads the body: an over-long one is refused unread.
    "qdsasac.security.RequestBodyLimitMiddleware",
    "qdsasac.security.QueryStringMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "qdsasac.security.SessionIdleMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qdsasac.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "enterprises.context_processors.role",
                "progress.context_processors.unread_notifications",
                "progress.context_processors.decision_queue",
            ],
            "builtins": ["enterprises.templatetags.people", "enterprises.templatetags.punctuation"],
        },
    },
]

WSGI_APPLICATION = "qdsasac.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles any query its planner thinks costly, e.g. the board's health
        # counts over every milestone: ~10 ms of compiling for a ~10 ms query. Pages never gain.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "qdsasac.sqlite3",
            # The worker, beat and web server share the file: wait for locks, don't fail.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A change's reason (a withdrawal's, an urge's message...) is the user's own text: stored whole,
# not cut at django-simple-history's default of 100 characters (which failed the save).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out username or address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "progress:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry through package-lock.json (npm ci).
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    # plotly.js ships inside the plotly Python package: the charts need no CDN and no copy.
    ("vendor/plotly", Path(plotly.__file__).parent / "package_data"),
]
# Files browsers ask for at the site's root (/favicon.ico), served by whitenoise as static files are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Evidence files live outside any public URL; only an access-checked view serves them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# An open milestone with no accepted report for this many months is flagged "long silent"
# (长期未报送) on the board, the home pages and the exports (progress.silence).
LONG_SILENT_MONTHS = env_int("LONG_SILENT_MONTHS", 3)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# A request body above this is refused from its Content-Length before a byte of it is read (the
# front proxy should refuse it first: client_max_body_size). A report may carry several files.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 50 * 1024 * 1024)

# Mail: files under var/mail by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qdsasac@localhost")
# Per network operation; a reminder's whole send is bounded by REMINDER_SEND_DEADLINE_SECONDS.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Celery: Redis when REDIS_URL is set, else kombu's file-system transport (no server).
#
# Reminder timing, all derived from the delivery lease (progress/reminders/delivery.py):
# a send has a hard deadline of at most half the lease, enforced inside the task; the sweep
# runs every half lease and takes over a claim older than the lease (so within 2 x lease of a
# worker's death); the broker hands an unacknowledged message to another worker after 2 x lease,
# longer than any live task holds one. The scans and the sweep also get Celery's time limit (the
# lease); the send tasks do not: after a broker reconnect Celery fires a finished task's stale
# limit and kills the pool process, which may be running another send by then (see tasks.py).
REMINDER_DELIVERY_LEASE_SECONDS = env_int("REMINDER_DELIVERY_LEASE_SECONDS", 120)
REMINDER_SEND_DEADLINE_SECONDS = env_int("REMINDER_SEND_DEADLINE_SECONDS", 30)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
# Outbound webhooks (generic, WeCom, DingTalk): https to public addresses only, unless the
# intranet gateway is named here (host names, IP addresses or networks, comma-separated).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, minus a crash on reconnect (qdsasac/broker.py).
    CELERY_BROKER_TRANSPORT = "qdsasac.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * REMINDER_DELIVERY_LEASE_SECONDS}
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Exchange bindings too, or kombu writes them to ./control wherever the worker started.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # The default 1 s poll delivers a morning's reminders one per second; 0.2 s keeps up.
        "polling_interval": 0.2,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One queue per outside channel, so a hung mail server cannot starve the webhooks; "celery"
# carries the scans and the sweep. A worker started without -Q consumes them all.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name)
    for name in ("celery", "reminders.email", "reminders.webhook", "reminders.wecom", "reminders.dingtalk")
]
# A worker keeps trying to reach the broker, at start and after losing it, instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker connection drops finishes; its message comes back and the
# sender's claim turns the repeat away.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The sweep follows the lease (the daily scan and the digest are rows editable in the admin).
CELERY_BEAT_SCHEDULE = {
    "提醒投递巡检(续发、重试、接管中断的发送、补做未完成的扫描)": {
        "task": "progress.tasks.send_pending_deliveries",
        "schedule": datetime.timedelta(seconds=max(REMINDER_DELIVERY_LEASE_SECONDS // 2, 1)),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Checks a particular run knows not to apply (the demo's: a localhost SITE_URL, no SMTP server).
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

# --- security --------------------------------------------------------------------------------

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
# Only a reverse proxy that sets X-Forwarded-Proto itself may be trusted; without one a client
# could send the header and make a plain-HTTP request look secure.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only a reverse proxy that sets this header itself (e.g. X-Real-IP) may name the client's address;
# without one the address is the connection's own (REMOTE_ADDR). Lockouts and the audit use it.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
# HTTPS only, once the site is served over HTTPS: switched on by the environment in production.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The container's own health check asks gunicorn over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A signed-in session ends after this many idle minutes (qdsasac.security.SessionIdleMiddleware
# keeps an active one alive).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Content-Security-Policy (django-csp): scripts only from the app's own static files, never
# inline. Styles may be inline: plotly.js and a few progress bars set them, and CSS cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page uses the camera, microphone, location, payment or USB: the browser refuses them all.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# Logins (django-axes): after LOGIN_FAILURE_LIMIT failures in a row a username, and after
# LOGIN_ADDRESS_FAILURE_LIMIT an address, is refused for LOGIN_COOLOFF_MINUTES; failures while
# refused do not extend it, so nobody is locked out for good. The address limit is higher: a
# whole office may reach the site from one address. Every login, logout and failure is recorded
# (admin: Axes).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_FAILURE_LIMIT = "qdsasac.security.login_failure_limit"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "qdsasac.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "qdsasac.security.client_ip"
AXES_VERBOSE = False

# --- Open API (issue 13): /api/v1/ on Django REST framework, its OpenAPI document by drf-spectacular ---
INSTALLED_APPS += [
    "rest_framework",
    "drf_spectacular",
    # Swagger UI as static files inside a Python package, served by whitenoise: no CDN.
    "drf_spectacular_sidecar",
    "api",
]
# Outermost: whatever answers under /api/v1/ with an HTML error page (the site's guards, a 500)
# is turned into the API's JSON error.
MIDDLEWARE.insert(0, "api.middleware.JsonErrorsMiddleware")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        # The browser (docs page): the session, with DRF's CSRF check on every unsafe method.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasRole"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env_str("API_RATE_LIMIT", "300/minute")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "qdsasac API",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Separate request and response components: a report's input (files, version) is not its output.
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "ReviewStateEnum": "progress.models.ledger.ReviewState",
        "MilestoneStatusEnum": "progress.models.ledger.MilestoneStatus",
        "HealthEnum": "progress.health.HEALTH_CHOICES",
        "RequestKindEnum": "progress.models.requests.RequestKind",
        "RequestStateEnum": "progress.models.requests.RequestState",
        "NotificationKindEnum": "progress.reminders.models.NotificationKind",
        "DirectiveKindEnum": "directives.models.DirectiveKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}
# The rate limit counts each token's requests in a cache every web process shares: Redis when
# REDIS_URL is set (a key prefix keeps it apart from Celery's keys), else this process's memory.
# "default" holds the ledger's cached figures (progress.ledger_cache): Redis when REDIS_URL is set,
# shared by every web process, else this process's memory. Their keys carry the ledger's stamp, a
# database row, so either way no process serves a figure older than the last committed write.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "qdsasac",
        # A dead Redis must not hang the pages: progress.ledger_cache computes instead.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "qdsasac-ledger"},
    "api": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "qdsasac-api",
        # A dead Redis must not hang the API: the throttle lets the request through (api.throttling).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "qdsasac-api"},
}
# A token's "last used" time is written at most once per this many seconds, not on every request.
API_TOKEN_TOUCH_SECONDS = 60
API_TOKENS_PER_USER = 20
