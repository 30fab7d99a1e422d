"""axe-core accessibility checks on a page or frame in the test browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Frame, Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page | Frame) -> list[dict[str, object]]:
    """Serious and critical violations (the browser context must bypass our CSP to inject)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
