"""Parsing untrusted XML: no DTDs, no entities, no external references, bounded nesting.

defusedxml refuses the entity tricks (billion laughs, quadratic blowup, external entities);
the depth bound refuses a file of a million nested elements before it is ever walked. Every
refusal is a `MalformedFile` naming the line and column where the parser stood.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import iterparse

from app.interchange.errors import MalformedFile

_REFUSED: dict[type[DefusedXmlException], str] = {
    DTDForbidden: "a document type declaration (DTD) is not allowed in an uploaded file",
    EntitiesForbidden: "entity declarations are not allowed in an uploaded file",
    ExternalReferenceForbidden: "external references are not allowed in an uploaded file",
}
MAX_DEPTH = 64  # MSPDI nests about 6 deep; 64 leaves room for any honest writer


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_document(data: bytes, *, max_depth: int = MAX_DEPTH) -> ET.Element:
    """The root element of `data`, or `MalformedFile` saying what is wrong and where."""
    if not data.strip():
        raise MalformedFile("the file is empty")
    depth = 0
    root: ET.Element | None = None
    events = iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True)
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                root = element if root is None else root
                if depth > max_depth:
                    raise MalformedFile(
                        f"elements nest deeper than {max_depth} levels",
                        element=_local(element.tag),
                    )
            else:
                depth -= 1
    except ET.ParseError as exc:
        line, offset = exc.position
        column = offset + 1  # expat counts columns from 0
        reason = str(exc).split(":")[0]
        raise MalformedFile(f"not well-formed XML: {reason}", line=line, column=column) from None
    except DefusedXmlException as exc:
        raise MalformedFile(_REFUSED.get(type(exc), f"refused XML construct: {exc}")) from None
    if root is None:
        raise MalformedFile("the file has no root element")
    return root
