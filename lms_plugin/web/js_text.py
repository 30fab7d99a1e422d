"""The sentences the pages' scripts write (static/*.js), in the page's language.

A page hands them to its script as a JSON data block, ``{{ js_text("assignment") }}``:
``<script type="application/json" id="js-text">``, which the browser never runs (the CSP allows
no inline script anyway); the script reads it with ``JSON.parse`` and fills each ``%(name)s``
itself. A plural sentence comes as both forms, ``{"one": ..., "other": ...}``, and the script
picks one with ``Intl.PluralRules`` in the page's language (French says "1 mot", "0 mot").

The calls below are named ``gettext`` and ``ngettext`` so that scripts/i18n extracts them, but
they return the sentences raw, placeholders left for the script.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask_babel import get_translations
from markupsafe import Markup

from lms_plugin.domain import rubric

Texts = dict[str, str | dict[str, str]]


def gettext(message: str) -> str:
    """``message`` translated, its placeholders left as they are."""
    return str(get_translations().ugettext(message))


def ngettext(singular: str, plural: str) -> dict[str, str]:
    """Both forms of a plural sentence, translated, by ``Intl.PluralRules`` category."""
    translations = get_translations()
    return {
        "one": str(translations.ungettext(singular, plural, 1)),
        "other": str(translations.ungettext(singular, plural, 2)),
    }


def assignment() -> Texts:
    """The assignment editor's word counter and autosave (static/player.js)."""
    return {
        "words": ngettext("%(num)d word of %(limit)s", "%(num)d words of %(limit)s"),
        "over": ngettext(
            "%(num)d word of %(limit)s — over the limit",
            "%(num)d words of %(limit)s — over the limit",
        ),
        "saving": gettext("Saving…"),
        "saved": gettext("Draft saved %(when)s"),
        "refused": gettext("Not saved: %(why)s"),
        "refused_unsaid": gettext(
            "Not saved: the tool answered with an error (%(status)s). Your text is still here: "
            "copy it somewhere safe, then reload the page."
        ),
        "offline": ngettext(
            "Not saved (connection problem). Trying again in %(num)d second; your text is "
            "still here.",
            "Not saved (connection problem). Trying again in %(num)d seconds; your text is "
            "still here.",
        ),
        "busy": ngettext(
            "Not saved yet: the tool could not store it just now. Trying again in %(num)d "
            "second; your text is still here.",
            "Not saved yet: the tool could not store it just now. Trying again in %(num)d "
            "seconds; your text is still here.",
        ),
    }


def review() -> Texts:
    """The rubric's running total and pass rule (static/review.js), the domain's own sentences
    (domain/rubric.py) so the script and the server say the same."""
    texts: Texts = {key: gettext(message) for key, message in rubric.RULES.items()}
    texts.update({f"total_{key}": gettext(message) for key, message in rubric.TOTALS.items()})
    texts.update({f"left_{key}": ngettext(*forms) for key, forms in rubric.TOTALS_LEFT.items()})
    return texts


def roster() -> Texts:
    """The roster sync's progress line (static/jobs.js)."""
    return {
        "running": ngettext(
            "Last roster sync: running — %(done)s of %(num)d member.",
            "Last roster sync: running — %(done)s of %(num)d members.",
        )
    }


PAGES: dict[str, Callable[[], Texts]] = {
    "assignment": assignment,
    "review": review,
    "roster": roster,
}


def js_text(page: str) -> Markup:
    """The page's script sentences as a JSON data block (``tojson``'s escaping: no ``</script>``
    can end it early)."""
    data = json.dumps(PAGES[page](), ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/json" id="js-text">{data}</script>')  # noqa: S704
