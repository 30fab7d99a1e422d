"""Verifying a credential with an embedded proof: the proof, who made it, and when it is valid.

VC Data Model 2.0 §4.7 (Issuer) and §4.9 (Validity Period); OB 3.0 §"Verification" steps for a
Linked Data proof: the proof verifies (data_integrity), the key's controller is the credential's
`issuer` (the check jsonld-signatures' CredentialIssuancePurpose makes), and `validFrom` has passed
and `validUntil` has not. The status (revocation) is checked by the caller with status_list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lms_plugin.badges.data_integrity import Resolver, parse_xsd_datetime, verify_proof
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.multikey import VerificationMethod


def issuer_id(credential: Mapping[str, Any]) -> str:
    """The credential's issuer id (`issuer` is a URL or a Profile object with an id)."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(value, str):
        raise CredentialError("The credential names no issuer id.", code="proof_malformed")
    return value


def check_validity_period(credential: Mapping[str, Any], now: datetime) -> None:
    """`CredentialError` unless `now` lies in [validFrom, validUntil) (VCDM 2.0 §4.9)."""
    valid_from = credential.get("validFrom")
    if valid_from is not None and parse_xsd_datetime(valid_from, "validFrom") > now:
        raise CredentialError("The credential is not valid yet.", code="not_yet_valid")
    valid_until = credential.get("validUntil")
    if valid_until is not None and parse_xsd_datetime(valid_until, "validUntil") <= now:
        raise CredentialError("The credential has expired.", code="expired")


def verify_credential(
    credential: Mapping[str, Any], resolve: Resolver, *, now: datetime
) -> VerificationMethod:
    """The issuer key that signed `credential`; `CredentialError` with the reason otherwise."""
    method = verify_proof(credential, resolve, now=now)
    if method.controller != issuer_id(credential):
        raise CredentialError(
            "The credential is signed with a key its issuer does not control.",
            code="issuer_mismatch",
        )
    check_validity_period(credential, now)
    return method
