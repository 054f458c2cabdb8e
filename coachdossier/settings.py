"""The one settings file.

Everything that differs between a laptop and production comes from the environment.
Development defaults are safe and need no variables; with DEBUG=false the settings fail
closed: a missing required variable stops the process with one line naming it.
"""

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


class MissingSetting(SystemExit):
    """Raised (as a clean exit, not a traceback) when production lacks a variable."""


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.getenv(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise MissingSetting(f"coachdossier: {name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.getenv(name, default).split(",") if part.strip()]


DEBUG = envbool("DEBUG", "true")
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")


def required(name: str, dev_default: str | None = None) -> str:
    """A variable production must set; development gets a safe default."""
    value = os.getenv(name, "")
    if value:
        return value
    if DEBUG and dev_default is not None:
        return dev_default
    raise MissingSetting(f"coachdossier: the environment variable {name} is required when DEBUG=false")


# Where development keeps things that must not live in the repository (the key file).
LOCAL_STATE_DIR = Path(os.getenv("COACHDOSSIER_STATE_DIR", BASE_DIR / "var"))

SECRET_KEY = required("SECRET_KEY", "dev-only-" + "x" * 50)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") if DEBUG else envlist(
    "ALLOWED_HOSTS", required("ALLOWED_HOSTS")
)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",
    "coachdossier.accounts",
    "coachdossier.audit",
    "coachdossier.clients",
    "coachdossier.portal",
    "coachdossier.reports",
    "coachdossier.complaints",
    "coachdossier.questionnaires",
    "coachdossier.measurements",
    "coachdossier.privacy",
    "coachdossier.api",
]

MIDDLEWARE = [
    "coachdossier.audit.middleware.TrustedProxyMiddleware",  # first: everything after sees the real client
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "coachdossier.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coachdossier.audit.middleware.RequestContextMiddleware",
    "coachdossier.clients.crypto.KeyRingMiddleware",
    "coachdossier.accounts.middleware.SessionLifetimeMiddleware",
    "coachdossier.accounts.middleware.StaffGateMiddleware",
    "coachdossier.accounts.middleware.NoStoreMiddleware",
    "coachdossier.accounts.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "coachdossier.urls"
WSGI_APPLICATION = "coachdossier.wsgi.application"

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
                "django.template.context_processors.i18n",
                "coachdossier.accounts.context_processors.navigation",
            ],
            # Django's `date` filter with the same output, several times faster (lib/dates.py).
            "builtins": ["coachdossier.lib.dates"],
        },
    }
]

# Databases. The data keys live in a database of their own ("keys") so that a backup of
# the main database alone can never decrypt a client whose key was destroyed (GC-5.4,
# crypto-shredding). SQLite runs in WAL with a busy timeout and IMMEDIATE transactions so
# concurrent writers queue instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=10000;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 10,
}


def database(url: str) -> dj_database_url.DBConfig:
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    return config


