"""Settings, read from the environment.

DATABASE_URL      database (default: SQLite under YIMEN_DATA_DIR)
YIMEN_DATA_DIR    where the embedded database, uploads and generated files live (./var)
YIMEN_SECRET_KEY  Django's secret key (a clearly marked demo key when unset and debugging)
YIMEN_DEBUG       1 to show debugging pages
YIMEN_HTTPS       1 when served over HTTPS: secure cookies, HSTS, redirect to https
YIMEN_FIELD_KEY   32 random bytes, base64: seals resident IDs at rest (docs/security.md)
YIMEN_CACHE_URL   the shared cache: redis://host:6379/0 or db (default: each process its own)
YIMEN_MEDIA_STORAGE  s3 keeps uploaded and generated files in an S3-compatible bucket
YIMEN_REPLICA_URL a read replica of DATABASE_URL for the statistics (docs/deployment.md)
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("YIMEN_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("YIMEN_DEBUG")
# Demo conveniences for a trial installation (`make demo`): the SMS outbox page.
DEMO = _flag("YIMEN_DEMO")


def _secret_key() -> str:
    """YIMEN_SECRET_KEY, or a random key kept in the data directory for this installation."""
    if key := os.environ.get("YIMEN_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h
    for h in os.environ.get("YIMEN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its API docs from /static (no CDN, nothing inline), as the CSP requires
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "yimen.worktime",
    "yimen.catalog",
    "yimen.subjects",
    "yimen.cases",
    "yimen.licences",
    "yimen.oversight",
    "yimen.portal",
    "yimen.api",
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
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yimen.urls"
WSGI_APPLICATION = "yimen.wsgi.application"

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
                "yimen.portal.context_processors.bureau",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'yimen.sqlite3'}",
        conn_max_age=int(os.environ.get("YIMEN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A streaming replica serves the statistics reads (yimen.routers); tests use the primary.
if replica_url := os.environ.get("YIMEN_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["yimen.routers.StatisticsReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "subjects.Account"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Argon2 for new and changed passwords; older hashes still check and are upgraded on sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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
# Front-end libraries from the npm registry, copied here by `make assets`.
ASSETS_DIR = Path(os.environ.get("YIMEN_ASSETS_DIR", DATA_DIR / "assets"))
STATICFILES_DIRS = [ASSETS_DIR] if ASSETS_DIR.is_dir() else []
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"


def _media_storage(kind: str) -> dict:
    """Where uploaded and generated files go: the local disk under MEDIA_ROOT, or a bucket.
    The S3 client reads its keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself."""
    if kind in {"", "local"}:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"YIMEN_MEDIA_STORAGE 只能是 local 或 s3，不能是 {kind!r}。")
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("YIMEN_MEDIA_STORAGE=s3 需要设置 AWS_STORAGE_BUCKET_NAME。")
    from_environment = {
        "AWS_STORAGE_BUCKET_NAME": "bucket_name",
        "AWS_S3_ENDPOINT_URL": "endpoint_url",
        "AWS_S3_REGION_NAME": "region_name",
        "AWS_S3_ADDRESSING_STYLE": "addressing_style",
        "AWS_LOCATION": "location",
    }
    options = {key: os.environ[env] for env, key in from_environment.items() if env in os.environ}
    # Stored names are random; a clash gets another name instead of replacing a file. No
    # object is public: files are handed out by views that check who is asking.
    options.update(file_overwrite=False, default_acl=None)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": _media_storage(os.environ.get("YIMEN_MEDIA_STORAGE", "").strip().lower()),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _caches(url: str) -> dict:
    """Django's cache: in this process, in the database (`yimen createcachetable`), or Redis."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "yimen_cache"}
    if url.split("://", 1)[0] in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        f"YIMEN_CACHE_URL 应为 redis://主机:端口/库号、rediss://… 或 db，不能是 {url!r}。"
    )


CACHES = {"default": _caches(os.environ.get("YIMEN_CACHE_URL", "").strip())}

# Background work (notices to regulators) is saved as rows that `yimen db_worker` runs.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGIN_URL = "/accounts/login/"
# Axes first: it refuses a sign-in while its username and address are locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "yimen.subjects.auth_backends.PhoneBackend",
]

