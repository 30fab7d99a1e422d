"""Dynamic Registration's rules on the URLs a request and a configuration name: which
configuration URLs the tool fetches at all, and where the registration token may go."""

from __future__ import annotations

import pytest

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.registration import (
    check_configuration_url,
    parse_platform_configuration,
)
from tests.support.openid_config import openid_configuration

SOURCE = "https://lms.example.edu/.well-known/openid-configuration"


@pytest.mark.parametrize(
    ("url", "allow_http", "ok"),
    [
        ("https://lms.example.edu/config", False, True),
        ("http://lms.example.edu/config", True, True),
        ("http://lms.example.edu/config", False, False),  # production: https only
        ("file:///etc/passwd", True, False),
        ("gopher://lms.example.edu/", True, False),
        ("https://admin:secret@lms.example.edu/config", False, False),  # credentials
        ("https://lms.example.edu:notaport/config", False, False),
        ("https:///config", False, False),
        ("", True, False),
    ],
)
def test_which_configuration_urls_are_fetched(url, allow_http, ok):
    if ok:
        check_configuration_url(url, allow_http=allow_http)
    else:
        with pytest.raises(InvalidInputError) as refused:
            check_configuration_url(url, allow_http=allow_http)
        assert refused.value.code == "openid_configuration_invalid"


@pytest.mark.parametrize(
    ("endpoint", "ok"),
    [
        ("https://lms.example.edu/register", True),
        ("https://LMS.example.edu/register", True),  # host names are case-insensitive
        ("https://lms.example.edu:8443/register", True),  # the same host on another port
        ("https://collector.example.net/register", False),
        ("https://lms.example.edu.evil.example/register", False),
        ("https://evil.example/?https://lms.example.edu/register", False),
    ],
)
def test_the_registration_token_goes_only_to_the_issuers_host(endpoint, ok):
    config = openid_configuration(registration_endpoint=endpoint)
    if ok:
        platform = parse_platform_configuration(config, SOURCE, allow_http=False)
        assert platform.registration_endpoint == endpoint
    else:
        with pytest.raises(InvalidInputError) as refused:
            parse_platform_configuration(config, SOURCE, allow_http=False)
        assert refused.value.code == "registration_endpoint_foreign"


def test_an_issuer_mismatch_names_hosts_not_the_configurations_text():
    config = openid_configuration(issuer="https://other.example/some/long/path?with=details")

    with pytest.raises(InvalidInputError) as refused:
        parse_platform_configuration(config, SOURCE, allow_http=False)

    assert refused.value.code == "issuer_mismatch"
    assert "other.example" in refused.value.message
    assert "some/long/path" not in refused.value.message


@pytest.mark.parametrize(
    ("family", "name"),
    [
        ("moodle", "Moodle at lms.example.edu"),
        ("desire2learn", "D2L Brightspace at lms.example.edu"),
        ("canvas", "Canvas at lms.example.edu"),  # a self-hosted Canvas: not "cloud"
        ("ExampleLMS", "ExampleLMS at lms.example.edu"),  # a product the tool has no name for
        ("", "LMS at lms.example.edu"),
    ],
)
def test_the_platform_is_named_as_its_admin_knows_it(family, name):
    platform_configuration = {"product_family_code": family} if family else {}
    config = openid_configuration(
        **{"https://purl.imsglobal.org/spec/lti-platform-configuration": platform_configuration}
    )
    assert parse_platform_configuration(config, SOURCE, allow_http=False).name == name
