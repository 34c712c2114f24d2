"""gridgov settings: everything that varies between machines comes from the environment.

The defaults run the Xinjing demo on one machine with SQLite under var/. Production sets at least
SECRET_KEY, GRIDGOV_PII_KEY, ALLOWED_HOSTS and DEBUG=false; a district or city sets DATABASE_URL.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import csp.constants as csp
import dj_database_url
import xstatic.pkg.leaflet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GRIDGOV_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name: str, default: str = "") -> str:
    """A string setting; NAME_FILE, when set, names a file holding the value (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
_DEMO_SECRET = "gridgov-demo-only-not-secret"  # nosec B105  # published on purpose: refused outside the demo
_DEMO_PII_KEY = "gridgov-demo-pii-key-not-secret"
SECRET_KEY = env("SECRET_KEY", "")
# Phone and ID numbers are encrypted with this key and found by an HMAC keyed from it.
PII_KEY = env("GRIDGOV_PII_KEY", "")
# No key of its own: this is a demo or development machine, where `load_demo` may create accounts
# with the published demo password (it refuses elsewhere).
USING_DEMO_KEYS = not PII_KEY
# A demo: `make demo` (GRIDGOV_DEMO), development (DEBUG), or a machine given no key at all.
DEMO = env_bool("GRIDGOV_DEMO", False) or DEBUG or not (SECRET_KEY or PII_KEY)
_published = {_DEMO_SECRET, _DEMO_PII_KEY} & {SECRET_KEY, *PII_KEY.split(",")}
if not DEMO and (not SECRET_KEY or not PII_KEY or _published):
    # Half a configuration would run on a published key: sessions, password-reset links and
    # log-in codes signed with it, or personal data encrypted with it.
    raise ImproperlyConfigured(
        "Set both SECRET_KEY and GRIDGOV_PII_KEY to values of your own (see README); the "
        "published demo keys are only for the demo (GRIDGOV_DEMO=1) and development (DEBUG)")
SECRET_KEY = SECRET_KEY or _DEMO_SECRET
PII_KEY = PII_KEY or _DEMO_PII_KEY
# Public outputs (Open311, the tracking page) also hide licence plates typed into free text.
PII_MASK_PLATES = env_bool("GRIDGOV_MASK_PLATES", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Listed so that its docs page (/api/docs) loads Swagger UI from its own static files, not a CDN.
    "ninja",
    "gridgov.core",
    "gridgov.accounts",
    "gridgov.grids",
    "gridgov.cases",
    "gridgov.indicators",
    "gridgov.open311",
    "gridgov.services",
    "gridgov.volunteers",
    "gridgov.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gridgov.accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gridgov.core.middleware.RequestIdMiddleware",
    "gridgov.core.middleware.RefusalMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.core.context_processors.platform",
            ],
        },
    },
]

