"""A short text answer matched against the bank's accepted answers.

A student's answer and each accepted answer are cut into tokens and compared token by token, in
order (word order is kept on purpose: a bag of words would let «градиент затухания» pass for
«затухание градиента», and a lecturer must be able to trust that no wrong answer is accepted).

What the comparison ignores (``normalize`` gives the surface form):

- case, «ё»/«е», Unicode compatibility forms (NFKC: non-breaking spaces, full-width letters),
  stress marks;
- spaces, dashes and hyphens of every kind (``Сёренсена-Дайса`` = ``Сёренсена — Дайса``), quotes,
  brackets and the punctuation ``. , ; : ! ? …`` — they separate words and are not words; other
  signs (``= + * / < > %``) stay tokens, a minus before a number stays its sign, and a dot
  between digits stays a decimal point (a comma is always a separator: ``(3,3)`` = ``(3, 3)``);
- Latin/Cyrillic look-alike letters, per token: a token mixing both scripts is read in the script
  that leaves no letter of the other (``XOR`` typed with Cyrillic «Х» and «О» is ``xor``), and a
  Cyrillic token made only of look-alikes as typed (``Не``) may also be read as Latin (``He``);
  a Russian word always keeps its own reading too («Мера» is «мера»), and «не», «ни», «нет»
  before another word are never read as Latin;
- two words written as one (``AdaGrad`` = ``Ada Grad``) when no token is a number.

Per accepted answer (a string, or a mapping in the bank, docs/bank-format.md):

- ``match: lemmatized`` (the default) also accepts other forms of Russian words: each Cyrillic
  word is compared through its lemmas from pymorphy3 (participles keep their voice and tense:
  «обученный» is not «обучающий»); no word is ever dropped, so «не …» stays a negation;
- ``match: normalized`` compares the normalised surface forms only;
- ``match: exact`` compares the text as typed, only spaces collapsed;
- ``keywords: [...]`` accepts any answer that contains every keyword (lemmatised, in any order)
  and no negation word the keywords do not have; ``text`` is then what the key shows;
- ``typos: false`` turns typo tolerance off for this answer (the question's ``typos`` is the
  default, itself on by default);
- ``fraction`` (default 1) is the share of the mark the answer earns, as a Moodle short answer's
  grade: the score is the highest fraction among the accepted answers the student's answer
  matches (Moodle takes the first matching answer in its order, ``get_matching_answer``; the
  best one is the same whenever a fuller answer is not shadowed by a looser one written before
  it, and never takes credit away). At least one answer has fraction 1, as Moodle requires
  («one of the answers should have a score of 100 %»); the key shown is the first of those;
- ``feedback``: what a student whose answer matched this one reads (Moodle's per-answer
  feedback).

Typo tolerance: one edit (Damerau: insertion, deletion, substitution or transposition of
neighbours) per word, only for words of at least :data:`TYPO_MIN_LENGTH` letters, never in a
word with digits, and never when the student's word is itself a word: a Russian dictionary word
(«выходной» is not a typo of «входной») or a word of the question's accepted answers or typical
mistakes. The verdict then says «Принято с опечаткой: правильно — «…».».

An accepted answer ``A (B)`` where one side is an abbreviation, one word with at least two
capitals (``Intersection over Union (IoU)``), is an alias pair: ``A``, ``B``, ``A B`` and
``B A`` are accepted. A student who writes ``A (B)`` must be right on both sides (each side
matches an accepted answer), so a hedge like ``ReLU (или сигмоида)`` is not accepted. Empty
brackets are punctuation (``model.eval()`` = ``model.eval``).

Regular expressions in banks are deliberately not supported (catastrophic backtracking on
hostile input); list the accepted spellings instead.

>>> normalize("  «Мера Сёренсена-Дайса».")
'мера серенсена дайса'
>>> normalize("ХОR")  # Cyrillic Х and О, Latin R: one word in one script
'xor'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from grader.errors import ParseError, SpecError
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest

__all__ = [
    "INPUT_HINT",
    "MAX_LENGTH",
    "MATCH_MODES",
    "TYPO_MIN_LENGTH",
    "Answer",
    "answers_of",
    "display",
    "expected",
    "matches",
    "normalize",
    "parse",
    "redundant_pairs",
    "score",
    "self_test",
]

INPUT_HINT = gettext_noop("короткий ответ словами")
MAX_LENGTH = 300
MATCH_MODES = ("exact", "normalized", "lemmatized")
TYPO_MIN_LENGTH = 6
NEGATIONS = frozenset({"не", "ни", "нет", "not", "no"})

# Look-alikes of the two scripts, by case (lower-case «в», «н», «т», «м», «к» do not look Latin).
_CYR_TO_LAT = dict(zip("АВЕКМНОРСТУХаеорсух", "ABEKMHOPCTYXaeopcyx", strict=True))
_LAT_TO_CYR = {lat: cyr for cyr, lat in _CYR_TO_LAT.items()}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# A minus before a number (not after a word: «L2-регуляризация»), a decimal number, a word, a sign.
_TOKEN = re.compile(r"(?<![\w.])-\d+(?:\.\d+)*|\d+(?:\.\d+)+|\w+|[^\w\s]")
_SEPARATORS = set(".,;:!?…·'\"`") | {"-"}
# «A (B)» with a space before the bracket: «f(x)», «train(False)» are calls, not alias pairs.
_BRACKETS = re.compile(r"^(?P<outer>[^()]*?)\s+\((?P<inner>[^()]+)\)\s*$")


# ---------------------------------------------------------------------------------------------
# Tokens


class _Token(str):
    """A normalised word; ``skeleton`` is its Latin reading when it is made only of look-alikes."""

    skeleton: str | None = None


def _resolve_mixed(token: str) -> str:
    """A token mixing both scripts, read in the script that leaves no letter of the other."""
    if not (_CYRILLIC.search(token) and _LATIN.search(token)):
        return token
    latin = "".join(_CYR_TO_LAT.get(ch, ch) for ch in token)
    if not _CYRILLIC.search(latin):
        return latin
    cyrillic = "".join(_LAT_TO_CYR.get(ch, ch) for ch in token)
    return cyrillic if not _LATIN.search(cyrillic) else token


def _skeleton(token: str) -> str | None:
    """The Latin reading of a Cyrillic token made only of look-alikes («Не» → ``he``), as typed:
    lower-case «н», «в», «т», «м», «к» do not look Latin, so «не» has none. An alternative
    reading only, next to the word itself, so «Мера» is still the Russian «мера»."""
    letters = [ch for ch in token if ch.isalpha()]
    if letters and _CYRILLIC.search(token) and all(ch in _CYR_TO_LAT for ch in letters):
        return _fold("".join(_CYR_TO_LAT.get(ch, ch) for ch in token))
    return None


def _fold(token: str) -> str:
    return token.casefold().replace("ё", "е")


def _tokens(text: str) -> list[_Token]:
    """Normalised tokens of ``text`` (case folded, look-alikes read, punctuation dropped)."""
    text = unicodedata.normalize("NFKC", text)
    # Dashes are one hyphen; stress marks («затуха́ние», copied from a dictionary) are nothing.
    text = text.translate({ord(ch): "-" for ch in _DASHES} | {0x300: None, 0x301: None})
    raw = [t for t in _TOKEN.findall(text) if t not in _SEPARATORS and not _is_bracket(t)]
    several = len(raw) > 1
    out = []
    for piece in raw:
        resolved = _resolve_mixed(piece)
        token = _Token(_fold(resolved))
        if not (several and token in NEGATIONS):
            # «Не …» before another word is Russian, never the Latin «He».
            token.skeleton = _skeleton(resolved)
        out.append(token)
    return out


def _is_bracket(token: str) -> bool:
    return len(token) == 1 and unicodedata.category(token) in ("Ps", "Pe", "Pi", "Pf", "Pd")


def normalize(text: str) -> str:
    """The answer as the comparison sees it, word forms aside (also used to group answers).

    >>> normalize("Intersection over Union (IoU)")
    'intersection over union iou'
    >>> normalize("net.eval()")
    'net eval'
    """
    return " ".join(_tokens(text or ""))


# ---------------------------------------------------------------------------------------------
# Russian word forms (pymorphy3, loaded once, lazily: ~0.3 s and ~20 MB)

_MORPH = None


def _morph():
    global _MORPH
    if _MORPH is None:
        import logging

        import pymorphy3

        # Its INFO banner (dictionary path and revision) would land in every worker's log.
        logging.getLogger("pymorphy3").setLevel(logging.WARNING)
        _MORPH = pymorphy3.MorphAnalyzer(lang="ru")
    return _MORPH


def _is_russian(token: str) -> bool:
    return bool(token) and all("а" <= ch <= "я" or ch == "ё" for ch in token)


@lru_cache(maxsize=8192)
def _lemmas(token: str) -> frozenset[str]:
    """The lemmas of a Russian word (every parse), itself for anything else."""
    if not _is_russian(token):
        return frozenset({token})
    forms = {token}
    for parse in _morph().parse(token):
        lemma = parse.normal_form
        if {"PRTF", "PRTS"} & parse.tag.grammemes:
            # A participle's normal form is its verb: «обученная» and «обучающая» would meet.
            inflected = parse.inflect({"sing", "masc", "nomn"})
            lemma = inflected.word if inflected else token
        forms.add(lemma.replace("ё", "е"))
    return frozenset(forms)


@lru_cache(maxsize=4096)
def _word_forms(token: str) -> frozenset[str]:
    """Every form of every lexeme of a Russian word (to find a typo in another form)."""
    if not _is_russian(token):
        return frozenset({token})
    forms = {token}
    for parse in _morph().parse(token)[:3]:
        forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
    return frozenset(forms)


@lru_cache(maxsize=4096)
def _is_known_word(token: str) -> bool:
    return _is_russian(token) and _morph().word_is_known(token)


def _one_edit(a: str, b: str) -> bool:
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b, score_cutoff=1) == 1


# ---------------------------------------------------------------------------------------------
# Accepted answers


@dataclass(frozen=True)
class Answer:
    """One accepted answer of a question, with its matching options."""

    text: str
    match: str = "lemmatized"
    typos: bool = True
    keywords: tuple[str, ...] = ()
    fraction: float = 1.0
    feedback: str = ""  # what a student who gives this answer reads (a Moodle answer's feedback)

    @property
    def variants(self) -> list[list[str]]:
        """Token lists this answer accepts (an alias pair in brackets gives several)."""
        found = _BRACKETS.match(self.text)
        whole = _tokens(self.text)
        if not found or not found["outer"].strip():
            return [whole]
        outer, inner = found["outer"].strip(), found["inner"].strip()
        if not (_is_alias(outer) or _is_alias(inner)):
            return [whole]
        first, second = _tokens(outer), _tokens(inner)
        return _unique([whole, second + first, first, second])


def _is_alias(part: str) -> bool:
    """An abbreviation: one word with at least two capitals (``IoU``, ``ReLU``, ``СНС``).

    ``model.train (False)`` is no alias pair: «False» is a word, not an abbreviation.
    """
    if " " in part or not part.replace("-", "").isalnum():
        return False
    return sum(ch.isupper() for ch in part) >= 2


def _unique(lists: list[list[str]]) -> list[list[str]]:
    seen, out = set(), []
    for item in lists:
        if item and tuple(item) not in seen:
            seen.add(tuple(item))
            out.append(item)
    return out


def answers_of(spec: dict) -> list[Answer]:
    """The spec's accepted answers (strings or mappings) with the question's defaults applied."""
    default_typos = bool(spec.get("typos", True))
    out = []
    for item in spec.get("answers") or []:
        if isinstance(item, dict):
            match = item.get("match") or "lemmatized"
            if match not in MATCH_MODES:
                raise SpecError(
                    _("неизвестный способ сравнения %(match)r; допустимы: %(modes)s")
                    % {"match": match, "modes": ", ".join(MATCH_MODES)},
                    code="bad_match",
                )
            text = str(item.get("text") or "")
            keywords = tuple(str(k) for k in item.get("keywords") or ())
            if not text.strip():
                raise SpecError(_("у принимаемого ответа нет text"), code="no_answer_text")
            typos = item.get("typos")
            out.append(
                Answer(
                    text=text,
                    match=match,
                    typos=default_typos if typos is None else bool(typos),
                    keywords=keywords,
                    fraction=_fraction(item.get("fraction", 1)),
                    feedback=str(item.get("feedback") or ""),
                )
            )
        else:
            out.append(Answer(text=str(item), typos=default_typos))
    return out


def _fraction(value) -> float:
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise SpecError(
            _("fraction принимаемого ответа — число больше 0 и не больше 1"), code="bad_fraction"
        )
    return float(value)


def redundant_pairs(spec: dict) -> list[tuple[str, str]]:
    """Accepted answers an earlier one already covers: ``(kept, redundant)`` pairs.

    An answer is redundant when everything it accepts the earlier answer accepts too, without
    typo tolerance: equal after normalisation, another form of the same Russian words (for
    lemmatised answers), the same words written together, or one side of an alias pair.

    >>> redundant_pairs({"answers": ["ReLU", "relu", "Rectified Linear Unit (ReLU)"]})
    [('ReLU', 'relu')]
    """
    answers = [a for a in answers_of(spec) if a.match != "exact" and not a.keywords]
    pairs = []
    for j, later in enumerate(answers):
        for earlier in answers[:j]:
            wider = earlier.match == "lemmatized" or later.match == "normalized"
            if not wider or earlier.typos != later.typos:
                continue
            strict = Answer(text=earlier.text, match=earlier.match, typos=False)
            if all(
                any(_match_tokens(mine, theirs, strict, frozenset()) for theirs in earlier.variants)
                for mine in later.variants
            ):
                pairs.append((earlier.text, later.text))
                break
    return pairs


# ---------------------------------------------------------------------------------------------
# Matching


@dataclass(frozen=True)
class _Match:
    answer: Answer
    typo: bool


def _same_word(student: str, accepted: str, lemmatized: bool) -> bool:
    if student == accepted:
        return True
    skeleton = getattr(student, "skeleton", None) or student
    if skeleton == (getattr(accepted, "skeleton", None) or accepted):
        return True  # «Хе» typed for «He», or the other way round
    return lemmatized and bool(_lemmas(student) & _lemmas(accepted))


def _typo_of(student: str, accepted: str, lemmatized: bool, vocabulary: frozenset) -> bool:
    if len(accepted) < TYPO_MIN_LENGTH or len(student) < TYPO_MIN_LENGTH - 1:
        return False
    if not (student.isalpha() and accepted.isalpha()):
        return False  # never in numbers, code with digits, or signs
    if student in vocabulary or _is_known_word(student):
        return False  # another word, not a slip of the finger
    targets = _word_forms(accepted) if lemmatized else {accepted}
    return any(_one_edit(student, form) for form in targets)


def _match_tokens(student, accepted, answer: Answer, vocabulary) -> _Match | None:
    lemmatized = answer.match == "lemmatized"
    if len(student) == len(accepted):
        typo = False
        for mine, theirs in zip(student, accepted, strict=True):
            if _same_word(mine, theirs, lemmatized):
                continue
            if answer.typos and _typo_of(mine, theirs, lemmatized, vocabulary):
                typo = True
                continue
            break
        else:
            return _Match(answer, typo)
    numbers = any(t[-1].isdigit() for t in (*student, *accepted))
    if not numbers and "".join(student) == "".join(accepted):
        return _Match(answer, False)  # «Ada Grad» = «AdaGrad», «кросс энтропия» = «кроссэнтропия»
    return None


def _contains(student: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(
        all(_same_word(s, p, True) for s, p in zip(student[i : i + size], phrase, strict=True))
        for i in range(len(student) - size + 1)
    )


def _match_keywords(student: list[str], answer: Answer) -> _Match | None:
    phrases = [_tokens(k) for k in answer.keywords]
    allowed = {t for phrase in phrases for t in phrase}
    if any(t in NEGATIONS and t not in allowed for t in student):
        return None  # «не …» turns any set of right words into a wrong answer
    if all(phrase and _contains(student, phrase) for phrase in phrases):
        return _Match(answer, False)
    return None


def _match_one(raw: str, student: list[str], answer: Answer, vocabulary) -> _Match | None:
    if answer.match == "exact":
        return _Match(answer, False) if " ".join(raw.split()) == answer.text.strip() else None
    if answer.keywords:
        return _match_keywords(student, answer)
    found = [_match_tokens(student, v, answer, vocabulary) for v in answer.variants]
    found = [m for m in found if m]
    return min(found, key=lambda m: m.typo) if found else None


def _best(raw: str, answers: list[Answer], vocabulary) -> _Match | None:
    student = _tokens(raw)
    found = [m for a in answers if (m := _match_one(raw, student, a, vocabulary))]
    if found:
        # The answer worth most; among equals, one matched without a typo.
        return min(found, key=lambda m: (-m.answer.fraction, m.typo))
    # «A (B)» from a student: right only when each side alone is right.
    brackets = _BRACKETS.match(raw)
    if brackets and brackets["outer"].strip():
        sides = [_best(brackets[side], answers, vocabulary) for side in ("outer", "inner")]
        if all(sides):
            # Worth what its weaker side is worth; a typo on either side is reported.
            weaker = min(sides, key=lambda s: s.answer.fraction)
            typo = next((s for s in sides if s.typo), None)
            return _Match(weaker.answer, True) if typo else weaker
    return None


def _vocabulary(spec: dict) -> frozenset[str]:
    """Words of the question's answers and mistakes: a student's word among them is no typo."""
    words = set()
    for item in spec.get("answers") or []:
        text = item.get("text", "") if isinstance(item, dict) else str(item)
        words.update(_tokens(text))
    for mistake in spec.get("mistakes") or []:
        value = mistake.get("answer")
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            words.update(_tokens(value["value"]))
    return frozenset(words)


def _judge(parsed, value, spec: dict) -> _Match | None:
    if isinstance(value, list):
        by_text = {a.text: a for a in answers_of(spec)}
        answers = [by_text.get(str(v)) or Answer(text=str(v)) for v in value]
    else:
        # A typical mistake: compared as words, without typo tolerance.
        answers = [Answer(text=str(value), typos=False)]
    return _best(parsed.value, answers, _vocabulary(spec))


# ---------------------------------------------------------------------------------------------
# The kind's functions


def expected(spec: dict, values: dict):
    answers = answers_of(spec)
    if not answers:
        raise SpecError(_("нужен хотя бы один принимаемый ответ (answers)"), code="no_answers")
    full = [a.text for a in answers if a.fraction >= 1]
    if not full:
        raise SpecError(
            _(
                "хотя бы один принимаемый ответ должен давать полный балл (fraction 1), "
                "как в Moodle"
            ),
            code="no_full_answer",
        )
    # The full-credit answers first: the first is the key shown and the self-test's answer.
    return full + [a.text for a in answers if a.fraction < 1]


def parse(raw: str, spec: dict, expected):
    raw = raw or ""
    if len(raw) > MAX_LENGTH:
        raise ParseError(
            _("Ответ длиннее %(max_length)s символов.") % {"max_length": MAX_LENGTH},
            code="too_long",
        )
    text = " ".join(raw.split())
    # Only punctuation («»,  «...») is no answer, unless an exact answer could be just that.
    if not text or not (normalize(text) or any(a.match == "exact" for a in answers_of(spec))):
        raise ParseError(_("Введите ответ словами."), code="empty")
    return SimpleNamespace(kind="text", value=text, display=text)


def matches(parsed, value, spec: dict) -> bool:
    return _judge(parsed, value, spec) is not None


def score(parsed, expected, spec: dict) -> Outcome:
    found = _judge(parsed, expected, spec)
    if found is None:
        return Outcome(score=0.0, parts=[False])
    message = ""
    if found.typo:
        message = _("Принято с опечаткой: правильно — «%(answer)s».") % {
            "answer": found.answer.text
        }
    fraction = found.answer.fraction
    return Outcome(
        score=fraction,
        parts=[fraction >= 1],
        message=message,
        feedback=found.answer.feedback,
        partial_by_parts=fraction >= 1,
    )


def display(value, spec: dict) -> str:
    return value[0] if isinstance(value, list) else str(value)


def self_test(spec: dict, expected) -> SelfTest:
    return SelfTest(correct=expected[0], wrong=expected[0] + " нет", invalid="   ")
