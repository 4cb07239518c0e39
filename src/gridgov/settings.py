"""Django settings. Everything configurable comes from environment variables (see README)."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gridgov import config
from gridgov.emergency import warning_rules
from gridgov.territory import level_names
from gridgov.web import tiles

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
    "gridgov.inbox",
    "gridgov.workorders",
    "gridgov.open311",
    "gridgov.web",
    "gridgov.demo",
    "gridgov.ops",
    "gridgov.sources",
    "gridgov.inspections",
    "gridgov.emergency",
    "gridgov.enforcement",
    "gridgov.bulletins",
    "gridgov.forces",
    "gridgov.meetings",
    "gridgov.racing",
    "gridgov.centre",
    "gridgov.mediation",
    "gridgov.organisations",
    "gridgov.projects",
    "gridgov.customs",
    "gridgov.intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.web.middleware.LanguageMiddleware",
    "gridgov.web.middleware.InputBoundaryMiddleware",
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
                "gridgov.inbox.context_processors.inbox",
                "gridgov.web.context_processors.basemap",
                "gridgov.ops.context_processors.jobs",
            ],
        },
    },
]


# Each server thread keeps its database connection this many seconds (0: a new connection for
# every request; on SQLite that re-reads the whole schema, ~2 ms a request), checked before each
# request that reuses it (CONN_HEALTH_CHECKS) so a dropped connection is replaced, not an error.
GRIDGOV_DB_CONN_MAX_AGE = config.env_int("GRIDGOV_DB_CONN_MAX_AGE", 300, minimum=0)


def _database() -> dj_database_url.DBConfig:
    default_url = f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}"
    db = dj_database_url.parse(
        config.env_str("DATABASE_URL", default_url),
        conn_max_age=GRIDGOV_DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Applied to each new connection (kept ones keep them: WAL is the file's, the rest the
        # connection's for its life).
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
# A PostgreSQL streaming replica of the default database (e.g. postgres://gridgov@replica/gridgov):
# reports, rankings and exports read from it inside `replica_reads()` (gridgov/core/dbrouter.py);
# writes, migrations and every other read stay on the default. Tests use the default for it.
DATABASE_REPLICA_URL = config.env_str("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=GRIDGOV_DB_CONN_MAX_AGE, conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("DATABASE_REPLICA_URL must be a postgres:// URL (a streaming replica)")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    MIDDLEWARE.insert(1, "gridgov.core.dbrouter.ReplicaPinMiddleware")
DATABASE_ROUTERS = ["gridgov.core.dbrouter.ReplicaRouter"]
# A client whose request wrote reads from the primary this many seconds afterwards (a cookie), so
# the page a form redirects to shows what it saved while the replica catches up.
GRIDGOV_REPLICA_PIN_SECONDS = config.env_int("GRIDGOV_REPLICA_PIN_SECONDS", 10, minimum=0)
# The deployment's shape for `gridgov check-deploy` (ops/deploy_check.py): how many `gridgov serve`
# instances, `gridgov hj212` receivers and `gridgov worker`s share this database, e.g.
# "web=2,hj212=2,worker=1". Empty: one machine running one `gridgov serve` (the embedded default).
GRIDGOV_DEPLOYMENT = config.env_str("GRIDGOV_DEPLOYMENT", "")
# `gridgov check-deploy` warns when the replica's replay is further behind than this (seconds).
GRIDGOV_REPLICA_MAX_LAG_SECONDS = config.env_float("GRIDGOV_REPLICA_MAX_LAG_SECONDS", 30, minimum=0)
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
LOGIN_REDIRECT_URL = "/"  # the landing page chooses by role (centre/landing.py)
LOGOUT_REDIRECT_URL = "web:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": config.env_choice(
            "LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")
        ).upper(),
    },
}

# The levels of the territory this deployment uses, top first, the grid last (territory/ladder.py,
# level_names.py):
# names or numbers, e.g. "市,区,街道,社区,网格"; empty: 省, 市, 区, 街道, 社区, 网格. A tree may
# start at any of them. A bad list stops the start with the reason.
GRIDGOV_TERRITORY_LEVELS = level_names.parse_config(config.env_str("GRIDGOV_TERRITORY_LEVELS", ""))
# Territory: how far a child may stick out of its parent, and grids of one community overlap,
# as a fraction of the smaller polygon's area, before the geometry is refused.
GRIDGOV_GEOMETRY_TOLERANCE = config.env_float("GRIDGOV_GEOMETRY_TOLERANCE", 0.001, minimum=0)
# Ingestion tokens: each process remembers which station or gateway a token belongs to and
# re-checks them all in one query this often (seconds; air/stations.py TokenCache). A token
# revoked, or a station deactivated, in another process (another worker, the CLI) is refused
# there at most this long after the change; in the same process at once. 0: no cache.
GRIDGOV_TOKEN_CACHE_SECONDS = config.env_float("GRIDGOV_TOKEN_CACHE_SECONDS", 5, minimum=0)
# The overview's air figures (stations' latest hours, targets, good days, the ranking) are kept
# this many seconds per scope (centre/overview.py); the stations report once a minute. 0: none.
GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = config.env_int(
    "GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS", 60, minimum=0
)
# The overview's and the order desk's figures are kept this many seconds per account, scope and
# minute, and dropped at any write to what they show (gridgov/core/pagecache.py). 0: none.
GRIDGOV_PAGE_CACHE_SECONDS = config.env_int("GRIDGOV_PAGE_CACHE_SECONDS", 60, minimum=0)
# Merge concurrent single-reading posts into one ingestion transaction (see air/group_commit.py).
GRIDGOV_INGEST_GROUP_COMMIT = config.env_bool("GRIDGOV_INGEST_GROUP_COMMIT", True)
# Target risk (air/assessment.py target_risk): how far below the same days of last year the rest
# of a target's period must be (percent) before the risk is "under pressure" (above the first)
# and "high" (above the second); beyond the third, or with no allowance left, "out of reach".
GRIDGOV_TARGET_RISK_STEPS = (
    config.env_float("GRIDGOV_TARGET_RISK_PRESSURE", 0, minimum=0),
    config.env_float("GRIDGOV_TARGET_RISK_HIGH", 15, minimum=0),
    config.env_float("GRIDGOV_TARGET_RISK_OUT_OF_REACH", 30, minimum=0),
)
if list(GRIDGOV_TARGET_RISK_STEPS) != sorted(GRIDGOV_TARGET_RISK_STEPS):
    raise ValueError("GRIDGOV_TARGET_RISK_PRESSURE <= _HIGH <= _OUT_OF_REACH is required")
# Air data review: floors (µg/m³; CO mg/m³) at or below which an unchanged value is normal, not
# "stuck" (near analysers' detection limits), e.g. "so2=10,no2=10,co=0.5"; unnamed pollutants
# keep the defaults in air/quality.py.
GRIDGOV_STUCK_FLOORS = config.env_floats("GRIDGOV_STUCK_FLOORS", {})
if set(GRIDGOV_STUCK_FLOORS) - {"pm25", "pm10", "so2", "no2", "co", "o3"}:
    raise ValueError(
        "GRIDGOV_STUCK_FLOORS names pm25, pm10, so2, no2, co or o3, got "
        + ", ".join(sorted(GRIDGOV_STUCK_FLOORS))
    )
# 预警建议: the trigger rules applied to the forecast (emergency/warning_rules.py: the national
# rule of 环办大气函〔2018〕875号 by default; JSON {"yellow"|"orange"|"red": {aqi_above, days,
# peak_above, peak_days} or a list of them}), judged on the forecast's point value or, with
# GRIDGOV_WARNING_BASIS=upper, its interval's upper bound. A bad value stops the start.
GRIDGOV_WARNING_RULES = warning_rules.parse(config.env_str("GRIDGOV_WARNING_RULES", ""))
GRIDGOV_WARNING_BASIS = warning_rules.parse_basis(config.env_str("GRIDGOV_WARNING_BASIS", "value"))
# How often (seconds) a process checks whether boundaries changed elsewhere.
GRIDGOV_LOCATE_REFRESH_SECONDS = config.env_float("GRIDGOV_LOCATE_REFRESH_SECONDS", 2, minimum=0)

# API lists (?limit=&offset=): at most this many items a page; more is a 400 naming `limit`.
NINJA_PAGINATION_MAX_LIMIT = 1000

# The cache (small lookups; with Redis also the per-client limits, web/ratelimit.py): this
# process's memory, or Redis shared by every process and machine when REDIS_URL is set.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# /healthz (web/health.py): how long the Redis of the cache and the queue may take to answer
# PING before the instance reports itself unhealthy (503).
GRIDGOV_HEALTHZ_TIMEOUT = config.env_float("GRIDGOV_HEALTHZ_TIMEOUT", 1.0, minimum=0.05)
# Behind a reverse proxy, the request header that carries the client's address (e.g.
# "X-Real-IP"); empty: the connection's own address.
GRIDGOV_CLIENT_IP_HEADER = config.env_str("GRIDGOV_CLIENT_IP_HEADER", "")

# Background work (Huey): the deadline and offline sweeps every minute. `gridgov serve` runs them
# itself in a child process (the embedded default: `make demo` needs nothing else) unless
# GRIDGOV_JOBS_IN_SERVE is off — then a separate `gridgov worker` must run. Both at once do no
# harm (each job holds a lock and is idempotent). Figures never depend on them.
GRIDGOV_JOBS_IN_SERVE = config.env_bool("GRIDGOV_JOBS_IN_SERVE", True)
# One machine: a SQLite queue file in the data dir; several machines: Redis (REDIS_URL). A dict,
# not a Huey instance, so that reading the settings does not import Huey (and Redis): huey's
# Django app builds the queue from it (the instance is huey.contrib.djhuey.HUEY).
HUEY: dict[str, object]
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "gridgov", "url": REDIS_URL}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gridgov",
        "filename": str(DATA_DIR / "queue.sqlite3"),
    }
HUEY.update(utc=True, immediate=False)
# Air alarms → work orders in a background thread of each process (false: in the committing
# thread, as the tests and the demo builder want).
GRIDGOV_ALARM_ORDERS_ASYNC = config.env_bool("GRIDGOV_ALARM_ORDERS_ASYNC", True)
# Evidence photos: largest upload accepted, and the longest side kept after resizing.
GRIDGOV_UPLOAD_MAX_BYTES = config.env_int("GRIDGOV_UPLOAD_MAX_BYTES", 15 * 1024 * 1024, minimum=1)
GRIDGOV_PHOTO_MAX_SIDE = config.env_int("GRIDGOV_PHOTO_MAX_SIDE", 1600, minimum=1)
# The phone app's offline queue (离线待上传): the most photo bytes one phone keeps queued while
# it has no signal; beyond it a new submission with photos is refused on the phone, saying so.
GRIDGOV_OFFLINE_QUEUE_MB = config.env_int("GRIDGOV_OFFLINE_QUEUE_MB", 50, minimum=1)
# Inspections (巡查检查): recorded within this many metres of the source are fine; up to three
# times as far they are kept but flagged for a person to judge; farther, refused.
GRIDGOV_INSPECTION_MAX_METRES = config.env_float("GRIDGOV_INSPECTION_MAX_METRES", 300, minimum=1)

# --- accounts and deployment hardening ---
# Every value below comes from the environment through gridgov.config: a bad one stops the start
# with an error naming the variable.

# Login throttling (django-axes) on every login path: the login page, the admin's, and
# POST /api/v1/auth/token. Failures are counted three ways, each with its own limit
# (people/throttle.py LoginFailures): an account from one client address (the address by the same
# rule as the public page, GRIDGOV_CLIENT_IP_HEADER) — GRIDGOV_LOGIN_FAILURE_LIMIT, so one
# person's typos lock only themselves, there; an account from every address together —
# GRIDGOV_LOGIN_ACCOUNT_FAILURE_LIMIT, a guesser spread over many addresses; an address over
# every account — GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT (0: not counted), high, as an office behind
# one NAT address shares it, yet a bound on one address spraying guesses at many accounts. At a
# limit the lock holds even for the right password until the cool-off has passed since the last
# counted failure (failures during a lock do not prolong it) or an administrator unlocks (admin →
# Axes → access attempts, or `gridgov axes-reset-username NAME` / `axes-reset-ip ADDR`); the lock
# page names whom to ask (GRIDGOV_LOGIN_UNLOCK_CONTACT).
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks
AUTHENTICATION_BACKENDS = [
    "gridgov.people.throttle.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
GRIDGOV_LOGIN_FAILURE_LIMIT = config.env_int("GRIDGOV_LOGIN_FAILURE_LIMIT", 5, minimum=1)
GRIDGOV_LOGIN_ACCOUNT_FAILURE_LIMIT = config.env_int(
    "GRIDGOV_LOGIN_ACCOUNT_FAILURE_LIMIT", 50, minimum=1
)
GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT = config.env_int(
    "GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT", 100, minimum=0
)
GRIDGOV_LOGIN_COOLOFF_MINUTES = config.env_int("GRIDGOV_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
GRIDGOV_LOGIN_UNLOCK_CONTACT = config.env_str("GRIDGOV_LOGIN_UNLOCK_CONTACT", "").strip()
AXES_HANDLER = "gridgov.people.throttle.LoginFailures"
AXES_FAILURE_LIMIT = GRIDGOV_LOGIN_FAILURE_LIMIT  # the account-with-address limit (axes' own)
AXES_COOLOFF_TIME = dt.timedelta(minutes=GRIDGOV_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS: list[str | list[str]] = [["username", "ip_address"], "username"]
if GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT:
    AXES_LOCKOUT_PARAMETERS.append("ip_address")
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "gridgov.web.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "gridgov.people.throttle.lockout_response"
AXES_VERBOSE = False  # no banner on every command; failures and lockouts are still logged

# API tokens (POST /api/v1/auth/token) stop working this many days after they are issued.
GRIDGOV_API_TOKEN_DAYS = config.env_int("GRIDGOV_API_TOKEN_DAYS", 30, minimum=1)

# HTTPS. GRIDGOV_HTTPS=1 when the site is reached over https (directly or through a proxy):
# cookies only over TLS, http redirected to https (except the health check), HSTS.
GRIDGOV_HTTPS = config.env_bool("GRIDGOV_HTTPS", False)
# Behind a reverse proxy that terminates TLS: the header it sets to "https" for TLS requests
# (e.g. "X-Forwarded-Proto"). Only set it if the proxy always sets or removes that header.
GRIDGOV_PROXY_SSL_HEADER = config.env_str("GRIDGOV_PROXY_SSL_HEADER", "").strip()
GRIDGOV_HSTS_SECONDS = config.env_int("GRIDGOV_HSTS_SECONDS", 31_536_000, minimum=0)
GRIDGOV_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("GRIDGOV_HSTS_INCLUDE_SUBDOMAINS", True)
GRIDGOV_HSTS_PRELOAD = config.env_bool("GRIDGOV_HSTS_PRELOAD", False)
# Off only where the proxy itself redirects http to https.
GRIDGOV_SSL_REDIRECT = config.env_bool("GRIDGOV_SSL_REDIRECT", True)
if GRIDGOV_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = GRIDGOV_SSL_REDIRECT
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's plain-http probe
    SECURE_HSTS_SECONDS = GRIDGOV_HSTS_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = GRIDGOV_HSTS_INCLUDE_SUBDOMAINS
    SECURE_HSTS_PRELOAD = GRIDGOV_HSTS_PRELOAD
    if not GRIDGOV_HSTS_PRELOAD:
        # Preloading is a commitment made with the browser vendors for the whole domain; it is
        # the operator's choice (GRIDGOV_HSTS_PRELOAD=1), so `check --deploy` does not ask.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
if GRIDGOV_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + GRIDGOV_PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline <script>, no inline event handlers; page data travels in json_script blocks.
if "ninja" not in INSTALLED_APPS:
    INSTALLED_APPS += ["ninja"]  # the API docs from ninja's own static files, not a CDN
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")  # fmt: skip
# Base layer for every map (web/static/web/basemap.js): an XYZ or WMTS tile URL with {z}/{x}/{y}
# (and {s} for GRIDGOV_TILES_SUBDOMAINS), e.g. an intranet tile server or 天地图 with its key.
# Empty (the default): no tiles; streets and communities are drawn with their names from our
# own boundaries, so the maps work with no internet. Images are allowed from that host only.
GRIDGOV_TILES_SUBDOMAINS = config.env_str("GRIDGOV_TILES_SUBDOMAINS", "")
GRIDGOV_TILES_URL = tiles.check_url(
    config.env_str("GRIDGOV_TILES_URL", ""), GRIDGOV_TILES_SUBDOMAINS
)
GRIDGOV_TILES_ATTRIBUTION = config.env_str("GRIDGOV_TILES_ATTRIBUTION", "")
GRIDGOV_TILES_MAX_ZOOM = config.env_int("GRIDGOV_TILES_MAX_ZOOM", 18, minimum=1)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            "blob:",
            *tiles.hosts(GRIDGOV_TILES_URL, GRIDGOV_TILES_SUBDOMAINS),
        ],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# E-mail (the "email" notice channel): SMTP when EMAIL_HOST is set, else each message is printed
# on the process's standard output (Django's console backend), so that nothing vanishes silently.
EMAIL_HOST = config.env_str("EMAIL_HOST", "")
EMAIL_PORT = config.env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = config.env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = config.env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = config.env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ValueError("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: set at most one")
EMAIL_TIMEOUT = config.env_int("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", "gridgov@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Settings that other modules read at run time (formerly read from os.environ there).
GRIDGOV_NOTIFY_CHANNELS = config.env_list("GRIDGOV_NOTIFY_CHANNELS", ["log"])
# Real messages (消息推送): the channels above may also name "sms", "email", "wecom" and
# "dingtalk"; each of those is sent by the worker as a Delivery row (retried with back-off, logged
# on /orders/deliveries/). None is on unless named. SMS needs GRIDGOV_SMS_URL: an HTTP gateway of
# the Chinese kind, its request body a template with the placeholders {phone} {text} {sign} {key}
# {timestamp} {signature} (hex HMAC-SHA256 of "timestamp\nphone\ntext" with GRIDGOV_SMS_KEY).
GRIDGOV_SMS_URL = config.env_str("GRIDGOV_SMS_URL", "").strip()
GRIDGOV_SMS_METHOD = config.env_choice("GRIDGOV_SMS_METHOD", "post", ("post", "get")).upper()
GRIDGOV_SMS_TEMPLATE = config.env_str(
    "GRIDGOV_SMS_TEMPLATE",
    '{"mobile": "{phone}", "sign": "{sign}", "content": "{text}", '
    '"timestamp": "{timestamp}", "signature": "{signature}"}',
)
GRIDGOV_SMS_SIGN = config.env_str("GRIDGOV_SMS_SIGN", "")  # 短信签名, e.g. 某某区网格化服务中心
GRIDGOV_SMS_KEY = config.env_str("GRIDGOV_SMS_KEY", "")
# Success: a 2xx answer whose JSON field (dotted path; empty: the status alone) has this value.
GRIDGOV_SMS_OK_FIELD = config.env_str("GRIDGOV_SMS_OK_FIELD", "code").strip()
GRIDGOV_SMS_OK_VALUE = config.env_str("GRIDGOV_SMS_OK_VALUE", "0").strip()
GRIDGOV_SMS_ID_FIELD = config.env_str("GRIDGOV_SMS_ID_FIELD", "msgid").strip()
GRIDGOV_NOTIFY_TIMEOUT = config.env_float("GRIDGOV_NOTIFY_TIMEOUT", 10, minimum=0.1)
# Retries: the n-th failure waits GRIDGOV_NOTIFY_RETRY_SECONDS * 2**(n-1) (at most a day); after
# GRIDGOV_NOTIFY_MAX_ATTEMPTS attempts a delivery is given up.
GRIDGOV_NOTIFY_RETRY_SECONDS = config.env_int("GRIDGOV_NOTIFY_RETRY_SECONDS", 60, minimum=1)
GRIDGOV_NOTIFY_MAX_ATTEMPTS = config.env_int("GRIDGOV_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
# A person's defaults until they change them (China time): quiet hours, the digest's time.
# An empty GRIDGOV_NOTIFY_QUIET_HOURS means none.
GRIDGOV_NOTIFY_QUIET_HOURS = config.env_time_range("GRIDGOV_NOTIFY_QUIET_HOURS", "22:00-07:00")
GRIDGOV_NOTIFY_DIGEST_AT = config.env_time("GRIDGOV_NOTIFY_DIGEST_AT", "18:00")
GRIDGOV_WORK_HOURS = config.env_str("GRIDGOV_WORK_HOURS", "08:30-12:00,13:30-17:30")
GRIDGOV_DUPLICATE_METERS = config.env_float("GRIDGOV_DUPLICATE_METERS", 200, minimum=0)
GRIDGOV_DUPLICATE_HOURS = config.env_float("GRIDGOV_DUPLICATE_HOURS", 24, minimum=0)
# How far from an alarm's station a work order lists registered pollution sources (metres).
GRIDGOV_NEARBY_SOURCES_METRES = config.env_float("GRIDGOV_NEARBY_SOURCES_METRES", 3000, minimum=1)
GRIDGOV_HOST = config.env_str("GRIDGOV_HOST", "127.0.0.1")  # `gridgov serve` defaults
GRIDGOV_PORT = config.env_int("PORT", 8000, minimum=1)
GRIDGOV_WEB_CONCURRENCY = config.env_int("WEB_CONCURRENCY", 2, minimum=1)

# --- backup ---
# `gridgov worker` makes a backup (as `gridgov backup` does) every day at GRIDGOV_BACKUP_HOUR,
# China Standard Time, into GRIDGOV_BACKUP_DIR, and keeps the GRIDGOV_BACKUP_KEEP newest there.
# GRIDGOV_BACKUP_KEEP=0, or GRIDGOV_BACKUP_DIR set to nothing, turns the daily backup off.
_backup_dir = config.env_str("GRIDGOV_BACKUP_DIR", str(DATA_DIR / "backups")).strip()
GRIDGOV_BACKUP_DIR = Path(_backup_dir).resolve() if _backup_dir else None
GRIDGOV_BACKUP_HOUR = config.env_int("GRIDGOV_BACKUP_HOUR", 3)
if not 0 <= GRIDGOV_BACKUP_HOUR <= 23:
    raise ValueError(f"GRIDGOV_BACKUP_HOUR must be an hour from 0 to 23, got {GRIDGOV_BACKUP_HOUR}")
GRIDGOV_BACKUP_KEEP = config.env_int("GRIDGOV_BACKUP_KEEP", 7)
if GRIDGOV_BACKUP_KEEP < 0:
    raise ValueError(f"GRIDGOV_BACKUP_KEEP must be 0 (off) or more, got {GRIDGOV_BACKUP_KEEP}")

# --- uploads and client limits ---
# Photos are decoded within a memory budget. GRIDGOV_UPLOAD_MEMORY_MB is what one server
# process may spend decoding photos at once (more wait their turn) and so the largest photo an
# account may send; GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB (lower) bounds a photo from the public page.
# Pixels allowed = budget / bytes per decoded pixel (core/evidence.py: 4 for RGB, 8 RGBA,
# 1 grey, 16 WebP; a JPEG counts at the reduced scale it is decoded at).
GRIDGOV_UPLOAD_MEMORY_MB = config.env_int("GRIDGOV_UPLOAD_MEMORY_MB", 40, minimum=1)
GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB = config.env_int("GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB", 24, minimum=1)
# The public page: reports accepted per client address per hour, counted atomically where every
# process sees the same count (Redis with REDIS_URL, else the database; gridgov/web/ratelimit.py).
GRIDGOV_PUBLIC_REPORTS_PER_HOUR = config.env_int("GRIDGOV_PUBLIC_REPORTS_PER_HOUR", 10, minimum=1)
# …and the citizen's verdicts (rate / re-open POSTs, by number or by SMS link) per client per hour.
GRIDGOV_PUBLIC_VERDICTS_PER_HOUR = config.env_int("GRIDGOV_PUBLIC_VERDICTS_PER_HOUR", 20, minimum=1)
# The citizen's verdict (workorders/verdict.py): a closed public order may be re-opened by its
# reporter within this many days of closing (the SMS link expires with it); and the address the
# SMS link starts with (e.g. https://grid.example.gov.cn; empty: the path alone).
GRIDGOV_REOPEN_DAYS = config.env_int("GRIDGOV_REOPEN_DAYS", 7, minimum=1)
GRIDGOV_PUBLIC_URL = config.env_str("GRIDGOV_PUBLIC_URL", "").rstrip("/")

# --- HJ 212-2017 device receiver (`gridgov hj212`, air/hj212/receiver.py) ---
# Where devices connect (their data loggers open the TCP connection).
GRIDGOV_HJ212_HOST = config.env_str("GRIDGOV_HJ212_HOST", "0.0.0.0")  # noqa: S104
GRIDGOV_HJ212_PORT = config.env_int("GRIDGOV_HJ212_PORT", 8212, minimum=0)
# Largest data segment accepted (bytes): by default the 9,999 the 4 length digits allow (the
# standard says 1,024, but real loggers send 1,025–1,623-byte segments).
GRIDGOV_HJ212_MAX_PACKET = config.env_int("GRIDGOV_HJ212_MAX_PACKET", 9999, minimum=64)
if GRIDGOV_HJ212_MAX_PACKET > 9999:
    raise ValueError("GRIDGOV_HJ212_MAX_PACKET must be at most 9999 (4 length digits)")
# Connections open at once; more are refused (closed at once).
GRIDGOV_HJ212_MAX_CONNECTIONS = config.env_int("GRIDGOV_HJ212_MAX_CONNECTIONS", 5000, minimum=1)
# Packets a second one connection may send (token bucket; the burst is what may come at once,
# e.g. a back-fill); excess packets are dropped and counted, not answered.
GRIDGOV_HJ212_RATE = config.env_float("GRIDGOV_HJ212_RATE", 20, minimum=0.01)
GRIDGOV_HJ212_BURST = config.env_int("GRIDGOV_HJ212_BURST", 120, minimum=1)
# A connection that sends nothing for this long is closed.
GRIDGOV_HJ212_IDLE_SECONDS = config.env_float("GRIDGOV_HJ212_IDLE_SECONDS", 600, minimum=1)
# Bytes read from a connection at a time, and unanswered bytes queued to one before it is closed.
GRIDGOV_HJ212_READ_BUFFER = config.env_int("GRIDGOV_HJ212_READ_BUFFER", 16384, minimum=1024)
# Faulty packets in a row (bad length or CRC, unknown MN, wrong PW, malformed) before the
# connection is closed.
GRIDGOV_HJ212_MAX_FAULTS = config.env_int("GRIDGOV_HJ212_MAX_FAULTS", 10, minimum=1)
# A fair port (air/hj212/fairness.py). Connections open at once from one source address (0: no
# cap); addresses in GRIDGOV_HJ212_TRUSTED_NETWORKS (CIDRs, comma-separated: loopback, a carrier's
# NAT gateway in front of many loggers) are exempt.
GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS = config.env_int(
    "GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS", 100, minimum=0
)
GRIDGOV_HJ212_TRUSTED_NETWORKS = config.env_list(
    "GRIDGOV_HJ212_TRUSTED_NETWORKS", ["127.0.0.0/8", "::1/128"]
)
# Behind HAProxy (`send-proxy-v2`): connections from these networks (CIDRs, comma-separated:
# HAProxy's addresses) must begin with a PROXY protocol header, v1 or v2
# (air/hj212/proxy_protocol.py), whose source address is then the device's (its caps, fairness,
# the packet archive, the device's "last seen from"); one without a valid header within
# GRIDGOV_HJ212_PROXY_PROTOCOL_SECONDS is closed and counted. From any other address a PROXY
# header is never honoured. Empty: off.
GRIDGOV_HJ212_PROXY_PROTOCOL_FROM = config.env_networks("GRIDGOV_HJ212_PROXY_PROTOCOL_FROM", [])
GRIDGOV_HJ212_PROXY_PROTOCOL_SECONDS = config.env_float(
    "GRIDGOV_HJ212_PROXY_PROTOCOL_SECONDS", 5, minimum=0.1
)
# A connection that has not sent a packet of a known device with its right password this long
# after connecting is closed (an idle crowd cannot hold the port).
GRIDGOV_HJ212_FIRST_PACKET_SECONDS = config.env_float(
    "GRIDGOV_HJ212_FIRST_PACKET_SECONDS", 60, minimum=0.1
)
# A connection over its rate has the rest of what it sent dropped and is not read for a second (a
# strike); this many strikes before its bucket has refilled once close it.
GRIDGOV_HJ212_RATE_STRIKES = config.env_int("GRIDGOV_HJ212_RATE_STRIKES", 3, minimum=1)
# Rows one connection may have waiting for the store; at this many it is not read from until
# half of them are committed (one connection never fills the store's batches).
GRIDGOV_HJ212_MAX_PENDING = config.env_int("GRIDGOV_HJ212_MAX_PENDING", 256, minimum=1)
# Real-time data (CN=2011) are averaged per station and interval; the interval is stored this
# many seconds after it ends (late packets of the interval still count).
GRIDGOV_HJ212_GRACE_SECONDS = config.env_float("GRIDGOV_HJ212_GRACE_SECONDS", 10, minimum=0)
# A stored real-time interval is held this long for late packets, which then replace its stored
# mean with the recomputed one; a later one is merged with the stored reading (one sample).
GRIDGOV_HJ212_LATE_SECONDS = config.env_float("GRIDGOV_HJ212_LATE_SECONDS", 600, minimum=0)
# Parts of a split packet (PNUM/PNO) are awaited this long.
GRIDGOV_HJ212_SPLIT_SECONDS = config.env_float("GRIDGOV_HJ212_SPLIT_SECONDS", 60, minimum=1)
# How often the station list (MN, password, codes, factors) is re-read, and device status
# written to the database.
GRIDGOV_HJ212_REFRESH_SECONDS = config.env_float("GRIDGOV_HJ212_REFRESH_SECONDS", 30, minimum=1)
GRIDGOV_HJ212_STATUS_SECONDS = config.env_float("GRIDGOV_HJ212_STATUS_SECONDS", 5, minimum=0.1)
# After a (re)connection a device is asked for the data it missed, up to this many hours back.
GRIDGOV_HJ212_BACKFILL_HOURS = config.env_float("GRIDGOV_HJ212_BACKFILL_HOURS", 24, minimum=0)
# Device control (air/device_control.py). The receiver looks for queued commands this often
# (seconds) and sends them to devices that are online; a command not sent within the minutes
# below expires, one sent but not finished within the seconds below has failed (history: plus a
# tenth of a second per interval asked for). History may be asked for this many days at once,
# at most this many days back.
GRIDGOV_HJ212_COMMAND_SECONDS = config.env_float("GRIDGOV_HJ212_COMMAND_SECONDS", 2, minimum=0.05)
GRIDGOV_HJ212_COMMAND_EXPIRE_MINUTES = config.env_float(
    "GRIDGOV_HJ212_COMMAND_EXPIRE_MINUTES", 30, minimum=1
)
GRIDGOV_HJ212_COMMAND_ANSWER_SECONDS = config.env_float(
    "GRIDGOV_HJ212_COMMAND_ANSWER_SECONDS", 300, minimum=1
)
GRIDGOV_HJ212_HISTORY_MAX_DAYS = config.env_float("GRIDGOV_HJ212_HISTORY_MAX_DAYS", 7, minimum=0.01)
GRIDGOV_HJ212_HISTORY_MAX_AGE_DAYS = config.env_float(
    "GRIDGOV_HJ212_HISTORY_MAX_AGE_DAYS", 30, minimum=1
)
# A device whose clock is off by more than this many seconds (its QN, or a real-time packet's
# DataTime, against the receiver's clock, in two packets running) is set to the platform's time
# (CN=1012), automatically at most once per GRIDGOV_HJ212_CLOCK_SYNC_MINUTES.
GRIDGOV_HJ212_CLOCK_TOLERANCE = config.env_float("GRIDGOV_HJ212_CLOCK_TOLERANCE", 60, minimum=1)
GRIDGOV_HJ212_CLOCK_SYNC_MINUTES = config.env_float(
    "GRIDGOV_HJ212_CLOCK_SYNC_MINUTES", 60, minimum=1
)
# Raw packets (原始报文存档): every packet the receiver reads, with its exact bytes, the receive
# time, the peer and its outcome, appended to a hash-chained JSON-lines file per China-time day
# (YYYY/MM/DD.jsonl) under this folder (air/packet_archive.py; `gridgov packet-archive verify`).
# Set to nothing to turn the archive off.
_packet_archive_dir = config.env_str(
    "GRIDGOV_PACKET_ARCHIVE_DIR", str(DATA_DIR / "packet-archive")
).strip()
GRIDGOV_PACKET_ARCHIVE_DIR = Path(_packet_archive_dir).resolve() if _packet_archive_dir else None
# Each receiver keeps its own chain (YYYY/MM/DD.<name>.jsonl) under this stable name: letters,
# digits, "-" and "_", at most 40. Empty: the host name and the listening port (host-9212). Two
# running receivers must not share a name (the second refuses to start).
GRIDGOV_HJ212_ARCHIVE_NAME = config.env_str("GRIDGOV_HJ212_ARCHIVE_NAME", "").strip()
if GRIDGOV_HJ212_ARCHIVE_NAME and not re.fullmatch(
    r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", GRIDGOV_HJ212_ARCHIVE_NAME
):
    raise ImproperlyConfigured(
        f"GRIDGOV_HJ212_ARCHIVE_NAME={GRIDGOV_HJ212_ARCHIVE_NAME[:60]!r}: letters, digits, "
        "'-' and '_' only (at most 40, not starting with '-' or '_')"
    )
# The receiver's daily rows and months (StationMonth) lag its readings by at most this many
# seconds: its batches mark the touched station-days pending and its store thread recomputes
# them this often, and when it stops (hourly rows and alarms are never deferred). 0: every batch
# recomputes its days, as HTTP posts and file imports do.
GRIDGOV_DAY_REFRESH_SECONDS = config.env_float("GRIDGOV_DAY_REFRESH_SECONDS", 10, minimum=0)
# Time series on PostgreSQL (air/partitions.py): air_reading and air_hourly have a partition per
# China-time month; the worker's daily job keeps this many months ahead of the current one.
GRIDGOV_PARTITION_MONTHS_AHEAD = config.env_int("GRIDGOV_PARTITION_MONTHS_AHEAD", 3, minimum=1)
# Minute (interval) rows older than this many days are dropped, a whole China-time month at a
# time and only once its hours are final (air/retention.py): by partition on PostgreSQL, by
# DELETE in batches on SQLite. Hourly and daily rows are kept. 0 (the default) keeps them for
# ever: they are the evidence data review (数据审核), tampering scans and corrections rebuild
# hours from, and dropping them is the operator's decision, not the installer's.
GRIDGOV_MINUTE_RETENTION_DAYS = config.env_int("GRIDGOV_MINUTE_RETENTION_DAYS", 0, minimum=0)

# Documents (PDF bulletins, meeting minutes): the CJK font embedded in every PDF, a folder holding
# NotoSansSC_400Regular.ttf and NotoSansSC_700Bold.ttf (installed from npm by `make vendor`;
# point it at another folder with the same two files to use other copies).
GRIDGOV_PDF_FONT_DIR = Path(
    config.env_str("GRIDGOV_PDF_FONT_DIR", str(PACKAGE_DIR / "web" / "static" / "vendor" / "fonts"))
)

# --- dispatch bulletins (调度通报) ---
# `gridgov worker` generates the district's and each street's bulletins at GRIDGOV_BULLETIN_HOUR,
# China Standard Time: daily for yesterday, weekly on Mondays, monthly on the 1st; and sends a
# notice to the post holders of each unit. GRIDGOV_BULLETIN_HOUR=-1 turns the schedule off.
GRIDGOV_BULLETIN_HOUR = config.env_int("GRIDGOV_BULLETIN_HOUR", 8, minimum=-1)
if GRIDGOV_BULLETIN_HOUR > 23:
    raise ValueError(
        f"GRIDGOV_BULLETIN_HOUR must be an hour from 0 to 23 (-1: off), got {GRIDGOV_BULLETIN_HOUR}"
    )
# The issuing office printed under the title, after the unit's name (e.g. 测试区 + this).
GRIDGOV_BULLETIN_OFFICE = config.env_str("GRIDGOV_BULLETIN_OFFICE", "大气污染防治攻坚办公室")

# Sensor maintenance (air/maintenance.py): a maintenance order when a station's device refused a
# packet within this many hours, when a micro or mobile station's last calibration (or its
# registration) is older than this many days, or when it has sent nothing for this many hours.
GRIDGOV_DEVICE_FAULT_HOURS = config.env_float("GRIDGOV_DEVICE_FAULT_HOURS", 24, minimum=1)
GRIDGOV_CALIBRATION_DUE_DAYS = config.env_float("GRIDGOV_CALIBRATION_DUE_DAYS", 90, minimum=1)
GRIDGOV_MAINTENANCE_OFFLINE_HOURS = config.env_float(
    "GRIDGOV_MAINTENANCE_OFFLINE_HOURS", 24, minimum=1
)

# Tampering detection (air/tampering.py): any of its thresholds by lower-case name, e.g.
# "spray_drop=0.6,radius_km=3,flat_cv=0.02"; the hourly job scans this many hours back.
_TAMPER_NAMES = {
    "spray_drop",
    "spray_drop_min",
    "neighbour_change",
    "spray_rh_rise",
    "spray_rh_wet",
    "spray_rh_neighbours",
    "radius_km",
    "min_neighbours",
    "flat_min_hours",
    "flat_cv",
    "flat_neighbour_cv",
    "repeat_share",
    "ramp_hours",
    "clock_min_packets",
}
GRIDGOV_TAMPER_THRESHOLDS = config.env_floats("GRIDGOV_TAMPER_THRESHOLDS", {})
if set(GRIDGOV_TAMPER_THRESHOLDS) - _TAMPER_NAMES:
    raise ValueError(
        "GRIDGOV_TAMPER_THRESHOLDS names "
        + ", ".join(sorted(_TAMPER_NAMES))
        + "; got "
        + ", ".join(sorted(set(GRIDGOV_TAMPER_THRESHOLDS) - _TAMPER_NAMES))
    )
GRIDGOV_TAMPER_SCAN_HOURS = config.env_float("GRIDGOV_TAMPER_SCAN_HOURS", 6, minimum=1)

# The air-quality forecast (预报, air/forecast_issue.py): the models learn from this many days of
# the ambient stations' history, are retrained when older than RETRAIN_DAYS, and fit at most
# MAX_ROWS station-days (or station-hours for the hourly model), evenly spread.
GRIDGOV_FORECAST_HISTORY_DAYS = config.env_int("GRIDGOV_FORECAST_HISTORY_DAYS", 1095, minimum=30)
GRIDGOV_FORECAST_RETRAIN_DAYS = config.env_float("GRIDGOV_FORECAST_RETRAIN_DAYS", 7, minimum=0)
GRIDGOV_FORECAST_MAX_ROWS = config.env_int("GRIDGOV_FORECAST_MAX_ROWS", 200_000, minimum=1000)
# The point forecast is the mean of this many models (more: steadier and slower to train).
GRIDGOV_FORECAST_ENSEMBLE = config.env_int("GRIDGOV_FORECAST_ENSEMBLE", 5, minimum=1)

# External eyes → events (gridgov.intake): satellite fire points, camera AI alerts, 12345 records.
# Fire points of one system within MERGE_METERS and MERGE_HOURS of an open event's point merge
# into it; a camera's alerts of one kind within CAMERA_MERGE_MINUTES merge likewise.
GRIDGOV_INTAKE_MERGE_METERS = config.env_float("GRIDGOV_INTAKE_MERGE_METERS", 1000, minimum=0)
GRIDGOV_INTAKE_MERGE_HOURS = config.env_float("GRIDGOV_INTAKE_MERGE_HOURS", 24, minimum=0)
GRIDGOV_INTAKE_CAMERA_MERGE_MINUTES = config.env_float(
    "GRIDGOV_INTAKE_CAMERA_MERGE_MINUTES", 30, minimum=0
)
# A camera alert's evidence image (base64 in the JSON body): the largest decoded size accepted.
# Its base64 (4/3 of it) must fit Django's DATA_UPLOAD_MAX_MEMORY_SIZE body limit (2.5 MB).
GRIDGOV_INTAKE_IMAGE_MAX_BYTES = config.env_int(
    "GRIDGOV_INTAKE_IMAGE_MAX_BYTES", 1_500_000, minimum=1
)
# The 12345 hotline system's HTTP interface ("": none; statuses are then written to the outbox
# file GRIDGOV_HOTLINE_OUTBOX, one JSON line each, "" for none): records are pulled from
# URL/records, statuses posted to URL/status with the bearer GRIDGOV_HOTLINE_TOKEN.
GRIDGOV_HOTLINE_URL = config.env_str("GRIDGOV_HOTLINE_URL", "")
GRIDGOV_HOTLINE_TOKEN = config.env_str("GRIDGOV_HOTLINE_TOKEN", "")
GRIDGOV_HOTLINE_OUTBOX = config.env_str("GRIDGOV_HOTLINE_OUTBOX", "")
GRIDGOV_HOTLINE_TIMEOUT_SECONDS = config.env_float(
    "GRIDGOV_HOTLINE_TIMEOUT_SECONDS", 10, minimum=0.1
)
# A failed status push is tried again after BACKOFF, 2×, 4×… seconds, at most ATTEMPTS in all.
GRIDGOV_HOTLINE_PUSH_ATTEMPTS = config.env_int("GRIDGOV_HOTLINE_PUSH_ATTEMPTS", 5, minimum=1)
GRIDGOV_HOTLINE_PUSH_BACKOFF_SECONDS = config.env_float(
    "GRIDGOV_HOTLINE_PUSH_BACKOFF_SECONDS", 60, minimum=0
)
