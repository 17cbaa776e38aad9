"""Open311 GeoReport v2 in XML: the same documents as the JSON answers, as the spec's
examples write them (`<services><service>…`, `<service_requests><request>…`,
`<errors><error>…`). A list inside an element repeats one child per item, named by
`ITEM_TAGS` (`<attributes><attribute>…`); None is an empty element, booleans are
`true`/`false`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import Response

MEDIA_TYPE = "text/xml"
# Characters XML 1.0 cannot carry at all (not even escaped): dropped.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "transfers": "transfer",
    "deadlines": "deadline",
}


def _fill(parent: Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(SubElement(parent, str(key)), child)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS.get(parent.tag, "item")
        for child in value:
            _fill(SubElement(parent, tag), child)
    elif value is None:
        return
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    else:
        parent.text = NOT_XML.sub("", str(value))


def document(root: str, value: Mapping[str, Any] | Iterable[Any]) -> bytes:
    """`value` (an object, or a list of items named after `root`) under `<root>`."""
    element = Element(root)
    _fill(element, value if isinstance(value, Mapping) else list(value))
    body: bytes = tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def response(root: str, value: Mapping[str, Any] | Iterable[Any], *, status: int = 200) -> Response:
    return Response(document(root, value), status_code=status, media_type=MEDIA_TYPE)
