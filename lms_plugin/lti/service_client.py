"""One LTI Advantage service call with the client-credentials token (Security Framework §4.1):
a 401 refreshes the token once; failures raise :class:`AgsError`, classified so callers can tell
a retry-later (429, 5xx, network) from a refusal people must look at. Used by AGS and NRPS.

The token goes only to URLs the registration's :class:`ServicePolicy` allows, checked before
every request, every redirect and every ``rel="next"`` page (all go through :meth:`_send`).
Redirects are followed by hand, for GETs only, and only to URLs the policy allows (requests
would follow them to any URL, deciding alone whether the token goes along)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import requests

from lms_plugin.domain.errors import UpstreamError
from lms_plugin.domain.service_urls import ServicePolicy
from lms_plugin.lti.service_token import ServiceTokenError, retry_after_seconds

RETRYABLE = frozenset({"rate_limited", "server_error", "network"})
HOST_NOT_ALLOWED = "host_not_allowed"  # a URL the policy refuses: nothing was sent
MAX_REDIRECTS = 3


class AgsError(UpstreamError):
    """An AGS or NRPS call failed; ``classification`` says whether to retry or to tell people,
    ``lms_status`` is the LMS's HTTP status (None: no answer)."""

    code = "lms_service_failed"

    def __init__(
        self,
        classification: str,
        message: str,
        *,
        lms_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.classification = classification
        self.lms_status = lms_status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.classification in RETRYABLE


def classify(status: int | None) -> str:
    """The error class of an HTTP status (``None``: no answer at all)."""
    if status is None:
        return "network"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "scope_missing"
    if status in (404, 409, 410, 422):
        return "not_gradable"
    return "bad_request"


class ServiceClient:
    """Bearer-token calls to one platform's services."""

    def __init__(
        self,
        http: requests.Session,
        token: Callable[[tuple[str, ...], bool], str],
        timeout: float,
        *,
        allowed: ServicePolicy,
    ) -> None:
        self._http = http
        self._token = token
        self._timeout = timeout
        self._allowed = allowed

    def _send(
        self, method: str, url: str, scopes: tuple[str, ...], **kwargs: Any
    ) -> requests.Response:
        """One call; on 401 one token refresh and one retry (Security Framework §4.1)."""
        self._check(method, url)
        response = self._attempt(method, url, self._bearer(scopes, False), **kwargs)
        if response.status_code == 401:
            response = self._attempt(method, url, self._bearer(scopes, True), **kwargs)
        if 200 <= response.status_code < 300:
            return response
        status = response.status_code
        raise AgsError(
            classify(status),
            f"{method} {url} answered {status}: {response.text[:300]}",
            lms_status=status,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )

    def _bearer(self, scopes: tuple[str, ...], force_refresh: bool) -> str:
        try:
            return self._token(scopes, force_refresh)
        except ServiceTokenError as exc:
            if exc.lms_status is None or exc.retryable:
                kind = classify(exc.lms_status)
            else:
                kind = "scope_missing" if exc.error == "invalid_scope" else "unauthorized"
            raise AgsError(
                kind, str(exc), lms_status=exc.lms_status, retry_after=exc.retry_after
            ) from exc

    def _check(self, method: str, url: str) -> None:
        """Refuse, before anything is sent, a URL the token may not go to."""
        refusal = self._allowed.refusal(url)
        if refusal is not None:
            raise AgsError(
                HOST_NOT_ALLOWED,
                f"{method} {refusal.sentence}, so the platform's token is not sent there. "
                "An admin can allow its host with: lms-plugin platform update --issuer ... "
                f"--client-id ... --service-host {refusal.host or '<host>'}",
            )

    def _attempt(
        self, method: str, url: str, token: str, *, headers: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        """Send, following a GET's redirects only to allowed URLs (each one checked first)."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self._request(method, url, token, headers=headers, **kwargs)
            if method != "GET" or not response.is_redirect:
                return response
            url = urljoin(url, response.headers["Location"])
            response.close()
            self._check(method, url)
        raise AgsError("bad_request", f"{method} {url}: more than {MAX_REDIRECTS} redirects")

    def _request(
        self, method: str, url: str, token: str, *, headers: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        try:
            return self._http.request(
                method,
                url,
                headers={**headers, "Authorization": f"Bearer {token}"},
                timeout=self._timeout,
                allow_redirects=False,
                **kwargs,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise AgsError("network", f"{method} {url}: {exc}") from exc
        except requests.RequestException as exc:
            kind = "bad_request" if isinstance(exc, ValueError) else "network"
            raise AgsError(kind, f"{method} {url}: {exc}") from exc


def json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
