"""The learner JSON API over real HTTP: scoped, validated, and never losing a draft."""

from __future__ import annotations

import json
import re

import pytest
import requests

from lms_plugin.services import learning
from tests.support.content_keys import L1M1, answers_for, module
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration


def launch(tool, platform, *, user="learner-1", course="course-101", mod=L1M1):
    return api_launch(tool, platform, user=user, course=course, mod=mod)


def test_launch_of_a_module_link_opens_the_module_page(tool, platform):
    browser = launch(tool, platform)
    me = browser.get(tool.url + "/api/v1/me").json()
    assert me["resource_link"]["module_slug"] == L1M1
    page = browser.get(tool.url + f"/modules/{L1M1}", headers={"Accept": "text/html"})
    assert module(L1M1).title in page.text and "Lena Learner" in page.text


def test_programs_progress_and_level_2_lock(tool, platform):
    browser = launch(tool, platform)
    programs = browser.get(tool.url + "/api/v1/programs").json()["programs"]
    assert [p["slug"] for p in programs] == ["isp-level-1", "isp-level-2"]
    assert programs[0]["status"]["locked"] is False and programs[1]["status"]["locked"] is True
    assert len(programs[0]["modules"]) == 6 and len(programs[1]["modules"]) == 5
    level2 = programs[1]["modules"][0]["slug"]

    refused = browser.post(tool.url + f"/api/v1/modules/{level2}/attempts")
    assert refused.status_code == 403 and refused.json()["error"] == "locked"
    assert any("quiz" in line.lower() for line in refused.json()["missing"])


def test_module_json_never_contains_answer_keys(tool, platform):
    browser = launch(tool, platform)
    body = browser.get(tool.url + f"/api/v1/modules/{L1M1}").text
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    blob = body + json.dumps(attempt)
    assert '"answer' not in blob and "feedback" not in blob and "accept" not in blob


def test_attempt_draws_the_quiz_length_and_reopens_the_same_attempt(tool, platform):
    browser = launch(tool, platform)
    first = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    again = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    assert first.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    items = first.json()["items"]
    assert len(items) == module(L1M1).quiz.draw == len({i["id"] for i in items})


def test_submit_answers_then_no_second_submission(tool, platform):
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    answers = answers_for(L1M1, [i["id"] for i in attempt["items"]])
    url = tool.url + f"/api/v1/attempts/{attempt['id']}/answers"

    done = browser.post(url, json={"answers": answers})
    twice = browser.post(url, json={"answers": answers})

    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert twice.status_code == 409 and twice.json()["error"] == "already_submitted"
    stored = tool.rows(f"SELECT answers, status FROM quiz_attempt WHERE id = {attempt['id']}")
    assert stored[0][1] == "submitted"


def test_submit_landing_mid_way_through_another_is_refused(tool, platform, monkeypatch):
    """Two tabs submit the same attempt: the second lands while the first is between its
    check and its write. Exactly one is accepted, and the stored answers are the winner's."""
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    item_ids = [i["id"] for i in attempt["items"]]
    url = tool.url + f"/api/v1/attempts/{attempt['id']}/answers"
    first, second = answers_for(L1M1, item_ids[:1]), answers_for(L1M1, item_ids)
    other_tab: list[requests.Response] = []
    opened: list[bool] = []
    real_module_version = learning.module_version

    def module_version_with_a_second_tab(session, module_id):  # runs after the status check
        if not opened:  # the first submit only (the second tab's runs through here too)
            opened.append(True)
            with requests.Session() as tab:
                tab.headers.update(browser.headers)
                tab.cookies.update(browser.cookies)
                other_tab.append(tab.post(url, json={"answers": second}))
        return real_module_version(session, module_id)

    monkeypatch.setattr(learning, "module_version", module_version_with_a_second_tab)
    response = browser.post(url, json={"answers": first})

    assert other_tab[0].status_code == 200
    assert response.status_code == 409 and response.json()["error"] == "already_submitted"
    stored = tool.rows(f"SELECT answers, status FROM quiz_attempt WHERE id = {attempt['id']}")
    assert stored == [(second, "submitted")]


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"answers": {"no-such-item": "a"}}, 422, "unknown_item"),
        ({"answers": "a"}, 400, "invalid_answers"),
        ({"nothing": 1}, 400, "invalid_answers"),
    ],
)
def test_bad_answer_payloads(tool, platform, payload, status, code):
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    response = browser.post(tool.url + f"/api/v1/attempts/{attempt['id']}/answers", json=payload)
    assert response.status_code == status and response.json()["error"] == code
    assert tool.rows("SELECT status FROM quiz_attempt") == [("open",)]


