"""Fetch and cache each platform's JWKS; find the key an id_token names by ``kid``.

Security Framework §6.3: the platform publishes its keys at a JWKS URL and rotates them, so an
unknown ``kid`` triggers one fresh fetch before the launch is refused. Fetch failures fail closed.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import jwt
import requests

from lms_plugin.domain.errors import LaunchError
from lms_plugin.kv import KeyValueStore

LOCAL_SECONDS = 60  # a parsed key is kept in the process this long (the store keeps the JWKS)


class PlatformKeys:
    def __init__(
        self, store: KeyValueStore, http: requests.Session, *, cache_seconds: int, timeout: float
    ) -> None:
        self._store = store
        self._http = http
        self._cache_seconds = cache_seconds
        self._timeout = timeout
        self._parsed: dict[tuple[str, str], tuple[float, Any]] = {}

    @property
    def http(self) -> requests.Session:
        return self._http

    def key_for(self, jwks_url: str, kid: str) -> Any:
        """The public key for ``kid``: cached JWKS first, then one refetch, else refuse."""
        parsed = self._parsed.get((jwks_url, kid))
        if parsed is not None and parsed[0] > time.monotonic():
            return parsed[1]
        key = self._lookup(jwks_url, kid)
        self._parsed[(jwks_url, kid)] = (time.monotonic() + LOCAL_SECONDS, key)
        return key

    def _lookup(self, jwks_url: str, kid: str) -> Any:
        cache_key = "jwks:" + hashlib.sha256(jwks_url.encode()).hexdigest()
        cached = self._store.get(cache_key)
        if cached is not None:
            jwk = _find(json.loads(cached), kid)
            if jwk is not None:
                return _to_key(jwk)
        keyset = self._fetch(jwks_url)
        self._store.set(cache_key, json.dumps(keyset), self._cache_seconds)
        jwk = _find(keyset, kid)
        if jwk is None:
            raise LaunchError("unknown_kid", f"kid {kid!r} not in {jwks_url}")
        return _to_key(jwk)

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


def _to_key(jwk: dict[str, Any]) -> Any:
    # RS256 only (Security Framework §5.1.3): an RSA key that, if it names an alg, names RS256.
    if jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256":
        raise LaunchError("alg_not_allowed", f"key {jwk.get('kid')!r} is not an RS256 RSA key")
    try:
        return jwt.PyJWK(jwk, algorithm="RS256").key
    except jwt.PyJWKError as exc:
        raise LaunchError("unknown_kid", f"unusable key: {exc}") from exc
