"""One typed Settings object read from ``LMS_*`` environment variables.

Web, worker and CLI all call :func:`load_settings`. With nothing set, the tool runs on the
embedded default: SQLite and a file-system Celery broker under ``instance/``, and launch state
in the database. ``LMS_ENV=production`` refuses that default and says which variable to set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from lms_plugin.domain.errors import LmsError

DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - the known dev value we refuse


class SettingsError(LmsError):
    """A setting is missing or invalid; the message names the variable to fix."""

    status = 500
    code = "settings_invalid"


@dataclass(frozen=True)
class Settings:
    """Effective configuration; every field maps to ``LMS_<FIELD NAME IN UPPER CASE>``."""

    env: str = "development"
    secret_key: str = DEV_SECRET_KEY
    previous_secret_keys: str = ""  # comma-separated: still open what they sealed
    instance_dir: str = "instance"
    database_url: str = ""
    broker_url: str = ""
    cache_url: str = ""
    cache_prefix: str = "lms:"
    public_url: str = "http://127.0.0.1:5000"
    trust_proxy: int = 0
    launch_leeway_seconds: int = 5
    launch_max_token_age_seconds: int = 300
    launch_state_ttl_seconds: int = 600
    jwks_cache_seconds: int = 3600
    session_ttl_seconds: int = 8 * 3600
    http_timeout_seconds: float = 5.0
    sweep_seconds: int = 30
    key_rotation_days: int = 90  # beat rotates the signing keys this often (0: only by hand)
    roster_sync_hours: int = 24  # beat syncs each course's roster this often (0: only by hand)
    log_level: str = "INFO"
    log_format: str = ""  # json or text; "": json in production, text elsewhere
    # Health and metrics (web/system.py): /readyz's per-check deadline; /metrics' bearer token
    # ("": in production only loopback may read it); the worker's own metrics endpoint.
    readyz_timeout_seconds: float = 2.0
    metrics_token: str = ""
    worker_metrics_bind: str = ""  # host:port of a Celery worker's /metrics ("": none)
    # The anonymous edge: sizes, rates and where the tool may send requests.
    login_param_max_bytes: int = 4096  # each OIDC login parameter (a Canvas lti_message_hint ~1 KB)
    id_token_max_bytes: int = 65536  # larger id_tokens are refused before any parsing
    rate_limit_lti: str = "120/minute"  # per client address, each of /lti/login and /lti/launch
    rate_limit_registration: str = "20/minute"  # per client address, dynamic registration pages
    rate_limit_storage_url: str = ""  # "": LMS_CACHE_URL (Redis) when set, else in-process memory
    jwks_refetch_cooldown_seconds: int = 60  # an unknown kid refetches a JWKS at most this often
    allow_private_hosts: int = 0  # 1: outbound calls may go to private/loopback addresses
    # Completion badges: who issues them (the Open Badges issuer Profile).
    issuer_name: str = "ISP Certificate Program"  # the organisation named on every credential
    issuer_url: str = ""  # its home page; "": LMS_PUBLIC_URL
    issuer_email: str = ""  # its contact address; OB 2.0 issuer Profiles require one

    @property
    def all_secret_keys(self) -> list[str]:
        """The current secret first, then the previous ones (to open what they sealed)."""
        previous = [s.strip() for s in self.previous_secret_keys.split(",") if s.strip()]
        return [self.secret_key, *previous]

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def path_prefix(self) -> str:
        """The path the tool is served under ("" at the root of its host), without a final /."""
        return urlsplit(self.public_url).path.rstrip("/")

    @property
    def uses_https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def broker_folder(self) -> Path:
        """Where the embedded file-system broker keeps its messages."""
        return Path(self.instance_dir).resolve() / "broker"

    def masked(self) -> dict[str, str]:
        """Settings as strings with secrets and passwords hidden, for ``lms-plugin check``."""
        shown: dict[str, str] = {}
        for f in fields(self):
            value = str(getattr(self, f.name))
            if f.name == "secret_key":
                value = "(dev default)" if value == DEV_SECRET_KEY else "****" + value[-2:]
            elif f.name == "metrics_token":
                value = "(set)" if value else "(none)"
            elif f.name == "previous_secret_keys":
                value = f"({len(self.all_secret_keys) - 1} set)"
            elif "://" in value and "@" in value:
                scheme, rest = value.split("://", 1)
                value = f"{scheme}://****@{rest.rsplit('@', 1)[1]}"
            shown[f"LMS_{f.name.upper()}"] = value
        return shown


def _parse(name: str, raw: str, kind: type) -> object:
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"LMS_{name.upper()}={raw!r} is not a valid {kind.__name__}") from None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``), fill defaults, check them."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = env.get(f"LMS_{f.name.upper()}")
        if raw is not None and raw != "":
            kind = {"int": int, "float": float}.get(str(f.type), str)
            values[f.name] = _parse(f.name, raw, kind)
    settings = Settings(**values)  # type: ignore[arg-type]
    instance = Path(settings.instance_dir).resolve()
    defaults = {
        "database_url": f"sqlite:///{instance / 'lms.sqlite3'}",
        "broker_url": "filesystem://",
    }
    settings = Settings(
        **{**settings.__dict__, **{k: v for k, v in defaults.items() if not getattr(settings, k)}}
    )
    settings = replace(settings, database_url=_database_url(settings.database_url))
    if not env.get("LMS_ALLOW_PRIVATE_HOSTS") and not settings.is_production:
        # An LMS on this machine or the campus network is normal while trying the tool out.
        settings = replace(settings, allow_private_hosts=1)
    check_settings(settings)
    return settings


def check_settings(settings: Settings) -> None:
    """Refuse combinations that cannot work; in production refuse every embedded default."""
    if settings.env not in {"development", "production", "test"}:
        raise SettingsError("LMS_ENV must be development, production or test")
    if settings.log_format not in {"", "json", "text"}:
        raise SettingsError("LMS_LOG_FORMAT must be json or text")
    _check_public_url(settings.public_url)
    _check_service_urls(settings)
    if not settings.is_production:
        return
    if settings.secret_key == DEV_SECRET_KEY or len(settings.secret_key) < 32:
        raise SettingsError(
            "LMS_SECRET_KEY: production needs a random secret of at least 32 characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    if settings.database_url.startswith("sqlite"):
        raise SettingsError(
            "LMS_DATABASE_URL: production needs PostgreSQL, e.g. postgresql+psycopg://user:pw@db/lms"
        )
    if not settings.broker_url.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        raise SettingsError("LMS_BROKER_URL: production needs Redis (redis://...) or RabbitMQ")
    if not settings.uses_https:
        raise SettingsError("LMS_PUBLIC_URL: production must be served over https://")


# PostgreSQL through psycopg 3, the driver the project installs, whatever SQLAlchemy's default;
# postgres:// is how Heroku-style managed databases write their URLs.
_POSTGRES_SCHEMES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}
_DATABASE_SCHEMES = {"sqlite", "postgresql+psycopg"}


def _database_url(url: str) -> str:
    """``url`` with PostgreSQL's scheme naming the driver; a database the tool cannot run on is
    refused with the forms it takes."""
    scheme, separator, rest = url.partition("://")
    scheme = _POSTGRES_SCHEMES.get(scheme, scheme)
    if not separator or scheme not in _DATABASE_SCHEMES:
        raise SettingsError(
            f"LMS_DATABASE_URL: the tool runs on PostgreSQL (postgresql://user:pw@host/db) or "
            f"SQLite (sqlite:////path/to/lms.sqlite3); got {_scheme_of(url)}"
        )
    return f"{scheme}://{rest}"


# What redis_urls.redis_client reads (redis-py's own schemes, and Sentinel's).
_CACHE_SCHEMES = ("redis://", "rediss://", "unix://", "redis+sentinel://")


def _check_service_urls(settings: Settings) -> None:
    """A cache or broker URL in a form its client cannot read is one line here, not a traceback
    (or a DNS lookup of the scheme) when the first request or task needs it."""
    if settings.cache_url and not settings.cache_url.startswith(_CACHE_SCHEMES):
        raise SettingsError(
            f"LMS_CACHE_URL is Redis: redis://host:6379/0 (rediss:// with TLS, unix:// or "
            f"redis+sentinel://host:26379/service); got {_scheme_of(settings.cache_url)}"
        )
    if "://" not in settings.broker_url:
        raise SettingsError(
            "LMS_BROKER_URL is a Celery broker URL with its scheme: redis://host:6379/1, "
            "amqp://user:pw@host//, or filesystem:// (the embedded default); got no scheme"
        )


def _scheme_of(url: str) -> str:
    scheme, separator, _ = url.partition("://")
    return repr(scheme) if separator else "no scheme"


_PATH = re.compile(r"(/(?!\.\.?(/|$))[A-Za-z0-9._~-]+)*/?")  # no "." or ".." segment


def _check_public_url(url: str) -> None:
    """The tool's public URL: scheme, host, port and, for a tool a proxy serves under a path of a
    shared host, that path (every URL the tool gives an LMS, and every link its pages hold,
    starts with it: ``web/under_path.py``)."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(
            f"LMS_PUBLIC_URL={url!r} is not an http(s) address with a host name, "
            "e.g. https://isp.example.edu"
        )
    if not _PATH.fullmatch(parts.path):
        raise SettingsError(
            f"LMS_PUBLIC_URL={url!r}: its path ({parts.path!r}) may hold only letters, digits "
            "and - . _ ~ between slashes, e.g. https://apps.example.edu/isp"
        )
    if parts.query or parts.fragment or parts.username is not None or parts.password is not None:
        raise SettingsError(
            f"LMS_PUBLIC_URL={url!r}: give only the scheme, host, port and path, "
            "e.g. https://isp.example.edu"
        )