def test_malformed_answer_to_a_real_item_names_the_item(tool, platform):
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    item = next(i for i in attempt["items"] if i["type"] in ("single_choice", "multi_select"))
    bad = {item["id"]: {"not": "a choice"}}
    response = browser.post(
        tool.url + f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": bad}
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_answer"
    assert response.json()["detail"] == f"item {item['id']}"


def test_not_json_is_a_clear_400(tool, platform):
    browser = launch(tool, platform)
    response = browser.put(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/draft",
        data="x",
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"


def test_another_learners_attempt_is_not_found(tool, platform):
    lena = launch(tool, platform)
    attempt = lena.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    platform.add_user("learner-2", "Omar Other", platform.users["learner-1"].roles)
    omar = launch(tool, platform, user="learner-2")
    answers = answers_for(L1M1, [i["id"] for i in attempt["items"]])

    peek = omar.get(tool.url + f"/api/v1/attempts/{attempt['id']}")
    write = omar.post(
        tool.url + f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}
    )

    assert peek.status_code == 404 and write.status_code == 404
    assert tool.rows("SELECT status FROM quiz_attempt") == [("open",)]


def test_same_person_in_another_course_sees_nothing_of_the_first(tool, platform):
    course_a = launch(tool, platform, course="course-A")
    attempt = course_a.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    course_a.put(tool.url + f"/api/v1/modules/{L1M1}/assignment/draft", json={"text": "A's"})
    course_b = launch(tool, platform, course="course-B")

    assert course_b.get(tool.url + f"/api/v1/attempts/{attempt['id']}").status_code == 404
    assert course_b.get(tool.url + f"/api/v1/modules/{L1M1}/assignment").json()["draft"] is None


def test_fourth_attempt_is_refused_and_cooldown_applies_after_the_second(tool, platform):
    browser = launch(tool, platform)
    for number in (1, 2, 3):
        attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
        assert attempt.status_code == 201, attempt.text
        answers = answers_for(L1M1, [i["id"] for i in attempt.json()["items"]])
        browser.post(
            tool.url + f"/api/v1/attempts/{attempt.json()['id']}/answers", json={"answers": answers}
        )
        if number == 2:
            cooling = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
            assert cooling.status_code == 409 and cooling.json()["error"] == "cooldown"
            # when, as people read it (it read "at 2026-12-07 17:30 UTC")
            assert re.fullmatch(
                r"Your next attempt opens on [A-Z][a-z]{2} \d{1,2}, \d{4}, "
                r"\d{1,2}:\d{2}\u202f[AP]M UTC\.",
                cooling.json()["message"],
            )
            tool.rows(
                "UPDATE quiz_attempt SET submitted_at = submitted_at - interval '3 days' "
                "RETURNING id"
            )
    fourth = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    assert fourth.status_code == 409 and fourth.json()["error"] == "attempts_exhausted"
    assert "3 attempts" in fourth.json()["message"]


def test_draft_autosave_keeps_html_as_typed_and_preview_is_sanitised(tool, platform):
    browser = launch(tool, platform)
    text = "My plan <script>alert(1)</script> **bold** <img src=x onerror=alert(2)>"
    saved = browser.put(tool.url + f"/api/v1/modules/{L1M1}/assignment/draft", json={"text": text})
    assert saved.status_code == 200
    assert (
        browser.get(tool.url + f"/api/v1/modules/{L1M1}/assignment").json()["draft"]["text"] == text
    )
    html = browser.post(tool.url + "/api/v1/preview", json={"text": text}).json()["html"]
    assert "<script" not in html and "<img" not in html and "<strong>bold</strong>" in html
    assert "&lt;script&gt;" in html  # shown as the text the learner typed, never run


def test_oversized_draft_is_413_with_the_limit_and_the_old_draft_survives(tool, platform):
    browser = launch(tool, platform)
    url = tool.url + f"/api/v1/modules/{L1M1}/assignment/draft"
    browser.put(url, json={"text": "kept draft"})
    response = browser.put(url, json={"text": "x" * 100_001})
    assert response.status_code == 413 and response.json()["error"] == "text_too_large"
    assert "100,000" in response.json()["message"]
    assert (
        browser.get(tool.url + f"/api/v1/modules/{L1M1}/assignment").json()["draft"]["text"]
        == "kept draft"
    )


def test_over_word_limit_submission_is_refused_but_the_draft_is_saved(tool, platform):
    browser = launch(tool, platform)
    limit = module(L1M1).assignment.word_limit
    text = "word " * (limit + 1)
    response = browser.post(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions", json={"text": text}
    )
    assert response.status_code == 422 and response.json()["error"] == "over_word_limit"
    assert f"{limit:,}" in response.json()["message"]
    state = browser.get(tool.url + f"/api/v1/modules/{L1M1}/assignment").json()
    assert state["draft"]["text"] == text and state["submissions"] == []


def test_submit_assignment_then_resubmission_only_when_asked(tool, platform):
    browser = launch(tool, platform)
    url = tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions"
    first = browser.post(url, json={"text": "My role map."})
    assert first.status_code == 201 and first.json()["round"] == 1
    again = browser.post(url, json={"text": "Changed my mind."})
    assert again.status_code == 409 and again.json()["error"] == "already_submitted"
    tool.rows("UPDATE assignment_submission SET status = 'revise' RETURNING id")
    second = browser.post(url, json={"text": "Revised role map."})
    assert second.status_code == 201 and second.json()["round"] == 2


def test_cookie_session_post_without_csrf_token_is_refused(tool, platform):
    browser = launch(tool, platform)
    del browser.headers["Authorization"]  # only the cookie now
    browser.get(tool.url + "/api/v1/me")  # the cookie alone authenticates reads
    response = browser.put(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/draft", json={"text": "x"}
    )
    assert response.status_code == 403 and response.json()["error"] == "csrf_failed"


def test_unknown_module_is_404(tool, platform):
    browser = launch(tool, platform)
    assert browser.get(tool.url + "/api/v1/modules/nope").status_code == 404


def test_quiz_form_with_a_bad_answer_comes_back_with_every_choice_kept(tool, platform):
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    # 12 of the 20 pool items are choice items and 10 are drawn, so at least 2 are here.
    choice_items = [i for i in attempt["items"] if i["type"] in ("single_choice", "multi_select")]
    bad, kept = choice_items[0], choice_items[1]
    kept_choice = kept["choices"][0]["id"]
    form = {f"q-{bad['id']}": "zz-not-a-choice", f"q-{kept['id']}": kept_choice}
    response = browser.post(
        tool.url + f"/attempts/{attempt['id']}", data=form, headers={"Accept": "text/html"}
    )
    assert response.status_code == 400
    assert "Your answers are kept below" in response.text
    assert re.search(rf'name="q-{kept["id"]}" value="{kept_choice}"[^>]*checked', response.text)
    assert tool.rows("SELECT status FROM quiz_attempt") == [("open",)]


NESTED = "[" * 100_000 + "]" * 100_000
BODY_ROUTES = [
    ("POST", "/api/v1/attempts/{attempt}/answers"),
    ("PUT", f"/api/v1/modules/{L1M1}/assignment/draft"),
    ("POST", f"/api/v1/modules/{L1M1}/assignment/submissions"),
    ("POST", "/api/v1/preview"),
]


@pytest.mark.parametrize("method, path", BODY_ROUTES)
@pytest.mark.parametrize(
    "body",
    [
        NESTED,  # a RecursionError in json.loads was a 500
        '{"answers": {"q": ' + NESTED + '}, "text": ' + NESTED + "}",
        '{"answers": {"q": "\\ud800"}, "text": "a\\ud800b"}',  # half a surrogate pair
    ],
    ids=["nested", "nested-inside", "lone-surrogate"],
)
def test_json_no_database_could_store_is_a_400(tool, platform, method, path, body):
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    response = browser.request(
        method,
        tool.url + path.format(attempt=attempt["id"]),
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"
    assert tool.rows("SELECT status FROM quiz_attempt") == [("open",)]
    assert tool.count("assignment_draft") == 0


@pytest.mark.parametrize("method, path", BODY_ROUTES[1:3])
def test_text_with_a_nul_is_refused_and_the_draft_kept(tool, platform, method, path):
    """PostgreSQL cannot store NUL in text: it was a 500; now a 422 that says why."""
    browser = launch(tool, platform)
    browser.put(tool.url + f"/api/v1/modules/{L1M1}/assignment/draft", json={"text": "kept"})
    response = browser.request(method, tool.url + path, json={"text": "my\x00map"})
    assert response.status_code == 422 and response.json()["error"] == "invalid_character"
    state = browser.get(tool.url + f"/api/v1/modules/{L1M1}/assignment").json()
    assert state["draft"]["text"] == "kept" and state["submissions"] == []


def test_text_with_a_nul_in_the_editor_form_is_refused_beside_the_editor(tool, platform):
    browser = launch(tool, platform)
    response = browser.post(
        tool.url + f"/modules/{L1M1}/assignment",
        data={"text": "my\x00map", "action": "save"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 422 and "cannot be saved" in response.text
    assert tool.count("assignment_draft") == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"answers": {"q": [1, 2]}}, "answers.q"),
        ({"answers": {"q": {"l1": {"deep": "x"}}}}, "answers.q"),
        ({"answers": {"q": True}}, "answers.q"),
        ([{"answers": {}}], "(body)"),
    ],
)
def test_a_body_that_does_not_fit_the_schema_names_its_fields(tool, platform, payload, field):
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    response = browser.post(tool.url + f"/api/v1/attempts/{attempt['id']}/answers", json=payload)
    body = response.json()
    assert response.status_code == 400 and body["error"] == "invalid_answers"
    assert body["fields"] and all(f["field"].startswith(field) for f in body["fields"])
    assert field in body["message"]
    assert tool.rows("SELECT status FROM quiz_attempt") == [("open",)]


