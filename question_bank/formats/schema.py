"""The schema of a native bank file, as pydantic models (docs/bank-format.md, docs/spec.md).

Unknown keys are refused everywhere: a typo (``tolerence``) must be reported, not ignored.
Validation messages are translated to Russian from pydantic's error types.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

__all__ = ["AcceptedAnswer", "BankFile", "Part", "Question", "translate_error"]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}$")]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Number = int | float
Scalar = int | float | str | bool


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class BankMeta(Strict):
    slug: Slug
    title: Short
    description: Text = ""
    language: Literal["ru", "en"] = "ru"
    version: str | int | float = "1"
    authors: list[Short] = []
    license: Annotated[str, StringConstraints(max_length=100)] = ""


class TopicEntry(Strict):
    slug: Slug
    title: Short
    parent: Slug | None = None


class IntParam(Strict):
    type: Literal["int"]
    min: int
    max: int
    step: int = Field(1, ge=1)
    default: int | None = None


class DecimalParam(Strict):
    type: Literal["decimal"]
    min: Number
    max: Number
    digits: int = Field(1, ge=0, le=6)
    default: Number | None = None


class ChoiceParam(Strict):
    type: Literal["choice"]
    values: list[Any] = Field(min_length=1, max_length=1000)
    default: Any = None


class VectorParam(Strict):
    type: Literal["vector"]
    size: int = Field(ge=1, le=400)
    of: ScalarDist
    default: list[Any] | None = None


class MatrixParam(Strict):
    type: Literal["matrix"]
    rows: int = Field(ge=1, le=20)
    cols: int = Field(ge=1, le=20)
    of: ScalarDist
    default: list[list[Any]] | None = None


class SubsetParam(Strict):
    type: Literal["subset"]
    of: list[Any] = Field(min_length=1, max_length=400)
    size: int | list[int] | None = None
    default: list[Any] | None = None


class ConstParam(Strict):
    type: Literal["const"]
    value: Any


ScalarDist = Annotated[IntParam | DecimalParam | ChoiceParam, Field(discriminator="type")]
Param = Annotated[
    IntParam | DecimalParam | ChoiceParam | VectorParam | MatrixParam | SubsetParam | ConstParam,
    Field(discriminator="type"),
]
VectorParam.model_rebuild()
MatrixParam.model_rebuild()


class EngineValue(Strict):
    engine: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,60}$")]
    args: dict[str, Any] = {}
    pick: str | int | list[str | int] | None = None


class ExprValue(Strict):
    expr: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    pick: str | int | list[str | int] | None = None


class ConstValue(Strict):
    value: Any
    pick: str | int | list[str | int] | None = None


ValueDef = EngineValue | ExprValue | ConstValue | Annotated[str, StringConstraints(max_length=2000)]


class ToleranceSpec(Strict):
    abs: float | None = Field(None, ge=0)
    rel: float | None = Field(None, ge=0)
    sig: int | None = Field(None, ge=1, le=15)
    geo: float | None = Field(None, ge=0)


class Mistake(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,60}$")] | None = None
    answer: ValueDef
    feedback: Text


class Option(Strict):
    """A choice option; ``fraction`` (−1…1) is Moodle's grade of it (grader/kinds/choice.py)."""

    text: Text
    correct: bool = False
    feedback: Text = ""
    fraction: float | None = Field(None, ge=-1, le=1)


class AcceptedAnswer(Strict):
    """An accepted short-text answer with its own way of comparing (docs/bank-format.md);
    ``fraction`` is the share of the mark it earns (Moodle's grade of a short answer)."""

    text: Short
    match: Literal["exact", "normalized", "lemmatized"] = "lemmatized"
    typos: bool | None = None
    keywords: list[Short] = Field([], max_length=20)
    fraction: float = Field(1.0, gt=0, le=1)
    feedback: Text = ""

    @model_validator(mode="after")
    def _keywords_fit(self):
        if self.keywords and self.match == "exact":
            raise ValueError(_("ключевые слова (keywords) нельзя сочетать с match: exact"))
        return self


