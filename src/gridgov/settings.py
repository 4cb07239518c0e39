"""Django settings. Everything configurable comes from environment variables (see README)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from gridgov import config

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("DEBUG", False)
ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])
REDIS_URL = config.env_str("REDIS_URL", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "gridgov.territory",
    "gridgov.people",
    "gridgov.air",
    "gridgov.workorders",
    "gridgov.open311",
    "gridgov.web",
    "gridgov.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
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
                "gridgov.workorders.context_processors.inbox",
            ],
        },
    },
]


def _database() -> dict:
    default_url = f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}"
    db = dj_database_url.parse(config.env_str("DATABASE_URL", default_url), conn_max_age=60)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0
        db["OPTIONS"] = {
            # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at
            # the start of a transaction so concurrent writers wait (busy timeout) instead of
            # failing half-way with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Tests get a file database, not shared-cache memory: its table locks ignore the busy
        # timeout, so tests of concurrent writers would fail where a real install would wait.
        # One file per test process, outside the data dir, so parallel runs never share it.
        test_db = Path(tempfile.gettempdir()) / f"gridgov-test-{os.getpid()}.sqlite3"
        db["TEST"] = {"NAME": str(test_db)}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the app folders (incl. the npm-installed vendor files), no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:map"
LOGOUT_REDIRECT_URL = "web:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": config.env_str("LOG_LEVEL", "INFO")},
}

# Territory: how far a child may stick out of its parent, and grids of one community overlap,
# as a fraction of the smaller polygon's area, before the geometry is refused.
GRIDGOV_GEOMETRY_TOLERANCE = float(config.env_str("GRIDGOV_GEOMETRY_TOLERANCE", "0.001"))
# Merge concurrent single-reading posts into one ingestion transaction (see air/group_commit.py).
GRIDGOV_INGEST_GROUP_COMMIT = config.env_bool("GRIDGOV_INGEST_GROUP_COMMIT", True)
# How often (seconds) a process checks whether boundaries changed elsewhere.
GRIDGOV_LOCATE_REFRESH_SECONDS = float(config.env_str("GRIDGOV_LOCATE_REFRESH_SECONDS", "2"))

# API lists (?limit=&offset=): at most this many items a page; more is a 400 naming `limit`.
NINJA_PAGINATION_MAX_LIMIT = 1000

# The cache (the public page's per-client limit, small lookups): this process's memory, or Redis
# shared by every process and machine when REDIS_URL is set.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Behind a reverse proxy, the request header that carries the client's address (e.g.
# "X-Real-IP"); empty: the connection's own address.
GRIDGOV_CLIENT_IP_HEADER = config.env_str("GRIDGOV_CLIENT_IP_HEADER", "")

# Background work (Huey): the deadline and offline sweeps every minute, run by `gridgov worker`.
# One machine: a SQLite queue file in the data dir; several machines: Redis (REDIS_URL).
if REDIS_URL:
    from huey import RedisHuey

    HUEY = RedisHuey("gridgov", url=REDIS_URL, utc=True)
else:
    from huey import SqliteHuey

    HUEY = SqliteHuey("gridgov", filename=str(DATA_DIR / "queue.sqlite3"), utc=True)
# Air alarms → work orders in a background thread of each process (false: in the committing
# thread, as the tests and the demo builder want).
GRIDGOV_ALARM_ORDERS_ASYNC = config.env_bool("GRIDGOV_ALARM_ORDERS_ASYNC", True)
# Evidence photos: largest upload accepted, and the longest side kept after resizing.
GRIDGOV_UPLOAD_MAX_BYTES = int(config.env_str("GRIDGOV_UPLOAD_MAX_BYTES", str(15 * 1024 * 1024)))
GRIDGOV_PHOTO_MAX_SIDE = int(config.env_str("GRIDGOV_PHOTO_MAX_SIDE", "1600"))
