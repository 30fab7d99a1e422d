"""A validated launch waiting for the browser's platform-storage check (Security Framework
§5.1.1.2 binds a login to the browser that started it; LTI Client Side postMessages §4).

When the state cookie did not come back (blocked in the LMS iframe), nothing may be recorded and
no session may start until the page has read the state back from the platform's storage in
this browser: otherwise an id_token posted from another browser (login CSRF) would leave that
browser signed in. So the validated launch is parked server-side under a random handle, short
and single use, and only the page's confirmation takes it up again.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from lms_plugin.domain.errors import LaunchError
from lms_plugin.domain.launch import LaunchContext
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.tenants import DeploymentInfo, RegistrationInfo

# The check page asks the platform's storage frame and posts back within seconds; the margin
# is for a slow device, not for a person (a refused check offers a new window instead).
PENDING_SECONDS = 120
_HANDLE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class PendingLaunch:
    """What recording the launch and opening the tool need, once the browser has confirmed."""

    state: str  # what the browser must read back from the platform's storage
    retry_url: str  # a new window, if it cannot
    context: LaunchContext
    registration: RegistrationInfo
    deployment: DeploymentInfo
    deep_link: dict[str, Any] | None  # a deep linking request's settings and deployment id
    cached_rows: str | None  # the launch's rows cache entry, read with the launch


def park(store: KeyValueStore, pending: PendingLaunch, ttl: int = PENDING_SECONDS) -> str:
    """Keep the launch server-side and return the random handle the check page posts back."""
    handle = secrets.token_urlsafe(32)
    store.set(_key(handle), json.dumps(asdict(pending), separators=(",", ":")), ttl)
    return handle


def take(store: KeyValueStore, handle: str, state: str) -> PendingLaunch:
    """The parked launch, once (the handle is consumed even when the state is wrong); the
    state the browser read from the platform's storage must be the launch's own."""
    raw = store.pop(_key(handle)) if _HANDLE.fullmatch(handle) else None
    if raw is None:
        raise LaunchError("state_unknown", "no pending launch under this handle")
    data = json.loads(raw)
    pending = PendingLaunch(
        state=data["state"],
        retry_url=data["retry_url"],
        context=LaunchContext(**{**data["context"], "roles": tuple(data["context"]["roles"])}),
        registration=RegistrationInfo(**data["registration"]),
        deployment=DeploymentInfo(**data["deployment"]),
        deep_link=data["deep_link"],
        cached_rows=data["cached_rows"],
    )
    if not hmac.compare_digest(state.encode("utf-8", "surrogatepass"), pending.state.encode()):
        raise LaunchError(
            "state_cookie_mismatch",
            "the state read in the browser is not this launch's",
            retry_url=pending.retry_url,
        )
    return pending


def _key(handle: str) -> str:
    return "lti-pending:" + handle
