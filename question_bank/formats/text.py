"""Text of the bank formats: Moodle's HTML, Markdown and TeX ↔ the native plain text with ``$…$``.

Import (:func:`convert_text`, used by Moodle XML and GIFT): HTML becomes plain text (tags dropped,
``<script>``/``<style>`` and media with their content, paragraphs and ``<br>`` kept as line
breaks), TeX ``\\(…\\)``/``\\[…\\]`` becomes ``$…$``/``$$…$$``, images (``@@PLUGINFILE@@``) are
dropped and reported, and ``{{`` is split to ``{ {`` so that imported text never contains a
placeholder by accident. Every scan is linear: the texts come from uploaded files.

Export (:func:`native_to_html`, used by Moodle XML and Anki): escaped HTML with ``$…$``/``$$…$$``
turned into ``\\(…\\)``/``\\[…\\]`` for MathJax, found with the pages' own delimiter pattern.
"""

from __future__ import annotations

import html
import re
from pathlib import PurePath

from django.utils.translation import gettext as _

from quizapp.core.mathml import MATH_DELIMITERS

__all__ = ["html_to_text", "markdown_to_text", "tex_to_native", "convert_text", "native_to_html"]

_BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote",
    "pre", "section", "article", "header", "footer", "figure", "figcaption", "hr", "dl", "dt",
    "dd", "address", "center", "main", "nav", "aside", "details", "summary", "caption",
}  # fmt: skip
# Elements dropped together with their content (all of them have end tags).
_SKIP_TAGS = {
    "script", "style", "template", "iframe", "object", "noscript", "svg", "math", "head",
    "title", "select", "textarea", "button", "audio", "video", "canvas", "applet", "frameset",
}  # fmt: skip
_MEDIA_TAGS = {"iframe", "object", "svg", "math", "audio", "video", "canvas", "applet", "embed"}


_TAG_NAME = re.compile(r"/?([A-Za-z][A-Za-z0-9:-]{0,40})")
_ATTRIBUTE = re.compile(
    r"""([A-Za-z_:][-\w:.]{0,40})\s*=\s*("[^"]{0,2000}"|'[^']{0,2000}'|[^\s>]{1,2000})"""
)
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp"}  # content is not markup


