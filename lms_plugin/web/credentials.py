"""Public credential routes (no login): every URL domain.credential_urls names.

Documents a verifier or a backpack fetches (issuer Profile and keys, status lists, achievements,
Open Badges 2.0 hosted documents) are JSON-LD with `Access-Control-Allow-Origin: *`, so web
verifiers can read them, and ETags. A credential's URL is its public page for people and the
signed credential for `Accept: application/ld+json` (VCDM 2.0 §4.4: the `id` dereferences to
it). Unknown or malformed ids are 404 pages. Checking a presented credential: web.credential_verify.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.badges.artwork import badge_png, badge_svg
from lms_plugin.badges.baking import bake_png, bake_svg
from lms_plugin.badges.ob2 import ob2_assertion, ob2_badge_class, ob2_issuer, ob2_revoked_assertion
from lms_plugin.badges.pdf import certificate_pdf
from lms_plugin.domain.awards import achievement
from lms_plugin.domain.credentials import achievement_document
from lms_plugin.services import credentials, issuer_keys, status_lists
from lms_plugin.services.credential_check import live_check
from lms_plugin.services.credentials import PublicCredential
from lms_plugin.web import credential_verify, deps
from lms_plugin.web import credential_views as views
from lms_plugin.web.credential_views import ARTWORK, JSON, JSON_LD, RevokedError

bp = Blueprint("credentials", __name__, url_prefix="/credentials")
# Before the /<credential_id> routes in the source; Werkzeug ranks static paths first anyway.
bp.add_url_rule("/verify", view_func=credential_verify.verify, methods=["GET", "POST"])


@bp.context_processor
def _issuer_name() -> dict[str, str]:
    return {"issuer_name": deps.settings().issuer_name}


@bp.get("/issuer")
def issuer_profile() -> Response:
    """The issuer Profile with every Ed25519 key, active and retired (OB 3.0 §"Profile")."""
    return views.document(issuer_keys.issuer_profile_document(deps.session(), views.issuer()))


@bp.get("/issuer/jwks")
def issuer_jwks() -> Response:
    """Every RSA key that signed a VC-JWT, active and retired (RFC 7517 §5)."""
    jwks = issuer_keys.issuer_jwks(deps.session(), views.issuer().urls)
    return views.document(jwks, mimetype=JSON)


@bp.get("/issuer/keys/<kid>")
def issuer_key(kid: str) -> Response:
    """The public JWK a VC-JWT's `kid` URL names (OB 3.0 §8.2.3)."""
    jwk = issuer_keys.issuer_public_jwk(deps.session(), views.issuer().urls, kid)
    return views.document(jwk, mimetype=JSON)


@bp.get("/status/<int:list_id>")
def status_list(list_id: int) -> Response:
    """The signed BitstringStatusListCredential (W3C Bitstring Status List §2.2)."""
    urls = views.issuer().urls
    return views.document(status_lists.status_list_document(deps.session(), list_id, urls))


@bp.get("/achievements/<slug>")
def achievement_page(slug: str) -> Response | str:
    """The level's Achievement (its `id` and its criteria URL): a page, or JSON-LD by Accept."""
    program = views.program(slug)
    issuer = views.issuer(competencies=True)
    data = achievement(program, issuer.competencies, issuer.urls)
    document = achievement_document(data)
    if not views.wants_html():
        return views.document(document)
    return render_template(
        "credentials/achievement.html",
        program=program,
        achievement=document,
        competencies=views.competencies(document),
    )


@bp.get("/achievements/<slug>/image")
def achievement_image(slug: str) -> Response:
    """The level's badge artwork (SVG), the Achievement's `image`."""
    level = views.program(slug).level
    return views.public_file(badge_svg(level), "image/svg+xml", cache=ARTWORK)


@bp.get("/achievements/<slug>/image.png")
def achievement_image_png(slug: str) -> Response:
    """The same artwork as PNG."""
    level = views.program(slug).level
    return views.public_file(badge_png(level), "image/png", cache=ARTWORK)


@bp.get("/<credential_id>")
def credential(credential_id: str) -> BaseResponse | str:
    """The public page: who earned what and when, a live check, the downloads."""
    public = _public(credential_id)
    if public.uuid != credential_id:  # e.g. upper case or urn:uuid: the one canonical URL
        return redirect(url_for("credentials.credential", credential_id=public.uuid), code=301)
    if not views.wants_html():
        response = views.document(public.credential)
        response.vary.add("Accept")
        return response
    check = live_check(deps.session(), views.issuer(), public.credential)
    page = render_template(
        "credentials/public.html",
        public=public,
        holder=views.holder(public),
        verdict=views.verdict(public, check),
        checked_at=check.checked_at,
        competencies_section=views.competencies_section(public.achievement),
        results=views.rubric_results(public),
        evidence=[e for e in public.credential.get("evidence") or [] if isinstance(e, dict)],
        linkedin=views.linkedin(public) if public.status == "issued" else None,
        ob2_url=_ob2_url(public),
        day=views.day,
    )
    response = Response(page, mimetype="text/html")
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-cache"  # the check is live
    return response


