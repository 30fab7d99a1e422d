"""What the credential routes share: the issuer, responses for public documents and downloads,
and the public page's plain-language reading of a credential (web.credentials serves them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from lms_plugin.badges.data_integrity import parse_xsd_datetime
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.linkedin import add_to_profile_url
from lms_plugin.badges.pdf import Certificate
from lms_plugin.db import json_codec
from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.domain.content.model import Competency, Program
from lms_plugin.domain.errors import LmsError, NotFoundError
from lms_plugin.paths import PROJECT_ROOT
from lms_plugin.services.content import current_content
from lms_plugin.services.credential_check import LiveCheck
from lms_plugin.services.credentials import PublicCredential
from lms_plugin.services.issuer_keys import Issuer, issuer_from_settings
from lms_plugin.web import deps
from lms_plugin.web.downloads import attachment
from lms_plugin.web.i18n import current_language, translated
from lms_plugin.web.theming import local_time

JSON_LD = "application/ld+json"
JSON = "application/json"
# What the credential's own URL answers with, by Accept (VCDM 2.0 §C.1 names application/vc).
CREDENTIAL_TYPES = ("text/html", JSON_LD, JSON, "application/vc")
# Documents a verifier fetches: cached, but always revalidated (keys rotate, lists change), so
# a 304 answers the second fetch; the artwork changes only with a release.
REVALIDATE = "public, no-cache"
ARTWORK = "public, max-age=86400"
SECTIONS_KEPT = 64  # rendered competency sections kept per process (a few KB each)
_SECTIONS: dict[tuple[str, bytes], Markup] = {}


class RevokedError(LmsError):
    """What a revoked credential no longer offers (its badge image, certificate, LinkedIn)."""

    status = 410
    code = "revoked"


def issuer(*, competencies: bool = False) -> Issuer:
    """Who issues (LMS_ISSUER_*); with the competency catalogue the achievements align to when
    asked (reading courses/ takes most of a second, once per process: only where needed)."""
    return issuer_from_settings(deps.settings(), _competencies() if competencies else None)


@cache
def _competencies() -> Mapping[str, Competency]:
    # courses/ is read once per process, as the worker does (the alignments of achievements)
    catalogue, problems = load_catalogue(PROJECT_ROOT / "courses")
    if catalogue is None:
        raise RuntimeError(f"courses/ does not load ({len(problems)} problems): run content lint")
    return {competency.id: competency for competency in catalogue.competencies}


def program(slug: str) -> Program:
    """The level `slug` names, in the synced content; NotFoundError for any other slug."""
    for found in current_content(deps.session()).programs:
        if found.slug == slug:
            return found
    raise NotFoundError(_("There is no such achievement."))


def json_bytes(body: Mapping[str, Any]) -> bytes:
    """A document as compact UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def document(
    body: Mapping[str, Any], *, mimetype: str = JSON_LD, status: int = 200, cache: str = REVALIDATE
) -> Response:
    """A public JSON(-LD) document any web verifier may fetch (CORS), with an ETag."""
    return public_file(json_bytes(body), mimetype, status=status, cache=cache)


def public_file(
    data: bytes,
    mimetype: str,
    *,
    filename: str | None = None,
    status: int = 200,
    cache: str = REVALIDATE,
) -> Response:
    """Bytes for anyone: CORS open (no cookies are read), an ETag and the cache policy."""
    response = Response(data, status=status, mimetype=mimetype)
    if filename:
        response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = cache
    if status == 200:
        response.add_etag()
        response.make_conditional(request)
    return response


def wants_html() -> bool:
    """Whether the credential's URL should answer with its page (else the JSON-LD)."""
    return request.accept_mimetypes.best_match(CREDENTIAL_TYPES) in (None, "text/html")


def download_name(public: PublicCredential, extension: str) -> str:
    """e.g. isp-level-1-3f2a9c1e.png: the level and the start of the credential id."""
    return f"{public.program_slug}-{public.uuid[:8]}.{extension}"


def day(moment: datetime) -> Markup:
    """A date as the reader reads it: a ``<time>`` that frame.js writes in their time zone and
    the page's language (December 5, 2026; 5 décembre 2026), as the page's other dates are."""
    return local_time(moment, "date")


def xsd_day(value: Any) -> Markup:
    """A credential's xsd:dateTime as a date people read (the text itself if it is none)."""
    try:
        return day(parse_xsd_datetime(value, "date"))
    except CredentialError:
        return Markup.escape(str(value))


def sentence(translated_text: str, **values: object) -> Markup:
    """A sentence from the catalogue (``_("...")``) with ``values`` put in, each escaped unless
    it is markup (a ``day``)."""
    return Markup(translated_text) % values  # noqa: S704 (our catalogue's text, values escaped)


def _credential_time(public: PublicCredential, key: str) -> datetime | None:
    value = public.credential.get(key)
    return parse_xsd_datetime(value, key) if isinstance(value, str) else None


def holder(public: PublicCredential) -> str:
    """Who the page says earned it, in the page's language: their name only if they chose to
    show it."""
    if public.recipient_name:
        return public.recipient_name
    if public.course:
        return str(_("A learner of %(course)s", course=public.course))
    return str(_("The holder of this credential"))


@dataclass(frozen=True)
class Verdict:
    """The live check in words: a headline and a sentence (its dates are ``<time>`` elements)."""

    valid: bool
    headline: str
    sentence: Markup


