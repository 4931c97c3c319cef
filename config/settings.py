"""Assay settings, read from environment variables.

Every setting has a development default so that `make run` works on a bare
machine. Production sets at least DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL; `manage.py check --deploy` is clean with those. README.md
lists every variable.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# DEBUG as the environment set it. Django's test runner turns DEBUG off for the
# tests; this stays, so commands that must refuse in production (load_sample)
# ask it, and tests can play production by setting it to False.
ASSAY_DEVELOPMENT = DEBUG

# Development only: a fixed, clearly marked key so sessions survive restarts.
DEVELOPMENT_SECRET_KEY = "django-insecure-assay-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY_MIN_LENGTH = 50

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG:
    # A production server refuses to start with a key an attacker could know or guess:
    # it signs sessions, CSRF tokens and preview links.
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY is the development key; set a random one when DEBUG is off.")
    if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters (at least 5 different) "
            f"when DEBUG is off; it has {len(SECRET_KEY)}. Generate one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(50))"'
        )
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "reversion",
    "django_filters",
    "axes",
    "csp",
    "briefings",
    "sources",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers on every response, static files and error pages included.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that could touch the database: a hit is answered from the cache alone
    # (even while the database is down), already stripped of bidi controls.
    "briefings.public.cache.PageCacheMiddleware",
    # Unicode bidi controls out of every HTML/XML page (config/bidi.py).
    "config.bidi.StripBidiControlsMiddleware",
    # Database down: a 503 with Retry-After instead of a 500 (config/outage.py).
    "config.outage.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes, attempts kept in the database). After
# AXES_FAILURE_LIMIT failed logins for one account, or from one client
# address, further attempts are refused for AXES_COOLOFF_HOURS, whatever the
# password. README "Security" says how to lift a lockout (manage.py axes_reset …).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(hours=env_int("AXES_COOLOFF_HOURS", 1))
# Each on its own: an account is locked whichever address tries it, and an
# address is locked whichever accounts it tries.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.login.client_ip"
# Behind N reverse proxies that each append to X-Forwarded-For, the client is
# the N-th address from the right; 0 (the default) uses the socket's address.
ASSAY_TRUSTED_PROXY_COUNT = env_int("ASSAY_TRUSTED_PROXY_COUNT", 0)

# Sessions are the admin's only: editors and reviewers. Readers get no cookie.
# Eight hours by default (Django's is two weeks), and never past closing the browser
# unless the operator asks.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp) on every response, public and admin:
# scripts, styles, images and fonts from this site only; no inline script or
# style, no plugins, no framing, forms post only here. Django's admin (5.2)
# has no inline script: its settings travel in data- attributes and
# json_script blocks, which are data, not script. JSON-LD is data too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): no page needs any powerful feature.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

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
                "briefings.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: no persistent connections, and a busy timeout so
    # that two requests writing at once wait instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # BEGIN IMMEDIATE: a transaction takes the write lock before it reads, so
    # the edit-version check (briefings/editing/lock.py) sees the latest save
    # instead of failing with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

# Read replicas for public pages (briefings/public/replicas.py): comma-separated
# database URLs, each a streaming replica of DATABASE_URL. Writes, the admin and
# anything within ASSAY_REPLICA_SETTLE_SECONDS of a publish read the primary.
ASSAY_READ_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _alias = f"replica_{_number}"
    DATABASES[_alias] = {
        **dj_database_url.parse(
            _url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        ),
        # Tests read the replica through the test database itself.
        "TEST": {"MIRROR": "default"},
    }
    ASSAY_READ_REPLICAS.append(_alias)
ASSAY_REPLICA_SETTLE_SECONDS = env_int("ASSAY_REPLICA_SETTLE_SECONDS", 10)
DATABASE_ROUTERS = ["briefings.public.replicas.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# The page cache (briefings/public/cache.py): published pages served from Django's
# cache, emptied by every publish. Local memory by default (one process: fine for
# `make run`); with several worker processes or machines set CACHE_URL to Redis,
# so that a publish empties the cache every worker reads.
CACHE_URL = os.environ.get("CACHE_URL", "")
# On by default where it is safe: with Redis, or in development (one process).
# In production without CACHE_URL each gunicorn worker would hold its own copy,
# and a publish would empty only the worker that ran it.
ASSAY_PAGE_CACHE = env_bool("ASSAY_PAGE_CACHE", bool(CACHE_URL) or DEBUG)
ASSAY_PAGE_CACHE_SECONDS = env_int("ASSAY_PAGE_CACHE_SECONDS", 24 * 3600)
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r} is not a redis:// URL.")
    _pages = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
else:
    _pages = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "assay-pages",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "assay-default"},
    "pages": {**_pages, "KEY_PREFIX": "assay-pages", "TIMEOUT": ASSAY_PAGE_CACHE_SECONDS},
}

# PostgreSQL: a claim list's count (at most 1,001 rows, briefings/public/pagination.py)
# gives up after this many milliseconds and the page says "More than 50 claims" instead:
# text with another filter can make no index answer the count. 0: always count.
ASSAY_COUNT_TIMEOUT_MS = env_int("ASSAY_COUNT_TIMEOUT_MS", 25)
# Public pages are immutable between publications: let a CDN keep them this long.
ASSAY_PUBLIC_CACHE_SECONDS = env_int("ASSAY_PUBLIC_CACHE_SECONDS", 300)
# Name shown in page titles, feeds and structured data.
ASSAY_SITE_NAME = os.environ.get("ASSAY_SITE_NAME", "Assay")
# Names the deployed release in public pages' ETags (e.g. a commit or image tag).
# Empty: a hash of the code, templates and static files (briefings/release.py).
ASSAY_RELEASE = os.environ.get("ASSAY_RELEASE", "")
# A reviewer may not approve changes they made themselves, nor publish a draft
# nobody submitted for review, unless the operator allows it here.
ASSAY_ALLOW_SELF_APPROVAL = env_bool("ASSAY_ALLOW_SELF_APPROVAL", False)
ASSAY_ALLOW_UNSUBMITTED_PUBLISH = env_bool("ASSAY_ALLOW_UNSUBMITTED_PUBLISH", False)
# Outside-reader preview links: the default lifetime, and the longest a reviewer may choose.
ASSAY_PREVIEW_LINK_DAYS = env_int("ASSAY_PREVIEW_LINK_DAYS", 7)
ASSAY_PREVIEW_LINK_MAX_DAYS = env_int("ASSAY_PREVIEW_LINK_MAX_DAYS", 30)
# check_sources --only-due checks a source whose link was last checked longer ago than this.
ASSAY_LINK_CHECK_DAYS = env_int("ASSAY_LINK_CHECK_DAYS", 7)

LOGIN_URL = "admin:login"

# A briefing's admin page posts a handful of fields per section and reference:
# Django's default of 1,000 refuses a 200-section briefing. The limits still
# bound what one request may ask the server to parse.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 10_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)

# Production hardening, on whenever DEBUG is off.
if not DEBUG:
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from
    # clients: otherwise any client could claim its plain-HTTP request is HTTPS.
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    # HSTS for every subdomain, and a place on the browsers' preload list, bind
    # hosts and years beyond this site and are hard to undo: commitments an
    # operator opts into, not defaults. Until they do, Django's deploy check
    # reminders about them (W005 subdomains, W021 preload) are silenced, and
    # only those.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Lockouts are warnings; every login's bookkeeping is not worth a line.
        "axes": {"level": "WARNING"},
    },
}
