"""A Redis client from the URL an admin gives (``LMS_CACHE_URL``): every form managed Redis needs.

redis-py reads ``redis://``, ``rediss://`` and ``unix://`` itself; Sentinel, which it has no URL
for, is read here in the form the ``limits`` library (the rate limits' storage) also reads.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.connection import parse_url
from redis.retry import Retry
from redis.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379


def redis_client(url: str) -> redis.Redis:
    """A client for ``LMS_CACHE_URL``.

    Anything ``redis.Redis.from_url`` reads: ``redis://`` or ``rediss://`` (TLS; certificate
    options as query parameters, e.g. ``?ssl_ca_certs=/path``), ``unix://``, ACL
    ``user:password@`` (or ``:password@``), the database as ``/2`` or ``?db=2``, and timeouts
    (``?socket_timeout=2``). Or Sentinel, in the form Flask-Limiter's ``limits`` also reads:
    ``redis+sentinel://[[user]:password@]host:port[,host:port...]/service_name[?db=N&...]``
    (the credentials are sent to the sentinels and to the master they name).
    """
    options: dict[str, Any] = {
        "decode_responses": True,
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        # A short backoff: the caller is a person waiting for a launch, not a batch job.
        "retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=3),
    }
    if not url.startswith(SENTINEL_SCHEME + "://"):
        return redis.Redis.from_url(url, **options)  # the URL's own options win
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    service = parts.path.strip("/")
    if not hosts or not service or "/" in service:
        raise ValueError(f"{SENTINEL_SCHEME}:// needs host:port[,host:port...]/service_name")
    # The URL's query and credentials, read as redis-py reads them in a redis:// URL.
    at = credentials + "@" if credentials else ""
    options.update(parse_url(f"redis://{at}sentinel/?{parts.query}"))  # type: ignore[no-untyped-call]
    options.pop("host")
    auth: dict[str, Any] = {k: options[k] for k in ("username", "password") if k in options}
    timeouts = {k: options[k] for k in ("socket_timeout", "socket_connect_timeout")}
    sentinels = [_host_port(host) for host in hosts.split(",")]
    sentinel = Sentinel(sentinels, sentinel_kwargs={**auth, **timeouts}, **options)
    client: redis.Redis = sentinel.master_for(service)
    return client


def _host_port(location: str) -> tuple[str, int]:
    host, _, port = location.rpartition(":")
    if not host or location.endswith("]"):  # no port (an IPv6 address is in brackets)
        return location.strip("[]"), SENTINEL_PORT
    return host.strip("[]"), int(port)
