"""Issue 15 over real HTTP: the pass rule with the mean on the review page (running total, the
rule, a refused pass, the rule recorded with the review and shown as graded), the grader support
beside the rubric, the multi-select scoring rule on the quiz page and in the feedback, and a
module's References page."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from lms_plugin.db import db
from lms_plugin.services import grades
from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch
from tests.support.reviews import instructor, rubric_form, submitted

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
MEAN_RULE = (
    "To pass, every criterion needs Developing (2) or above, and the mean of the criteria 3.0 or"
    " above."
)
OLD_RULE = "To pass, every criterion needs Developing (2) or above."
MULTI_RULE = 'data-testid="multi-select-rule"'


def test_the_review_page_shows_the_mean_and_a_pass_needs_it(tool, platform):
    submission = submitted(tool, platform)
    teacher = instructor(tool, platform)
    criteria = len(module(L1M1).assignment.criteria)

    page = teacher.get(tool.url + f"/instructor/reviews/{submission}", headers=HTML).text
    assert MEAN_RULE in page
    assert 'data-min-mean="3.0"' in page
    assert f"a mean of 3.0 needs a total of {3 * criteria} or more." in page

    refused = teacher.post(
        tool.url + f"/instructor/reviews/{submission}", data=rubric_form(2, "pass"), headers=HTML
    )
    assert refused.status_code == 422
    assert "the mean of the criteria (2) is below the required mean" in refused.text
    assert f"Total {2 * criteria} of {4 * criteria} (50%), mean 2.0." in refused.text
    assert "Below the pass rule: the mean 2.0 is under 3.0." in refused.text
    assert tool.rows("SELECT status FROM assignment_submission") == [("submitted",)]

    done = teacher.post(
        tool.url + f"/instructor/reviews/{submission}",
        data=rubric_form(3, "pass"),
        headers=HTML,
        allow_redirects=False,
    )
    assert done.status_code == 303
    assert tool.rows("SELECT passed, rule_min_level, rule_min_mean FROM review") == [(True, 2, 3.0)]


def test_a_review_is_shown_under_the_rule_it_was_graded_under(tool, platform):
    submission = submitted(tool, platform)
    teacher = instructor(tool, platform)
    teacher.post(
        tool.url + f"/instructor/reviews/{submission}", data=rubric_form(2, "revise"), headers=HTML
    )
    with tool.app.app_context():  # as migration 0010 left a review made before the mean
        db.session.execute(db.text("UPDATE review SET rule_min_mean = NULL"))
        db.session.commit()

    page = teacher.get(tool.url + f"/instructor/reviews/{submission}", headers=HTML).text
    assert OLD_RULE in page and "mean of the criteria" not in page

    learner = api_launch(tool, platform)
    again = learner.post(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions", json={"text": "Round two."}
    )
    page = teacher.get(tool.url + f"/instructor/reviews/{again.json()['id']}", headers=HTML).text
    earlier = page.split('data-testid="earlier-round"')[1].split("</details>")[0]
    assert f'data-testid="round-rule">{OLD_RULE}' in earlier  # round 1: the rule it had
    assert MEAN_RULE in page  # round 2 is scored under today's rule


def test_grader_support_sits_beside_each_criterion_that_has_it(tool, platform):
    submission = submitted(tool, platform)
    page = (
        instructor(tool, platform)
        .get(tool.url + f"/instructor/reviews/{submission}", headers=HTML)
        .text
    )
    supported = [c for c in module(L1M1).assignment.criteria if c.scoring_notes or c.exemplars]
    assert supported, "the content has no grader support for this assignment yet"
    assert page.count('data-testid="grader-support"') == len(supported)
    for criterion in supported:
        for _, text in criterion.exemplars:
            assert text.split()[0] in page


def _attempt_with(tool, browser, item_ids: list[str]) -> int:
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    with tool.app.app_context():  # the draw is random: put the items wanted in this attempt
        db.session.execute(
            db.text("UPDATE quiz_attempt SET item_ids = :ids WHERE id = :id"),
            {"ids": json.dumps(item_ids), "id": attempt["id"]},
        )
        db.session.commit()
    return int(attempt["id"])


def test_learners_see_the_multi_select_rule_on_the_quiz_and_in_the_feedback(tool, platform):
    items = module(L1M1).items
    multi = [i.id for i in items if i.type == "multi_select"][:2]
    single = next(i.id for i in items if i.type == "single_choice")
    browser = api_launch(tool, platform)
    attempt = _attempt_with(tool, browser, [*multi, single])

    page = browser.get(tool.url + f"/attempts/{attempt}", headers=HTML).text
    assert page.count(MULTI_RULE) == len(multi) == 2
    assert "Ticking every choice scores zero." in page

    everything = {i.id: [c.id for c in i.choices] for i in items if i.id in multi}
    done = browser.post(
        tool.url + f"/api/v1/attempts/{attempt}/answers", json={"answers": everything}
    )
    assert done.status_code == 200, done.text
    with tool.app.app_context():
        grades.grade_submitted(db.session())
    feedback = browser.get(tool.url + f"/attempts/{attempt}", headers=HTML).text
    assert feedback.count(MULTI_RULE) == 2
    assert tool.rows(f"SELECT score FROM quiz_attempt WHERE id = {attempt}") == [(0.0,)]


def test_a_module_lists_its_references_on_a_page_of_their_own(tool, platform):
    browser = api_launch(tool, platform)
    module_page = browser.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert f'href="/modules/{L1M1}/references' in module_page

    page = browser.get(tool.url + f"/modules/{L1M1}/references", headers=HTML)
    assert page.status_code == 200
    references = module(L1M1).references
    assert references, "the content lists no references for this module yet"
    listed = page.text.split('data-testid="references"')[1].split("</ol>")[0]
    assert listed.count("<li>") == len(references)
    for ref in references:
        assert f"{escape(ref.author)} ({ref.year})" in listed
    assert (
        browser.get(tool.url + "/modules/no-such-module/references", headers=HTML).status_code
        == 404
    )
