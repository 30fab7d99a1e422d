"""The tool's addresses an LMS is given: at registration (by hand, by Dynamic Registration, by
Canvas's developer key JSON) and on the admin pages. One place for the paths ``web/lti.py`` and
``web/lti_config.py`` serve them at."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolUrls:
    base: str
    login: str  # OpenID Connect login initiation
    launch: str  # the target link URI, the redirect URI and the deep linking URL
    jwks: str  # the tool's public keyset
    canvas: str  # Canvas's developer key configuration ("Enter URL")

    @classmethod
    def at(cls, tool_url: str) -> ToolUrls:
        """The addresses of the tool served at ``tool_url`` (its public URL)."""
        base = tool_url.rstrip("/")
        return cls(
            base=base,
            login=base + "/lti/login",
            launch=base + "/lti/launch",
            jwks=base + "/lti/jwks",
            canvas=base + "/lti/config/canvas.json",
        )
