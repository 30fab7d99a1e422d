"""Who may launch: snapshots of registrations and deployments, cached in the shared store.

Every login needs its registration and every launch its registration and deployment. They
change only when an admin acts (``lms-plugin platform ...``, ``deployments activate``), so the
launch path reads snapshots from the store, in the same round trip as its other reads, instead
of querying the database twice per launch. Any change made through the tool replaces the
*generation* token (:meth:`TenantDirectory.forget_all`), which retires every snapshot at once,
in every process; a snapshot's age (``SNAPSHOT_SECONDS`` by the directory's clock, with the
store's TTL as a backstop) bounds how long an edit made behind the tool's back (SQL by hand)
can go unseen. Only registered platforms and active deployments are cached: an unknown or
pending one always goes to the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.models import Deployment, Registration
from lms_plugin.kv import UNAVAILABLE, Get, KeyValueStore
from lms_plugin.lti.tool_config import find_registration

log = logging.getLogger(__name__)

SNAPSHOT_SECONDS = 60
_GENERATION = "tenants:generation"
_GENERATION_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class RegistrationInfo:
    id: int
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    product: str
    active: bool

    @classmethod
    def of(cls, row: Registration) -> RegistrationInfo:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class DeploymentInfo:
    id: int
    registration_id: int
    deployment_id: str
    status: str
    created_at: str  # ISO 8601; pins caches keyed by row ids to this database's rows

    @classmethod
    def of(cls, row: Deployment) -> DeploymentInfo:
        return cls(
            id=row.id,
            registration_id=row.registration_id,
            deployment_id=row.deployment_id,
            status=row.status,
            created_at=row.created_at.isoformat(),
        )


@dataclass(frozen=True)
class Known:
    """A registration this process has seen, under the generation it was current in."""

    generation: str
    registration: RegistrationInfo
    expires_at: float  # by the directory's clock: the same bound as the store's snapshots

    def confirmed_by(self, generation: str | None) -> bool:
        return generation == self.generation


class TenantDirectory:
    def __init__(self, store: KeyValueStore, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self.clock = clock  # seconds since the epoch, as snapshots in the store are dated
        self._known: dict[tuple[str, str], Known] = {}  # this process's login snapshots

    @staticmethod
    def read_generation() -> Get:
        """The store op whose result confirms (or not) a :class:`Known` snapshot."""
        return Get(_GENERATION)

    def known(self, issuer: str, client_id: str | None) -> Known | None:
        """What this process last saw for an active registration, to be confirmed by the
        caller in the same round trip as its own write (see ``lti.login``)."""
        known = self._known.get((issuer, client_id or ""))
        return known if known is not None and known.expires_at > self.clock() else None

    def forget_all(self) -> None:
        """Retire every snapshot (call after any change to registrations or deployments).

        Called after the change is committed: a store that does not answer then does not undo
        it or call it failed. Launches cannot read snapshots from a store that is down, and
        those it kept expire within ``SNAPSHOT_SECONDS``; the log says so."""
        try:
            self._store.set(_GENERATION, secrets.token_hex(8), _GENERATION_SECONDS)
        except UNAVAILABLE as exc:
            log.warning(
                "the shared store did not answer (%s): the change is saved, and launches see it "
                "once their cached snapshots expire, within %d s",
                exc.__class__.__name__,
                SNAPSHOT_SECONDS,
            )

    def registration(
        self, session: Session, issuer: str, client_id: str | None
    ) -> RegistrationInfo | None:
        """The registration for ``issuer`` + ``client_id`` (without a client_id: if unique)."""
        key = "tenants:login:" + _digest(issuer, client_id or "")
        generation, cached = self._store.batch([Get(_GENERATION), Get(key)])
        found = _fresh(cached, generation, self.clock())
        if found is not None:
            info = RegistrationInfo(**found)
        else:
            row = find_registration(session, issuer, client_id)
            if row is None:
                self._known.pop((issuer, client_id or ""), None)
                return None
            info = RegistrationInfo.of(row)
            self._remember(key, generation, asdict(info))
        if generation is not None and info.active:
            expires_at = self.clock() + SNAPSHOT_SECONDS
            self._known[(issuer, client_id or "")] = Known(generation, info, expires_at)
        else:
            self._known.pop((issuer, client_id or ""), None)
        return info

    def launch_reads(self, registration_id: int, deployment_id: str) -> list[Get]:
        """The store reads :meth:`for_launch` needs, for the caller to batch with its own."""
        return [Get(_GENERATION), Get(_launch_key(registration_id, deployment_id))]

    def for_launch(
        self,
        session: Session,
        registration_id: int,
        deployment_id: str,
        read: Sequence[str | None],
    ) -> tuple[RegistrationInfo | None, DeploymentInfo | None]:
        """The login's registration and the token's deployment (None: unknown or not active);
        ``read`` holds the results of :meth:`launch_reads`."""
        generation, cached = read
        found = _fresh(cached, generation, self.clock())
        if found is not None:
            return RegistrationInfo(**found["registration"]), DeploymentInfo(**found["deployment"])
        row = session.execute(
            select(Registration, Deployment)
            .outerjoin(
                Deployment,
                (Deployment.registration_id == Registration.id)
                & (Deployment.deployment_id == deployment_id),
            )
            .where(Registration.id == registration_id)
        ).first()
        if row is None:
            return None, None
        registration = RegistrationInfo.of(row[0])
        deployment = DeploymentInfo.of(row[1]) if row[1] is not None else None
        if registration.active and deployment is not None and deployment.status == "active":
            snapshot = {"registration": asdict(registration), "deployment": asdict(deployment)}
            self._remember(_launch_key(registration_id, deployment_id), generation, snapshot)
        return registration, deployment

    def _remember(self, key: str, generation: str | None, value: dict[str, Any]) -> None:
        if generation is None:  # first use (or the store was emptied): start a generation
            self.forget_all()
            return  # cached from the next request on, under the new generation
        expires = self.clock() + SNAPSHOT_SECONDS
        snapshot = {"generation": generation, "expires": expires, "value": value}
        self._store.set(key, json.dumps(snapshot), SNAPSHOT_SECONDS)


def _fresh(raw: str | None, generation: str | None, now: float) -> Any:
    """The cached value if it belongs to the current generation and is young enough."""
    if raw is None or generation is None:
        return None
    data = json.loads(raw)
    if data.get("generation") != generation or data.get("expires", 0) <= now:
        return None
    return data["value"]


def _launch_key(registration_id: int, deployment_id: str) -> str:
    return f"tenants:launch:{registration_id}:" + _digest(deployment_id)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
