"""scripts/run: options go to `lms-plugin run`, a command to `lms-plugin` itself (so the README's
`./scripts/run demo` works), and the CLI learns how the script was typed, for its hints.

The script runs in a copy of the layout it expects, with the set-up and the CLI stubbed: what
is checked is what it hands to `lms-plugin`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run"
ECHO = '#!/usr/bin/env bash\necho "args: $* | as: $LMS_PLUGIN_VIA_SCRIPT"\n'


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "run")
    stubs = {
        "scripts/bootstrap": "#!/usr/bin/env bash\ntrue\n",
        ".venv/bin/lms-plugin": ECHO,
    }
    for name, text in stubs.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "handed"),
    [
        ([], "run"),
        (["--port", "5100"], "run --port 5100"),
        (["demo"], "demo"),
        (["demo", "--port", "5200"], "demo --port 5200"),
        (["platform", "list"], "platform list"),
    ],
)
def test_options_go_to_run_and_commands_to_the_cli(checkout, args, handed):
    done = subprocess.run(
        ["./scripts/run", *args], cwd=checkout, capture_output=True, text=True, check=True
    )
    assert done.stdout == f"args: {handed} | as: ./scripts/run\n"


def test_the_cli_learns_the_script_as_typed_from_elsewhere(checkout):
    done = subprocess.run(
        [str(checkout / "scripts" / "run"), "demo"],
        cwd=checkout.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"args: demo | as: {checkout / 'scripts' / 'run'}\n"
