"""How the JSON columns are written: with orjson, the standard library where orjson refuses.

An issued credential is about 25 KB of JSON, written once to its row and once more into its
VC-JWT. The standard library's `json.dumps` takes about 105 µs for it, orjson 7 µs (timeit, best
of 5, benchmarks/README.md "Badges"); across a drain batch that is a few per cent of issuing.
Reading stays with the standard library: orjson turns an integer beyond 64 bits into a float.

What orjson refuses (an integer beyond 64 bits, a type it does not know) goes to `json.dumps`,
which writes the integer and refuses the unknown type as before. Unlike `json.dumps`, orjson
writes a float NaN or infinity as null (PostgreSQL's json type refused `NaN` anyway).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

OPTIONS = orjson.OPT_NON_STR_KEYS  # {1: ...} written as {"1": ...}, as json.dumps does


def dumps_bytes(value: Any) -> bytes:
    """`value` as UTF-8 JSON (psycopg takes bytes)."""
    return _dumps(value, sort_keys=False)


def dumps_text(value: Any) -> str:
    """`value` as JSON text (SQLite stores a str as TEXT, bytes as a BLOB)."""
    return dumps_bytes(value).decode()


def dumps_sorted(value: Any) -> bytes:
    """`value` as UTF-8 JSON with every object's keys sorted: the same bytes for equal values
    whatever their keys' order (a memo's key). Not for values that may hold NaN (written null)."""
    return _dumps(value, sort_keys=True)


def _dumps(value: Any, *, sort_keys: bool) -> bytes:
    try:
        return orjson.dumps(value, option=OPTIONS | (orjson.OPT_SORT_KEYS if sort_keys else 0))
    except TypeError:
        return json.dumps(value, sort_keys=sort_keys, separators=(",", ":")).encode()
