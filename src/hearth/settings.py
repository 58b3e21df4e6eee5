"""Hearth's one settings module, read from the environment.

The defaults serve the embedded demo (`make run`): SQLite, tasks inline, e-mail written to
``var/outbox/``. ``HEARTH_ENV=production`` switches on the production rules: a real secret key,
DEBUG off, secure cookies and HSTS; it refuses to start otherwise.
"""

import base64
import hashlib
import os
import re
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hearth.common import sealed


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _time_of_day(name: str, default: str) -> time:
    """A UK time of day written HH:MM (24-hour clock)."""
    text = _env(name, default).strip()
    try:
        if re.fullmatch(r"\d\d:\d\d", text):
            return time(int(text[:2]), int(text[3:]))
    except ValueError:
        pass
    raise ImproperlyConfigured(f"{name} must be a time of day as HH:MM on the 24-hour clock, like 06:00; got {text!r}.")


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(_env("HEARTH_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DATA_DIR.mkdir(parents=True, exist_ok=True)

HEARTH_ENV = _env("HEARTH_ENV", "demo")
PRODUCTION = HEARTH_ENV == "production"

DEMO_SECRET_KEY = "demo-only-secret-key-never-use-in-production-6f1c0f0e7b2d4e44a3"  # noqa: S105 - refused in production
SECRET_KEY = _env("HEARTH_SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = _env_bool("HEARTH_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = [h for h in _env("HEARTH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in _env("HEARTH_CSRF_TRUSTED_ORIGINS").split(",") if o]

if PRODUCTION:
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("HEARTH_SECRET_KEY must be set to a random value of 50+ characters in production.")
    if DEBUG:
        raise ImproperlyConfigured("HEARTH_DEBUG must be off in production.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "hearth.data.accounts",
    "hearth.data.metering",
    "hearth.data.identity",
    "hearth.data.audit",
    "hearth.data.care",
    "hearth.data.tariffs",
    "hearth.data.documents",
    "hearth.data.billing",
    "hearth.data.payments",
    "hearth.data.contracts",
    "hearth.data.scheduling",
    "hearth.data.prepayment",
    "hearth.data.debt",
    "hearth.data.complaints",
    "hearth.data.priority",
    "hearth.data.meter_services",
    "hearth.data.privacy",
    "hearth.interfaces.web",
    "hearth.interfaces.portal",
    "hearth.interfaces.care",
    "hearth.interfaces.commands",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hearth.interfaces.web.middleware.ContentSecurityPolicyMiddleware",
    "hearth.interfaces.web.middleware.UnstorableInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hearth.interfaces.web.middleware.AbsoluteSessionLimitMiddleware",
    "hearth.interfaces.web.middleware.IdleSessionRenewalMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"

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
                "hearth.interfaces.web.context.brand",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        _env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'hearth.sqlite3'}"),
        conn_max_age=int(_env("HEARTH_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves requests side by side (runserver's threads, gunicorn's workers). Write-ahead logging
    # lets readers go on while one connection writes; BEGIN IMMEDIATE takes the write lock when a transaction starts,
    # so two never deadlock upgrading read locks; a writer waits up to 20 s for the lock instead of failing with
    # "database is locked" (issue 14: 20 sign-ins at once gave HTTP 500 before).
    # HEARTH_SQLITE_JOURNAL_MODE=DELETE where shared memory is not to be had (a network file system): WAL needs it.
    _JOURNAL_MODE = _env("HEARTH_SQLITE_JOURNAL_MODE", "WAL").upper()
    if _JOURNAL_MODE not in {"WAL", "DELETE", "TRUNCATE", "PERSIST"}:
        raise ImproperlyConfigured(
            f"HEARTH_SQLITE_JOURNAL_MODE must be WAL, DELETE, TRUNCATE or PERSIST; got {_JOURNAL_MODE!r}."
        )
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": f"PRAGMA journal_mode={_JOURNAL_MODE}; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "hearth.domain.identity.passwords.PortalPasswordRulesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600  # reset links live one hour (QUALITY.md)
LOGIN_URL = "portal:login"

# Sessions: 30 minutes idle, 12 hours at most. A signed-in session is saved again (its expiry and the cookie renewed)
# at most once a minute, not on every request: a write per request was most of a signed-in page's cost under load
# (ADR 0028), so a session now ends between 29 and 30 minutes after its last request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEWAL_INTERVAL = timedelta(minutes=1)
SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and _env_bool("HEARTH_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login throttling (django-axes): per e-mail address and per client IP, each with a finite cool-off.
AXES_FAILURE_LIMIT = int(_env("HEARTH_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(_env("HEARTH_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# A lock lasts the cool-off from the last failure before it; attempts while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Before the lock: after this many failures, each attempt waits HEARTH_LOGIN_SLOW_SECONDS, doubling each time.
HEARTH_LOGIN_SLOW_AFTER = int(_env("HEARTH_LOGIN_SLOW_AFTER", "3"))
HEARTH_LOGIN_SLOW_SECONDS = int(_env("HEARTH_LOGIN_SLOW_SECONDS", "5"))
AXES_LOCKOUT_CALLABLE = "hearth.interfaces.web.lockout.locked_out"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "token", "otp_token"]
# Behind N reverse proxies of the operator's, set HEARTH_TRUSTED_PROXY_COUNT=N so the per-IP limit sees clients.
HEARTH_TRUSTED_PROXY_COUNT = int(_env("HEARTH_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "hearth.interfaces.web.client_ip.client_ip"

OTP_TOTP_ISSUER = _env("HEARTH_BRAND_NAME", "Hearth Energy") + " care"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
DOCUMENTS_S3_BUCKET = _env("HEARTH_DOCUMENTS_S3_BUCKET")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Issued documents (invoices, letters): a folder under the data folder, or any S3-compatible store (django-storages)
    # when HEARTH_DOCUMENTS_S3_BUCKET is set; credentials come from the usual AWS_* variables or the machine's role.
    "documents": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": DOCUMENTS_S3_BUCKET,
                "endpoint_url": _env("HEARTH_DOCUMENTS_S3_ENDPOINT_URL") or None,
                "region_name": _env("HEARTH_DOCUMENTS_S3_REGION") or None,
                "location": _env("HEARTH_DOCUMENTS_S3_PREFIX", "documents"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if DOCUMENTS_S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "documents"}}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Cache (rate limits): per process in the demo; HEARTH_CACHE_URL=redis://... shares it between web servers.
CACHE_URL = _env("HEARTH_CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Public forms that send e-mail or queue work: at most this many per hour per e-mail address and per IP.
HEARTH_PUBLIC_FORM_LIMIT_PER_ADDRESS = int(_env("HEARTH_PUBLIC_FORM_LIMIT_PER_ADDRESS", "3"))
HEARTH_PUBLIC_FORM_LIMIT_PER_IP = int(_env("HEARTH_PUBLIC_FORM_LIMIT_PER_IP", "20"))

# E-mail: real SMTP when EMAIL_HOST is set; otherwise .eml files in var/outbox/ (the demo's inbox).
EMAIL_HOST = _env("EMAIL_HOST")
EMAIL_PORT = int(_env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = _env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = _env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
# The backend that really delivers; EMAIL_BACKEND queues through the task engine when there is a broker.
HEARTH_EMAIL_DELIVERY_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "hearth.interfaces.web.outbox.OutboxEmailBackend"
)
if PRODUCTION and not EMAIL_HOST:
    raise ImproperlyConfigured("EMAIL_HOST must name the SMTP server in production.")
HEARTH_OUTBOX_DIR = DATA_DIR / "outbox"
HEARTH_SWITCHING_DIR = DATA_DIR / "switching"
"""The switching file adapter's folder: outbox/, inbox/ and inbox/done/ (hearth.domain.contracts.switching)."""
HEARTH_SMART_METER_DIR = DATA_DIR / "smart-meters"
"""The smart-meter file adapter's folder: one JSON file per command sent (hearth.domain.metering.smart_meters)."""
DEFAULT_FROM_EMAIL = _env("HEARTH_FROM_EMAIL", "Hearth Energy <no-reply@hearth.example>")
HEARTH_COMPLAINTS_EMAIL = _env("HEARTH_COMPLAINTS_EMAIL", "complaints@hearth.example")
"""Where customers e-mail complaints (T&C 20.1.2); the mail server delivers it into the Maildir below (ADR 0018)."""
HEARTH_COMPLAINTS_MAILDIR = Path(_env("HEARTH_COMPLAINTS_MAILDIR", str(DATA_DIR / "complaints-mail")))
"""The complaints mailbox, a Maildir (new/, cur/, tmp/) read by `hearth read_complaint_mail` and the daily jobs."""

# Task engine: Celery when a broker is configured (redis://... or amqp://...), inline otherwise.
CELERY_BROKER_URL = _env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The daily jobs (hearth.interfaces.tasks.daily): Celery beat sends them each day at this UK time; beat keeps the
# time of the last sending in its schedule file, so a sending missed while beat was down is made when it starts.
HEARTH_DAILY_JOBS_AT = _time_of_day("HEARTH_DAILY_JOBS_AT", "06:00")
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Tests only: send the daily jobs every this many seconds instead.
HEARTH_DAILY_JOBS_EVERY_SECONDS = int(_env("HEARTH_DAILY_JOBS_EVERY_SECONDS", "0"))
EMAIL_BACKEND = (
    "hearth.interfaces.tasks.mail.TaskQueueEmailBackend" if CELERY_BROKER_URL else HEARTH_EMAIL_DELIVERY_BACKEND
)
# Documents' e-mails (hearth.domain.documents.delivery): a Celery task each, retried with backoff, when there is a
# broker; otherwise sent at once, a temporary failure waiting for `hearth deliver_pending` (run it from cron).
HEARTH_DELIVERY_DISPATCHER = (
    "hearth.interfaces.tasks.documents.queue_deliveries"
    if CELERY_BROKER_URL
    else "hearth.interfaces.tasks.documents.send_deliveries_now"
)
# The care console's "Run now" of a daily job: queued for a worker when there is a broker, run in the request
# otherwise (hearth.interfaces.tasks.daily).
HEARTH_DAILY_JOB_DISPATCHER = (
    "hearth.interfaces.tasks.daily.queue_job" if CELERY_BROKER_URL else "hearth.interfaces.tasks.daily.run_job_now"
)

# The one public address of the site: every absolute link in e-mails, PDFs and the demo's list of logins is made from
# it. `make run` sets it to the address it serves; HEARTH_PORTAL_URL is its older name, still read.
HEARTH_SITE_URL = _env("HEARTH_SITE_URL", _env("HEARTH_PORTAL_URL", "http://127.0.0.1:8000")).rstrip("/")
if not HEARTH_SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"HEARTH_SITE_URL must start with http:// or https://; got {HEARTH_SITE_URL!r}.")

# The supplier that runs Hearth: configuration, not code.
HEARTH_BRAND = {
    "name": _env("HEARTH_BRAND_NAME", "Hearth Energy"),
    "care_email": _env("HEARTH_CARE_EMAIL", "customercare@hearth.example"),
    "care_phone": _env("HEARTH_CARE_PHONE", "0333 000 0000"),
    "colour": _env("HEARTH_BRAND_COLOUR", "#1d4e89"),
    "accent": _env("HEARTH_BRAND_ACCENT", "#f2a900"),
    "logo": _env("HEARTH_BRAND_LOGO", "hearth/logo.svg"),
    "portal_url": HEARTH_SITE_URL,
}
# Where customers pay by bank transfer, printed on bills; the defaults are the demo's made-up account.
HEARTH_BANK = {
    "account_name": _env("HEARTH_BANK_ACCOUNT_NAME", "Hearth Energy Ltd"),
    "sort_code": _env("HEARTH_BANK_SORT_CODE", "12-34-56"),
    "account_number": _env("HEARTH_BANK_ACCOUNT_NUMBER", "12345678"),
}

# Conditions of Use: a versioned text. Publishing a new version (a new file and version) makes every
# login accept it at its next login.
HEARTH_CONDITIONS_OF_USE_VERSION = _env("HEARTH_CONDITIONS_OF_USE_VERSION", "2026-01")
HEARTH_CONDITIONS_OF_USE_FILE = Path(
    _env("HEARTH_CONDITIONS_OF_USE_FILE", str(BASE_DIR / "conditions" / "conditions-of-use-2026-01.txt"))
)

# Temporary credentials sent in login-details e-mails stay valid this long (ADR 0003).
HEARTH_TEMPORARY_PASSWORD_DAYS = int(_env("HEARTH_TEMPORARY_PASSWORD_DAYS", "14"))

# T&C 11.1.1: the price of a meter accuracy test excluding VAT, stated before the customer asks (unconfirmed: the
# meter operator's charge passed on). Charged only when the meter proves accurate.
HEARTH_METER_ACCURACY_TEST_PRICE = _env("HEARTH_METER_ACCURACY_TEST_PRICE", "50.00")

# Gas m³ -> kWh: the calorific value (MJ/m³) used when no daily value is loaded (DOMAIN.md; a string for Decimal).
HEARTH_DEFAULT_CALORIFIC_VALUE = _env("HEARTH_DEFAULT_CALORIFIC_VALUE", "39.5")
try:
    _calorific_value = Decimal(HEARTH_DEFAULT_CALORIFIC_VALUE)
except InvalidOperation:
    _calorific_value = Decimal(0)
if not Decimal(30) <= _calorific_value <= Decimal(50):
    raise ImproperlyConfigured(
        f"HEARTH_DEFAULT_CALORIFIC_VALUE must be a number of MJ/m³ between 30 and 50, like 39.5; "
        f"it is {HEARTH_DEFAULT_CALORIFIC_VALUE!r}."
    )
# AMR SMS gateway (docs/amr-sms.md): Twilio's auth token (empty: the webhook refuses everything with 403) and,
# behind a proxy, the exact public URL configured in Twilio that it signs (empty: the URL the request arrived at).
HEARTH_TWILIO_AUTH_TOKEN = _env("HEARTH_TWILIO_AUTH_TOKEN")
HEARTH_TWILIO_WEBHOOK_URL = _env("HEARTH_TWILIO_WEBHOOK_URL")

# Payments (docs/payments.md). Bank account numbers are sealed with HEARTH_BANK_DETAILS_KEYS: comma-separated
# Fernet keys, newest first (rotate by putting a new key in front). The demo derives one from the demo secret key.
_DEMO_BANK_DETAILS_KEY = base64.urlsafe_b64encode(hashlib.sha256(DEMO_SECRET_KEY.encode()).digest()).decode()
HEARTH_BANK_DETAILS_KEYS = [k for k in _env("HEARTH_BANK_DETAILS_KEYS", _DEMO_BANK_DETAILS_KEY).split(",") if k]
if PRODUCTION and (not HEARTH_BANK_DETAILS_KEYS or _DEMO_BANK_DETAILS_KEY in HEARTH_BANK_DETAILS_KEYS):
    raise ImproperlyConfigured("HEARTH_BANK_DETAILS_KEYS must be set to the supplier's own Fernet keys in production.")
try:
    sealed.check_keys(HEARTH_BANK_DETAILS_KEYS)
except ValueError as exc:
    raise ImproperlyConfigured(f"HEARTH_BANK_DETAILS_KEYS: {exc}") from exc
# Priority Services Register (docs/care.md, ADR 0019): health details and visit passwords are sealed with their own
# keys (HEARTH_HEALTH_DETAILS_KEYS, comma-separated Fernet keys, newest first), not the bank details' keys, so either
# can be rotated or revoked alone. The network operators' share files are written under HEARTH_PRIORITY_SHARE_DIR.
_health_digest = hashlib.sha256(f"health:{DEMO_SECRET_KEY}".encode()).digest()
_DEMO_HEALTH_DETAILS_KEY = base64.urlsafe_b64encode(_health_digest).decode()
HEARTH_HEALTH_DETAILS_KEYS = [k for k in _env("HEARTH_HEALTH_DETAILS_KEYS", _DEMO_HEALTH_DETAILS_KEY).split(",") if k]
if PRODUCTION and (not HEARTH_HEALTH_DETAILS_KEYS or _DEMO_HEALTH_DETAILS_KEY in HEARTH_HEALTH_DETAILS_KEYS):
    raise ImproperlyConfigured("HEARTH_HEALTH_DETAILS_KEYS must be the supplier's own Fernet keys in production.")
try:
    sealed.check_keys(HEARTH_HEALTH_DETAILS_KEYS)
except ValueError as exc:
    raise ImproperlyConfigured(f"HEARTH_HEALTH_DETAILS_KEYS: {exc}") from exc
HEARTH_PRIORITY_SHARE_DIR = Path(_env("HEARTH_PRIORITY_SHARE_DIR", str(DATA_DIR / "priority-share")))
# The supplier's Bacs identity: its Service User Number and the bank account collections are paid into.
HEARTH_BACS = {
    "service_user_number": _env("HEARTH_BACS_SUN", "999999"),
    "service_user_name": _env("HEARTH_BACS_NAME", "HEARTH ENERGY"),
    "sort_code": _env("HEARTH_BACS_SORT_CODE", "400000"),
    "account_number": _env("HEARTH_BACS_ACCOUNT_NUMBER", "12345678"),
    "folder": _env("HEARTH_BACS_FOLDER", str(DATA_DIR / "bacs")),
    # What the supplier's bank charges for a returned Direct Debit, passed on (T&C 10.1.7); 0.00 passes none on.
    "unpaid_bank_charge": _env("HEARTH_BACS_UNPAID_BANK_CHARGE", "0.00"),
}
# Stripe (card payments): the secret key and the webhook signing secret; empty means card payments are off.
HEARTH_STRIPE_SECRET_KEY = _env("HEARTH_STRIPE_SECRET_KEY")
HEARTH_STRIPE_WEBHOOK_SECRET = _env("HEARTH_STRIPE_WEBHOOK_SECRET")
HEARTH_STRIPE_API_BASE = _env("HEARTH_STRIPE_API_BASE", "https://api.stripe.com")
# The most one card payment may be, in pounds (a string for Decimal): larger sums are paid another way.
HEARTH_CARD_PAYMENT_MAXIMUM = _env("HEARTH_CARD_PAYMENT_MAXIMUM", "5000.00")
try:
    _card_maximum = Decimal(HEARTH_CARD_PAYMENT_MAXIMUM)
except InvalidOperation:
    _card_maximum = Decimal(0)
if not (_card_maximum.is_finite() and Decimal(1) <= _card_maximum <= Decimal(999999)):
    raise ImproperlyConfigured(
        f"HEARTH_CARD_PAYMENT_MAXIMUM must be a sum in pounds of at least 1, like 5000.00; "
        f"it is {HEARTH_CARD_PAYMENT_MAXIMUM!r}."
    )

# Prepayment (docs/prepayment.md): the emergency credit a meter offers when credit runs low, and the charge for a
# replacement prepayment card or key (T&C 11.1.5, which names no sum: unconfirmed, so configuration), in pounds.
HEARTH_PREPAYMENT_EMERGENCY_CREDIT = _env("HEARTH_PREPAYMENT_EMERGENCY_CREDIT", "10.00")
HEARTH_PREPAYMENT_REPLACEMENT_CARD_CHARGE = _env("HEARTH_PREPAYMENT_REPLACEMENT_CARD_CHARGE", "5.00")
for _name in ("HEARTH_PREPAYMENT_EMERGENCY_CREDIT", "HEARTH_PREPAYMENT_REPLACEMENT_CARD_CHARGE"):
    try:
        _pounds = Decimal(globals()[_name])
    except InvalidOperation:
        _pounds = Decimal(-1)
    if not (
        _pounds.is_finite() and Decimal(0) <= _pounds <= Decimal(500) and _pounds == _pounds.quantize(Decimal("0.01"))
    ):
        raise ImproperlyConfigured(f"{_name} must be a sum in pounds from 0.00 to 500.00; it is {globals()[_name]!r}.")

# Contact-care screenshots.
HEARTH_SCREENSHOT_MAX_BYTES = int(_env("HEARTH_SCREENSHOT_MAX_BYTES", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("HEARTH_LOG_LEVEL", "INFO")},
    "loggers": {"django.security.DisallowedHost": {"level": "ERROR"}},
}

# Credit checks at sign-up for tariffs that need one (T&C 9.7): "fake" (deterministic, for demos and tests: see
# hearth.domain.contracts.credit_checks). A real agency's adapter is added there and named here.
HEARTH_CREDIT_CHECK = _env("HEARTH_CREDIT_CHECK", "fake")
