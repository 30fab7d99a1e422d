"""The practice LMS's side of the LTI 1.3 launch: third-party initiated login and the OIDC
authentication response with a signed id_token.

LTI 1.3 Core §4.1.1 (the login initiation request sent to the tool), 1EdTech Security Framework
§5.1.1.2 (the tool's authentication request, checked here) and §5.1.1.3 (the response: an
id_token, RS256 with the platform's key named by ``kid``, posted to the registered redirect URI).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lms_plugin.demo import course
from lms_plugin.demo.claims import launch_claims
from lms_plugin.demo.config import PracticeConfig
from lms_plugin.lti.keys import kid_for

FIXED = {
    "scope": "openid",
    "response_type": "id_token",
    "response_mode": "form_post",
    "prompt": "none",
}


class AuthRequestRefused(Exception):
    """The authentication request is not one this LMS answers; the message says why."""


def login_url(config: PracticeConfig, person: course.Person) -> str:
    """Where the LMS sends the browser to start a launch (LTI 1.3 Core §4.1.1)."""
    query = {
        "iss": config.issuer,
        "login_hint": person.sub,
        "target_link_uri": config.launch_url,
        "lti_message_hint": course.LINK_ID,
        "client_id": config.client_id,
        "lti_deployment_id": course.DEPLOYMENT_ID,
    }
    return f"{config.tool_url}/lti/login?{urlencode(query)}"


def check_auth_request(
    config: PracticeConfig, params: Mapping[str, str], signed_in: str | None
) -> course.Person:
    """The person to launch, once every parameter is what Security §5.1.1.2 requires and the
    login_hint names whoever is signed in to this LMS."""
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
    if params.get("lti_message_hint") != course.LINK_ID:
        raise AuthRequestRefused("lti_message_hint does not name an activity of this course.")
    person = course.person(params.get("login_hint", ""))
    if person is None or not person.launchable or person.sub != signed_in:
        raise AuthRequestRefused(
            "login_hint is not the person signed in to the practice LMS: "
            "open the tool again from the course page."
        )
    return person


def id_token(config: PracticeConfig, person: course.Person, nonce: str) -> str:
    """The launch's id_token, signed with this LMS's RSA key."""
    pem = config.private_key_pem()
    claims = launch_claims(config, person, nonce=nonce, now=int(time.time()))
    return jwt.encode(claims, _private_key(pem), algorithm="RS256", headers={"kid": kid_for(pem)})


@lru_cache(maxsize=2)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    """The parsed key (parsing checks the RSA key, tens of milliseconds: once per process)."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key