def verdict(public: PublicCredential, check: LiveCheck) -> Verdict:
    """The plain-language result of the live check of `public`, in the page's language."""
    issuer = public.issuer.get("name") or _("its issuer")
    valid_from = _credential_time(public, "validFrom")
    valid_until = _credential_time(public, "validUntil")
    if check.valid:
        return Verdict(True, _("Valid"), _valid_sentence(issuer, valid_from, valid_until))
    if check.code == "revoked":
        when, reason = public.revoked_at, public.revoked_reason
        if when and reason:
            text = _("Revoked by %(issuer)s on %(when)s: %(reason)s")
        elif when:
            text = _("Revoked by %(issuer)s on %(when)s.")
        elif reason:
            text = _("Revoked by %(issuer)s: %(reason)s")
        else:
            text = _("Revoked by %(issuer)s.")
        values = {"issuer": issuer, "when": day(when) if when else "", "reason": reason}
        return Verdict(False, _("Revoked"), sentence(text, **values))
    if check.code == "expired" and valid_until:
        text = _("This credential expired on %(when)s.")
        return Verdict(False, _("Expired"), sentence(text, when=day(valid_until)))
    if check.code == "not_yet_valid" and valid_from:
        text = _("This credential is valid from %(when)s.")
        return Verdict(False, _("Not valid yet"), sentence(text, when=day(valid_from)))
    return Verdict(False, _("Not valid"), Markup.escape(translated(check.reason)))


def _valid_sentence(issuer: str, since: datetime | None, until: datetime | None) -> Markup:
    if since and until:
        text = _("Signed by %(issuer)s, not revoked, valid since %(since)s until %(until)s.")
    elif since:
        text = _("Signed by %(issuer)s, not revoked, valid since %(since)s.")
    elif until:
        text = _("Signed by %(issuer)s, not revoked until %(until)s.")
    else:
        text = _("Signed by %(issuer)s, not revoked.")
    dates = {"since": day(since) if since else "", "until": day(until) if until else ""}
    return sentence(text, issuer=issuer, **dates)


def competencies(achievement: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The achievement's alignments grouped by framework, in the order they first appear."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for alignment in _as_list(achievement.get("alignment")):
        if isinstance(alignment, dict) and alignment.get("targetName"):
            framework = str(alignment.get("targetFramework") or "Other competencies")
            groups.setdefault(framework, []).append(alignment)
    return list(groups.items())


def competencies_section(achievement: Mapping[str, Any]) -> Markup:
    """The public page's "Competencies assessed" section, rendered once per process for each
    alignment list and language: every credential of a level carries the same 40-odd
    alignments, and rendering them was a tenth of the page's CPU time (benchmarks/README.md,
    "The public page against a one-query route"). Keyed by the alignments themselves, so a
    credential issued under other content gets its own."""
    groups = competencies(achievement)
    if not groups:
        return Markup("")
    key = (current_language(), json_codec.dumps_sorted(groups))
    found = _SECTIONS.get(key)
    if found is None:
        if len(_SECTIONS) >= SECTIONS_KEPT:
            _SECTIONS.clear()  # bounded; a section forgotten is only rendered again
        html = render_template("credentials/_competencies.html", competencies=groups)
        found = _SECTIONS[key] = Markup(html)  # noqa: S704 - a template's output, autoescaped
    return found


def rubric_results(public: PublicCredential) -> list[tuple[str, str]]:
    """(criterion, level reached) for each capstone rubric result the credential carries."""
    levels, criteria = {}, {}
    for described in _as_list(public.achievement.get("resultDescription")):
        if isinstance(described, dict):
            criteria[described.get("id")] = described.get("name", "")
            for level in _as_list(described.get("rubricCriterionLevel")):
                if isinstance(level, dict):
                    levels[level.get("id")] = level.get("name", "")
    subject = public.credential.get("credentialSubject") or {}
    return [
        (criteria[result["resultDescription"]], levels.get(result.get("achievedLevel"), ""))
        for result in _as_list(subject.get("result"))
        if isinstance(result, dict) and result.get("resultDescription") in criteria
    ]


def has_email_identity(public: PublicCredential) -> bool:
    """Whether the recipient is named by a hashed email (what Open Badges 2.0 needs)."""
    subject = public.credential.get("credentialSubject") or {}
    return any(
        isinstance(identity, dict) and identity.get("identityType") == "emailAddress"
        for identity in _as_list(subject.get("identifier"))
    )


def linkedin(public: PublicCredential) -> str:
    """LinkedIn's Add to Profile link for this credential."""
    return add_to_profile_url(
        name=str(public.achievement.get("name", "")),
        organization_name=str(public.issuer.get("name", "")),
        issued=_credential_time(public, "validFrom") or public.issued_at,
        expires=_credential_time(public, "validUntil"),
        cert_url=public.url,
        cert_id=public.uuid,
    )


def certificate(public: PublicCredential, level: int, learner_name: str) -> Certificate:
    """What the PDF certificate of `public` says, naming the learner as given."""
    criteria = public.achievement.get("criteria") or {}
    return Certificate(
        learner_name=learner_name,
        level=level,
        achievement_name=str(public.achievement.get("name", "")),
        issuer_name=str(public.issuer.get("name", "")),
        issued_on=_credential_time(public, "validFrom") or public.issued_at,
        expires_on=_credential_time(public, "validUntil"),
        criteria=str(criteria.get("narrative", "")),
        credential_url=public.url,
        credential_id=public.uuid,
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]
