"""1EdTech's OB 3.0 JSON Schema of the AchievementCredential (tests/fixtures/ob3, its source)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "ob3" / "achievementcredential.json"

# OB 3.0 § "Compacted document form" (ob_v3p0/serialization.md): the JSON-LD binding MAY write
# these properties of an AchievementCredential as a single value, and such a document "MAY not
# pass canonical JSON Schema files". 1EdTech's own eddsa-rdfc-2022 test vector writes `proof` so;
# the tool's credentials compact none of them and are validated as issued.
COMPACTABLE = ("type", "credentialSchema", "proof", "termsOfUse")


@cache
def validator() -> Draft201909Validator:
    """The schema's validator, with format checks (date-time needs rfc3339-validator)."""
    schema = json.loads(SCHEMA.read_text("utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def canonical_form(credential: dict[str, Any]) -> dict[str, Any]:
    """`credential` with the single values that compaction allows written as one-item arrays."""
    return {
        key: [value] if key in COMPACTABLE and not isinstance(value, list) else value
        for key, value in credential.items()
    }


def schema_errors(credential: dict[str, Any]) -> list[str]:
    """Every violation of the schema, as 'path: message' (none: the credential conforms)."""
    return [
        f"/{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in sorted(validator().iter_errors(credential), key=lambda e: e.json_path)
    ]
