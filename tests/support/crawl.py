"""Follow every link a person's pages offer, as they would click them: each must answer
without an error. A link to a refusal page (403, 404) is a dead end the page should not have
offered; a 5xx is a bug. Links carry the launch handle (``lh``), as the pages' own do inside an
LMS iframe; each route is visited once per set of query keys, so a crawl stays short."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import requests

# Links that change something or leave the tool's pages: not followed.
_SKIP = re.compile(r"/logout|/static/|\.(pdf|png|svg|json)$")
_HREF = re.compile(r'href="([^"#]+)')


@dataclass(frozen=True)
class DeadLink:
    status: int
    url: str
    found_on: str


def crawl(start: str, handle: str, *, limit: int = 400) -> tuple[int, list[DeadLink]]:
    """The pages visited from ``start`` (a URL of the tool) and the links that answered 4xx/5xx."""
    origin = urlsplit(start).netloc
    browser = requests.Session()
    todo: list[tuple[str, str]] = [(start, "")]
    seen: set[tuple[str, frozenset[str]]] = set()
    dead: list[DeadLink] = []
    while todo and len(seen) < limit:
        url, found_on = todo.pop(0)
        parts = urlsplit(url)
        route = (parts.path, frozenset(parse_qs(parts.query)))
        if route in seen:
            continue
        seen.add(route)
        response = browser.get(url, timeout=30)
        if response.status_code >= 400:
            dead.append(DeadLink(response.status_code, url, found_on))
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for href in _HREF.findall(response.text):
            link = urlsplit(urljoin(response.url, href.replace("&amp;", "&")))
            if link.netloc != origin or _SKIP.search(link.path):
                continue
            query = parse_qs(link.query)
            if not link.path.startswith("/credentials/"):  # public pages need no launch
                query.setdefault("lh", [handle])
            todo.append(
                (urlunsplit(("http", origin, link.path, urlencode(query, doseq=True), "")), url)
            )
    return len(seen), dead
