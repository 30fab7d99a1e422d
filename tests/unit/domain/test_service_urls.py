"""Which service URLs a platform's bearer token may be sent to (issue 12, finding 4)."""

from __future__ import annotations

import pytest

from lms_plugin.domain.service_urls import (
    FOREIGN_HOST,
    MALFORMED,
    NOT_HTTPS,
    ServicePolicy,
    host_of,
    parse_service_host,
)

CANVAS = (
    "https://canvas.instructure.com",
    "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "https://sso.canvaslms.com/login/oauth2/token",
    "https://sso.canvaslms.com/api/lti/security/jwks",
)


def policy(*service_hosts: str, https: bool = False) -> ServicePolicy:
    return ServicePolicy.of(CANVAS, service_hosts, require_https=https)


@pytest.mark.parametrize(
    ("url", "service_hosts", "https", "refused"),
    [
        # the platform's own hosts, whatever the path, port or case
        ("https://canvas.instructure.com/api/lti/courses/1/line_items", (), True, None),
        ("https://sso.canvaslms.com/x", (), True, None),
        ("https://SSO.CanvasLMS.com./x", (), True, None),
        ("https://sso.canvaslms.com:8443/x", (), True, None),
        # another host: refused unless the admin allowed it
        ("https://school.instructure.com/api/lti/courses/1/line_items", (), True, FOREIGN_HOST),
        (
            "https://school.instructure.com/api/lti/courses/1/line_items",
            ("school.instructure.com",),
            True,
            None,
        ),
        ("https://School.Instructure.com/x", ("SCHOOL.instructure.com.",), True, None),
        ("https://other.instructure.com/x", ("school.instructure.com",), True, FOREIGN_HOST),
        ("https://instructure.com/x", (), True, FOREIGN_HOST),  # a parent domain is another host
        ("https://evil.canvas.instructure.com/x", (), True, FOREIGN_HOST),  # so is a subdomain
        ("https://canvas.instructure.com.evil.example/x", (), True, FOREIGN_HOST),
        ("https://127.0.0.2/x", ("127.0.0.1",), False, FOREIGN_HOST),
        ("http://[::1]:8000/x", ("[::1]",), False, None),
        # https in production; plain http allowed otherwise
        ("http://canvas.instructure.com/x", (), True, NOT_HTTPS),
        ("http://canvas.instructure.com/x", (), False, None),
        ("http://school.instructure.com/x", (), True, NOT_HTTPS),
        # what cannot be checked is never called
        ("https://canvas.instructure.com\\@evil.example/x", (), False, MALFORMED),
        ("https://user:pw@canvas.instructure.com/x", (), False, MALFORMED),
        ("https://evil.example@canvas.instructure.com/x", (), False, MALFORMED),
        ("https://canvas.instructure.com /x", (), False, MALFORMED),
        ("https://canvas.instructure.com\n.evil/x", (), False, MALFORMED),
        ("ftp://canvas.instructure.com/x", (), False, MALFORMED),
        ("/api/lti/courses/1/line_items", (), False, MALFORMED),
        ("https:///x", (), False, MALFORMED),
        ("https://canvas.instructure.com:notaport/x", (), False, MALFORMED),
        ("https://canvas%2einstructure.com/x", (), False, MALFORMED),
    ],
)
def test_service_url_rule(url, service_hosts, https, refused):
    found = policy(*service_hosts, https=https).refusal(url)
    assert (found.reason if found else None) == refused


def test_a_refusal_names_the_url_its_host_and_why():
    refusal = policy().refusal("https://School.instructure.com/api/x")
    assert refusal is not None
    assert refusal.host == "school.instructure.com"
    assert (
        refusal.sentence == "https://School.instructure.com/api/x is not on a host of this platform"
    )


def test_hosts_of_the_platform_are_its_four_urls_plus_the_allowed_ones():
    assert policy("school.instructure.com").hosts == {
        "canvas.instructure.com",
        "sso.canvaslms.com",
        "school.instructure.com",
    }


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Moodle.Example.EDU./mod/lti/services.php", "moodle.example.edu"),
        ("https://bücher.example/x", "xn--bcher-kva.example"),
        ("http://127.0.0.1:5000/x", "127.0.0.1"),
        ("http://[0:0::1]/x", "::1"),
        ("mailto:someone@example.edu", None),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("school.instructure.com", "school.instructure.com"),
        (" School.Instructure.com. ", "school.instructure.com"),
        ("127.0.0.2", "127.0.0.2"),
        ("[::1]", "::1"),
        ("::1", "::1"),
    ],
)
def test_service_host_entries_are_stored_normalized(value, stored):
    assert parse_service_host(value) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://school.instructure.com", "not 'https://school.instructure.com'"),
        ("school.instructure.com:443", "no scheme, port or path"),
        ("school.instructure.com/api", "no scheme, port or path"),
        ("", "is not a host name"),
        ("-bad-.example", "is not a host name"),
        ("two words", "is not a host name"),
    ],
)
def test_service_host_entries_that_are_not_hosts_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        parse_service_host(value)
