"""Checks of a page on a phone (390 px wide), shared by the browser tests of the public
statistics and of the console's reports (issue 14): the page does not scroll sideways, an
element stays on screen, each chart's texts are readable, inside their chart and apart from
one another, and tables stay tables for screen readers."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
WIDTH = PHONE["width"]
SMALLEST_READABLE_PX = 12  # the charts are drawn at 13 px; scaled down, they must stay above

# A chart's title and box on the screen, and every text in it: its box and its font size as
# drawn (CSS pixels), the chart's scale included.
CHART_TEXTS = """
const svg = arguments[0];
const scale = svg.getScreenCTM().a;
const box = svg.getBoundingClientRect();
return {title: svg.querySelector("title").textContent,
        box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
        texts: [...svg.querySelectorAll("text")].map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          px: parseFloat(getComputedStyle(t).fontSize) * scale};
})};
"""


def on_phone(browser: WebDriver) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)


def fits(browser: WebDriver, page: str) -> None:
    """The page is as wide as the phone's screen and does not scroll sideways."""
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.body.scrollWidth,"
        " window.innerWidth]"
    )
    assert widths[2] == WIDTH, widths
    assert max(widths[0], widths[1]) <= WIDTH, f"{page} scrolls sideways: {widths}"


def on_screen(box: dict[str, Any], what: str) -> None:
    """An element's `rect` lies within the screen's width."""
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (what, box)


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


def readable_charts(browser: WebDriver) -> dict[str, list[str]]:
    """Each chart's title and its texts, once each is checked: on screen, readable, inside
    the chart and apart from the others."""
    labels: dict[str, list[str]] = {}
    for svg in browser.find_elements(By.CSS_SELECTOR, "svg[role=img]"):
        chart = browser.execute_script(CHART_TEXTS, svg)
        box, texts = chart["box"], chart["texts"]
        assert box["left"] >= 0 and box["right"] <= WIDTH, chart
        for t in texts:
            assert t["px"] >= SMALLEST_READABLE_PX, f"too small to read: {t}"
            inside = (
                box["left"] - 0.5 <= t["left"]
                and t["right"] <= box["right"] + 0.5
                and box["top"] - 0.5 <= t["top"]
                and t["bottom"] <= box["bottom"] + 0.5
            )
            assert inside, f"cut off by the edge of {chart['title']}: {t} (chart {box})"
        for n, a in enumerate(texts):
            for b in texts[n + 1 :]:
                assert not overlap(a, b), f"labels overlap: {a} / {b}"
        labels[chart["title"]] = [t["text"] for t in texts]
    return labels


def table_roles(browser: WebDriver) -> dict[str, int]:
    """The roles a screen reader is given for the tables (Chromium's accessibility tree): a
    phone layout must not turn them into loose text."""
    browser.execute_cdp_cmd("Accessibility.enable", {})
    nodes = browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    wanted = ("table", "columnheader", "rowheader", "cell")
    roles = [str(n.get("role", {}).get("value")) for n in nodes if not n.get("ignored")]
    return {role: roles.count(role) for role in wanted}
