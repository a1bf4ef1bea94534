"""KPI Portal settings: one file, read from the environment.

Environment variables (documented in README.md; the production set is in
deploy/production.env.example):
DEBUG, SECRET_KEY (required when DEBUG is off), DATABASE_URL, ALLOWED_HOSTS,
CSRF_TRUSTED_ORIGINS, PRIVATE_MEDIA_ROOT, TASKS_BACKEND, JOB_TTL_HOURS, JOB_SILENT_MINUTES,
REPORT_BACKGROUND_ROWS, IMPORT_BACKGROUND_BYTES, WORKER_STALE_MINUTES,
SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS,
SECURE_HSTS_PRELOAD, TRUST_X_FORWARDED_PROTO, TRUSTED_PROXY_COUNT,
SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE,
SESSION_COOKIE_AGE, SESSION_EXPIRE_AT_BROWSER_CLOSE, REFERRER_POLICY,
LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES,
LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_USERNAME_FAILURE_LIMIT, LOGIN_THROTTLE_WINDOW_MINUTES,
LDAP_SERVER_URI, LDAP_BIND_DN, LDAP_BIND_PASSWORD, LDAP_USER_SEARCH_BASE, LDAP_USER_FILTER,
LDAP_USERNAME_ATTRIBUTE, LDAP_EMPLOYEE_CODE_ATTRIBUTE, LDAP_START_TLS, LDAP_CA_FILE,
LDAP_TIMEOUT_SECONDS,
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
EMAIL_USE_SSL, EMAIL_TIMEOUT, EMAIL_BACKEND, DEFAULT_FROM_EMAIL, SITE_URL,
ACTIVATION_DAYS, ACTIVATION_MAX_FAILURES.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


DEBUG = env_bool("DEBUG", False)
# Production defaults (secure cookies, HTTPS redirect, the task worker) apply
# when DEBUG is off, except under pytest, which runs with DEBUG off too.
PRODUCTION = not (DEBUG or TESTING)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))' and keep it "
            "with the other production settings (see deploy/production.env.example)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "kpi_portal",
    "orgchart",
    "indicators",
    "appraisals",
    # REST API (issue 12): above appraisals, nothing imports it.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "notifications",
    "accounts",
    "monitoring",
    "salaries",  # the salary-raise list (issue 11): above appraisals, nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kpi_portal.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "notifications.middleware.RememberLanguageMiddleware",
    "kpi_portal.security.RefusedAccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during
    # authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kpi_portal.urls"
WSGI_APPLICATION = "kpi_portal.wsgi.application"

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
                "kpi_portal.context_processors.portal",
            ],
            "builtins": ["kpi_portal.templatetags.thai"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a command writes; a busy timeout
    # makes a second writer wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes refuses a login after LOGIN_FAILURE_LIMIT failures for the same
# username from the same address, for LOGIN_COOLOFF_MINUTES (each refused try
# restarts the wait); a success clears the count. Locking by the pair means
# someone guessing from elsewhere cannot lock an officer out, while one
# address cannot try many passwords on one account.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The agency's directory (kpi_portal.directory), when LDAP_SERVER_URI is set.
    "kpi_portal.directory.DirectoryBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "kpi_portal.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kpi_portal.security.client_ip"
AXES_VERBOSE = False
# Password spraying (kpi_portal.throttle): beside the pair lock, failures per
# address across usernames and per username across addresses, counted in the
# database over LOGIN_THROTTLE_WINDOW_MINUTES; reaching a limit locks for
# LOGIN_COOLOFF_MINUTES. 0 turns a counter off.
AXES_HANDLER = "kpi_portal.throttle.ThrottlingHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20)
LOGIN_THROTTLE_WINDOW = timedelta(minutes=env_int("LOGIN_THROTTLE_WINDOW_MINUTES", 15))

# Sign-in with the agency's directory (LDAP / Active Directory,
# kpi_portal.directory): off while LDAP_SERVER_URI is empty. See README
# "Sign-in with the agency's directory".
LDAP_SERVER_URI = env_list("LDAP_SERVER_URI")
LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")
LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
LDAP_USER_SEARCH_BASE = os.environ.get("LDAP_USER_SEARCH_BASE", "")
LDAP_USER_FILTER = os.environ.get("LDAP_USER_FILTER", "").strip()
LDAP_USERNAME_ATTRIBUTE = os.environ.get("LDAP_USERNAME_ATTRIBUTE", "").strip() or "uid"
LDAP_EMPLOYEE_CODE_ATTRIBUTE = os.environ.get("LDAP_EMPLOYEE_CODE_ATTRIBUTE", "").strip()
LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
LDAP_CA_FILE = os.environ.get("LDAP_CA_FILE", "").strip()
LDAP_TIMEOUT_SECONDS = env_int("LDAP_TIMEOUT_SECONDS", 5)
if LDAP_SERVER_URI and not LDAP_USER_SEARCH_BASE:
    raise ImproperlyConfigured("LDAP_USER_SEARCH_BASE must be set with LDAP_SERVER_URI.")

# Number of reverse proxies in front of gunicorn that append to
# X-Forwarded-For; 0 means the client talks to gunicorn directly.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Thai first, English second. The source strings are Thai; locale/en holds
# the English translation.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("ไทย")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Bangkok"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# With DEBUG off, collectstatic writes hashed, compressed copies that
# whitenoise serves with a far-future cache header; tests and `make run` keep
# the plain storage (no collectstatic needed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "kpi_portal.storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production whitenoise serves static/ as it is, no collectstatic.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not PRODUCTION

# Uploaded evidence and generated reports live outside the web root and are
# served only through views that check access.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "private")

# Upload limits (spreadsheets and evidence). Larger requests are refused
# before a view reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A ministry's KPI file (1,000,000 rows) is about 60 MB as .xlsx and 500-850 MB
# unpacked; the reader streams it, so the unpacked limit bounds time, not memory.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Background jobs. "immediate" runs a job inside the request that starts it
# (development, tests, a small install); "database" queues it for the worker
# (`manage.py db_worker`, started by `make serve`).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "").strip() or (
    "database" if PRODUCTION else "immediate"
)
if TASKS_BACKEND not in {"immediate", "database"}:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate' or 'database'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}
# Result files of jobs stay downloadable this long.
JOB_TTL_HOURS = env_int("JOB_TTL_HOURS", 24)
# A running job that has not reported progress for this long is marked
# failed (its worker was stopped); the requester is asked to start it again.
JOB_SILENT_MINUTES = env_int("JOB_SILENT_MINUTES", 30)
# A round report with more rows than this (units + officers + KPIs) is written
# by the background worker, with a progress bar, instead of in the request.
REPORT_BACKGROUND_ROWS = env_int("REPORT_BACKGROUND_ROWS", 5000)
# An import file larger than this (about 5,000 KPI rows as CSV, 20,000 as
# .xlsx) is checked and imported by the worker, with a progress bar.
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 1024 * 1024)
# /health/ reports the worker "stale" when a task waits longer than this.
WORKER_STALE_MINUTES = env_int("WORKER_STALE_MINUTES", 5)

# Sessions end after SESSION_COOKIE_AGE seconds without a request (every
# request pushes the expiry forward) and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# HTTPS. Secure by default with DEBUG off; a plain-HTTP intranet test server
# turns SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers and monitors probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets (not passes through) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "").strip() or "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp 4): our own files only. No inline
# script or style anywhere: htmx's indicator style is switched off in
# base.html and static/css/app.css styles .htmx-indicator instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# REST API (issue 12; README "REST API"). Tokens only (hashed, api.auth), JSON only.
# API_RATE: requests per token ("120/min", "/hour", "/day"); counted in the
# database cache "api" so that every gunicorn worker shares one count.
API_RATE = os.environ.get("API_RATE", "").strip() or "120/min"
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "api_rate_cache"},
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KPI Portal API",
    "DESCRIPTION": "Read the org tree, rounds, plans, results and scores; record results "
    "and check-ins.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to an outside validator: the networks may be offline.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "ENUM_NAME_OVERRIDES": {
        "RoundStatusEnum": "indicators.models.Round.Status",
        "PlanStatusEnum": "indicators.models.Plan.Status",
        "AppraisalStatusEnum": "appraisals.models.Appraisal.Status",
        "NodeKindEnum": "orgchart.models.Kind",
        "KPIKindEnum": "indicators.models.KPI.Kind",
    },
}
# Notifications by e-mail (README "Notifications"). The worker sends them
# through this SMTP server; without EMAIL_HOST, development prints them on
# the console. SITE_URL starts the links in the e-mails.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or PRODUCTION
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "KPI Portal <kpi-portal@localhost>"
)
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
# Accounts (the accounts app): first sign-in with one-time activation codes,
# password reset by e-mail. A code expires after ACTIVATION_DAYS and is burnt
# after ACTIVATION_MAX_FAILURES wrong tries. SITE_URL is where the e-mails of
# `manage.py issue_activation --email` point (pages use the request's host).
ACTIVATION_DAYS = env_int("ACTIVATION_DAYS", 14)
ACTIVATION_MAX_FAILURES = env_int("ACTIVATION_MAX_FAILURES", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # kpi_portal.security: failed logins, lockouts, refused access.
        "kpi_portal": {"handlers": ["console"], "level": "INFO"},
        "django.security": {"handlers": ["console"], "level": "WARNING"},
        # Unhandled errors reach the console with DEBUG off too (Django's
        # default only mails ADMINS).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "notifications": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
