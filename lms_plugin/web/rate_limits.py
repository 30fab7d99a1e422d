"""Per-address rate limits on the anonymous LTI edge (Flask-Limiter).

``/lti/login``, ``/lti/launch`` and the launch's browser confirmation are each limited to
``LMS_RATE_LIMIT_LTI`` per client address; every dynamic registration page to
``LMS_RATE_LIMIT_REGISTRATION``. The client address is ``request.remote_addr`` (``ProxyFix``
sets it from ``X-Forwarded-For`` when ``LMS_TRUST_PROXY`` says so).

Counters live in ``LMS_RATE_LIMIT_STORAGE_URL``, else the cache's Redis (so every web process
shares them), else in this process (the embedded default runs one web process). Fixed windows
that start at an address's first request: one Redis round trip per limited request.

If the limiter's Redis cannot be reached, the limits fall back to this process's memory until
it answers again (``in_memory_fallback_enabled``; Flask-Limiter checks it again with a growing
backoff): launches go on, still limited per process, and nobody waits for a dead server on
every request, as ``swallow_errors`` alone would make them (and let floods through unlimited).
``swallow_errors`` is on as well, so a failure inside the fallback is logged, never a 500.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from lms_plugin.settings import Settings
from lms_plugin.web import registration

LTI_ENDPOINTS = ("lti.login", "lti.launch", "lti.launch_continue")
# Checking a credential canonicalizes it (tens of ms of CPU) for anyone: POSTs per address.
VERIFY_ENDPOINT, VERIFY_LIMIT = "credentials.verify", "30/minute"

# A healthy Redis next to the web answers in well under a millisecond; past this, fall back.
_REDIS_TIMEOUT_SECONDS = 0.5


def storage_uri(settings: Settings) -> str:
    """Where the counters live: the setting, else the cache's Redis, else this process."""
    if settings.rate_limit_storage_url:
        return settings.rate_limit_storage_url
    scheme = urlsplit(settings.cache_url).scheme
    if scheme in ("redis", "rediss", "redis+sentinel"):  # the URL forms both libraries read
        return settings.cache_url
    if scheme == "unix":  # a Unix socket is redis+unix:// to Flask-Limiter's storage
        return "redis+" + settings.cache_url
    return "memory://"


def init_rate_limits(app: Flask, settings: Settings) -> Limiter:
    """Limit the anonymous LTI endpoints of ``app`` (its blueprints must be registered)."""
    uri = storage_uri(settings)
    options: dict[str, str | int] = {}
    if urlsplit(uri).scheme.startswith("redis"):
        # Under the cache prefix, beside the tool's other keys in a shared Redis. (The options'
        # annotation says str | int; redis-py takes its timeouts in float seconds.)
        options = {
            "key_prefix": settings.cache_prefix + "ratelimit",
            "socket_timeout": _REDIS_TIMEOUT_SECONDS,  # type: ignore[dict-item]
            "socket_connect_timeout": _REDIS_TIMEOUT_SECONDS,  # type: ignore[dict-item]
        }
    limiter = Limiter(
        get_remote_address,
        storage_uri=uri,
        storage_options=options,
        strategy="fixed-window",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        headers_enabled=False,  # Retry-After goes on the 429 only (web.errors)
    )
    limiter.init_app(app)
    for endpoint in LTI_ENDPOINTS:  # each its own budget
        view: Callable[..., Any] = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(settings.rate_limit_lti)(view)
    verify: Callable[..., Any] = app.view_functions[VERIFY_ENDPOINT]
    app.view_functions[VERIFY_ENDPOINT] = limiter.limit(VERIFY_LIMIT, methods=["POST"])(verify)
    # Applied here rather than in web.registration; each page has its own budget.
    limiter.limit(settings.rate_limit_registration)(registration.bp)
    app.extensions["lms_limiter"] = limiter
    return limiter


def retry_after(error: RateLimitExceeded, limiter: Limiter | None) -> int:
    """Seconds until the breached window opens again (its whole length if the store cannot
    say): the ``Retry-After`` of a 429."""
    window = int(error.limit.limit.get_expiry())
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return window
    try:
        return max(1, min(window, current.reset_at - int(time.time())))
    except Exception:  # the counters' store went away between the check and now
        return window
