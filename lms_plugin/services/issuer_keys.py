"""The issuer's signing keys: make them, rotate them, sign with the active ones, publish all.

Two kinds, one active key each (a partial unique index holds it under concurrency):

* ``ed25519`` signs the Data Integrity proof (eddsa-rdfc-2022, the credential's embedded proof)
  and is published in the issuer Profile as a Multikey (VC DI EdDSA v1.0 §2.1.1);
* ``rsa`` (2048 bits, RFC 7518 §3.3) signs the VC-JWT form with RS256: OB 3.0 §8.2.3 makes RS256
  the one algorithm every verifier must support ("MUST be RS256 as a minimum") and 1EdTech's
  conformance signs the JWT form with an RSA key, so an EdDSA JWT would limit who can read it.
  Its `kid` is the URL of its public JWK (CredentialUrls.issuer_key).

Rotation retires the active keys and makes new ones. Retired keys are never deleted: the Profile
and the JWKS keep publishing them, so credentials signed before a rotation still verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.multikey import decode_public_key, multikey_id, public_key_multibase
from lms_plugin.badges.profile import issuer_profile, issuer_reference
from lms_plugin.badges.vc_jwt import KeyResolver, PublicKey, public_jwk
from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import IssuerKey
from lms_plugin.domain.content.model import Competency
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.errors import LmsError, NotFoundError
from lms_plugin.settings import Settings

KINDS = ("ed25519", "rsa")
RSA_BITS = 2048


class NoIssuerKeyError(LmsError):
    """The issuer has no active key of a kind (a fresh install: `ensure_issuer_keys`)."""

    status = 503
    code = "no_issuer_key"


@dataclass(frozen=True)
class SigningKeys:
    """The active keys, parsed, with the names a credential gives them."""

    proof_key: ed25519.Ed25519PrivateKey
    verification_method: str  # <issuer id>#<publicKeyMultibase>
    jwt_key: rsa.RSAPrivateKey
    jwt_kid: str  # the URL of its public JWK


def _new_key(kind: str) -> IssuerKey:
    key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
    if kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        kid = public_key_multibase(key.public_key())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
        kid = rsa_thumbprint(key.public_key())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return IssuerKey(kind=kind, kid=kid, private_key_pem=pem, state="active")


def rsa_thumbprint(key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key."""
    jwk = public_jwk(key)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@lru_cache(maxsize=32)
def _parse(pem: str) -> Any:
    # Loading an RSA private key runs its consistency checks (tens of ms): once per key.
    return serialization.load_pem_private_key(pem.encode(), password=None)


def _keys(session: Session, kind: str, state: str | None = None) -> list[IssuerKey]:
    query = select(IssuerKey).where(IssuerKey.kind == kind)
    if state is not None:
        query = query.where(IssuerKey.state == state)
    # active first, then the retired ones, newest first
    return list(session.scalars(query.order_by(IssuerKey.state, IssuerKey.id.desc())))


def ensure_issuer_keys(session: Session) -> int:
    """Make an active key of each kind that has none; returns how many were made."""
    made = 0
    for kind in KINDS:
        if _keys(session, kind, "active"):
            continue
        session.add(_new_key(kind))
        try:
            session.commit()
            made += 1
        except IntegrityError:  # another process made it first: theirs is the active one
            session.rollback()
    return made


def rotate_issuer_keys(session: Session) -> list[IssuerKey]:
    """Retire the active keys and make new active ones (one transaction); returns the new."""
    now = utcnow()
    for key in session.scalars(
        select(IssuerKey).where(IssuerKey.state == "active").with_for_update()
    ):
        key.state, key.retired_at = "retired", now
    session.flush()  # the retired rows leave the one-active index before the new ones enter
    fresh = [_new_key(kind) for kind in KINDS]
    session.add_all(fresh)
    session.commit()
    return fresh


# Opened (unsealed and parsed) private keys by (kind, kid), for as long as the process lives. A
# kid names the key's material (the Multikey or RFC 7638 thumbprint of its public key), and a
# rotation makes new keys with new kids, so an entry is never stale: each drain call reads the
# active kids only, and opens a sealed key once, the first time the process signs with it.
_OPENED: dict[tuple[str, str], Any] = {}


def signing_keys(session: Session, urls: CredentialUrls) -> SigningKeys:
    """The active keys. Never commits (callers may hold locks): `ensure_issuer_keys` first."""
    active = {
        kind: (row_id, kid)
        for row_id, kind, kid in session.execute(
            select(IssuerKey.id, IssuerKey.kind, IssuerKey.kid).filter_by(state="active")
        )
    }
    if len(active) < len(KINDS):
        raise NoIssuerKeyError("the issuer has no active keys: run lms-plugin db upgrade")
    unopened = [row_id for kind, (row_id, kid) in active.items() if (kind, kid) not in _OPENED]
    if unopened:
        for key in session.scalars(select(IssuerKey).where(IssuerKey.id.in_(unopened))):
            _OPENED[(key.kind, key.kid)] = _parse(key.private_key_pem)
    proof_key = _OPENED[("ed25519", active["ed25519"][1])]
    return SigningKeys(
        proof_key=proof_key,
        verification_method=multikey_id(urls.issuer(), proof_key.public_key()),
        jwt_key=_OPENED[("rsa", active["rsa"][1])],
        jwt_kid=urls.issuer_key(active["rsa"][1]),
    )


