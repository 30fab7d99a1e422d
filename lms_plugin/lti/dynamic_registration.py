"""The HTTP half of LTI Dynamic Registration: read the platform's OpenID configuration and
post the tool's registration to it. The rules live in ``domain.registration``; every call goes
through ``lti.outbound`` (public addresses only, no redirects, size and time limits), since both
URLs come from the request, not from the tool's own configuration."""

from __future__ import annotations

from typing import Any

from lms_plugin.domain.errors import UpstreamError
from lms_plugin.lti.outbound import Outbound


def _headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    return headers


class RegistrationClient:
    def __init__(self, *, allow_private: bool, budget: float, user_agent: str) -> None:
        self._allow_private = allow_private
        self._budget = budget
        self._user_agent = user_agent

    def configuration(self, url: str, token: str | None) -> Any:
        """GET the platform's OpenID configuration (Dynamic Registration §3.4). The spec only
        asks for the registration_token at the registration endpoint (§3.3), but Canvas requires
        it here too ("the tool also needs to include the registration_token in the GET request",
        Canvas API docs, Registration); it goes only to the URL the LMS sent along with it."""
        return self._json("GET", url, headers=_headers(token))

    def register(self, endpoint: str, token: str | None, body: dict[str, Any]) -> Any:
        """POST the tool's registration (§3.5.2) with the registration_token as bearer token; the
        caller has checked that the endpoint is on the issuer's host."""
        headers = {**_headers(token), "Content-Type": "application/json"}
        return self._json("POST", endpoint, headers=headers, json=body)

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        outbound = Outbound(
            allow_private=self._allow_private, budget=self._budget, user_agent=self._user_agent
        )
        answer = outbound.request(method, url, **kwargs)
        if not 200 <= answer.status < 300:  # the body is never shown: it could be anything
            raise UpstreamError(f"The LMS answered {answer.status} at {url}.")
        return answer.json(url)
