"""The embedded system's home page answers in a real browser and leads to the form."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.conftest import LiveSystem, navigate


def test_home_page_links_to_the_form(live_system: LiveSystem, browser) -> None:  # type: ignore[no-untyped-def]
    browser.get(live_system.url + "/")
    assert "Phản ánh, kiến nghị" in browser.title
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Phản ánh, kiến nghị")
    navigate(browser, browser.find_element(By.LINK_TEXT, "Gửi phản ánh, kiến nghị"))
    assert browser.find_element(By.ID, "content").tag_name == "textarea"
