"""``platform add --product``: a registration completed from the product's profile
(``domain.platform_profiles``). Options given on the command line always win; a URL the
product does not fix, and that was not given, is asked for by name. What would make launches
or grades fail later is said as the registration is added."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from lms_plugin.domain.platform_profiles import profile, registration_defaults, service_host_of
from lms_plugin.domain.tool_urls import SET_PUBLIC_URL, unreachable_from
from lms_plugin.services.platforms import PlatformSpec

_OPTIONS = {
    "issuer": "--issuer",
    "auth_login_url": "--auth-login-url",
    "auth_token_url": "--token-url",
    "jwks_url": "--jwks-url",
}


def complete_spec(
    product: str,
    *,
    name: str | None,
    lms_url: str | None,
    environment: str,
    client_id: str,
    given: dict[str, str | None],
    deployment_ids: tuple[str, ...],
    service_hosts: tuple[str, ...],
) -> tuple[PlatformSpec, list[str]]:
    """The spec to register, and one line per value taken from the profile."""
    chosen = profile(product)
    defaults = registration_defaults(
        product, lms_url=lms_url, client_id=client_id, environment=environment
    )
    values: dict[str, str] = {}
    filled: list[str] = []
    for field, option in _OPTIONS.items():
        value = given.get(field) or defaults.get(field)
        if not value:
            hint = " (or --lms-url)" if chosen.needs_lms_url and not lms_url else ""
            raise click.UsageError(f"{product}: give {option}{hint}")
        if not given.get(field):
            filled.append(f"{option} {value}  (from the {chosen.title} profile)")
        values[field] = value
    hosts = list(service_hosts)
    lms_host = service_host_of(lms_url)
    if chosen.services_on_lms_host and lms_host and lms_host not in hosts:
        hosts.append(lms_host)
        filled.append(f"--service-host {lms_host}  (its grade and roster services live there)")
    host = urlsplit(lms_url or values["issuer"]).hostname or values["issuer"]
    spec = PlatformSpec(
        name=name or f"{chosen.title} at {host}",
        client_id=client_id,
        product=product,
        deployment_ids=deployment_ids,
        service_hosts=tuple(hosts),
        **values,
    )
    return spec, filled


def registration_warnings(spec: PlatformSpec, *, issuer_given: bool, tool_url: str) -> list[str]:
    """What in ``spec`` (added for the tool at ``tool_url``) will make launches or grades fail,
    each with what to do."""
    chosen = profile(spec.product)
    warnings = []
    if chosen.services_on_lms_host and not spec.service_hosts and not issuer_given:
        # A cloud issuer (canvas.instructure.com, blackboard.com), services on the school's host
        warnings.append(
            f"{chosen.title}'s grade and roster services live on your institution's own host, "
            "where the tool sends the LMS's token only once it is allowed: until then no grade "
            f"reaches the gradebook. Allow it with: lms-plugin platform update --issuer "
            f"{spec.issuer} --client-id {spec.client_id} --service-host <your LMS's host>"
        )
    if spec.issuer.endswith("/"):  # launches must name the issuer exactly as registered
        warnings.append(
            f"the issuer {spec.issuer} ends with '/': the LMS's launches must name it exactly "
            "so, and most LMSs name theirs without one (Moodle's is its wwwroot). If its "
            "launches are refused as unknown_platform, register it without the '/'."
        )
    if unreachable_from(spec.auth_token_url, tool_url):  # the LMS's server checks our keyset
        warnings.append(
            f"{tool_url} is this computer's own address, and the LMS at "
            f"{urlsplit(spec.auth_token_url).hostname} is elsewhere: its server cannot fetch "
            f"the tool's keyset there, so no grade or roster would reach it: {SET_PUBLIC_URL}, "
            "then give the LMS the URLs again."
        )
    return warnings