# --- security (docs/security.md) -------------------------------------------------------
# Resident IDs are sealed with a key derived from this (or from SECRET_KEY when unset).
YIMEN_FIELD_KEY = os.environ.get("YIMEN_FIELD_KEY", "")
# A session lasts one working day at most, and ends when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("YIMEN_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
# Staff enter a TOTP code after their password; the demo does without (and says so).
YIMEN_STAFF_SECOND_FACTOR = not DEMO
OTP_TOTP_ISSUER = "一门 Yimen"
YIMEN_SECOND_FACTOR_PENDING_SECONDS = 300
# Five failed sign-ins from one address for one username lock both out for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "yimen.subjects.auth_backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "portal/accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "code", "otp_token"]
AXES_VERBOSE = False  # no banner on every `yimen` command
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins of staff go to the audit chain
# Uploaded documents: size and unpacking limits (yimen.uploads); files readable by the
# service's user only.
YIMEN_UPLOAD_MAX_BYTES = int(os.environ.get("YIMEN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Scripts, styles and everything else from this site only; no inline script or style
# unless it carries the page's nonce (`request.csp_nonce`).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],  # the kiosk prints a notice from a frame of its own
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Behind HTTPS (not the demo on http://127.0.0.1): cookies only over HTTPS, HSTS, and
# plain http redirected. YIMEN_PROXY_SSL_HEADER names the header a TLS-terminating
# proxy sets, e.g. HTTP_X_FORWARDED_PROTO.
HTTPS = _flag("YIMEN_HTTPS") and not DEBUG
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
if HTTPS and (proxy_header := os.environ.get("YIMEN_PROXY_SSL_HEADER")):
    SECURE_PROXY_SSL_HEADER = (proxy_header, "https")

# A real SMS gateway's SmsBackend; without one, sign-in codes are only offered in demo mode.
YIMEN_SMS_BACKEND = os.environ.get("YIMEN_SMS_BACKEND") or (
    "yimen.subjects.sms.OutboxBackend" if DEMO or DEBUG else ""
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "yimen.subjects.masking.MaskingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("YIMEN_LOG_LEVEL", "INFO")},
    # Django's own handlers (the request log of `runserver` among them) do not mask: its
    # loggers go through the masked console instead. SQL with its parameters is never logged.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # Lockouts are warnings; each failure and success is in the audit chain instead.
        "axes": {"level": "WARNING"},
    },
}

# TrueType CJK fonts to embed in PDFs, first usable wins; empty = yimen.pdf.DEFAULT_FONT_PATHS.
YIMEN_PDF_FONT_PATHS = [
    p for p in os.environ.get("YIMEN_PDF_FONT_PATHS", "").split(os.pathsep) if p
]
# The district's administrative area code: case and licence numbers start with it.
YIMEN_AREA_CODE = os.environ.get("YIMEN_AREA_CODE", "220105")
# A special procedure (inspection, hearing ...) is flagged after this many working days.
YIMEN_SPECIAL_PROCEDURE_MAX_DAYS = int(os.environ.get("YIMEN_SPECIAL_PROCEDURE_MAX_DAYS", "30"))
# A case turns yellow when this many working days or fewer are left.
YIMEN_CASE_YELLOW_DAYS = int(os.environ.get("YIMEN_CASE_YELLOW_DAYS", "1"))
# Letters: the document-number prefix, and where an applicant may appeal a refusal or denial.
YIMEN_DOC_NUMBER_PREFIX = os.environ.get("YIMEN_DOC_NUMBER_PREFIX", "二审批")
YIMEN_REVIEW_BODY = os.environ.get("YIMEN_REVIEW_BODY", "长春市二道区人民政府")
YIMEN_COURT = os.environ.get("YIMEN_COURT", "有管辖权的人民法院")
# Ratings and complaints (local policy, in working days unless said otherwise).
YIMEN_RECTIFICATION_DAYS = {"verify": 1, "rectify": 5, "follow_up": 2, "close": 1}
YIMEN_RECTIFICATION_RED_AFTER_DAYS = 2  # a late step turns red after this many days late
YIMEN_RATING_LINK_DAYS = 30  # calendar days an SMS rating link stays valid
YIMEN_COMPLAINT_ANSWER_DAYS = 5
# The site's public address, for links sent by SMS (e.g. https://zwfw.example.gov.cn).
YIMEN_PUBLIC_URL = os.environ.get("YIMEN_PUBLIC_URL", "")
# The audit chain's anchors (head hashes written by `yimen audit-anchor`).
YIMEN_AUDIT_ANCHOR_FILE = Path(
    os.environ.get("YIMEN_AUDIT_ANCHOR_FILE", DATA_DIR / "audit-anchors.log")
)
# Notices to regulators: webhook retries back off from 30 s up to an hour, 8 tries.
YIMEN_OUTBOX_BACKOFF_SECONDS = 30
YIMEN_OUTBOX_BACKOFF_CAP_SECONDS = 3600
YIMEN_OUTBOX_MAX_ATTEMPTS = 8
YIMEN_OUTBOX_TIMEOUT_SECONDS = 5
# The hall: appointments, queue tickets and kiosks.
YIMEN_APPOINTMENT_SLOT_MINUTES = 30
YIMEN_APPOINTMENT_SLOT_CAPACITY = 6  # appointments per slot per center
YIMEN_APPOINTMENT_DAYS_AHEAD = 14
YIMEN_HALL_EARLY_MINUTES = 30  # check-in opens this long before the slot
YIMEN_KIOSK_IDLE_SECONDS = 90
YIMEN_KIOSK_CENTER = os.environ.get("YIMEN_KIOSK_CENTER", "")  # blank: the first center
YIMEN_KIOSK_LOOKUP_ATTEMPTS = 5
YIMEN_KIOSK_LOOKUP_LOCK_SECONDS = 600
YIMEN_BUREAU_NAME = os.environ.get("YIMEN_BUREAU_NAME", _("长春市二道区行政审批局"))
