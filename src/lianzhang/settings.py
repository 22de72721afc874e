"""Django settings, all from the environment.

DATABASE_URL      default: SQLite file under LIANZHANG_DATA_DIR (WAL mode)
LIANZHANG_DATA_DIR default: ./var
SECRET_KEY        else the key `lianzhang init` wrote; required outside debug
LIANZHANG_DEBUG   1 to enable debug
LANGUAGE_CODE     default zh-hans (English: en)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LIANZHANG_DATA_DIR", "var")).resolve()

DEBUG = os.environ.get("LIANZHANG_DEBUG", "") in {"1", "true", "yes"}
DEV_SECRET = "lianzhang-insecure-development-key"
TESTING = os.environ.get("LIANZHANG_TESTING", "") == "1" or "pytest" in sys.modules
SECRET_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else the key `lianzhang init` wrote for this install.

    The development default is refused outside debug and tests, even when set explicitly.
    """
    key = os.environ.get("SECRET_KEY", "")
    if not key and SECRET_FILE.exists():
        key = SECRET_FILE.read_text("utf-8").strip()
    if key == DEV_SECRET and not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "开发用 SECRET_KEY 只能在调试模式下使用：请运行 `lianzhang init` 或设置随机的 "
            "SECRET_KEY / the development SECRET_KEY is for debug only: run `lianzhang init` "
            "or set a random SECRET_KEY"
        )
    if key:
        return key
    if DEBUG or TESTING:
        return DEV_SECRET
    raise ImproperlyConfigured(
        "SECRET_KEY 未设置：请运行 `lianzhang init` 或设置 SECRET_KEY 环境变量 / "
        "SECRET_KEY is not set: run `lianzhang init` or set SECRET_KEY in the environment"
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if DEBUG or TESTING:
    ALLOWED_HOSTS = ["*"]

# The platform's apps come before django.contrib.admin so that their translations win
# where both catalogs have the same English text ("Filter" is 筛选 here, not 过滤器).
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",  # the background queue in the database (policies.background)
    "lianzhang.audit",
    "lianzhang.accounts",
    "lianzhang.enterprises",
    "lianzhang.policies",
    "lianzhang.chains",
    "lianzhang.innovation",
    "lianzhang.appeals",
    "lianzhang.cultivation",
    "lianzhang.web",
    "django.contrib.admin",
    "axes",  # login throttling and lockout
]

#: Background work (match runs started from a page) in a queue kept in the database itself:
#: no server beyond it, on SQLite as on PostgreSQL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy header: no inline script
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lianzhang.web.middleware.IgnoreAcceptLanguage",  # Chinese unless chosen otherwise
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lianzhang.web.errors.RefusalMiddleware",  # refusals raised by views → 400/403/404/409 pages
    "axes.middleware.AxesMiddleware",  # a locked-out login → the lockout page
]

ROOT_URLCONF = "lianzhang.web.urls"
WSGI_APPLICATION = "lianzhang.wsgi.application"

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
                "lianzhang.web.context.navigation",
            ]
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'lianzhang.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while an import writes; the rest keeps writes fast.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
        # A file, not shared-cache memory, so concurrent tests wait on locks like production.
        config["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    return dict(config)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if TESTING:  # hashing cost is not what tests measure
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [  # Django's four; the common-password list ships with Django
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "enterprise-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even with finders
# Serve app static files (ECharts, htmx, CSS) straight from the package: no collectstatic step.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- security: Content-Security-Policy (django-csp) ------------------------------------------
# Scripts only from this site's static files: no inline <script>, no on*= handlers, no eval,
# so markup that slips into a page (a node renamed to <img onerror=…>) cannot run. Data reaches
# scripts through json_script blocks (type="application/json", not executed). Inline *styles*
# stay allowed: ECharts and htmx set style attributes, and styles do not run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- security: login throttling, passwords, API tokens, deployment ----------------------------
# Passwords: AUTH_PASSWORD_VALIDATORS above, applied by the admin's forms, `lianzhang createuser`
# and accounts.services.create_user alike.


def _switch(value: str | None, default: bool) -> bool:
    """An on/off variable: unset or empty keeps ``default``."""
    return default if not value else value.strip().lower() in {"1", "true", "yes", "on"}


# Login throttling (django-axes): after N failed logins for one user name from one address,
# that pair is locked out for the cool-off; a successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "lianzhang.accounts.throttle.LoginThrottle",  # axes' check first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LIANZHANG_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("LIANZHANG_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lianzhang.accounts.throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "lianzhang.accounts.throttle.client_ip"
AXES_VERBOSE = False
#: Reverse proxies in front of the server that append to X-Forwarded-For (0: none).
LIANZHANG_PROXY_COUNT = int(os.environ.get("LIANZHANG_PROXY_COUNT", "0"))

# API tokens: valid this many days unless `lianzhang token --days` says otherwise.
LIANZHANG_TOKEN_DAYS = int(os.environ.get("LIANZHANG_TOKEN_DAYS", "90"))

# Deployment behind HTTPS: LIANZHANG_SECURE=1 turns every switch below on; each one can be
# set on its own. `python -m django check --deploy` is clean with the README's settings.
SECURE = _switch(os.environ.get("LIANZHANG_SECURE"), False)
SESSION_COOKIE_SECURE = _switch(os.environ.get("LIANZHANG_SECURE_COOKIES"), SECURE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _switch(os.environ.get("LIANZHANG_SSL_REDIRECT"), SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("LIANZHANG_HSTS_SECONDS", "31536000" if SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _switch(
    os.environ.get("LIANZHANG_HSTS_INCLUDE_SUBDOMAINS"), SECURE_HSTS_SECONDS > 0
)
SECURE_HSTS_PRELOAD = _switch(os.environ.get("LIANZHANG_HSTS_PRELOAD"), SECURE_HSTS_SECONDS > 0)
if _switch(os.environ.get("LIANZHANG_PROXY_SSL_HEADER"), False):
    # only behind a proxy that sets X-Forwarded-Proto itself and drops the client's
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
