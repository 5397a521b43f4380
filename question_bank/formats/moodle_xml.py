"""Moodle XML: import into the native bank structure and export a native bank to Moodle.

Import (:func:`parse_moodle_xml`)
---------------------------------
The file is parsed by ``defusedxml``'s SAX parser with DTDs forbidden (so no entity expansion,
no external entities: a billion-laughs or XXE file is refused with a :class:`Problem`, never
expanded) and a 5 MB limit; the SAX locator gives every element its line, so each problem names
the line of its ``<question>``. A broken question is reported (severity ``error``) and skipped,
the others are still imported; unsupported types and dropped images are warnings. ``bank`` is
``None`` only when nothing could be imported.

Mapping (docs/import-export.md has the full table):

* ``category`` → topics: ``$course$/top/A/B`` becomes the topic tree A → B, and every question
  goes into the last category seen before it;
* ``multichoice`` → ``single_choice`` (``<single>true</single>``) or ``multiple_choice``;
  ``fraction > 0`` marks a right option, per-answer ``<feedback>`` is the option's feedback;
* ``truefalse`` → ``single_choice`` with «Верно»/«Неверно»;
* ``shortanswer`` → ``short_text`` (answers with fraction 100; others with feedback become
  typical mistakes); ``usecase`` cannot be kept: our comparison ignores case;
* ``numerical`` → ``numeric`` with ``answer: {value}`` and ``tolerance: {abs}``; other answers
  with feedback become ``mistakes`` with ``{value}``;
* ``essay`` → ``flashcard`` (front: the question, back: ``graderinfo`` or general feedback);
* ``calculated``/``calculatedsimple`` → a numeric template: wildcards ``{a}`` become parameters,
  the formula becomes a safe expression (see :func:`moodle_formula`), tolerance types 1/2/3 become
  ``rel``/``abs``/``geo`` exactly as ``qtype_numerical_answer::get_tolerance_interval`` defines
  them, ``correctanswerlength``/``correctanswerformat`` the precision of «Ответ: …» in the
  solution. Moodle shows students only the stored dataset items, so when a wildcard has items they
  are kept: one shared integer parameter ``item`` indexes a list per wildcard
  (``a: "[1.5, 2.0, 3.1][item]"``), so the values of one item stay together. A wildcard without
  items is drawn from its distribution: ``uniform`` → a ``decimal`` parameter with the dataset's
  ``decimals``; ``loguniform`` → an auxiliary ``decimal`` parameter ``a_log`` uniform on
  [ln min, ln max] with 4 decimals (a grid step of 0.01 % in ratio) and the derived value
  ``a = round(exp(a_log), decimals)``, which reproduces Moodle's ``exp(uniform(ln min, ln max))``
  up to that grid.

HTML becomes plain text (tags dropped, ``<script>``/``<style>`` with their content, paragraphs
and ``<br>`` kept as line breaks), TeX ``\\(…\\)``/``\\[…\\]`` becomes ``$…$``/``$$…$$``, images
(``@@PLUGINFILE@@``) are dropped with a warning, and ``{{`` is split to ``{ {`` so that imported
text never contains a placeholder by accident.

Export (:func:`export_moodle_xml`)
----------------------------------
Topics become categories under ``$course$/top/<bank title>``. A numeric template cannot keep its
formula (engines are not Moodle functions), so it becomes a ``calculated`` question whose dataset
holds ``variants`` generated variants: one wildcard per placeholder of the texts (named after the
parameter when the placeholder is one), a wildcard ``{ans}`` holding the key of each variant, and
the formula ``{ans}``; typical mistakes become further wildcards and answers with fraction 0.
Other kinds are exported with their default variant: numeric without parameters → ``numerical``,
choice → ``multichoice``, short text → ``shortanswer``, flashcard → ``essay`` with ``graderinfo``,
vector/matrix → ``cloze`` with one NUMERICAL field per component, expression → ``shortanswer``
with the key's text (Moodle cannot test equivalence). Every approximation is reported in the
optional ``warnings`` list. ``$…$``/``$$…$$`` become ``\\(…\\)``/``\\[…\\]`` for MathJax.
"""

from __future__ import annotations

import copy
import html
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
import xml.sax
import xml.sax.handler
from pathlib import PurePath

import defusedxml
import defusedxml.sax

from grader import kinds
from grader.errors import GraderError, ParseError
from grader.expressions import (
    CONSTANTS,
    FUNCTIONS,
    Binary,
    Call,
    Name,
    Node,
    Num,
    Unary,
    evaluate,
    names_in,
    parse_expression,
)
from grader.templating import format_value, placeholders
from grader.variants import compute_value, variant
from question_bank.formats.common import FORMAT_TAG, ImportResult, Problem, split_question
from quizapp.core.errors import ErrorCode
from quizapp.core.mathml import MATH_DELIMITERS

