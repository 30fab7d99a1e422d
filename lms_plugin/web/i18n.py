"""The interface's language: English or French, chosen per launch, switchable in the header.

Order: the language the person picked in the header's switch (kept in the launch session); else
the launch's ``launch_presentation.locale`` claim (LTI 1.3 Core §5.4.4: "fr", "fr-CA", "fr_FR"...
pick French); else English. Outside a launch (the public credential pages, which anyone opens
from a link), the language picked in those pages' switch (``?lang=fr``, then kept in a cookie),
else the browser's ``Accept-Language`` (French when it prefers French), else English. Course
content and the credentials as issued stay English.

Every sentence of the pages goes through Flask-Babel (``_``/``ngettext`` in templates and web
code, ``domain/i18n.py`` in the domain); numbers and percents through the ``number`` and
``percent`` filters, dates through ``utc_text`` (the text of ``local_time``'s ``<time>`` before
static/frame.js writes it in the reader's zone and the page's language).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Blueprint, Flask, g, has_request_context, redirect, request
from flask_babel import Babel, get_locale, get_translations
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin import kv
from lms_plugin.domain import i18n as domain_i18n
from lms_plugin.domain.errors import InvalidInputError, LmsError
from lms_plugin.domain.i18n import N_
from lms_plugin.web import js_text, launch_session
from lms_plugin.web.cookies import cookie_path

SUPPORTED = ("en", "fr")
FOLLOW_LAUNCH_LOCALE = True  # the launch's locale claim picks the language (module docstring)
NAMES = {"en": "English", "fr": "Français"}
COOKIE = "lms_lang"  # a language picked on the public pages (not in a launch)
COOKIE_SECONDS = 365 * 86400  # each in its own language, as switches show them
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"  # lms_plugin/translations

bp = Blueprint("i18n", __name__)
bp.before_request(launch_session.check_csrf)


def supported(tag: str | None) -> str | None:
    """The supported language of a BCP 47 tag ("fr-CA" -> "fr"), or None."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED else None


def _launch_languages() -> tuple[str | None, str | None] | None:
    try:
        return launch_session.languages()
    except LmsError:  # no launch (public pages, the launch itself, errors about the launch)
        return None
    except HTTPException:  # a body too large to read for its launch handle: the 413 page
        return None
    except kv.UNAVAILABLE:  # the store is down: its error page follows the browser's language
        return None


def select_locale() -> str:
    """The language of this request (Flask-Babel's locale selector)."""
    if not has_request_context():  # the app's own work (a CLI command, a test's app context)
        return "en"
    launch = _launch_languages()
    if launch is not None:
        chosen, claim = launch
        from_claim = supported(claim) if FOLLOW_LAUNCH_LOCALE else None
        return supported(chosen) or from_claim or "en"
    g.lms_language_by_browser = True  # the answer varies by what the browser says (_vary)
    chosen = supported(request.args.get("lang")) or supported(request.cookies.get(COOKIE))
    return chosen or request.accept_languages.best_match(SUPPORTED) or "en"


def _vary(response: BaseResponse) -> BaseResponse:
    """Outside a launch: say the page depends on the browser's language, and keep a language
    picked with ``?lang=`` for the next public page."""
    if g.get("lms_language_by_browser"):
        response.vary.update(("Accept-Language", "Cookie"))
        picked = supported(request.args.get("lang"))
        if picked is not None:
            response.set_cookie(
                COOKIE,
                picked,
                max_age=COOKIE_SECONDS,
                path=cookie_path(),
                secure=request.is_secure,
                httponly=True,
                samesite="Lax",
            )
    return response


def current_language() -> str:
    """The page's language as a BCP 47 tag (``<html lang>``), kept for the request: pages ask
    for it per row (a cohort page of 500 learners asked Flask-Babel 1,500 times)."""
    if has_request_context() and "lms_language" in g:
        return str(g.lms_language)
    locale = get_locale()
    language = locale.language if locale is not None else "en"
    if has_request_context():
        g.lms_language = language
    return language


