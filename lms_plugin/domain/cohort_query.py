"""What an instructor asked the cohort dashboard for: filters, sort and page, read from a
query string (the grid, its CSV export and the competency view take the same ones)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from lms_plugin.domain.cohort import BY_CODE
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.i18n import N_, _, number

PAGE_SIZES = (25, 50, 100, 250, 500)
ACTIVITY = {  # labels in English; the page translates them (``|tr``)
    "week": N_("Active in the last 7 days"),
    "idle14": N_("No activity for 14 days or more"),
    "idle30": N_("No activity for 30 days or more"),
    "never": N_("Never launched"),
}
SORTS = {"name": N_("Learner"), "activity": N_("Last activity"), "passed": N_("Modules passed")}
MAX_SEARCH = 100
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class GridQuery:
    """Filters (status in a shown module, level, one module, last activity, at risk, a name),
    the sort (a column: name, activity, passed, or a module's slug) and the page."""

    status: str | None = None
    level: int | None = None
    module: str | None = None
    activity: str | None = None
    risk: bool = False
    q: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per: int = 50

    def with_(self, **changes: object) -> GridQuery:
        return replace(self, **changes)  # type: ignore[arg-type]

    def args(self) -> dict[str, str]:
        """The query string of this query (defaults left out), for links that keep it."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            out[f.name] = ("1" if value else "") if isinstance(value, bool) else str(value)
        return out

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the learners (not the columns)."""
        return bool(self.status or self.activity or self.risk or self.q)


def parse_query(args: Mapping[str, str], module_levels: Mapping[str, int]) -> GridQuery:
    """A GridQuery from request arguments; anything not understood is refused in words (400).
    ``module_levels``: each module slug and its program's level. A module implies its level."""
    status = _choice(args, "status", BY_CODE, N_("“%(value)s” is not a status."))
    module = _choice(
        args, "module", module_levels, N_("“%(value)s” is not a module of this certificate.")
    )
    level = _number(args, "level", 1, 99)
    if level is not None and level not in set(module_levels.values()):
        raise InvalidInputError(_("There is no Level %(level)s in this certificate.", level=level))
    if module is not None:
        level = module_levels[module]
    sort = args.get("sort") or "name"
    if sort not in SORTS and sort not in module_levels:
        raise InvalidInputError(
            _("Sort by the learner, last activity, modules passed or a module.")
        )
    q = (args.get("q") or "").strip()
    if len(q) > MAX_SEARCH:
        raise InvalidInputError(
            _("Search for at most %(max)s characters of a name.", max=MAX_SEARCH)
        )
    per = _number(args, "per", 1, max(PAGE_SIZES)) or 50
    if per not in PAGE_SIZES:
        raise InvalidInputError(
            _("Show %(sizes)s learners a page.", sizes=", ".join(map(str, PAGE_SIZES)))
        )
    return GridQuery(
        status=status,
        level=level,
        module=module,
        activity=_choice(
            args, "activity", ACTIVITY, N_("“%(value)s” is not a last-activity filter.")
        ),
        risk=_flag(args, "risk"),
        q=q,
        sort=sort,
        desc=_flag(args, "desc"),
        page=_number(args, "page", 1, MAX_PAGE) or 1,
        per=per,
    )


def _choice(
    args: Mapping[str, str], name: str, allowed: Mapping[str, object], refusal: str
) -> str | None:
    """``args[name]`` if it is one of ``allowed``; else ``refusal`` (a marked sentence) says so."""
    value = args.get(name) or None
    if value is not None and value not in allowed:
        raise InvalidInputError(_(refusal, value=value[:60]))
    return value


def _number(args: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = args.get(name) or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        raise InvalidInputError(
            _(
                "In the address, “%(name)s” must be a whole number from %(low)s to %(high)s.",
                name=name,
                low=number(low),
                high=number(high),
            )
        )
    return int(raw)


def _flag(args: Mapping[str, str], name: str) -> bool:
    raw = args.get(name) or ""
    if raw not in ("", "0", "1", "on"):
        raise InvalidInputError(_("In the address, “%(name)s” is 1 or left out.", name=name))
    return raw in ("1", "on")
