"""The question statistics page: each question of a module's pool over the course's graded
attempts, counted from what the attempts drew; course staff's own tries and other courses left
out; instructors only."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections import Counter

import yaml
from lxml import html

from lms_plugin.db import db
from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.services import grades
from lms_plugin.services.content import sync_content
from tests.conftest import COURSES
from tests.support.cohort import HTML, attempt
from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch
from tests.support.reviews import instructor


def _grade(tool) -> None:
    with tool.app.app_context():
        grades.grade_submitted(db.session())


def _table(page: str) -> dict[str, list[str]]:
    """Each row's cells by question id: drawn, right, mean score, discrimination, ..."""
    doc = html.fromstring(page)
    return {
        row.get("data-item"): [" ".join(td.text_content().split()) for td in row.findall("td")]
        for row in doc.xpath('//table[@data-testid="questions"]/tbody/tr')
    }


def test_each_question_counts_the_attempts_that_drew_it_and_got_it_right(tool, platform):
    for n in range(3):  # each learner: one attempt all right, then one all wrong
        learner = api_launch(tool, platform, user=f"q-learner-{n}")
        attempt(learner, tool, right=True)
        attempt(learner, tool, right=False)
    staff = api_launch(tool, platform, user="teacher-1")  # "View as learner": left out
    attempt(staff, tool, right=True)
    elsewhere = api_launch(tool, platform, user="q-other", course="course-202")
    attempt(elsewhere, tool, right=True)
    _grade(tool)

    drawn: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for item_ids, percent in tool.rows(
        "SELECT a.item_ids, a.percent FROM quiz_attempt a JOIN lti_user u ON u.id = a.user_id"
        " WHERE u.sub LIKE 'q-learner-%'"
    ):
        drawn.update(item_ids)  # type: ignore[arg-type]
        if percent == 100:
            right.update(item_ids)  # type: ignore[arg-type]

    page = instructor(tool, platform).get(
        tool.url + f"/instructor/cohort/questions?module={L1M1}", headers=HTML
    )
    assert page.status_code == 200
    table = _table(page.text)
    assert list(table) == [item.id for item in module(L1M1).items]  # the pool, in its order
    for item_id, cells in table.items():
        assert cells[:2] == [str(drawn[item_id]), str(right[item_id])], item_id
        expected = f"{100 * right[item_id] // drawn[item_id]}%" if drawn[item_id] else "—"
        assert cells[2] == expected, item_id
        assert cells[3] == "—"  # fewer than 10 attempts drew it: no discrimination yet
    text = " ".join(html.fromstring(page.text).text_content().split())
    assert "Graded attempts: 6, by 3 learners of this course." in text
    assert "Course staff's own tries are left out." in text

    exported = instructor(tool, platform).get(
        tool.url + f"/instructor/cohort/questions.csv?module={L1M1}"
    )
    assert exported.status_code == 200
    assert "questions-1.1-" in exported.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert lines[0][:5] == ["Question id", "Type", "Question", "Drawn", "Answered right"]
    assert {line[0]: line[3:5] for line in lines[1:]} == {
        i: [str(drawn[i]), str(right[i])] for i in table
    }


def test_a_wrong_option_chosen_is_named(tool, platform):
    learner = api_launch(tool, platform, user="q-wrong")
    attempt(learner, tool, right=False)  # every single-choice item: its first wrong option
    _grade(tool)
    page = instructor(tool, platform).get(
        tool.url + f"/instructor/cohort/questions?module={L1M1}", headers=HTML
    )
    table = _table(page.text)
    (item_ids,) = tool.rows("SELECT item_ids FROM quiz_attempt")[0]
    for item_id in item_ids:  # type: ignore[union-attr]
        item = module(L1M1).item(item_id)
        assert item is not None
        if item.type == "single_choice":
            chosen = next(c for c in item.choices if c.id != item.answer_id)
            assert table[item_id][4] == f"“{chosen.text}” (1 time)", item_id


def test_the_page_is_the_instructors_of_the_course_only(tool, platform):
    learner = api_launch(tool, platform, user="q-nosy")
    for path in ("/instructor/cohort/questions", "/instructor/cohort/questions.csv"):
        assert learner.get(tool.url + path, headers=HTML).status_code == 403, path
    teacher = instructor(tool, platform)
    unknown = teacher.get(tool.url + "/instructor/cohort/questions?module=nope", headers=HTML)
    assert unknown.status_code == 404 and "There is no module" in unknown.text
    first = teacher.get(tool.url + "/instructor/cohort/questions", headers=HTML).text
    assert re.search(r'<option value="[^"]+" selected>1\.1 ', first)  # the first module
    assert "No learner of this course has a graded attempt at this quiz yet." in first
    cohort = teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert 'data-testid="questions-link"' in cohort


def _sync(tool, root) -> None:
    with tool.app.app_context():
        catalogue, problems = load_catalogue(root)
        assert catalogue is not None, problems
        sync_content(db.session(), catalogue)


def test_a_question_reworded_since_counts_only_the_answers_to_its_new_wording(
    tool, platform, tmp_path
):
    """A question whose key or wording was fixed: the answers given before the fix no longer
    count in its figures (nor in its advice), the page says how many were left out, and the
    other questions keep every answer. Back to the old wording, the old answers count again."""
    for n in range(2):
        attempt(api_launch(tool, platform, user=f"q-version-{n}"), tool, right=True)
    _grade(tool)
    drawn = Counter(i for (ids,) in tool.rows("SELECT item_ids FROM quiz_attempt") for i in ids)
    reworded, kept = sorted(drawn)[:2]
    teacher = instructor(tool, platform)
    url = tool.url + f"/instructor/cohort/questions?module={L1M1}"

    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    quiz_file = root / "level-1" / "m1-role-of-the-isp" / "quiz.yaml"
    quiz = yaml.safe_load(quiz_file.read_text())
    item = next(i for i in quiz["items"] if i["id"] == reworded)
    item["prompt"] = "Reworded: " + item["prompt"]
    quiz_file.write_text(yaml.safe_dump(quiz, sort_keys=False, allow_unicode=True))
    try:
        _sync(tool, root)
        page = teacher.get(url, headers=HTML).text
        table = _table(page)
        assert table[reworded][:2] == ["0", "0"]
        assert table[kept][:2] == [str(drawn[kept])] * 2
        left_out = re.search(r'data-testid="earlier-wording">(\d+) answers? to', page)
        assert left_out and int(left_out[1]) == drawn[reworded]
    finally:
        _sync(tool, COURSES)  # the real content on top again, for the tests that follow
    page = teacher.get(url, headers=HTML).text
    assert _table(page)[reworded][:2] == [str(drawn[reworded])] * 2
    assert 'data-testid="earlier-wording"' not in page
