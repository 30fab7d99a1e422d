"""Admin commands: database schema, platform registrations and their deployments (keys:
cli/keys.py)."""

from __future__ import annotations

import click

from lms_plugin.cli.common import app_context, cli, deployment_options
from lms_plugin.cli.common import session as _session
from lms_plugin.cli.common import tenants as _tenants
from lms_plugin.domain.platform_profiles import PRODUCTS as PRODUCT_CHOICES
from lms_plugin.domain.tool_urls import SET_PUBLIC_URL, ToolUrls, is_loopback_url


# --- database -------------------------------------------------------------------------------
@cli.group()
def db() -> None:
    """Database schema (Alembic migrations are the only schema path)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations, then make sure the tool has signing keys (idempotent)."""
    from flask_migrate import upgrade

    from lms_plugin.db.credentials import IssuerKey
    from lms_plugin.services.issuer_keys import ensure_issuer_keys
    from lms_plugin.services.keys import ensure_keys, reseal_keys

    with app_context(schema=False) as app:
        upgrade(revision=revision)
        ensure_keys(_session())
        resealed = reseal_keys(_session(), app.extensions["lms_sealer"])
        issuer = reseal_keys(_session(), app.extensions["lms_sealer"], IssuerKey)
        ensure_issuer_keys(_session())
        sealed = f" ({resealed} sealed again with the current secret)" if resealed else ""
        sealed += f"; issuer keys: {issuer} sealed again" if issuer else ""
        click.echo(f"database at {revision}; signing keys ready{sealed}")


@db.command("downgrade")
@click.option("--revision", default="-1", show_default=True)
def db_downgrade(revision: str) -> None:
    """Revert migrations."""
    from flask_migrate import downgrade

    with app_context(schema=False):
        downgrade(revision=revision)


# --- platforms and deployments -------------------------------------------------------------
SERVICE_HOST_HELP = (
    "A host besides those of the platform's issuer, login, token and JWKS URLs where its grade "
    "and roster services may be (e.g. school.instructure.com); repeat for several. The "
    "platform's access token is sent to no other host."
)


@cli.group()
def platform() -> None:
    """LMS platform registrations."""


@platform.command("add")
@click.option("--name", help="What admins call it (default: the product and the LMS's host)")
@click.option(
    "--product",
    type=click.Choice(PRODUCT_CHOICES),
    default="other",
    show_default=True,
    help="Fill the URLs this LMS fixes (see docs/platforms.md); given options win",
)
@click.option(
    "--lms-url",
    help="Your LMS's address, e.g. https://moodle.example.edu (Moodle, Brightspace, Sakai: the "
    "issuer and URLs built on it; Canvas, Blackboard: allowed as the service host)",
)
@click.option(
    "--canvas-environment",
    type=click.Choice(["production", "beta", "test"]),
    default="production",
    show_default=True,
    help="Canvas cloud: which environment's issuer and endpoints",
)
@click.option("--issuer", help="The platform's iss, e.g. https://canvas.instructure.com")
@click.option("--client-id", required=True)
@click.option("--auth-login-url", help="OIDC authentication request URL")
@click.option("--token-url", help="OAuth2 access token URL")
@click.option("--jwks-url", help="The platform's public keyset URL")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeat for several")
@click.option("--service-host", "service_hosts", multiple=True, help=SERVICE_HOST_HELP)
def platform_add(
    name: str | None,
    product: str,
    lms_url: str | None,
    canvas_environment: str,
    issuer: str | None,
    client_id: str,
    auth_login_url: str | None,
    token_url: str | None,
    jwks_url: str | None,
    deployment_ids: tuple[str, ...],
    service_hosts: tuple[str, ...],
) -> None:
    """Register an LMS platform and trust its deployment ids."""
    from lms_plugin.cli.platform_defaults import complete_spec, registration_warnings
    from lms_plugin.services.platforms import add_platform

    spec, filled = complete_spec(
        product,
        name=name,
        lms_url=lms_url,
        environment=canvas_environment,
        client_id=client_id,
        given={
            "issuer": issuer,
            "auth_login_url": auth_login_url,
            "auth_token_url": token_url,
            "jwks_url": jwks_url,
        },
        deployment_ids=deployment_ids,
        service_hosts=service_hosts,
    )
    with app_context() as app:
        reg = add_platform(_session(), _tenants(), spec)
        urls = ToolUrls.at(app.extensions["lms_settings"].public_url)
        added = f"{reg.id}: {reg.name} ({reg.issuer}, client {reg.client_id})"
    for line in filled:
        click.echo(f"  {line}")
    click.echo(f"added platform {added} with {len(deployment_ids)} active deployment(s)")
    if not deployment_ids:
        click.echo(
            "  no deployment id given: the first launch records it as pending; trust it with "
            "lms-plugin deployments activate (or give --deployment-id now)"
        )
    click.echo(f"  the LMS needs: login {urls.login}, launch {urls.launch}, keyset {urls.jwks}")
    if product == "canvas":
        click.echo(f"  Canvas developer key (Enter URL): {urls.canvas}")
    for warning in registration_warnings(spec, issuer_given=bool(issuer), tool_url=urls.base):
        click.echo(f"warning: {warning}", err=True)


