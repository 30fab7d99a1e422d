"""The lms-plugin CLI as an admin runs it: real processes, a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lms_plugin.settings import DEV_SECRET_KEY
from tests.support.processes import free_port

pytestmark = pytest.mark.integration

PLATFORM = [
    "--name",
    "Moodle",
    "--issuer",
    "https://moodle.example.edu",
    "--client-id",
    "abc",
    "--auth-login-url",
    "https://moodle.example.edu/mod/lti/auth.php",
    "--token-url",
    "https://moodle.example.edu/mod/lti/token.php",
    "--jwks-url",
    "https://moodle.example.edu/mod/lti/certs.php",
    "--deployment-id",
    "1",
    "--product",
    "moodle",
]


@pytest.fixture
def bare_cli(tmp_path):
    """The CLI on a new instance folder, its database never migrated."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_INSTANCE_DIR": str(tmp_path), "LMS_LOG_LEVEL": "WARNING"})

    def run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "lms_plugin.cli", *args],
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=60,
            input="",
        )

    return run


@pytest.fixture
def cli(bare_cli):
    assert bare_cli("db", "upgrade").returncode == 0
    return bare_cli


def test_a_database_without_this_code_s_migrations_is_one_line_naming_db_upgrade(bare_cli):
    """Not a traceback from the first query on a missing table (each command printed one)."""
    for command in (["platform", "list"], ["admin", "link"], ["credentials", "list"]):
        refused = bare_cli(*command)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
        assert refused.stderr.strip().splitlines() == [
            "error: The database has no tables yet. Run `lms-plugin db upgrade` first "
            "(`lms-plugin run` and `./scripts/run` do it when they start)."
        ]
    checked = bare_cli("check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "database: ok" in checked.stdout
    assert (
        "database schema: FAILED (SchemaBehindError: The database has no tables" in checked.stdout
    )
    assert "signing keys: not checked (the database is not ready, above)" in checked.stdout
    assert "broker: ok" in checked.stdout

    assert bare_cli("db", "upgrade").returncode == 0
    assert bare_cli("db", "downgrade").returncode == 0  # one migration back
    behind = bare_cli("platform", "list")
    assert behind.returncode == 2 and "error: The database is at migration " in behind.stderr
    assert "Run `lms-plugin db upgrade`." in behind.stderr
    assert bare_cli("db", "upgrade").returncode == 0
    assert bare_cli("platform", "list").stdout.strip() == "no platforms registered"
    assert bare_cli("check").returncode == 0


def test_platform_add_list_remove(cli):
    added = cli("platform", "add", *PLATFORM, extra_env={"LMS_PUBLIC_URL": "https://t.example"})
    assert added.returncode == 0, added.stderr
    assert "warning" not in added.stderr  # the LMS reaches the tool's public URL
    listed = cli("platform", "list").stdout
    assert "https://moodle.example.edu" in listed and "1[active]" in listed
    assert (
        cli(
            "platform",
            "remove",
            "--issuer",
            "https://moodle.example.edu",
            "--client-id",
            "abc",
            "--yes",
        ).returncode
        == 0
    )
    assert "no platforms registered" in cli("platform", "list").stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["platform", "add", *PLATFORM[:-2], "--product", "d2l"], "product"),
        (["platform", "add", *PLATFORM[4:-2]], "--issuer"),  # no profile fills it for "other"
        (["platform", "add", *PLATFORM[4:]], "--lms-url"),  # moodle builds its URLs on it
        (
            [
                *["platform", "add"],
                *[
                    a if a != "https://moodle.example.edu/mod/lti/certs.php" else "not-a-url"
                    for a in PLATFORM
                ],
            ],
            "jwks_url",
        ),
        (["platform", "add", *PLATFORM, "--deployment-id", "1"], "distinct"),
        (
            ["platform", "remove", "--issuer", "https://nope", "--client-id", "x", "--yes"],
            "no platform",
        ),
        (
            [
                "deployments",
                "activate",
                "--issuer",
                "https://nope",
                "--client-id",
                "x",
                "--deployment-id",
                "1",
            ],
            "no platform",
        ),
        (["platform", "frobnicate"], "No such command"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(cli, args, message):
    result = cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert "no platforms registered" in cli("platform", "list").stdout  # nothing half-written


def test_duplicate_platform_is_refused(cli):
    assert cli("platform", "add", *PLATFORM).returncode == 0
    again = cli("platform", "add", *PLATFORM)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert len(cli("platform", "list").stdout.strip().splitlines()) == 1


def test_deployment_activation(cli):
    cli("platform", "add", *PLATFORM)
    result = cli(
        "deployments",
        "activate",
        "--issuer",
        "https://moodle.example.edu",
        "--client-id",
        "abc",
        "--deployment-id",
        "7",
    )
    assert result.returncode == 0
    assert "7\tactive" in cli("deployments", "list").stdout
    assert cli("deployments", "list", "--pending").stdout.strip() == "no deployments"


def test_deployment_disabled_and_activated_again(cli):
    cli("platform", "add", *PLATFORM)
    where = ["--issuer", "https://moodle.example.edu", "--client-id", "abc", "--deployment-id"]
    assert cli("deployments", "activate", *where, "7").returncode == 0
    result = cli("deployments", "disable", *where, "7")
    assert result.returncode == 0 and "launches are refused" in result.stdout
    assert "7\tdisabled" in cli("deployments", "list").stdout
    unknown = cli("deployments", "disable", *where, "8")  # never recorded: nothing to disable
    assert unknown.returncode == 2 and "no deployment 8" in unknown.stderr
    assert cli("deployments", "activate", *where, "7").returncode == 0
    assert "7\tactive" in cli("deployments", "list").stdout


def test_keys_rotate_promotes_next_and_retires_active(cli, tmp_path):
    first = cli("keys", "rotate").stdout.split()  # "active key K1; next key K2"
    active1, next1 = first[2].rstrip(";"), first[5]
    second = cli("keys", "rotate").stdout.split()
    active2, next2 = second[2].rstrip(";"), second[5]
    assert active2 == next1 and next2 not in (active1, next1)
    states = dict(line.split("\t")[:2] for line in cli("keys", "list").stdout.splitlines())
    assert states[active2] == "active" and states[next2] == "next"
    assert list(states.values()).count("retired") >= 1


def test_check_masks_secrets_and_reports_services(cli):
    # A new secret, with the one the keys were sealed with (the dev default) as previous.
    result = cli(
        "check",
        extra_env={
            "LMS_SECRET_KEY": "super-secret-value-123",
            "LMS_PREVIOUS_SECRET_KEYS": DEV_SECRET_KEY,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "super-secret-value-123" not in result.stdout and DEV_SECRET_KEY not in result.stdout
    assert "LMS_PREVIOUS_SECRET_KEYS=(1 set)" in result.stdout
    for line in ("database: ok", "signing keys: ok", "cache: ok", "broker: ok"):
        assert line in result.stdout


def test_private_keys_are_sealed_at_rest_and_follow_a_secret_change(cli, tmp_path):
    import sqlite3

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    database = tmp_path / "lms.sqlite3"
    with sqlite3.connect(database) as db:
        stored = [raw for (raw,) in db.execute("SELECT private_key_pem FROM tool_key")]
        # a key written before sealing existed: plain PEM
        plain = (
            rsa.generate_private_key(65537, 2048)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
        )
        db.execute(
            "INSERT INTO tool_key (kid, private_key_pem, state, created_at) "
            "VALUES ('old-kid', ?, 'retired', '2026-01-01 00:00:00')",
            (plain,),
        )
    assert len(stored) == 2
    assert all(raw.startswith("sealed:") and "PRIVATE KEY" not in raw for raw in stored)
    new = {"LMS_SECRET_KEY": "a-new-secret-of-enough-length-0123456789"}

    refused = cli("check", extra_env=new)
    assert refused.returncode == 1
    assert "signing keys: FAILED" in refused.stdout
    assert "LMS_PREVIOUS_SECRET_KEYS" in refused.stdout
    not_upgraded = cli("db", "upgrade", extra_env=new)  # one clear line, nothing half-done
    assert not_upgraded.returncode == 2 and "Traceback" not in not_upgraded.stderr
    assert "\nerror: A sealed value does not open" in not_upgraded.stderr  # after alembic's log

    upgraded = cli("db", "upgrade", extra_env={**new, "LMS_PREVIOUS_SECRET_KEYS": DEV_SECRET_KEY})
    assert upgraded.returncode == 0, upgraded.stderr
    assert "(3 sealed again with the current secret)" in upgraded.stdout
    assert cli("check", extra_env=new).returncode == 0  # the old secret is no longer needed
    with sqlite3.connect(database) as db:
        after = [raw for (raw,) in db.execute("SELECT private_key_pem FROM tool_key")]
    assert len(after) == 3 and all(raw.startswith("sealed:") for raw in after)
    assert cli("db", "upgrade", extra_env=new).stdout.strip().endswith("signing keys ready")


def test_check_reports_unreachable_redis(cli):
    result = cli("check", extra_env={"LMS_CACHE_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 1
    assert "cache: FAILED" in result.stdout


def test_production_refuses_dev_defaults_with_the_variable_name(cli):
    result = cli("check", extra_env={"LMS_ENV": "production"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: LMS_SECRET_KEY")


@pytest.mark.parametrize(
    "variable, value, words",
    [
        ("LMS_PUBLIC_URL", "https://apps.example.edu/isp tool", "its path ('/isp tool')"),
        ("LMS_DATABASE_URL", "mysql://db/lms", "the tool runs on PostgreSQL"),
        ("LMS_CACHE_URL", "localhost:6379", "LMS_CACHE_URL is Redis"),
        ("LMS_BROKER_URL", "localhost:6379", "a Celery broker URL with its scheme"),
        ("LMS_INSTANCE_DIR", "a-file", "cannot make that folder (a file has that name)"),
    ],
)
def test_a_setting_the_tool_cannot_use_is_one_line_naming_it(
    bare_cli, tmp_path, variable, value, words
):
    """An admin's first mistakes in the environment: one line naming the variable and the
    forms it takes, exit 2, no traceback."""
    if value == "a-file":
        (tmp_path / "a-file").write_text("")
        value = str(tmp_path / "a-file")
    result = bare_cli("platform", "list", extra_env={variable: value})
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"error: {variable}") and words in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_jwks_of_cli_made_keys(cli, tmp_path):
    cli("keys", "rotate")
    code = (
        "from lms_plugin.web.app import create_app;import json;"
        "c=create_app().test_client();print(json.dumps(c.get('/lti/jwks').get_json()))"
    )
    env = {**os.environ, "LMS_INSTANCE_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    keys = json.loads(out.stdout)["keys"]
    assert len(keys) == 2 and all(k["alg"] == "RS256" and k["kty"] == "RSA" for k in keys)


def test_scores_list_shows_failures_and_resend_requeues_them(cli, tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "lms.sqlite3")
    db.executescript(
        "INSERT INTO registration (id, name, issuer, client_id, auth_login_url, auth_token_url,"
        " jwks_url, product, active, created_at) VALUES (1, 'M', 'https://m', 'c', 'https://m/a',"
        " 'https://m/t', 'https://m/j', 'moodle', 1, '2026-01-01');"
        "INSERT INTO deployment (id, registration_id, deployment_id, status, created_at)"
        " VALUES (1, 1, 'd', 'active', '2026-01-01');"
        "INSERT INTO lti_context (id, deployment_id, context_id, created_at, updated_at)"
        " VALUES (1, 1, 'course', '2026-01-01', '2026-01-01');"
        "INSERT INTO lti_user (id, registration_id, sub, created_at, updated_at)"
        " VALUES (1, 1, 'student-7', '2026-01-01', '2026-01-01');"
        "INSERT INTO score_outbox (id, context_id, user_id, module_slug, score_given,"
        " score_maximum, timestamp, status, tries, classification, last_error, next_attempt_at,"
        " created_at) VALUES (5, 1, 1, 'l1-m1', 50, 100, '2026-01-01', 'failed', 1,"
        " 'not_gradable', 'line item deleted', '2026-01-01', '2026-01-01');"
    )
    db.commit()

    listed = cli("scores", "list")
    resent = cli("scores", "resend", "--id", "5")

    assert "failed=1" in listed.stdout and "student-7" in listed.stdout
    assert "line item deleted" in listed.stdout
    assert resent.returncode == 0 and "queued 1 of 1" in resent.stdout
    assert db.execute("SELECT status FROM score_outbox").fetchall() == [("pending",)]
    # The others say why not: it read "queued 0 of 1" for a row that does not exist.
    again = cli("scores", "resend", "--id", "5", "--id", "99").stdout.splitlines()
    assert again == [
        "queued 0 of 2",
        "  5: not queued, it is pending; only failed rows are resent "
        "(`lms-plugin scores list --status ...`)",
        "  99: not queued, no such row (`lms-plugin scores list --status ...`)",
    ]
    assert list((tmp_path / "broker").glob("*.msg")), "publish task written to the broker"
    db.close()


def test_a_tool_on_loopback_is_named_as_unreachable_for_an_lms_elsewhere(cli):
    """Without LMS_PUBLIC_URL the tool's URLs are 127.0.0.1: an admin adding a Moodle on
    another machine is told that its server cannot fetch the keyset, before grades fail."""
    added = cli("platform", "add", *PLATFORM)  # LMS_PUBLIC_URL unset: http://127.0.0.1:5000
    assert added.returncode == 0, added.stderr
    assert "warning: http://127.0.0.1:5000 is this computer's own address" in added.stderr
    assert "moodle.example.edu is elsewhere" in added.stderr and "LMS_PUBLIC_URL" in added.stderr
    checked = cli("check")  # where an admin looks once grades do not arrive
    assert checked.returncode == 1
    assert "LMSs reach the tool: FAILED" in checked.stdout
    assert "Moodle cannot reach http://127.0.0.1:5000" in checked.stdout
    local = [a.replace("https://moodle.example.edu", "http://localhost:8080") for a in PLATFORM]
    beside = cli("platform", "add", *local)  # an LMS on this computer
    assert beside.returncode == 0 and "warning" not in beside.stderr, beside.stderr
    public = cli("check", extra_env={"LMS_PUBLIC_URL": "https://tool.example.edu"})
    assert "LMSs reach the tool: ok" in public.stdout, public.stdout


def test_an_issuer_ending_with_a_slash_is_warned_about(cli):
    """Launches must name the issuer exactly as registered, and Moodle's has no '/'."""
    slash = [a + "/" if a == "https://moodle.example.edu" else a for a in PLATFORM]  # --issuer
    added = cli("platform", "add", *slash, extra_env={"LMS_PUBLIC_URL": "https://t.example"})
    assert added.returncode == 0, added.stderr
    assert "the issuer https://moodle.example.edu/ ends with '/'" in added.stderr


def test_register_url_is_a_one_time_ticket_in_the_store(cli, tmp_path):
    import sqlite3

    printed = cli("platform", "register-url", "--hours", "2")
    assert printed.returncode == 0, printed.stderr
    url = printed.stdout.strip()
    assert url.startswith("http://127.0.0.1:5000/lti/register/")
    assert "valid once, for 2 hours" in printed.stderr
    assert "only an LMS on this computer can register with it" in printed.stderr
    ticket = url.rsplit("/", 1)[1]
    with sqlite3.connect(tmp_path / "lms.sqlite3") as db:
        keys = [k for (k,) in db.execute("SELECT key FROM kv_entry")]
    assert [k for k in keys if k.endswith("lti-registration-ticket:" + ticket)]
    refused = cli("platform", "register-url", "--hours", "0")
    assert refused.returncode == 2 and "--hours" in refused.stderr


def test_service_hosts_on_add_and_update(cli):
    ids = ["--issuer", "https://moodle.example.edu", "--client-id", "abc"]
    added = cli("platform", "add", *PLATFORM, "--service-host", "Files.Example.EDU.")
    assert added.returncode == 0, added.stderr
    assert "\tservice_hosts=files.example.edu" in cli("platform", "list").stdout

    updated = cli(
        "platform", "update", *ids, "--service-host", "a.example.edu", "--service-host", "127.0.0.2"
    )
    assert updated.returncode == 0, updated.stderr
    assert "service hosts a.example.edu, 127.0.0.2; 0 service URL(s) now used" in updated.stdout
    assert "\tservice_hosts=a.example.edu,127.0.0.2" in cli("platform", "list").stdout

    cleared = cli("platform", "update", *ids, "--no-service-hosts")
    assert cleared.returncode == 0 and "(its own only)" in cleared.stdout
    assert "\tservice_hosts=-" in cli("platform", "list").stdout


def test_bad_service_hosts_are_refused_and_nothing_changes(cli):
    ids = ["--issuer", "https://moodle.example.edu", "--client-id", "abc"]
    assert cli("platform", "add", *PLATFORM, "--service-host", "files.example.edu").returncode == 0
    for args, message in [
        (["--service-host", "https://a.example.edu"], "takes a host name"),
        (["--service-host", "a.example.edu:8443"], "no scheme, port or path"),
        (["--service-host", "ok.example.edu", "--service-host", "not a host"], "not a host name"),
        ([], "give --service-host"),
        (["--service-host", "a.example.edu", "--no-service-hosts"], "give --service-host"),
    ]:
        result = cli("platform", "update", *ids, *args)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert "\tservice_hosts=files.example.edu" in cli("platform", "list").stdout
    other = [a if a != "abc" else "other" for a in PLATFORM]
    added = cli("platform", "add", *other, "--service-host", "x.example.edu/api")
    assert added.returncode == 2 and "no scheme, port or path" in added.stderr
    assert len(cli("platform", "list").stdout.strip().splitlines()) == 1


def test_a_database_that_does_not_answer_is_one_line_naming_the_setting(bare_cli):
    nowhere = f"postgresql+psycopg://lms@127.0.0.1:{free_port()}/lms"  # nothing listens there
    for command in (["platform", "list"], ["db", "upgrade"]):
        failed = bare_cli(*command, extra_env={"LMS_DATABASE_URL": nowhere})
        assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
        (line,) = failed.stderr.strip().splitlines()
        assert line.startswith("error: the database did not answer (connection failed")
        assert line.endswith(
            "Check LMS_DATABASE_URL (`lms-plugin check` shows the settings in use)."
        )


def test_a_cache_that_does_not_answer_is_one_line_and_a_saved_change_says_it_is_saved(cli):
    nowhere = {"LMS_CACHE_URL": f"redis://127.0.0.1:{free_port()}/0"}  # nothing listens there
    link = cli("admin", "link", extra_env=nowhere)  # the link lives in the cache: refused
    assert link.returncode == 1 and "Traceback" not in link.stderr, link.stderr
    (line,) = link.stderr.strip().splitlines()
    assert line.startswith("error: the cache did not answer (Error 111 connecting to 127.0.0.1")
    assert line.endswith(
        "Connection refused). Check LMS_CACHE_URL (`lms-plugin check` shows the settings in use)."
    )
    # A platform is saved in the database; only retiring the launch path's snapshots needs the
    # cache, and those expire by themselves: it says so instead of failing after the commit.
    added = cli("platform", "add", *PLATFORM, extra_env=nowhere)
    assert added.returncode == 0 and "added platform 1" in added.stdout, added.stderr
    assert "the change is saved, and launches see it" in added.stderr
    assert "https://moodle.example.edu" in cli("platform", "list").stdout


def test_check_public_url_names_another_tool_or_nothing_answering_there(cli, tool):
    """`check --public-url` fetches the keyset at LMS_PUBLIC_URL as an LMS does. Here another
    tool (the suite's, with its own database and keys) answers there: FAILED, saying so; and
    at a port where nothing listens, FAILED with what the connection met."""
    other = cli("check", "--public-url", extra_env={"LMS_PUBLIC_URL": tool.url})
    assert other.returncode == 1, other.stdout
    assert "the tool at LMS_PUBLIC_URL: FAILED" in other.stdout
    assert "publishes other keys than this tool's database holds" in other.stdout
    nobody = cli("check", "--public-url", extra_env={"LMS_PUBLIC_URL": "http://127.0.0.1:9"})
    assert "/lti/jwks did not answer: no connection could be made." in nobody.stdout
    assert "Traceback" not in other.stderr + nobody.stderr
