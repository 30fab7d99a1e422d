"""Where a platform's bearer token may go: the hosts of its LTI Advantage service URLs.

The service URLs come from launch claims (AGS 2.0 §3.1 ``lineitems``/``lineitem``, NRPS 2.0
§3.6.1 ``context_memberships_url``) and later from the services themselves (line item ids,
``Link: rel="next"`` pages); the token they are called with is the platform's access token
(Security Framework §4.1), which authorizes its holder at the platform. The tool only sends it
to the platform's own hosts (those of its issuer, OIDC login, token and JWKS URLs) and to the
hosts an admin allowed for that platform (``--service-host``, for LMSs that split hosts, such as
Canvas: issuer canvas.instructure.com, services on school.instructure.com).

Hosts are compared by hostname only, case-insensitively; the port does not matter. Whoever
controls a hostname controls all its ports, and the TLS certificate that authenticates an https
service names the host, not the port; requiring equal ports would refuse an LMS whose token URL
names ``:443`` and whose claims do not. In production only https URLs are allowed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from lms_plugin.domain.i18n import N_

NOT_HTTPS = "not_https"
FOREIGN_HOST = "foreign_host"
MALFORMED = "malformed"

REASONS = {  # in English (logs, the CLI); pages translate them (services.service_urls)
    NOT_HTTPS: N_("is not an https URL"),
    FOREIGN_HOST: N_("is not on a host of this platform"),
    MALFORMED: N_("is not a plain http(s) URL the tool can check"),
}


@dataclass(frozen=True)
class Refusal:
    """A service URL the token may not be sent to, and why (a key of :data:`REASONS`)."""

    url: str
    reason: str
    host: str | None

    @property
    def sentence(self) -> str:
        return f"{self.url} {REASONS[self.reason]}"


@dataclass(frozen=True)
class ServicePolicy:
    """The hosts one platform's token may be sent to, and whether plain http is allowed."""

    hosts: frozenset[str]
    require_https: bool

    @classmethod
    def of(
        cls, platform_urls: Iterable[str], service_hosts: Iterable[str], *, require_https: bool
    ) -> ServicePolicy:
        """The hosts of the platform's own URLs plus its allowed service hosts."""
        hosts = {host_of(url) for url in platform_urls} | {normal_host(h) for h in service_hosts}
        return cls(frozenset(h for h in hosts if h), require_https)

    def refusal(self, url: str) -> Refusal | None:
        """None when the token may be sent to ``url``; else why not."""
        host = host_of(url)
        if host is None:
            return Refusal(url, MALFORMED, None)
        if self.require_https and urlsplit(url).scheme.lower() != "https":
            return Refusal(url, NOT_HTTPS, host)
        if host not in self.hosts:
            return Refusal(url, FOREIGN_HOST, host)
        return None

    def allows(self, url: str) -> bool:
        return self.refusal(url) is None


def host_of(url: str) -> str | None:
    """The normalized hostname of an absolute http(s) URL; None for anything the tool should
    not call: another scheme, no host, user info (``https://lms.edu\\@evil/`` parses to
    different hosts in different libraries), whitespace, control characters or backslashes."""
    if not isinstance(url, str) or any(c <= " " or c in "\\\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or "@" in parts.netloc:
        return None
    return normal_host(parts.hostname or "") or None


def normal_host(host: str) -> str:
    """A hostname as compared: lower case, no trailing dot, IDNA (punycode) for non-ASCII
    names, IPv6 without brackets; "" when it is not a hostname or IP address."""
    host = host.strip().lower().removesuffix(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        return ""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    labels = ascii_host.split(".")
    if not all(label and len(label) <= 63 and _is_label(label) for label in labels):
        return ""
    return ascii_host


def _is_label(label: str) -> bool:
    return (
        all(c.isascii() and (c.isalnum() or c in "-_") for c in label)
        and not label.startswith("-")
        and not label.endswith("-")
    )


def parse_service_host(value: str) -> str:
    """An admin's ``--service-host`` entry as stored; ValueError says what to give instead."""
    if "/" in value or (":" in value and not _is_ipv6(value)):
        raise ValueError(
            f"--service-host takes a host name such as school.instructure.com, not {value!r} "
            "(no scheme, port or path: every port of the host is allowed)"
        )
    host = normal_host(value)
    if not host:
        raise ValueError(f"--service-host {value!r} is not a host name or IP address")
    return host


def _is_ipv6(value: str) -> bool:
    try:
        return ipaddress.ip_address(value.strip("[]")).version == 6
    except ValueError:
        return False
