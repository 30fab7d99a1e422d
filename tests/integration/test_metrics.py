"""/metrics over HTTP: launches counted by outcome and refusal reason (real launches from the
test LMS), the scrape-time gauges, the bearer token, and the request id on answers."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.app_settings import settings_changed
from tests.support.launch_flow import full_launch, post_launch, start_login
from tests.support.lti_platform import SigningKey

pytestmark = pytest.mark.integration

SAMPLE = re.compile(r"^([a-z_]+)(?:\{([^}]*)\})? (\S+)$", re.MULTILINE)
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def sample(name: str, **labels: str) -> str:
    """A sample's key, its labels in name order (processes' sums list them so)."""
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}" if inner else name


def scrape(url: str, **headers: str) -> dict[str, float]:
    """``{sample key: value}`` of one /metrics answer."""
    response = requests.get(url + "/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


def samples(exposition: str) -> dict[str, float]:
    """``{sample key: value}`` of a Prometheus text exposition."""
    return {
        sample(name, **dict(LABEL.findall(labels))): float(value)
        for name, labels, value in SAMPLE.findall(exposition)
    }


def moved(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The samples whose value changed, by how much (absent before: 0)."""
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}


def refused(reason: str) -> str:
    return sample("lms_launches_total", outcome="refused", reason=reason)


def test_launches_are_counted_by_outcome_and_refusal_reason(tool, platform, browser):
    before = scrape(tool.url)

    accepted = full_launch(browser, tool.url, platform)
    assert accepted.status_code == 200 and "Lena Learner" in accepted.text
    # Signed by a key the LMS does not publish; then the same state replayed.
    auth = start_login(browser, tool.url, platform)
    foreign = platform.id_token(platform.claims(nonce=auth["nonce"]), key=SigningKey.rsa())
    assert post_launch(browser, tool.url, auth["state"], foreign).status_code == 401
    auth = start_login(browser, tool.url, platform)
    expired = platform.id_token(platform.claims(nonce=auth["nonce"], exp=1_000_000))
    assert post_launch(browser, tool.url, auth["state"], expired).status_code == 401
    assert requests.get(tool.url + "/lti/launch").status_code == 405

    changes = moved(before, scrape(tool.url))
    assert changes.get(refused("unknown_kid")) == 1, changes
    assert changes.get(refused("token_expired")) == 1, changes
    assert changes.get(refused("method_not_allowed")) == 1, changes
    assert changes[sample("lms_launches_total", outcome="accepted", reason="")] == 1
    assert changes[sample("lms_launch_duration_seconds_count", outcome="accepted")] == 1
    assert changes[sample("lms_launch_duration_seconds_count", outcome="refused")] == 3
    assert changes[sample("lms_launch_duration_seconds_sum", outcome="accepted")] > 0


def test_scrape_time_gauges_read_the_broker_and_the_outbox(tool):
    samples = scrape(tool.url)
    for queue in ("grading", "lms", "badges", "default"):
        assert samples[sample("lms_queue_messages", queue=queue)] == 0
    for state in ("pending", "sent", "failed"):
        assert samples[sample("lms_score_outbox_rows", state=state)] == 0


def test_metrics_need_the_bearer_token_when_one_is_set(tool):
    with settings_changed(tool.app, metrics_token="s3cret-metrics-token"):
        bare = requests.get(tool.url + "/metrics")
        wrong = requests.get(tool.url + "/metrics", headers={"Authorization": "Bearer nope"})
        basic = requests.get(
            tool.url + "/metrics", headers={"Authorization": "Basic s3cret-metrics-token"}
        )
        samples = scrape(tool.url, Authorization="Bearer s3cret-metrics-token")
    for answer in (bare, wrong, basic):
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert "lms_" not in answer.text
    assert 'lms_queue_messages{queue="grading"}' in samples
    assert requests.get(tool.url + "/metrics").status_code == 200  # no token: open in dev/test


def test_every_answer_carries_a_request_id(tool):
    mine = requests.get(tool.url + "/healthz", headers={"X-Request-ID": "lb-7f3a.91"})
    assert mine.headers["X-Request-ID"] == "lb-7f3a.91"
    for hostile in ("a b", "x" * 300, "<script>", "id\u00e9"):
        answer = requests.get(tool.url + "/healthz", headers={"X-Request-ID": hostile})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"]), hostile
    one, two = (requests.get(tool.url + "/readyz").headers["X-Request-ID"] for _ in range(2))
    assert one != two
