"""A cohort at known stages, made over HTTP as learners make it (launches, lessons, quizzes,
submissions), graded and reviewed in the test process as the worker does; and the cohort
page read back as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from lxml import html

from lms_plugin.domain.content.model import Item
from lms_plugin.services.practice_log_facts import log_spec
from tests.support.content_keys import L1M1, answers_for, module
from tests.support.gradebook import drain, review, submit_assignment
from tests.support.learners import api_launch
from tests.support.practice_log import entry_form

HTML = {"Accept": "text/html"}
NAMES = {
    "c-passed": "Ana Passed",
    "c-review": "Ben Review",
    "c-failed": "Cara Failed",
    "c-grading": "Dan Grading",
    "c-started": "Eve Started",
    "c-idle": "Gus Idle",
}


def wrong_answer(item: Item) -> Any:
    """An answer the grading rules count wrong."""
    if item.type == "single_choice":
        return next(c.id for c in item.choices if c.id != item.answer_id)
    if item.type == "multi_select":
        return [c.id for c in item.choices if c.id not in item.answer_ids][:1] or []
    if item.type == "ordering":
        return list(reversed(item.answer_ids))
    if item.type == "matching":
        rights = [r for _, r in item.pairs]
        return {left: rights[(i + 1) % len(rights)] for i, (left, _) in enumerate(item.pairs)}
    if item.type == "numeric":
        return str((item.number or 0) + 1000 + 10 * (item.tolerance or 1))
    return "certainly not the answer"


def attempt(browser: requests.Session, tool: Any, *, right: bool, mod: str = L1M1) -> int:
    """Start a quiz attempt and submit right or wrong answers to every item."""
    started = browser.post(tool.url + f"/api/v1/modules/{mod}/attempts")
    assert started.status_code == 201, started.text
    body = started.json()
    ids = [i["id"] for i in body["items"]]
    if right:
        answers = answers_for(mod, ids)
    else:
        answers = {i: wrong_answer(module(mod).item(i)) for i in ids}  # type: ignore[arg-type]
    done = browser.post(
        tool.url + f"/api/v1/attempts/{body['id']}/answers", json={"answers": answers}
    )
    assert done.status_code == 200, done.text
    return int(body["id"])


def launch(tool: Any, platform: Any, user: str, course: str = "course-101") -> requests.Session:
    if user in NAMES and user not in platform.users:
        platform.add_user(user, NAMES[user], platform.users["learner-1"].roles)
    return api_launch(tool, platform, user=user, course=course)


def read_lesson(browser: requests.Session, tool: Any, mod: str = L1M1) -> None:
    lesson = module(mod).lessons[0].slug
    assert browser.get(tool.url + f"/modules/{mod}/lessons/{lesson}", headers=HTML).ok


def write_log_entry(browser: requests.Session, tool: Any, mod: str = L1M1) -> None:
    """The module's practice log entry, complete (every module's completion asks for it)."""
    written = browser.post(
        tool.url + f"/modules/{mod}/practice-log",
        data=entry_form(log_spec().min_words),
        headers=HTML,
        allow_redirects=False,
    )
    assert written.status_code == 303, written.text


@dataclass
class Seeded:
    submissions: dict[str, int]


def seed_cohort(tool: Any, platform: Any) -> Seeded:
    """Six learners of course-101 at the stages NAMES says, in module 1.1: passed (quiz,
    assignment and practice log entry), waiting for review, failed twice, an attempt being
    graded, a lesson read, and idle for 20 days."""
    browsers = {user: launch(tool, platform, user) for user in NAMES}
    attempt(browsers["c-passed"], tool, right=True)
    passed_round = submit_assignment(browsers["c-passed"], tool)
    write_log_entry(browsers["c-passed"], tool)
    attempt(browsers["c-review"], tool, right=True)
    waiting = submit_assignment(browsers["c-review"], tool)
    attempt(browsers["c-failed"], tool, right=False)
    attempt(browsers["c-failed"], tool, right=False)
    read_lesson(browsers["c-started"], tool)
    read_lesson(browsers["c-idle"], tool)
    drain(tool)
    review(tool, passed_round, 4, "pass")
    attempt(browsers["c-grading"], tool, right=True)  # left submitted: not drained
    tool.rows(
        "UPDATE lesson_view SET viewed_at = now() - interval '20 days' WHERE user_id ="
        " (SELECT id FROM lti_user WHERE sub = 'c-idle') RETURNING id"
    )
    tool.rows(
        "UPDATE membership SET launched_at = now() - interval '20 days' WHERE user_id ="
        " (SELECT id FROM lti_user WHERE sub = 'c-idle') RETURNING id"
    )
    return Seeded({"passed": passed_round, "waiting": waiting})


@dataclass(frozen=True)
class GridRow:
    name: str
    tags: list[str]
    last: str
    passed: str
    cells: dict[str, tuple[str, str, str]]  # module code -> (state class, text, href)


def read_grid(page_html: str) -> dict[str, GridRow]:
    """The grid of a cohort page, by learner name."""
    doc = html.fromstring(page_html)
    tables = doc.xpath("//table[@data-testid='grid']")
    if not tables:
        return {}
    codes = [
        th.xpath("string(.//a/text())").strip()
        for th in tables[0].xpath("./thead/tr/th[contains(@class, 'hm-mod')]")
    ]
    rows = {}
    for tr in tables[0].xpath("./tbody/tr"):
        head = tr.xpath("./th")[0]
        name = head.xpath("string(.//span[@class='hm-name'])")
        cells = {}
        for code, td in zip(codes, tr.xpath("./td[contains(@class, 'hm-c')]"), strict=True):
            state = next(
                c[3:] for c in td.get("class").split() if c.startswith("hm-") and c != "hm-c"
            )
            link = td.xpath(".//a")[0]
            visible = "".join(t for t in link.xpath(".//text()[not(ancestor::*[@class='sr'])]"))
            cells[code] = (state, " ".join(visible.split()), link.get("href"))
        tds = tr.xpath("./td")
        rows[name] = GridRow(
            name=name,
            tags=[t.text_content() for t in head.xpath(".//span[contains(@class, 'tag')]")],
            last=tds[0].text_content().strip(),
            passed=tds[1].text_content().strip(),
            cells=cells,
        )
    return rows
