"""``lms-plugin platform add --product``: the URLs each LMS fixes are filled in, what it prints
says where each value came from, and given options always win (real processes, a real
database file, as tests/integration/test_cli.py)."""

from __future__ import annotations

import pytest

from tests.integration.test_cli import bare_cli, cli  # noqa: F401 - the fixtures

pytestmark = pytest.mark.integration


def _row(cli_run) -> list[str]:
    lines = cli_run("platform", "list").stdout.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0].split("\t")


@pytest.mark.parametrize(
    "product, args, expected",
    [
        (
            "canvas",
            ["--lms-url", "https://school.instructure.com"],
            {
                "issuer": "https://canvas.instructure.com",
                "jwks": "https://sso.canvaslms.com/api/lti/security/jwks",
                "service_hosts": "school.instructure.com",
            },
        ),
        (
            "canvas",
            ["--canvas-environment", "beta"],
            {
                "issuer": "https://canvas.beta.instructure.com",
                "jwks": "https://sso.beta.canvaslms.com/api/lti/security/jwks",
                "service_hosts": "-",
            },
        ),
        (
            "moodle",
            ["--lms-url", "https://moodle.example.edu/"],
            {
                "issuer": "https://moodle.example.edu",
                "jwks": "https://moodle.example.edu/mod/lti/certs.php",
                "service_hosts": "-",
            },
        ),
        (
            "brightspace",
            ["--lms-url", "https://school.brightspace.com"],
            {
                "issuer": "https://school.brightspace.com",
                "jwks": "https://school.brightspace.com/d2l/.well-known/jwks",
                "service_hosts": "-",
            },
        ),
        (
            "blackboard",
            ["--lms-url", "https://learn.school.edu"],
            {
                "issuer": "https://blackboard.com",
                "jwks": "https://developer.blackboard.com/api/v1/management/applications/"
                "app-123/jwks.json",
                "service_hosts": "learn.school.edu",
            },
        ),
        (
            "schoology",
            [],
            {
                "issuer": "https://schoology.schoology.com",
                "jwks": "https://lti-service.svc.schoology.com/lti-service/.well-known/jwks",
                "service_hosts": "-",
            },
        ),
    ],
)
def test_product_fills_what_the_lms_fixes(cli, product, args, expected):  # noqa: F811
    added = cli(
        "platform", "add", "--product", product, "--client-id", "app-123",
        "--deployment-id", "d-1", *args,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "(from the " in added.stdout  # says which values it filled in
    _, name, stored_product, issuer, client, jwks, deployments, hosts = _row(cli)
    assert stored_product == product and client == "client=app-123"
    assert " at " in name  # named after the product and the LMS's host when --name is left out
    assert issuer == expected["issuer"]
    assert jwks == "jwks=" + expected["jwks"]
    assert hosts == "service_hosts=" + expected["service_hosts"]
    assert deployments == "deployments=d-1[active]"
    if product == "canvas":
        assert "/lti/config/canvas.json" in added.stdout
    # Canvas cloud and Blackboard serve grades from the school's own host: without it allowed,
    # the admin is told at once, with the command that allows it.
    unallowed = product in {"canvas", "blackboard"} and expected["service_hosts"] == "-"
    assert ("grade and roster services live on your institution's own host" in added.stderr) == (
        unallowed
    )
    if unallowed:
        assert f"platform update --issuer {expected['issuer']} --client-id app-123" in added.stderr


def test_given_options_win_over_the_profile(cli):  # noqa: F811
    added = cli(
        "platform", "add", "--product", "canvas", "--client-id", "10000000000001",
        "--issuer", "https://canvas.school.edu", "--auth-login-url",
        "https://canvas.school.edu/api/lti/authorize_redirect", "--token-url",
        "https://canvas.school.edu/login/oauth2/token", "--jwks-url",
        "https://canvas.school.edu/api/lti/security/jwks",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "(from the " not in added.stdout
    assert "pending" in added.stdout  # no deployment given: the first launch records it
    assert "grade and roster services" not in added.stderr  # a self-hosted Canvas: its own host
    row = _row(cli)
    assert row[3] == "https://canvas.school.edu"  # a self-hosted Canvas has its own issuer
    assert row[5] == "jwks=https://canvas.school.edu/api/lti/security/jwks"


@pytest.mark.parametrize(
    "args, missing",
    [
        (["--product", "moodle"], "--lms-url"),
        (["--product", "sakai", "--lms-url", "https://sakai.example.edu"], "--auth-login-url"),
        (["--product", "other"], "--issuer"),
    ],
)
def test_what_no_profile_can_fill_is_asked_for(cli, args, missing):  # noqa: F811
    result = cli("platform", "add", "--client-id", "abc", *args)
    assert result.returncode == 2
    assert missing in result.stderr
    assert "no platforms registered" in cli("platform", "list").stdout
