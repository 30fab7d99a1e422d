"""Server-side, single-use OIDC state bound to its nonce (Security Framework §5.1.1.1-2).

At login we store ``state -> {nonce, registration_id, ...}`` with a TTL; at launch the state is
popped atomically (so it works once, across processes) and the token's nonce must equal the
bound one. Used nonces are remembered for the token's lifetime so a replay is refused even
if a state were somehow reissued.

Where the platform offers LTI platform storage (``lti_storage_target`` at login, 1EdTech LTI
Client Side postMessages), the login also puts the state in the platform's storage frame and
the record remembers it, so a launch whose state cookie was blocked is confirmed by the browser
reading the state back from there instead (``lti.platform_storage``).

A state names its registration (``state-<registration id>.<random>``) so the launch can name
its other store reads before the record comes back and send them in the same round trip; the
name is trusted only once the record it names has been popped.

Anyone can start a login, so the record is kept lean: what the launch checks, plus the login
parameters a new window needs to start the same login again (each capped by the login, kept
as the query string the retry link uses, at most 3 bytes per byte of parameter).
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qsl, urlencode

from lms_plugin.kv import Add, Pop, Set


@dataclass(frozen=True)
class PlatformStorage:
    """Where the login put the state in the browser: the platform's storage frame (a frame name,
    or ``_parent``) and the origin it answers from (its OIDC authorization endpoint's)."""

    target: str
    origin: str

    @staticmethod
    def key(state: str) -> str:
        """The storage key the login writes the state under and the launch reads it from."""
        return "state_" + state


@dataclass(frozen=True)
class BoundState:
    """What login bound to a state: the nonce and the registration the login was for."""

    nonce: str
    registration_id: int
    issuer: str
    client_id: str
    jwks_url: str
    restart: dict[str, str] = field(default_factory=dict)  # login params, for a new window
    storage: PlatformStorage | None = None  # the login also used the platform's storage


def new_state(registration_id: int) -> str:
    """A fresh state that names its registration: ``state-<id>.<random UUID>``."""
    return "state-" + state_suffix(registration_id)


def state_suffix(registration_id: int) -> str:
    """What follows ``state-`` in a state: the registration's id, then a random UUID."""
    return f"{registration_id}.{uuid.uuid4()}"


def new_nonce() -> str:
    """A nonce with 256 bits from the OS's CSPRNG (OIDC Core §3.1.2.1, §15.5.2)."""
    return secrets.token_urlsafe(32)


def save_state(state: str, record: BoundState, ttl: int) -> Set:
    """The store op that writes the state record (the login sends it in its own round trip)."""
    data: dict[str, object] = {
        "nonce": record.nonce,
        "registration_id": record.registration_id,
        "issuer": record.issuer,
        "client_id": record.client_id,
        "jwks_url": record.jwks_url,
    }
    if record.restart:
        data["restart"] = urlencode(record.restart)
    if record.storage is not None:
        data["storage"] = asdict(record.storage)
    return Set("lti-state:" + state, json.dumps(data, separators=(",", ":")), ttl)


def registration_named_by(state: str) -> int | None:
    """The registration id a state names (unverified until its record is popped)."""
    head, dot, _ = state.removeprefix("state-").partition(".")
    return int(head) if dot and head.isascii() and head.isdigit() and len(head) < 12 else None


def pop_state(state: str) -> Pop:
    """The store op that consumes the state (single use); read its result with :func:`bound`."""
    return Pop("lti-state:" + state)


def bound(raw: str | None) -> BoundState | None:
    """What the popped state record bound; ``None`` when unknown, expired or already used."""
    if raw is None:
        return None
    record = json.loads(raw)
    return BoundState(
        nonce=record["nonce"],
        registration_id=int(record["registration_id"]),
        issuer=record["issuer"],
        client_id=record["client_id"],
        jwks_url=record["jwks_url"],
        restart=dict(parse_qsl(record.get("restart") or "")),
        storage=PlatformStorage(**record["storage"]) if record.get("storage") else None,
    )


def claim_nonce(nonce: str, ttl: int) -> Add:
    """The store op that marks a nonce used: its result is True the first time only (a replay
    from any browser or process gets False). Batched with the launch's other store reads."""
    return Add("lti-nonce:" + nonce, "1", ttl)
