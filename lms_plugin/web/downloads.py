"""How a download is named in its ``Content-Disposition`` header (RFC 6266), for every file the
tool hands out: CSV exports, credentials, badge images, certificates."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def attachment(name: str) -> str:
    """The ``Content-Disposition`` of a download named ``name`` (RFC 6266 §4.3): a name beyond
    ASCII goes as ``filename*`` (RFC 8187, UTF-8, percent-encoded), with an ASCII ``filename``
    for older clients. Raw UTF-8 in a header is not HTTP: gunicorn refuses to send it (a 500)."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r'[\\"]+|-{2,}', "-", fallback).strip("-")
    if fallback.startswith("."):  # nothing of the name was ASCII but its extension
        fallback = "download" + fallback
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