class _HtmlText:
    """HTML → text in one linear pass.

    Python's ``html.parser`` is quadratic on some hostile inputs (``"<a" * 100000`` takes
    minutes), so tags are found with plain ``str.find``: every scan starts where the previous one
    ended. A tag ends at the first ``>``; ``<`` not followed by a letter, ``/``, ``!`` or ``?``
    is text, as in browsers.
    """

    def __init__(self, keep_newlines: bool):
        self.keep_newlines = keep_newlines
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0
        self.dropped: list[str] = []
        self.scripts: list[tuple[str, int]] = []  # open <sup>/<sub> and where they start

    def feed(self, source: str):
        position, scan, size = 0, 0, len(source)  # text runs from position; look for "<" at scan
        while position < size:
            scan = max(scan, position)
            lt = source.find("<", scan)
            if lt < 0:
                self.handle_data(html.unescape(source[position:]))
                break
            nxt = source[lt + 1 : lt + 2]
            if not (nxt and nxt.isascii() and (nxt.isalpha() or nxt in "/!?")):
                scan = lt + 1  # a literal "<": part of the text run
                continue
            if lt > position:
                self.handle_data(html.unescape(source[position:lt]))
            if source.startswith("<!--", lt):
                close = source.find("-->", lt + 4)
                position = size if close < 0 else close + 3
                continue
            if source.startswith("<![CDATA[", lt):
                close = source.find("]]>", lt + 9)
                self.handle_data(source[lt + 9 : size if close < 0 else close])
                position = size if close < 0 else close + 3
                continue
            gt = source.find(">", lt + 1)
            if gt < 0:
                break  # an unclosed tag: browsers drop the rest as well
            inner = source[lt + 1 : gt]
            position = gt + 1
            if nxt in "!?":
                continue  # <!DOCTYPE …>, <?xml …?>
            match = _TAG_NAME.match(inner)
            if match is None:
                continue
            tag = match.group(1).lower()
            if inner.startswith("/"):
                self.handle_endtag(tag)
                continue
            attributes = {}
            if tag in ("img", "embed"):
                for name, value in _ATTRIBUTE.findall(inner[:4000]):
                    attributes[name.lower()] = html.unescape(value.strip("\"'"))
            self.handle_starttag(tag, attributes)
            if inner.endswith("/"):
                self.handle_endtag(tag)
            elif tag in _RAW_TEXT:
                close = re.compile(rf"</{tag}\s*>", re.I).search(source, position)
                position = size if close is None else close.end()
                self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attributes: dict):
        if tag in _SKIP_TAGS or tag in _RAW_TEXT:
            if tag in _MEDIA_TAGS and not self.skip:
                self.dropped.append(f"<{tag}>")
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("img", "embed"):
            src = attributes.get("src") or ""
            alt = attributes.get("alt") or ""
            self.dropped.append(
                _("рисунок «%(value)s»") % {"value": alt or PurePath(src).name or src or tag}
            )
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in ("sup", "sub"):
            self.scripts.append((tag, len(self.parts)))

    def handle_endtag(self, tag: str):
        if tag in _SKIP_TAGS or tag in _RAW_TEXT:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag in ("sup", "sub") and self.scripts and self.scripts[-1][0] == tag:
            _tag, start = self.scripts.pop()
            inner = "".join(self.parts[start:]).strip()
            del self.parts[start:]
            mark = "^" if tag == "sup" else "_"
            self.parts.append(mark + (inner if len(inner) <= 1 else f"({inner})"))

    def handle_data(self, data: str):
        if self.skip:
            return
        if not self.pre:
            if self.keep_newlines:
                data = re.sub(r"[^\S\n]+", " ", data)
            else:
                data = re.sub(r"\s+", " ", data)
        self.parts.append(data)

    def text(self) -> str:
        return _tidy("".join(self.parts))


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(source: str, *, keep_newlines: bool = False) -> tuple[str, list[str]]:
    """HTML → (plain text, descriptions of dropped images and media).

    Tags are dropped (``<script>``, ``<style>`` and media together with their content, so no
    script or event attribute can survive); paragraphs become blank lines, ``<br>`` a line break,
    list items ``- item``, ``x<sup>2</sup>`` ``x^2``. Entities are decoded.

    >>> html_to_text("<p>Сеть <b>ReLU</b></p><script>alert(1)</script><p>x<sup>2</sup></p>")
    ('Сеть ReLU\\n\\nx^2', [])
    """
    parser = _HtmlText(keep_newlines)
    parser.feed(source or "")
    return parser.text(), parser.dropped


def markdown_to_text(source: str) -> tuple[str, list[str]]:
    """Light Markdown → plain text: emphasis marks, headings and links are unwrapped."""
    dropped = [
        _("рисунок «%(value)s»") % {"value": m.group(1) or m.group(2)}
        for m in _MD_IMAGE.finditer(source or "")
    ]
    text = _MD_IMAGE.sub("", source or "")
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_STRONG.sub(lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"^[ \t]{0,3}#{1,6}[ \t]*", "", text, flags=re.M)
    text = re.sub(r"^[ \t]*[*+][ \t]+", "- ", text, flags=re.M)
    return _tidy(text), dropped


# Bounded repetitions keep every pattern linear on hostile input (no long rescans per opener).
# The classes exclude their own delimiters, so a scan from an opener stops at the next one.
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]{0,300})\]\(([^()\n]{0,1000})\)")
_MD_LINK = re.compile(r"\[([^\[\]\n]{0,300})\]\([^()\n]{0,1000}\)")
_MD_STRONG = re.compile(r"\*\*([^*\n]{1,1000})\*\*|__([^_\n]{1,1000})__")


def _replace_delimited(text: str, opener: str, closer: str, left: str, right: str) -> str:
    """Replace every ``opener…closer`` (not preceded by a backslash) in one linear pass."""
    out, position = [], 0
    while True:
        start = _find_unescaped(text, opener, position)
        if start < 0:
            break
        end = _find_unescaped(text, closer, start + len(opener))
        if end < 0:
            break  # no closer after this opener, so none after a later one either
        out.append(text[position:start])
        out.append(left + text[start + len(opener) : end].strip() + right)
        position = end + len(closer)
    out.append(text[position:])
    return "".join(out)


