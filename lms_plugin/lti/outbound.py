"""Calls to URLs that someone else chose, kept from reaching into the tool's own network (SSRF).

LTI Dynamic Registration 1.0 (§3.3) hands the tool an ``openid_configuration`` URL in the
query string of a page that anyone holding a registration URL can open, and the configuration
it serves names the ``registration_endpoint`` the tool then posts to (§3.4, §3.5.2). Every
call made here:

- connects only to public addresses unless ``LMS_ALLOW_PRIVATE_HOSTS=1``: the host is resolved
  once, every address it resolves to is checked, and the socket connects to a checked address;
  urllib3 never resolves the name again, so DNS rebinding between check and connect gains nothing,
  while TLS still verifies the certificate for the host name (SNI and ``Host`` are unchanged);
- follows no redirect and uses no proxy (a proxy would resolve the name itself) and no ~/.netrc;
- keeps at most ``max_bytes`` of the answer, and is cut when its time budget is spent: a total
  for connect, TLS, headers and body together (requests' timeouts are per socket read, so a
  server trickling a byte at a time would hold a web worker for ever).

Why hand-written: requests has no such option; ``advocate``, the requests SSRF wrapper, has had no
release since 2020 (before urllib3 2); ``safehttpx`` is for async httpx. The guard is urllib3's
own seam for it (a PoolManager's ``pool_classes_by_scheme``, whose connections open
their socket in ``_new_conn``) plus one timer per connection.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from lms_plugin.domain.errors import InvalidInputError, UpstreamError
from lms_plugin.lti.http_client import LmsHttp

MAX_BYTES = 256 * 1024  # an OpenID configuration is a few KB
Resolver = Callable[[str, int], list[str]]
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits; the local-use prefix of RFC 8215
# is not in Python 3.11's tables at all.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """Whether ``address`` is a public unicast address (not private, loopback, link-local,
    multicast, reserved or unspecified), looking through IPv4-mapped and NAT64 IPv6 forms."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public(str(ip.ipv4_mapped))
        if ip in _NAT64:
            return is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        if ip.sixtofour is not None and not is_public(str(ip.sixtofour)):
            return False
        if ip in _LOCAL_NAT64:
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class AddressNotAllowedError(InvalidInputError):
    code = "address_not_allowed"


def why_unreachable(exc: requests.RequestException) -> str:
    """Why a request got no answer, in the tool's words (the exception's own text, urllib3's
    pool and retry internals, is for the log)."""
    if isinstance(exc, requests.Timeout):
        return "it did not answer in time."
    if isinstance(exc, requests.exceptions.SSLError):
        return "its TLS certificate is not valid."
    retries = exc.args[0] if exc.args else None  # requests wraps urllib3's MaxRetryError
    if isinstance(getattr(retries, "reason", None), NameResolutionError):
        return "its host name is not known (DNS)."
    return "no connection could be made."


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    date: str | None = None  # the answer's Date header (RFC 9110 §6.6.1): the server's clock

    def json(self, url: str) -> Any:
        """The body as JSON; nonsense (or JSON nested past the parser's limit) is upstream's."""
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError) as exc:
            raise UpstreamError(f"The answer at {url} is not JSON.") from exc


