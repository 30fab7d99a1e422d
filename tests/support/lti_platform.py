"""A test LTI 1.3 platform: real RSA keys, real RS256 id_tokens, JWKS and OIDC auth over HTTP.

It plays the LMS in the suite. Its HTTP side (``/jwks``, ``/auth``, ``/token``) runs on
127.0.0.1 in a thread; tests also use :meth:`id_token` directly to forge bad launches.
"""

from __future__ import annotations

import base64
import html
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask import Flask, Response, abort, jsonify, request

from tests.support.servers import ServerThread

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
ADMIN = LIS + "institution/person#Administrator"


@dataclass
class PlatformUser:
    sub: str
    name: str
    email: str
    roles: list[str]


@dataclass
class SigningKey:
    kid: str
    private: Any

    @classmethod
    def rsa(cls) -> SigningKey:
        return cls("rsa-" + uuid.uuid4().hex[:8], rsa.generate_private_key(65537, 2048))

    def jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


@dataclass
class LmsPlatform:
    """One LMS: issuer, a client id for the tool, users, keys, and switches for faults."""

    issuer: str = "https://lms.example.edu"
    client_id: str = field(default_factory=lambda: "client-" + uuid.uuid4().hex[:6])
    deployment_id: str = "deployment-1"
    tool_url: str = ""
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.rsa()])
    users: dict[str, PlatformUser] = field(default_factory=dict)
    jwks_status: int = 200
    jwks_hits: int = 0
    extra_jwks: list[dict[str, Any]] = field(default_factory=list)
    server: ServerThread | None = None

    def __post_init__(self) -> None:
        self.add_user("learner-1", "Lena Learner", [LEARNER])
        self.add_user("teacher-1", "Theo Teacher", [INSTRUCTOR])

    # --- HTTP side ---------------------------------------------------------------------
    def start(self) -> LmsPlatform:
        self.server = ServerThread(self._app()).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def jwks_url(self) -> str:
        return self.url + "/jwks"

    def registration_args(self) -> dict[str, Any]:
        return {
            "name": "Test LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "jwks_url": self.jwks_url,
            "product": "moodle",
            "deployment_ids": (self.deployment_id,),
        }

    def _app(self) -> Flask:
        app = Flask("test-platform")

        @app.get("/jwks")
        def jwks() -> Response:
            self.jwks_hits += 1
            if self.jwks_status != 200:
                abort(self.jwks_status)
            return jsonify({"keys": [k.jwk() for k in self.keys] + self.extra_jwks})

        @app.get("/auth")
        def auth() -> str:
            return self._authorize(request.args.to_dict())

        return app

    def _authorize(self, params: dict[str, str]) -> str:
        """OIDC authentication response (LTI 1.3 Core §4.1.2): an auto-posting id_token form."""
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
        }
        for name, value in expected.items():
            if params.get(name) != value:
                abort(400, f"bad {name}")
        if params.get("redirect_uri") != self.tool_url + "/lti/launch":
            abort(400, "redirect_uri not registered")
        user = self.users.get(params.get("login_hint", ""))
        if user is None:
            abort(400, "unknown login_hint")
        hint = json.loads(params.get("lti_message_hint") or "{}")
        token = self.id_token(self.claims(nonce=params["nonce"], user=user, **hint))
        fields = {"id_token": token, "state": params["state"]}
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        action = html.escape(params["redirect_uri"])
        # Like a real LMS: the browser posts the id_token to the tool at once.
        return (
            f'<form method="post" action="{action}">{inputs}</form>'
            "<script>document.forms[0].submit()</script>"
        )

    # --- tokens ------------------------------------------------------------------------
    def add_user(self, sub: str, name: str, roles: list[str]) -> PlatformUser:
        self.users[sub] = PlatformUser(sub, name, f"{sub}@example.edu", roles)
        return self.users[sub]

    def login_params(self, login_hint: str = "learner-1", **extra: str) -> dict[str, str]:
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "client_id": self.client_id,
            "target_link_uri": self.tool_url + "/lti/launch",
            "lti_deployment_id": self.deployment_id,
            **extra,
        }

    def claims(
        self,
        *,
        nonce: str,
        user: PlatformUser | None = None,
        context_id: str = "course-101",
        resource_link_id: str = "link-1",
        **overrides: Any,
    ) -> dict[str, Any]:
        user = user or self.users["learner-1"]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": user.name,
            "email": user.email,
            CLAIM + "version": "1.3.0",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": self.tool_url + "/lti/launch",
            CLAIM + "roles": list(user.roles),
            CLAIM + "resource_link": {"id": resource_link_id, "title": "Module 1"},
            CLAIM + "context": {
                "id": context_id,
                "label": "ISP-101",
                "title": f"ISP Certificate {context_id}",
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": f"{self.url if self.server else ''}/ags/{context_id}/lineitems",
            },
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def id_token(
        self,
        claims: dict[str, Any],
        *,
        key: SigningKey | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        key = key or self.keys[0]
        return jwt.encode(
            claims, key.private, algorithm="RS256", headers={"kid": key.kid, **(headers or {})}
        )

    def rotate_key(self) -> SigningKey:
        """Publish a new key and sign with it from now on (old key stays published)."""
        self.keys.insert(0, SigningKey.rsa())
        return self.keys[0]

    def add_ec_key(self) -> str:
        key = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
        kid = "ec-" + uuid.uuid4().hex[:6]
        self.extra_jwks.append({**jwk, "kid": kid, "alg": "ES256"})
        return kid


def unsigned_token(claims: dict[str, Any], kid: str) -> str:
    """An ``alg: none`` token, built by hand since libraries rightly refuse to make one."""

    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims)}."


def message_hint(**values: str) -> str:
    return json.dumps(values)


def auth_url_params(location: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(location).query))


__all__ = ["ADMIN", "INSTRUCTOR", "LEARNER", "LmsPlatform", "unsigned_token", "urlencode"]