def proof_public_keys(session: Session) -> list[ed25519.Ed25519PublicKey]:
    """Every Ed25519 public key, active first then retired: what the Profile publishes. Read from
    the kids, which are the keys' Multikey encodings: no private key is opened to publish them."""
    kids = session.scalars(
        select(IssuerKey.kid)
        .where(IssuerKey.kind == "ed25519")
        .order_by(IssuerKey.state, IssuerKey.id.desc())
    )
    return [_public_multikey(kid) for kid in kids]


@lru_cache(maxsize=64)
def _public_multikey(kid: str) -> ed25519.Ed25519PublicKey:
    return decode_public_key(kid)


def jwt_public_keys(session: Session) -> dict[str, rsa.RSAPublicKey]:
    """kid -> RSA public key, active and retired."""
    return {key.kid: _parse(key.private_key_pem).public_key() for key in _keys(session, "rsa")}


def issuer_jwks(session: Session, urls: CredentialUrls) -> dict[str, Any]:
    """Every issuer JWT key as a JWKS, each `kid` the URL a VC-JWT header names."""
    return {
        "keys": [
            public_jwk(key, kid=urls.issuer_key(kid))
            for kid, key in jwt_public_keys(session).items()
        ]
    }


def issuer_public_jwk(session: Session, urls: CredentialUrls, kid: str) -> dict[str, Any]:
    """The public JWK a VC-JWT's `kid` URL serves; NotFoundError for an unknown kid."""
    key = jwt_public_keys(session).get(kid)
    if key is None:
        raise NotFoundError("The issuer has no such key.")
    return public_jwk(key, kid=urls.issuer_key(kid))


def jwt_key_resolver(session: Session, urls: CredentialUrls) -> KeyResolver:
    """Finds the issuer RSA key a VC-JWT header names, by `kid` URL or by an embedded `jwk`
    equal to one of them; any other key is not this issuer's."""
    keys = jwt_public_keys(session)

    def resolve(header: Any) -> PublicKey:
        kid, jwk = header.get("kid"), header.get("jwk")
        for thumbprint, key in keys.items():
            if kid == urls.issuer_key(thumbprint):
                return key
            if kid is None and isinstance(jwk, dict) and jwk.get("n") == public_jwk(key)["n"]:
                return key
        raise CredentialError(
            "The JWT is signed with a key this issuer does not publish.",
            code="verification_method",
        )

    return resolve


def issuer_key_report(session: Session) -> str:
    """One line on the issuer's keys for `lms-plugin check`; every key is opened (so a key
    sealed with another secret fails here); keys, but none active of a kind, is an error."""
    counts: dict[str, dict[str, int]] = {kind: {"active": 0, "retired": 0} for kind in KINDS}
    for key in session.scalars(select(IssuerKey)):
        _parse(key.private_key_pem)
        counts.setdefault(key.kind, {}).setdefault(key.state, 0)
        counts[key.kind][key.state] += 1
    if not any(sum(state.values()) for state in counts.values()):
        return "issuer keys: none yet (lms-plugin db upgrade, or the first credential, makes them)"
    missing = [kind for kind in KINDS if not counts[kind]["active"]]
    if missing:
        raise NoIssuerKeyError(
            f"no active {', '.join(missing)} issuer key: run lms-plugin db upgrade"
        )
    return "issuer keys: " + "; ".join(
        f"{kind} {state['active']} active, {state['retired']} retired"
        for kind, state in counts.items()
    )


@dataclass(frozen=True)
class Issuer:
    """Who issues: the deployment's credential URLs, the organisation's name and home page, and
    the competency catalogue the alignments name (needed only to issue)."""

    urls: CredentialUrls
    name: str
    url: str
    competencies: Mapping[str, Competency] = field(default_factory=dict)
    email: str = ""  # the Profile's contact address, when LMS_ISSUER_EMAIL sets one

    @property
    def reference(self) -> dict[str, Any]:
        """The `issuer` a credential embeds (OB 3.0 Profile: id, type, name, url)."""
        return issuer_reference(self.urls.issuer(), self.name, self.url)


def issuer_from_settings(
    settings: Settings, competencies: Mapping[str, Competency] | None = None
) -> Issuer:
    """LMS_ISSUER_NAME, LMS_ISSUER_URL ("" is LMS_PUBLIC_URL) and LMS_ISSUER_EMAIL over
    LMS_PUBLIC_URL's URLs."""
    return Issuer(
        urls=CredentialUrls(settings.public_url),
        name=settings.issuer_name,
        url=settings.issuer_url or settings.public_url,
        competencies=competencies or {},
        email=settings.issuer_email,
    )


def issuer_profile_document(session: Session, issuer: Issuer) -> dict[str, Any]:
    """The issuer Profile served at its id, with every Ed25519 key, active and retired."""
    return profile_of(issuer, proof_public_keys(session))


def profile_of(issuer: Issuer, keys: Iterable[ed25519.Ed25519PublicKey]) -> dict[str, Any]:
    """The issuer Profile publishing `keys` (in their order)."""
    extra = {"email": issuer.email} if issuer.email else {}
    return issuer_profile(issuer.urls.issuer(), issuer.name, issuer.url, keys, **extra)


def proof_kids_subquery() -> Any:
    """The kids of every Ed25519 key, space-separated in no order, as a scalar subquery: for a
    reader that asks for them together with something else."""
    return (
        select(func.aggregate_strings(IssuerKey.kid, " "))
        .where(IssuerKey.kind == "ed25519")
        .scalar_subquery()
    )


def public_keys_of(kids: str | None) -> list[ed25519.Ed25519PublicKey]:
    """The Ed25519 public keys `proof_kids_subquery` names, in kid order."""
    return [_public_multikey(kid) for kid in sorted((kids or "").split())]
