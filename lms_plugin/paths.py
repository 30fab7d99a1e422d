"""Where the repository's data folders (``courses/``, ``migrations/``) are found.

In a checkout (or an editable install) they sit beside the package. An installed package (the
production image installs the wheel) has no checkout around it: there they are read from the
working directory, the image's WORKDIR /app, which holds both.
"""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]
# pyproject.toml marks a checkout; site-packages has none (and may hold other "migrations").
PROJECT_ROOT = _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() else Path.cwd()
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"  # Alembic's, the only schema path
