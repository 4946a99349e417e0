"""Configuration classes, read from the environment when the app is created.

`make run` and the tests need no settings: `DevelopmentConfig` is the embedded default
(a PostgreSQL from a pip wheel under instance/, mail printed and kept in an outbox).
`ProductionConfig` refuses to start without the secrets it cannot guess.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """Raised when a required setting is missing."""


DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"
# Shortest SECRET_KEY production accepts: it signs sessions and every e-mailed link (32 characters of
# `python -c "import secrets; print(secrets.token_urlsafe(32))"` are about 190 bits).
MIN_SECRET_KEY_LENGTH = 32


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _trusted_hosts(server_name: str) -> list[str]:
    host = server_name.split(":", 1)[0]
    return [host, "." + host]


class Config:
    """Settings shared by every environment. Subclasses adjust them in `load`."""

    name = "base"

    @classmethod
    def load(cls) -> dict:
        """Return the settings as a dict, reading the environment now (never at import)."""
        server_name = _env("SERVER_NAME", "localhost:5000")
        return {
            "ENV_NAME": cls.name,
            "SECRET_KEY": _env("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
            "SERVER_NAME": server_name,
            "PREFERRED_URL_SCHEME": _env("PREFERRED_URL_SCHEME", "http"),
            "TRUSTED_HOSTS": _trusted_hosts(server_name),
            "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL"),
            # The console, background jobs and CLI commands connect as the platform role, the only one that
            # may work across shops (saas.core.database_roles); shops and the public site use DATABASE_URL.
            "PLATFORM_DATABASE_URL": _env("PLATFORM_DATABASE_URL"),
            # Migrations run as the role that owns the tables; the app connects as one that does not.
            "MIGRATIONS_DATABASE_URL": _env("MIGRATIONS_DATABASE_URL") or _env("DATABASE_URL"),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "SQLALCHEMY_RECORD_QUERIES": False,
            # Session cookies are host-only: no SESSION_COOKIE_DOMAIN, ever.
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
            "SESSION_COOKIE_NAME": "workbay_session",
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
            "REMEMBER_COOKIE_DURATION": timedelta(days=14),
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
            "REMEMBER_COOKIE_NAME": "workbay_remember",
            # A platform console session ends after this many minutes without a request (never remembered).
            "ADMIN_IDLE_MINUTES": int(_env("ADMIN_IDLE_MINUTES", "30")),
            "WTF_CSRF_TIME_LIMIT": None,
            "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
            # How many reverse proxies (load balancer, nginx) stand in front and set X-Forwarded-For/-Proto.
            "TRUSTED_PROXY_HOPS": int(_env("TRUSTED_PROXY_HOPS", "0")),
            "PASSWORD_HASH_METHOD": "scrypt",
            "MAIL_BACKEND": _env("MAIL_BACKEND", "smtp"),
            # Mail goes through the task queue (delivered by `flask worker`), enqueued with the change.
            "MAIL_QUEUE": _env_bool("MAIL_QUEUE", True),
            "JOB_RETENTION_DAYS": int(_env("JOB_RETENTION_DAYS", "30")),
            "MAIL_FROM": _env("MAIL_FROM", "Workbay <no-reply@workbay.local>"),
            "MAIL_OUTBOX_DIR": _env("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox")),
            "SMTP_HOST": _env("SMTP_HOST", "localhost"),
            "SMTP_PORT": int(_env("SMTP_PORT", "587")),
            "SMTP_USERNAME": _env("SMTP_USERNAME"),
            "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
            "SMTP_STARTTLS": _env_bool("SMTP_STARTTLS", True),
            "TRIAL_DAYS": int(_env("TRIAL_DAYS", "14")),
            # Where shop staff reach Workbay (the suspended page, mails about the console's actions).
            "SUPPORT_EMAIL": _env("SUPPORT_EMAIL", "support@workbay.example.com"),
            # Billing through Stripe; without a secret key billing is off (shops stay on trial or an admin-set plan).
            "STRIPE_SECRET_KEY": _env("STRIPE_SECRET_KEY"),
            "STRIPE_WEBHOOK_SECRET": _env("STRIPE_WEBHOOK_SECRET"),
            "STRIPE_API_BASE": _env("STRIPE_API_BASE"),  # None = Stripe's own API; a local stand-in in tests
            "STRIPE_TAX_ENABLED": _env_bool("STRIPE_TAX_ENABLED", False),
            "STRIPE_MAX_NETWORK_RETRIES": int(_env("STRIPE_MAX_NETWORK_RETRIES", "2")),
            "BILLING_GRACE_DAYS": int(_env("BILLING_GRACE_DAYS", "7")),
            "BILLING_TRIAL_PLAN": _env("BILLING_TRIAL_PLAN", "pro"),
            "BILLING_TRIAL_REMINDER_DAYS": int(_env("BILLING_TRIAL_REMINDER_DAYS", "3")),
            "STRIPE_PRICE_STARTER_MONTHLY": _env("STRIPE_PRICE_STARTER_MONTHLY"),
            "STRIPE_PRICE_STARTER_YEARLY": _env("STRIPE_PRICE_STARTER_YEARLY"),
            "STRIPE_PRICE_PRO_MONTHLY": _env("STRIPE_PRICE_PRO_MONTHLY"),
            "STRIPE_PRICE_PRO_YEARLY": _env("STRIPE_PRICE_PRO_YEARLY"),
            "STRIPE_PRICE_ENTERPRISE_MONTHLY": _env("STRIPE_PRICE_ENTERPRISE_MONTHLY"),
            "STRIPE_PRICE_ENTERPRISE_YEARLY": _env("STRIPE_PRICE_ENTERPRISE_YEARLY"),
            "PASSWORD_RESET_MAX_AGE": 3600,
            "EMAIL_VERIFICATION_MAX_AGE": 7 * 24 * 3600,
            "INVITATION_DAYS": 7,
            "SIGNUP_HANDOFF_MAX_AGE": 300,
            "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
            "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
            "RATELIMIT_HEADERS_ENABLED": True,
            # Documents and photos: a local folder by default, S3 when STORAGE_BACKEND=s3.
            "STORAGE_BACKEND": _env("STORAGE_BACKEND", "local"),
            "STORAGE_LOCAL_DIR": _env("STORAGE_LOCAL_DIR", str(INSTANCE_DIR / "documents")),
            "S3_BUCKET": _env("S3_BUCKET"),
            "S3_REGION": _env("S3_REGION"),
            "S3_ENDPOINT_URL": _env("S3_ENDPOINT_URL"),
            "S3_SSE": _env("S3_SSE", "AES256"),
            "S3_KMS_KEY_ID": _env("S3_KMS_KEY_ID"),
            "S3_PRESIGN_SECONDS": int(_env("S3_PRESIGN_SECONDS", "60")),
            "S3_ACCESS_KEY_ID": _env("S3_ACCESS_KEY_ID"),
            "S3_SECRET_ACCESS_KEY": _env("S3_SECRET_ACCESS_KEY"),
            "DOCUMENT_MAX_BYTES": int(_env("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024))),
            "DOCUMENT_QUOTA_BYTES": int(_env("DOCUMENT_QUOTA_BYTES", str(2 * 1024**3))),
            "DOCUMENT_SENSITIVE_RETENTION_DAYS": int(_env("DOCUMENT_SENSITIVE_RETENTION_DAYS", "365")),
            "EXPORT_LINK_DAYS": int(_env("EXPORT_LINK_DAYS", "7")),
            # A shop closed from the console can be restored for this many days; then all of it is deleted.
            "SHOP_CLOSURE_GRACE_DAYS": int(_env("SHOP_CLOSURE_GRACE_DAYS", "30")),
            # Cookie consent: how long a choice holds; the cookie policy's version (None = the code's,
            # saas/consent/categories.py); the key that hashes visitors' IP addresses (None = SECRET_KEY).
            "CONSENT_MAX_AGE_DAYS": int(_env("CONSENT_MAX_AGE_DAYS", "182")),
            "CONSENT_RECORD_DAYS": int(_env("CONSENT_RECORD_DAYS", str(3 * 365))),
            "COOKIE_POLICY_VERSION": _env("COOKIE_POLICY_VERSION"),
            "CONSENT_IP_HASH_KEY": _env("CONSENT_IP_HASH_KEY"),
            # Fernet keys of the columns encrypted at rest (saas.core.crypto), comma-separated: the first
            # encrypts, all decrypt (rotation: `flask keys rotate`). None = a key derived from SECRET_KEY.
            "FIELD_ENCRYPTION_KEYS": _env("FIELD_ENCRYPTION_KEYS"),
            # Analytics of the public site, sent only to visitors who allow it (off unless set).
            "PLATFORM_ANALYTICS_PLAUSIBLE_DOMAIN": _env("PLATFORM_ANALYTICS_PLAUSIBLE_DOMAIN"),
            "PLATFORM_ANALYTICS_GA4_ID": _env("PLATFORM_ANALYTICS_GA4_ID"),
            "ANALYTICS_PLAUSIBLE_SCRIPT_URL": _env(
                "ANALYTICS_PLAUSIBLE_SCRIPT_URL", "https://plausible.io/js/script.js"
            ),
            "ANALYTICS_GA4_SCRIPT_URL": _env("ANALYTICS_GA4_SCRIPT_URL", "https://www.googletagmanager.com/gtag/js"),
            # How long the link that confirms a customer's privacy request works.
            "PRIVACY_REQUEST_LINK_HOURS": int(_env("PRIVACY_REQUEST_LINK_HOURS", "48")),
            # Named on every shop's privacy policy and sub-processor list (saas.privacy.processors).
            "HOSTING_PROVIDER": _env("HOSTING_PROVIDER", "Workbay's hosting provider"),
            "HOSTING_LOCATION": _env("HOSTING_LOCATION", ""),
            "MAIL_PROVIDER": _env("MAIL_PROVIDER"),  # None: named after SMTP_HOST
            "MAIL_PROVIDER_LOCATION": _env("MAIL_PROVIDER_LOCATION", ""),
            # A material change of a shop's privacy policy: mails per job, and how long the re-confirm link works.
            "POLICY_MAIL_BATCH_SIZE": int(_env("POLICY_MAIL_BATCH_SIZE", "100")),
            "POLICY_RECONFIRM_DAYS": int(_env("POLICY_RECONFIRM_DAYS", "60")),
            # Support access: how long a platform admin's visit into a shop lasts unless they choose otherwise.
            "SUPPORT_ACCESS_MINUTES": int(_env("SUPPORT_ACCESS_MINUTES", "30")),
            # Strict-Transport-Security max-age (saas.core.security_headers); 0 = not sent. On in production.
            "HSTS_SECONDS": int(_env("HSTS_SECONDS", "0")),
        }


class DevelopmentConfig(Config):
    """The embedded default: `make run` on a fresh machine, no settings needed."""

    name = "development"

    @classmethod
    def load(cls) -> dict:
        settings = super().load()
        settings["MAIL_BACKEND"] = _env("MAIL_BACKEND", "outbox")
        if not settings["SQLALCHEMY_DATABASE_URI"]:
            # The database `make run` starts (scripts/dev.py); its socket lives in the data folder.
            socket = quote(str(INSTANCE_DIR / "pgdata"), safe="")
            settings["SQLALCHEMY_DATABASE_URI"] = f"postgresql+psycopg://workbay_app:workbay-dev@/workbay?host={socket}"
            settings["MIGRATIONS_DATABASE_URL"] = (
                f"postgresql+psycopg://workbay_owner:workbay-dev@/workbay?host={socket}"
            )
            settings["PLATFORM_DATABASE_URL"] = (
                f"postgresql+psycopg://workbay_platform:workbay-dev@/workbay?host={socket}"
            )
        return settings


class TestingConfig(Config):
    """Used by pytest; the database URL comes from the test fixtures."""

    name = "testing"

    @classmethod
    def load(cls) -> dict:
        settings = super().load()
        settings.update(
            TESTING=True,
            SERVER_NAME="workbay.test",
            TRUSTED_HOSTS=_trusted_hosts("workbay.test"),
            SECRET_KEY="testing-secret-key",
            MAIL_BACKEND="outbox",
            PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
            RATELIMIT_ENABLED=False,
            # Tests post forms directly; tests/core/test_csrf.py runs with protection on.
            WTF_CSRF_ENABLED=False,
            # Tests read mail right after a request; tests/tasks runs the queue for real.
            MAIL_QUEUE=False,
        )
        return settings


class ProductionConfig(Config):
    """Real deployments: secrets and addresses must come from the environment."""

    name = "production"
    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "SERVER_NAME", "FIELD_ENCRYPTION_KEYS", "PLATFORM_DATABASE_URL")

    @classmethod
    def load(cls) -> dict:
        missing = [name for name in cls.REQUIRED if not _env(name)]
        if missing:
            raise ConfigError(
                "Workbay will not start in production without these environment variables: " + ", ".join(missing)
            )
        settings = super().load()
        settings.update(
            PREFERRED_URL_SCHEME=_env("PREFERRED_URL_SCHEME", "https"),
            SESSION_COOKIE_SECURE=_env_bool("SESSION_COOKIE_SECURE", True),
            REMEMBER_COOKIE_SECURE=_env_bool("SESSION_COOKIE_SECURE", True),
            HSTS_SECONDS=int(_env("HSTS_SECONDS", str(365 * 24 * 3600))),
        )
        problems = cls.unsafe_settings(settings)
        if problems:
            raise ConfigError("Workbay will not start in production: " + "; ".join(problems))
        return settings

    @staticmethod
    def unsafe_settings(settings: dict) -> list[str]:
        """What in `settings` would leave a production deployment open (each with what to do instead)."""
        problems = []
        secret = settings["SECRET_KEY"]
        if secret == DEVELOPMENT_SECRET_KEY:
            problems.append("SECRET_KEY is the development key, which is public; generate a new one")
        elif len(secret) < MIN_SECRET_KEY_LENGTH:
            problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters; generate a longer one")
        if settings["MAIL_BACKEND"] == "outbox":
            problems.append("MAIL_BACKEND=outbox is for development only; use smtp in production")
        if settings["PREFERRED_URL_SCHEME"] != "https":
            problems.append("PREFERRED_URL_SCHEME must be https (e-mailed links, HSTS)")
        if not settings["SESSION_COOKIE_SECURE"]:
            problems.append("SESSION_COOKIE_SECURE must stay on: cookies go over HTTPS only")
        if settings["HSTS_SECONDS"] <= 0:
            problems.append("HSTS_SECONDS must be positive (browsers must keep to HTTPS)")
        return problems


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def _is_local_host(host: str) -> bool:
    """True for this machine: no host (a socket), localhost and its subdomains, a loopback address."""
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _looks_deployed() -> list[str]:
    """The settings that point somewhere other than this machine (a database server, a real domain)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    remote = []
    for name in ("DATABASE_URL", "MIGRATIONS_DATABASE_URL", "PLATFORM_DATABASE_URL"):
        value = _env(name)
        if value is None:
            continue
        try:
            url = make_url(value)
        except ArgumentError:
            remote.append(f"{name} (not a URL)")
            continue
        # A socket folder (`?host=/path`) is this machine; `?host=name` is a host like any other.
        query_host = url.query.get("host")
        query_host = query_host if isinstance(query_host, str) and not query_host.startswith("/") else ""
        host = (url.host or query_host).lower()
        if not _is_local_host(host):
            remote.append(f"{name} (host {host})")
    server_name = _env("SERVER_NAME")
    if server_name is not None:
        lowered = server_name.lower()
        host = lowered[1:].split("]", 1)[0] if lowered.startswith("[") else lowered.split(":", 1)[0]
        if not _is_local_host(host):
            remote.append(f"SERVER_NAME ({server_name})")
    return remote


def load_config(name: str | None = None) -> dict:
    """Settings for the environment `name` (default: WORKBAY_ENV, else development).

    Development is the default only on a machine that looks like one: with WORKBAY_ENV unset and a
    database or SERVER_NAME elsewhere than this machine, the app refuses to start rather than serve a
    deployment with the development key and the public outbox.
    """
    if name is None and _env("WORKBAY_ENV") is None:
        remote = _looks_deployed()
        if remote:
            raise ConfigError(
                "WORKBAY_ENV is not set, but " + ", ".join(remote) + " point beyond this machine. "
                "Set WORKBAY_ENV=production for a deployment (or WORKBAY_ENV=development to develop against them)."
            )
    name = name or _env("WORKBAY_ENV", "development")
    try:
        config_class = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"Unknown WORKBAY_ENV {name!r}; choose one of {', '.join(CONFIGS)}") from None
    return config_class.load()
