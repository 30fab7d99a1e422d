"""Credentials for the badge tests: 1EdTech's OB 3.0 test vector and small OpenBadgeCredentials."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms_plugin.badges.data_integrity import add_proof
from lms_plugin.badges.loader import CREDENTIALS_V2, OB_V3P0
from lms_plugin.badges.multikey import multikey_id
from lms_plugin.badges.profile import issuer_profile, issuer_reference
from lms_plugin.badges.status_list import status_entry
from lms_plugin.domain.credentials import (
    AchievementData,
    Alignment,
    CredentialData,
    Evidence,
    RubricResult,
    hashed_email,
)

VECTORS = Path(__file__).resolve().parents[1] / "unit" / "badges" / "vectors"

# ob_v3p0/impl/linked-data-proof-ob.html, "Key pair & Multikey" (seed = first 32 bytes).
VECTOR_SEED_HEX = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
VECTOR_PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
VECTOR_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VECTOR_DOCUMENT_HASH = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
VECTOR_PROOF_HASH = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
VECTOR_SIGNATURE_HEX = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)
VECTOR_PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)

BASE = "https://badges.example.edu"
ISSUER_ID = f"{BASE}/issuer"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def load_vector(name: str) -> Any:
    """A file of tests/unit/badges/vectors, parsed as JSON."""
    return json.loads((VECTORS / name).read_text("utf-8"))


def vector_key() -> Ed25519PrivateKey:
    """The private key of 1EdTech's OB 3.0 eddsa-rdfc-2022 test vector."""
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR_SEED_HEX))


def make_credential(**overrides: Any) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential of this tool's shape (fields replaced by `overrides`)."""
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OB_V3P0],
        "id": "https://badges.example.edu/credentials/2b1f3c55-7d0e-4b1e-9a47-0c5f3a9d6e21",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_reference(ISSUER_ID, "Example University", "https://example.edu"),
        "validFrom": "2026-02-01T09:30:00Z",
        "name": "ISP Level 1",
        "credentialSubject": {
            "id": "urn:uuid:4c0a2f3e-5b9c-4c1e-8f57-3f8f2c1d9a10",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.edu/achievements/isp-level-1",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": "Implementation Support Practitioner, Level 1",
                "description": "Completed every Level 1 module of the ISP certificate.",
                "criteria": {"narrative": "Pass every module, capstone included."},
            },
        },
    }
    credential.update(copy.deepcopy(overrides))
    return credential


def sign(
    document: dict[str, Any], key: Ed25519PrivateKey, created: datetime = NOW
) -> dict[str, Any]:
    """`document` with an eddsa-rdfc-2022 proof by `key` under ISSUER_ID."""
    return add_proof(document, key, multikey_id(ISSUER_ID, key.public_key()), created)


def make_profile(*keys: Ed25519PrivateKey) -> dict[str, Any]:
    """The issuer profile at ISSUER_ID publishing `keys`."""
    return issuer_profile(
        ISSUER_ID, "Example University", "https://example.edu", [k.public_key() for k in keys]
    )


def make_data(**overrides: Any) -> CredentialData:
    """A Level 1 credential's data with everything the issue lists."""
    values: dict[str, Any] = {
        "id": f"{BASE}/credentials/0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa",
        "name": "ISP Certificate, Level 1",
        "issuer": issuer_reference(ISSUER_ID, "Example University", "https://example.edu"),
        "achievement": AchievementData(
            id=f"{BASE}/achievements/isp-level-1",
            name="Implementation Support Practitioner, Level 1",
            description="Foundations of implementation support practice.",
            criteria_narrative="Pass every Level 1 module, capstone included.",
            criteria_url=f"{BASE}/achievements/isp-level-1#criteria",
            image_url=f"{BASE}/static/badges/isp-level-1.svg",
            image_caption="ISP Level 1 badge",
            alignments=(
                Alignment(
                    "Co-learning", f"{BASE}/competencies/co-learning", "Builds trust.", "ISP"
                ),
                Alignment("Brokering", f"{BASE}/competencies/brokering", code="C2"),
            ),
        ),
        "subject_id": "urn:uuid:7d1c5c1e-2f33-4a0b-9d6e-5b8f0f6a4c21",
        "valid_from": datetime(2026, 2, 1, 9, 30, tzinfo=UTC),
        "email_identity": hashed_email(" Learner@Example.edu ", "s4lt"),
        "results": (
            RubricResult(
                id=f"{BASE}/achievements/isp-level-1/rubric/analysis",
                criterion="Analysis of the implementation context",
                levels=(("1", "Beginning"), ("2", "Developing"), ("3", "Proficient")),
                achieved="3",
            ),
        ),
        "evidence": (
            Evidence("Module 1: The role of the ISP", datetime(2026, 1, 10, 15, 0, tzinfo=UTC)),
            Evidence("Capstone", datetime(2026, 1, 30, tzinfo=UTC), f"{BASE}/public/capstone/9"),
        ),
        "status": status_entry(f"{BASE}/status/1", 4711),
    }
    values.update(overrides)
    return CredentialData(**values)
