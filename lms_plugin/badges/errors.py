"""Why a credential could not be signed, read or verified.

CredentialError (InvalidInputError, 422)  a credential document is refused; `code` says why:
 ├── UnknownContextError   it names a JSON-LD context the tool does not ship (never fetched)
 └── StatusListError       a status list is malformed, too short, or full

The codes (`code` attribute) are stable, for the verify endpoint and the CLI to report:
unknown_context, jsonld_invalid, proof_missing, proof_malformed, proof_type, proof_purpose,
verification_method, signature_invalid, issuer_mismatch, jwt_malformed, jwt_invalid,
jwt_claims_mismatch, not_yet_valid, expired, status_list_invalid, status_list_full.
"""

from __future__ import annotations

from lms_plugin.domain.errors import InvalidInputError


class CredentialError(InvalidInputError):
    """A credential (or status list) that cannot be signed or does not verify."""

    status = 422
    code = "credential_invalid"


class UnknownContextError(CredentialError):
    """A JSON-LD context URL outside the shipped set: refused, never fetched."""

    code = "unknown_context"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The JSON-LD context {url!r} is not one the tool knows; it is not fetched."
        )
        self.url = url


class StatusListError(CredentialError):
    """A Bitstring Status List that cannot be decoded, or has no free index left."""

    code = "status_list_invalid"
