"""Everything the web app serves from files ships in the distribution (not only in a checkout):
the package-data globs in pyproject.toml cover every template and static file."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_package_data_covers_every_template_and_static_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["lms_plugin"]
    package = ROOT / "lms_plugin"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    served = {
        path
        for folder in ("web/templates", "web/static")
        for path in (package / folder).rglob("*")
        if path.is_file()
    }
    assert sorted(str(p.relative_to(package)) for p in served - shipped) == []
