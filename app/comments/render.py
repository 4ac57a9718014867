"""Comment bodies to safe HTML.

Markdown goes through markdown-it (CommonMark, raw HTML disabled: any `<tag>` the author types
is shown as text) and then through nh3 (the Ammonia sanitizer) with a small allowlist, as a
second, independent line: only formatting tags survive, links keep only http/https/mailto
targets and get `rel="noopener noreferrer nofollow"`. Images become links to the image (a
remote image shown inline is a tracking pixel in every reader's browser). Plain text is
escaped and keeps its line breaks.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

PLAIN = "plain"
MARKDOWN = "markdown"
FORMATS = (PLAIN, MARKDOWN)

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_markdown.enable("strikethrough")


def _image_as_link(
    _renderer: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any
) -> str:
    token = tokens[idx]
    src = html.escape(str(token.attrGet("src") or ""), quote=True)
    alt = html.escape(token.content or src)
    return f'<a href="{src}">{alt}</a>'


_markdown.add_render_rule("image", _image_as_link)


def sanitize(fragment: str) -> str:
    """Keep only allowlisted tags, attributes and link schemes of an HTML fragment."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(body: str, format: str) -> str:
    """The HTML shown for a comment body in `format` (plain or markdown)."""
    if format == MARKDOWN:
        return sanitize(_markdown.render(body))
    paragraphs = [p for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + html.escape(p.strip("\n"), quote=True).replace("\n", "<br>") + "</p>"
        for p in paragraphs
    )
