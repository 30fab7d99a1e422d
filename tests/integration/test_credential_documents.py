"""The public documents of the credentials, over real HTTP with no login: the issuer Profile and
keys, status lists (signed again on revocation), achievements with their artwork, the credential
at its own URL, and the Open Badges 2.0 hosted documents; types, CORS, ETags; and Digital
Bazaar's verifier in Node checking a credential with the documents as a web verifier fetches
them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import jwt
import pytest
import requests

from lms_plugin.badges.artwork import badge_png, badge_svg
from lms_plugin.badges.status_list import StatusList
from lms_plugin.badges.vc_jwt import decode_vc_jwt
from lms_plugin.db.base import utcnow
from tests.support.credential_http import LD, get, issue, revoke_as_admin
from tests.support.node_verifier import node_verify

pytestmark = pytest.mark.integration

L1 = "isp-level-1"


@contextmanager
def issuer_email(tool, email: str) -> Iterator[None]:
    """The running tool with LMS_ISSUER_EMAIL set, for the length of the block."""
    settings = tool.app.extensions["lms_settings"]
    tool.app.extensions["lms_settings"] = dataclasses.replace(settings, issuer_email=email)
    try:
        yield
    finally:
        tool.app.extensions["lms_settings"] = settings


def test_every_document_is_public_json_ld_with_cors_and_an_etag(tool, platform):
    credential_id = issue(tool, platform)
    expected = {
        "/credentials/issuer": "application/ld+json",
        "/credentials/issuer/jwks": "application/json",
        "/credentials/status/1": "application/ld+json",
        f"/credentials/achievements/{L1}": "application/ld+json",
        f"/credentials/{credential_id}": "application/ld+json",
        f"/credentials/{credential_id}/ob2": "application/ld+json",
        f"/credentials/ob2/badges/{L1}": "application/ld+json",
    }
    for path, mimetype in expected.items():
        response = get(tool, path, headers=LD)
        assert response.status_code == 200, (path, response.text[:200])
        assert response.headers["Content-Type"] == mimetype, path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "no-cache" in response.headers["Cache-Control"], path
        again = get(tool, path, headers={**LD, "If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304, path
        assert response.json()["id"] if "jwks" not in path else response.json()["keys"]


def test_a_web_verifier_verifies_the_credential_with_what_the_tool_serves(tool, platform):
    credential_id = issue(tool, platform)
    credential = get(tool, f"/credentials/{credential_id}", headers=LD).json()
    assert credential["id"] == f"{tool.url}/credentials/{credential_id}"
    documents = {
        url: requests.get(url, headers=LD, timeout=30).json()
        for url in (
            credential["issuer"]["id"],
            credential["credentialStatus"]["statusListCredential"],
        )
    }

    verdict = node_verify(credential, documents)

    assert verdict["verified"] is True, verdict
    assert verdict["status"] == [{"verified": True, "status": False}]
    # the VC-JWT's kid is a URL that serves its public key
    token = get(tool, f"/credentials/{credential_id}/credential.jwt").text
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(requests.get(kid, timeout=30).json()).key
    assert decode_vc_jwt(token, lambda _header: key, now=utcnow())["id"] == credential["id"]
    jwks = get(tool, "/credentials/issuer/jwks").json()
    assert [k["kid"] for k in jwks["keys"]] == [kid]


def test_revoking_publishes_the_bit_at_the_status_list_url(tool, platform):
    credential_id = issue(tool, platform)
    credential = get(tool, f"/credentials/{credential_id}", headers=LD).json()
    entry = credential["credentialStatus"]
    before = requests.get(entry["statusListCredential"], headers=LD, timeout=30)

    revoke_as_admin(tool, credential_id)

    after = requests.get(
        entry["statusListCredential"],
        headers={**LD, "If-None-Match": before.headers["ETag"]},
        timeout=30,
    )
    assert after.status_code == 200  # a changed list is never answered with 304
    bits = StatusList.decode(after.json()["credentialSubject"]["encodedList"])
    assert bits.get(int(entry["statusListIndex"]))
    documents = {credential["issuer"]["id"]: get(tool, "/credentials/issuer", headers=LD).json()}
    documents[entry["statusListCredential"]] = after.json()
    assert node_verify(credential, documents)["status"] == [{"verified": True, "status": True}]


def test_achievement_is_a_page_for_people_and_json_ld_for_programs(tool, platform):
    page = get(tool, f"/credentials/achievements/{L1}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    document = get(tool, f"/credentials/achievements/{L1}", headers=LD).json()
    assert document["id"] == f"{tool.url}/credentials/achievements/{L1}"
    assert document["achievementType"] == "Certificate"
    assert document["name"] in page.text and document["criteria"]["narrative"] in page.text
    assert len(document["alignment"]) > 5 and document["alignment"][0]["targetName"] in page.text
    # The same competency section as the credential's page, with the frameworks' definers.
    definer = document["alignment"][0]["targetUrl"]
    assert f'href="{definer}"' in page.text and "Defined by" in page.text
    svg = get(tool, f"/credentials/achievements/{L1}/image")
    png = get(tool, f"/credentials/achievements/{L1}/image.png")
    assert (svg.headers["Content-Type"], svg.content) == (
        "image/svg+xml; charset=utf-8",
        badge_svg(1),
    )
    assert (png.headers["Content-Type"], png.content) == ("image/png", badge_png(1))
    level_2 = get(tool, "/credentials/achievements/isp-level-2/image.png")
    assert level_2.content == badge_png(2)


def test_the_credential_names_only_urls_the_tool_serves(tool, platform):
    credential_id = issue(tool, platform)
    credential = get(tool, f"/credentials/{credential_id}", headers=LD).json()
    achievement = credential["credentialSubject"]["achievement"]
    urls = [
        credential["id"],
        credential["issuer"]["id"],
        credential["credentialStatus"]["statusListCredential"],
        achievement["id"],
        achievement["criteria"]["id"],
        achievement["image"]["id"],
        credential["proof"][0]["verificationMethod"].split("#")[0],
    ]
    for url in urls:
        assert url.startswith(tool.url) and requests.get(url, timeout=30).status_code == 200, url


def test_unknown_documents_are_404_never_500(tool, platform):
    issue(tool, platform)
    for path in (
        "/credentials/status/2",
        f"/credentials/status/{2**40}",
        "/credentials/status/0",
        "/credentials/issuer/keys/nope",
        "/credentials/achievements/no-such-level",
        "/credentials/achievements/no-such-level/image",
        "/credentials/achievements/..%2F..%2Fetc/image.png",
        "/credentials/ob2/badges/no-such-level",
    ):
        response = get(tool, path, headers=LD)
        assert response.status_code == 404, (path, response.status_code)


def test_ob2_hosted_assertion_badge_class_and_issuer(tool, platform):
    credential_id = issue(tool, platform)
    credential = get(tool, f"/credentials/{credential_id}", headers=LD).json()
    assertion = get(tool, f"/credentials/{credential_id}/ob2").json()
    assert assertion["id"] == f"{tool.url}/credentials/{credential_id}/ob2"
    assert assertion["verification"] == {"type": "hosted"}
    identity = credential["credentialSubject"]["identifier"][0]
    assert assertion["recipient"]["identity"] == identity["identityHash"]
    badge = requests.get(assertion["badge"], timeout=30).json()
    assert badge["type"] == "BadgeClass" and badge["issuer"] == f"{tool.url}/credentials/ob2/issuer"
    assert requests.get(badge["image"], timeout=30).content == badge_png(1)

    missing = get(tool, "/credentials/ob2/issuer", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and "LMS_ISSUER_EMAIL" in missing.json()["hint"]
    with issuer_email(tool, "badges@example.edu"):
        issuer = requests.get(badge["issuer"], timeout=30).json()
    assert (issuer["type"], issuer["email"]) == ("Issuer", "badges@example.edu")

    revoke_as_admin(tool, credential_id, "Issued in error")
    gone = get(tool, f"/credentials/{credential_id}/ob2")
    assert gone.status_code == 410
    assert gone.json() == {
        "@context": "https://w3id.org/openbadges/v2",
        "id": assertion["id"],
        "type": "Assertion",
        "revoked": True,
        "revocationReason": "Issued in error",
    }
