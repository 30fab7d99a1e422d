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


def unmarked_refusals() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if _english_by_design(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in FOR_PEOPLE
                and node.args
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
            ):
                text = ast.unparse(node.args[0])[:70]
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text}")
    return found


def test_the_check_finds_an_unmarked_refusal(tmp_path):
    assert any("RateLimitedError" in name for name in FOR_PEOPLE)
    code = 'raise NotFoundError(f"no {x}")\nraise NotFoundError(_("There is none."))\n'
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]
    literal = [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "NotFoundError"]
    assert [isinstance(c.args[0], ast.Constant | ast.JoinedStr) for c in literal] == [True, False]


def test_every_refusal_for_people_is_marked_for_translation():
    assert unmarked_refusals() == []
