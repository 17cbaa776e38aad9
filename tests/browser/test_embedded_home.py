"""The embedded system's page answers in a real browser and shows the system at work."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.conftest import LiveSystem, navigate


def test_home_page_lists_the_topics_and_links_to_the_form(live_system: LiveSystem, browser) -> None:  # type: ignore[no-untyped-def]
    browser.get(live_system.url + "/")
    assert "PAKN" in browser.title
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hệ thống PAKN")
    navigate(browser, browser.find_element(By.LINK_TEXT, "Gửi một phản ánh, kiến nghị"))
    assert browser.find_element(By.ID, "content").tag_name == "textarea"