__all__ = [
    "parse_moodle_xml",
    "export_moodle_xml",
    "moodle_formula",
    "html_to_text",
    "markdown_to_text",
    "convert_text",
    "tex_to_native",
    "native_to_html",
    "slugify",
    "SlugRegistry",
    "TopicTree",
    "category_segments",
    "build_bank",
    "clip",
    "MAX_BYTES",
    "MAX_TEXT",
    "MAX_SOURCE",
    "MAX_TITLE",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_ELEMENTS = 500_000
MAX_ITEMS = 1000  # dataset items of one wildcard
MAX_TEXT = 20_000  # the native schema's limit for a text field
MAX_SOURCE = 200_000  # a text element before conversion (HTML markup included)
MAX_TITLE = 300
LOG_DIGITS = 4  # grid of the auxiliary ln-parameter of a loguniform wildcard
MAX_RANGE = 1e9  # bounds of a drawn wildcard: the decimal grid must stay a small integer range

# ---------------------------------------------------------------------------------------------
# Slugs and topics

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi",
    "є": "ye", "ґ": "g",
}  # fmt: skip
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def slugify(text: str, *, fallback: str = "q", max_length: int = 60) -> str:
    """Latin lowercase letters, digits and hyphens: «Свёрточные сети» → ``svertochnye-seti``."""
    out = []
    for ch in (text or "").lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        elif "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        else:
            ascii_ = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode().lower()
            out.append(ascii_ if ascii_.isalnum() else "-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or fallback


class SlugRegistry:
    """Hands out slugs unique within one bank: ``name``, ``name-2``, ``name-3``…"""

    def __init__(self):
        self.used: set[str] = set()

    def make(self, base: str, *, fallback: str = "q", max_length: int = 60) -> str:
        base = base if _SLUG_RE.match(base or "") else slugify(base, fallback=fallback)
        base = base[:max_length].rstrip("-") or fallback
        slug, n = base, 2
        while slug in self.used:
            suffix = f"-{n}"
            slug = base[: max_length - len(suffix)].rstrip("-") + suffix
            n += 1
        self.used.add(slug)
        return slug


def category_segments(path: str) -> list[str]:
    """Moodle category path → names: ``$course$/top/A/B`` → ``[A, B]`` (``//`` is a ``/``)."""
    raw = (path or "").replace("//", "\x00")
    parts = [p.replace("\x00", "/").strip() for p in raw.split("/")]
    parts = [p for p in parts if p]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return parts


class TopicTree:
    """Topics built from category paths; :meth:`topic_for` returns the slug of the last one."""

    def __init__(self):
        self.topics: list[dict] = []
        self._by_path: dict[tuple, str] = {}
        self._slugs = SlugRegistry()

    def topic_for(self, segments: list[str]) -> str | None:
        parent = None
        for i, name in enumerate(segments):
            key = tuple(segments[: i + 1])
            if key not in self._by_path:
                slug = self._slugs.make(slugify(name, fallback="topic"), fallback="topic")
                entry = {"slug": slug, "title": clip(name, MAX_TITLE)}
                if parent:
                    entry["parent"] = parent
                self.topics.append(entry)
                self._by_path[key] = slug
            parent = self._by_path[key]
        return parent


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (an ellipsis marks a cut)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Text: HTML, Markdown and TeX → the native plain text with $…$ math

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
            self.dropped.append(f"рисунок «{alt or PurePath(src).name or src or tag}»")
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
            _, start = self.scripts.pop()
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
    dropped = [f"рисунок «{m.group(1) or m.group(2)}»" for m in _MD_IMAGE.finditer(source or "")]
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
        dropped.append("ссылка на файл @@PLUGINFILE@@")
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


# ---------------------------------------------------------------------------------------------
# Safe XML reading with line numbers


class _Element:
    __slots__ = ("tag", "attrs", "line", "children", "_text")

    def __init__(self, tag: str, attrs: dict, line: int | None):
        self.tag, self.attrs, self.line = tag, attrs, line
        self.children: list[_Element] = []
        self._text: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self._text)

    def find(self, tag: str) -> _Element | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[_Element]:
        return [child for child in self.children if child.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """``<tag><text>v</text></tag>`` or ``<tag>v</tag>`` → ``v`` (stripped)."""
        child = self.find(tag)
        if child is None:
            return default
        inner = child.find("text")
        return (inner.text if inner is not None else child.text).strip()


class _TooManyElements(Exception):
    pass


class _TreeBuilder(xml.sax.handler.ContentHandler):
    def __init__(self):
        super().__init__()
        self.root: _Element | None = None
        self.stack: list[_Element] = []
        self.locator = None
        self.count = 0

    def setDocumentLocator(self, locator):
        self.locator = locator

    def startElement(self, name, attrs):
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise _TooManyElements
        line = self.locator.getLineNumber() if self.locator is not None else None
        element = _Element(name, dict(attrs.items()), line)
        if self.stack:
            self.stack[-1].children.append(element)
        elif self.root is None:
            self.root = element
        self.stack.append(element)

    def endElement(self, name):
        self.stack.pop()

    def characters(self, content):
        if self.stack:
            self.stack[-1]._text.append(content)


def _line_of(data: bytes, needle: bytes) -> int | None:
    at = data.find(needle)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None


def _read_xml(data: bytes, filename: str) -> tuple[_Element | None, Problem | None]:
    builder = _TreeBuilder()
    try:
        defusedxml.sax.parseString(
            data, builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden:
        return None, Problem(
            filename,
            _line_of(data, b"<!DOCTYPE"),
            None,
            "объявление DOCTYPE запрещено: через него раздувают сущности и читают внешние "
            "файлы, а в экспорте Moodle XML его не бывает",
            code=ErrorCode.XML_FORBIDDEN,
        )
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        return None, Problem(
            filename,
            _line_of(data, b"<!ENTITY"),
            None,
            "объявления сущностей и внешние ссылки запрещены",
            code=ErrorCode.XML_FORBIDDEN,
        )
    except _TooManyElements:
        return None, Problem(
            filename,
            None,
            None,
            f"в файле больше {MAX_ELEMENTS} элементов",
            code=ErrorCode.TOO_LARGE,
        )
    except xml.sax.SAXParseException as exc:
        return None, Problem(
            filename,
            exc.getLineNumber(),
            (exc.getColumnNumber() or 0) + 1,
            f"файл не является корректным XML: {exc.getMessage()}",
            code=ErrorCode.XML_SYNTAX,
        )
    except xml.sax.SAXException as exc:
        return None, Problem(
            filename,
            None,
            None,
            f"ошибка чтения XML: {exc.getMessage()}",
            code=ErrorCode.XML_SYNTAX,
        )
    return builder.root, None


# ---------------------------------------------------------------------------------------------
# Import


class _QuestionError(Exception):
    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message, self.code = message, code


class _Context:
    """Where a question is: file, line and name, for its problems."""

    def __init__(self, filename: str, problems: list, line: int | None, name: str):
        self.filename, self.problems, self.line, self.name = filename, problems, line, name

    def label(self) -> str:
        return f"вопрос «{clip(self.name, 60)}»" if self.name else "вопрос"

    def warn(self, message: str, code: str = "approximated", line: int | None = None):
        self.problems.append(
            Problem(
                self.filename,
                line or self.line,
                None,
                f"{self.label()}: {message}",
                code=code,
                severity="warning",
            )
        )

    def text(self, element: _Element | None, *, fmt: str | None = None) -> str:
        """A Moodle text element (``<x format="…"><text>…</text></x>``) → native text."""
        if element is None:
            return ""
        inner = element.find("text")
        source = inner.text if inner is not None else element.text
        if len(source) > MAX_SOURCE:
            raise _QuestionError(f"текст длиннее {MAX_SOURCE} символов", "too_long")
        converted, dropped = convert_text(source, fmt or element.attrs.get("format", "html"))
        for item in dropped:
            self.warn(f"{item} удалён(а): файлы и медиа не импортируются", "media_dropped",
                      element.line)  # fmt: skip
        if len(converted) > MAX_TEXT:
            raise _QuestionError(f"текст длиннее {MAX_TEXT} символов", "too_long")
        return converted


_SUPPORTED = {
    "multichoice", "truefalse", "shortanswer", "numerical", "essay", "calculated",
    "calculatedsimple",
}  # fmt: skip
_TYPE_NAMES = {
    "ddmatch": "сопоставление с перетаскиванием",
    "matching": "на соответствие",
    "randomsamatch": "случайный вопрос на соответствие",
    "cloze": "вложенные ответы (cloze)",
    "multianswer": "вложенные ответы (cloze)",
    "description": "описание (без ответа)",
    "calculatedmulti": "вычисляемый с выбором ответа",
    "ddwtos": "перетаскивание в текст",
    "gapselect": "выбор пропущенных слов",
    "ddimageortext": "перетаскивание на изображение",
    "ddmarker": "перетаскивание маркеров",
    "random": "случайный вопрос",
    "ordering": "упорядочивание",
}


def parse_moodle_xml(data: bytes, filename: str) -> ImportResult:
    """A Moodle XML question export → the native bank structure and every problem found."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        return ImportResult(
            None,
            [
                Problem(
                    filename,
                    None,
                    None,
                    f"файл больше {MAX_BYTES // (1024 * 1024)} МБ ({len(data)} байт)",
                    code=ErrorCode.TOO_LARGE,
                )
            ],
        )
    root, problem = _read_xml(data, filename)
    if problem is not None:
        return ImportResult(None, [problem])
    if root is None or root.tag != "quiz":
        return ImportResult(
            None,
            [
                Problem(
                    filename,
                    root.line if root is not None else None,
                    None,
                    "корневой элемент должен быть <quiz> (экспорт вопросов Moodle XML)",
                    code=ErrorCode.NOT_MOODLE_XML,
                )
            ],
        )

    problems: list[Problem] = []
    topics = TopicTree()
    slugs = SlugRegistry()
    questions: list[dict] = []
    current_topic: str | None = None
    for element in root.children:
        if element.tag != "question":
            continue
        qtype = element.attrs.get("type", "")
        if qtype == "category":
            path = element.value("category")
            current_topic = topics.topic_for(category_segments(path))
            continue
        name = element.value("name")
        ctx = _Context(filename, problems, element.line, name)
        if qtype not in _SUPPORTED:
            described = _TYPE_NAMES.get(qtype, qtype or "без типа")
            ctx.warn(f"тип «{described}» не поддерживается, вопрос пропущен", "unsupported_type")
            continue
        try:
            entry = _import_question(element, qtype, ctx)
        except _QuestionError as exc:
            problems.append(
                Problem(filename, element.line, None, f"{ctx.label()}: {exc.message}", exc.code)
            )
            continue
        except (GraderError, ArithmeticError, ValueError, RecursionError) as exc:
            # odd numbers in a hostile or damaged file: report the question, keep the others
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            problems.append(
                Problem(filename, element.line, None, f"{ctx.label()}: {message}", "invalid")
            )
            continue
        text_for_title = entry.get("text") or entry.get("front") or ""
        slug_source = element.value("idnumber")
        if not _SLUG_RE.match(slug_source):
            slug_source = slugify(name or text_for_title[:60])
        meta = {
            "slug": slugs.make(slug_source),
            "title": clip(name or text_for_title, MAX_TITLE) or "Вопрос",
        }
        if current_topic:
            meta["topic"] = current_topic
        tags = [clip(t.value("text"), MAX_TITLE) for t in _tags(element)]
        if tags := [t for t in tags if t]:
            meta["tags"] = tags
        questions.append({**meta, **entry})

    return build_bank(filename, topics, questions, problems, source="Moodle XML")


def build_bank(
    filename: str, topics: TopicTree, questions: list[dict], problems: list, *, source: str
) -> ImportResult:
    """Wrap imported questions into the native bank structure (``bank`` None if there are none)."""
    if not questions:
        problems.append(
            Problem(
                filename, None, None, "в файле нет вопросов, которые можно импортировать", "empty"
            )
        )
        return ImportResult(None, problems)
    stem = PurePath(filename).stem
    roots = [t for t in topics.topics if "parent" not in t]
    title = roots[0]["title"] if len(roots) == 1 else (stem or f"Импорт: {source}")
    bank = {
        "format": FORMAT_TAG,
        "bank": {
            "slug": slugify(stem, fallback="import"),
            "title": clip(title, MAX_TITLE),
            "description": f"Импортировано из {source} ({PurePath(filename).name})",
            "language": "ru",
            "version": "1",
            "authors": [],
            "license": "",
        },
        "topics": topics.topics,
        "questions": questions,
    }
    return ImportResult(bank, problems)


def _tags(element: _Element) -> list[_Element]:
    holder = element.find("tags")
    return holder.findall("tag") if holder is not None else []


def _fraction(answer: _Element) -> float:
    raw = answer.attrs.get("fraction", "0")
    try:
        value = float(raw)
    except ValueError:
        raise _QuestionError(f"балл ответа «{raw}» не число", "bad_number") from None
    if not math.isfinite(value):
        raise _QuestionError(f"балл ответа «{raw}» не число", "bad_number")
    return value


def _is_true(raw: str, default: bool) -> bool:
    raw = (raw or "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes")


def _common(element: _Element, ctx: _Context, *, with_text: bool = True) -> dict:
    entry: dict = {}
    if with_text:
        text = ctx.text(element.find("questiontext"))
        if not text:
            raise _QuestionError("пустой текст вопроса", "empty_text")
        entry["text"] = text
    hints = [ctx.text(h) for h in element.findall("hint")]
    if hints := [h for h in hints if h]:
        entry["hints"] = hints
    return entry


def _solution(element: _Element, ctx: _Context) -> str:
    return ctx.text(element.find("generalfeedback"))


def _import_question(element: _Element, qtype: str, ctx: _Context) -> dict:
    if qtype == "multichoice":
        return _import_multichoice(element, ctx)
    if qtype == "truefalse":
        return _import_truefalse(element, ctx)
    if qtype == "shortanswer":
        return _import_shortanswer(element, ctx)
    if qtype == "numerical":
        return _import_numerical(element, ctx)
    if qtype == "essay":
        return _import_essay(element, ctx)
    return _import_calculated(element, ctx)


def _with_solution(entry: dict, solution: str) -> dict:
    if solution:
        entry["solution"] = solution
    return entry


def _import_multichoice(element: _Element, ctx: _Context) -> dict:
    entry = _common(element, ctx)
    answers = element.findall("answer")
    if len(answers) < 2:
        raise _QuestionError("нужно не меньше двух вариантов ответа", "too_few_options")
    single = _is_true(element.value("single"), True)
    fractions = [_fraction(a) for a in answers]
    options = []
    for answer in answers:
        text = ctx.text(answer)
        if not text:
            raise _QuestionError(f"пустой вариант ответа (строка {answer.line})", "empty_option")
        option = {"text": text, "correct": False}
        feedback = ctx.text(answer.find("feedback"))
        if feedback:
            option["feedback"] = feedback
        options.append(option)
    positive = [i for i, f in enumerate(fractions) if f > 0]
    if not positive:
        raise _QuestionError("нет ни одного верного варианта (с баллом больше 0)", "no_correct")
    if single:
        best = max(positive, key=lambda i: fractions[i])
        options[best]["correct"] = True
        if len(positive) > 1:
            ctx.warn(
                "баллы получали несколько вариантов; верным оставлен вариант с наибольшим "
                f"баллом («{clip(options[best]['text'], 40)}»), частичные баллы не переносятся"
            )
        kind = "single_choice"
    else:
        for i in positive:
            options[i]["correct"] = True
        if max(fractions[i] for i in positive) - min(fractions[i] for i in positive) > 1e-6:
            ctx.warn(
                "у верных вариантов разные веса; в Нейрозачёте каждый верный вариант даёт "
                "равную долю балла"
            )
        kind = "multiple_choice"
    entry.update(options=options, shuffle=_is_true(element.value("shuffleanswers"), True))
    return _with_solution({"kind": kind, **entry}, _solution(element, ctx))


def _import_truefalse(element: _Element, ctx: _Context) -> dict:
    entry = _common(element, ctx)
    by_value: dict[bool, tuple[float, str]] = {}
    for answer in element.findall("answer"):
        raw = answer.value("text").lower()
        if raw not in ("true", "false"):
            raise _QuestionError(f"ответ «{raw}» вместо true/false", "bad_truefalse")
        by_value[raw == "true"] = (_fraction(answer), ctx.text(answer.find("feedback")))
    if set(by_value) != {True, False}:
        raise _QuestionError("нужны оба ответа: true и false", "bad_truefalse")
    key = by_value[True][0] >= by_value[False][0]
    if by_value[True][0] == by_value[False][0]:
        raise _QuestionError("у ответов true и false одинаковый балл", "bad_truefalse")
    options = []
    for value, label in ((True, "Верно"), (False, "Неверно")):
        option = {"text": label, "correct": value == key}
        if by_value[value][1]:
            option["feedback"] = by_value[value][1]
        options.append(option)
    entry.update(options=options, shuffle=False)
    return _with_solution({"kind": "single_choice", **entry}, _solution(element, ctx))


def _import_shortanswer(element: _Element, ctx: _Context) -> dict:
    entry = _common(element, ctx)
    if _is_true(element.value("usecase"), False):
        ctx.warn("регистр букв в Нейрозачёте не учитывается (в Moodle учитывался)", "usecase")
    accepted, mistakes = [], []
    for answer in element.findall("answer"):
        fraction = _fraction(answer)
        raw = answer.value("text")
        if "*" in raw.replace("\\*", ""):
            ctx.warn(
                f"ответ «{clip(raw, 40)}» с подстановочным знаком * не переносится: "
                "перечислите варианты написания",
                "wildcard_dropped",
                answer.line,
            )
            continue
        text = " ".join(raw.replace("\\*", "*").split())
        if not text:
            continue
        if fraction >= 100 - 1e-6:
            accepted.append(clip(text, MAX_TITLE))
            continue
        feedback = ctx.text(answer.find("feedback"))
        if fraction > 0:
            ctx.warn(f"частичный балл ответа «{clip(text, 40)}» не переносится", "partial")
        if feedback or fraction > 0:
            mistakes.append((text, feedback))
    if not accepted:
        raise _QuestionError("нет ни одного ответа с баллом 100 %", "no_correct")
    from grader.kinds.short_text import normalize

    right = {normalize(a) for a in accepted}
    entry = {"kind": "short_text", **entry, "answers": accepted}
    kept = [
        {"id": f"moodle_{i + 1}", "answer": {"value": text}, "feedback": feedback}
        for i, (text, feedback) in enumerate(mistakes)
        if normalize(text) not in right
    ]
    if kept:
        entry["mistakes"] = kept
    return _with_solution(entry, _solution(element, ctx))


_INT_LITERAL = re.compile(r"^[+-]?\d+$")


def _number(raw: str, what: str):
    text = (raw or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise _QuestionError(f"{what} «{clip(text, 40)}» не число", "bad_number") from None
    if not math.isfinite(value):
        raise _QuestionError(f"{what} «{text}» не конечное число", "bad_number")
    if _INT_LITERAL.match(text) and abs(value) < 1e15:
        return int(text)
    return value


def _units_warning(element: _Element, ctx: _Context):
    units = element.find("units")
    names = [u.value("unit_name") for u in units.findall("unit")] if units is not None else []
    if names := [n for n in names if n]:
        ctx.warn(
            f"единицы измерения ({', '.join(names)}) не переносятся: ответ — только число",
            "units_dropped",
        )


def _import_numerical(element: _Element, ctx: _Context) -> dict:
    entry = _common(element, ctx)
    key = None
    others = []
    for answer in element.findall("answer"):
        fraction = _fraction(answer)
        raw = answer.value("text")
        feedback = ctx.text(answer.find("feedback"))
        if raw == "*":
            if feedback:
                ctx.warn("отзыв на «любой другой ответ» (*) не переносится", "catch_all")
            continue
        value = _number(raw, "ответ")
        tolerance = abs(_number(answer.value("tolerance", "0") or "0", "допуск"))
        if fraction >= 100 - 1e-6:
            if key is None:
                key = (value, tolerance)
            else:
                ctx.warn(f"второй верный ответ {raw} не переносится: верный ответ один")
            continue
        if fraction > 0:
            ctx.warn(f"частичный балл ответа {raw} не переносится", "partial")
        if feedback or fraction > 0:
            others.append((value, feedback, answer.line))
    if key is None:
        raise _QuestionError("нет ответа с баллом 100 %", "no_correct")
    _units_warning(element, ctx)
    value, tolerance = key
    entry = {"kind": "numeric", **entry}
    entry.update(answer={"value": value}, tolerance={"abs": float(tolerance)})
    mistakes = []
    for i, (wrong, feedback, line) in enumerate(others):
        if abs(wrong - value) <= tolerance:
            ctx.warn(f"ответ {wrong} попадает в допуск верного и не может быть ошибкой",
                     "mistake_overlaps", line)  # fmt: skip
            continue
        mistakes.append({"id": f"moodle_{i + 1}", "answer": {"value": wrong}, "feedback": feedback})
    if mistakes:
        entry["mistakes"] = mistakes
    return _with_solution(entry, _solution(element, ctx))


def _import_essay(element: _Element, ctx: _Context) -> dict:
    entry = _common(element, ctx)
    front = entry.pop("text")
    back = ctx.text(element.find("graderinfo")) or _solution(element, ctx)
    if not back:
        raise _QuestionError(
            "у эссе нет ни информации для оценивающего (graderinfo), ни общего отзыва: "
            "карточке нечего показать на обороте",
            "no_back",
        )
    return {"kind": "flashcard", "front": front, "back": back, **entry}


# -- calculated --------------------------------------------------------------------------------

_WILDCARD = re.compile(r"\{([A-Za-z][^>} <{\"']*)\}")
# Moodle's qtype_calculated::FORMULAS_IN_TEXT_REGEX: {=expression} inside the question text
_TEXT_FORMULA = re.compile(r"\{=([^{}]*(?:\{[^{}]+\}[^{}]*)*)\}")
_PASS_THROUGH = {
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "cos", "cosh",
    "exp", "floor", "fmod", "log", "log10", "max", "min", "round", "sin", "sinh", "sqrt", "tan",
    "tanh",
}  # fmt: skip
_ARITY = {
    "pi": (0, 0), "pow": (2, 2), "atan2": (2, 2), "fmod": (2, 2), "log": (1, 2),
    "round": (1, 2), "min": (1, None), "max": (1, None), "deg2rad": (1, 1), "rad2deg": (1, 1),
    "expm1": (1, 1), "log1p": (1, 1),
}  # fmt: skip
_PHP_ONLY = {"bindec", "decbin", "decoct", "octdec", "is_finite", "is_infinite", "is_nan"}
_RESERVED_NAMES = (
    {"answer", "item", "and", "or", "not", "if", "else"} | set(CONSTANTS) | set(FUNCTIONS)
)


class FormulaError(ValueError):
    """A Moodle formula that cannot become a safe expression (message in Russian)."""


def moodle_formula(formula: str, names: dict[str, str]) -> str:
    """A Moodle calculated formula → an expression of our safe language.

    ``names`` maps Moodle wildcard names to parameter names. ``{a}`` becomes ``a``; ``pi()`` →
    ``pi``, ``pow(a, b)`` → ``a^b``, ``deg2rad``/``rad2deg``/``expm1``/``log1p`` are rewritten,
    the other Moodle functions (``log`` is natural, ``log(x, b)`` base b, ``atan2``, ``fmod``,
    ``round(x, n)``…) exist in :mod:`grader.expressions` under the same names. PHP operators
    without a counterpart (``%``, ``^`` which is XOR in PHP, ``?:``, ``&&``…) are refused.

    >>> moodle_formula("pow({a}, 2) + pi() * log({b})", {"a": "a", "b": "b"})
    'a^2 + pi*log(b)'
    """

    def wildcard(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            raise FormulaError(f"в формуле подстановка {{{name}}}, для которой нет набора данных")
        return f" {names[name]} "  # spaces: "{a}{b}" must stay two operands (an error), not "ab"

    bare = _WILDCARD.sub("1", formula or "")
    for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*(\()?", bare):
        if not match.group(2):
            raise FormulaError(
                f"в формуле имя «{match.group(1)}» без фигурных скобок: переменные "
                "записываются как {имя}"
            )
    text = _WILDCARD.sub(wildcard, formula or "")
    for bad, what in (
        ("^", "«^» в Moodle — побитовое исключающее ИЛИ, а не степень; используйте pow(a, b)"),
        ("%", "остаток «%» не поддерживается; используйте fmod(a, b)"),
        ("?", "условный оператор «?:» не поддерживается"),
        ("&", "логические операторы «&&», «&» не поддерживаются"),
        ("|", "логические операторы «||», «|» не поддерживаются"),
        ("~", "оператор «~» не поддерживается"),
        (":", "оператор «:» не поддерживается"),
        ("{", "фигурная скобка без имени набора данных"),
    ):
        if bad in text:
            raise FormulaError(what)
    if re.search(r"!(?!=)", text):
        raise FormulaError("отрицание «!» не поддерживается")
    if not text.strip():
        raise FormulaError("пустая формула")
    try:
        node = _rewrite(parse_expression(text))
    except ParseError as exc:
        raise FormulaError(f"формула «{clip(formula, 80)}»: {exc.message}") from None
    except RecursionError:
        raise FormulaError("формула слишком сложная") from None
    unknown = names_in(node) - set(names.values())
    if unknown:
        raise FormulaError(
            f"в формуле неизвестные имена {', '.join(sorted(unknown))}: "
            "переменные записываются как {имя}"
        )
    result = str(node)
    parse_expression(result)  # the canonical text must parse back
    return result


def _rewrite(node: Node) -> Node:
    if isinstance(node, Num | Name):
        return node
    if isinstance(node, Unary):
        return Unary(node.op, _rewrite(node.operand))
    if isinstance(node, Binary):
        return Binary(node.op, _rewrite(node.left), _rewrite(node.right))
    if isinstance(node, Call):
        name = node.func
        args = tuple(_rewrite(a) for a in node.args)
        if name in _PHP_ONLY:
            raise FormulaError(f"функция {name} не поддерживается")
        if name not in _PASS_THROUGH and name not in _ARITY:
            raise FormulaError(f"функция {name} не поддерживается в формулах Moodle")
        lo, hi = _ARITY.get(name, (1, 1))
        if len(args) < lo or (hi is not None and len(args) > hi):
            raise FormulaError(f"функция {name}: неверное число аргументов ({len(args)})")
        if name == "pi":
            return Name("pi")
        if name == "pow":
            return Binary("^", args[0], args[1])
        if name == "deg2rad":
            return Binary("*", args[0], Binary("/", Name("pi"), Num(180, "180")))
        if name == "rad2deg":
            return Binary("*", args[0], Binary("/", Num(180, "180"), Name("pi")))
        if name == "expm1":
            return Binary("-", Call("exp", args), Num(1, "1"))
        if name == "log1p":
            return Call("log", (Binary("+", Num(1, "1"), args[0]),))
        return Call(name, args)
    raise FormulaError("в формулах Moodle нет списков, индексов, сравнений и условий")


def _param_name(wildcard: str, used: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", wildcard)
    name = re.sub(r"_+", "_", name).strip("_")
    if not name or not name[0].isalpha():
        name = "w" + name
    name = name[:36]
    if name in _RESERVED_NAMES:
        name += "_w"
    base, n = name, 2
    while name in used:
        name = f"{base}_{n}"
        n += 1
    used.add(name)
    return name


class _Dataset:
    def __init__(self, element: _Element, ctx: _Context):
        self.line = element.line
        self.name = element.value("name")
        self.distribution = element.value("distribution", "uniform").lower() or "uniform"
        self.minimum = self._number(element, "minimum", 0.0)
        self.maximum = self._number(element, "maximum", 10.0)
        raw_decimals = element.value("decimals", "1") or "1"
        try:
            self.decimals = int(float(raw_decimals))
        except ValueError:
            raise _QuestionError(f"набор данных {{{self.name}}}: decimals не число") from None
        items_holder = element.find("dataset_items")
        items = []
        for item in items_holder.findall("dataset_item") if items_holder is not None else []:
            number = item.value("number")
            raw = item.value("value")
            value = _number(raw, f"значение №{number} набора {{{self.name}}}")
            try:
                order = int(float(number))
            except ValueError:
                order = len(items) + 1
            items.append((order, raw.strip(), value))
        if len(items) > MAX_ITEMS:
            raise _QuestionError(f"набор данных {{{self.name}}}: больше {MAX_ITEMS} значений")
        self.items = [(raw, value) for _, raw, value in sorted(items, key=lambda t: t[0])]

    def _number(self, element: _Element, tag: str, default: float) -> float:
        raw = element.value(tag)
        value = float(_number(raw, f"{tag} набора {{{self.name}}}")) if raw else default
        if abs(value) > MAX_RANGE:
            raise _QuestionError(f"{tag} набора {{{self.name}}} по модулю больше {MAX_RANGE:g}")
        return value


def _decimals_of(raw: str) -> int | None:
    """Decimal places written in a number literal; None for exponent notation."""
    if re.search(r"[eE]", raw):
        return None
    return len(raw.split(".", 1)[1]) if "." in raw else 0


def _display_format(values: list, decimals: int | None) -> str | None:
    """The placeholder format that shows the values as Moodle would; None = our default."""

    def plain(v) -> bool:
        shown = format_value(v)
        try:
            return "\\" not in shown and float(shown) == float(v)
        except ValueError:
            return False

    if all(plain(v) for v in values):
        return None
    return f".{max(0, min(decimals if decimals is not None else 6, 15))}f"


def _placeholder(name: str, fmt: str | None) -> str:
    return f"{{{{ {name} : {fmt} }}}}" if fmt else f"{{{{ {name} }}}}"


def _import_calculated(element: _Element, ctx: _Context) -> dict:
    datasets: dict[str, _Dataset] = {}
    holder = element.find("dataset_definitions")
    for definition in holder.findall("dataset_definition") if holder is not None else []:
        dataset = _Dataset(definition, ctx)
        if dataset.name:
            datasets[dataset.name] = dataset
    answers = element.findall("answer")
    if not answers:
        raise _QuestionError("нет ответа (формулы)", "no_correct")
    fractions = [_fraction(a) for a in answers]
    best = max(range(len(answers)), key=lambda i: fractions[i])
    if fractions[best] < 100 - 1e-6:
        raise _QuestionError("нет ответа с баллом 100 %", "no_correct")
    key_answer = answers[best]

    # Which wildcards are needed: those of the formulas and of the texts.
    texts = {
        "text": element.find("questiontext"),
        "solution": element.find("generalfeedback"),
    }
    raw_texts = " ".join(
        (e.find("text").text if e.find("text") is not None else e.text)
        for e in [*texts.values(), *element.findall("hint")]
        if e is not None
    )
    formulas = [a.value("text") for a in answers]
    wanted = []
    for source in [*formulas, raw_texts]:
        for match in _WILDCARD.finditer(source):
            if match.group(1) in datasets and match.group(1) not in wanted:
                wanted.append(match.group(1))
    for formula in formulas:
        for match in _WILDCARD.finditer(formula):
            if match.group(1) not in datasets:
                raise _QuestionError(
                    f"в формуле {{{match.group(1)}}}, но такого набора данных нет", "bad_formula"
                )

    used: set[str] = set()
    names = {w: _param_name(w, used) for w in wanted}
    params: dict = {}
    derived: dict = {}
    formats: dict[str, str | None] = {}
    with_items = [w for w in wanted if datasets[w].items]
    item_name = None
    if with_items:
        counts = {len(datasets[w].items) for w in with_items}
        count = min(counts)
        if len(counts) > 1:
            ctx.warn(f"в наборах данных разное число значений; используются первые {count}")
        if count == 1:
            ctx.warn("в наборах данных одно значение: у вопроса будет один вариант", "one_item")
        item_name = "item" if "item" not in used else _param_name("item", used)
        used.add(item_name)
        params[item_name] = {"type": "int", "min": 0, "max": count - 1, "default": 0}
        for w in with_items:
            items = datasets[w].items[:count]
            values = [v for _, v in items]
            literals = ", ".join(_literal(v) for v in values)
            derived[names[w]] = f"[{literals}][{item_name}]"
            decimals = [_decimals_of(raw) for raw, _ in items]
            known = [d for d in decimals if d is not None]
            formats[w] = _display_format(values, max(known) if known else None)
    for w in wanted:
        if datasets[w].items:
            continue
        _distribution_param(datasets[w], names[w], params, derived, formats, used, ctx)

    # The formulas
    try:
        key_expr = moodle_formula(key_answer.value("text"), names)
    except FormulaError as exc:
        raise _QuestionError(str(exc), "bad_formula") from None
    tolerance = _calculated_tolerance(key_answer)
    entry: dict = {"kind": "numeric"}
    text = _calculated_text(ctx, texts["text"], names, formats)
    if not text:
        raise _QuestionError("пустой текст вопроса", "empty_text")
    entry["text"] = text
    if params:
        entry["params"] = params
    if derived:
        entry["derived"] = derived
    entry["answer"] = {"expr": key_expr}
    entry["tolerance"] = tolerance
    mistakes = []
    for i, answer in enumerate(answers):
        if i == best:
            continue
        feedback = _calculated_text(ctx, answer.find("feedback"), names, formats)
        if fractions[i] > 0:
            ctx.warn(f"частичный балл ответа «{answer.value('text')}» не переносится", "partial")
        if not feedback and fractions[i] <= 0:
            continue
        try:
            expr = moodle_formula(answer.value("text"), names)
        except FormulaError as exc:
            raise _QuestionError(f"ответ №{i + 1}: {exc}", "bad_formula") from None
        mistakes.append({"id": f"moodle_{i + 1}", "answer": {"expr": expr}, "feedback": feedback})
    if mistakes:
        entry["mistakes"] = mistakes
    hints = [_calculated_text(ctx, h, names, formats) for h in element.findall("hint")]
    if hints := [h for h in hints if h]:
        entry["hints"] = hints
    solution = _calculated_text(ctx, texts["solution"], names, formats)
    answer_line = f"Ответ: {_placeholder('answer', _answer_format(key_answer))}."
    if "{{ answer" not in solution:
        solution = f"{solution}\n\n{answer_line}" if solution else answer_line
    entry["solution"] = solution
    _units_warning(element, ctx)
    _check_calculated(entry, item_name)
    return entry


def _literal(value) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _distribution_param(dataset, name, params, derived, formats, used, ctx):
    lo, hi, decimals = dataset.minimum, dataset.maximum, dataset.decimals
    if hi < lo:
        lo, hi = hi, lo
    if decimals > 6:
        ctx.warn(
            f"набор {{{dataset.name}}}: {decimals} знаков после запятой сокращены до 6",
            line=dataset.line,
        )
        decimals = 6
    decimals = max(decimals, 0)
    grid_lo = math.ceil(round(lo * 10**decimals, 9)) / 10**decimals
    grid_hi = math.floor(round(hi * 10**decimals, 9)) / 10**decimals
    if grid_hi < grid_lo:
        raise _QuestionError(
            f"набор {{{dataset.name}}}: между {lo} и {hi} нет чисел с {decimals} знаками"
        )
    if dataset.distribution == "loguniform" and lo > 0:
        log_name = _param_name(f"{name}_log", used)
        scale = 10**LOG_DIGITS
        log_lo = math.ceil(math.log(grid_lo) * scale) / scale
        log_hi = math.floor(math.log(grid_hi) * scale) / scale
        if log_hi < log_lo:
            log_lo = log_hi = round(math.log(grid_lo), LOG_DIGITS)
        middle = round((log_lo + log_hi) / 2, LOG_DIGITS)
        params[log_name] = {
            "type": "decimal", "min": log_lo, "max": log_hi, "digits": LOG_DIGITS,
            "default": middle,
        }  # fmt: skip
        derived[name] = f"round(exp({log_name}), {decimals})"
    else:
        if dataset.distribution not in ("uniform", "loguniform"):
            ctx.warn(
                f"набор {{{dataset.name}}}: распределение «{dataset.distribution}» заменено "
                "равномерным",
                line=dataset.line,
            )
        elif dataset.distribution == "loguniform":
            ctx.warn(
                f"набор {{{dataset.name}}}: логравномерное распределение на отрезке с "
                "неположительной границей заменено равномерным",
                line=dataset.line,
            )
        default = round((grid_lo + grid_hi) / 2, decimals)
        default = min(max(default, grid_lo), grid_hi)
        if decimals == 0:  # whole numbers: an int parameter keeps them integers
            params[name] = {
                "type": "int", "min": int(grid_lo), "max": int(grid_hi), "default": int(default),
            }  # fmt: skip
        else:
            params[name] = {
                "type": "decimal", "min": grid_lo, "max": grid_hi, "digits": decimals,
                "default": default,
            }  # fmt: skip
    magnitude = max(abs(grid_lo), abs(grid_hi))
    int_digits = len(str(int(magnitude))) if magnitude >= 1 else 1
    # The default format shows 4 significant digits: exact only for short numbers.
    formats[dataset.name] = None if int_digits + decimals <= 4 else f".{decimals}f"


def _calculated_text(ctx: _Context, element, names: dict, formats: dict) -> str:
    """A text with Moodle's ``{a}`` and ``{=formula}`` → text with ``{{ … }}`` placeholders."""
    if element is None:
        return ""
    text = ctx.text(element)

    def formula(match: re.Match) -> str:
        try:
            return _placeholder(moodle_formula(match.group(1), names), None)
        except FormulaError as exc:
            raise _QuestionError(f"формула в тексте {{={match.group(1)}}}: {exc}") from None

    text = _TEXT_FORMULA.sub(formula, text)

    def wildcard(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            return match.group(0)
        return _placeholder(names[name], formats.get(name))

    text = _WILDCARD.sub(wildcard, text)
    # A placeholder right next to a literal brace ("{{{ a }}") would be misread: add a space.
    while "{{{" in text or "}}}" in text:
        text = text.replace("{{{", "{ {{").replace("}}}", "}} }")
    return text.strip()


def _calculated_tolerance(answer: _Element) -> dict:
    tolerance = abs(float(_number(answer.value("tolerance", "0") or "0", "допуск")))
    kind = (answer.value("tolerancetype", "1") or "1").strip().lower()
    if kind in ("1", "relative"):
        return {"rel": tolerance}
    if kind in ("2", "nominal"):
        return {"abs": tolerance}
    if kind in ("3", "geometric"):
        return {"geo": tolerance}
    raise _QuestionError(f"неизвестный тип допуска «{kind}» (ожидалось 1, 2 или 3)")


def _answer_format(answer: _Element) -> str:
    try:
        length = int(float(answer.value("correctanswerlength", "2") or "2"))
    except ValueError:
        length = 2
    length = max(0, min(length, 12))
    if (answer.value("correctanswerformat", "1") or "1").strip() == "2":
        return f".{max(length, 1)}g"  # significant figures
    return f".{length}f"  # decimal places


def _check_calculated(entry: dict, item_name: str | None):
    """Every dataset item (or a few random draws) must give a finite key."""
    _, spec = split_question(entry)
    params = spec.get("params") or {}
    checks: list[tuple[str, dict, int | None]] = []
    if item_name is not None:
        for i in range(params[item_name]["max"] + 1):
            trial = copy.deepcopy(spec)
            trial["params"][item_name]["default"] = i
            checks.append((f"набор данных №{i + 1}", trial, None))
    else:
        checks.append(("вариант по умолчанию", spec, None))
    if any(name != item_name for name in params):
        checks += [(f"случайный вариант (seed {s})", spec, s) for s in range(5)]
    kind = kinds.get("numeric")
    for where, trial, seed in checks:
        try:
            values = variant(trial, seed).values
            kind.expected(trial, values)
        except GraderError as exc:
            raise _QuestionError(f"{where}: {exc.message}", "bad_formula") from None


# ---------------------------------------------------------------------------------------------
# Export


def export_moodle_xml(bank: dict, *, variants: int = 10, warnings: list | None = None) -> bytes:
    """A native bank → Moodle XML (UTF-8 bytes). Approximations go into ``warnings``.

    ``variants`` is the number of dataset items of every numeric template (``calculated``);
    the first item is always the default variant (the source problem's numbers).
    """
    variants = max(1, int(variants))
    sink = warnings if warnings is not None else []
    meta = bank.get("bank") or {}
    bank_slug = meta.get("slug") or "bank"
    root = ET.Element("quiz")
    topics = {t["slug"]: t for t in bank.get("topics") or []}

    def path_of(slug: str | None) -> list[str]:
        names, seen = [], set()
        while slug and slug in topics and slug not in seen:
            seen.add(slug)
            names.append(topics[slug]["title"])
            slug = topics[slug].get("parent")
        return [meta.get("title") or bank_slug, *reversed(names)]

    groups: dict[str | None, list[dict]] = {}
    for entry in bank.get("questions") or []:
        groups.setdefault(entry.get("topic"), []).append(entry)
    order = [None, *topics] + [t for t in groups if t is not None and t not in topics]
    for topic in order:
        if topic not in groups:
            continue
        segments = [s.replace("/", "//") for s in path_of(topic)]
        category = ET.SubElement(root, "question", type="category")
        _text_element(category, "category", "$course$/top/" + "/".join(segments), fmt=None)
        for entry in groups[topic]:
            try:
                element = _export_question(entry, variants, sink, bank_slug)
            except GraderError as exc:
                sink.append(_export_problem(bank_slug, entry, f"не экспортирован: {exc.message}"))
                continue
            root.append(element)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _export_problem(bank_slug: str, entry: dict, message: str) -> Problem:
    return Problem(
        bank_slug, None, None, f"вопрос {entry.get('slug')}: {message}", "export", "warning"
    )


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text_element(parent, tag: str, text: str, fmt: str | None = "html"):
    element = ET.SubElement(parent, tag, format=fmt) if fmt else ET.SubElement(parent, tag)
    ET.SubElement(element, "text").text = _XML_INVALID.sub("", text or "")  # XML 1.0 forbids them
    return element


def _simple(parent, tag: str, text) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(text)
    return element


def _number_text(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _fraction_text(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _question_shell(entry: dict, qtype: str, text_html: str, solution_html: str):
    question = ET.Element("question", type=qtype)
    _text_element(question, "name", entry.get("title") or entry.get("slug"), fmt=None)
    _text_element(question, "questiontext", text_html)
    _text_element(question, "generalfeedback", solution_html)
    _simple(question, "defaultgrade", "1")
    _simple(question, "penalty", "0.3333333")
    _simple(question, "hidden", "0")
    _simple(question, "idnumber", entry.get("slug", ""))
    return question


def _finish(question, entry: dict, hints_html: list[str]):
    for hint in hints_html:
        _text_element(question, "hint", hint)
    tags = list(entry.get("tags") or [])
    if tags:
        holder = ET.SubElement(question, "tags")
        for tag in tags:
            tag_element = ET.SubElement(holder, "tag")
            ET.SubElement(tag_element, "text").text = tag
    return question


def _render(template: str, values: dict) -> str:
    from grader.templating import render

    return render(template or "", values)


def _export_question(entry: dict, variants: int, sink: list, bank_slug: str) -> ET.Element:
    _, spec = split_question(entry)
    kind = spec.get("kind")
    has_params = bool(spec.get("params"))
    if kind == "numeric" and has_params:
        calculated = _export_calculated(entry, spec, variants, sink, bank_slug)
        if calculated is not None:
            return calculated
    var = variant(spec, None)
    values = var.values
    module = kinds.get(kind)
    expected = module.expected(spec, values) if kind != "flashcard" else None
    context = {**values}
    if expected is not None and kind in ("numeric", "vector", "matrix"):
        context["answer"] = _plainify(expected)
    text_html = native_to_html(_render(spec.get("text") or spec.get("front", ""), values))
    solution_source = spec.get("solution", "") if kind != "flashcard" else ""
    try:
        solution_html = native_to_html(_render(solution_source, context))
    except GraderError:
        solution_html = ""
    hints_html = [native_to_html(_render(h, values)) for h in spec.get("hints") or []]
    if has_params and kind not in ("numeric",):
        sink.append(
            _export_problem(
                bank_slug,
                entry,
                "шаблон с параметрами экспортирован одним вариантом (по умолчанию)",
            )
        )
    if kind == "numeric":
        question = _question_shell(entry, "numerical", text_html, solution_html)
        bound = _absolute_bound(spec.get("tolerance"), expected)
        _numerical_answer(question, expected, bound, 100, "")
        for mistake in spec.get("mistakes") or []:
            try:
                wrong = compute_value(mistake.get("answer"), values)
            except GraderError:
                continue
            if isinstance(wrong, int | float) and not isinstance(wrong, bool):
                feedback = native_to_html(_render(mistake.get("feedback", ""), values))
                _numerical_answer(question, wrong, bound, 0, feedback)
        _simple(question, "unitgradingtype", "0")
        _simple(question, "unitpenalty", "0.1000000")
        _simple(question, "showunits", "3")
        _simple(question, "unitsleft", "0")
        return _finish(question, entry, hints_html)
    if kind in ("single_choice", "multiple_choice"):
        question = _question_shell(entry, "multichoice", text_html, solution_html)
        options = spec.get("options") or []
        single = kind == "single_choice"
        right = [o for o in options if o.get("correct")]
        wrong_count = len(options) - len(right)
        _simple(question, "single", "true" if single else "false")
        _simple(question, "shuffleanswers", "true" if spec.get("shuffle", True) else "false")
        _simple(question, "answernumbering", "abc")
        _simple(question, "showstandardinstruction", "0")
        for option in options:
            if option.get("correct"):
                fraction = 100.0 if single else 100.0 / len(right)
            else:
                # our multiple choice subtracts 1/(number wrong) per wrong option, as here
                fraction = 0.0 if single or not wrong_count else -100.0 / wrong_count
            answer = _text_element(
                question, "answer", native_to_html(_render(option.get("text", ""), values))
            )
            answer.set("fraction", _fraction_text(fraction))
            _text_element(
                answer, "feedback", native_to_html(_render(option.get("feedback", ""), values))
            )
        return _finish(question, entry, hints_html)
    if kind == "short_text":
        question = _question_shell(entry, "shortanswer", text_html, solution_html)
        _simple(question, "usecase", "0")
        for accepted in spec.get("answers") or []:
            _short_answer(question, str(accepted), 100, "")
        for mistake in spec.get("mistakes") or []:
            answer = mistake.get("answer")
            if isinstance(answer, dict) and isinstance(answer.get("value"), str):
                feedback = native_to_html(_render(mistake.get("feedback", ""), values))
                _short_answer(question, answer["value"], 0, feedback)
        return _finish(question, entry, hints_html)
    if kind == "flashcard":
        question = _question_shell(entry, "essay", text_html, "")
        _simple(question, "responseformat", "editor")
        _simple(question, "responserequired", "1")
        _simple(question, "responsefieldlines", "10")
        _simple(question, "attachments", "0")
        _simple(question, "attachmentsrequired", "0")
        _text_element(question, "graderinfo", native_to_html(_render(spec.get("back", ""), values)))
        _text_element(question, "responsetemplate", "")
        return _finish(question, entry, hints_html)
    if kind in ("vector", "matrix"):
        sink.append(
            _export_problem(
                bank_slug,
                entry,
                f"{'вектор' if kind == 'vector' else 'матрица'}: экспортирован вариант по "
                "умолчанию как вопрос cloze с числовым полем на каждый элемент",
            )
        )
        bound = _absolute_bound(spec.get("tolerance"), expected, elementwise=True)
        question = ET.Element("question", type="cloze")
        _text_element(question, "name", entry.get("title") or entry.get("slug"), fmt=None)
        _text_element(question, "questiontext", text_html + _cloze_fields(expected, bound))
        _text_element(question, "generalfeedback", solution_html)
        _simple(question, "penalty", "0.3333333")
        _simple(question, "hidden", "0")
        _simple(question, "idnumber", entry.get("slug", ""))
        return _finish(question, entry, hints_html)
    if kind == "expression":
        sink.append(
            _export_problem(
                bank_slug,
                entry,
                "выражение: экспортировано как короткий ответ с текстом эталона — Moodle "
                "засчитает только точное совпадение записи",
            )
        )
        question = _question_shell(entry, "shortanswer", text_html, solution_html)
        _simple(question, "usecase", "0")
        for accepted in _expression_spellings(spec, values, expected):
            _short_answer(question, accepted, 100, "")
        return _finish(question, entry, hints_html)
    raise GraderError(f"тип {kind} не экспортируется", code=ErrorCode.UNSUPPORTED)


def _plainify(value):
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _expression_spellings(spec: dict, values: dict, expected) -> list[str]:
    import sympy

    spellings = []
    answer = spec.get("answer")
    text = answer.get("expr") if isinstance(answer, dict) else answer
    if isinstance(text, str):
        node = parse_expression(text)
        if not (names_in(node) - set(spec.get("variables") or [])):
            spellings.append(str(node))
    spellings.append(sympy.sstr(expected).replace("**", "^"))
    return list(dict.fromkeys(spellings))


def _short_answer(question, text: str, fraction: float, feedback_html: str):
    # Moodle's shortanswer treats * as a wildcard: a literal star is written \*
    answer = _text_element(question, "answer", text.replace("*", "\\*"), fmt="moodle_auto_format")
    answer.set("fraction", _fraction_text(fraction))
    _text_element(answer, "feedback", feedback_html)


def _numerical_answer(question, value, tolerance: float, fraction: float, feedback_html: str):
    answer = _text_element(question, "answer", _number_text(value), fmt="moodle_auto_format")
    answer.set("fraction", _fraction_text(fraction))
    _text_element(answer, "feedback", feedback_html)
    _simple(answer, "tolerance", _number_text(tolerance))


def _sig_bound(magnitude: float, sig: int) -> float:
    if magnitude == 0:
        return 0.5 * 10.0**-sig
    return 0.5 * 10.0 ** (math.floor(math.log10(magnitude)) - sig + 1)


def _absolute_bound(tolerance, expected, *, elementwise: bool = False) -> float | list:
    """The absolute half-width our tolerance accepts around ``expected`` (Moodle's nominal)."""
    import numpy as np

    if elementwise:
        flat = np.asarray(expected, dtype=float).ravel().tolist()
        is_int = np.asarray(expected).dtype.kind in "iub"
        return [_absolute_bound(tolerance, int(v) if is_int else v) for v in flat]
    tol = dict(tolerance or {})
    magnitude = abs(float(expected))
    if not tol:
        if isinstance(expected, int):
            return 0.0
        return max(1e-9, 0.005 * magnitude)
    bound = 0.0
    if tol.get("abs") is not None:
        bound = max(bound, float(tol["abs"]))
    if tol.get("rel") is not None:
        bound = max(bound, float(tol["rel"]) * magnitude)
    if tol.get("sig") is not None:
        bound = max(bound, _sig_bound(magnitude, int(tol["sig"])))
    if tol.get("geo") is not None:
        bound = max(bound, float(tol["geo"]) * magnitude / (1 + float(tol["geo"])))
    return bound


def _cloze_fields(expected, bounds: list) -> str:
    import numpy as np

    array = np.asarray(expected)
    flat = array.ravel().tolist()
    fields = [
        f"{{1:NUMERICAL:={_number_text(v)}:{_number_text(b)}}}"
        for v, b in zip(flat, bounds, strict=True)
    ]
    if array.ndim == 1:
        return "<p>Ответ: (" + "; ".join(fields) + ")</p>"
    cols = array.shape[1]
    rows = [" ".join(fields[r * cols : (r + 1) * cols]) for r in range(array.shape[0])]
    return "<p>Ответ (по строкам):<br>" + "<br>".join(rows) + "</p>"


def _moodle_tolerance(tolerance, keys: list) -> tuple[int, float, str]:
    """Our tolerance → (Moodle tolerance type, value, note about an approximation or '')."""
    tol = {k: v for k, v in dict(tolerance or {}).items() if v is not None}
    if not tol:
        if all(isinstance(k, int) for k in keys):
            return 2, 0.0, ""
        return 1, 0.005, ""
    note = "" if len(tol) == 1 else "из нескольких критериев допуска оставлен один"
    if "rel" in tol:
        return 1, float(tol["rel"]), note
    if "abs" in tol:
        return 2, float(tol["abs"]), note
    if "sig" in tol:
        approx = "допуск по значащим цифрам заменён относительным 0,5·10^(1−sig)"
        return 1, 0.5 * 10.0 ** (1 - int(tol["sig"])), approx
    return 3, float(tol["geo"]), note


def _scalar_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _dataset_value(value, fmt: str | None) -> str | None:
    """How a placeholder's value is stored in the dataset: as our text shows it, if a number."""
    if not _scalar_number(value):
        return None
    try:
        shown = format_value(value, fmt)
        float(shown)
    except (ValueError, GraderError):
        shown = f"{float(value):.6g}"
    return shown


def _export_calculated(entry, spec, variants, sink, bank_slug) -> ET.Element | None:
    module = kinds.get("numeric")
    texts = {
        "text": spec.get("text", ""),
        "solution": spec.get("solution", ""),
        "hints": list(spec.get("hints") or []),
        "mistakes": [m.get("feedback", "") for m in spec.get("mistakes") or []],
    }
    found: list[tuple[str, str | None]] = []
    for template in [texts["text"], texts["solution"], *texts["hints"], *texts["mistakes"]]:
        for pair in placeholders(template):
            if pair not in found:
                found.append(pair)
    param_names = set((spec.get("params") or {}) | (spec.get("derived") or {})) | {"answer"}
    wildcard_of: dict[tuple, str] = {}
    taken = {"ans"}
    for expr, fmt in found:
        base = expr if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", expr) and expr in param_names else ""
        name = base or f"v{len(wildcard_of) + 1}"
        if fmt and base:
            name = f"{base}_f"
        stem, n = name, 2
        while name in taken:
            name = f"{stem}{n}"
            n += 1
        taken.add(name)
        wildcard_of[(expr, fmt)] = name
    mistakes = list(spec.get("mistakes") or [])
    mistake_names = []
    for i in range(len(mistakes)):
        name, n = f"m{i + 1}", 2
        while name in taken:
            name = f"m{i + 1}_{n}"
            n += 1
        taken.add(name)
        mistake_names.append(name)

    rows, keys, seen = [], [], set()
    usable_mistakes = [True] * len(mistakes)
    for seed in [None, *range(variants * 3)]:
        if len(rows) >= variants:
            break
        try:
            var = variant(spec, seed)
            values = var.values
            key = module.expected(spec, values)
        except GraderError:
            continue  # a seed the engine refuses: take the next one
        context = {**values, "answer": key}
        row = {}
        for (expr, fmt), name in wildcard_of.items():
            try:
                value = evaluate(parse_expression(expr), context)
            except ParseError:
                value = None
            shown = _dataset_value(value, fmt)
            if shown is None:
                sink.append(
                    _export_problem(
                        bank_slug,
                        entry,
                        f"подстановка «{expr}» не число: экспортирован один вариант как numerical",
                    )
                )
                return None
            row[name] = shown
        row["ans"] = _number_text(key)
        for i, mistake in enumerate(mistakes):
            try:
                wrong = compute_value(mistake.get("answer"), values)
            except GraderError:
                wrong = None
            if _scalar_number(wrong):
                row[mistake_names[i]] = _number_text(wrong)
            else:
                usable_mistakes[i] = False
        signature = tuple(sorted(row.items()))
        if signature in seen:
            continue
        seen.add(signature)
        rows.append(row)
        keys.append(key)
    if not rows:
        raise GraderError("не удалось получить ни одного варианта", code=ErrorCode.NO_VARIANTS)
    if len(rows) < variants:
        sink.append(
            _export_problem(
                bank_slug, entry, f"получено только {len(rows)} различных вариантов из {variants}"
            )
        )

    def substitute(template: str) -> str:
        def replace(match: re.Match) -> str:
            inner = match.group(1)
            expr, sep, fmt = inner.partition(":")
            pair = (expr.strip(), fmt.strip() if sep else None)
            return "{" + wildcard_of[pair] + "}"

        from grader.templating import PLACEHOLDER

        return native_to_html(PLACEHOLDER.sub(replace, template or ""))

    question = _question_shell(
        entry, "calculated", substitute(texts["text"]), substitute(texts["solution"])
    )
    _simple(question, "synchronize", "0")
    _simple(question, "single", "0")
    _simple(question, "answernumbering", "abc")
    _simple(question, "shuffleanswers", "0")
    tolerance_type, tolerance, note = _moodle_tolerance(spec.get("tolerance"), keys)
    if note:
        sink.append(_export_problem(bank_slug, entry, note))
    all_int = all(isinstance(k, int) for k in keys)
    answers = [("ans", 100.0, "")]
    for i, mistake in enumerate(mistakes):
        if usable_mistakes[i]:
            answers.append((mistake_names[i], 0.0, substitute(mistake.get("feedback", ""))))
        else:
            sink.append(
                _export_problem(bank_slug, entry, f"типичная ошибка №{i + 1} не экспортирована")
            )
    for name, fraction, feedback in answers:
        answer = _text_element(question, "answer", "{" + name + "}", fmt="moodle_auto_format")
        answer.set("fraction", _fraction_text(fraction))
        _simple(answer, "tolerance", _number_text(tolerance))
        _simple(answer, "tolerancetype", str(tolerance_type))
        _simple(answer, "correctanswerformat", "1" if all_int else "2")
        _simple(answer, "correctanswerlength", "0" if all_int else "4")
        _text_element(answer, "feedback", feedback)
    _simple(question, "unitgradingtype", "0")
    _simple(question, "unitpenalty", "0.1000000")
    _simple(question, "showunits", "3")
    _simple(question, "unitsleft", "0")
    definitions = ET.SubElement(question, "dataset_definitions")
    columns = [*wildcard_of.values(), "ans"] + [
        mistake_names[i] for i in range(len(mistakes)) if usable_mistakes[i]
    ]
    for name in columns:
        column = [row[name] for row in rows]
        numbers = [float(v) for v in column]
        decimals = [d for d in (_decimals_of(v) for v in column) if d is not None]
        definition = ET.SubElement(definitions, "dataset_definition")
        _text_element(definition, "status", "private", fmt=None)
        _text_element(definition, "name", name, fmt=None)
        _simple(definition, "type", "calculated")
        _text_element(definition, "distribution", "uniform", fmt=None)
        _text_element(definition, "minimum", _number_text(min(numbers)), fmt=None)
        _text_element(definition, "maximum", _number_text(max(numbers)), fmt=None)
        _text_element(definition, "decimals", str(min(max(decimals, default=0), 10)), fmt=None)
        _simple(definition, "itemcount", len(column))
        items = ET.SubElement(definition, "dataset_items")
        for number, value in enumerate(column, start=1):
            item = ET.SubElement(items, "dataset_item")
            _simple(item, "number", number)
            _simple(item, "value", value)
        _simple(definition, "number_of_items", len(column))
    hints = [substitute(h) for h in texts["hints"]]
    return _finish(question, entry, hints)
