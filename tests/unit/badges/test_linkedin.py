"""The LinkedIn Add to Profile link: LinkedIn's documented parameters, each encoded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from lms_plugin.badges.linkedin import add_to_profile_url

CREDENTIAL = "https://isp.example.edu/credentials/0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa"


def _query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    parsed = parse_qs(parts.query, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {key: values[0] for key, values in parsed.items()}


def test_the_link_prefills_name_organisation_issue_date_url_and_id():
    url = add_to_profile_url(
        name="ISP Level 1 — Foundations & practice",
        organization_name="Example University",
        issued=datetime(2026, 2, 1, 9, 30, tzinfo=UTC),
        cert_url=CREDENTIAL,
        cert_id="0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa",
    )
    assert _query(url) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "ISP Level 1 — Foundations & practice",
        "organizationName": "Example University",
        "issueYear": "2026",
        "issueMonth": "2",
        "certUrl": CREDENTIAL,
        "certId": "0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa",
    }
    assert "+" not in url and "%20" in url  # spaces travel as %20, the one form every parser reads


def test_an_organisation_id_replaces_the_name_and_an_expiry_is_sent():
    query = _query(
        add_to_profile_url(
            name="ISP Level 2",
            organization_name="Example University",
            organization_id="1337",
            issued=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
            expires=datetime(2029, 1, 15, tzinfo=UTC),
            cert_url=CREDENTIAL,
            cert_id="x",
        )
    )
    assert query["organizationId"] == "1337"
    assert "organizationName" not in query
    assert (query["expirationYear"], query["expirationMonth"]) == ("2029", "1")


def test_the_issue_month_is_the_utc_month_of_the_credential():
    # 00:30 on 1 March in UTC+2 is still February in UTC, as the credential's validFrom says.
    issued = datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    query = _query(
        add_to_profile_url(
            name="n", organization_name="o", issued=issued, cert_url=CREDENTIAL, cert_id="i"
        )
    )
    assert (query["issueYear"], query["issueMonth"]) == ("2026", "2")


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_to_profile_url(
            name="n",
            organization_name="o",
            issued=datetime(2026, 3, 1),  # no tzinfo: the point of the test
            cert_url=CREDENTIAL,
            cert_id="i",
        )
