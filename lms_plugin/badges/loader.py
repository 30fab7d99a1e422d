"""The JSON-LD document loader for credentials: the shipped contexts only, never the network.

The context documents in `contexts/` are the published files, byte for byte (`contexts/SOURCES.md`);
`contexts/index.json` maps each URL to its file. W3C VC Data Model 2.0 §5.3 (Integrity of Related
Resources) and JSON-LD Best Practices §"Cache JSON-LD Contexts": a verifier should use local copies
of the contexts it knows; an unknown context is refused (`UnknownContextError`), never fetched, so a
credential cannot make the tool call out or change meaning under a signature.

Every document is handed out tagged `static` (jsonld.js's convention, which pyld's ContextResolver
follows), so pyld resolves each context once per process (processor.py) instead of loading,
walking and hashing the large OB 3.0 context on every operation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from pyld.documentloader.base import RemoteDocument
from pyld.documentloader.frozen import FrozenDocumentLoader

from lms_plugin.badges.errors import UnknownContextError

CONTEXTS_PACKAGE = "lms_plugin.badges"
CONTEXTS_DIR = "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = (
    "https://www.w3.org/ns/did/v1"  # named by controller documents; read as plain JSON, not shipped
)


def context_files() -> dict[str, str]:
    """URL -> file name of every shipped context (from contexts/index.json)."""
    index = json.loads((files(CONTEXTS_PACKAGE) / CONTEXTS_DIR / "index.json").read_text("utf-8"))
    return {url: name for url, name in index.items() if not url.startswith("_")}


@cache
def shipped_contexts() -> Mapping[str, Any]:
    """URL -> parsed context document, read once from the package data."""
    folder = files(CONTEXTS_PACKAGE) / CONTEXTS_DIR
    return {
        url: json.loads((folder / name).read_text("utf-8")) for url, name in context_files().items()
    }


class ShippedContextLoader(FrozenDocumentLoader):  # type: ignore[misc]  # pyld is untyped
    """pyld's allow-list loader over the shipped contexts, refusing others with our own error."""

    def __call__(self, url: str, options: dict[str, Any]) -> RemoteDocument:
        if url not in self.documents:
            raise UnknownContextError(url)
        document = super().__call__(url, options)
        document["tag"] = "static"  # the published file never changes: resolve it once
        return document


@cache
def document_loader() -> ShippedContextLoader:
    """The one loader every proof operation passes to pyld."""
    return ShippedContextLoader(documents=dict(shipped_contexts()))
