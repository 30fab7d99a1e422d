"""OIDC third-party initiated login (LTI 1.3 Core §4.1; Security Framework §5.1.1)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from pylti1p3.exception import OIDCException
from pylti1p3.oidc_login import OIDCLogin
from sqlalchemy.orm import Session

from lms_plugin.domain.errors import LaunchError
from lms_plugin.domain.launch import is_tool_url
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.adapters import CookieJar, CookieToSet, LtiRequest, UrlRedirect
from lms_plugin.lti.launch_state import ServerSideSession
from lms_plugin.lti.tenants import TenantDirectory
from lms_plugin.lti.tool_config import DbToolConf

# The third-party initiated login parameters (LTI 1.3 Core §4.1.1) needed to start it again.
RESTART_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)


class _Login(OIDCLogin[LtiRequest, DbToolConf, ServerSideSession, CookieJar, str]):
    def get_redirect(self, url: str) -> UrlRedirect:
        return UrlRedirect(url)

    def _generate_nonce(self) -> str:
        return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class LoginResult:
    redirect_url: str
    cookies: list[CookieToSet]


def begin_login(
    params: Mapping[str, str],
    cookies: Mapping[str, str],
    *,
    secure: bool,
    session: Session,
    store: KeyValueStore,
    tenants: TenantDirectory,
    tool_url: str,
    state_ttl: int,
) -> LoginResult:
    """Check the login request, bind a fresh state to a fresh nonce, return where to redirect."""
    for name in ("iss", "login_hint"):
        if not params.get(name):
            raise LaunchError("login_param_missing", f"missing {name}")
    registration = tenants.registration(session, params["iss"], params.get("client_id"))
    if registration is None:
        raise LaunchError(
            "unknown_platform", f"issuer {params['iss']!r}, client_id {params.get('client_id')!r}"
        )
    if not registration.active:
        raise LaunchError("platform_inactive")
    target = params.get("target_link_uri")
    if target and not is_tool_url(target, tool_url):
        raise LaunchError("target_link_foreign", f"got {target!r}")

    request = LtiRequest(params, cookies, secure)
    jar = CookieJar(request)
    config = DbToolConf(session).remember(registration, asked_client_id=params.get("client_id"))
    login = _Login(request, config, ServerSideSession(store, state_ttl), jar)
    login.pass_params_to_launch(
        {
            "registration_id": registration.id,
            "issuer": registration.issuer,
            "client_id": registration.client_id,
            "jwks_url": registration.jwks_url,
            "target_link_uri": target,
            "restart": {k: params[k] for k in RESTART_PARAMS if params.get(k)},
        }
    )
    try:
        redirect = login.get_redirect_object(tool_url.rstrip("/") + "/lti/launch")
    except OIDCException as exc:
        raise LaunchError("unknown_platform", str(exc)) from exc
    return LoginResult(redirect.get_redirect_url(), jar.to_set)
