"""``lms-plugin check --public-url``: fetch the tool's keyset at ``LMS_PUBLIC_URL`` from the
server, as an LMS does first, and compare it with the keys this tool's database holds.

It finds what the other checks cannot see: a proxy that does not send the public URL (or its
path) to the tool, a TLS certificate the server does not trust, or another tool, or another
database, answering at that address.
"""

from __future__ import annotations

import requests

from lms_plugin.domain.tool_urls import ToolUrls
from lms_plugin.lti.outbound import why_unreachable

TIMEOUT_SECONDS = 10


def require_own_keyset(public_url: str, our_kids: set[str]) -> None:
    """Raise, saying what an LMS would meet, unless the keyset at ``public_url`` is ours."""
    url = ToolUrls.at(public_url).jwks
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        raise RuntimeError(f"{url} did not answer: {why_unreachable(exc)}") from None
    if answer.status_code != 200:
        raise RuntimeError(
            f"{url} answered {answer.status_code}: the proxy or server at that address does not "
            "send it to the tool (is the tool's web running, and the path passed on?)"
        )
    try:
        published = {str(key["kid"]) for key in answer.json()["keys"]}
    except (ValueError, KeyError, TypeError):
        raise RuntimeError(f"{url} answered with something that is not a keyset") from None
    if not our_kids & published:
        raise RuntimeError(
            f"{url} publishes other keys than this tool's database holds: another tool, or this "
            "tool on another database, answers at LMS_PUBLIC_URL"
        )
