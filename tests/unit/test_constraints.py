"""constraints.txt pins every package the project installs (scripts/lock writes it): each pin
within the range pyproject.toml accepts, nothing needed left unpinned, and the environment the
suite runs in installed from it, as scripts/bootstrap does."""

from __future__ import annotations

from collections import defaultdict
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "isp-lms-plugin"


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not a pin: {line!r}"
            pins[canonicalize_name(name)] = Version(version)
    return pins


def _needed() -> dict[str, list[Requirement]]:
    """Every requirement reached from the project with its dev extra, markers evaluated here
    (a package for another platform or Python is not needed), keyed by package name."""
    found: dict[str, list[Requirement]] = defaultdict(list)
    todo, seen = [(PROJECT, frozenset({"dev"}))], set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for line in metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras | {""}):
                continue
            found[canonicalize_name(req.name)].append(req)
            todo.append((req.name, frozenset(req.extras)))
    return found


def test_every_package_the_project_needs_is_pinned_within_its_accepted_range():
    pins, needed = _pins(), _needed()
    assert "flask" in needed and "pytest" in needed and "hiredis" in needed  # the walk works
    unpinned = sorted(set(needed) - set(pins))
    assert not unpinned, f"not in constraints.txt (run scripts/lock): {unpinned}"
    outside = [
        f"{name}=={pins[name]} against {req}"
        for name, reqs in needed.items()
        for req in reqs
        if not req.specifier.contains(pins[name], prereleases=True)
    ]
    assert not outside, f"pins outside what is required (run scripts/lock): {outside}"


def test_every_pin_is_a_package_the_project_needs():
    stale = sorted(set(_pins()) - set(_needed()))
    assert not stale, f"pinned but needed by nothing (run scripts/lock): {stale}"


def test_the_suite_runs_on_the_pinned_versions():
    """scripts/bootstrap installed them: the versions CI tests are the ones the image gets."""
    differ = sorted(
        f"{name}: {found} installed, {pinned} pinned"
        for name, pinned in _pins().items()
        if (found := _installed_version(name)) != pinned
    )
    assert not differ, differ


def _installed_version(name: str) -> Version | None:
    try:
        return Version(metadata.version(name))
    except metadata.PackageNotFoundError:
        return None


def test_bootstrap_installs_from_the_pins_and_reinstalls_when_they_change():
    bootstrap = (ROOT / "scripts" / "bootstrap").read_text()
    assert '-c constraints.txt -e ".[dev]"' in bootstrap
    stamp = next(line for line in bootstrap.splitlines() if line.startswith("stamp="))
    assert "pyproject.toml" in stamp and "constraints.txt" in stamp
