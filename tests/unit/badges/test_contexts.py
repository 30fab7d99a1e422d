"""The JSON-LD contexts ship with the package, unchanged from their published sources."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from lms_plugin.badges.loader import context_files, shipped_contexts

ROOT = Path(__file__).resolve().parents[3]
CONTEXTS = ROOT / "lms_plugin" / "badges" / "contexts"


def test_every_context_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["lms_plugin"]
    package = ROOT / "lms_plugin"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    assert sorted(p.name for p in CONTEXTS.iterdir() if p not in shipped) == []


def test_index_names_every_context_file_and_only_those():
    on_disk = {p.name for p in CONTEXTS.iterdir()} - {"index.json", "SOURCES.md"}
    assert set(context_files().values()) == on_disk
    assert len(shipped_contexts()) == len(on_disk)


def test_files_match_the_checksums_of_their_published_sources():
    rows = re.findall(
        r"^\| (\S+) \| (\S+) \| .* \| ([0-9a-f]{16}) \|$",
        (CONTEXTS / "SOURCES.md").read_text(),
        flags=re.MULTILINE,
    )
    assert {url: name for url, name, _ in rows} == context_files()
    for _url, name, digest in rows:
        assert hashlib.sha256((CONTEXTS / name).read_bytes()).hexdigest()[:16] == digest, name
