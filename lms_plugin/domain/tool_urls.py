"""The tool's addresses an LMS is given: at registration (by hand, by Dynamic Registration, by
Canvas's developer key JSON) and on the admin pages. One place for the paths ``web/lti.py`` and
``web/lti_config.py`` serve them at."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit


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


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host is this computer only (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761 §6.3
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# What to do about it, as every warning of it says (the CLI's; the pages translate their own).
SET_PUBLIC_URL = (
    "set LMS_PUBLIC_URL to the address the LMS reaches the tool at (https in production)"
)


def unreachable_from(lms_url: str, tool_url: str) -> bool:
    """Whether an LMS at ``lms_url`` cannot reach the tool served at ``tool_url``: the tool's
    address is this computer's loopback and the LMS is elsewhere. The LMS's server fetches the
    tool's key set (to grant the tokens that carry grades and rosters), so a launch from a
    browser on this computer may work while every grade fails."""
    return is_loopback_url(tool_url) and not is_loopback_url(lms_url)
