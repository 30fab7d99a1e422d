"""Application factory: one Flask app from one Settings object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask_migrate import Migrate
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from lms_plugin import __version__, logging_setup
from lms_plugin.db import db, json_codec
from lms_plugin.db.base import MAX_ID
from lms_plugin.db.pool import ping_when_idle
from lms_plugin.db.sealed import Sealer
from lms_plugin.kv import make_store
from lms_plugin.lti.http_client import LmsHttp
from lms_plugin.lti.platform_keys import PlatformKeys
from lms_plugin.lti.tenants import TenantDirectory
from lms_plugin.paths import MIGRATIONS_DIR  # beside the package, or the image's WORKDIR
from lms_plugin.settings import Settings, SettingsError, load_settings
from lms_plugin.web.cookies import NoCookieSession
from lms_plugin.web.under_path import UnderPath

migrate = Migrate()


def create_app(settings: Settings | None = None) -> Flask:
    """One Flask app from ``settings`` (by default, the ``LMS_*`` environment's)."""
    settings = settings or load_settings()
    app = _flask_app(settings)
    logging_setup.configure(settings)  # LMS_LOG_FORMAT, LMS_LOG_LEVEL; request ids
    if settings.path_prefix:
        app.wsgi_app = UnderPath(app.wsgi_app, settings.path_prefix)  # type: ignore[method-assign]
    _trust_proxy(app, settings)
    _init_database(app, settings)
    _init_services(app, settings)
    _register_blueprints(app)
    _init_web_modules(app, settings)
    app.after_request(_security_headers)
    _register_template_helpers(app)
    return app


def _flask_app(settings: Settings) -> Flask:
    """A Flask app on the instance folder: its config, URL ids, settings, sealer and session."""
    try:
        Path(settings.instance_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "a file has that name" if isinstance(exc, FileExistsError) else exc.strerror
        raise SettingsError(
            f"LMS_INSTANCE_DIR={settings.instance_dir!r}: the tool keeps its files there (the "
            f"embedded database and broker, the worker's heartbeat) and cannot make that folder "
            f"({reason}); choose a folder it may write in"
        ) from None
    app = Flask(__name__, instance_path=str(Path(settings.instance_dir).resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
    )
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    app.extensions["lms_settings"] = settings
    app.extensions["lms_sealer"] = Sealer(settings.all_secret_keys)  # sealed columns
    app.session_interface = NoCookieSession()  # the launch session is server-side
    return app


def _trust_proxy(app: Flask, settings: Settings) -> None:
    """Behind ``LMS_TRUST_PROXY`` proxies, read the client's address and host from their headers."""
    if settings.trust_proxy:
        n = settings.trust_proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]


def _init_database(app: Flask, settings: Settings) -> None:
    """Flask-SQLAlchemy and its engine's connection hooks, then Flask-Migrate."""
    db.init_app(app)
    with app.app_context():
        if settings.database_url.startswith("sqlite"):
            event.listen(db.engine, "connect", _sqlite_pragmas)
        else:
            ping_when_idle(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


def _init_services(app: Flask, settings: Settings) -> None:
    """The key-value store, then the tenants, outbound HTTP client and platform keys on it."""
    with app.app_context():
        app.extensions["lms_store"] = make_store(
            settings.cache_url, settings.cache_prefix, db.engine
        )
    app.extensions["lms_tenants"] = TenantDirectory(app.extensions["lms_store"])
    http = LmsHttp(f"isp-lms-plugin/{__version__}")
    app.extensions["lms_http"] = http
    app.extensions["lms_platform_keys"] = PlatformKeys(
        app.extensions["lms_store"],
        http,
        cache_seconds=settings.jwks_cache_seconds,
        timeout=settings.http_timeout_seconds,
        refetch_cooldown=settings.jwks_refetch_cooldown_seconds,
    )


def _register_blueprints(app: Flask) -> None:
    """The web modules' blueprints, in this order (their routes and hooks follow it)."""
    from lms_plugin.web import (
        api,
        credentials,
        deep_link,
        figures,
        instructor,
        lti,
        lti_config,
        my_credentials,
        player,
        registration,
        system,
    )

    for module in (
        figures,
        lti,
        lti_config,
        registration,
        api,
        player,
        my_credentials,
        instructor,
        deep_link,
        system,
        credentials,
    ):
        app.register_blueprint(module.bp)


def _init_web_modules(app: Flask, settings: Settings) -> None:
    """Error handlers, then the modules that bring their own hooks, blueprints and extensions."""
    from lms_plugin.web import admin, errors, i18n, rate_limits, size_limits, system, theming

    errors.register(app)
    admin.init_app(app)  # /admin pages; keeps the last refused launches per platform
    system.init_app(app)  # request ids, launch metrics, /readyz checks, /metrics gauges
    size_limits.init_size_limits(app, settings)  # bodies per route (MAX_CONTENT_LENGTH: the rest)
    rate_limits.init_rate_limits(app, settings)  # per address, on the anonymous LTI edge
    i18n.init_app(app)  # English or French: the launch's locale, the header's switch
    theming.init_app(app)  # the deployment's theme, the favicon, local times


def _register_template_helpers(app: Flask) -> None:
    """Template globals (the version, the launch session's links and tokens), Markdown filters."""
    from lms_plugin.web import launch_session, render

    app.jinja_env.globals.update(
        app_version=__version__,
        link=launch_session.link,
        csrf_token=launch_session.csrf_token,
        lms_token=launch_session.token,
        launch_summary=launch_session.summary,
    )
    app.jinja_env.filters["markdown"] = render.safe_markdown
    app.jinja_env.filters["markdown_inline"] = render.safe_markdown_inline
    app.jinja_env.filters["lesson_markdown"] = render.safe_lesson_markdown


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in our URLs is always a database id: a value no integer column can hold
    is simply not found, never a database error."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _engine_options(url: str) -> dict[str, object]:
    """Engine options for the database URL: the JSON codec, and SQLite's lock timeout."""
    if url.startswith("sqlite"):
        # Several processes share one SQLite file: wait for locks instead of failing at once.
        return {"connect_args": {"timeout": 30}, "json_serializer": json_codec.dumps_text}
    return {"json_serializer": json_codec.dumps_bytes}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Each new SQLite connection: write-ahead logging and enforced foreign keys."""
    # WAL lets the web processes read while the worker writes (the embedded default).
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _security_headers(response: Response) -> Response:
    """The content security policy and two hardening headers, unless a view set its own."""
    # Pages are framed by whichever LMS launched them, so frame-ancestors stays open;
    # everything else loads from this host only.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self' *; frame-ancestors *",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