def language_switch() -> dict[str, str] | None:
    """The other language to offer in the header, or None outside a launch."""
    if _launch_languages() is None:
        return None
    other = "fr" if current_language() == "en" else "en"
    return {"code": other, "name": NAMES[other]}


def public_language_switch() -> dict[str, str]:
    """The other language for a public page: a link to the same page with ``?lang=``."""
    other = "fr" if current_language() == "en" else "en"
    return {"code": other, "name": NAMES[other], "url": f"{request.path}?lang={other}"}


def translated(message: str) -> str:
    """``message`` in the page's language: the templates' ``_``, the ``tr`` filter for constants
    marked with ``N_`` (``{{ state.label|tr }}``) and the domain's sentences."""
    return _catalogue(message, current_language()) if message else message


def translated_plural(one: str, many: str, n: int) -> str:
    """``one`` or ``many`` for ``n``, in the page's language (templates' and domain's ngettext)."""
    return str(get_translations().ungettext(one, many, n))


@lru_cache(maxsize=8192)
def _catalogue(message: str, language: str) -> str:
    """``message`` from the catalogue of ``language`` (asked in a request of that language).
    Flask-Babel finds the request's catalogue again on every lookup (~10 µs); the catalogues do
    not change while the process runs, so each (message, language) is looked up once: the
    cohort page of 500 learners made some 200 lookups, 6% of its CPU."""
    return str(get_translations().ugettext(message))


def utc_text(moment: datetime, style: str) -> str:
    """A UTC moment as the reader's language writes it (``domain.i18n.utc_moment`` in
    :func:`reader_locale`): the text of ``local_time``'s ``<time>`` before frame.js runs, so a
    page's dates read alike before and after the script."""
    return domain_i18n.utc_moment(moment, style, reader_locale())


def reader_locale() -> Locale:
    """The page's language in the reader's region when the browser names that language with one
    (as frame.js picks it: en-GB reads "5 December 2026" on an English page, en-US "December 5,
    2026"); else the language alone."""
    language = current_language()
    if not has_request_context():
        return Locale.parse(language)
    if "lms_reader_locale" not in g:
        g.lms_reader_locale = Locale.parse(language)
        for tag, _quality in request.accept_languages:
            if supported(tag) == language:
                with suppress(ValueError, UnknownLocaleError):  # unknown to Babel: the language
                    g.lms_reader_locale = Locale.parse(tag, sep="-" if "-" in tag else "_")
                break
    return g.lms_reader_locale  # type: ignore[no-any-return]


@bp.post("/language")
def choose() -> BaseResponse:
    """Switch the interface's language for the rest of this launch, and go back."""
    language = supported(request.form.get("language"))
    if language is None:
        raise InvalidInputError(N_("This language is not available: choose English or French."))
    launch_session.choose_language(language)
    back = request.form.get("next", "")
    # Only a path on this site: an absolute or scheme-relative URL would be an open redirect.
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = launch_session.link("player.overview")
    return redirect(back, code=303)


def init_app(app: Flask) -> None:
    """Flask-Babel with our selector; templates get ``_``, ``ngettext``, ``lang()``,
    ``language_switch()`` and the ``percent``, ``number`` and ``tr`` filters; the domain's sentences
    (``domain/i18n.py``) are translated with the same catalogue."""
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=translated,
        ngettext=translated_plural,
        newstyle=True,
    )
    domain_i18n.install(
        translated,
        translated_plural,
        current_language,
    )
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        lang=current_language,
        language_switch=language_switch,
        public_language_switch=public_language_switch,
        js_text=js_text.js_text,
    )
    app.after_request(_vary)
    app.jinja_env.filters.update(
        percent=domain_i18n.percent, number=domain_i18n.number, tr=translated
    )
