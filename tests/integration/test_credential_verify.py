"""POST /credentials/verify over real HTTP: a credential as JSON, as a form upload or paste, as a
raw JWT, baked in a PNG or SVG; tampered, wrongly signed, revoked and expired ones reported as
such; oversized, empty and garbage bodies a clear 4xx; the form page; the per-address limit."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms_plugin.badges.baking import MAX_IMAGE_BYTES, bake_png
from lms_plugin.badges.data_integrity import add_proof
from lms_plugin.badges.multikey import multikey_id
from tests.support.credential_http import (
    HTML,
    credential_of,
    get,
    issue,
    revoke_as_admin,
    signed_by_issuer,
)

pytestmark = pytest.mark.integration

JSON_ACCEPT = {"Accept": "application/json"}


def verify(tool, **kwargs) -> requests.Response:
    kwargs.setdefault("headers", JSON_ACCEPT)
    return requests.post(tool.url + "/credentials/verify", timeout=60, **kwargs)


def verdict(tool, **kwargs) -> tuple[int, bool, str]:
    response = verify(tool, **kwargs)
    body = response.json()
    return response.status_code, body.get("valid"), body.get("code") or body.get("error")


def test_a_genuine_credential_is_valid_in_every_form_it_is_handed_out(tool, platform):
    credential_id = issue(tool, platform)
    credential = credential_of(tool, credential_id)
    token = get(tool, f"/credentials/{credential_id}/credential.jwt").text
    png = get(tool, f"/credentials/{credential_id}/badge.png").content
    svg = get(tool, f"/credentials/{credential_id}/badge.svg").content

    sent = {
        "json body": {"json": credential},
        "json envelope": {"json": {"credential": credential}},
        "jwt envelope": {"json": {"credential": token}},
        "raw jwt": {"data": token, "headers": {**JSON_ACCEPT, "Content-Type": "application/jwt"}},
        "raw png": {"data": png, "headers": {**JSON_ACCEPT, "Content-Type": "image/png"}},
        "uploaded json": {"files": {"file": ("c.json", json.dumps(credential).encode())}},
        "uploaded jwt": {"files": {"file": ("c.jwt", token.encode())}},
        "uploaded png": {"files": {"file": ("badge.png", png, "image/png")}},
        "uploaded svg": {"files": {"file": ("badge.svg", svg, "image/svg+xml")}},
        "pasted json": {"data": {"credential": json.dumps(credential)}},
        "pasted jwt": {"data": {"credential": token}},
    }
    for how, kwargs in sent.items():
        kwargs.setdefault("headers", JSON_ACCEPT)
        response = verify(tool, **kwargs)
        body = response.json()
        assert (response.status_code, body["valid"], body["code"]) == (200, True, "valid"), how
        assert body["credential"]["id"] == credential["id"], how
    sources = [verify(tool, **sent[how]).json()["source"] for how in ("raw png", "uploaded svg")]
    assert sources == ["png", "svg"]


@pytest.mark.parametrize(
    "path",
    [
        ("name",),
        ("validFrom",),
        ("issuer", "name"),
        ("credentialSubject", "id"),
        ("credentialSubject", "achievement", "name"),
        ("credentialSubject", "achievement", "criteria", "narrative"),
        ("credentialSubject", "identifier", 0, "identityHash"),
        ("credentialStatus", "statusListIndex"),
        ("evidence", 0, "description"),
        ("proof", 0, "created"),
    ],
)
def test_a_changed_field_breaks_the_signature(tool, platform, path):
    credential = credential_of(tool, issue(tool, platform))
    tampered = copy.deepcopy(credential)
    holder = tampered
    for key in path[:-1]:
        holder = holder[key]
    value = holder[path[-1]]
    if value.endswith("Z"):  # a date: another valid one
        holder[path[-1]] = "2020-01-01T00:00:00Z"
    else:
        holder[path[-1]] = value[:-1] + ("0" if value[-1] != "0" else "1")

    status, valid, code = verdict(tool, json=tampered)

    assert (status, valid, code) == (200, False, "signature_invalid")


def test_a_credential_signed_by_another_key_is_not_this_issuers(tool, platform):
    credential = credential_of(tool, issue(tool, platform))
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    stranger = Ed25519PrivateKey.generate()
    # the stranger claims a key id under this issuer, and then a key of its own
    claimed = (
        f"{credential['issuer']['id']}#{multikey_id('x', stranger.public_key()).split('#')[1]}"
    )
    for method in (claimed, multikey_id("https://evil.example", stranger.public_key())):
        forged = add_proof(unsigned, stranger, method, datetime.now(UTC))
        assert verdict(tool, json=forged) == (200, False, "verification_method")


def test_a_revoked_credential_is_reported_revoked_in_both_forms(tool, platform):
    credential_id = issue(tool, platform)
    credential = credential_of(tool, credential_id)
    token = get(tool, f"/credentials/{credential_id}/credential.jwt").text
    revoke_as_admin(tool, credential_id)

    assert verdict(tool, json=credential) == (200, False, "revoked")
    assert verdict(tool, json={"credential": token}) == (200, False, "revoked")
    page = verify(tool, data={"credential": token}, headers=HTML)
    assert page.status_code == 200 and "Revoked" in page.text


def test_an_expired_credential_is_reported_expired(tool, platform):
    credential = credential_of(tool, issue(tool, platform))
    expired = signed_by_issuer(
        tool, credential, validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z"
    )
    assert verdict(tool, json=expired) == (200, False, "expired")
    baked = bake_png(get(tool, "/credentials/achievements/isp-level-1/image.png").content, expired)
    assert verdict(tool, files={"file": ("old.png", baked)}) == (200, False, "expired")


def test_a_tampered_jwt_is_refused(tool, platform):
    credential_id = issue(tool, platform)
    token = get(tool, f"/credentials/{credential_id}/credential.jwt").text
    header, payload, signature = token.split(".")
    # One character changed mid-signature: every bit of it counts, so the encoding stays
    # canonical (a changed last character can set its unused bits: then the JWT is malformed).
    at = len(signature) // 2
    flipped = signature[:at] + ("B" if signature[at] != "B" else "C") + signature[at + 1 :]
    status, valid, code = verdict(tool, json={"credential": f"{header}.{payload}.{flipped}"})
    assert (status, valid, code) == (200, False, "signature_invalid")


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
)
AS_JSON = {**JSON_ACCEPT, "Content-Type": "application/json"}


def test_garbage_is_a_clear_4xx_never_a_500(tool, platform):
    plain_png = get(tool, "/credentials/achievements/isp-level-1/image.png").content
    cases = {
        "empty body": ({"data": b""}, 400, "credential_missing"),
        "empty form": ({"data": {"credential": "  "}}, 400, "credential_missing"),
        "not json": ({"data": b"{nope", "headers": AS_JSON}, 422, "jsonld_invalid"),
        "json list": ({"json": [1, 2]}, 422, "jsonld_invalid"),
        "nested": ({"data": "[" * 50_000 + "]" * 50_000}, 422, "jsonld_invalid"),
        "deep object": ({"data": '{"a":' * 5_000 + "1" + "}" * 5_000}, None, None),
        "not a jwt": ({"data": b"hello there"}, 422, "jwt_malformed"),
        "binary": ({"data": bytes(range(256)) * 4}, 422, "credential_unreadable"),
        "broken png": ({"data": b"\x89PNG\r\n\x1a\n" + b"\0" * 64}, 422, "image_malformed"),
        "html": ({"data": b"<html><body>hi</body></html>"}, 422, "image_malformed"),
        "plain png": ({"files": {"file": ("a.png", plain_png)}}, 422, "image_not_baked"),
        "xxe svg": ({"data": XXE}, 422, "image_not_baked"),
        "unknown context": ({"json": {"@context": ["https://evil.example/c"]}}, 200, None),
        "large json": ({"json": {"pad": "x" * 300_000}}, 413, "credential_too_large"),
    }
    for name, (kwargs, status, code) in cases.items():
        kwargs.setdefault("headers", JSON_ACCEPT)
        response = verify(tool, **kwargs)
        assert 400 <= response.status_code < 500 or response.status_code == 200, name
        if status is not None:
            assert response.status_code == status, (name, response.status_code, response.text[:200])
        body = response.json()
        assert body.get("valid") is not True, name
        if code is not None:
            assert (body.get("error") or body.get("code")) == code, (name, body)


def test_an_upload_larger_than_a_badge_image_is_413_before_it_is_read(tool, platform):
    huge = b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_IMAGE_BYTES + 128 * 1024)
    response = verify(tool, files={"file": ("huge.png", huge)})
    assert response.status_code == 413 and response.json()["error"] == "request_too_large"
    just_over = b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES  # within the route, over the image
    response = verify(tool, files={"file": ("big.png", just_over)})
    assert response.status_code == 413 and response.json()["error"] == "image_too_large"
    page = verify(tool, files={"file": ("big.png", just_over)}, headers=HTML)
    assert page.status_code == 413 and "larger than" in page.text and "<form" in page.text


def test_the_form_page_checks_an_upload_and_shows_the_verdict(tool, platform):
    credential_id = issue(tool, platform)
    form = get(tool, "/credentials/verify", headers=HTML)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    png = get(tool, f"/credentials/{credential_id}/badge.png").content

    page = verify(tool, files={"file": ("badge.png", png, "image/png")}, headers=HTML)

    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "✓</span> Valid" in page.text and "ISP Level 1" in page.text
    issued = datetime.fromisoformat(credential_of(tool, credential_id)["validFrom"])
    moment = f'datetime="{issued.isoformat()}" data-local="date">{issued:%B %-d, %Y}</time>'
    assert f"<dt>Valid from</dt><dd><time {moment}</dd>" in page.text
    assert f'href="{tool.url}/credentials/{credential_id}"' in page.text
    bad = verify(tool, data={"credential": "not a credential"}, headers=HTML)
    assert bad.status_code == 422 and "Not valid" in bad.text


def test_a_forged_credential_is_not_echoed_as_the_issuers(tool, platform):
    credential = credential_of(tool, issue(tool, platform))
    forged = copy.deepcopy(credential)
    forged["id"] = "https://phish.example/login"
    forged["credentialSubject"]["achievement"]["name"] = "Doctor of Everything"
    page = verify(tool, json=forged, headers=HTML)
    assert "phish.example" not in page.text and "Doctor of Everything" not in page.text
    assert verify(tool, json=forged).json()["credential"] is None


def test_checks_are_limited_per_address(tool, platform):
    statuses = [verify(tool, data=b"x").status_code for _ in range(31)]
    assert statuses[:30] == [422] * 30 and statuses[30] == 429
    assert get(tool, "/credentials/verify", headers=HTML).status_code == 200  # the form stays
