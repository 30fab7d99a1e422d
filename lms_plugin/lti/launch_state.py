"""Server-side, single-use OIDC state bound to its nonce (Security Framework §5.1.1.1-2).

At login we store ``state -> {nonce, registration_id}`` with a TTL; at launch the state is
popped atomically (so it works once, across processes) and the token's nonce must equal the
bound one. Used nonces are remembered for the token's lifetime so a replay is refused even
if a state were somehow reissued.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pylti1p3.session import SessionService

from lms_plugin.kv import Add, KeyValueStore, Set


@dataclass(frozen=True)
class BoundState:
    """What login bound to a state: the nonce and the registration the login was for."""

    nonce: str
    registration_id: int
    issuer: str
    client_id: str
    jwks_url: str
    target_link_uri: str | None
    restart: dict[str, str] = field(default_factory=dict)  # login params, for a new window


class ServerSideSession(SessionService):
    """pylti1p3 session service whose state/nonce go to our shared store, not the Flask session.

    pylti1p3 hands over the state record; the login writes it (:attr:`write`) in its own round
    trip to the store."""

    def __init__(self, ttl: int) -> None:
        self._ttl = ttl
        self._pending_nonce: str | None = None
        self.write: Set | None = None

    # pylti1p3's OIDCLogin calls save_nonce() and then save_state_params() for the same login.
    def save_nonce(self, nonce: str) -> None:
        self._pending_nonce = nonce

    def save_state_params(self, state: str, params: dict[str, Any]) -> None:
        assert self._pending_nonce is not None, "save_nonce must come first"
        record = {"nonce": self._pending_nonce, **params}
        self.write = Set("lti-state:" + state, json.dumps(record), self._ttl)

    def check_nonce(self, nonce: str) -> bool:  # pragma: no cover - we validate nonces ourselves
        raise NotImplementedError("nonces are checked by lms_plugin.lti.launch")


def consume_state(store: KeyValueStore, state: str) -> BoundState | None:
    """Pop the state (single use); ``None`` when unknown, expired or already used."""
    raw = store.pop("lti-state:" + state)
    if raw is None:
        return None
    record = json.loads(raw)
    return BoundState(
        nonce=record["nonce"],
        registration_id=int(record["registration_id"]),
        issuer=record["issuer"],
        client_id=record["client_id"],
        jwks_url=record["jwks_url"],
        target_link_uri=record.get("target_link_uri"),
        restart=record.get("restart") or {},
    )


def claim_nonce(nonce: str, ttl: int) -> Add:
    """The store op that marks a nonce used: its result is True the first time only (a replay
    from any browser or process gets False). Batched with the launch's other store reads."""
    return Add("lti-nonce:" + nonce, "1", ttl)