class Outbound:
    """One call within the limits above; a new one per call, since the budget is per call."""

    def __init__(
        self,
        *,
        allow_private: bool,
        budget: float,
        user_agent: str,
        max_bytes: int = MAX_BYTES,
        resolver: Resolver = resolve,
    ) -> None:
        self.allow_private = allow_private
        self.budget = budget
        self.max_bytes = max_bytes
        self._user_agent = user_agent
        self._resolver = resolver
        self._deadline = 0.0
        self._timers: list[threading.Timer] = []
        self.expired = False

    def request(self, method: str, url: str, **kwargs: Any) -> Answer:
        """Send the request; the status and at most ``max_bytes`` of body, or an error that
        says what was wrong without repeating what the server sent."""
        self._deadline = time.monotonic() + self.budget
        self._timers, self.expired = [], False
        try:
            with _GuardedHttp(self, self._user_agent) as http:
                response = http.request(
                    method,
                    url,
                    timeout=self.budget,
                    allow_redirects=False,
                    stream=True,
                    proxies={},
                    **kwargs,
                )
                with response:
                    if 300 <= response.status_code < 400:
                        raise UpstreamError(
                            f"{url} answered {response.status_code}, a redirect; the tool "
                            "follows none. Give the final URL."
                        )
                    body = self._read(response, url)
        except requests.RequestException as exc:
            raise self._failure(url, exc) from exc
        finally:
            for timer in self._timers:
                timer.cancel()
        if self.expired:  # cut at the deadline: what arrived may look complete but is not
            raise self._too_slow(url)
        return Answer(response.status_code, body, response.headers.get("Date"))

    def _read(self, response: requests.Response, url: str) -> bytes:
        length = response.headers.get("Content-Length", "")
        if length.isascii() and length.isdigit() and int(length) > self.max_bytes:
            raise self._too_large(url)
        body = bytearray()
        for chunk in response.iter_content(16 * 1024):
            body += chunk
            if len(body) > self.max_bytes:
                raise self._too_large(url)
        return bytes(body)

    def _failure(self, url: str, exc: requests.RequestException) -> Exception:
        if self.expired or isinstance(exc, requests.Timeout):
            return self._too_slow(url)
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
            return InvalidInputError(f"{url} is not a URL the tool can call.", code="invalid_url")
        return UpstreamError(f"Could not reach {url}: {why_unreachable(exc)}")

    def _too_large(self, url: str) -> UpstreamError:
        return UpstreamError(f"The answer at {url} is larger than {self.max_bytes // 1024} KB.")

    def _too_slow(self, url: str) -> UpstreamError:
        return UpstreamError(f"{url} did not answer within {self.budget:g} s.")

    # --- what the connections call ------------------------------------------------------
    def connect(self, conn: HTTPConnection) -> socket.socket:
        """A socket to a checked address of ``conn.host``, cut at the deadline."""
        addresses = self._resolver(conn.host, conn.port)
        if not self.allow_private and not all(is_public(a) for a in addresses):
            raise AddressNotAllowedError(
                f"{conn.host} is (or resolves to) a private, loopback or otherwise non-public "
                "address; the tool does not call such addresses.",
                hint="On a private network, the operator can allow them: LMS_ALLOW_PRIVATE_HOSTS=1",
            )
        error: OSError = OSError(f"{conn.host} resolves to no address")
        for address in addresses:
            try:
                sock = create_connection(
                    (address, conn.port),
                    self._remaining(),
                    source_address=conn.source_address,
                    socket_options=conn.socket_options,
                )
            except OSError as exc:
                error = exc
                continue
            # The TLS handshake is one socket operation: it gets what is left. Later reads are
            # cut by the timer, since each read would get a timeout of its own.
            left = max(self._deadline - time.monotonic(), 0.001)
            sock.settimeout(left)
            self._cut_at_deadline(conn, left)
            return sock
        raise error

    def _remaining(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError("time budget spent")
        return left

    def _cut_at_deadline(self, conn: HTTPConnection, seconds: float) -> None:
        timer = threading.Timer(seconds, self._cut, (conn,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _cut(self, conn: HTTPConnection) -> None:
        # conn.sock is whatever the connection reads from now (plain or TLS); once closed, its
        # file descriptor is -1, so this can never touch a socket reused by someone else.
        self.expired = True
        with suppress(OSError, AttributeError):
            conn.sock.shutdown(socket.SHUT_RDWR)


class _Pinned(HTTPConnection):
    """A urllib3 connection that opens its socket through :meth:`Outbound.connect`."""

    outbound: Outbound  # set on the per-call subclass

    def _new_conn(self) -> socket.socket:
        try:
            return self.outbound.connect(self)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a connection: {exc}") from exc


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound  # before super().__init__, which makes the pool manager
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        extra = {"outbound": self._outbound}
        http = type("PinnedHTTPConnection", (_Pinned,), extra)
        https = type("PinnedHTTPSConnection", (_Pinned, HTTPSConnection), extra)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        raise requests.exceptions.InvalidURL("calls to URLs others chose never use a proxy")


class _GuardedHttp(LmsHttp):
    """The LMS client's User-Agent and CA bundle, with the guarded adapter and no proxies."""

    def __init__(self, outbound: Outbound, user_agent: str) -> None:
        super().__init__(user_agent)
        self.headers["Accept-Encoding"] = "identity"  # the size cap counts what arrives
        for scheme in ("http://", "https://"):
            self.mount(scheme, _GuardedAdapter(outbound))
