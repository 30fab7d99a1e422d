"""Fetch and cache each platform's JWKS; find the key an id_token names by ``kid``.

Security Framework §6.3: the platform publishes its keys at a JWKS URL and rotates them, so an
unknown ``kid`` triggers a fresh fetch before the launch is refused. Anyone can post a token
naming a random ``kid``, so that refetch happens at most once per JWKS URL per cooldown window,
shared by every process through the store (a first fetch that misses the kid counts as the
window's refetch); other unknown kids in the window are refused (and logged, and counted). A
platform that rotates its key in the window a refetch was spent in gets the new key at the
next window. Fetch failures fail closed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import jwt
import requests

from lms_plugin.domain.errors import LaunchError
from lms_plugin.kv import KeyValueStore

LOCAL_SECONDS = 60  # a parsed key is kept in the process this long (the store keeps the JWKS)

log = logging.getLogger(__name__)


class PlatformKeys:
    def __init__(
        self,
        store: KeyValueStore,
        http: requests.Session,
        *,
        cache_seconds: int,
        timeout: float,
        refetch_cooldown: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._http = http
        self._cache_seconds = cache_seconds
        self._timeout = timeout
        self.refetch_cooldown = refetch_cooldown  # 0: refetch for every unknown kid
        self.clock = clock  # seconds since the epoch: windows are shared by every process
        self._parsed: dict[tuple[str, str], tuple[float, Any]] = {}
        self.refetches_refused = 0  # in this process; see the warnings logged for each

    @property
    def http(self) -> requests.Session:
        return self._http

    def key_for(self, jwks_url: str, kid: str) -> Any:
        """The public key for ``kid``: cached JWKS first, then one refetch, else refuse."""
        parsed = self._parsed.get((jwks_url, kid))
        if parsed is not None and parsed[0] > self.clock():
            return parsed[1]
        key = self._lookup(jwks_url, kid)
        self._parsed[(jwks_url, kid)] = (self.clock() + LOCAL_SECONDS, key)
        return key

    def _lookup(self, jwks_url: str, kid: str) -> Any:
        digest = hashlib.sha256(jwks_url.encode()).hexdigest()
        cache_key = "jwks:" + digest
        cached = self._store.get(cache_key)
        if cached is not None:
            jwk = _find(json.loads(cached), kid)
            if jwk is not None:
                return _to_key(jwk)
            if not self._claim_window(digest):
                self.refetches_refused += 1
                log.warning(
                    "unknown kid %r for %s: JWKS refetched less than %d s ago, launch refused",
                    kid,
                    jwks_url,
                    self.refetch_cooldown,
                )
                raise LaunchError("unknown_kid", f"kid {kid!r} not in {jwks_url} (cooldown)")
        keyset = self._fetch(jwks_url)
        self._store.set(cache_key, json.dumps(keyset), self._cache_seconds)
        jwk = _find(keyset, kid)
        if jwk is None:
            if cached is None:  # a first fetch that misses the kid spends the window as well
                self._claim_window(digest)
            raise LaunchError("unknown_kid", f"kid {kid!r} not in {jwks_url}")
        return _to_key(jwk)

    def _claim_window(self, digest: str) -> bool:
        """True for the first caller in this cooldown window, in any process: the window's
        key is added once (fixed windows keep it one atomic store op and let a clock be
        injected; two refetches may then fall on either side of a window's edge)."""
        if self.refetch_cooldown <= 0:
            return True
        window = int(self.clock() // self.refetch_cooldown)
        return self._store.add(f"jwks-refetch:{digest}:{window}", "1", self.refetch_cooldown)

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, timeout=self._timeout)
            response.raise_for_status()
            keyset = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise LaunchError("jwks_unreachable", f"{url}: {exc}") from exc
        if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
            raise LaunchError("jwks_unreachable", f"{url} did not return a JWKS")
        return keyset


def _find(keyset: dict[str, Any], kid: str) -> dict[str, Any] | None:
    for jwk in keyset.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            return jwk
    return None


def usable_key(jwk: dict[str, Any]) -> Any:
    """The key a launch would verify with, or the LaunchError that says why it cannot be used
    (the admin's diagnostics check a platform's keyset with it)."""
    return _to_key(jwk)


def _to_key(jwk: dict[str, Any]) -> Any:
    # RS256 only (Security Framework §5.1.3): an RSA key that, if it names an alg, names RS256.
    if jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256":
        raise LaunchError("alg_not_allowed", f"key {jwk.get('kid')!r} is not an RS256 RSA key")
    try:
        return jwt.PyJWK(jwk, algorithm="RS256").key
    except jwt.PyJWKError as exc:
        raise LaunchError("unknown_kid", f"unusable key: {exc}") from exc
