"""The issuer's keys on PostgreSQL: sealed at rest, one active per kind, rotated, and every key
ever used still published so that what it signed still verifies (here and in Node)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lms_plugin.db.credentials import IssuerKey
from lms_plugin.services import issuer_keys, verification
from tests.integration.test_credentials_issuing import issued, published
from tests.integration.test_credentials_revocation import revoke
from tests.support.awards import award_rows, complete_level, drain, issuer
from tests.support.node_verifier import node_verify

pytestmark = pytest.mark.integration


def rotate(tool) -> None:
    from lms_plugin.db import db

    with tool.app.app_context():
        issuer_keys.rotate_issuer_keys(db.session())


def test_a_credential_signed_before_a_rotation_still_verifies(tool, platform):
    from lms_plugin.db import db

    complete_level(tool, platform, user="before")
    drain(tool)
    rotate(tool)
    complete_level(tool, platform, user="after")
    drain(tool)
    (old_id, *_), (new_id, *_) = award_rows(tool)
    old, new = issued(tool, old_id), issued(tool, new_id)
    old_method = old.credential["proof"][0]["verificationMethod"]
    assert old_method != new.credential["proof"][0]["verificationMethod"]

    documents = published(tool)
    profile = documents[issuer(tool).urls.issuer()]
    assert [m["id"] for m in profile["verificationMethod"]] == profile["assertionMethod"]
    assert len(profile["assertionMethod"]) == 2 and old_method in profile["assertionMethod"]
    for public in (old, new):
        answer = node_verify(public.credential, documents)
        assert answer["verified"] is True, answer
        with tool.app.app_context():
            for form in (public.credential, public.credential_jwt):
                verdict = verification.verify(db.session(), issuer(tool), form)
                assert verdict.valid, verdict

    revoke(tool, old_id)  # the list is signed again, with the new key
    documents = published(tool)
    [list_doc] = [d for url, d in documents.items() if "/status/" in url]
    new_method = new.credential["proof"][0]["verificationMethod"]
    assert list_doc["proof"][0]["verificationMethod"] == new_method
    assert node_verify(old.credential, documents)["status"] == [{"verified": True, "status": True}]
    assert node_verify(new.credential, documents)["verified"] is True


def test_issuer_keys_are_sealed_at_rest_and_one_is_active_per_kind(tool):
    from lms_plugin.db import db

    with tool.app.app_context():
        assert issuer_keys.ensure_issuer_keys(db.session()) == 2
        assert issuer_keys.ensure_issuer_keys(db.session()) == 0
        rotated = issuer_keys.rotate_issuer_keys(db.session())
        assert sorted(k.kind for k in rotated) == ["ed25519", "rsa"]
        db.session.add(IssuerKey(kind="rsa", kid="extra", private_key_pem="x", state="active"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        report = issuer_keys.issuer_key_report(db.session())
    assert report == "issuer keys: ed25519 1 active, 1 retired; rsa 1 active, 1 retired"
    stored = tool.rows("SELECT kind, state, private_key_pem FROM issuer_key ORDER BY id")
    assert len(stored) == 4
    assert all(pem.startswith("sealed:") and "PRIVATE KEY" not in pem for *_, pem in stored)


def test_the_jwks_publishes_every_jwt_key_and_an_unknown_kid_is_not_found(tool, platform):
    from lms_plugin.db import db
    from lms_plugin.domain.errors import NotFoundError

    complete_level(tool, platform)
    drain(tool)
    rotate(tool)
    urls = issuer(tool).urls
    with tool.app.app_context():
        jwks = issuer_keys.issuer_jwks(db.session(), urls)
        kids = [key["kid"] for key in jwks["keys"]]
        one = issuer_keys.issuer_public_jwk(db.session(), urls, kids[1].rsplit("/", 1)[1])
        with pytest.raises(NotFoundError):
            issuer_keys.issuer_public_jwk(db.session(), urls, "nope")
    assert len(kids) == 2 and all(kid.startswith(urls.issuer() + "/keys/") for kid in kids)
    assert one == jwks["keys"][1] and "d" not in one and one["alg"] == "RS256"


def test_the_profile_names_the_contact_email_when_one_is_set(tool, platform):
    from dataclasses import replace

    from lms_plugin.db import db

    complete_level(tool, platform)
    drain(tool)
    with tool.app.app_context():
        plain = issuer_keys.issuer_profile_document(db.session(), issuer(tool))
        with_email = issuer_keys.issuer_profile_document(
            db.session(), replace(issuer(tool), email="badges@example.edu")
        )
    assert "email" not in plain and with_email["email"] == "badges@example.edu"
    credential = issued(tool, award_rows(tool)[0][0]).credential
    documents = {**published(tool), with_email["id"]: with_email}
    assert node_verify(credential, documents)["verified"] is True


def test_a_process_opens_each_signing_key_once_and_follows_a_rotation(tool):
    from lms_plugin.db import db

    urls = issuer(tool).urls
    with tool.app.app_context():
        session = db.session()
        issuer_keys.ensure_issuer_keys(session)
        first = issuer_keys.signing_keys(session, urls)
        # A sealed value no secret opens: only a key read again would notice.
        session.execute(text("UPDATE issuer_key SET private_key_pem = 'sealed:unopenable'"))
        again = issuer_keys.signing_keys(session, urls)
        session.rollback()
    assert again.proof_key is first.proof_key and again.jwt_key is first.jwt_key

    rotate(tool)  # new keys, new kids: opened the first time they sign
    with tool.app.app_context():
        fresh = issuer_keys.signing_keys(db.session(), urls)
        db.session.commit()
    assert fresh.verification_method != first.verification_method
    assert fresh.jwt_kid != first.jwt_kid
