"""Per-address rate limits on the anonymous LTI edge, counted by the ``limits`` library.

``/lti/login``, ``/lti/launch`` and the launch's browser confirmation are each limited to
``LMS_RATE_LIMIT_LTI`` per client address; every dynamic registration page, and using an admin
sign-in link, to ``LMS_RATE_LIMIT_REGISTRATION``; checking a credential (POST
``/credentials/verify``) to 30 a minute. The client address is ``request.remote_addr``
(``ProxyFix`` sets it from ``X-Forwarded-For`` when ``LMS_TRUST_PROXY`` says so). Past the
limit: a 429 with ``Retry-After`` (``web.errors``).

Login and launch count in the store round trip they make anyway (:func:`budget`,
``lms_plugin.edge_counts``, which says why), beside the launch state: in the cache's Redis, or
the embedded store's table, shared by every web process either way. Every other limited route
counts through ``limits``: in the cache's Redis, else in this process (the embedded default).
With ``LMS_RATE_LIMIT_STORAGE_URL`` set, every count goes through ``limits`` to that storage,
login and launch included (a round trip of their own). Fixed windows that start at an address's
first request.

If the ``limits`` counters' Redis cannot be reached, those limits fall back to this process's
memory for a while (then Redis is tried again), and nobody waits for a dead server on every
request. (Login and launch need their store anyway: without it no launch can work.)

Why ``limits`` and not Flask-Limiter on top of it: Flask-Limiter evaluates its limits in a
``before_request`` hook on every route and again in the decorator of each limited one. Measured
in process (PostgreSQL + Redis, 200 logins + launches, best of 3 rounds): 0.56 ms of CPU per
login + launch and 0.10 ms on every other request (a 1-query route: 0.78 → 0.89 ms), which took
``benchmarks/launch.py`` from 0.40 to 0.33 of the one-query route. A hit through ``limits``, the
library Flask-Limiter counts with (same maintainers, same storages and limit strings), costs
0.07 ms, on the limited routes only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from lms_plugin.domain.errors import RateLimitedError
from lms_plugin.edge_counts import Budget
from lms_plugin.settings import Settings
from lms_plugin.web import deps

log = logging.getLogger(__name__)

LTI_ENDPOINTS = ("lti.login", "lti.launch", "lti.launch_continue")
# These count in the store round trip they make anyway (counted()), unless the counters live
# elsewhere (LMS_RATE_LIMIT_STORAGE_URL).
IN_STORE_ENDPOINTS = frozenset({"lti.login", "lti.launch"})
REGISTRATION_BLUEPRINT = "registration"
# Checking a credential canonicalizes it (tens of ms of CPU) for anyone: POSTs per address.
VERIFY_ENDPOINT, VERIFY_LIMIT = "credentials.verify", "30/minute"
# Using an admin sign-in link: guessing one (256 random bits) is hopeless, but not free to try.
ADMIN_SIGN_IN_ENDPOINT = "admin.redeem"

# A healthy Redis next to the web answers in well under a millisecond; past this, fall back.
_REDIS_TIMEOUT_SECONDS = 0.5
_RETRY_REDIS_AFTER_SECONDS = 30.0  # while it is away, counters stay in this process


def storage_uri(settings: Settings) -> str:
    """Where the counters live: the setting, else the cache's Redis, else this process."""
    if settings.rate_limit_storage_url:
        return settings.rate_limit_storage_url
    scheme = urlsplit(settings.cache_url).scheme
    if scheme in ("redis", "rediss", "redis+sentinel"):  # the URL forms both libraries read
        return settings.cache_url
    if scheme == "unix":  # a Unix socket is redis+unix:// to the limits storage
        return "redis+" + settings.cache_url
    return "memory://"