LOCAL_STATE_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT = Path(os.getenv("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it
DATABASE_URL = required("DATABASE_URL", f"sqlite:///{LOCAL_STATE_DIR / 'coachdossier.sqlite3'}")


def default_keys_url(main_url: str) -> str:
    if main_url.startswith("sqlite"):
        return f"sqlite:///{LOCAL_STATE_DIR / 'keys.sqlite3'}"
    base, _, dbname = main_url.rpartition("/")
    name, sep, query = dbname.partition("?")
    return f"{base}/{name}_keys{sep}{query}"


DATABASES = {
    "default": database(DATABASE_URL),
    "keys": database(os.getenv("KEYS_DATABASE_URL") or default_keys_url(DATABASE_URL)),
}
DATABASES["keys"]["TEST"] = {"DEPENDENCIES": []}
DATABASE_ROUTERS = ["coachdossier.clients.crypto.KeyStoreRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds allauth's login rate limits and the TOTP codes already used (LAW-32):
# security state that every gunicorn worker must share and that must outlive a worker's
# restart, or each worker would grant its own 5 failed logins and accept a code another one
# already took. So it lives in the main database ("default": KeyStoreRouter lets the table
# nowhere else), created by `coachdossier migrate`. Never put anything about a client in it.
# MAX_ENTRIES: a write that finds more rows first deletes the expired ones (Django culls by
# itself), and only when still over, a third of the rest; a practice writes a few hundred
# entries a day, so that second step takes a flood from over a thousand addresses at once.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "coachdossier_cache",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}

# Encryption master keys (LAW-32): "id:base64key,id:base64key", the first one current.
# Development generates a key file outside the repository on first start.
def _development_master_keys() -> str:
    path = LOCAL_STATE_DIR / "master.key"
    if not path.exists():
        import base64

        path.write_text(f"dev1:{base64.b64encode(secrets.token_bytes(32)).decode()}\n")
        path.chmod(0o600)
    return path.read_text().strip()


MASTER_KEYS = os.getenv("COACHDOSSIER_MASTER_KEYS") or (
    _development_master_keys() if DEBUG else required("COACHDOSSIER_MASTER_KEYS")
)


def _check_master_keys() -> None:
    """A malformed value stops the start, as a malformed signing key does: it used to pass,
    and then every client page answered 500 and run_daily failed at night."""
    from coachdossier.lib import masterkeys

    try:
        masterkeys.parse(MASTER_KEYS)
    except ValueError as exc:
        raise MissingSetting(f"coachdossier: {exc}") from None


_check_master_keys()
# Keyed hash for the name search index; separate from SECRET_KEY so that rotating
# sessions never breaks search. After changing it, `coachdossier rebuild_search_index`.
SEARCH_INDEX_KEY = required("COACHDOSSIER_SEARCH_KEY", "dev-search-key")


# The Ed25519 seed that signs access-log checkpoints and backup manifests. privacy/signing.py
# reads it (development generates var/signing.key there); it is checked here, at start-up,
# so that a production host without it, or with a broken one, refuses to start instead of
# failing at night in run_daily and backup. The value is a secret: never echoed.
def _check_signing_key() -> None:
    import base64
    import binascii

    value = os.getenv("COACHDOSSIER_SIGNING_KEY", "").strip()
    if not value:
        if not DEBUG:
            required("COACHDOSSIER_SIGNING_KEY")
        return
    try:
        seed = base64.b64decode(value, validate=True)
    except binascii.Error:
        seed = b""
    if len(seed) != 32:
        raise MissingSetting(
            "coachdossier: COACHDOSSIER_SIGNING_KEY must be base64 of exactly 32 random bytes (make one with: "
            "python -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')"
        )


_check_signing_key()


# The practice's terms and letterhead (coachdossier/policy.py). A file that cannot be read, is
# not TOML or names an unknown key stops the start in one line, not with a traceback on the
# first import of the policy.
def _check_policy_file() -> None:
    path = os.getenv("COACHDOSSIER_POLICY_FILE", "").strip()
    if not path:
        return
    try:
        from coachdossier import policy  # its import reads the file too

        policy.load(path)
    except (OSError, ValueError, TypeError) as exc:
        raise MissingSetting(f"coachdossier: COACHDOSSIER_POLICY_FILE: {exc}") from None


_check_policy_file()

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# OWASP ASVS 5.0 L2 ch. 6: at least 12 characters, 64+ allowed, no composition rules,
# common and context words refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("email", "full_name")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "coachdossier.accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "coachdossier.accounts.validators.ContextWordsValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: login by email, no public sign-up, MFA by TOTP with recovery codes.
ACCOUNT_ADAPTER = "coachdossier.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # we end *all* sessions ourselves, see accounts.actions
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "reauthenticate": "10/m/user",
}
ACCOUNT_PREVENT_ENUMERATION = True
MFA_ADAPTER = "coachdossier.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "coachdossier"
# The security page lists sessions with when each was last seen; the row is written at most once
# a minute (accounts.middleware.SessionLifetimeMiddleware), not on every request.
USERSESSIONS_TRACK_ACTIVITY = True

# Sessions: absolute lifetime in the cookie age; inactivity is enforced by
# SessionLifetimeMiddleware, which touches the session at most once a minute.
SESSION_COOKIE_AGE = envint("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The reverse proxies in front of the app (addresses or CIDRs, e.g. "127.0.0.1,10.0.0.0/24").
# Only a request arriving from one of them may name the client's address (X-Forwarded-For)
# or the scheme (X-Forwarded-Proto); from anyone else those headers are ignored, so nobody
# can forge the address in the access log (LAW-NEN7513). Default: none, REMOTE_ADDR is the client.
def _networks(name: str):
    import ipaddress

    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in envlist(name))
    except ValueError as exc:
        raise MissingSetting(f"coachdossier: {name}: {exc}") from exc


TRUSTED_PROXIES = _networks("TRUSTED_PROXIES")

# Security headers. `check --deploy` must report nothing with DEBUG=false.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # a monitor may ask gunicorn itself, over plain http
    if TRUSTED_PROXIES:
        # Only then: TrustedProxyMiddleware drops X-Forwarded-Proto from anyone else.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates without the American month/day order (lib/formats/en/formats.py).
FORMAT_MODULE_PATH = ["coachdossier.lib.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments (and every other stored file) are ciphertext, sealed before they reach the
# store; the store is never served directly. On a local directory by default, or on an
# S3-compatible object store (django-storages) when several app servers share the files.
ATTACHMENTS_STORAGE = os.getenv("ATTACHMENTS_STORAGE", "local")
ATTACHMENTS: dict[str, Any]
if ATTACHMENTS_STORAGE == "local":
    ATTACHMENTS = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.getenv("ATTACHMENTS_DIR", str(LOCAL_STATE_DIR / "attachments"))},
    }
elif ATTACHMENTS_STORAGE == "s3":
    ATTACHMENTS = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": required("ATTACHMENTS_S3_BUCKET"),
            "endpoint_url": os.getenv("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.getenv("ATTACHMENTS_S3_REGION") or None,
            # Unset: boto3's own chain (instance role, ~/.aws); never in the repository.
            "access_key": os.getenv("ATTACHMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.getenv("ATTACHMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.getenv("ATTACHMENTS_S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,  # like the local directory: a taken name gets a suffix
            "querystring_auth": True,
        },
    }
else:
    raise MissingSetting(f"coachdossier: ATTACHMENTS_STORAGE must be 'local' or 's3', not {ATTACHMENTS_STORAGE!r}")
STORAGES: dict[str, dict[str, Any]] = {
    "default": ATTACHMENTS,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MAX_ATTACHMENT_BYTES = envint("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email: development writes mail to files; production names its SMTP server.
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = LOCAL_STATE_DIR / "mail"
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
# Seconds an SMTP connection may wait on the relay. Django's default is none: a relay that took
# the connection and never answered hung run_daily (holding its lock, so later runs did
# nothing) and every page that sends a notice. A mail that times out stays in the outbox.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "coachdossier <noreply@coachdossier.invalid>")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")

# The demo practice lets a newcomer past MFA: with DEBUG on, the MFA step shows the
# current code of a *demo* account. Never in production (DEBUG=false).
DEMO_MODE = DEBUG and envbool("DEMO_MODE", "true")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (4xx) is one line naming its route, without traceback or identifiers:
    # the access log already holds who was refused where (lib/logs.py).
    "filters": {"one_line_refusals": {"()": "coachdossier.lib.logs.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"filters": ["one_line_refusals"]},
        "coachdossier": {"level": "INFO"},
        "coachdossier.security": {"level": "INFO"},
    },
}

if TESTING:
    # Tests assert the English source strings; test_language.py proves the Dutch default.
    LANGUAGE_CODE = "en"
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EMAIL_FILE_PATH = LOCAL_STATE_DIR / "test-mail"  # the demo's mail (demo.py, mail_to_files)
    if ATTACHMENTS_STORAGE == "local":
        STORAGES["default"]["OPTIONS"]["location"] = str(LOCAL_STATE_DIR / "test-attachments")
    ACCOUNT_RATE_LIMITS = dict(ACCOUNT_RATE_LIMITS)
    # django-zeal: N+1 detection inside `zeal.zeal_context()` (the query-count tests use it).
    INSTALLED_APPS.append("zeal")
    ZEAL_RAISE = True
    LOGGING["loggers"]["coachdossier"]["level"] = "WARNING"
    LOGGING["loggers"]["coachdossier.security"]["level"] = "WARNING"
