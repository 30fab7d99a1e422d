"""Every refusal a learner or an instructor can meet is marked for translation.

The error pages show an error's message in the page's language when the message is in the
catalogue (web/errors.py), so a refusal written as a plain string or an f-string reaches French
pages in English. This reads the code: an error for people (4xx, or the LMS failing) raised with
a literal message must wrap it in ``_``, ``N_`` or ``ngettext``. The modules listed below speak
to administrators (CLI, admin pages, LMS registration), verifiers or the worker's log, in English.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "lms_plugin"
FOR_PEOPLE = {
    "InvalidInputError",
    "UnprocessableError",
    "ConflictError",
    "NotFoundError",
    "ForbiddenError",
    "NotAuthenticatedError",
    "PayloadTooLargeError",
    "RateLimitedError",
}
ENGLISH_BY_DESIGN = {
    "cli",  # the command line
    "badges/artwork/__init__.py",  # a badge image's 404
    "domain/grading.py",  # content authoring errors, caught by the content lint
    "domain/registration.py",  # the LMS administrator's dynamic registration
    "domain/theme.py",  # lms-plugin theme
    "lti/outbound.py",  # admin diagnostics and registration fetches
    "services/admin_access.py",
    "services/admin_platforms.py",
    "services/awards.py",  # the worker's log
    "services/content.py",
    "services/issuer_keys.py",
    "services/platforms.py",
    "services/registration.py",
    "services/roster.py",
    "services/status_lists.py",  # JSON for credential verifiers
    "services/theming.py",
    "web/registration.py",
}


def _english_by_design(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return any(relative == m or relative.startswith(m + "/") for m in ENGLISH_BY_DESIGN)


def literal_refusals(source: str) -> list[tuple[int, str]]:
    """(line, message) of each error for people raised with a literal message in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FOR_PEOPLE
            and node.args
            and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
        ):
            found.append((node.lineno, ast.unparse(node.args[0])[:70]))
    return found


def unmarked_refusals() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if not _english_by_design(path):
            for line, text in literal_refusals(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}:{line} {text}")
    return found


def test_the_check_finds_an_unmarked_refusal():
    source = (
        'raise NotFoundError(f"no {x}")\n'
        'raise ForbiddenError("Go away.")\n'
        'raise NotFoundError(_("There is none."))\n'
        'raise ConflictError(N_("Taken."), code="taken")\n'
        'raise ValueError("not for people")\n'
    )
    assert [line for line, _ in literal_refusals(source)] == [1, 2]
    assert _english_by_design(ROOT / "cli" / "main.py")
    assert not _english_by_design(ROOT / "web" / "player.py")


def test_every_refusal_for_people_is_marked_for_translation():
    assert unmarked_refusals() == []