class Alternative(Strict):
    """A numeric answer worth part of the mark (Moodle's other numerical answers)."""

    answer: ValueDef
    tolerance: ToleranceSpec | None = None
    fraction: float = Field(gt=0, le=1)
    feedback: Text = ""


class Unit(Strict):
    """A unit of a numeric answer; a value in it is the base value × ``multiplier`` (Moodle)."""

    unit: Annotated[str, StringConstraints(min_length=1, max_length=30)]
    multiplier: float = Field(1.0, gt=0)


def _answer_shape(value) -> str:
    return "mapping" if isinstance(value, dict) else "text"


# A plain string or a mapping, told apart by shape so that a broken mapping is reported once.
Accepted = Annotated[
    Annotated[Short, Tag("text")] | Annotated[AcceptedAnswer, Tag("mapping")],
    Discriminator(_answer_shape),
]


class Pair(Strict):
    """A matching pair: a stem and its answer (both templates, like options)."""

    stem: Annotated[str, StringConstraints(max_length=20_000)]
    answer: Annotated[str, StringConstraints(max_length=20_000)]


PartKind = Literal[
    "numeric",
    "vector",
    "matrix",
    "expression",
    "single_choice",
    "multiple_choice",
    "short_text",
]
# A question's kinds: a field's, and those that cannot be a field of a multipart question.
Kind = Literal[PartKind, "flashcard", "multipart", "matching", "description", "essay"]
# [[name]] in a multipart question's text: where that field stands.
_MARKER = re.compile(r"\[\[([A-Za-z][A-Za-z0-9_]{0,39})\]\]")


def _kind_fields(model, kind: str) -> None:
    """The fields a kind needs (a question's or a field's): raises ValueError in Russian."""
    computed = kind in ("numeric", "vector", "matrix", "expression")
    if computed and model.answer is None:
        raise ValueError(_("для вопроса типа %(kind)s нужен answer") % {"kind": kind})
    if kind == "expression" and not model.variables:
        raise ValueError(_("для вопроса-выражения нужен список variables"))
    if kind in ("single_choice", "multiple_choice"):
        right = sum(o.correct for o in model.options)
        if len(model.options) < 2:
            raise ValueError(_("нужно не меньше двух вариантов ответа (options)"))
        if any(o.fraction is not None for o in model.options):
            _check_fractions(kind, model.options)
        elif right == 0 or (kind == "single_choice" and right != 1):
            raise ValueError(
                _("в вопросе с одним ответом должен быть ровно один верный вариант")
                if kind == "single_choice"
                else _("нужен хотя бы один верный вариант")
            )
    if kind == "short_text" and not model.answers:
        raise ValueError(_("для короткого ответа нужен список answers"))
    if kind == "short_text" and not any(
        not isinstance(a, AcceptedAnswer) or a.fraction >= 1 for a in model.answers
    ):
        raise ValueError(
            _("хотя бы один принимаемый ответ должен давать полный балл (fraction 1), как в Moodle")
        )
    _check_numeric_extras(model)
    if kind != "short_text" and model.typos is not None:
        raise ValueError(_("поле typos есть только у вопросов типа short_text"))


class AnswerFields(Strict):
    """The answer fields of the kinds (a question's, or one field's of a multipart question)."""

    answer: ValueDef | None = None
    tolerance: ToleranceSpec | None = None
    partial: bool = True
    mistakes: list[Mistake] = []
    options: list[Option] = []
    shuffle: bool = True
    answers: list[Accepted] = []
    typos: bool | None = None
    alternatives: list[Alternative] = Field([], max_length=50)
    units: list[Unit] = Field([], max_length=50)
    unit_grading: Literal["none", "optional", "required"] | None = None
    unit_penalty: float | None = Field(None, ge=0, le=1)
    unit_penalty_of: Literal["response", "question"] | None = None
    variables: list[Name] = []
    functions: dict[Name, Literal["sigmoid", "tanh", "relu", "exp", "log", "sqrt"]] = {}