_SQLITE_PATH = VAR_DIR / "gridgov.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}"), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many writers on one file: WAL lets readers run beside the writer, IMMEDIATE takes the write
    # lock when a transaction starts (so read-check-write cannot interleave), and the timeout makes
    # a second writer wait instead of failing with "database is locked". Connections are kept
    # (CONN_MAX_AGE, as on PostgreSQL): opening one and running these pragmas costs more than a
    # resident's whole report.
    # Django's SQLite backend with the writers queued rather than polling for the lock
    # (gridgov/core/sqlite/base.py). The file is not mapped into memory (mmap_size stays 0):
    # whenever another connection (another worker) has written, SQLite drops a mapped
    # connection's whole mapping and faults every page back in, which cost a report 0.6–0.9 ms
    # more than reading the pages it needs (docs/benchmarks.md, "Findings", stop 18).
    DATABASES["default"]["ENGINE"] = "gridgov.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=30000; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY; "
            "PRAGMA wal_autocheckpoint=10000;"
        ),
    }
    # Tests use a file, not memory, so that concurrent writers meet the same locking as production.
    DATABASES["default"]["TEST"] = {
        "NAME": env("GRIDGOV_TEST_SQLITE", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gridgov.accounts.backends.PhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Town-wide operators, leaders and administrators (and superusers) sign in with two factors:
# on by default outside the demo.
TWO_FACTOR_REQUIRED = env_bool("GRIDGOV_TWO_FACTOR", not DEMO)
# Staff are signed out after this many seconds without a request.
STAFF_IDLE_SECONDS = env_int("GRIDGOV_STAFF_IDLE_SECONDS", 1800)
# Failed log-ins per phone number and per address before a pause, and the pause in seconds.
LOGIN_MAX_FAILURES = env_int("GRIDGOV_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("GRIDGOV_LOGIN_LOCKOUT_SECONDS", 900)
OTP_TTL_SECONDS = env_int("GRIDGOV_OTP_TTL_SECONDS", 300)
# Log-in codes sent per address each hour and per phone number each day (0: no cap).
LOGIN_CODES_PER_ADDRESS = env_int("GRIDGOV_LOGIN_CODES_PER_ADDRESS", 10)
LOGIN_CODES_PER_PHONE_PER_DAY = env_int("GRIDGOV_LOGIN_CODES_PER_PHONE_PER_DAY", 10)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gridgov_cache",
            # Rate-limit and log-in counters live here: past MAX_ENTRIES Django deletes a third of
            # the keys, counters included, so the cap is set well above a busy hour's addresses.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    )
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gridgov" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
# Leaflet ships inside the xstatic-leaflet package: served as /static/leaflet/..., never from a CDN.
# Other browser libraries come from the npm registry at the versions assets/package-lock.json
# pins: `make assets` (part of make install, demo and test) copies the files the pages use into
# assets/static/ (git-ignored), served as /static/echarts/echarts.common.min.js and so on.
ASSETS_STATIC_DIR = Path(env("GRIDGOV_ASSETS_DIR", str(BASE_DIR / "assets" / "static")))
STATICFILES_DIRS = [("leaflet", xstatic.pkg.leaflet.BASE_DIR),
                    *([ASSETS_STATIC_DIR] if ASSETS_STATIC_DIR.is_dir() else [])]
# Uploaded photos and documents: on this machine's disk by default; in an S3-compatible object
# store (Aliyun OSS, Tencent COS, MinIO, Amazon S3) when GRIDGOV_MEDIA_S3_BUCKET is set, so that
# several application servers share them. Either way files are private: objects are written
# with a private ACL, and pages serve them only through views that check who asks
# (gridgov.core.photos.photo_response), never by a URL of the store.
S3_ADDRESSING_STYLES = ("auto", "path", "virtual")


def media_storage() -> dict:
    bucket = env("GRIDGOV_MEDIA_S3_BUCKET")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": env("MEDIA_ROOT", str(VAR_DIR / "media"))}}
    style = env("GRIDGOV_MEDIA_S3_ADDRESSING_STYLE", "auto")
    if style not in S3_ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"GRIDGOV_MEDIA_S3_ADDRESSING_STYLE must be one of {', '.join(S3_ADDRESSING_STYLES)}, "
            f"not {style!r}")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("GRIDGOV_MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env("GRIDGOV_MEDIA_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_* variables, an instance role).
            "access_key": env("GRIDGOV_MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": env("GRIDGOV_MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": style,
            "signature_version": "s3v4",
            "location": env("GRIDGOV_MEDIA_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS behind the web server that terminates it (README, "Production"): redirect plain HTTP,
# tell browsers to come back only over HTTPS (HSTS, in seconds: a year once it works), and
# trust the proxy's header saying a request came over HTTPS. That header is trusted only when
# named, and the proxy must set it on every request (overwriting what a client sent).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
_PROXY_SSL_HEADER = env("SECURE_PROXY_SSL_HEADER", "")  # e.g. X-Forwarded-Proto
SECURE_PROXY_SSL_HEADER = (
    (f"HTTP_{_PROXY_SSL_HEADER.upper().replace('-', '_')}", "https") if _PROXY_SSL_HEADER else None
)
SECURE_REFERRER_POLICY = "same-origin"
# The HSTS preload list takes a whole registrable domain (a town's site is one name under
# gov.cn's), so "not preloaded" is no finding for a town: SECURE_HSTS_PRELOAD stays a choice.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The map needs no tiles: grids are drawn on a plain background. A town with its own tile server
# (or an internet connection) names it here, e.g. http://tiles.local/{z}/{x}/{y}.png
MAP_TILE_URL = env("GRIDGOV_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env("GRIDGOV_MAP_TILE_ATTRIBUTION", "")


def _tile_origin(url: str) -> list[str]:
    """The tile server's origin for the CSP (a {s} subdomain placeholder becomes *)."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"] if parts.netloc else []


# Content-Security-Policy on every response (django-csp): scripts only from our own static files
# (page data travels in json_script blocks, which the browser does not run), no outside origin
# but the town's tile server. Inline styles stay allowed: Leaflet, htmx and ECharts write them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", "blob:", *_tile_origin(MAP_TILE_URL)],
        "connect-src": [csp.SELF],
        "font-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# Each process keeps the point-to-grid index in memory and asks the database at most this often
# whether grids changed in another process.
GRID_LOOKUP_RECHECK_SECONDS = env_int("GRIDGOV_GRID_LOOKUP_RECHECK_SECONDS", 5)
# Grids may overlap by at most this share of the smaller grid's area (drawing slack) on import.
GRID_OVERLAP_TOLERANCE = float(env("GRIDGOV_GRID_OVERLAP_TOLERANCE", "0.01"))

# Notices (gridgov.core.notify): each is written once for every channel named here and delivered
# by `gridgov tick`. Built-in channels: "log" (a log line), "console" (printed), "email" (Django's
# e-mail backend, EMAIL_* below); plug-ins, e.g. SMS or WeChat gateways, are added as
# name=dotted.path.Sender pairs: GRIDGOV_NOTICE_SENDERS="sms=mytown.sms.Sender".
for _replaced, _by in (("GRIDGOV_NOTIFICATION_BACKEND", "GRIDGOV_NOTICE_CHANNELS"),
                      ("GRIDGOV_SMS_BACKEND", "GRIDGOV_NOTICE_SENDERS and GRIDGOV_LOGIN_CODE_CHANNEL")):
    if os.environ.get(_replaced):
        raise ImproperlyConfigured(f"{_replaced} was replaced by {_by} (see README)")
GRIDGOV_NOTICE_CHANNELS = env_list("GRIDGOV_NOTICE_CHANNELS", "log")
GRIDGOV_NOTICE_SENDERS = {}
for _pair in env_list("GRIDGOV_NOTICE_SENDERS", ""):
    _channel, _, _path = (part.strip() for part in _pair.partition("="))
    if not (_channel and _path):
        raise ImproperlyConfigured(f"GRIDGOV_NOTICE_SENDERS: {_pair!r} is not name=dotted.path")
    GRIDGOV_NOTICE_SENDERS[_channel] = _path
# Log-in codes go at once (the person is waiting; the code is never stored) through this channel's
# sender: "console" prints them (the demo); a real installation names its SMS plug-in.
# The console prints codes into the server's log: only in a demo, where it is the default;
# elsewhere none (the default) switches log-in by SMS code off.
GRIDGOV_LOGIN_CODE_CHANNEL = env("GRIDGOV_LOGIN_CODE_CHANNEL", "console" if DEMO else "")
if GRIDGOV_LOGIN_CODE_CHANNEL == "console" and not DEMO:
    raise ImproperlyConfigured(
        "GRIDGOV_LOGIN_CODE_CHANNEL: the console sender prints log-in codes into the server's "
        "log; it is for the demo and development only. Name your SMS channel, or leave it unset")
# Notices sent or given up are deleted after this many days (they hold personal data).
GRIDGOV_NOTICE_KEEP_DAYS = env_int("GRIDGOV_NOTICE_KEEP_DAYS", 90)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "gridgov@localhost")

# Cases.
# A new report is offered for merging with an unfinished case of the same category this close,
# this recent and with descriptions at least this similar (character-bigram Jaccard).
GRIDGOV_DUPLICATE_METRES = env_int("GRIDGOV_DUPLICATE_METRES", 100)
GRIDGOV_DUPLICATE_HOURS = env_int("GRIDGOV_DUPLICATE_HOURS", 72)
GRIDGOV_DUPLICATE_SIMILARITY = float(env("GRIDGOV_DUPLICATE_SIMILARITY", "0.2"))
# Case numbers read PREFIX + yyyymmdd + a 6-digit daily sequence: XJ20261123000042.
GRIDGOV_CASE_NUMBER_PREFIX = env("GRIDGOV_CASE_NUMBER_PREFIX", "XJ")
GRIDGOV_PHOTO_MAX_BYTES = env_int("GRIDGOV_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
GRIDGOV_PHOTOS_PER_REPORT = env_int("GRIDGOV_PHOTOS_PER_REPORT", 9)
# A photo with more pixels than this is refused from its header, before it is decoded: a phone's
# usual photo has 12 million; 40 million leaves room for high-resolution modes and keeps the
# decoding of one upload to about 160 MB.
GRIDGOV_PHOTO_MAX_PIXELS = env_int("GRIDGOV_PHOTO_MAX_PIXELS", 40_000_000)
# Photos decoded at once per server process (core.photos.decode_slots), and how long an upload
# waits for its turn before it is refused (429).
GRIDGOV_PHOTO_DECODES = env_int("GRIDGOV_PHOTO_DECODES", 1)
GRIDGOV_PHOTO_DECODE_WAIT = env_int("GRIDGOV_PHOTO_DECODE_WAIT", 30)
# Reports accepted per address and per phone number in each window (an hour by default) from
# a reporter without a role (signed out, or a signed-in resident); staff are not limited. 0 = no
# limit. Meant to stop floods: raise the address limit where many residents reach the server
# from one address (a mobile carrier's shared address, a proxy that does not pass the client's).
GRIDGOV_REPORT_RATE_PER_ADDRESS = env_int("GRIDGOV_REPORT_RATE_PER_ADDRESS", 20)
GRIDGOV_REPORT_RATE_PER_PHONE = env_int("GRIDGOV_REPORT_RATE_PER_PHONE", 5)
GRIDGOV_REPORT_RATE_WINDOW_SECONDS = env_int("GRIDGOV_REPORT_RATE_WINDOW_SECONDS", 3600)
# Refused submissions (a form error, a photo refused, a report past the limit) per address and
# window before further reports from it are refused: a flood of bad uploads costs the server
# decoding time even though no report is made.
GRIDGOV_REPORT_REFUSED_PER_ADDRESS = env_int("GRIDGOV_REPORT_REFUSED_PER_ADDRESS", 30)
# Audit entries are kept this many days, then archived to files under GRIDGOV_AUDIT_ARCHIVE_DIR
# and removed (core.audit_retention). The Cybersecurity Law (网络安全法 第二十一条) asks for six months at least: fewer than 183
# days is refused here, and the database's trigger refuses removing younger entries anyway.
GRIDGOV_AUDIT_KEEP_DAYS = env_int("GRIDGOV_AUDIT_KEEP_DAYS", 365)
if GRIDGOV_AUDIT_KEEP_DAYS < 183:
    raise ImproperlyConfigured(
        f"GRIDGOV_AUDIT_KEEP_DAYS must be at least 183 (six months), not {GRIDGOV_AUDIT_KEEP_DAYS}")
GRIDGOV_AUDIT_ARCHIVE_DIR = env("GRIDGOV_AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archive"))
# How many invented cases `gridgov load_demo` puts in the demo town.
GRIDGOV_DEMO_CASES = env_int("GRIDGOV_DEMO_CASES", 300)

# Volunteers (gridgov.volunteers).
# Star levels by cumulative service hours (一星 … 五星), as the national volunteer record rules do.
GRIDGOV_VOLUNTEER_STAR_HOURS = [int(h) for h in env_list(
    "GRIDGOV_VOLUNTEER_STAR_HOURS", "100,300,600,1000,1500")]
# How long a check-in/check-out QR code stays valid (the organiser's page shows a fresh one).
GRIDGOV_VOLUNTEER_QR_SECONDS = env_int("GRIDGOV_VOLUNTEER_QR_SECONDS", 180)
# Check-in opens this many minutes before the start; check-out closes this long after the end.
GRIDGOV_VOLUNTEER_CHECKIN_EARLY_MINUTES = env_int("GRIDGOV_VOLUNTEER_CHECKIN_EARLY_MINUTES", 30)
GRIDGOV_VOLUNTEER_CHECKOUT_LATE_MINUTES = env_int("GRIDGOV_VOLUNTEER_CHECKOUT_LATE_MINUTES", 120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
