"""OIDC third-party initiated login (LTI 1.3 Core §4.1; Security Framework §5.1.1).

The platform asks the tool to start a login; the tool binds a fresh state to a fresh nonce
server-side and redirects the browser to the platform's OIDC authorization endpoint with an
authentication request (Security Framework §5.1.1.2; OIDC Core §3.1.2.1).

The authentication request is built here, not by pylti1p3's ``OIDCLogin``: the state has to
name its registration (``launch_state``: the launch reads ahead by it), and ``OIDCLogin`` makes
the state and the nonce in private methods (``_get_uuid``, ``_generate_nonce``) with no public
hook, so using it meant overriding them. What it would add beyond that is its registration
lookup (ours is the cached ``TenantDirectory``) and one fixed dictionary of parameters. The state
cookie is still set through pylti1p3's cookie service (``lti.adapters.CookieJar``), by whose
name the launch reads it back.

The login is anonymous, so it checks everything before it looks anything up or stores a thing:
every parameter's size, the required ones, the target link; then the registration; only a
login for a registered, active platform writes a state record. The client address's count
(``edge_counts``) goes in the round trip that writes it; a login past its limit deletes the
record it wrote and is refused. A registration this process does not know yet is looked up only
after the count (in a round trip of its own then), so a flood of made-up issuers is limited too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from sqlalchemy.orm import Session

from lms_plugin.domain.errors import LaunchError, RateLimitedError
from lms_plugin.domain.launch import is_tool_url
from lms_plugin.edge_counts import UNCOUNTED, Budget
from lms_plugin.kv import KeyValueStore, Set
from lms_plugin.lti.adapters import CookieJar, CookieToSet, LtiRequest
from lms_plugin.lti.launch_state import (
    BoundState,
    PlatformStorage,
    new_nonce,
    new_state,
    save_state,
)
from lms_plugin.lti.tenants import RegistrationInfo, TenantDirectory

# The third-party initiated login parameters (LTI 1.3 Core §4.1.1) needed to start it again.
RESTART_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)
# Every parameter a login uses: the above, the platform's storage frame, our new-window mark.
LOGIN_PARAMS = (*RESTART_PARAMS, "lti_storage_target", "lti1p3_new_window")

# A frame name in the LMS page (Canvas: "post_message_forwarding"), or "_parent" itself.
_STORAGE_TARGET = re.compile(r"[A-Za-z0-9_.-]{1,100}")


@dataclass(frozen=True)
class LoginResult:
    redirect_url: str
    cookies: list[CookieToSet]
    state: str
    storage: PlatformStorage | None = None  # put the state there before redirecting


def check_sizes(params: Mapping[str, str], max_bytes: int) -> None:
    """Refuse a login any of whose parameters (name or value) is over ``max_bytes`` in UTF-8,
    before anything is looked up or stored: an anonymous request must not make us keep much."""
    for name, value in params.items():
        size = max(_utf8_len(name), _utf8_len(value))
        if size > max_bytes:
            raise LaunchError(
                "login_param_too_long", f"{name[:40]!r} is {size} bytes; at most {max_bytes}"
            )


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


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
    max_param_bytes: int,
    budget: Budget = UNCOUNTED,
) -> LoginResult:
    """Check the login request, bind a fresh state to a fresh nonce, return where to redirect.

    When this process already knows the registration, the state is written in the same round
    trip as the read that confirms the registration has not changed since; otherwise (or if it
    has) the registration is looked up first.
    """
    check_sizes(params, max_param_bytes)
    for name in ("iss", "login_hint"):
        if not params.get(name):
            raise LaunchError("login_param_missing", f"missing {name}")
    target = params.get("target_link_uri")
    if target and not is_tool_url(target, tool_url):
        raise LaunchError("target_link_foreign", f"got {target!r}")
    issuer, client_id = params["iss"], params.get("client_id")
    known = tenants.known(issuer, client_id)
    if known is not None:
        login = _login(params, cookies, secure, known.registration, tool_url, state_ttl)
        counts = budget.ops
        generation, _, *counted = store.batch([tenants.read_generation(), login.state, *counts])
        try:
            budget.settle(counted)
        except RateLimitedError:
            store.delete(login.state.key)  # over the limit: nothing kept
            raise
        if known.confirmed_by(generation):
            return login.result
        store.delete(login.state.key)  # written from a retired snapshot, never handed out
    budget.settle_alone(store)
    registration = tenants.registration(session, issuer, client_id)
    if registration is None:
        raise LaunchError("unknown_platform", f"issuer {issuer!r}, client_id {client_id!r}")
    login = _login(params, cookies, secure, registration, tool_url, state_ttl)
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
    registration: RegistrationInfo,
    tool_url: str,
    state_ttl: int,
) -> _Started:
    if not registration.active:
        raise LaunchError("platform_inactive")
    state, nonce = new_state(registration.id), new_nonce()
    storage = _storage(params, registration)
    record = BoundState(
        nonce=nonce,
        registration_id=registration.id,
        issuer=registration.issuer,
        client_id=registration.client_id,
        jwks_url=registration.jwks_url,
        restart={k: params[k] for k in RESTART_PARAMS if params.get(k)},
        storage=storage,
    )
    jar = CookieJar(LtiRequest(params, cookies, secure))
    jar.set_cookie(state, state, state_ttl)  # the launch in this browser brings it back
    url = _authentication_request(registration, params, tool_url, state, nonce)
    return _Started(
        LoginResult(url, jar.to_set, state, storage), save_state(state, record, state_ttl)
    )


def _authentication_request(
    registration: RegistrationInfo,
    params: Mapping[str, str],
    tool_url: str,
    state: str,
    nonce: str,
) -> str:
    """The OIDC authentication request to the platform (Security Framework §5.1.1.2)."""
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": tool_url.rstrip("/") + "/lti/launch",
        "state": state,
        "nonce": nonce,
        "login_hint": params["login_hint"],
    }
    if params.get("lti_message_hint"):  # LTI 1.3 Core §4.1.2: passed back unchanged
        query["lti_message_hint"] = params["lti_message_hint"]
    endpoint = registration.auth_login_url
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)
