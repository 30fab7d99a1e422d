"""The domain's sentences in French outside a request: the catalogue the web app installs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel.support import Translations

from lms_plugin.domain import i18n
from lms_plugin.web.i18n import TRANSLATIONS


@contextmanager
def in_french() -> Iterator[None]:
    """The domain speaks French inside the block, then as before it (a web app installs its own
    translations process-wide: they are put back)."""
    before = (i18n._gettext, i18n._ngettext, i18n._locale)
    french = Translations.load(str(TRANSLATIONS), ["fr"])
    i18n.install(french.gettext, french.ngettext, lambda: "fr")
    try:
        yield
    finally:
        i18n.install(*before)
