"""The one HTTP client for calls to LMSs: keep-alive, our User-Agent, and the environment's
proxy and CA settings read once per host.

requests' ``trust_env`` re-reads the proxy variables (and ~/.netrc) on every call, a good part
of the cost of sending one score; it would also let a ~/.netrc entry for an LMS host replace
our bearer token with basic auth. Here the environment is read once per scheme and host, and
netrc is never consulted.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import get_environ_proxies


class LmsHttp(requests.Session):
    def __init__(self, user_agent: str) -> None:
        super().__init__()
        self.trust_env = False
        self.headers["User-Agent"] = user_agent
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        self.verify = bundle or True
        self._proxies: dict[tuple[str, str], dict[str, str]] = {}

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("proxies") is None:
            kwargs["proxies"] = self.proxies_for(url if isinstance(url, str) else url.decode())
        return super().request(method, url, *args, **kwargs)

    def proxies_for(self, url: str) -> dict[str, str]:
        """HTTP(S)_PROXY / ALL_PROXY for this URL, unless NO_PROXY exempts its host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxies:
            self._proxies[key] = get_environ_proxies(url)
        return dict(self._proxies[key])
