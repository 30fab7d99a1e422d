"""The practice LMS's side of Deep Linking 2.0: what comes back when an instructor picks
activities in the tool.

DL 2.0 §4.5 (the LtiDeepLinkingResponse: a JWT the tool signs with its key, published in its
JWKS; iss the client id, aud this platform; the request's ``data`` echoed) and §3.1 (each
ltiResourceLink content item, with its custom parameters and, per AGS 2.0 §3.2.3, the line item
the platform makes for it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jwt

from lms_plugin.demo import course
from lms_plugin.demo.activities import Activities, Activity, new_link_id
from lms_plugin.demo.claims import CLAIM
from lms_plugin.demo.config import PracticeConfig
from lms_plugin.domain.errors import LmsError
from lms_plugin.domain.launch import is_tool_url

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
MAX_ITEMS = 50


class DeepLinkRefused(LmsError):
    """The answer is not one this LMS accepts; the message says why."""


def read_answer(
    config: PracticeConfig, token: str, keys: jwt.PyJWKClient, activities: Activities
) -> list[Mapping[str, Any]]:
    """The ltiResourceLink items of a verified LtiDeepLinkingResponse for a request we made."""
    try:
        key = keys.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=config.issuer,
            issuer=config.client_id,
            leeway=5,
            options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.PyJWTError as exc:
        raise DeepLinkRefused(f"The tool's answer does not verify: {exc}") from None
    expected = {
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": course.DEPLOYMENT_ID,
    }
    for name, value in expected.items():
        if claims.get(name) != value:
            raise DeepLinkRefused(f"{name.rsplit('/', 1)[1]} must be {value!r}.")
    if not activities.take_answer(claims.get(DL + "data")):
        raise DeepLinkRefused("This answers no request of ours that is still open.")
    items = claims.get(DL + "content_items") or []
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise DeepLinkRefused("content_items must be a list.")
    links = [i for i in items if isinstance(i, Mapping) and i.get("type") == "ltiResourceLink"]
    for item in links:
        if "url" in item and not is_tool_url(item["url"], config.tool_url):
            raise DeepLinkRefused("A link points outside the tool.")
    return links


def add_activities(
    items: list[Mapping[str, Any]], make_lineitem: Callable[[str, Mapping[str, Any]], int]
) -> list[Activity]:
    """An activity per item, with the gradebook column its lineItem asks for (or a plain one)."""
    added = []
    for item in items:
        title = str(item.get("title") or course.LINK_TITLE)[:200]
        module = _mapping(item.get("custom")).get("module")
        link_id = new_link_id()
        wanted = {"label": title, "scoreMaximum": 100, **_mapping(item.get("lineItem"))}
        lineitem = make_lineitem(link_id, wanted)
        added.append(
            Activity(link_id, title, lineitem, module if isinstance(module, str) else None)
        )
    return added


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