def _find_unescaped(text: str, needle: str, position: int) -> int:
    """``text.find(needle)``, skipping ``\\[`` (a TeX line break) when ``needle`` is ``\\[``."""
    while True:
        found = text.find(needle, position)
        if found <= 0 or not needle.startswith("\\") or text[found - 1] != "\\":
            return found
        position = found + 1


def tex_to_native(text: str) -> str:
    r"""Moodle's TeX delimiters → ours: ``\(x\)`` → ``$x$``, ``\[x\]`` → ``$$x$$``.

    >>> tex_to_native(r"Пусть \(f(t)\) и \[\sum_i x_i\]")
    'Пусть $f(t)$ и $$\\sum_i x_i$$'
    """
    text = _replace_delimited(text, "\\[", "\\]", "$$", "$$")
    text = _replace_delimited(text, "\\(", "\\)", "$", "$")
    return _replace_delimited(text, "[tex]", "[/tex]", "$", "$")


def _no_placeholders(text: str) -> str:
    """Split ``{{``/``}}`` so that imported text never opens a placeholder (TeX does not care)."""
    while "{{" in text or "}}" in text:
        text = text.replace("{{", "{ {").replace("}}", "} }")
    return text


def _has_markup(text: str) -> bool:
    return bool(re.search(r"<[A-Za-z/!]|&[#A-Za-z0-9]+;", text))


def convert_text(source: str, fmt: str = "html") -> tuple[str, list[str]]:
    """A Moodle text in format ``fmt`` → (native text, descriptions of dropped media).

    Formats: ``html``; ``moodle_auto_format`` (text whose line breaks count, HTML allowed);
    ``plain_text``; ``markdown``. TeX is converted, images are dropped, ``{{`` is split.
    """
    source = source or ""
    fmt = (fmt or "html").lower()
    if fmt in ("plain_text", "plain", "2"):
        text, dropped = _tidy(source), []
    elif fmt in ("markdown", "4"):
        text, dropped = markdown_to_text(source)
    elif fmt in ("moodle_auto_format", "moodle", "0"):
        text, dropped = (
            html_to_text(source, keep_newlines=True) if _has_markup(source) else (_tidy(source), [])
        )
    else:
        text, dropped = html_to_text(source)
    if "@@PLUGINFILE@@" in text:
        dropped.append(_("ссылка на файл @@PLUGINFILE@@"))
        words = re.split(r"(\s+)", text)
        text = "".join("" if "@@PLUGINFILE@@" in word else word for word in words)
    return _no_placeholders(tex_to_native(text)), dropped


def native_to_html(
    text: str,
    *,
    inline: tuple[str, str] = ("\\(", "\\)"),
    display: tuple[str, str] = ("\\[", "\\]"),
    paragraphs: bool = True,
) -> str:
    r"""Native text → HTML for Moodle/Anki: escaped, ``$x$`` → ``\(x\)``, ``$$x$$`` → ``\[x\]``.

    ``paragraphs=True`` wraps blank-line-separated paragraphs in ``<p>``; single line breaks
    become ``<br>`` either way.

    >>> native_to_html("Если $a<b$, то\n$$a^2$$")
    '<p>Если \\(a&lt;b\\), то<br>\n\\[a^2\\]</p>'
    """
    out, position = [], 0
    for match in MATH_DELIMITERS.finditer(text or ""):
        out.append(html.escape(text[position : match.start()], quote=False))
        is_display = match.group(1) is not None
        body = (match.group(1) if is_display else match.group(2)).strip().replace("\n", " ")
        left, right = display if is_display else inline
        out.append(left + html.escape(body, quote=False) + right)
        position = match.end()
    out.append(html.escape((text or "")[position:], quote=False))
    joined = "".join(out).strip()
    if not paragraphs:
        return joined.replace("\n", "<br>\n")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", joined) if b.strip()]
    return "".join(f"<p>{b.replace(chr(10), '<br>' + chr(10))}</p>" for b in blocks)
