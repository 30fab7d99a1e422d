"""content lint and content sync as an admin runs them, on PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from sqlalchemy import text

from lms_plugin.db import db
from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.services.content import current_content, module_version, sync_content
from tests.conftest import COURSES

pytestmark = pytest.mark.integration
L1M1 = "l1-m1-role-of-the-isp"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lms_plugin.cli", "content", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lint_passes_on_the_real_courses():
    result = _run("lint")
    assert result.returncode == 0 and "content ok" in result.stdout


def test_lint_points_at_file_and_line_and_exits_1(tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    quiz = root / "level-1" / "m1-role-of-the-isp" / "quiz.yaml"
    lines = quiz.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    lines[number] = lines[number].split("answer:")[0] + "answer: zz-not-a-choice"
    quiz.write_text("\n".join(lines) + "\n")

    result = _run("lint", "--root", str(root))

    assert result.returncode == 1
    assert f"level-1/m1-role-of-the-isp/quiz.yaml:{number + 1}:" in result.stdout


def test_sync_is_idempotent_and_a_change_makes_a_new_version(tool, tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    with tool.app.app_context():
        before = db.session.execute(
            text("SELECT max(version) FROM content_module WHERE slug = :s"), {"s": L1M1}
        ).scalar_one()
        catalogue, _ = load_catalogue(root)
        assert catalogue is not None
        again = sync_content(db.session(), catalogue)
        assert again.created == []

        old_id = current_content(db.session()).module_ids[L1M1]
        manifest = root / "level-1" / "m1-role-of-the-isp" / "module.yaml"
        manifest.write_text(
            manifest.read_text().replace("estimated_hours: 4", "estimated_hours: 5")
        )
        changed, _ = load_catalogue(root)
        assert changed is not None
        report = sync_content(db.session(), changed)
        new_id = current_content(db.session()).module_ids[L1M1]

        assert report.created == [f"{L1M1} v{before + 1}"]
        assert new_id != old_id
        assert module_version(db.session(), old_id).estimated_hours == 4  # old attempts' version
        assert module_version(db.session(), new_id).estimated_hours == 5
        # put the real content back on top for the tests that follow
        original, _ = load_catalogue(COURSES)
        assert original is not None
        sync_content(db.session(), original)
        assert (
            module_version(
                db.session(), current_content(db.session()).module_ids[L1M1]
            ).estimated_hours
            == 4
        )
