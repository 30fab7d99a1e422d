"""The learner's "My credentials" inside the LMS iframe: each level's badge as it stands (issuing,
issued, revoked, failed and retried), the choice to show their name on the public page, and the
certificate with their name. The credentials themselves are public: web.credentials."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.badges.pdf import certificate_pdf, printable
from lms_plugin.db.credentials import Award
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.services import credentials
from lms_plugin.services.awards import MAX_TRIES
from lms_plugin.services.content import current_content
from lms_plugin.web import credential_views as views
from lms_plugin.web import deps, launch_session
from lms_plugin.web.downloads import attachment

bp = Blueprint("my_credentials", __name__, url_prefix="/my-credentials")
bp.before_request(launch_session.check_csrf)


@dataclass(frozen=True)
class BadgeState:
    """One level's badge as the learner sees it."""

    status: str  # none | pending | issued | failed | withheld | revoked
    text: str  # the sentence shown (markup where it holds a date: a <time>)
    working: bool  # still being issued: the page polls until it changes
    award: Award | None = None

    @property
    def public(self) -> bool:
        """The badge has a public page (and its downloads)."""
        return self.award is not None and self.award.public


def badge_states(user_id: int) -> dict[str, BadgeState]:
    """Each level's badge state for the learner (by program slug); also the overview's."""
    awards = {a.program_slug: a for a in credentials.learner_awards(deps.session(), user_id)}
    none = BadgeState("none", str(_STAFF if launch_session.current().is_staff else _NONE), False)
    states = {}
    for program in current_content(deps.session()).programs:
        award = awards.get(program.slug)
        states[program.slug] = _state(award) if award else none
    return states


_NONE = lazy_gettext("Not earned yet: complete every module of this level, capstone included.")
_STAFF = lazy_gettext(  # services.staff: the course's staff try the learner's side for nothing
    "Earned by the course's learners: as its staff, you earn no credential here."
)


def _state(award: Award) -> BadgeState:
    status = award.status
    if status == "pending":
        text = award.last_error or _("Issuing your credential…")  # a wait names what it waits for
        return BadgeState(status, text, True, award)
    if status == "failed" and award.tries < MAX_TRIES:
        text = _("Issuing hit a problem; we are retrying automatically.")
        return BadgeState(status, text, True, award)
    if status == "failed":
        text = _(
            "Issuing failed repeatedly. The tool's administrators see it and can issue it again."
        )
        return BadgeState(status, text, False, award)
    if status == "withheld":
        text = _("Not issued. %(why)s", why=award.last_error or "").strip()
        return BadgeState(status, text, False, award)
    if status == "revoked":
        why = award.revoked_reason
        if award.revoked_at:
            text = views.sentence(
                _("Revoked on %(day)s: %(why)s"), day=views.day(award.revoked_at), why=why
            )
        else:
            text = _("Revoked: %(why)s", why=why)
        return BadgeState(status, text, False, award)
    when = views.day(award.issued_at) if award.issued_at else ""
    return BadgeState(status, views.sentence(_("Issued on %(day)s."), day=when), False, award)


@bp.get("/")
def page() -> str:
    """Every level's badge, with its public page, downloads and the show-name choice."""
    learner = launch_session.learner()
    states = badge_states(learner.user_id)
    public = {
        slug: credentials.get_public(deps.session(), award.uuid)
        for slug, state in states.items()
        if (award := state.award) is not None and award.public
    }
    name = launch_session.summary()["user"].get("name") or ""
    return render_template(
        "player/credentials.html",
        content=current_content(deps.session()),
        states=states,
        public=public,
        linkedin={slug: views.linkedin(p) for slug, p in public.items() if p.status == "issued"},
        holder={slug: views.holder(p) for slug, p in public.items()},
        name=name,
        name_printable=printable(name),
    )


@bp.get("/state")
def state() -> Response:
    """The badges' states as JSON: the page polls it while one is being issued."""
    states = badge_states(launch_session.learner().user_id)
    return jsonify(
        levels=[
            {"level": slug, "status": s.status, "working": s.working, "text": _plain(s.text)}
            for slug, s in states.items()
        ]
    )


def _plain(text: str) -> str:
    """A badge state's sentence without its markup (the dates as their UTC text)."""
    return text.striptags() if isinstance(text, Markup) else text


@bp.post("/<credential_id>/name")
def show_name(credential_id: str) -> BaseResponse:
    """Show or hide the learner's name on the credential's public page."""
    show = request.form.get("show") == "1"
    learner = launch_session.learner()
    credentials.set_show_name(deps.session(), learner.user_id, credential_id, show)
    return redirect(launch_session.link("my_credentials.page"), code=303)


@bp.get("/<credential_id>/certificate.pdf")
def certificate(credential_id: str) -> Response:
    """The certificate with the learner's name as the LMS gives it (whatever the page shows)."""
    award = credentials.find_award(deps.session(), credential_id)
    if award.user_id != launch_session.learner().user_id or award.status != "issued":
        raise NotFoundError(_("There is no credential with this id."))
    public = credentials.get_public(deps.session(), award.uuid)
    name = launch_session.summary()["user"].get("name") or views.holder(public)
    level = views.program(public.program_slug).level
    pdf = certificate_pdf(views.certificate(public, level, name))
    response = Response(pdf, mimetype="application/pdf")
    filename = views.download_name(public, "pdf")
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
