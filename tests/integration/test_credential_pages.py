"""A credential's public page and downloads over real HTTP, with no login: what it says, its live
check, the baked images, the JWT and the PDF read back, revocation, and odd ids (404, never 500)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from lms_plugin.badges.baking import unbake
from tests.support.awards import complete_level, drain, issuer, statements_of
from tests.support.credential_http import (
    HTML,
    LD,
    credential_of,
    get,
    issue,
    revoke_as_admin,
    signed_by_issuer,
    store,
)

pytestmark = pytest.mark.integration


def page(tool, credential_id: str) -> requests.Response:
    response = get(tool, f"/credentials/{credential_id}", headers=HTML)
    assert response.status_code == 200, response.text[:300]
    return response


def pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


def test_the_page_says_who_earned_what_when_and_that_it_is_valid(tool, platform):
    credential_id = issue(tool, platform)
    credential = get(tool, f"/credentials/{credential_id}", headers=LD).json()
    achievement = credential["credentialSubject"]["achievement"]

    text = page(tool, credential_id).text

    assert "A learner of ISP Certificate course-101" in text  # no name until the learner says so
    assert "Lena Learner" not in text
    assert achievement["name"] in text and achievement["criteria"]["narrative"] in text
    assert "Valid" in text and "Signed by ISP Certificate Program, not revoked, valid since" in text
    assert achievement["alignment"][0]["targetName"] in text  # competencies
    assert "Exemplary" in text  # the capstone rubric results
    assert credential["evidence"][0]["name"] in text
    for download in (
        "certificate.pdf",
        "badge.png",
        "badge.svg",
        "credential.json",
        "credential.jwt",
    ):
        assert f"/credentials/{credential_id}/{download}" in text


def test_the_linkedin_link_prefills_the_certification(tool, platform):
    credential_id = issue(tool, platform)
    text = page(tool, credential_id).text
    start = text.index("https://www.linkedin.com/profile/add?")
    link = text[start : text.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["certUrl"] == [f"{tool.url}/credentials/{credential_id}"]
    assert query["certId"] == [credential_id]
    assert query["organizationName"] == ["ISP Certificate Program"]
    assert query["name"][0].startswith("ISP Level 1")


def test_downloads_carry_the_same_signed_credential(tool, platform):
    credential_id = issue(tool, platform)
    credential = get(tool, f"/credentials/{credential_id}", headers=LD).json()

    as_json = get(tool, f"/credentials/{credential_id}/credential.json")
    png = get(tool, f"/credentials/{credential_id}/badge.png")
    svg = get(tool, f"/credentials/{credential_id}/badge.svg")
    token = get(tool, f"/credentials/{credential_id}/credential.jwt")

    assert as_json.json() == credential
    assert (
        f'filename="isp-level-1-{credential_id[:8]}.json"' in as_json.headers["Content-Disposition"]
    )
    assert unbake(png.content) == credential and png.headers["Content-Type"] == "image/png"
    assert unbake(svg.content) == credential
    assert token.headers["Content-Type"] == "application/jwt" and token.text.count(".") == 2


def test_the_public_pdf_names_the_learner_only_when_they_chose_to(tool, platform):
    credential_id = issue(tool, platform)
    response = get(tool, f"/credentials/{credential_id}/certificate.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "The holder of this credential" in text and "Lena Learner" not in text
    assert credential_id in text and "ISP Certificate Program" in text

    tool.rows(f"UPDATE award SET show_name = true WHERE uuid = '{credential_id}' RETURNING id")
    named = pdf_text(get(tool, f"/credentials/{credential_id}/certificate.pdf").content)
    assert "Lena Learner" in named
    assert "Lena Learner" in page(tool, credential_id).text


def test_a_revoked_credential_says_when_and_why_and_offers_no_badge(tool, platform):
    credential_id = issue(tool, platform)
    revoke_as_admin(tool, credential_id, "Capstone plagiarised")

    text = page(tool, credential_id).text

    assert "Revoked" in text and "Capstone plagiarised" in text
    assert "not revoked" not in text and "linkedin.com" not in text
    for download in ("badge.png", "badge.svg", "certificate.pdf"):
        response = get(tool, f"/credentials/{credential_id}/{download}", headers=HTML)
        assert response.status_code == 410 and "revoked" in response.text, download
    assert get(tool, f"/credentials/{credential_id}/credential.json").status_code == 200


def test_a_credential_altered_in_the_database_fails_the_live_check(tool, platform):
    credential_id = issue(tool, platform)
    assert "not revoked" in page(tool, credential_id).text  # verified once, remembered
    tool.rows(
        "UPDATE award SET credential = jsonb_set(credential::jsonb, '{name}', "
        f"'\"ISP Level 3\"')::json WHERE uuid = '{credential_id}' RETURNING id"
    )

    text = page(tool, credential_id).text

    assert "Not valid" in text and "signature" in text and "not revoked" not in text


def test_the_competency_section_follows_the_stored_alignments_and_the_language(tool, platform):
    """The section is rendered once per alignment list and language, and reused: a credential
    whose alignments differ, or a reader in another language, gets its own."""
    credential_id = issue(tool, platform)
    credential = get(tool, f"/credentials/{credential_id}", headers=LD).json()
    first = credential["credentialSubject"]["achievement"]["alignment"][0]["targetName"]
    english = page(tool, credential_id).text
    assert "Competencies assessed" in english and first in english
    assert page(tool, credential_id).text.count(first) == english.count(first)  # reused alike

    french = get(
        tool, f"/credentials/{credential_id}", headers={**HTML, "Accept-Language": "fr-FR"}
    ).text
    assert "Compétences évaluées" in french and "Competencies assessed" not in french

    tool.rows(
        "UPDATE award SET credential = jsonb_set(credential::jsonb,"
        " '{credentialSubject,achievement,alignment,0,targetName}', '\"Renamed competency\"')::json"
        f" WHERE uuid = '{credential_id}' RETURNING id"
    )
    altered = page(tool, credential_id).text
    assert "Renamed competency" in altered and f"<strong>{first}</strong>" not in altered


def _with_expiring_proof(tool, credential: dict, expires: datetime) -> dict:
    """`credential` signed again by the issuer with a proof that has `expires` (VC DI §2.1)."""
    from lms_plugin.badges.data_integrity import hash_data, xsd_datetime
    from lms_plugin.badges.multibase import encode_base58btc
    from lms_plugin.db import db
    from lms_plugin.services.issuer_keys import signing_keys

    with tool.app.app_context():
        keys = signing_keys(db.session(), issuer(tool).urls)
        db.session.commit()
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": xsd_datetime(expires - timedelta(days=1)),
        "expires": xsd_datetime(expires),
        "verificationMethod": keys.verification_method,
        "proofPurpose": "assertionMethod",
    }
    value = encode_base58btc(keys.proof_key.sign(hash_data(unsigned, options)))
    return unsigned | {"proof": [options | {"proofValue": value}]}


def test_a_proof_that_expires_is_checked_at_every_view_not_remembered(tool, platform):
    from lms_plugin.db import db
    from lms_plugin.services.credential_check import live_check

    credential_id = issue(tool, platform)
    expires = datetime(2027, 6, 1, tzinfo=UTC)
    credential = _with_expiring_proof(tool, credential_of(tool, credential_id), expires)

    with tool.app.app_context():
        session = db.session()
        before = live_check(session, issuer(tool), credential, now=expires - timedelta(hours=1))
        after = live_check(session, issuer(tool), credential, now=expires)

    assert (before.valid, before.code) == (True, "valid")
    assert (after.valid, after.code) == (False, "expired")  # the proof set of one is read too


def test_the_live_check_reads_the_keys_and_the_status_list_in_one_query(tool, platform):
    from lms_plugin.db import db
    from lms_plugin.services.credential_check import live_check

    credential_id = issue(tool, platform)
    page(tool, credential_id)  # the first view signs the new status list's document
    credential = credential_of(tool, credential_id)
    with tool.app.app_context():
        session = db.session()
        checks = []
        sent = statements_of(
            db.engine, lambda: checks.append(live_check(session, issuer(tool), credential))
        )
        session.commit()

    assert [check.code for check in checks] == ["valid"]
    assert sent == ["SELECT"]


def test_an_expired_credential_says_so(tool, platform):
    credential_id = issue(tool, platform)
    genuine = credential_of(tool, credential_id)
    store(
        tool,
        credential_id,
        signed_by_issuer(
            tool, genuine, validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z"
        ),
    )

    text = page(tool, credential_id).text

    day = '<time datetime="2021-01-01T00:00:00+00:00" data-local="date">January 1, 2021</time>'
    assert "Expired" in text and f"This credential expired on {day}." in text
    assert "not revoked" not in text


def test_a_credential_not_valid_yet_says_from_when(tool, platform):
    credential_id = issue(tool, platform)
    later = signed_by_issuer(
        tool, credential_of(tool, credential_id), validFrom="2999-01-01T00:00:00Z"
    )
    store(tool, credential_id, later)

    text = page(tool, credential_id).text

    day = '<time datetime="2999-01-01T00:00:00+00:00" data-local="date">January 1, 2999</time>'
    assert "Not valid yet" in text and f"valid from {day}." in text


ODD_IDS = [
    "nope",
    "0",
    "00000000-0000-0000-0000-000000000000",
    "6b9f0f2e-6f0e-4c2b-9b1e-2a1f5d7c3e4",  # one digit short
    "6b9f0f2e-6f0e-4c2b-9b1e-2a1f5d7c3e4g",
    "%00",
    "%FF%FE",
    "%C3%A9t%C3%A9",
    "x" * 3000,
    "%2E%2E",  # (a literal ".." is resolved by the client before it is sent)
    "issuer.json",
    "urn:uuid:nope",
    "'%20OR%201=1--",
    "%7B%7D",
    "ob2",
    "status",
    "achievements",
]


def test_unknown_or_malformed_ids_are_404_pages(tool, platform):
    issue(tool, platform)
    for odd in ODD_IDS:
        for suffix in (
            "",
            "/credential.json",
            "/credential.jwt",
            "/badge.png",
            "/ob2",
            "/certificate.pdf",
        ):
            for accept in (HTML, LD):
                response = get(tool, f"/credentials/{odd}{suffix}", headers=accept)
                assert response.status_code == 404, (odd, suffix, response.status_code)
    html = get(tool, "/credentials/nope", headers=HTML)
    assert "There is no credential with this id." in html.text


def test_a_pending_credential_has_no_public_page_yet(tool, platform):
    complete_level(tool, platform)
    [(credential_id,)] = tool.rows("SELECT uuid FROM award")
    assert get(tool, f"/credentials/{credential_id}", headers=HTML).status_code == 404
    drain(tool)
    assert get(tool, f"/credentials/{credential_id}", headers=HTML).status_code == 200


def test_other_spellings_of_an_id_lead_to_the_one_page(tool, platform):
    credential_id = issue(tool, platform)
    for spelling in (
        credential_id.upper(),
        f"urn:uuid:{credential_id}",
        credential_id.replace("-", ""),
    ):
        response = get(tool, f"/credentials/{spelling}", headers=HTML, allow_redirects=False)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/credentials/{credential_id}")