@bp.get("/<credential_id>/credential.json")
def credential_json(credential_id: str) -> Response:
    """The signed credential (JSON-LD with its proof), for a wallet or a verifier."""
    public = _public(credential_id)
    name = views.download_name(public, "json")
    return views.public_file(views.json_bytes(public.credential), JSON_LD, filename=name)


@bp.get("/<credential_id>/credential.jwt")
def credential_jwt(credential_id: str) -> Response:
    """The same credential as a VC-JWT (OB 3.0 §8.2)."""
    public = _public(credential_id)
    name = views.download_name(public, "jwt")
    return views.public_file(public.credential_jwt.encode(), "application/jwt", filename=name)


@bp.get("/<credential_id>/badge.png")
def badge_png_download(credential_id: str) -> Response:
    """The level's PNG artwork with the credential baked in (OB 3.0 §"Baked Badge")."""
    public = _usable(credential_id)
    level = views.program(public.program_slug).level
    baked = bake_png(badge_png(level), public.credential)
    return views.public_file(baked, "image/png", filename=views.download_name(public, "png"))


@bp.get("/<credential_id>/badge.svg")
def badge_svg_download(credential_id: str) -> Response:
    """The level's SVG artwork with the credential baked in."""
    public = _usable(credential_id)
    level = views.program(public.program_slug).level
    baked = bake_svg(badge_svg(level), public.credential)
    return views.public_file(baked, "image/svg+xml", filename=views.download_name(public, "svg"))


@bp.get("/<credential_id>/certificate.pdf")
def certificate(credential_id: str) -> Response:
    """The printable certificate; it names the learner only if they chose to show their name."""
    public = _usable(credential_id)
    level = views.program(public.program_slug).level
    name = public.recipient_name or "The holder of this credential"
    pdf = certificate_pdf(views.certificate(public, level, name))
    return views.public_file(pdf, "application/pdf", filename=views.download_name(public, "pdf"))


@bp.get("/<credential_id>/ob2")
def ob2(credential_id: str) -> Response:
    """The Open Badges 2.0 hosted Assertion; 410 Gone with the reason once revoked (OB 2.0
    §"Revoking Hosted Assertions")."""
    public = _public(credential_id)
    urls = views.issuer().urls
    url = urls.ob2_assertion(public.uuid)
    if public.status == "revoked":
        return views.document(ob2_revoked_assertion(url, public.revoked_reason), status=410)
    assertion = ob2_assertion(
        public.credential,
        assertion_url=url,
        badge_url=urls.ob2_badge(public.program_slug),
        image_url=urls.achievement_image_png(public.program_slug),
    )
    return views.document(assertion)


@bp.get("/ob2/badges/<slug>")
def ob2_badge(slug: str) -> Response:
    """The level's Open Badges 2.0 BadgeClass."""
    issuer = views.issuer(competencies=True)
    data = achievement(views.program(slug), issuer.competencies, issuer.urls)
    badge = ob2_badge_class(
        achievement_document(data),
        badge_url=issuer.urls.ob2_badge(slug),
        issuer_url=issuer.urls.ob2_issuer(),
        image_url=issuer.urls.achievement_image_png(slug),
    )
    return views.document(badge)


@bp.get("/ob2/issuer")
def ob2_issuer_profile() -> Response:
    """The Open Badges 2.0 issuer Profile (404 with a hint while LMS_ISSUER_EMAIL is unset)."""
    issuer = views.issuer()
    profile = ob2_issuer(
        issuer_url=issuer.urls.ob2_issuer(),
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
    )
    return views.document(profile)


def _ob2_url(public: PublicCredential) -> str | None:
    """The hosted Assertion's URL, when there is one (an email recipient and issuer)."""
    if public.status != "issued" or not deps.settings().issuer_email:
        return None
    if not views.has_email_identity(public):
        return None
    return views.issuer().urls.ob2_assertion(public.uuid)


def _public(credential_id: str) -> PublicCredential:
    return credentials.get_public(deps.session(), credential_id)


def _usable(credential_id: str) -> PublicCredential:
    """An issued credential: a revoked one no longer has a badge image, certificate or link."""
    public = _public(credential_id)
    if public.status != "issued":
        raise RevokedError("This credential was revoked, so it has no badge or certificate.")
    return public