class EdgeLimiter:
    """Fixed-window counters per client address and endpoint, in Redis or in this process."""

    def __init__(self, uri: str, key_prefix: str, clock: Callable[[], float] = time.monotonic):
        options: dict[str, Any] = {}
        if urlsplit(uri).scheme.startswith("redis"):
            # Under the cache prefix, beside the tool's other keys in a shared Redis.
            options = {
                "key_prefix": key_prefix + "ratelimit",
                "socket_timeout": _REDIS_TIMEOUT_SECONDS,
                "socket_connect_timeout": _REDIS_TIMEOUT_SECONDS,
            }
        storage = storage_from_string(uri, **options)
        assert isinstance(storage, Storage), "a synchronous storage"  # not limits.aio's
        self._shared = FixedWindowRateLimiter(storage)
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._clock = clock
        self._shared_away_until = 0.0

    def check(self, limits: Sequence[RateLimitItem], *identifiers: str) -> None:
        """Count this request against each limit; raise :class:`RateLimitedError` past one."""
        for limit in limits:
            limiter = self._limiter()
            try:
                allowed = limiter.hit(limit, *identifiers)
            except Exception:  # the counters' Redis is away: count here meanwhile
                if limiter is self._local:
                    raise
                log.warning("rate-limit storage unreachable: counting in this process for now")
                self._shared_away_until = self._clock() + _RETRY_REDIS_AFTER_SECONDS
                limiter = self._local
                allowed = limiter.hit(limit, *identifiers)
            if not allowed:
                raise RateLimitedError(self._retry_after(limiter, limit, identifiers))

    def _limiter(self) -> FixedWindowRateLimiter:
        return self._local if self._clock() < self._shared_away_until else self._shared

    @staticmethod
    def _retry_after(
        limiter: FixedWindowRateLimiter, limit: RateLimitItem, identifiers: Sequence[str]
    ) -> int:
        """Seconds until the breached window opens again (its whole length if unknown)."""
        window = int(limit.get_expiry())
        try:
            reset = limiter.get_window_stats(limit, *identifiers).reset_time
        except Exception:  # the store went away between the hit and now
            return window
        return max(1, min(window, int(reset - time.time()) + 1))


def _limited(
    view: Callable[..., Any],
    limiter: EdgeLimiter,
    limits: Sequence[RateLimitItem],
    name: str,
    methods: frozenset[str] | None = None,
) -> Callable[..., Any]:
    """``view`` counted against ``limits`` per client address (only for ``methods``, if given)."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if methods is None or request.method in methods:
            limiter.check(limits, request.remote_addr or "unknown", name)
        return view(*args, **kwargs)

    return checked


def counted() -> AbstractContextManager[Budget]:
    """This request's count (login or launch), for the store round trip its route makes anyway,
    and counted alone on the way out if none carried it (``edge_counts.Budget.counted``).
    Nothing to count when the counters live elsewhere: ``limits`` has counted already."""
    limits: Sequence[RateLimitItem] = current_app.extensions["lms_in_store_limits"]
    budget = Budget(limits, request.remote_addr or "unknown", request.endpoint or "")
    return budget.counted(deps.store())  # with no limits, a budget counts nothing


def init_rate_limits(app: Flask, settings: Settings) -> EdgeLimiter:
    """Limit the anonymous LTI endpoints of ``app`` (its blueprints must be registered)."""
    limiter = EdgeLimiter(storage_uri(settings), settings.cache_prefix)
    lti = parse_many(settings.rate_limit_lti)
    in_store = not settings.rate_limit_storage_url  # beside the launch state
    app.extensions["lms_in_store_limits"] = lti if in_store else []
    for endpoint in LTI_ENDPOINTS:  # each its own budget
        if in_store and endpoint in IN_STORE_ENDPOINTS:
            continue
        app.view_functions[endpoint] = _limited(
            app.view_functions[endpoint], limiter, lti, endpoint
        )
    registration = parse_many(settings.rate_limit_registration)
    for endpoint, view in list(app.view_functions.items()):  # each page its own budget
        if endpoint.startswith(REGISTRATION_BLUEPRINT + "."):
            app.view_functions[endpoint] = _limited(view, limiter, registration, endpoint)
    verify = app.view_functions[VERIFY_ENDPOINT]
    app.view_functions[VERIFY_ENDPOINT] = _limited(
        verify, limiter, parse_many(VERIFY_LIMIT), VERIFY_ENDPOINT, frozenset({"POST"})
    )
    app.view_functions[ADMIN_SIGN_IN_ENDPOINT] = _limited(
        app.view_functions[ADMIN_SIGN_IN_ENDPOINT], limiter, registration, ADMIN_SIGN_IN_ENDPOINT
    )
    app.extensions["lms_limiter"] = limiter
    return limiter
