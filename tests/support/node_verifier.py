"""Drive tests/support/node_verifier.mjs (Digital Bazaar's VC libraries in Node): JSON in, JSON out.

The Node packages are installed by scripts/browser (`npm ci` from package-lock.json); a missing
Node or package fails the test with that instruction, never a skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("node_verifier.mjs")
PACKAGE = ROOT / "node_modules" / "@digitalbazaar" / "vc-bitstring-status-list" / "package.json"


def run_node(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answer each request in one Node process (ops: verify, sign, canonize)."""
    node = shutil.which("node")
    if node is None or not PACKAGE.is_file():
        raise AssertionError("Node or its VC packages are missing: run scripts/browser")
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"node_verifier failed: {done.stdout} {done.stderr}")
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


def verify_request(
    credential: dict[str, Any], documents: dict[str, Any], now: str | None = None
) -> dict[str, Any]:
    """A `verify` request: `documents` are the profiles and status lists the loader may serve."""
    return {"op": "verify", "credential": credential, "documents": documents, "now": now}


def node_verify(
    credential: dict[str, Any], documents: dict[str, Any], now: str | None = None
) -> dict[str, Any]:
    """Digital Bazaar's verdict on one credential: verified, error, status results."""
    return run_node([verify_request(credential, documents, now)])[0]
