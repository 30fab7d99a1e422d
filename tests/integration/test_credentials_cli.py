"""`lms-plugin credentials ...`, `keys rotate --purpose credentials` and `check`, run as an admin
runs them (real processes) against the test tool's PostgreSQL database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.awards import award_rows, complete_level, drain
from tests.support.node_verifier import node_verify
from tests.support.worker import settings_env

pytestmark = pytest.mark.integration


def cli(tool, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    settings = tool.app.extensions["lms_settings"]
    return subprocess.run(
        [sys.executable, "-m", "lms_plugin.cli", *args],
        env=settings_env(settings, log_level="WARNING", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_list_show_revoke_and_what_revoking_level_1_does(tool, platform):
    from tests.integration.test_credentials_issuing import published

    complete_level(tool, platform)
    drain(tool)
    complete_level(tool, platform, "isp-level-2")  # waiting for nothing more than the drain
    (level_1, *_), (level_2, *_) = award_rows(tool)

    listed = cli(tool, "credentials", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == ("pending=1  issued=1  failed=0  revoked=0  withheld=0")
    assert f"{level_1}\tissued\tisp-level-1\tuser=learner-1\tcourse=ISP Certificate" in (
        listed.stdout
    )
    only = cli(tool, "credentials", "list", "--status", "pending").stdout.splitlines()[1:]
    assert [line.split("\t")[0] for line in only] == [level_2]
    shown = json.loads(cli(tool, "credentials", "show", level_1).stdout)
    assert shown["id"].endswith(level_1) and shown["proof"][0]["type"] == "DataIntegrityProof"
    assert cli(tool, "credentials", "show", level_1, "--jwt").stdout.count(".") == 2

    done = cli(tool, "credentials", "revoke", level_1, "--reason", "Identity fraud")
    assert done.returncode == 0, done.stderr
    assert f"revoked {level_1} (isp-level-1); bit " in done.stdout
    assert f"withheld {level_2}: it will not be issued" in done.stdout
    assert tool.rows(f"SELECT revoked_reason, revoked_by FROM award WHERE uuid = '{level_1}'")[0][
        0
    ] == ("Identity fraud")
    answer = node_verify(shown, published(tool))
    assert answer["status"] == [{"verified": True, "status": True}], answer

    again = cli(tool, "credentials", "revoke", level_1, "--reason", "twice")
    assert again.returncode == 2 and again.stderr.strip() == (
        "error: This credential is already revoked."
    )
    for bad in (["revoke", "nope", "--reason", "x"], ["show", "nope"], ["reissue", level_2]):
        refused = cli(tool, "credentials", *bad)
        assert refused.returncode == 2 and refused.stderr.startswith("error: "), refused
        assert "Traceback" not in refused.stderr
    missing = cli(tool, "credentials", "revoke", level_2)
    assert missing.returncode == 2 and "--reason" in missing.stderr


def test_reissue_queues_a_failed_credential_again(tool, platform):
    complete_level(tool, platform)
    tool.rows("UPDATE award SET status = 'failed', tries = 8, last_error = 'boom' RETURNING id")
    [(credential_id, *_)] = award_rows(tool)
    assert "boom" in cli(tool, "credentials", "list", "--status", "failed").stdout

    queued = cli(tool, "credentials", "reissue", credential_id)

    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.strip() == f"queued {credential_id} (isp-level-1) to be issued again"
    assert tool.rows("SELECT status, tries FROM award") == [("pending", 0)]
    assert drain(tool) == 1 and award_rows(tool)[0][2] == "issued"


def test_keys_rotate_for_credentials_leaves_the_tool_keys_alone(tool):
    before = tool.rows("SELECT kid, state FROM tool_key ORDER BY id")
    assert cli(tool, "keys", "rotate", "--purpose", "credentials").returncode == 0
    rotated = cli(tool, "keys", "rotate", "--purpose", "credentials")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.startswith("issuer keys rotated: active ed25519 z6Mk")
    assert tool.rows("SELECT kid, state FROM tool_key ORDER BY id") == before
    assert tool.rows(
        "SELECT kind, state, count(*) FROM issuer_key GROUP BY 1, 2 ORDER BY 1, 2"
    ) == [
        ("ed25519", "active", 1),
        ("ed25519", "retired", 1),
        ("rsa", "active", 1),
        ("rsa", "retired", 1),
    ]
    listed = cli(tool, "keys", "list").stdout
    assert listed.count("\tcredentials ed25519") == 2 and "\tlti" in listed
    lti = cli(tool, "keys", "rotate")  # the default purpose is still the tool's own keys
    assert lti.stdout.startswith("active key ") and tool.rows("SELECT count(*) FROM tool_key") == [
        (len(before) + 1,)
    ]


def test_check_shows_the_issuer_settings_and_key_state(tool):
    from lms_plugin.db import db
    from lms_plugin.services.issuer_keys import ensure_issuer_keys

    with tool.app.app_context():
        ensure_issuer_keys(db.session())  # as lms-plugin db upgrade does
    result = cli(
        tool,
        "check",
        issuer_name="Example University",
        issuer_url="https://www.example.edu",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "LMS_ISSUER_NAME=Example University" in lines
    assert "LMS_ISSUER_URL=https://www.example.edu" in lines
    url = tool.app.extensions["lms_settings"].public_url
    assert (
        f"credential issuer: Example University <https://www.example.edu>, "
        f"profile {url}/credentials/issuer"
    ) in lines
    assert "issuer keys: ed25519 1 active, 0 retired; rsa 1 active, 0 retired" in lines
    assert "issuer keys: ok" in lines


def test_check_says_when_the_issuer_has_no_key_yet_and_fails_without_an_active_one(tool):
    from lms_plugin.db import db
    from lms_plugin.services.issuer_keys import ensure_issuer_keys

    fresh = cli(tool, "check")  # as after `lms-plugin run`: the first credential makes them
    assert fresh.returncode == 0, fresh.stdout
    assert "issuer keys: none yet (lms-plugin db upgrade, or the first" in fresh.stdout
    with tool.app.app_context():
        ensure_issuer_keys(db.session())
        db.session.execute(db.text("UPDATE issuer_key SET state = 'retired' WHERE kind = 'rsa'"))
        db.session.commit()
    result = cli(tool, "check")
    assert result.returncode == 1
    assert "issuer keys: FAILED (NoIssuerKeyError: no active rsa issuer key: run " in result.stdout


def test_issuer_keys_follow_a_secret_change_with_db_upgrade(tool, platform):
    complete_level(tool, platform)
    drain(tool)  # the issuer keys are made, sealed with the tool's secret
    old = tool.app.extensions["lms_settings"].secret_key
    new = {"secret_key": "another-secret-of-enough-length-0123456789"}

    refused = cli(tool, "check", **new)
    assert refused.returncode == 1 and "issuer keys: FAILED (SealedValueError" in refused.stdout
    upgraded = cli(tool, "db", "upgrade", **new, previous_secret_keys=old)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip().endswith("; issuer keys: 2 sealed again")
    checked = cli(tool, "check", **new)
    assert "issuer keys: ok" in checked.stdout, checked.stdout
    [(credential_id, *_)] = award_rows(tool)
    shown = cli(tool, "credentials", "revoke", credential_id, "--reason", "test", **new)
    assert shown.returncode == 0, shown.stderr  # the list is signed with the resealed key
