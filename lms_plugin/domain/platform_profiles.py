"""What each LMS sends and expects, as data: issuer form, fixed endpoint URLs, deployment ids,
roles, the AGS timestamp rule and NRPS paging (docs/platforms.md is the same table for people).

``lms-plugin platform add --product <name>`` fills a registration's defaults from here: the URLs a
product fixes for every customer (Canvas cloud, Blackboard Learn, Schoology), or builds from the
institution's own LMS address (Moodle, Brightspace). What the LMS chooses per installation (the
client id, deployment ids, Sakai's per-tool URLs) is never guessed.

Sources: Canvas doc/api/lti_dev_key_config.md and lti_launch_overview (issuers, sso.canvaslms.com
endpoints, one key set per environment); Moodle mod/lti (auth.php, token.php, certs.php;
ltiservice_gradebookservices answers 409 to a score not later in whole seconds); Canvas
Lti::IMS::ScoresController (400 for a timestamp before the result's); D2L's LTI Advantage
pages (registration details, GUID deployment ids, Send Institution Role), its OAuth 2 page (the
auth.brightspace.com token endpoint) and D2L.Security.OAuth2 (the assertion audience);
Anthology's Learn LTI pages (one issuer and one application id for every institution, the
developer.blackboard.com endpoints); Sakai's SakaiLTIUtil (issuer, deployment id, roles, key
rotation); Schoology's LTI Apps page (lti-service.svc.schoology.com). The URLs, and what is not
confirmed: docs/platforms.md, "Sources". Where a vendor documents no AGS timestamp answer or
NRPS paging, the strings say so.
"""

# The token endpoint URLs and audience below are public URLs, not secrets (ruff S105/S106).
# ruff: noqa: S105, S106

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

CANVAS = "canvas"
MOODLE = "moodle"
BRIGHTSPACE = "brightspace"
BLACKBOARD = "blackboard"
SAKAI = "sakai"
SCHOOLOGY = "schoology"
OTHER = "other"

# Canvas cloud: one issuer and one set of endpoints per environment, for every institution.
CANVAS_ENVIRONMENTS = {
    "production": ("https://canvas.instructure.com", "https://sso.canvaslms.com"),
    "beta": ("https://canvas.beta.instructure.com", "https://sso.beta.canvaslms.com"),
    "test": ("https://canvas.test.instructure.com", "https://sso.test.canvaslms.com"),
}
CANVAS_ISSUERS = frozenset(issuer for issuer, _ in CANVAS_ENVIRONMENTS.values())
# D2L checks the client assertion's audience against this value, not against its token URL.
BRIGHTSPACE_TOKEN_AUDIENCE = "https://api.brightspace.com/auth/token"
# What a vendor that documents neither leaves to the specifications (AGS 2.0 §3.4.1, NRPS 2.0).
_UNDOCUMENTED_AGS = (
    "not documented by the vendor; the AGS rule: a score not newer than the last is ignored or "
    "refused"
)
_UNDOCUMENTED_NRPS = 'not documented by the vendor; the NRPS rule: Link: rel="next" pages'


@dataclass(frozen=True)
class Endpoints:
    """The registration URLs a product fixes; ``None`` where the LMS shows them per installation.
    ``{lms}`` stands for the institution's LMS address, ``{client_id}`` for the client id."""

    issuer: str | None
    auth_login_url: str | None
    auth_token_url: str | None
    jwks_url: str | None


@dataclass(frozen=True)
class PlatformProfile:
    """One LMS product as the tool meets it (the rows of docs/platforms.md)."""

    product: str
    title: str
    endpoints: Endpoints
    issuer_form: str
    deployment_ids: str
    roles: str
    ags_timestamps: str
    nrps_paging: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    # A service host besides the four URLs' hosts (AGS/NRPS live on the institution's host).
    services_on_lms_host: bool = False
    token_audience: str | None = None  # the client assertion's aud, when not the token URL

    @property
    def needs_lms_url(self) -> bool:
        return any("{lms}" in (url or "") for url in vars(self.endpoints).values())


