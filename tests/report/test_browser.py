"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

The page must render the summary and every claim section, log no console error, fetch nothing (every request
that is not a ``file:`` URL is blocked and counted as a failure), and draw its MathML and plots with a size.
Skips only when ``/usr/bin/chromium`` is absent; ``.ci/run`` installs it (``apt-get install -y chromium``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: a laptop screen
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class _Visit:
    """A page opened offline, with what went wrong while it loaded."""

    def __init__(self, browser: Any, index: Path) -> None:
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.page = browser.new_page(viewport=VIEWPORT)
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.route("**/*", self._route)
        self.page.goto(index.resolve().as_uri(), wait_until="load")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.failed.append(url)
            route.abort()

    def sizes(self, selector: str) -> list[list[float]]:
        return list(
            self.page.evaluate(
                "(s) => Array.from(document.querySelectorAll(s)).map(e => {"
                " const r = e.getBoundingClientRect(); return [r.width, r.height]; })",
                selector,
            )
        )


def _check_page(browser: Any, folder: Path) -> _Visit:
    document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    visit = _Visit(browser, folder / "index.html")
    page = visit.page
    assert page.locator("#summary").is_visible()
    assert page.locator("#summary table.counts tbody tr").count() == len(
        {str(r["readings"][0]["verdict"]) for r in document["claims"]}
        | {str(r["verdict"]) for c in document["claims"] for r in c["readings"]}
    )
    sections = page.evaluate(
        "() => Array.from(document.querySelectorAll('section.claim')).map(s => {"
        " const r = s.getBoundingClientRect(); const h = s.querySelector('h4');"
        " return [s.id, r.width, r.height, h ? h.innerText : '', s.checkVisibility()]; })"
    )
    assert [s[0] for s in sections] == [c["id"] for c in document["claims"]]
    for claim_id, width, height, heading, visible in sections:
        # rendered (laid out, not hidden) at a readable width on a laptop screen
        assert visible and width > 600 and height > 50 and heading.startswith(claim_id), (claim_id, width, height)
    # a table-of-contents link lands on its claim
    last = document["claims"][-1]["id"]
    page.locator(f'nav.toc a[href="#{last}"]').click()
    assert page.evaluate("() => location.hash") == f"#{last}"
    assert page.locator(f'section.claim[id="{last}"]').is_visible()
    # plots are drawn inline, with a size; a plot shown twice is drawn again by <use>, which must find its target
    figures = visit.sizes("figure svg")
    assert all(w > 100 and h > 50 for w, h in figures), figures
    copies = page.evaluate(
        "() => Array.from(document.querySelectorAll('figure svg > use')).map(u => u.getBBox().width)"
    )
    assert all(w > 100 for w in copies), copies
    assert not visit.console_errors, visit.console_errors
    assert not visit.failed, visit.failed
    return visit


def test_sample_report_renders_offline(browser: Any, sample_report: Path) -> None:
    visit = _check_page(browser, sample_report)
    page = visit.page
    document = json.loads((sample_report / "results.json").read_text(encoding="utf-8"))
    shown = [o for c in document["claims"] for r in c["readings"] for o in r["observations"] if o["series"]]
    assert page.locator("figure svg").count() == len(shown) + 1  # every observation with series, and the graph
    assert page.locator("figure svg > use").count() == 1  # HC-11's C(T), shown for both readings
    # MathML renders natively: Chromium lays <math> out as math (MathML Core), each with a non-zero size
    maths = visit.sizes("math")
    assert len(maths) >= 4 and all(w > 5 and h > 5 for w, h in maths), maths
    display = page.evaluate("() => getComputedStyle(document.querySelector('math')).display")
    assert "math" in display, display
    # the hostile text of TL-22 is shown as text, not run
    assert "<script>alert('x')</script>" in page.locator('section.claim[id="TL-22"] blockquote').inner_text()
    page.close()


def test_report_of_the_builtin_documents_renders(browser: Any, builtin_report: Path) -> None:
    visit = _check_page(browser, builtin_report)
    visit.page.close()
