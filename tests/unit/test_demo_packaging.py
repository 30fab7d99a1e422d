"""The practice LMS's templates and static files ship in the distribution, like the tool's."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_package_data_covers_the_practice_lms_files():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["lms_plugin"]
    package = ROOT / "lms_plugin"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    served = {
        path
        for folder in ("demo/templates", "demo/static")
        for path in (package / folder).rglob("*")
        if path.is_file()
    }
    assert served and sorted(str(p.relative_to(package)) for p in served - shipped) == []
