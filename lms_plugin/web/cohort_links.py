"""Links of the cohort pages that keep the instructor's filters: sort headers, pages, the other
view, the CSV exports, and the drill-down of each cell (thousands on a page: built without a
``url_for`` each)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from lms_plugin.db.base import MAX_ID
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.web.launch_session import link

_USER = MAX_ID  # placeholders in a URL built once, replaced per cell
_SLUG = "module-slug-here"


class Links:
    """URLs for ``query`` on ``endpoint`` (the grid, or the competency view)."""

    def __init__(self, query: GridQuery, endpoint: str = "instructor.cohort") -> None:
        self.query = query
        self.endpoint = endpoint
        base = link("instructor.learner_module_page", user_id=_USER, slug=_SLUG)
        path, mark, rest = base.partition("?")
        # /instructor/cohort/learners/<user>/modules/<slug>[?lh=...]: numbers and slugs,
        # and a launch handle escaped once here.
        self._before_user, after = path.split(str(_USER))
        self._after_user, after_slug = after.split(_SLUG)
        self.cell_end = after_slug + str(escape(mark + rest))

    def url(self, endpoint: str | None = None, **changes: Any) -> str:
        """This query with ``changes`` (back to page 1 unless a page is given)."""
        changes.setdefault("page", 1)
        return link(endpoint or self.endpoint, **self.query.with_(**changes).args())

    def sort(self, key: str) -> str:
        """Sort by ``key``; asked again, the other way round."""
        desc = not self.query.desc if self.query.sort == key else key == "activity"
        return self.url(sort=key, desc=desc)

    def aria_sort(self, key: str) -> str | None:
        if self.query.sort != key:
            return None
        return "descending" if self.query.desc else "ascending"

    def page(self, number: int) -> str:
        return self.url(page=number)

    def export(self, endpoint: str) -> str:
        """A CSV export: every page, so no page or page size."""
        return link(endpoint, **self.query.with_(page=1, per=50).args())

    def cell(self, user_id: int, slug: str) -> Markup:
        """The drill-down of one learner in one module, escaped for HTML already."""
        return Markup(self.learner_cells(user_id) + slug + self.cell_end)  # noqa: S704

    def learner_cells(self, user_id: int) -> str:
        """The start of the links of one learner's cells: add the slug, then ``cell_end``."""
        return f"{self._before_user}{user_id}{self._after_user}"

    def hidden(self) -> dict[str, str]:
        """The query's sort, kept by the filter form as hidden fields."""
        args = self.query.args()
        return {k: v for k, v in args.items() if k in ("sort", "desc")}
