"""A lesson's figures: ``/content/modules/<version id>/figures/<name>.svg``.

The URL names the module version (its content_module row), whose drawings never change, so a
figure is cached for good. The content is the certificate's own, open like the repository it
comes from: no launch is needed, as an ``<img>`` in an LMS iframe may be fetched without the
launch's cookie. Sent with a policy that lets the SVG load and run nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response

from lms_plugin.domain.errors import NotFoundError
from lms_plugin.domain.i18n import N_
from lms_plugin.services.content import module_version
from lms_plugin.web import deps

bp = Blueprint("figures", __name__)

_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
_MAX_ID = 2**31 - 1


@bp.get("/content/modules/<int:module_id>/figures/<name>.svg")
def figure(module_id: int, name: str) -> Response:
    if module_id > _MAX_ID:  # past any row id (the database would refuse to compare it)
        raise NotFoundError(N_("There is no such figure."))
    found = module_version(deps.session(), module_id).figure(name)
    if found is None:
        raise NotFoundError(N_("There is no such figure."))
    response = Response(found.svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = _POLICY
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
