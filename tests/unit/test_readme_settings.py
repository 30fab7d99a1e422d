"""The README's configuration table names every setting the code reads, and nothing else."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from lms_plugin.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _table_variables() -> set[str]:
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(LMS_[A-Z0-9_]+)` \|", section, flags=re.MULTILINE))


def test_every_setting_is_in_the_readme_table() -> None:
    wanted = {f"LMS_{f.name.upper()}" for f in fields(Settings)}
    listed = _table_variables()
    assert wanted - listed == set(), "settings missing from the README table"
    assert listed - wanted == set(), "README lists settings the code does not read"
