"""Whether a browser broke a word across lines: the check behind "tables keep whole words"."""

from __future__ import annotations

from playwright.sync_api import Locator

# Every run of text between break opportunities (spaces, hyphens, dashes, slashes) in the
# element, measured with a DOM Range: a run on two lines was broken inside.
_BROKEN_WORDS = """el => {
  const broken = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, runs = /[^\\s\\-\\u2010-\\u2014\\/]+/g;
    let m;
    while ((m = runs.exec(node.textContent))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


def broken_words(element: Locator) -> list[str]:
    """The words ``element`` shows broken across two lines or more."""
    return list(element.evaluate(_BROKEN_WORDS))
