"""The HTTP half of LTI Dynamic Registration: read the platform's OpenID configuration and
post the tool's registration to it. The rules live in ``domain.registration``."""

from __future__ import annotations

from typing import Any

import requests

from lms_plugin.domain.errors import UpstreamError


def _headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    return headers


class RegistrationClient:
    def __init__(self, http: requests.Session, timeout: float) -> None:
        self._http = http
        self._timeout = timeout

    def configuration(self, url: str, token: str | None) -> Any:
        """GET the platform's OpenID configuration (JSON). The registration_token goes along
        as a bearer token: some platforms (Canvas) require it here too."""
        return self._json("GET", url, headers=_headers(token))

    def register(self, endpoint: str, token: str | None, body: dict[str, Any]) -> Any:
        """POST the tool's registration, with the registration_token when given."""
        headers = {**_headers(token), "Content-Type": "application/json"}
        return self._json("POST", endpoint, headers=headers, json=body)

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(
                method, url, timeout=self._timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            raise UpstreamError(f"Could not reach the LMS at {url}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise UpstreamError(
                f"The LMS answered {response.status_code} at {url}: {response.text[:300]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamError(f"The LMS's answer at {url} is not JSON.") from exc
