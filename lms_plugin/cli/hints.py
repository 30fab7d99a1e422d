"""How the user can type this CLI again, for the commands its hints print."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

# scripts/run sets this to its own path as the user typed it: hints then name scripts/run.
VIA_SCRIPT = "LMS_PLUGIN_VIA_SCRIPT"


def typed_command() -> str:
    """``./scripts/run``, ``lms-plugin``, ``.venv/bin/lms-plugin`` or ``python -m lms_plugin.cli``:
    what reaches this CLI from the user's shell, as they started it."""
    script = os.environ.get(VIA_SCRIPT)
    if script:
        return shlex.quote(script)
    program = Path(sys.argv[0])
    if program.name == "__main__.py":  # python -m lms_plugin.cli
        return f"{shlex.quote(_shortest(Path(sys.executable)))} -m lms_plugin.cli"
    on_path = shutil.which(program.name)
    if on_path and program.exists() and Path(on_path).resolve() == program.resolve():
        return program.name
    return shlex.quote(_shortest(program))


def _shortest(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute."""
    absolute = path.absolute()
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return str(absolute)
    return str(relative) if "/" in str(relative) else f"./{relative}"
