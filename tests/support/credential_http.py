"""Credentials for the page and verify tests: issue one through the badges drain, fetch what the
tool serves with no login, revoke as an admin, and sign a changed copy with the issuer's key."""

from __future__ import annotations

from typing import Any

import requests

from lms_plugin.db.base import utcnow
from tests.support.awards import award_rows, complete_level, drain

LD = {"Accept": "application/ld+json"}
HTML = {"Accept": "text/html"}


def issue(tool: Any, platform: Any, user: str = "learner-1", course: str = "course-101") -> str:
    """A learner completes Level 1 and the badges drain issues it; the credential id."""
    complete_level(tool, platform, user=user, course=course)
    assert drain(tool) == 1
    return str(next(row[0] for row in award_rows(tool) if row[2] == "issued"))


def get(tool: Any, path: str, **kwargs: Any) -> requests.Response:
    """GET a path of the tool, as anyone on the web."""
    return requests.get(tool.url + path, timeout=30, **kwargs)


def credential_of(tool: Any, credential_id: str) -> dict[str, Any]:
    """The signed credential, as its URL serves it."""
    response = get(tool, f"/credentials/{credential_id}", headers=LD)
    assert response.status_code == 200, response.text[:300]
    return dict(response.json())


def revoke_as_admin(tool: Any, credential_id: str, reason: str = "Plagiarised capstone") -> None:
    """What `lms-plugin credentials revoke ID --reason ...` does."""
    from lms_plugin.db import db
    from lms_plugin.domain.credential_urls import CredentialUrls
    from lms_plugin.services import credentials

    with tool.app.app_context():
        urls = CredentialUrls(tool.url)
        credentials.revoke(db.session(), urls, credential_id, reason, "admin (test)")


def signed_by_issuer(tool: Any, credential: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`credential` with `changes`, signed again with the issuer's active key (a genuine
    credential this issuer could have made, e.g. one that has expired)."""
    from lms_plugin.badges.data_integrity import add_proof
    from lms_plugin.db import db
    from lms_plugin.domain.credential_urls import CredentialUrls
    from lms_plugin.services.issuer_keys import signing_keys

    unsigned = {k: v for k, v in credential.items() if k != "proof"} | changes
    with tool.app.app_context():
        keys = signing_keys(db.session(), CredentialUrls(tool.url))
        db.session.commit()
    return add_proof(unsigned, keys.proof_key, keys.verification_method, utcnow())


def store(tool: Any, credential_id: str, credential: dict[str, Any]) -> None:
    """Replace the stored credential of an award (as a restore or a tamperer would)."""
    from lms_plugin.db import db
    from lms_plugin.db.credentials import Award

    with tool.app.app_context():
        award = db.session.query(Award).filter_by(uuid=credential_id).one()
        award.credential = credential
        db.session.commit()
