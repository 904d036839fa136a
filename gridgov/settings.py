"""gridgov settings: one module, every value from the environment, failing fast on bad values.

See docs/configuration.md for the list of variables.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from gridgov.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GRIDGOV_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("GRIDGOV_DEBUG", False)
SECRET_KEY = env_str("GRIDGOV_SECRET_KEY", "dev-only-insecure-key" if DEBUG else None)
if not DEBUG and (SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("GRIDGOV_SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list("GRIDGOV_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("GRIDGOV_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "web.apps.TaskQueueConfig",  # django_tasks_db
    "web.apps.LoginGuardConfig",  # axes
    "csp",
    "ninja",
    "accounts",
    "areas",
    "audit",
    "cases",
    "notifications",
    "registry",
    "fieldwork",
    "visits",
    "diary",
    "stats",
    "evaluation",
    "bulletins",
    "reports",
    "alerts",
    "open311",
    "portal",
    "hotline",
    "maps",
    "web",
    "fieldapp",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridgov.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridgov.middleware.SessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gridgov.errors.DomainErrorMiddleware",
    "gridgov.middleware.DatabaseBusyMiddleware",
    "axes.middleware.AxesMiddleware",
]
# The 503 ``database_busy`` answer of an adapter with an error format of its own, by path prefix: the dotted path
# of a function of the request and the message. /api/ answers JSON; every other path the busy page.
BUSY_RESPONDERS = {"/open311/": "open311.formats.database_busy"}

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context_processors.site",
                "web.context_processors.unread",
                "maps.context_processors.basemap",
                "fieldwork.context_processors.watching",
            ],
        },
    },
]

# --- Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL ---------------------------
# How long a write waits for SQLite's write lock before the request answers 503 database_busy.
SQLITE_BUSY_MS = env_int("GRIDGOV_SQLITE_BUSY_MS", 8000, minimum=0)
_default_sqlite = f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_sqlite)
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=env_int("GRIDGOV_DB_CONN_MAX_AGE", 60))
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if _database["NAME"] not in ("", ":memory:"):
        Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={SQLITE_BUSY_MS};"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
elif _database["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the planner's cost estimate of a scoped map or list query (an OR of area and department
    # subqueries) crosses jit_above_cost, and compiling then took 1.7 s of a 2.1 s query that runs in 0.1 s without.
    _database["OPTIONS"] = {**_database.get("OPTIONS", {}), "options": "-c jit=off"}
else:
    raise ImproperlyConfigured(f"Unsupported database engine {_database['ENGINE']}: use SQLite or PostgreSQL.")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
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
# Field encryption keys for residents' ID numbers and phones: comma-separated urlsafe-base64 32-byte
# keys, the first one encrypts, all of them decrypt (rotation). Required outside DEBUG.
FIELD_ENCRYPTION_KEYS = env_list("GRIDGOV_FIELD_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("GRIDGOV_FIELD_KEYS is required (see docs/configuration.md).")
    FIELD_ENCRYPTION_KEYS = ["ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UhISE="]  # DEBUG only

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
_https = env_bool("GRIDGOV_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("GRIDGOV_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("GRIDGOV_HSTS_SECONDS", 31536000 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("GRIDGOV_HSTS_PRELOAD", False)
# Preload-list submission is a per-site decision (intranet hosts cannot be preloaded), so not a warning.
# models.W040: SQLite has no covering indexes; it builds the same index without the included columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("GRIDGOV_BEHIND_PROXY") else None

# --- Web surface: login throttle, shared cache and rate limits, CSP, session expiry -------------------
# Every login path (staff login page, /admin/login/) goes through authenticate(), where django-axes counts the
# failures in the database, so every web process of a site sees the same count. A user name is locked for one
# caller address after LIMIT failures within WINDOW seconds (user name + address together: a whole office behind
# one NAT address is not locked out by one person's typing, and guessing one account from many addresses is
# slowed by the same count per address). A locked login answers 429 with a Chinese page and Retry-After (the API's
# sign-in for a device token, POST /api/v1/auth/token, counts in the same counters and answers 429 rate_limited).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("GRIDGOV_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(seconds=env_int("GRIDGOV_LOGIN_FAILURE_WINDOW", 900, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "gridgov.ratelimit.client_ip"  # the same address as the rate limits, proxy-aware
AXES_LOCKOUT_CALLABLE = "accounts.throttle.login_locked_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Bearer tokens (/api/v1/auth/token: a phone signs in once with its password) stop authenticating after this many
# days without a request; the person then signs in again.
TOKEN_IDLE_DAYS = env_int("GRIDGOV_TOKEN_IDLE_DAYS", 30, minimum=1)
# A POST under /api/v1/ with an Idempotency-Key keeps its answer this long for retries (gridgov/idempotency.py).
IDEMPOTENCY_KEEP_DAYS = env_int("GRIDGOV_IDEMPOTENCY_KEEP_DAYS", 7, minimum=1)

# The cache (and so every cache-based counter) is shared by all processes of a site: the database by default
# (table gridgov_cache, created by a migration of web/), Redis when GRIDGOV_REDIS_URL is set. Rate limits count
# with an atomic upsert in the database, or INCR on Redis (gridgov/ratelimit.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gridgov_cache"}}
if env_str("GRIDGOV_REDIS_URL", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("GRIDGOV_REDIS_URL"),
    }


def _tile_sources(tile_url: str) -> list[str]:
    """The CSP source of the configured tile server ("https://{s}.tiles.example/…" → "https://*.tiles.example")."""
    parsed = urlsplit(tile_url)
    if not (parsed.scheme and parsed.netloc):
        return []  # none configured, or a path on this site
    host = re.sub(r"\{[a-z]+\}", "*", parsed.netloc)
    return [f"{parsed.scheme}://{host}"]


# A strict Content-Security-Policy on every response: nothing inline, nothing from elsewhere except map tiles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_tile_sources(env_str("GRIDGOV_TILE_URL", ""))],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Staff sessions end a working day after login and after this long without a request (gridgov/middleware.py).
SESSION_MAX_HOURS = env_int("GRIDGOV_SESSION_MAX_HOURS", 10, minimum=1)
SESSION_IDLE_MINUTES = env_int("GRIDGOV_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("GRIDGOV_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files: libraries installed from the npm registry by dev.py, served locally ------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/protomaps-leaflet", NODE_MODULES / "protomaps-leaflet" / "dist"),
    ("vendor/leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
    ("vendor/idb", NODE_MODULES / "idb" / "build"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # never routed nor linked: every stored file goes through gridgov/files.py

# --- Background tasks: the database backend needs no broker; run `manage.py db_worker` beside the web server.
TASKS = {"default": {"BACKEND": env_str("GRIDGOV_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Periodic jobs, run in turn by one `manage.py periodic --every 60` process (the task worker has no clock):
# case lights and escalation, the outbox sweep (due retries, rows a stopped worker left in "sending"), expired
# import uploads, kept idempotent answers, photos uploaded ahead and not uploaded again for a week.
# Each is idempotent and safe to run twice or in parallel.
PERIODIC_JOBS = env_list(
    "GRIDGOV_PERIODIC_JOBS",
    [
        "cases.deadlines.deadlines_sweep",
        "notifications.tasks.outbox_sweep",
        "registry.tasks.import_uploads_sweep",
        "gridgov.idempotency.idempotent_requests_sweep",
        "cases.uploads.photo_uploads_sweep",
        "fieldwork.tasks.metrics_sweep",
        "visits.tasks.due_visits_sweep",
        "bulletins.tasks.bulletins_sweep",
        "alerts.tasks.alerts_sweep",
    ],
)

# --- gridgov ----------------------------------------------------------------------------------------
# Bulletins (docs/statistics-bulletins.md): the hour (site time) after which the periodic job publishes the periods
# that ended, and the CJK font (TrueType outlines) embedded in their PDFs: Noto Serif SC from the npm package
# @expo-google-fonts/noto-serif-sc (package.json), never downloaded at run time.
BULLETIN_PUBLISH_HOUR = env_int("GRIDGOV_BULLETIN_PUBLISH_HOUR", 6, minimum=0)
_BULLETIN_FONT_DIR = NODE_MODULES / "@expo-google-fonts" / "noto-serif-sc"
BULLETIN_FONT = Path(
    env_str("GRIDGOV_BULLETIN_FONT", str(_BULLETIN_FONT_DIR / "400Regular/NotoSerifSC_400Regular.ttf"))
)
BULLETIN_FONT_BOLD = Path(
    env_str("GRIDGOV_BULLETIN_FONT_BOLD", str(_BULLETIN_FONT_DIR / "700Bold/NotoSerifSC_700Bold.ttf"))
)
# Map background tiles, e.g. an intranet tile server; empty = vector layers on a plain background.
MAP_TILE_URL = env_str("GRIDGOV_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("GRIDGOV_TILE_ATTRIBUTION", "")
# Without a tile server: an offline vector base map, a PMTiles archive the deployment provides (e.g. a Protomaps
# extract of the city) or the one `demo_seed` / `manage.py basemap_build` writes from the site's own areas and
# buildings. Served by the app with HTTP range requests at /maps/basemap.pmtiles (maps/views.py).
MAP_BASEMAP_PMTILES = Path(env_str("GRIDGOV_BASEMAP_PMTILES", str(VAR_DIR / "basemap.pmtiles")))
MAP_BASEMAP_ATTRIBUTION = env_str("GRIDGOV_BASEMAP_ATTRIBUTION", "")
# Partition-check balance bounds per grid kind: (minimum, maximum), None = no bound.
PARTITION_BOUNDS: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "comprehensive": {"households": (300, 500), "population": (None, 2500)},
    "unit": {"area_m2": (5_000, 20_000)},
    "micro": {"households": (50, 80)},
}

# Largest spreadsheet accepted for import, in megabytes (100,000 persons as .xlsx ≈ 8 MB).
IMPORT_MAX_MEGABYTES = env_int("GRIDGOV_IMPORT_MAX_MB", 50, minimum=1)

# Residents' data (docs/privacy.md): exact searches by phone or ID number per user and minute, and per day
# (pages, API, exports, duplicate checks), the hotline's caller lookups per seat and minute, and where import
# uploads wait (privately) and for how long before the sweep deletes an unconfirmed one.
EXACT_SEARCHES_PER_MINUTE = env_int("GRIDGOV_EXACT_SEARCHES_PER_MINUTE", 10, minimum=1)
EXACT_SEARCHES_PER_DAY = env_int("GRIDGOV_EXACT_SEARCHES_PER_DAY", 200, minimum=1)
CALLER_LOOKUPS_PER_MINUTE = env_int("GRIDGOV_CALLER_LOOKUPS_PER_MINUTE", 60, minimum=1)
# The hotline's callbacks: a seat's reveals of a caller's full number (each audited) per minute and day, and the
# softphone link beside the tel: link (``sip:{number}``, or an http(s) URL with {number}; empty: none).
CALLER_REVEALS_PER_MINUTE = env_int("GRIDGOV_CALLER_REVEALS_PER_MINUTE", 10, minimum=1)
CALLER_REVEALS_PER_DAY = env_int("GRIDGOV_CALLER_REVEALS_PER_DAY", 300, minimum=1)
SOFTPHONE_URL = env_str("GRIDGOV_SOFTPHONE_URL", "")
IMPORT_UPLOAD_KEEP_HOURS = env_int("GRIDGOV_IMPORT_UPLOAD_KEEP_HOURS", 24, minimum=1)
IMPORT_UPLOAD_DIR = Path(env_str("GRIDGOV_IMPORT_UPLOAD_DIR", str(VAR_DIR / "imports")))
# Largest photo accepted with a report or a case step, in megabytes.
PHOTO_MAX_MEGABYTES = env_int("GRIDGOV_PHOTO_MAX_MB", 10, minimum=1)
# Photos uploaded ahead of a report (POST /api/v1/uploads) are kept this many days after their last upload.
PHOTO_UPLOAD_KEEP_DAYS = env_int("GRIDGOV_PHOTO_UPLOAD_KEEP_DAYS", 7, minimum=1)

# Stored files (gridgov/files.py): every photo is served by a view that checks access first, then hands the file
# over through django-sendfile2: streamed by Django ("simple"), or by the front server ("nginx": X-Accel-Redirect
# to the internal location SENDFILE_URL; "xsendfile": Apache/lighttpd X-Sendfile). Images above this many pixels
# are refused before they are decoded (a 50 MP phone photo passes; a small PNG of 13,000² pixels does not).
SENDFILE_BACKENDS = {
    "simple": "django_sendfile.backends.simple",
    "nginx": "django_sendfile.backends.nginx",
    "xsendfile": "django_sendfile.backends.xsendfile",
}
_sendfile = env_str("GRIDGOV_SENDFILE_BACKEND", "simple")
if _sendfile not in SENDFILE_BACKENDS:
    raise ImproperlyConfigured(f"GRIDGOV_SENDFILE_BACKEND={_sendfile!r} is not one of {', '.join(SENDFILE_BACKENDS)}.")
SENDFILE_BACKEND = SENDFILE_BACKENDS[_sendfile]
SENDFILE_ROOT = MEDIA_ROOT
SENDFILE_URL = env_str("GRIDGOV_SENDFILE_URL", "/protected-files")
PHOTO_MAX_PIXELS = env_int("GRIDGOV_PHOTO_MAX_PIXELS", 50_000_000, minimum=1)

# The case workflow (DESIGN §5).
# Open cases of the same category within this distance and this many days are proposed as duplicates.
CASE_DUPLICATE_RADIUS_M = env_int("GRIDGOV_CASE_DUPLICATE_RADIUS_M", 250, minimum=1)
CASE_DUPLICATE_WINDOW_DAYS = env_int("GRIDGOV_CASE_DUPLICATE_WINDOW_DAYS", 7, minimum=1)
# A case still unhandled at this many tenths of its handling limit goes one level up (15 = 1.5 × the limit).
CASE_ESCALATE_TENTHS = env_int("GRIDGOV_CASE_ESCALATE_TENTHS", 15, minimum=10)
# Overdue steps of one case before yellow-card and red-card supervision (督办) is set automatically.
CASE_YELLOW_CARD_AFTER = env_int("GRIDGOV_CASE_YELLOW_CARD_AFTER", 2, minimum=1)
CASE_RED_CARD_AFTER = env_int("GRIDGOV_CASE_RED_CARD_AFTER", 3, minimum=1)
# Minutes a summoned department has to report (吹哨报到).
CASE_SUMMONS_MINUTES = env_int("GRIDGOV_CASE_SUMMONS_MINUTES", 30, minimum=1)
# An unsatisfied rating sends the case back to its department (不满意重办).
CASE_REOPEN_ON_UNSATISFIED = env_bool("GRIDGOV_CASE_REOPEN_ON_UNSATISFIED", True)

# Statistics (docs/statistics.md): a hotspot is a place with at least MIN_CASES cases of one category reported within
# RADIUS_M of each other in the last DAYS days.
STATS_HOTSPOT_MIN_CASES = env_int("GRIDGOV_STATS_HOTSPOT_MIN_CASES", 3, minimum=2)
STATS_HOTSPOT_RADIUS_M = env_int("GRIDGOV_STATS_HOTSPOT_RADIUS_M", 50, minimum=1)
STATS_HOTSPOT_DAYS = env_int("GRIDGOV_STATS_HOTSPOT_DAYS", 30, minimum=1)


# Field work (fieldwork/, docs/field-app.md). GPS fixes are stored as sent and filtered when read: fixes less
# accurate than max_accuracy_m, implying more than max_speed_kmh since the last kept fix (on foot), closer than
# min_period_s to it (duplicates), more than future_s ahead of their arrival, or from a mock location provider.
TRACK_FILTERS = {
    "max_accuracy_m": env_int("GRIDGOV_TRACK_MAX_ACCURACY_M", 50, minimum=1),
    "max_speed_kmh": env_int("GRIDGOV_TRACK_MAX_SPEED_KMH", 15, minimum=1),
    "min_period_s": env_int("GRIDGOV_TRACK_MIN_PERIOD_S", 5, minimum=0),
    "future_s": env_int("GRIDGOV_TRACK_FUTURE_S", 600, minimum=0),
    "drop_mock": env_bool("GRIDGOV_TRACK_DROP_MOCK", True),
}
# Daily metrics: the app's sampling interval (gaps up to twice it count as on duty), the longest gap a distance is
# counted over, the buffer around the grid, minutes outside it that make a 脱岗, the reach of a building's
# coverage, and the stops of a track played back (within 50 m for 180 s: on foot, Traccar's 200 m for vehicles
# would make a stop of every three minutes of walking).
FIELD_SAMPLING_SECONDS = env_int("GRIDGOV_FIELD_SAMPLING_SECONDS", 30, minimum=1)
FIELD_SEGMENT_MAX_GAP_SECONDS = env_int("GRIDGOV_FIELD_SEGMENT_MAX_GAP_SECONDS", 300, minimum=1)
FIELD_GRID_BUFFER_M = env_int("GRIDGOV_FIELD_GRID_BUFFER_M", 50, minimum=0)
FIELD_OFF_GRID_MINUTES = env_int("GRIDGOV_FIELD_OFF_GRID_MINUTES", 15, minimum=1)
FIELD_COVERAGE_RADIUS_M = env_int("GRIDGOV_FIELD_COVERAGE_RADIUS_M", 30, minimum=1)
FIELD_STOP_RADIUS_M = env_int("GRIDGOV_FIELD_STOP_RADIUS_M", 50, minimum=1)
FIELD_STOP_SECONDS = env_int("GRIDGOV_FIELD_STOP_SECONDS", 180, minimum=1)
# The shift of a field worker on a working day without roster rows (排班), "HH:MM-HH:MM" local time.
FIELD_DEFAULT_SHIFT = env_str("GRIDGOV_FIELD_DEFAULT_SHIFT", "08:30-17:30")
# 签到: the worst accuracy accepted, and the device clock's difference from the server's that flags the check-in.
CHECKIN_MAX_ACCURACY_M = env_int("GRIDGOV_CHECKIN_MAX_ACCURACY_M", 50, minimum=1)
CHECKIN_CLOCK_SKEW_SECONDS = env_int("GRIDGOV_CHECKIN_CLOCK_SKEW_SECONDS", 300, minimum=1)
# The periodic job recomputes today's metrics at most this often (and yesterday's once after midnight).
FIELD_METRICS_EVERY_MINUTES = env_int("GRIDGOV_FIELD_METRICS_EVERY_MINUTES", 15, minimum=1)

# 预测预警 (alerts/detection.py, docs/statistics-alerts.md): a grid × category's reports of a day against the same
# weekday of the previous ALERTS_WEEKS weeks. An alert needs a probability under ALERTS_ALPHA and at least
# ALERTS_MIN_COUNT reports; the baseline is at least ALERTS_BASELINE_FLOOR a day (a quiet grid does not alarm on
# one case) and needs ALERTS_MIN_HISTORY_WEEKS weeks of history (a new grid, a new site: no alert before).
ALERTS_WEEKS = env_int("GRIDGOV_ALERTS_WEEKS", 8, minimum=2)
ALERTS_ALPHA = env_float("GRIDGOV_ALERTS_ALPHA", 0.001, minimum=1e-12, maximum=0.5)
ALERTS_MIN_COUNT = env_int("GRIDGOV_ALERTS_MIN_COUNT", 3, minimum=1)
ALERTS_BASELINE_FLOOR = env_float("GRIDGOV_ALERTS_BASELINE_FLOOR", 0.25, minimum=0.01)
ALERTS_MIN_HISTORY_WEEKS = env_int("GRIDGOV_ALERTS_MIN_HISTORY_WEEKS", 4, minimum=2)
if ALERTS_MIN_HISTORY_WEEKS > ALERTS_WEEKS:
    raise ImproperlyConfigured(
        f"GRIDGOV_ALERTS_MIN_HISTORY_WEEKS={ALERTS_MIN_HISTORY_WEEKS} exceeds GRIDGOV_ALERTS_WEEKS={ALERTS_WEEKS}."
    )


# Notifications (notifications/channels.py): one adapter per channel. With no gateway configured a channel keeps
# its messages in the outbox table (the demo, tests); an intranet SMS or WeChat-template gateway takes a JSON POST.
def _gateway(url_variable: str, address_field: str) -> dict[str, str]:
    url = env_str(url_variable, "")
    if url:
        return {"adapter": "notifications.channels.GatewayChannel", "url": url, "address_field": address_field}
    return {"adapter": "notifications.channels.OutboxChannel", "address_field": address_field}


EMAIL_HOST = env_str("GRIDGOV_EMAIL_HOST", "")
EMAIL_PORT = env_int("GRIDGOV_EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("GRIDGOV_EMAIL_FROM", "gridgov@localhost")
NOTIFICATION_CHANNELS = {
    "inapp": {"adapter": "notifications.channels.InAppChannel"},
    "email": {"adapter": "notifications.channels.EmailChannel"}
    if EMAIL_HOST
    else {"adapter": "notifications.channels.OutboxChannel", "address_field": "email"},
    "sms": _gateway("GRIDGOV_SMS_GATEWAY_URL", "phone"),
    "wechat": _gateway("GRIDGOV_WECHAT_GATEWAY_URL", "username"),  # 企业微信 userid = the user name
}
# Staff are told on these channels (where they have an address); residents who left a phone, on these.
NOTIFY_STAFF_CHANNELS = env_list("GRIDGOV_NOTIFY_STAFF_CHANNELS", ["inapp", "email", "wechat"])
NOTIFY_PUBLIC_CHANNELS = env_list("GRIDGOV_NOTIFY_PUBLIC_CHANNELS", ["sms"])
for _name in (*NOTIFY_STAFF_CHANNELS, *NOTIFY_PUBLIC_CHANNELS):
    if _name not in NOTIFICATION_CHANNELS:
        raise ImproperlyConfigured(
            f"Unknown notification channel {_name!r} (known: {', '.join(NOTIFICATION_CHANNELS)})"
        )
NOTIFY_RETRY_LIMIT = env_int("GRIDGOV_NOTIFY_RETRY_LIMIT", 6, minimum=1)

# Open311 GeoReport v2 (open311/): discovery details, and reads per minute per caller address.
OPEN311_CONTACT = env_str("GRIDGOV_OPEN311_CONTACT", "12345 政务服务便民热线")
OPEN311_KEY_SERVICE = env_str("GRIDGOV_OPEN311_KEY_SERVICE", "请联系系统管理员签发 API 密钥")
OPEN311_CHANGESET = datetime.datetime(2026, 11, 21, tzinfo=datetime.UTC)
OPEN311_READS_PER_MINUTE = env_int("GRIDGOV_OPEN311_READS_PER_MINUTE", 600, minimum=1)
# A client's identical submission (same service, place, text, photos…) within this many seconds is the retry it
# is: answered with the first request's answer, no second case (0 turns this off; an Idempotency-Key always counts).
OPEN311_RETRY_WINDOW_SECONDS = env_int("GRIDGOV_OPEN311_RETRY_WINDOW_SECONDS", 600, minimum=0)

# The public portal (portal/): submissions and one-time codes per caller address and hour.
PORTAL_REPORTS_PER_HOUR = env_int("GRIDGOV_PORTAL_REPORTS_PER_HOUR", 30, minimum=1)
PORTAL_CODES_PER_HOUR = env_int("GRIDGOV_PORTAL_CODES_PER_HOUR", 5, minimum=1)
PORTAL_CODE_MINUTES = env_int("GRIDGOV_PORTAL_CODE_MINUTES", 10, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GRIDGOV_LOG_LEVEL", "INFO")},
}
