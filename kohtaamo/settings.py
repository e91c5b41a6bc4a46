"""Kohtaamo's settings: one file, driven by the environment (see docs/operations.md)."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kohtaamo.lib.env import env_bool, env_choice, env_int, env_list, env_str
from kohtaamo.lib.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KOHTAAMO_VAR_DIR", str(BASE_DIR / "var")))

KOHTAAMO_ENV = env_choice("KOHTAAMO_ENV", "development", {"development", "test", "production"})
PRODUCTION = KOHTAAMO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
    DEBUG = env_bool("DEBUG", False)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is required in production")
    # Production never falls back to the SQLite file under var/: the database must be named.
    env_str("DATABASE_URL")
else:
    SECRET_KEY = env_str("SECRET_KEY", "kohtaamo-insecure-development-key-do-not-use-in-production")
    DEBUG = env_bool("DEBUG", KOHTAAMO_ENV == "development")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "modeltranslation",  # must come before django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "kohtaamo.core",
    "kohtaamo.accounts",
    "kohtaamo.audit",
    "kohtaamo.directory",
    "kohtaamo.encounters",
    "kohtaamo.stats",
    "kohtaamo.reports",
    "kohtaamo.counsellors",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "kohtaamo.lib.logs.RequestIdMiddleware",  # first, so that every later log record carries the request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kohtaamo.accounts.middleware.SessionTimeoutMiddleware",
    "kohtaamo.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kohtaamo.core.middleware.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kohtaamo.urls"
WSGI_APPLICATION = "kohtaamo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kohtaamo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; DATABASE_URL=postgres://... is production.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kohtaamo.sqlite3'}")
# Persistent connections, checked before reuse: after a database restart a worker reconnects instead of failing.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; the timeout rides out short write bursts. Temporary
    # data stays in memory: a multi-row INSERT that may fail halfway keeps a statement journal, and on disk
    # that was a temporary file written, closed and deleted per INSERT (half an encounter batch's INSERT time).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;",
    }
    # Connections are kept between requests (DB_CONN_MAX_AGE) here too: a new one per request parsed the
    # schema and ran the pragmas again each time, and closing the last one checkpointed the WAL into the
    # database file and deleted it, an fsync per write request. Kept, SQLite checkpoints every 1000 pages.
    # Tests use a file too, one per process: threads then queue for the write lock as in production,
    # where an in-memory shared-cache database would answer "table is locked" at once.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"kohtaamo-test-{os.getpid()}.sqlite3")}
# An optional streaming replica that answers the reads of statistics and reports (docs/operations.md).
if replica_url := env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["kohtaamo.lib.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session ends 8 hours after login at the latest (a working day) and after 30 idle minutes,
# so a tablet left at a drop-in desk does not stay logged in (accounts/middleware.py).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# Django's database sessions, read without the ORM's query building (every logged-in request reads one).
SESSION_ENGINE = "kohtaamo.accounts.sessions"
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Django-axes counts failed logins in the database (so that a restart or a second server does not forget
# them) and after 5 failures locks that username from that address for AXES_COOLOFF_MINUTES. Username
# and address together: a username alone would let anyone lock a coordinator out, an address alone would
# lock out a whole county office behind one NAT. Guessing from many addresses is met by the second factor.
AUTHENTICATION_BACKENDS = [
    "kohtaamo.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# How many reverse proxies (nginx, a load balancer) append to X-Forwarded-For before Django sees the request.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "kohtaamo.accounts.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kohtaamo.accounts.views.locked_out"
AXES_VERBOSE = False

# Two-factor authentication (TOTP). Staff roles must use it where REQUIRE_2FA is on, which it is
# in production; elsewhere it is offered to everyone and asked for from those who turned it on.
REQUIRE_2FA = env_bool("REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Kohtaamo")

# Optional single sign-on for staff through the county's OpenID Connect provider (e.g. Entra ID).
# Off unless OIDC_RP_CLIENT_ID is set; only existing users are matched (by e-mail), never created.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("kohtaamo.accounts.oidc.StaffOIDCBackend")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env_choice("OIDC_RP_SIGN_ALGO", "RS256", {"RS256", "ES256", "HS256"})
    OIDC_RP_SCOPES = "openid email"
    OIDC_CREATE_USER = False
    # Entra ID enforces its own multi-factor policy; a county that does may count it as the second factor.
    OIDC_COUNTS_AS_SECOND_FACTOR = env_bool("OIDC_COUNTS_AS_SECOND_FACTOR", False)

# Finnish first; Swedish and English complete.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kohtaamo.formats"]  # Finland-Swedish dates
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Helsinki"
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fi", "en", "sv")}

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The shared assets (stylesheet, htmx) belong to no app, so the app finder alone would not find them.
STATICFILES_DIRS = [BASE_DIR / "kohtaamo" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kohtaamo",
    }
}
if redis_url := env_str("REDIS_URL", ""):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
# Seconds that anonymous directory pages and API lists are cached.
DIRECTORY_CACHE_SECONDS = env_int("DIRECTORY_CACHE_SECONDS", 60, minimum=0)
# Days after which encounter notes are blanked by `manage.py purge_notes` (run daily, docs/privacy.md).
NOTE_RETENTION_DAYS = env_int("NOTE_RETENTION_DAYS", 90, minimum=1)
# Counsellors' personal data: kept this long after they stop, then erased by `manage.py purge_counsellors`.
# Figures shown are at most this old: the refresh timer keeps them so, and a read refreshes the rollups itself
# only when they are older (no timer, as in the demo), so readers do not queue behind a refresh.
STATS_FRESH_WITHIN = env_int("STATS_FRESH_WITHIN", 120, minimum=0)
COUNSELLOR_RETENTION_DAYS = env_int("COUNSELLOR_RETENTION_DAYS", 3 * 365, minimum=30)
# Statistics: counts from 1 to the threshold minus one are hidden ("<5"); shown counts are rounded to the base
# (1 turns rounding off). Statistics Finland's minimum is 3; see docs/privacy.md before lowering either.
STATS_SUPPRESSION_THRESHOLD = env_int("STATS_SUPPRESSION_THRESHOLD", 5, minimum=3)
STATS_ROUNDING_BASE = env_int("STATS_ROUNDING_BASE", 5, minimum=1)

# A strict Content Security Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of Kohtaamo uses, switched off (core/middleware.py sends the header).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=()"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The reverse proxy (nginx, docs/operations.md) terminates TLS and must set X-Forwarded-Proto,
    # overwriting whatever the client sent; otherwise a client could claim https itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Plain lines by default; LOG_FORMAT=json writes one JSON object a line for a log collector.
LOGGING = logging_config(
    log_format=env_choice("LOG_FORMAT", "plain", {"plain", "json"}), level=env_str("LOG_LEVEL", "INFO")
)
# django-axes logs every login at INFO; the failures and lockouts it logs at WARNING are what matter.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
# WeasyPrint narrates every step of a PDF at INFO.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
LOGGING["loggers"]["fontTools"] = {"level": "WARNING"}
