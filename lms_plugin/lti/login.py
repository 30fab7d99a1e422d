"""OIDC third-party initiated login (LTI 1.3 Core §4.1; Security Framework §5.1.1)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from pylti1p3.exception import OIDCException
from pylti1p3.oidc_login import OIDCLogin
from sqlalchemy.orm import Session

from lms_plugin.domain.errors import LaunchError
from lms_plugin.domain.launch import is_tool_url
from lms_plugin.kv import KeyValueStore, Set
from lms_plugin.lti.adapters import CookieJar, CookieToSet, LtiRequest, UrlRedirect
from lms_plugin.lti.launch_state import PlatformStorage, ServerSideSession, state_suffix
from lms_plugin.lti.tenants import RegistrationInfo, TenantDirectory
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


# A frame name in the LMS page (Canvas: "post_message_forwarding"), or "_parent" itself.
_STORAGE_TARGET = re.compile(r"[A-Za-z0-9_.-]{1,100}")


class _Login(OIDCLogin[LtiRequest, DbToolConf, ServerSideSession, CookieJar, str]):
    registration_id = 0

    def _get_uuid(self) -> str:  # pylti1p3 makes the state "state-" + this
        return state_suffix(self.registration_id)

    def get_redirect(self, url: str) -> UrlRedirect:
        return UrlRedirect(url)

    def _generate_nonce(self) -> str:
        return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class LoginResult:
    redirect_url: str
    cookies: list[CookieToSet]
    state: str
    storage: PlatformStorage | None = None  # put the state there before redirecting


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
    """Check the login request, bind a fresh state to a fresh nonce, return where to redirect.

    When this process already knows the registration, the state is written in the same round
    trip as the read that confirms the registration has not changed since; otherwise (or if it
    has) the registration is looked up first.
    """
    for name in ("iss", "login_hint"):
        if not params.get(name):
            raise LaunchError("login_param_missing", f"missing {name}")
    target = params.get("target_link_uri")
    if target and not is_tool_url(target, tool_url):
        raise LaunchError("target_link_foreign", f"got {target!r}")
    issuer, client_id = params["iss"], params.get("client_id")
    known = tenants.known(issuer, client_id)
    if known is not None:
        login = _login(params, cookies, secure, session, known.registration, tool_url, state_ttl)
        generation, _ = store.batch([tenants.read_generation(), login.state])
        if known.confirmed_by(generation):
            return login.result
        store.delete(login.state.key)  # written from a retired snapshot, never handed out
    registration = tenants.registration(session, issuer, client_id)
    if registration is None:
        raise LaunchError("unknown_platform", f"issuer {issuer!r}, client_id {client_id!r}")
    login = _login(params, cookies, secure, session, registration, tool_url, state_ttl)
    store.batch([login.state])
    return login.result


@dataclass(frozen=True)
class _Started:
    result: LoginResult
    state: Set  # the state record, for the caller to write


def _storage(params: Mapping[str, str], registration: RegistrationInfo) -> PlatformStorage | None:
    """The platform's storage frame, when the login offers one (LTI Client Side postMessages);
    it answers from the origin of the platform's OIDC authorization endpoint."""
    target = params.get("lti_storage_target")
    if not target or not _STORAGE_TARGET.fullmatch(target):
        return None
    auth = urlsplit(registration.auth_login_url)
    return PlatformStorage(target=target, origin=f"{auth.scheme}://{auth.netloc}")


def _login(
    params: Mapping[str, str],
    cookies: Mapping[str, str],
    secure: bool,
    session: Session,
    registration: RegistrationInfo,
    tool_url: str,
    state_ttl: int,
) -> _Started:
    if not registration.active:
        raise LaunchError("platform_inactive")
    request = LtiRequest(params, cookies, secure)
    jar = CookieJar(request)
    config = DbToolConf(session).remember(registration, asked_client_id=params.get("client_id"))
    state_service = ServerSideSession(state_ttl)
    login = _Login(request, config, state_service, jar)
    login.registration_id = registration.id
    storage = _storage(params, registration)
    login.pass_params_to_launch(
        {
            "storage": asdict(storage) if storage else None,
            "registration_id": registration.id,
            "issuer": registration.issuer,
            "client_id": registration.client_id,
            "jwks_url": registration.jwks_url,
            "target_link_uri": params.get("target_link_uri"),
            "restart": {k: params[k] for k in RESTART_PARAMS if params.get(k)},
        }
    )
    try:
        redirect = login.get_redirect_object(tool_url.rstrip("/") + "/lti/launch")
    except OIDCException as exc:
        raise LaunchError("unknown_platform", str(exc)) from exc
    assert state_service.write and state_service.state, "pylti1p3 saves the state first"
    result = LoginResult(redirect.get_redirect_url(), jar.to_set, state_service.state, storage)
    return _Started(result, state_service.write)