class Part(AnswerFields):
    """One answer field of a multipart question (docs/bank-format.md)."""

    name: Name
    kind: PartKind
    label: Annotated[str, StringConstraints(max_length=300)] = ""
    weight: float = Field(1.0, gt=0, le=1000)
    feedback: Text = ""

    @model_validator(mode="before")
    @classmethod
    def _not_nested(cls, data):
        if isinstance(data, dict) and data.get("kind") in ("multipart", "flashcard"):
            raise ValueError(
                _("поле %(name)s: тип %(kind)s не может быть полем вопроса из нескольких полей")
                % {"name": data.get("name"), "kind": data.get("kind")}
            )
        return data

    @model_validator(mode="after")
    def _fields_of_kind(self):
        try:
            _kind_fields(self, self.kind)
        except ValueError as exc:
            raise ValueError(
                _("поле %(name)s: %(error)s") % {"name": self.name, "error": exc}
            ) from None
        return self


# What a multipart question gives per field, never for the whole question.
_PER_PART = (
    "answer", "tolerance", "partial", "mistakes", "options", "shuffle", "answers", "typos",
    "alternatives", "units", "unit_grading", "unit_penalty", "unit_penalty_of", "variables",
    "functions",
)  # fmt: skip


class Question(AnswerFields):
    slug: Slug
    title: Short
    topic: Slug | None = None
    tags: list[Short] = []
    source: Annotated[str, StringConstraints(max_length=300)] = ""
    notes: Text = ""
    kind: Kind
    text: Text = ""
    front: Text = ""
    back: Text = ""
    params: dict[Name, Param] = {}
    derived: dict[Name, ValueDef] = {}
    constraints: list[Annotated[str, StringConstraints(max_length=500)]] = []
    hints: list[Text] = []
    solution: Text = ""
    parts: list[Part] = Field([], max_length=50)
    pairs: list[Pair] = Field([], max_length=100)
    distractors: list[Text] = Field([], max_length=100)
    # essay: the grader info for the instructor, and how long an answer may be (characters)
    rubric: Text = ""
    max_length: int | None = Field(None, ge=1, le=20_000)

    @model_validator(mode="after")
    def _kind_fields(self):
        kind = self.kind
        if kind != "matching" and (self.pairs or self.distractors):
            raise ValueError(_("поля pairs и distractors есть только у вопросов типа matching"))
        if kind == "multipart":
            self._parts_fit()
        elif self.parts:
            raise ValueError(_("поля (parts) есть только у вопросов типа multipart"))
        _kind_fields(self, kind)
        if kind == "flashcard" and not (self.front and self.back):
            raise ValueError(_("у карточки должны быть front и back"))
        if kind == "matching":
            _check_matching(self)
        if kind == "description":
            _check_description(self)
        if kind == "essay":
            _check_essay(self)
        elif self.rubric or self.max_length is not None:
            raise ValueError(_("поля rubric и max_length есть только у вопросов типа essay"))
        if kind != "flashcard" and not self.text:
            raise ValueError(_("нужен текст вопроса (text)"))
        return self

    def _parts_fit(self) -> None:
        if not self.parts:
            raise ValueError(_("для вопроса типа multipart нужен список полей (parts)"))
        given = [key for key in _PER_PART if key in self.model_fields_set]
        if given:
            raise ValueError(
                _(
                    "у вопроса типа multipart %(keys)s задаются в каждом поле (parts), "
                    "а не у вопроса"
                )
                % {"keys": ", ".join(given)}
            )
        names = [part.name for part in self.parts]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(
                _("имена полей должны быть разными: %(names)s повторяется")
                % {"names": ", ".join(twice)}
            )
        marked = _MARKER.findall(self.text)
        if not marked:
            return  # no markers: the fields are listed after the text
        unknown = sorted({name for name in marked if name not in names})
        if unknown:
            raise ValueError(
                _("в тексте есть метка [[%(name)s]], а поля с таким именем нет")
                % {"name": unknown[0]}
            )
        for name in names:
            count = marked.count(name)
            if count != 1:
                raise ValueError(
                    _(
                        "метка поля [[%(name)s]] должна стоять в тексте ровно один раз "
                        "(найдено: %(count)s); или уберите из текста все метки — тогда поля "
                        "идут после текста"
                    )
                    % {"name": name, "count": count}
                )


