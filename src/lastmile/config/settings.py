"""Django settings, all from the environment (documented in the README).

DATABASE_URL            default sqlite:///lastmile.sqlite3 in the working directory (WAL)
LASTMILE_TIMEZONE       default America/Denver
LASTMILE_SECRET_KEY     required when LASTMILE_DEV=0 (serve refuses the development key)
LASTMILE_DEV            "0" in production: Secure cookies, HSTS, and a secret key of its own (docs/security.md)
LASTMILE_REQUIRE_2FA    "1": admins and managers must enrol a TOTP device before using the console
LASTMILE_DEBUG          "1" for development
LASTMILE_ALLOWED_HOSTS  comma-separated, default 127.0.0.1,localhost
LASTMILE_EMAIL_HOST / LASTMILE_EMAIL_PORT   SMTP server (default 127.0.0.1:1025)
LASTMILE_NOC_EMAIL / LASTMILE_NOC_CC        UTOPIA NOC addresses (default example.invalid)
LASTMILE_UTOPIA_CHANNEL / LASTMILE_UTOPIA_CRM_URL   email (default) or crm, and the CRM's URL
LASTMILE_POLICY_UTOPIA / LASTMILE_POLICY_WIRELESS   delinquency policy per network
LASTMILE_HOLIDAYS       country/subdivision, default US/UT
LASTMILE_CELERY_BROKER  e.g. redis://127.0.0.1:6379/0 to fan the day run out to workers
LASTMILE_PAYMENTS       card processor: test (default) or stripe (docs/payments.md)
LASTMILE_STRIPE_SECRET_KEY / LASTMILE_STRIPE_PUBLISHABLE_KEY / LASTMILE_STRIPE_WEBHOOK_SECRET
LASTMILE_STRIPE_API_BASE / LASTMILE_STRIPE_TIMEOUT   Stripe's API address (tests: a loopback server), seconds
LASTMILE_ISP_NAME / LASTMILE_ISP_ADDRESS / LASTMILE_ISP_PHONE   on statements and in the portal
LASTMILE_SMS            texts for delinquency notices: none (default) or twilio (docs/notices.md)
LASTMILE_TWILIO_ACCOUNT_SID / _AUTH_TOKEN / _FROM / _BASE_URL / _TIMEOUT   Twilio's REST API
LASTMILE_QUIET_HOURS_START / LASTMILE_QUIET_HOURS_END   NOT-1, default 08:00 and 21:00 local
"""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


