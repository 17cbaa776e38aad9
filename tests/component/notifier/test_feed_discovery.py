"""Feed discovery: the HTML list pages link their Atom and JSON Feed in `<head>` with
`<link rel="alternate">` and the feeds' own media types, and no page advertises the JSON
API `/api/answers.json` as a feed."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.unit.notifier.builders import client, migrated_notifier


class HeadLinks(HTMLParser):
    """The `<link rel="alternate">` elements inside `<head>`: (type, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_head = False
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "link" and self.in_head and values.get("rel") == "alternate":
            self.links.append((values.get("type", ""), values.get("href", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def alternates(html: str) -> list[tuple[str, str]]:
    parser = HeadLinks()
    parser.feed(html)
    return parser.links


async def test_the_list_pages_link_their_feeds_and_not_the_json_api(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    async with client(service) as http:
        answers = (await http.get("/tra-loi")).text
        filtered = (await http.get("/tra-loi", params={"co_quan": "STP", "q": "hộ tịch"})).text
        stats = (await http.get("/thong-ke")).text
        lookup = (await http.get("/tra-cuu")).text
    for page in (answers, stats):
        assert ("application/atom+xml", "/tra-loi/atom.xml") in alternates(page)
        assert ("application/feed+json", "/tra-loi/feed.json") in alternates(page)
    types = {kind: href for kind, href in alternates(filtered)}
    assert (
        types["application/atom+xml"].startswith("/tra-loi/atom.xml?")
        and "co_quan=STP" in (types["application/atom+xml"])
    )
    assert "co_quan=STP" in types["application/feed+json"]
    for page in (answers, filtered, stats, lookup):
        assert "/api/answers.json" not in page
        assert not [link for link in alternates(page) if link[0] == "application/json"]
