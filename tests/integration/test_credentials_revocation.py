"""Revoking a credential on PostgreSQL: its bit in the signed status list (read by Node's
vc-bitstring-status-list), who and why, Level 2 stopped, and every refusal a clear error."""

from __future__ import annotations

import pytest

from lms_plugin.badges.status_list import StatusList
from lms_plugin.domain.errors import ConflictError, InvalidInputError, NotFoundError
from lms_plugin.services import credentials, status_lists, verification
from tests.integration.test_credentials_issuing import L1, L2, issued, published
from tests.support.awards import award_rows, complete_level, drain, issuer
from tests.support.french import in_french
from tests.support.node_verifier import node_verify

pytestmark = pytest.mark.integration


def revoke(tool, credential_id: str, reason: str = "Plagiarised capstone", **kwargs):
    from lms_plugin.db import db

    with tool.app.app_context():
        return credentials.revoke(
            db.session(), issuer(tool).urls, credential_id, reason, "admin (test)", **kwargs
        )


def test_revoking_sets_the_bit_node_reads_and_the_list_is_signed_again(tool, platform):
    complete_level(tool, platform, user="keep")
    complete_level(tool, platform, user="lose")
    drain(tool)
    (kept, *_), (lost, *_) = award_rows(tool)
    before = published(tool)
    assert node_verify(issued(tool, lost).credential, before)["status"] == [
        {"verified": True, "status": False}
    ]
    [(version_before,)] = tool.rows("SELECT version FROM status_list")

    done = revoke(tool, lost)

    assert done.award.status == "revoked" and done.withheld == [] == done.still_valid
    after = published(tool)
    [(version, index, reason, by)] = tool.rows(
        "SELECT l.version, a.status_index, a.revoked_reason, a.revoked_by "
        "FROM award a JOIN status_list l ON l.id = a.status_list_id WHERE a.uuid = "
        f"'{lost}'"
    )
    assert version == version_before + 1 and (reason, by) == (
        "Plagiarised capstone",
        "admin (test)",
    )
    [list_url] = [url for url in after if "/status/" in url]
    bits = StatusList.decode(after[list_url]["credentialSubject"]["encodedList"])
    assert bits.get(index) and sum(bin(b).count("1") for b in bits.bits) == 1
    revoked = node_verify(issued(tool, lost).credential, after)
    assert revoked["status"] == [{"verified": True, "status": True}], revoked
    assert node_verify(issued(tool, kept).credential, after)["verified"] is True

    from lms_plugin.db import db

    with tool.app.app_context():
        verdict = verification.verify(db.session(), issuer(tool), issued(tool, lost).credential)
        as_jwt = verification.verify(db.session(), issuer(tool), issued(tool, lost).credential_jwt)
    assert (verdict.valid, verdict.code) == (False, "revoked")
    assert (as_jwt.valid, as_jwt.code) == (False, "revoked")
    public = issued(tool, lost)
    assert public.status == "revoked" and public.revoked_reason == "Plagiarised capstone"


def test_level_2_is_not_issued_while_level_1_is_revoked(tool, platform):
    complete_level(tool, platform, L1)
    drain(tool)
    [(level_1, *_)] = award_rows(tool)
    revoke(tool, level_1)

    complete_level(tool, platform, L2)  # the learner finishes Level 2 afterwards
    assert drain(tool) == 1
    [(status, why)] = tool.rows(f"SELECT status, last_error FROM award WHERE program_slug = '{L2}'")
    assert status == "withheld" and "was revoked: Plagiarised capstone" in why
    assert drain(tool) == 0
    assert tool.rows("SELECT count(*) FROM award WHERE credential IS NOT NULL") == [(1,)]


def test_revoking_level_1_withholds_a_waiting_level_2_and_says_so(tool, platform):
    complete_level(tool, platform, L1)
    drain(tool)
    complete_level(tool, platform, L2)  # recorded, not issued yet
    (level_1, *_), (level_2, *_) = award_rows(tool)

    done = revoke(tool, level_1)

    assert done.withheld == [level_2] and done.still_valid == []
    assert drain(tool) == 0 and [r[2] for r in award_rows(tool)] == ["revoked", "withheld"]


def test_a_level_2_issued_before_the_revocation_is_reported_not_silently_kept(tool, platform):
    complete_level(tool, platform, L1)
    drain(tool)
    complete_level(tool, platform, L2)
    drain(tool)
    (level_1, *_), (level_2, *_) = award_rows(tool)
    assert revoke(tool, level_1).still_valid == [level_2]


def test_refusals_are_clear_errors(tool, platform):
    context_id, _ = complete_level(tool, platform)
    [(credential_id, *_)] = award_rows(tool)
    with pytest.raises(ConflictError, match="Only an issued credential"):
        revoke(tool, credential_id)  # still pending
    with in_french(), pytest.raises(ConflictError, match="Seul un certificat numérique délivré"):
        revoke(tool, credential_id)  # in the instructor's language
    drain(tool)
    with pytest.raises(NotFoundError):
        revoke(tool, "not-a-uuid")
    with pytest.raises(NotFoundError):
        revoke(tool, credential_id, context_id=context_id + 1)  # another course's instructor
    with pytest.raises(InvalidInputError):
        revoke(tool, credential_id, reason="   ")
    with pytest.raises(InvalidInputError):
        revoke(tool, credential_id, reason="x" * 1001)
    revoke(tool, credential_id, context_id=context_id)
    with pytest.raises(ConflictError, match="already revoked"):
        revoke(tool, credential_id)
    from lms_plugin.db import db

    with tool.app.app_context():
        with pytest.raises(ConflictError):
            credentials.reissue(db.session(), credential_id)  # only failed ones
        with pytest.raises(NotFoundError):
            status_lists.status_list_document(db.session(), 10_000, issuer(tool).urls)


def test_verify_reports_tampering_foreign_lists_and_garbage_with_reasons(tool, platform):
    from lms_plugin.db import db

    complete_level(tool, platform)
    drain(tool)
    credential = issued(tool, award_rows(tool)[0][0]).credential
    tampered = {**credential, "name": "Something else"}
    foreign = {
        **credential,
        "credentialStatus": {
            **credential["credentialStatus"],
            "statusListCredential": "https://elsewhere.example/status/1",
        },
    }
    cases = {
        "tampered": tampered,
        "foreign": foreign,
        "not json": "{not json",
        "array": "[1, 2]",
        "jwt garbage": "a.b.c",
        "empty": "",
    }
    with tool.app.app_context():
        verdicts = {
            name: verification.verify(db.session(), issuer(tool), presented)
            for name, presented in cases.items()
        }
    assert {name: v.valid for name, v in verdicts.items()} == dict.fromkeys(cases, False)
    assert verdicts["tampered"].code == "signature_invalid"
    assert verdicts["foreign"].code in {"signature_invalid", "status_list_invalid"}
    assert verdicts["not json"].code == verdicts["array"].code == "jsonld_invalid"
    assert verdicts["jwt garbage"].code == "jwt_malformed" == verdicts["empty"].code
    assert all(v.reason for v in verdicts.values())