DEBUG = _env("LASTMILE_DEBUG", "0") == "1"
LASTMILE_DEV = _env("LASTMILE_DEV", "1") == "1"
# without a key of its own the development key is used, and with LASTMILE_DEV=0 `lastmile serve`
# and the WSGI application refuse to start, saying why (lastmile.core.security.production_problems)
SECRET_KEY = _env("LASTMILE_SECRET_KEY") or "insecure-dev-key-set-LASTMILE_SECRET_KEY-in-production"
ALLOWED_HOSTS = [h.strip() for h in _env("LASTMILE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its bundled Swagger UI is served locally, not from a CDN
    "axes",  # issue 15: login throttling
    "django_otp",  # issue 15: the TOTP second factor
    "django_otp.plugins.otp_totp",
    "lastmile.core",
    "lastmile.catalog",
    "lastmile.accounts",
    "lastmile.billing",
    "lastmile.billing.processors",
    "lastmile.tickets",
    "lastmile.comms",
    "lastmile.network",
    "lastmile.plans",
    "lastmile.cancellations",
    "lastmile.delinquency",
    "lastmile.imports",
    "lastmile.simulation",
    "lastmile.api",
    "lastmile.console",
    "lastmile.portal",
    "lastmile.webhooks",
    "lastmile.reports",  # issue 10: the console's reports (read-only selectors)
    "lastmile.whatif",  # issue 14: "what if we change the policy?" (lastmile whatif, the console's report)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lastmile.core.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lastmile.core.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]
AUTHENTICATION_BACKENDS = [
    "lastmile.core.security.ThrottledBackend",  # django-axes: refuses a locked username or address before the password
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "lastmile.config.urls"
WSGI_APPLICATION = "lastmile.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],  # admin/base_site.html: the console's look
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        _env("DATABASE_URL", f"sqlite:///{Path.cwd() / 'lastmile.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA cache_size=-65536;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    if DATABASES["default"]["NAME"] in ("", ":memory:"):
        DATABASES["default"]["NAME"] = ":memory:"
        DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF;"
        DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

if _env("LASTMILE_TEST_DB_NAME") and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # parallel test runs on one PostgreSQL server each need their own test database
    DATABASES["default"]["TEST"] = {"NAME": _env("LASTMILE_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = _env("LASTMILE_TIMEZONE", "America/Denver")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(_env("LASTMILE_STATIC_ROOT", str(Path.cwd() / "staticfiles")))
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/console/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not LASTMILE_DEV
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not LASTMILE_DEV:
    SECURE_HSTS_SECONDS = 31_536_000  # a year; the server is behind HTTPS in production
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the ISP's other hosts are not ours to decide

# issue 15 (docs/security.md): 10 wrong passwords in 15 minutes lock the username, or the
# address, for 15 minutes
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = _dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lastmile.core.twofactor.locked_out"
LASTMILE_REQUIRE_2FA = _env("LASTMILE_REQUIRE_2FA", "0") == "1"
OTP_TOTP_ISSUER = "lastmile"

EMAIL_BACKEND = _env("LASTMILE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = _env("LASTMILE_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(_env("LASTMILE_EMAIL_PORT", "1025"))
EMAIL_TIMEOUT = 10

_holidays = _env("LASTMILE_HOLIDAYS", "US/UT").split("/")
LASTMILE = {
    "holiday_country": _holidays[0],
    "holiday_subdivision": _holidays[1] if len(_holidays) > 1 and _holidays[1] else None,
}
if _env("LASTMILE_NOC_EMAIL"):
    LASTMILE["noc_email"] = _env("LASTMILE_NOC_EMAIL")
if _env("LASTMILE_NOC_CC"):
    LASTMILE["noc_cc"] = _env("LASTMILE_NOC_CC")
if _env("LASTMILE_UTOPIA_CHANNEL"):
    LASTMILE["utopia_channel"] = _env("LASTMILE_UTOPIA_CHANNEL")
if _env("LASTMILE_UTOPIA_CRM_URL"):
    LASTMILE["utopia_crm_url"] = _env("LASTMILE_UTOPIA_CRM_URL")
_policies = {}
if _env("LASTMILE_POLICY_UTOPIA"):
    _policies["utopia"] = _env("LASTMILE_POLICY_UTOPIA")
if _env("LASTMILE_POLICY_WIRELESS"):
    _policies["wireless"] = _env("LASTMILE_POLICY_WIRELESS")
if _policies:
    LASTMILE["policies"] = _policies

# card payments (docs/payments.md): the test processor unless told otherwise
LASTMILE_PAYMENTS = _env("LASTMILE_PAYMENTS", "test").strip().lower() or "test"
LASTMILE_STRIPE_SECRET_KEY = _env("LASTMILE_STRIPE_SECRET_KEY")
LASTMILE_STRIPE_PUBLISHABLE_KEY = _env("LASTMILE_STRIPE_PUBLISHABLE_KEY")
LASTMILE_STRIPE_WEBHOOK_SECRET = _env("LASTMILE_STRIPE_WEBHOOK_SECRET")
LASTMILE_STRIPE_API_BASE = _env("LASTMILE_STRIPE_API_BASE")
LASTMILE_STRIPE_TIMEOUT = float(_env("LASTMILE_STRIPE_TIMEOUT", "30"))
for _name, _key in (("LASTMILE_ISP_NAME", "isp_name"), ("LASTMILE_ISP_ADDRESS", "isp_address"),
                    ("LASTMILE_ISP_PHONE", "isp_phone")):
    if _env(_name):
        LASTMILE[_key] = _env(_name)

# notices (docs/notices.md): texts through Twilio, and the quiet hours (NOT-1)
for _name, _key in (("LASTMILE_QUIET_HOURS_START", "quiet_hours_start"),
                    ("LASTMILE_QUIET_HOURS_END", "quiet_hours_end")):
    if _env(_name):
        LASTMILE[_key] = _env(_name)
LASTMILE_SMS = _env("LASTMILE_SMS", "none").strip().lower() or "none"
LASTMILE_TWILIO_ACCOUNT_SID = _env("LASTMILE_TWILIO_ACCOUNT_SID")
LASTMILE_TWILIO_AUTH_TOKEN = _env("LASTMILE_TWILIO_AUTH_TOKEN")
LASTMILE_TWILIO_FROM = _env("LASTMILE_TWILIO_FROM")
LASTMILE_TWILIO_BASE_URL = _env("LASTMILE_TWILIO_BASE_URL", "https://api.twilio.com")
LASTMILE_TWILIO_TIMEOUT = float(_env("LASTMILE_TWILIO_TIMEOUT", "10"))

# outbound webhooks (docs/webhooks.md): seconds per POST, and how long a delivery is retried
LASTMILE_WEBHOOK_TIMEOUT = float(_env("LASTMILE_WEBHOOK_TIMEOUT", "10"))
LASTMILE_WEBHOOK_RETRY_HOURS = float(_env("LASTMILE_WEBHOOK_RETRY_HOURS", "24"))
# statement PDFs (BIL-8): "weasyprint" (statement.html) or "direct" (the same page, ~50x as fast)
LASTMILE_STATEMENT_PDF = _env("LASTMILE_STATEMENT_PDF", "weasyprint").strip().lower() or "weasyprint"

CELERY_BROKER_URL = _env("LASTMILE_CELERY_BROKER")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LASTMILE_LOG_LEVEL", "WARNING")},
}