def _check_matching(question: Question) -> None:
    """Moodle's rules for matching: two pairs at least, every stem given and told apart."""
    if len(question.pairs) < 2:
        raise ValueError(_("в вопросе на соответствие нужно не меньше двух пар (pairs)"))
    seen: set[str] = set()
    for index, pair in enumerate(question.pairs):
        stem, answer = pair.stem.strip(), pair.answer.strip()
        if not stem:
            raise ValueError(_("pairs[%(index)s]: пустой stem") % {"index": index})
        if not answer:
            raise ValueError(_("pairs[%(index)s]: пустой answer") % {"index": index})
        if stem in seen:
            raise ValueError(
                _("pairs[%(index)s]: stem «%(stem)s» повторяется; элементы должны различаться")
                % {"index": index, "stem": stem[:60]}
            )
        seen.add(stem)
    answers = [p.answer for p in question.pairs]
    for index, distractor in enumerate(question.distractors):
        if not distractor.strip():
            raise ValueError(_("distractors[%(index)s]: пустой ответ") % {"index": index})
        if distractor in answers:
            raise ValueError(
                _("distractors[%(index)s]: «%(text)s» уже верный ответ одной из пар")
                % {"index": index, "text": distractor[:60]}
            )
    if len(set(answers) | set(question.distractors)) < 2:
        raise ValueError(
            _(
                "в вопросе на соответствие нужно не меньше двух разных ответов: у всех пар "
                "один ответ — добавьте неверный ответ в distractors"
            )
        )
    choices = len(dict.fromkeys([*answers, *question.distractors]))
    for index, mistake in enumerate(question.mistakes):
        value = getattr(mistake.answer, "value", None)
        fits = (
            isinstance(mistake.answer, ConstValue)
            and mistake.answer.pick is None
            and isinstance(value, list)
            and len(value) == len(question.pairs)
            and all(type(v) is int and 0 <= v < choices for v in value)
        )
        if not fits:
            raise ValueError(
                _(
                    "mistakes[%(index)s]: у вопроса на соответствие ответ типичной ошибки — "
                    "{value: [номера ответов]}, по одному номеру ответа (от 0 до %(last)s) на "
                    "каждую из %(count)s пар"
                )
                % {"index": index, "last": choices - 1, "count": len(question.pairs)}
            )


def _key_fields(question: Question) -> str:
    """The answer-key fields a question has, for a kind that has no key (description, essay)."""
    given = {
        "answer": question.answer is not None,
        "options": bool(question.options),
        "answers": bool(question.answers),
        "mistakes": bool(question.mistakes),
        "front": bool(question.front),
        "back": bool(question.back),
        "variables": bool(question.variables),
        "tolerance": question.tolerance is not None,
    }
    return ", ".join(name for name, present in given.items() if present)


def _check_description(question: Question) -> None:
    """An information item: a text and nothing to answer."""
    if extra := _key_fields(question):
        raise ValueError(
            _("у описания (description) нет ответа: уберите поля %(fields)s") % {"fields": extra}
        )


def _check_essay(question: Question) -> None:
    """An essay: a text, graded by the instructor; nothing the grader could check."""
    if extra := _key_fields(question):
        raise ValueError(
            _(
                "эссе (essay) проверяет преподаватель, ключа у него нет: уберите поля "
                "%(fields)s (что искать в ответе — в rubric, образец ответа — в solution)"
            )
            % {"fields": extra}
        )


def _check_fractions(kind: str, options: list[Option]) -> None:
    """Moodle's rules for graded options (grader/kinds/choice.py), and ``correct`` agreeing."""
    # Imported here, as in formats/common.py: loading the grader's kinds takes most of a second,
    # paid only by a bank that uses fractions.
    from grader.kinds.choice import fraction_rules

    weights = [o.fraction or 0.0 for o in options]
    problem = fraction_rules(weights, multiple=kind == "multiple_choice")
    if problem:
        raise ValueError(problem)
    full = 1 - 1e-6 if kind == "single_choice" else 0.0
    for index, option in enumerate(options):
        if option.correct and (option.fraction or 0.0) <= full:
            raise ValueError(
                _(
                    "options[%(index)s]: вариант с correct: true должен иметь fraction %(need)s "
                    "(когда у вариантов есть fraction, балл задают они)"
                )
                % {"index": index, "need": "1" if kind == "single_choice" else _("больше 0")}
            )


