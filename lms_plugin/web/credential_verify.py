"""Anyone checks a credential: GET /credentials/verify is a form, POST it (OB 3.0 §"Verification").

What may be sent: an upload `file` (a credential .json, a .jwt, or a baked PNG or SVG badge, OB 3.0
§"Baked Badge"), a form field `credential` (pasted JSON-LD or VC-JWT), a JSON body (the
credential, or {"credential": <the credential or a JWT>}), or any other raw body (a JWT, JSON, or
an image). The verdict (services.verification) is 200 with `valid` and the reason: a tampered,
wrongly signed, revoked or expired credential is a verdict, not an error. What is no credential
at all is 422; a body larger than the route takes is 413 (web.size_limits), as is JSON text larger
than any credential. Forms get the page back with the result; everything else gets JSON.
"""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from lms_plugin.badges.baking import unbake
from lms_plugin.domain.errors import InvalidInputError, LmsError, TooLargeError, UnprocessableError
from lms_plugin.services import verification
from lms_plugin.services.verification import MAX_JSON_CHARS, Verification
from lms_plugin.web import credential_views as views
from lms_plugin.web import deps

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UNREADABLE = {"jsonld_invalid", "jwt_malformed"}  # verdicts that mean "this is no credential"
SIGNED = {"valid", "revoked", "expired", "not_yet_valid"}  # the issuer's signature held
Presented = dict[str, Any] | str


def verify() -> ResponseReturnValue:
    """The form (GET), or the verdict on what was sent (POST)."""
    if request.method == "GET":
        return render_template("credentials/verify.html", result=None, error=None)
    as_page = request.mimetype in FORM_TYPES and not _wants_json()
    try:
        presented, source = _presented()
        result = _verify(presented)
    except LmsError as exc:
        if as_page:
            return render_template("credentials/verify.html", result=None, error=exc), exc.status
        return jsonify(error=exc.code, message=exc.message), exc.status
    status = 422 if result.code in UNREADABLE else 200
    if as_page:
        page = render_template(
            "credentials/verify.html",
            result=result,
            error=None,
            summary=_summary(result),
            when=views.xsd_day,
        )
        return page, status
    return jsonify(
        valid=result.valid,
        code=result.code,
        reason=result.reason,
        form=result.form,
        source=source,
        credential=_summary(result),
    ), status


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _presented() -> tuple[Presented, str]:
    """The credential sent, and how it came (json, jwt, png or svg)."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return _from_bytes(upload.read())
    if request.mimetype in FORM_TYPES:
        text = request.form.get("credential", "")
        if text.strip():
            return _from_text(text)
        raise InvalidInputError(
            _("Choose a credential file or paste a credential."), code="credential_missing"
        )
    return _from_bytes(request.get_data())


def _from_bytes(data: bytes) -> tuple[Presented, str]:
    if not data.strip():
        raise InvalidInputError(
            _("Send a credential: its JSON, its JWT, or a badge image with it baked in."),
            code="credential_missing",
        )
    if data.startswith(PNG_SIGNATURE):
        return unbake(data), "png"  # BakingError (422) or ImageTooLargeError (413) says why not
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return unbake(data), "svg"
    try:
        return _from_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UnprocessableError(
            _("This is not a credential: neither JSON, a JWT, nor a PNG or SVG badge image."),
            code="credential_unreadable",
        ) from None


def _from_text(text: str) -> tuple[Presented, str]:
    text = text.strip()
    if len(text) > MAX_JSON_CHARS:
        raise TooLargeError(
            _(
                "This is larger than any credential (%(kb)s KB at most).",
                kb=MAX_JSON_CHARS // 1000,
            ),
            code="credential_too_large",
        )
    if not text.startswith(("{", "[")):
        return text, "jwt"
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise UnprocessableError(
            _("The credential is not valid JSON."), code="jsonld_invalid"
        ) from None
    if isinstance(document, dict) and "@context" not in document and "credential" in document:
        inner = document["credential"]  # {"credential": ...}: the API's envelope
        if isinstance(inner, str):
            return _from_text(inner)
        document = inner
    if not isinstance(document, dict):
        raise UnprocessableError(_("A credential is a JSON object."), code="jsonld_invalid")
    return document, "json"


def _verify(presented: Presented) -> Verification:
    try:
        return verification.verify(deps.session(), views.issuer(), presented)
    except RecursionError:  # JSON-LD processing of a document nested beyond any credential
        raise UnprocessableError(
            _("The credential is nested too deeply to be one."), code="jsonld_invalid"
        ) from None


def _summary(result: Verification) -> dict[str, Any] | None:
    """What the credential says, shown only when its issuer's signature held (otherwise its
    `id` and names are anyone's words, and the page must not repeat them as ours)."""
    credential = result.credential
    if credential is None or result.code not in SIGNED:
        return None
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    issuer = credential.get("issuer")
    return {
        "id": credential.get("id"),
        "name": (achievement or {}).get("name") or credential.get("name"),
        "issuer": issuer.get("name") if isinstance(issuer, dict) else issuer,
        "validFrom": credential.get("validFrom"),
        "validUntil": credential.get("validUntil"),
    }