PROFILES: dict[str, PlatformProfile] = {
    CANVAS: PlatformProfile(
        product=CANVAS,
        title="Canvas (Instructure cloud)",
        endpoints=Endpoints(
            issuer="https://canvas.instructure.com",
            auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
            auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
            jwks_url="https://sso.canvaslms.com/api/lti/security/jwks",
        ),
        issuer_form="https://canvas.instructure.com for every cloud customer "
        "(canvas.beta. / canvas.test. for beta and test); self-hosted: its own host",
        deployment_ids="one per placement of the developer key, e.g. 12:8865aa05b4b79b64a91a"
        "86042e43af5ea8ae79eb; the deployment, not the issuer, tells institutions apart",
        roles="LIS v2 membership roles (TA also as membership/Instructor#TeachingAssistant) plus "
        "institution roles of the person, whatever their course role",
        ags_timestamps="400 for a timestamp before the last one it holds (to the sub-second); "
        "an equal one is taken",
        nrps_paging='Link: rel="next" pages',
        notes=(
            "AGS and NRPS are on the institution's host (school.instructure.com): allow it with "
            "--service-host",
            "the https://canvas.instructure.com/lti/submission score extension creates a new "
            "submission attempt unless new_submission is false",
            "launches carry the lti1p1 claim (the LTI 1.1 user_id) for migrated courses",
            "LTI platform storage (lti_storage_target) served from sso.canvaslms.com",
        ),
        services_on_lms_host=True,
    ),
    MOODLE: PlatformProfile(
        product=MOODLE,
        title="Moodle",
        endpoints=Endpoints(
            issuer="{lms}",
            auth_login_url="{lms}/mod/lti/auth.php",
            auth_token_url="{lms}/mod/lti/token.php",
            jwks_url="{lms}/mod/lti/certs.php",
        ),
        issuer_form="the site's wwwroot, e.g. https://moodle.example.edu",
        deployment_ids="the tool type id, a small integer such as 3",
        roles="membership#Instructor for anyone who may grade, else membership#Learner; site "
        "admins get system/person#Administrator and institution/person#Administrator",
        ags_timestamps="409 for a timestamp not later than the last one in whole seconds",
        nrps_paging='one page unless limit is asked; Link: rel="next" when paged',
        notes=(
            "registers by URL (LTI Dynamic Registration) from Manage tools",
            "line item URLs carry ?type_id=<n>, which every call must keep",
            "supports LtiSubmissionReviewRequest from the gradebook",
        ),
    ),
    BRIGHTSPACE: PlatformProfile(
        product=BRIGHTSPACE,
        title="D2L Brightspace",
        endpoints=Endpoints(
            issuer="{lms}",
            auth_login_url="{lms}/d2l/lti/authenticate",
            auth_token_url="https://auth.brightspace.com/core/connect/token",
            jwks_url="{lms}/d2l/.well-known/jwks",
        ),
        issuer_form="the Brightspace instance's URL (its Issuer), e.g. https://school.brightspace.com",
        deployment_ids="a GUID per deployment; a registration can have several, each shared with "
        "chosen org units",
        roles="LIS v2 context roles; institution roles too when the registration's Send "
        "Institution Role is checked",
        ags_timestamps=_UNDOCUMENTED_AGS,
        nrps_paging=_UNDOCUMENTED_NRPS,
        notes=(
            "the token request's audience is https://api.brightspace.com/auth/token",
            "the /d2l/lti/authenticate and /d2l/.well-known/jwks paths are integrators' reports, "
            "not D2L's documentation: compare them with the registration details",
            "supports LTI Dynamic Registration; the registration it makes starts disabled",
            "launches carry lti11_legacy_user_id (equal to the sub in D2L's sample)",
        ),
        token_audience=BRIGHTSPACE_TOKEN_AUDIENCE,
    ),
    BLACKBOARD: PlatformProfile(
        product=BLACKBOARD,
        title="Blackboard Learn",
        endpoints=Endpoints(
            issuer="https://blackboard.com",
            auth_login_url="https://developer.blackboard.com/api/v1/gateway/oidcauth",
            auth_token_url="https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken",
            jwks_url="https://developer.blackboard.com/api/v1/management/applications/"
            "{client_id}/jwks.json",
        ),
        issuer_form="https://blackboard.com for every institution",
        deployment_ids="a GUID per Learn instance that deploys the application",
        roles="LIS v2 membership roles; institution and system roles beside them",
        ags_timestamps=_UNDOCUMENTED_AGS,
        nrps_paging=_UNDOCUMENTED_NRPS,
        notes=(
            "one global client id (the application id from the developer portal) for every "
            "institution: the deployment id tells them apart",
            "AGS and NRPS are on the institution's Learn host: allow it with --service-host",
            "the developer portal's Dynamic Registration is refused: its configuration says "
            "issuer https://blackboard.com from developer.blackboard.com",
        ),
        services_on_lms_host=True,
    ),
    SAKAI: PlatformProfile(
        product=SAKAI,
        title="Sakai",
        endpoints=Endpoints(
            issuer="{lms}", auth_login_url=None, auth_token_url=None, jwks_url=None
        ),
        issuer_form="the server's URL for a tool installed for all sites, e.g. "
        "https://sakai.example.edu; <server>/site/<site id> for a tool owned by one site; "
        "<server>/deployment/<id>/... when lti13.deployment_id is not 1",
        deployment_ids="one for the whole server: lti13.deployment_id, 1 unless set",
        roles="LIS v2 membership roles and their short names (Learner, Instructor); admins also "
        "institution and system Administrator",
        ags_timestamps=_UNDOCUMENTED_AGS,
        nrps_paging=_UNDOCUMENTED_NRPS,
        notes=(
            "the login, token (per tool) and keyset URLs are shown on the tool's page in Sakai",
            "subs are <server>/user/<user id>",
            "sends the lti1p1 claim when the tool also has an LTI 1.1 key and secret",
            "rotates its signing keys every 30 days unless lti.advantage.key.rotation.days says "
            "otherwise",
        ),
    ),
    SCHOOLOGY: PlatformProfile(
        product=SCHOOLOGY,
        title="Schoology",
        endpoints=Endpoints(
            issuer="https://schoology.schoology.com",
            auth_login_url="https://lti-service.svc.schoology.com/lti-service/authorize-redirect",
            auth_token_url="https://lti-service.svc.schoology.com/lti-service/access-token",
            jwks_url="https://lti-service.svc.schoology.com/lti-service/.well-known/jwks",
        ),
        issuer_form="https://schoology.schoology.com for every school",
        deployment_ids="one per install of the app (school or district); its form is not "
        "documented",
        roles="LIS v2 membership roles (not documented by Schoology)",
        ags_timestamps=_UNDOCUMENTED_AGS,
        nrps_paging="at most 100 members a request, paged",
        notes=(
            "one client id per app (from Schoology's developer app page) for every school",
            "service tokens by the JWT client-credentials grant only",
            "Deep Linking launches only from Add Materials in a course",
        ),
    ),
    OTHER: PlatformProfile(
        product=OTHER,
        title="Any LTI 1.3 platform",
        endpoints=Endpoints(issuer=None, auth_login_url=None, auth_token_url=None, jwks_url=None),
        issuer_form="as the platform shows it",
        deployment_ids="as the platform shows it",
        roles="LIS v2 roles (short names and LTI 1.1 URNs are understood too)",
        ags_timestamps="timestamps strictly increase per learner and column",
        nrps_paging='Link: rel="next" pages',
    ),
}
PRODUCTS = tuple(PROFILES)


