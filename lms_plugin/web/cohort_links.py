"""Links of the cohort pages that keep the instructor's filters: sort headers, pages, the other
view, the CSV exports, and the drill-down of each cell (thousands on a page: built without a
``url_for`` each)."""

from __future__ import annotations

from typing import Any

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
        self._cell_path = path.replace(str(_USER), "{user}").replace(_SLUG, "{slug}")
        self._cell_rest = mark + rest

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

    def cell(self, user_id: int, slug: str) -> str:
        """The drill-down of one learner in one module."""
        return self._cell_path.format(user=user_id, slug=slug) + self._cell_rest

    def hidden(self) -> dict[str, str]:
        """The query's sort, kept by the filter form as hidden fields."""
        args = self.query.args()
        return {k: v for k, v in args.items() if k in ("sort", "desc")}
