"""Settings, read from the environment.

DATABASE_URL      database (default: SQLite under YIMEN_DATA_DIR)
YIMEN_DATA_DIR    where the embedded database, uploads and generated files live (./var)
YIMEN_SECRET_KEY  Django's secret key (a clearly marked demo key when unset and debugging)
YIMEN_DEBUG       1 to show debugging pages
"""

import os
import secrets
from pathlib import Path

import dj_database_url
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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "subjects.Account"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
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

LOGIN_URL = "/accounts/login/"
AUTHENTICATION_BACKENDS = ["yimen.subjects.auth_backends.PhoneBackend"]

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
    "loggers": {"django.db.backends": {"level": "INFO"}},
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
YIMEN_BUREAU_NAME = os.environ.get("YIMEN_BUREAU_NAME", _("长春市二道区行政审批局"))