def profile(product: str) -> PlatformProfile:
    """The profile of ``product`` (``other`` for a product the tool has no profile of)."""
    return PROFILES.get(product, PROFILES[OTHER])


def registration_defaults(
    product: str,
    *,
    lms_url: str | None = None,
    client_id: str | None = None,
    environment: str = "production",
) -> dict[str, str]:
    """The registration URLs ``product`` fixes, filled in with the institution's LMS address and
    the client id where the pattern needs them; a URL that needs a value not given is left out.
    For Canvas, ``environment`` (production, beta, test) picks the issuer and endpoints."""
    endpoints = vars(profile(product).endpoints)
    if product == CANVAS:
        issuer, sso = CANVAS_ENVIRONMENTS[environment]
        endpoints = {
            name: (url or "")
            .replace("https://canvas.instructure.com", issuer)
            .replace("https://sso.canvaslms.com", sso)
            for name, url in endpoints.items()
        }
    values = {"lms": (lms_url or "").rstrip("/"), "client_id": client_id or ""}
    filled: dict[str, str] = {}
    for name, pattern in endpoints.items():
        if not pattern:
            continue
        needed = [key for key in values if "{" + key + "}" in pattern]
        if all(values[key] for key in needed):
            filled[name] = pattern.format(**values)
    return filled


def service_host_of(lms_url: str | None) -> str | None:
    """The host of the institution's LMS address, to allow as a service host where the
    product serves AGS/NRPS there (Canvas cloud, Blackboard)."""
    return urlsplit(lms_url).hostname if lms_url else None


def canvas_environment_of(issuer: str) -> str | None:
    """Which Canvas cloud environment an issuer is (None: not Canvas cloud)."""
    for name, (known, _) in CANVAS_ENVIRONMENTS.items():
        if issuer.rstrip("/") == known:
            return name
    return None
