"""YAML → plain data with the line and column of every value, safely.

PyYAML's composer gives nodes with positions; we build the data ourselves so that every value's
path (``("questions", 3, "text")``) maps to where it stands in the file. Only the safe YAML subset
is accepted: no tags beyond the standard scalars, no anchors/aliases (they allow exponential
"billion laughs" expansion and bank files do not need them), no duplicate keys (a silent overwrite
would hide an author's mistake), and no nesting deeper than :data:`MAX_DEPTH` — PyYAML composes
recursively, so ``[[[[…]]]]`` ten thousand deep would end in a ``RecursionError``; the loader
counts the depth as it composes and stops at the first node too deep, naming its line.
"""

from __future__ import annotations

import yaml
from django.utils.translation import gettext as _
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from question_bank.formats.yaml_errors import YamlError, explain

__all__ = ["load_with_positions", "YamlError", "KEY", "MAX_DEPTH", "MAX_NODES"]

# ``positions[(*path, KEY)]`` is where the key of the value at ``path`` stands.
KEY = ":key"

MAX_NODES = 200_000
# A bank is bank → questions → a question → spec → params → a parameter → a list of values, about
# eight levels; 64 leaves room for any honest file and keeps the recursion far from Python's limit.
MAX_DEPTH = 64
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Builder:
    def __init__(self):
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.seen: set[int] = set()
        self.count = 0
        self.constructor = SafeConstructor()

    def build(self, node, path: tuple):
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if id(node) in self.seen:
            raise YamlError(_("якоря и ссылки YAML (&, *) не поддерживаются"), line, column)
        self.seen.add(id(node))
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                _("слишком много элементов (больше %(max_nodes)s)") % {"max_nodes": MAX_NODES},
                line,
                column,
            )
        self.positions[path] = (line, column)
        if not isinstance(node, ScalarNode) and node.tag not in _COLLECTION_TAGS:
            raise YamlError(_("недопустимый тег YAML %(tag)s") % {"tag": node.tag}, line, column)
        if isinstance(node, MappingNode):
            result = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise YamlError(_("ключ должен быть строкой"), *_mark(key_node))
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError(_("слияние (<<) не поддерживается"), *_mark(key_node))
                key = self.scalar(key_node)
                if key in result:
                    raise YamlError(
                        _("ключ «%(key)s» повторяется") % {"key": key}, *_mark(key_node)
                    )
                # The key's own place too: a problem of a whole list («constraints:») is shown
                # at its key, not at the first item on the next line.
                self.positions[(*path, key, KEY)] = _mark(key_node)
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node):
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            raise YamlError(
                _("недопустимый тег YAML %(tag)s: %(problem)s")
                % {"tag": node.tag, "problem": exc.problem},
                *_mark(node),
            ) from None


def too_deep_message() -> str:
    return _("файл вложен слишком глубоко (больше %(max_depth)s уровней)") % {
        "max_depth": MAX_DEPTH
    }


class _BoundedLoader(yaml.SafeLoader):
    """A safe loader whose composer refuses a node nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlError(too_deep_message(), mark.line + 1, mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_with_positions(text: str) -> tuple[object, dict[tuple, tuple[int, int]]]:
    """Parse one YAML document → (data, {path: (line, column)}). Raises :class:`YamlError`."""
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
    except yaml.MarkedYAMLError as exc:
        raise explain(exc, text) from None
    except yaml.YAMLError as exc:
        raise YamlError(_("синтаксическая ошибка YAML: %(exc)s") % {"exc": exc}) from None
    if node is None:
        raise YamlError(_("файл пуст"), 1, 1)
    builder = _Builder()
    return builder.build(node, ()), builder.positions
