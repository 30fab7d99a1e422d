"""What a level's credential says, from the real courses/ content, and the Level 2 gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms_plugin.domain.awards import (
    FRAMEWORKS,
    Held,
    LevelFacts,
    assessed_competencies,
    capstone,
    credential_data,
    prerequisite_gate,
)
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.credentials import build_credential
from tests.support.content_keys import catalogue

URLS = CredentialUrls("https://isp.example.edu/")
WHEN = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def program(slug: str):
    found = catalogue().program(slug)
    assert found is not None
    return found


def facts(**overrides) -> LevelFacts:
    level_1 = program("isp-level-1")
    final = capstone(level_1)
    assert final is not None and final.assignment is not None
    values = {
        "credential_id": URLS.credential("0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa"),
        "subject_id": "urn:uuid:7d1c5c1e-2f33-4a0b-9d6e-5b8f0f6a4c21",
        "awarded_at": WHEN,
        "email": "Learner@Example.edu",
        "email_salt": "s4lt",
        "capstone_scores": {c.id: 3 for c in final.assignment.criteria},
        "passed_on": {m.slug: WHEN - timedelta(days=n) for n, m in enumerate(level_1.modules)},
        "status": {"id": URLS.status_list(1) + "#5", "type": "BitstringStatusListEntry"},
    }
    values.update(overrides)
    return LevelFacts(**values)


def competencies():
    return {c.id: c for c in catalogue().competencies}


def test_urls_are_built_in_one_place_and_status_list_urls_read_back():
    assert URLS.credential("abc") == "https://isp.example.edu/credentials/abc"
    assert URLS.issuer() == "https://isp.example.edu/credentials/issuer"
    assert URLS.issuer_key("k1") == "https://isp.example.edu/credentials/issuer/keys/k1"
    assert URLS.achievement_image("isp-level-1").endswith("/achievements/isp-level-1/image")
    assert URLS.status_list_id(URLS.status_list(42)) == 42


@pytest.mark.parametrize(
    "url",
    [
        "https://other.example.edu/credentials/status/1",
        "https://isp.example.edu/credentials/status/0",
        "https://isp.example.edu/credentials/status/01",
        "https://isp.example.edu/credentials/status/1/x",
        "https://isp.example.edu/credentials/status/1#3",
        "https://isp.example.edu/credentials/status/99999999999",
        "https://isp.example.edu/credentials/status/",
    ],
)
def test_only_this_deployments_status_list_urls_name_a_list(url):
    assert URLS.status_list_id(url) is None


def test_level_1_aligns_to_every_competency_its_modules_and_rubrics_cite():
    level_1 = program("isp-level-1")
    cited = assessed_competencies(level_1)
    assert cited[:3] == ("P1", "P2", "P3")  # module 1's list comes first, in its order
    assert len(cited) == len(set(cited)) and {"OI-3", "T8", "SC-3"} <= set(cited)
    credential = build_credential(credential_data(level_1, facts(), {}, competencies(), URLS))
    alignments = credential["credentialSubject"]["achievement"]["alignment"]
    by_code = {a["targetCode"]: a for a in alignments}
    assert list(by_code) == [c for c in cited if c in competencies()]
    assert by_code["CE-1"]["targetName"] == "Co-learning"
    assert by_code["CE-1"]["targetUrl"] == FRAMEWORKS["competency"][1]
    assert by_code["T8"]["targetFramework"] == FRAMEWORKS["tci_competency"][0]


def test_the_level_credential_carries_badge_text_capstone_results_and_evidence():
    level_1 = program("isp-level-1")
    credential = build_credential(credential_data(level_1, facts(), {"id": "x"}, {}, URLS))
    achievement = credential["credentialSubject"]["achievement"]
    assert credential["name"] == achievement["name"] == level_1.badge.name
    assert achievement["id"] == URLS.achievement("isp-level-1")
    assert achievement["criteria"]["narrative"] == level_1.badge.criteria
    final = capstone(level_1)
    assert final is not None and final.assignment is not None
    results = credential["credentialSubject"]["result"]
    assert len(results) == len(final.assignment.criteria)
    assert all(r["achievedLevel"].endswith("#3") for r in results)
    evidence = [e["name"] for e in credential["evidence"]]
    assert evidence == [m.title for m in level_1.modules]
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and "learner@example.edu" not in str(credential).lower()
    assert "validUntil" not in credential  # the content sets no expiry
    assert credential["validFrom"] == credential["awardedDate"] == "2026-05-04T10:00:00Z"


def test_no_email_no_identity_and_unscored_criteria_are_left_out():
    level_1 = program("isp-level-1")
    final = capstone(level_1)
    assert final is not None and final.assignment is not None
    first = final.assignment.criteria[0].id
    data = credential_data(
        level_1, facts(email=None, capstone_scores={first: 4, "nope": 3}), {}, {}, URLS
    )
    credential = build_credential(data)
    assert "identifier" not in credential["credentialSubject"]
    assert [r.achieved for r in data.results] == ["4"]


L2_TITLES = {"isp-level-1": "Level 1"}


@pytest.mark.parametrize(
    "held, verdict, says",
    [
        ({"isp-level-1": Held("issued")}, "issue", ""),
        ({}, "wait", "Waiting for the Level 1 credential"),
        ({"isp-level-1": Held("pending")}, "wait", "Waiting"),
        ({"isp-level-1": Held("failed")}, "wait", "Waiting"),
        ({"isp-level-1": Held("revoked", "plagiarism")}, "withhold", "revoked: plagiarism"),
        ({"isp-level-1": Held("withheld")}, "withhold", "was withheld"),
    ],
)
def test_level_2_needs_a_valid_level_1(held, verdict, says):
    gate = prerequisite_gate(program("isp-level-2"), held, L2_TITLES)
    assert gate.verdict == verdict and says in gate.reason


def test_level_1_has_no_prerequisite():
    assert prerequisite_gate(program("isp-level-1"), {}, {}).verdict == "issue"