@platform.command("update")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--service-host", "service_hosts", multiple=True, help=SERVICE_HOST_HELP)
@click.option("--no-service-hosts", is_flag=True, help="Allow only the platform's own hosts")
def platform_update(
    issuer: str, client_id: str, service_hosts: tuple[str, ...], no_service_hosts: bool
) -> None:
    """Set the hosts (besides its own) where the platform's services may be: the list given
    replaces the old one, and the courses' service URLs are screened again."""
    from lms_plugin.services.platforms import set_service_hosts

    if bool(service_hosts) == no_service_hosts:
        raise click.UsageError("give --service-host (repeat for several) or --no-service-hosts")
    with app_context() as app:
        reg, done = set_service_hosts(
            _session(),
            _tenants(),
            issuer,
            client_id,
            service_hosts,
            require_https=app.extensions["lms_settings"].is_production,
        )
        click.echo(
            f"platform {reg.id}: service hosts {', '.join(reg.service_hosts) or '(its own only)'}; "
            f"{done.enabled} service URL(s) now used, {done.disabled} now refused, "
            f"{done.requeued} refused score(s) queued again"
        )


@platform.command("register-url")
@click.option(
    "--hours", type=click.FloatRange(min=0.01, max=24 * 30), default=24.0, show_default=True
)
def platform_register_url(hours: float) -> None:
    """A one-time URL for the LMS's "register a tool by URL" (LTI Dynamic Registration)."""
    from lms_plugin.services.registration import issue_ticket

    with app_context() as app:
        ticket = issue_ticket(app.extensions["lms_store"], hours)
        base = app.extensions["lms_settings"].public_url.rstrip("/")
        click.echo(f"{base}/lti/register/{ticket}")
        click.echo(f"valid once, for {hours:g} hours", err=True)
        if is_loopback_url(base):
            click.echo(
                f"note: {base} is this computer's own address: only an LMS on this computer can "
                f"register with it. For an LMS elsewhere, {SET_PUBLIC_URL}, and issue the URL "
                "again.",
                err=True,
            )


@platform.command("list")
def platform_list() -> None:
    """List registered platforms."""
    from lms_plugin.services.platforms import list_platforms

    with app_context():
        rows = list_platforms(_session())
        if not rows:
            click.echo("no platforms registered")
        for reg in rows:
            deps = ", ".join(f"{d.deployment_id}[{d.status}]" for d in reg.deployments) or "-"
            hosts = ",".join(reg.service_hosts) or "-"
            click.echo(
                f"{reg.id}\t{reg.name}\t{reg.product}\t{reg.issuer}\tclient={reg.client_id}"
                f"\tjwks={reg.jwks_url}\tdeployments={deps}\tservice_hosts={hosts}"
            )


@platform.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.confirmation_option(prompt="Remove the platform and all its course data?")
def platform_remove(issuer: str, client_id: str) -> None:
    """Remove a platform registration and everything recorded under it."""
    from lms_plugin.services.platforms import remove_platform

    with app_context():
        remove_platform(_session(), _tenants(), issuer, client_id)
        click.echo(f"removed {issuer} client {client_id}")


@cli.group()
def deployments() -> None:
    """Deployments of the tool inside registered platforms."""


@deployments.command("list")
@click.option("--pending", is_flag=True, help="Only deployments waiting for activation")
def deployments_list(pending: bool) -> None:
    from lms_plugin.services.platforms import list_deployments

    with app_context():
        rows = list_deployments(_session(), "pending" if pending else None)
        if not rows:
            click.echo("no deployments")
        for d in rows:
            click.echo(
                f"{d.deployment_id}\t{d.status}\t{d.registration.issuer}"
                f"\tclient={d.registration.client_id}"
            )


@deployments.command("activate")
@deployment_options
def deployments_activate(issuer: str, client_id: str, deployment_id: str) -> None:
    """Trust a deployment (e.g. one recorded as pending by a launch)."""
    from lms_plugin.services.platforms import activate_deployment

    with app_context():
        activate_deployment(_session(), _tenants(), issuer, client_id, deployment_id)
        click.echo(f"deployment {deployment_id} is active")


@deployments.command("disable")
@deployment_options
def deployments_disable(issuer: str, client_id: str, deployment_id: str) -> None:
    """Refuse a deployment's launches from now on (its courses' data stays; activate to undo)."""
    from lms_plugin.services.platforms import disable_deployment

    with app_context():
        disable_deployment(_session(), _tenants(), issuer, client_id, deployment_id)
        click.echo(f"deployment {deployment_id} is disabled: its launches are refused")
