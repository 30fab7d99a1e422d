"""The practice LMS's side of the LTI 1.3 launch: third-party initiated login and the OIDC
authentication response with a signed id_token.

LTI 1.3 Core §4.1.1 (the login initiation request sent to the tool), 1EdTech Security Framework
§5.1.1.2 (the tool's authentication request, checked here) and §5.1.1.3 (the response: an
id_token, RS256 with the platform's key named by ``kid``, posted to the registered redirect URI).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lms_plugin.demo import course
from lms_plugin.demo.activities import Activities, Activity
from lms_plugin.demo.config import PracticeConfig
from lms_plugin.domain.errors import LmsError
from lms_plugin.lti.keys import kid_for

ADD_ACTIVITIES = "add-activities"  # lti_message_hint of an instructor's deep linking request
FIXED = {
    "scope": "openid",
    "response_type": "id_token",
    "response_mode": "form_post",
    "prompt": "none",
}


class AuthRequestRefused(LmsError):
    """The authentication request is not one this LMS answers; the message says why."""


def login_url(config: PracticeConfig, person: course.Person, hint: str) -> str:
    """Where the LMS sends the browser to start a launch (LTI 1.3 Core §4.1.1); ``hint`` names
    the activity (or ADD_ACTIVITIES), as the LMS will need it at the authentication request."""
    query = {
        "iss": config.issuer,
        "login_hint": person.sub,
        "target_link_uri": config.launch_url,
        "lti_message_hint": hint,
        "client_id": config.client_id,
        "lti_deployment_id": course.DEPLOYMENT_ID,
    }
    return f"{config.tool_url}/lti/login?{urlencode(query)}"


def check_auth_request(
    config: PracticeConfig,
    params: Mapping[str, str],
    signed_in: str | None,
    activities: Activities,
) -> tuple[course.Person, Activity | None]:
    """Who to launch into which activity (None: an instructor adding activities), once every
    parameter is what Security §5.1.1.2 requires and login_hint names whoever is signed in."""
    for name, value in FIXED.items():
        if params.get(name) != value:
            raise AuthRequestRefused(f"{name} must be {value!r}.")
    if params.get("client_id") != config.client_id:
        raise AuthRequestRefused("client_id is not the one this LMS gave the tool.")
    if params.get("redirect_uri") != config.launch_url:
        raise AuthRequestRefused("redirect_uri is not the tool's registered launch URL.")
    for name in ("nonce", "state"):
        if not params.get(name):
            raise AuthRequestRefused(f"{name} is missing.")
    person = course.person(params.get("login_hint", ""))
    if person is None or not person.launchable or person.sub != signed_in:
        raise AuthRequestRefused(
            "login_hint is not the person signed in to the practice LMS: "
            "open the tool again from the course page."
        )
    hint = params.get("lti_message_hint", "")
    if hint == ADD_ACTIVITIES and person.is_instructor:
        return person, None
    activity = activities.find(hint)
    if activity is None:
        raise AuthRequestRefused("lti_message_hint does not name an activity of this course.")
    return person, activity


def sign(config: PracticeConfig, claims: Mapping[str, Any]) -> str:
    """An id_token with these claims, signed with this LMS's RSA key (kid in its JWKS)."""
    pem = config.private_key_pem()
    return jwt.encode(
        dict(claims), _private_key(pem), algorithm="RS256", headers={"kid": kid_for(pem)}
    )


@lru_cache(maxsize=2)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    """The parsed key (parsing checks the RSA key, tens of milliseconds: once per process)."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key
