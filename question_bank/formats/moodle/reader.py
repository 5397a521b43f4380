"""Safe reading of a Moodle XML file into a small element tree that knows its line numbers.

The file is parsed by ``defusedxml``'s SAX parser with DTDs forbidden (so no entity expansion, no
external entities: a billion-laughs or XXE file is refused with a :class:`Problem`, never
expanded), within :data:`MAX_BYTES`, :data:`MAX_ELEMENTS` and :data:`MAX_DEPTH` (the reading is
flat, but whatever walks the tree afterwards must not meet 100,000 nested elements); the SAX
locator gives every element its line, so each problem of an import can name the line of its
``<question>``.
"""

from __future__ import annotations

import xml.sax
import xml.sax.handler

import defusedxml
import defusedxml.sax
from django.utils.translation import gettext as _

from question_bank.formats.common import Problem
from quizapp.core.errors import ErrorCode

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_ELEMENTS", "Element", "read_xml"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ELEMENTS = 500_000
MAX_DEPTH = 64  # a Moodle export nests about eight deep (quiz → question → … → text)


class Element:
    """An XML element with the line it starts on; ``text`` is its character data."""

    __slots__ = ("tag", "attrs", "line", "children", "_text")

    def __init__(self, tag: str, attrs: dict, line: int | None):
        self.tag, self.attrs, self.line = tag, attrs, line
        self.children: list[Element] = []
        self._text: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self._text)

    def find(self, tag: str) -> Element | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[Element]:
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


class _TooDeep(Exception):
    def __init__(self, line: int | None):
        super().__init__(line)
        self.line = line


class _TreeBuilder(xml.sax.handler.ContentHandler):
    def __init__(self):
        super().__init__()
        self.root: Element | None = None
        self.stack: list[Element] = []
        self.locator = None
        self.count = 0

    def setDocumentLocator(self, locator):
        self.locator = locator

    def startElement(self, name, attrs):
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise _TooManyElements
        line = self.locator.getLineNumber() if self.locator is not None else None
        if len(self.stack) >= MAX_DEPTH:
            raise _TooDeep(line)
        element = Element(name, dict(attrs.items()), line)
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


def read_xml(data: bytes, filename: str) -> tuple[Element | None, Problem | None]:
    """The root element, or the problem that stopped the reading (with its line where known)."""
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
            _(
                "объявление DOCTYPE запрещено: через него раздувают сущности и читают внешние "
                "файлы, а в экспорте Moodle XML его не бывает"
            ),
            code=ErrorCode.XML_FORBIDDEN,
        )
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        return None, Problem(
            filename,
            _line_of(data, b"<!ENTITY"),
            None,
            _("объявления сущностей и внешние ссылки запрещены"),
            code=ErrorCode.XML_FORBIDDEN,
        )
    except _TooManyElements:
        message = _("в файле больше %(max_elements)s элементов") % {"max_elements": MAX_ELEMENTS}
        return None, Problem(filename, None, None, message, code=ErrorCode.TOO_LARGE)
    except _TooDeep as exc:
        message = _("файл вложен слишком глубоко (больше %(max_depth)s уровней)") % {
            "max_depth": MAX_DEPTH
        }
        return None, Problem(filename, exc.line, None, message, code=ErrorCode.XML_SYNTAX)
    except xml.sax.SAXParseException as exc:
        return None, Problem(
            filename,
            exc.getLineNumber(),
            (exc.getColumnNumber() or 0) + 1,
            _("файл не является корректным XML: %(getmessage)s") % {"getmessage": exc.getMessage()},
            code=ErrorCode.XML_SYNTAX,
        )
    except xml.sax.SAXException as exc:
        message = _("ошибка чтения XML: %(getmessage)s") % {"getmessage": exc.getMessage()}
        return None, Problem(filename, None, None, message, code=ErrorCode.XML_SYNTAX)
    return builder.root, None