def test_many_unknown_item_ids_are_counted_not_echoed(tool, platform):
    browser = launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    answers = {f"no-such-item-{n}-" + "x" * 300: "a" for n in range(1_000)}
    response = browser.post(
        tool.url + f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}
    )
    assert response.status_code == 422 and response.json()["error"] == "unknown_item"
    assert "995 more" in response.json()["message"] and len(response.content) < 2_000


def attempt_with(browser, tool, item_type):
    """An open attempt that drew an item of ``item_type``.

    10 of the pool's 23 items are drawn; with 2 numeric items in it, an attempt has none 31 % of
    the time (three tries failed in a full run), so it tries up to 40 times (0.31^40 < 1e-20)."""
    for _ in range(40):
        attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
        item = next((i for i in attempt["items"] if i["type"] == item_type), None)
        if item is not None:
            return attempt, item
        tool.rows("DELETE FROM quiz_attempt RETURNING id")
    raise AssertionError(f"no {item_type} item drawn")


@pytest.mark.parametrize(
    "item_type, answer, message",
    [
        ("multi_select", ["a"] * 50_000, "at most"),
        ("numeric", "1" + " " * 100_000 + "minutex", "64 characters"),
    ],
)
def test_oversized_answers_are_refused_naming_the_item(tool, platform, item_type, answer, message):
    browser = launch(tool, platform)
    attempt, item = attempt_with(browser, tool, item_type)
    response = browser.post(
        tool.url + f"/api/v1/attempts/{attempt['id']}/answers",
        json={"answers": {item["id"]: answer}},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_answer"
    assert message in response.json()["message"]
    assert response.json()["detail"] == f"item {item['id']}"


def test_an_oversized_answer_in_the_quiz_form_comes_back_with_the_cap(tool, platform):
    browser = launch(tool, platform)
    attempt, item = attempt_with(browser, tool, "numeric")
    response = browser.post(
        tool.url + f"/attempts/{attempt['id']}",
        data={f"q-{item['id']}": "1" + " " * 20_000 + "x"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 400 and "64 characters or fewer" in response.text
    assert tool.rows("SELECT status FROM quiz_attempt") == [("open",)]


def test_every_api_route_needs_a_launch_but_the_document(tool):
    """Module content was served to anyone (GET /api/v1/modules/<slug> looked for no launch)."""
    anonymous = requests.Session()
    anonymous.headers["Accept"] = "application/json"
    assert anonymous.get(tool.url + f"/api/v1/modules/{L1M1}").status_code == 401
    assert anonymous.get(tool.url + "/api/v1/openapi.json").status_code == 200


def test_the_openapi_document_declares_every_api_route(tool):
    document = requests.get(tool.url + "/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1") and document["servers"] == [{"url": "/api/v1"}]
    declared = {
        (method.upper(), "/api/v1" + path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    routed = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in tool.app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_document"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert declared == routed
    answers = document["paths"]["/attempts/{attempt_id}/answers"]["post"]
    assert answers["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AnswersIn"
    }
    assert {"200", "400", "401", "404", "409", "413", "422"} <= set(answers["responses"])
    assert document["components"]["securitySchemes"]["launchToken"]["scheme"] == "bearer"
