"""The module picker an instructor sees when adding the tool to a course (Deep Linking 2.0)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from lms_plugin.db.models import Registration
from lms_plugin.domain.errors import ConflictError
from lms_plugin.domain.gradebook import CERTIFICATE
from lms_plugin.domain.tool_urls import ToolUrls
from lms_plugin.lti.deep_linking import DeepLinkChoice, response_jwt
from lms_plugin.lti.tool_config import active_key
from lms_plugin.services.content import CurrentContent, current_content
from lms_plugin.services.launches import opened_activities
from lms_plugin.web import deps, launch_session

bp = Blueprint("deep_link", __name__, url_prefix="/deep-link")
bp.before_request(launch_session.check_csrf)


def _request() -> dict[str, Any]:
    launch_session.require_instructor()
    deep_link = launch_session.summary().get("deep_link")
    if not deep_link:
        raise ConflictError(
            _(
                "This deep linking request was already answered. Add the tool "
                "again from your course to pick more modules."
            ),
            code="dl_used",
        )
    return deep_link  # type: ignore[no-any-return]


@bp.get("")
def picker() -> str:
    return _picker(_request())


def _picker(
    deep_link: dict[str, Any], refusal: str | None = None, chosen: Sequence[str] = ()
) -> str:
    """The list of modules; after a choice the LMS cannot take, again with ``refusal`` said
    above it and the ``chosen`` ones still ticked."""
    settings = deep_link["settings"]
    course = launch_session.current().context_id
    return render_template(
        "deep_link/picker.html",
        content=current_content(deps.session()),
        multiple=_accepts_multiple(settings),
        settings=settings,
        certificate=CERTIFICATE,
        certificate_title=CERTIFICATE_TITLE,
        opened=opened_activities(deps.session(), course, CERTIFICATE) if course else set(),
        refusal=refusal,
        chosen=set(chosen),
    )


CERTIFICATE_TITLE = "ISP Certificate"


def _title(content: CurrentContent, slug: str) -> str:
    """The activity's title: the module's, or the whole certificate's."""
    return CERTIFICATE_TITLE if slug == CERTIFICATE else content.find(slug)[1].title


def _accepts_multiple(settings: dict[str, Any]) -> bool:
    """``accept_multiple`` (Deep Linking 2.0 §4.4.1): absent means several items are welcome."""
    return str(settings.get("accept_multiple", "true")).lower() != "false"


@bp.post("")
def respond() -> str | tuple[str, int]:
    """Sign the LtiDeepLinkingResponse and post it back to the LMS from the browser. A choice
    the LMS cannot take (none, or several where it adds one at a time) shows the list again,
    saying why (422): the request is still open."""
    deep_link = _request()
    content = current_content(deps.session())
    slugs = list(dict.fromkeys(request.form.getlist("module")))  # each module once, in order
    if not slugs:
        return _picker(deep_link, _("Choose at least one module.")), 422
    if len(slugs) > 1 and not _accepts_multiple(deep_link["settings"]):
        refusal = _("Choose one module: your LMS adds one activity at a time here.")
        return _picker(deep_link, refusal, slugs), 422
    choices = [DeepLinkChoice(slug, _title(content, slug)) for slug in slugs]
    record = launch_session.current()
    registration = deps.session().get(Registration, record.registration_id)
    key = active_key(deps.session())
    assert registration is not None and key is not None
    settings: dict[str, Any] = deep_link["settings"]
    token = response_jwt(
        registration,
        key,
        str(deep_link["deployment_id"]),
        settings,
        choices,
        ToolUrls.at(deps.settings().public_url).launch,
    )
    summary = launch_session.summary()
    summary.pop("deep_link")
    launch_session.update_summary(summary)  # one answer per request
    return render_template(
        "deep_link/respond.html",
        return_url=settings["deep_link_return_url"],
        jwt=token,
        choices=choices,
    )
