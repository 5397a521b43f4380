"""Near-duplicate questions across banks: the same exercise copied into two banks.

Two questions are compared on what a student sees — the text (or a card's front and back) and
the options — normalised: placeholders, numbers, LaTeX commands, punctuation and case removed,
so two copies of a template with other numbers or other parameter names look alike. The
similarity is :class:`difflib.SequenceMatcher`'s ratio over the words.

Sibling questions (the same wording for sigmoid and for tanh, for «same» and «valid» padding) are
alike in text too; what tells them apart is the answer. So a pair is reported when

- both have a computed answer (an engine or an expression) of the same shape — the same engine
  with the same arguments, parameter names aside — and the texts are at least
  ``SAME_ANSWER_RATIO`` alike; or
- neither has one (choices, cards, short answers) and the texts are at least ``TEXT_RATIO``
  alike;

and both are of the same kind. Comparing every pair is quadratic; for the ~500 bundled questions
it takes well under a second (``tests/question_bank/test_duplicates.py`` measures it).

>>> a = {"kind": "numeric", "text": "Сколько параметров у Embedding({{ V }}, {{ d }})?",
...      "params": {"V": {}, "d": {}},
...      "answer": {"engine": "embedding_params", "args": {"num": "V", "dim": "d"}}}
>>> b = {"kind": "numeric", "text": "Сколько параметров у слоя Embedding({{ n }}, {{ k }})?",
...      "params": {"n": {}, "k": {}},
...      "answer": {"engine": "embedding_params", "args": {"num": "n", "dim": "k"}}}
>>> round(similarity(a, b), 2) >= SAME_ANSWER_RATIO
True
>>> [(p.first, p.second) for p in near_duplicates([("x", "a", a), ("y", "b", b)])]
[(('x', 'a'), ('y', 'b'))]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["near_duplicates", "similarity", "Pair", "TEXT_RATIO", "SAME_ANSWER_RATIO"]

TEXT_RATIO = 0.85
SAME_ANSWER_RATIO = 0.45

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_NOT_WORD = re.compile(r"[^\w]+|[\d_]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


@dataclass(frozen=True)
class Pair:
    first: tuple[str, str]  # (bank, question slug)
    second: tuple[str, str]
    ratio: float


def words(text: str) -> list[str]:
    """The words a student reads, without numbers, formulas' commands and punctuation."""
    text = _PLACEHOLDER.sub(" ", text or "").lower().replace("ё", "е")
    text = _LATEX_COMMAND.sub(" ", text)
    return _NOT_WORD.sub(" ", text).split()


def _shown(spec: dict) -> list[str]:
    """What the question asks: its text (a card's front), options and matching pairs; not the
    explanations. Matching questions often share a text («Сопоставьте…»): their pairs differ."""
    parts = [spec.get("text") or "", spec.get("front") or ""]
    for option in spec.get("options") or []:
        parts.append(option.get("text", "") if isinstance(option, dict) else str(option))
    for pair in spec.get("pairs") or []:
        if isinstance(pair, dict):
            parts += [pair.get("stem", ""), pair.get("answer", "")]
    parts += [str(d) for d in spec.get("distractors") or []]
    return words(" ".join(str(p) for p in parts))


def answer_shape(spec: dict) -> str | None:
    """How the answer is computed, parameter names blanked, or None for choices and cards.

    Derived values the answer refers to are written out (a few levels deep), so a copy that
    names its intermediate results differently still has the same shape; the engine, its
    argument names, what is picked from its result, functions and literal arguments (a padding
    mode, a stride) are kept.
    """
    answer = spec.get("answer")
    if not isinstance(answer, dict) or not (answer.get("engine") or answer.get("expr")):
        return None
    derived = spec.get("derived") or {}
    names = set(spec.get("params") or {}) | set(derived)

    blanks: dict[str, str] = {}  # parameter → p0, p1… in order of use: (c, c) is not (c, g)

    def expression(text: str, depth: int = 0) -> str:
        def name(match: re.Match) -> str:
            if match[0] in derived and depth < 4:
                return "(" + computation(derived[match[0]], depth + 1) + ")"
            if match[0] in names:
                return blanks.setdefault(match[0], f"p{len(blanks)}")
            return match[0]

        return _IDENTIFIER.sub(name, re.sub(r"\s+", "", str(text)))

    def computation(entry, depth: int = 0) -> str:
        if isinstance(entry, dict) and "engine" in entry:
            args = entry.get("args") or {}
            inside = ",".join(f"{k}={_value(args[k], depth)}" for k in sorted(args))
            return f"{entry['engine']}({inside})[{entry.get('pick')}]"
        if isinstance(entry, dict) and "expr" in entry:
            return expression(entry["expr"], depth)
        return expression(entry, depth) if isinstance(entry, str) else repr(entry)

    def _value(value, depth: int) -> str:
        if isinstance(value, str):
            return expression(value, depth)
        if isinstance(value, list):
            return "[" + ",".join(_value(v, depth) for v in value) + "]"
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    return f"{spec.get('kind')}:" + computation(answer)


def similarity(a: dict, b: dict) -> float:
    """How alike two questions read (0…1), on the normalised words of text and options."""
    return SequenceMatcher(None, _shown(a), _shown(b), autojunk=False).ratio()


def near_duplicates(questions, *, pairs_within: bool = True) -> list[Pair]:
    """Pairs of ``(bank, slug, spec)`` entries that ask the same thing, most alike first.

    ``pairs_within=False`` compares only questions of different banks.
    """
    prepared = [
        (bank, slug, spec.get("kind"), answer_shape(spec), _shown(spec))
        for bank, slug, spec in questions
    ]
    found = []
    for i, (bank_a, slug_a, kind_a, shape_a, words_a) in enumerate(prepared):
        matcher = SequenceMatcher(None, b=words_a, autojunk=False)
        for bank_b, slug_b, kind_b, shape_b, words_b in prepared[i + 1 :]:
            if kind_a != kind_b or shape_a != shape_b or (not pairs_within and bank_a == bank_b):
                continue
            threshold = TEXT_RATIO if shape_a is None else SAME_ANSWER_RATIO
            matcher.set_seq1(words_b)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                found.append(Pair((bank_a, slug_a), (bank_b, slug_b), ratio))
    return sorted(found, key=lambda p: -p.ratio)