def _check_numeric_extras(question: AnswerFields) -> None:
    """Alternatives and units belong to numeric questions; units must be readable."""
    from grader.errors import SpecError  # see _check_fractions: loaded when needed
    from grader.units import unit_table

    numeric = question.kind == "numeric"
    if question.alternatives and not numeric:
        raise ValueError(_("alternatives есть только у вопросов типа numeric"))
    unit_fields = (question.unit_grading, question.unit_penalty, question.unit_penalty_of)
    if question.units and not numeric:
        raise ValueError(_("units есть только у вопросов типа numeric"))
    if any(f is not None for f in unit_fields) and not question.units:
        raise ValueError(
            _("unit_grading, unit_penalty и unit_penalty_of задаются вместе со списком units")
        )
    if question.units:
        try:
            unit_table({"units": [u.model_dump() for u in question.units]})
        except SpecError as exc:
            raise ValueError(exc.message) from None


class BankFile(Strict):
    format: Literal["neurozachet-bank/1"] = "neurozachet-bank/1"
    bank: BankMeta
    topics: list[TopicEntry] = []
    questions: list[Question] = Field(min_length=1, max_length=5000)


_MESSAGES = {
    "missing": gettext_lazy("обязательное поле не задано"),
    "extra_forbidden": gettext_lazy("неизвестное поле"),
    "string_type": gettext_lazy("ожидалась строка"),
    "string_too_long": gettext_lazy("слишком длинная строка (не больше {max_length} символов)"),
    "string_too_short": gettext_lazy("слишком короткая строка"),
    "string_pattern_mismatch": gettext_lazy("недопустимое значение: {hint}"),
    "int_type": gettext_lazy("ожидалось целое число"),
    "int_parsing": gettext_lazy("ожидалось целое число"),
    "int_from_float": gettext_lazy("ожидалось целое число"),
    "float_type": gettext_lazy("ожидалось число"),
    "float_parsing": gettext_lazy("ожидалось число"),
    "bool_type": gettext_lazy("ожидалось true или false"),
    "bool_parsing": gettext_lazy("ожидалось true или false"),
    "list_type": gettext_lazy("ожидался список"),
    "dict_type": gettext_lazy("ожидался словарь (ключ: значение)"),
    "model_type": gettext_lazy("ожидался словарь (ключ: значение)"),
    "literal_error": gettext_lazy("допустимые значения: {expected}"),
    "union_tag_invalid": gettext_lazy("неизвестный тип {tag}; допустимы: {expected_tags}"),
    "union_tag_not_found": gettext_lazy("не указан type"),
    "greater_than_equal": gettext_lazy("должно быть не меньше {ge}"),
    "greater_than": gettext_lazy("должно быть больше {gt}"),
    "less_than_equal": gettext_lazy("должно быть не больше {le}"),
    "too_short": gettext_lazy("слишком мало элементов (нужно не меньше {min_length})"),
    "too_long": gettext_lazy("слишком много элементов (не больше {max_length})"),
    "value_error": "{error}",
}


def translate_error(error: dict) -> str:
    """A pydantic error → a Russian message."""
    kind = error.get("type", "")
    ctx = dict(error.get("ctx") or {})
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        ctx["hint"] = (
            _("только строчные латинские буквы, цифры и дефис")
            if "a-z0-9-" in pattern
            else _("имя из латинских букв, цифр и _, начинается с буквы")
        )
    if kind == "literal_error":
        ctx["expected"] = str(ctx.get("expected", "")).replace(" or ", _(" или "))
    if kind == "value_error":
        ctx["error"] = str(ctx.get("error", error.get("msg", ""))).removeprefix("Value error, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return error.get("msg", _("недопустимое значение"))
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return str(template)
