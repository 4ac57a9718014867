"""Comment rendering: markdown to sanitized HTML, plain text escaped, XSS vectors defused."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.comments.render import ALLOWED_TAGS, render, sanitize

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](http://e/" onerror="alert(1))',
    '[x](http://e "t" onmouseover="alert(1)")',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "`<script>` and ```\n<script>alert(1)</script>\n```",
]


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the output."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _elements(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.found


@pytest.mark.parametrize("source", XSS)
def test_no_vector_survives_markdown(source: str) -> None:
    out = render(source, "markdown")
    for tag, attrs in _elements(out):
        assert tag in ALLOWED_TAGS, (tag, out)
        for name, value in attrs:
            assert name in {"href", "title", "rel", "start", "align"}, (name, out)
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto"}, out


def test_markdown_formatting_is_kept() -> None:
    source = "# Title\n\n**bold** _it_ ~~old~~ `code`\n\n- a\n- b\n\n> quote\n\n[site](https://example.com)"
    assert render(source, "markdown") == (
        "<h1>Title</h1>\n<p><strong>bold</strong> <em>it</em> <s>old</s> <code>code</code></p>\n"
        "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<blockquote>\n<p>quote</p>\n</blockquote>\n"
        '<p><a href="https://example.com" rel="noopener noreferrer nofollow">site</a></p>\n'
    )


def test_raw_html_in_markdown_is_shown_as_text() -> None:
    assert render("hi <b>there</b>", "markdown") == "<p>hi &lt;b&gt;there&lt;/b&gt;</p>\n"


def test_images_become_links() -> None:
    assert render("![chart](https://example.com/c.png)", "markdown") == (
        '<p><a href="https://example.com/c.png" rel="noopener noreferrer nofollow">chart</a></p>\n'
    )


def test_plain_text_is_escaped_and_keeps_line_breaks() -> None:
    assert render('a <script>"x"</script>\nb\n\n\nc', "plain") == (
        "<p>a &lt;script&gt;&quot;x&quot;&lt;/script&gt;<br>b</p><p>c</p>"
    )
    assert render("**not markdown**", "plain") == "<p>**not markdown**</p>"


def test_sanitizer_alone_strips_dangerous_html() -> None:
    # The second line of defence, independent of the markdown renderer's own link checks.
    dirty = (
        '<p onclick="x()">ok <a href="javascript:alert(1)">a</a> <a href="mailto:me@x.org">m</a>'
        "<script>alert(1)</script><img src=x></p>"
    )
    assert sanitize(dirty) == (
        '<p>ok <a rel="noopener noreferrer nofollow">a</a> '
        '<a href="mailto:me@x.org" rel="noopener noreferrer nofollow">m</a></p>'
    )
