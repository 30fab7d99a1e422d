"""The Dockerfile is read instruction by instruction (no Docker engine here): the image it builds
is production by default, runs as a non-root user and installs the package, not a checkout."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def _env(steps: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for op, args in steps:
        if op == "ENV":
            values.update(pair.split("=", 1) for pair in shlex.split(args))
    return values


def test_image_is_production_by_default():
    assert _env(_final_stage())["LMS_ENV"] == "production"


def test_image_runs_as_a_non_root_user():
    users = [args.strip() for op, args in _final_stage() if op == "USER"]
    assert users and users[-1] not in {"root", "0"} and not users[-1].startswith("0:")


def test_image_installs_the_package_not_an_editable_checkout():
    runs = " ".join(args for op, args in _instructions() if op == "RUN")
    assert "pip install" in runs and " -e " not in runs and "--editable" not in runs
    final = _final_stage()
    copied = [shlex.split(args)[:-1] for op, args in final if op == "COPY"]
    # the final image gets the built wheel and the data the package reads, no source tree
    assert sorted(src for sources in copied for src in sources if not src.startswith("--")) == [
        "/wheels",
        "constraints.txt",
        "courses",
        "migrations",
    ]


def test_image_installs_the_versions_the_suite_passed_with():
    """The dependencies come at constraints.txt's pins (the versions ./scripts/test ran on), not
    at whatever is newest the day the image is built."""
    final = _final_stage()
    copies = {shlex.split(args)[-1]: shlex.split(args)[:-1] for op, args in final if op == "COPY"}
    target = next(dest for dest, sources in copies.items() if sources == ["constraints.txt"])
    install = next(args for op, args in final if op == "RUN" and "pip install" in args)
    words = shlex.split(install)
    assert words[words.index("-c") + 1] == target


def test_build_context_leaves_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "instance"} <= set(ignored)
