"""Django settings for Sigap, read from SIGAP_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from sigap.core.env import (
    data_dir,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    proxy_ssl_header,
    secret_key,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("SIGAP_DEBUG", False)
ALLOWED_HOSTS = env_list("SIGAP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SIGAP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "sigap.core",
    "sigap.accounts",
    "sigap.customers",
    "sigap.tickets",
    "sigap.sops",
    "sigap.sla",
    "sigap.intake",
    "sigap.routing",
    "sigap.chat",
    "sigap.connectors",
    "sigap.feedback",
    "sigap.metrics",
    "sigap.web",
    "sigap.api",
    "sigap.demo",
    "sigap.audit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sigap.core.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sigap.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "sigap.urls"
WSGI_APPLICATION = "sigap.wsgi.application"
ASGI_APPLICATION = "sigap.server.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

_database_url = env_str("SIGAP_DATABASE_URL", "")
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else sqlite_database(DATA_DIR / "sigap.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over TLS: cookies only over https, http redirected, browsers told to stay on https.
# Off by default so `sigap serve` keeps working on http://127.0.0.1.
HTTPS = env_bool("SIGAP_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SIGAP_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers often probe over plain http
SECURE_HSTS_SECONDS = env_int("SIGAP_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SIGAP_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SIGAP_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header("SIGAP_PROXY_SSL_HEADER")

# Failed sign-ins allowed per username and per client address in the window below.
LOGIN_THROTTLE_ATTEMPTS = env_int("SIGAP_LOGIN_THROTTLE_ATTEMPTS", 5)
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("SIGAP_LOGIN_THROTTLE_WINDOW", 900)
# API calls allowed per user per window, and unknown tokens per client address per window.
API_RATE_LIMIT = env_int("SIGAP_API_RATE_LIMIT", 1200)
API_RATE_WINDOW_SECONDS = env_int("SIGAP_API_RATE_WINDOW", 60)
API_AUTH_FAILURES_PER_CLIENT = env_int("SIGAP_API_AUTH_FAILURES", 30)
API_AUTH_FAILURE_WINDOW_SECONDS = env_int("SIGAP_API_AUTH_FAILURE_WINDOW", 300)
# Password-reset links asked for per email address and per client address in the window below.
PASSWORD_RESET_THROTTLE_PER_EMAIL = env_int("SIGAP_PASSWORD_RESET_THROTTLE_PER_EMAIL", 3)
PASSWORD_RESET_THROTTLE_PER_CLIENT = env_int("SIGAP_PASSWORD_RESET_THROTTLE_PER_CLIENT", 10)
PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = env_int("SIGAP_PASSWORD_RESET_THROTTLE_WINDOW", 3600)
# A reset link works once, and for this long (Django's token generator reads the seconds).
PASSWORD_RESET_TIMEOUT = env_int("SIGAP_PASSWORD_RESET_HOURS", 1) * 3600
# An invitation link works once, and for this many hours.
INVITATION_HOURS = env_int("SIGAP_INVITATION_HOURS", 72)
# The address people open the desk at (https://desk.example.com), used in links sent by mail.
# Empty: the address of the request that caused the mail, checked against ALLOWED_HOSTS.
PUBLIC_URL = env_str("SIGAP_PUBLIC_URL", "").rstrip("/")

LANGUAGE_CODE = env_str("SIGAP_LANGUAGE", "id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("SIGAP_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders: nothing to collect before `sigap serve`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("SIGAP_MAX_BODY_BYTES", 2_621_440)
# Longest message body (characters) an agent or customer can post.
MESSAGE_MAX_CHARS = env_int("SIGAP_MESSAGE_MAX_CHARS", 100_000)
# Incoming mail: the largest message kept whole, and what its attachments may be.
MAIL_MAX_BYTES = env_int("SIGAP_MAIL_MAX_BYTES", 40 * 1024 * 1024)
ATTACHMENT_MAX_BYTES = env_int("SIGAP_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_ALLOWED_TYPES = env_list(
    "SIGAP_ATTACHMENT_TYPES",
    [
        *("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif"),
        *("video/mp4", "video/quicktime", "video/3gpp", "video/webm"),
        *("application/pdf", "text/plain", "text/csv"),
        *("application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    ],
)
ATTACHMENTS_DIR = DATA_DIR / "attachments"
# `sigap backup` writes here; the executor also does every N hours (0: off), keeping the newest.
BACKUP_DIR = Path(env_str("SIGAP_BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_INTERVAL_HOURS = env_int("SIGAP_BACKUP_INTERVAL_HOURS", 0)
BACKUP_KEEP = env_int("SIGAP_BACKUP_KEEP", 7)
# How often each IMAP mailbox is read.
MAIL_POLL_SECONDS = env_int("SIGAP_MAIL_POLL_SECONDS", 60)

# The largest amount (Rupiah) each role may approve alone in an SOP approval step; None: no limit.
SIGAP_AUTHORITY_LIMITS: dict[str, int | None] = {
    "agent": env_int("SIGAP_AGENT_AUTHORITY", 500_000),
    "supervisor": env_int("SIGAP_SUPERVISOR_AUTHORITY", 5_000_000),
    "manager": None,
}

REDIS_URL = env_str("SIGAP_REDIS_URL", "")
# Redis pub/sub carries a socket's events straight to the node holding it: with 500 chat
# visitors on a node, the list-based layer (channels_redis.core) took about 20 Redis round trips
# per message and held its p99 to the agent near 300 ms, where pub/sub gives 17 ms and a third
# less CPU (bench/chat.py). Events only matter to sockets that are open, which pub/sub serves.
# Reads outlast the layer's own waits: redis-py 8 cuts every read at 5 seconds by default, which
# had killed idle sockets (an agent's inbox went deaf) with "Timeout reading from ...".
CHANNEL_REDIS_READ_SECONDS = 30


def redis_channel_layer(url: str, prefix: str) -> dict[str, Any]:
    """The channel layer on Redis at `url`: every web node and worker reaches every socket."""
    return {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": url, "socket_timeout": CHANNEL_REDIS_READ_SECONDS}],
            "prefix": prefix,
        },
    }


CHANNEL_LAYERS: dict[str, Any] = (
    {"default": redis_channel_layer(REDIS_URL, env_str("SIGAP_CHANNEL_PREFIX", "sigap"))}
    if REDIS_URL
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)
CACHES: dict[str, Any] = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

CELERY_BROKER_URL = env_str("SIGAP_BROKER_URL", REDIS_URL or "memory://")
# How often the job executor looks for due rows when nothing woke it earlier.
JOBS_POLL_SECONDS = float(env_str("SIGAP_JOBS_POLL_SECONDS", "1.0"))

EMAIL_BACKEND = env_str("SIGAP_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("SIGAP_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("SIGAP_SMTP_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("SIGAP_FROM_EMAIL", "desk@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SIGAP_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
