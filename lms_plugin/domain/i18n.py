"""Sentences and numbers for people, in the reader's language, with the domain knowing no framework.

The domain writes what people read in English, through ``_`` and ``ngettext`` (scripts/i18n
extracts them); ``N_`` only marks a constant (a state's label) that the page translates when it
shows it, ``Nn_`` a plural one (both forms). The web layer installs Flask-Babel's translations
and the page's locale at start (``web/i18n.py``), so during a request the sentences come back in
the page's language. Elsewhere (the worker, the CLI, the domain's unit tests) they stay English,
and so does what the tool sends to the LMS (gradebook comments use
``completion.format_percent``, not :func:`percent`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_decimal, format_percent, parse_pattern

_gettext: Callable[[str], str] = lambda message: message  # noqa: E731
_ngettext: Callable[[str, str, int], str] = lambda one, many, n: one if n == 1 else many  # noqa: E731
_locale: Callable[[], str] = lambda: "en"  # noqa: E731


def install(
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    locale: Callable[[], str],
) -> None:
    """Use these translations and this locale from now on (called once by the web app)."""
    global _gettext, _ngettext, _locale
    _gettext, _ngettext, _locale = gettext, ngettext, locale


def _(message: str, **values: object) -> str:
    """``message`` in the reader's language, its ``%(name)s`` filled from ``values``."""
    text = _gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural sentence for ``n`` (``%(num)d`` is ``n``), translated."""
    return _ngettext(singular, plural, n) % {"num": n, **values}


def quoted(names: Iterable[str]) -> str:
    """Names in a sentence, each in the quotes of the reader's language (“…”, « … »),
    separated by commas."""
    return ", ".join(_("“%(title)s”", title=name) for name in names)


def N_(message: str) -> str:
    """Marks a constant for translation without translating it (the page does, when shown)."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural sentence (both forms) without translating it; :func:`ngettext` does."""
    return singular, plural


def decimal(value: float, pattern: str) -> str:
    """A number by a CLDR ``pattern`` in the reader's language ("0.0#": 3 -> "3.0", "3,0")."""
    return format_decimal(Decimal(str(value)), format=pattern, locale=_locale())


def percent(value: float, digits: int | None = None) -> str:
    """A percent (0..100) as the reader writes it: "62.5%" in English, "62,5 %" in French; up to
    two decimals (rounded), or exactly ``digits`` ("90.0%"), cut rather than rounded: with
    ``digits=0``, 79.6 is "79%", so that a figure never reads as more than it is, as a pass mark
    reached or as every learner (199 of 200 is "99%", not "100%")."""
    return _percent(float(value), digits, _locale())


def whole_percent(value: float) -> int:
    """A percent cut to a whole number, never up (79.6 -> 79)."""
    return int(_cut(value, 0))


def _cut(value: float, digits: int) -> Decimal:
    """``value`` cut to ``digits`` decimals, never up; a float just under a figure by arithmetic
    alone (79.99999999999999) is that figure."""
    return Decimal(str(round(value, 6))).quantize(Decimal(10) ** -digits, rounding=ROUND_FLOOR)


@lru_cache(maxsize=4096)  # a cohort page shows thousands of percents, mostly whole numbers
def _percent(value: float, digits: int | None, language: str) -> str:
    if digits is None:
        exact = Decimal(str(round(value, 2))).normalize() / 100  # no binary float tail ("66.67")
        return format_percent(exact, locale=language, decimal_quantization=False)
    locale = Locale.parse(language)
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return str(pattern.apply(_cut(value, digits) / 100, locale))


def number(value: float, digits: int | None = None) -> str:
    """A number as the reader writes it: up to two decimals ("2.5", "2,5"), or exactly
    ``digits`` of them, rounded ("0.50", for a column of figures that line up)."""
    if digits is not None:
        exact = Decimal(str(value)).quantize(Decimal(10) ** -digits)
        pattern = "0." + "0" * digits if digits else "0"
        return format_decimal(exact, format=pattern, locale=_locale())
    exact = Decimal(str(round(value, 2))).normalize()
    return format_decimal(exact, locale=_locale(), decimal_quantization=False)


def utc_moment(
    moment: datetime, style: str = "datetime", locale: Locale | str | None = None
) -> str:
    """A moment in UTC as the reader writes it, in the styles static/frame.js writes a ``<time>``
    in (``date``: long; ``datetime``: medium date, short time; ``time``: short), the times
    marked UTC: "Dec 5, 2026, 8:30 PM UTC", "5 déc. 2026, 20:30 UTC". ``locale``: the reader's
    (web/i18n.py gives the page's language in the reader's region), else the page's language."""
    where = locale or _locale()
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if style == "date":
        return format_date(moment, "long", locale=where)
    time = format_time(moment, "short", tzinfo=UTC, locale=where) + " UTC"
    if style == "time":
        return time
    day = format_date(moment, "medium", locale=where)
    return str(get_datetime_format("medium", locale=where)).format(time, day)  # "{1}, {0}"
