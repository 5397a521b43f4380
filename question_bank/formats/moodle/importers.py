"""Moodle XML question export → the native bank structure and every problem found.

A broken question is reported (severity ``error``, with the line of its ``<question>``) and
skipped, the others are still imported; unsupported types and dropped images are warnings.
``bank`` is ``None`` only when nothing could be imported.

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
* ``essay`` → ``flashcard`` (front: the question, back: ``graderinfo`` or general feedback; a
  plain essay with neither gets a back saying there is no model answer, and a warning);
* a course backup's ``questions.xml`` (root ``<question_categories>``) is refused with the way
  to export the question bank instead: its questions are written another way (fractions 0…1,
  type-specific plugin elements) that these readers do not read;
* ``calculated``/``calculatedsimple`` → a numeric template
  (:mod:`question_bank.formats.moodle.calculated`);
* ``cloze`` (embedded answers) → ``multipart``: each ``{weight:TYPE:answers}`` field a part
  (NUMERICAL → numeric, SHORTANSWER → short_text, MULTICHOICE → single_choice, MULTIRESPONSE →
  multiple_choice), its weight the part's; our own export of a vector or matrix (tagged
  ``nz-kind:…``) is read back as that kind (:mod:`question_bank.formats.moodle.cloze`).

Texts are converted by :func:`question_bank.formats.text.convert_text`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grader.errors import GraderError
from question_bank.formats.common import (
    ESSAY_NO_BACK,
    MAX_TITLE,
    ImportResult,
    Problem,
    QuestionRef,
    TopicTree,
    backup_message,
    build_bank,
    category_segments,
    clip,
    numeric_mistakes,
    question_meta,
    refused,
    short_text_mistakes,
    too_large,
)
from question_bank.formats.moodle.calculated import import_calculated
from question_bank.formats.moodle.cloze import import_cloze, is_machine_tag
from question_bank.formats.moodle.question import (
    Context,
    QuestionError,
    answer_fraction,
    common_fields,
    is_true,
    read_number,
    solution,
    units_warning,
    with_solution,
)
from question_bank.formats.moodle.reader import MAX_BYTES, Element, read_xml
from question_bank.formats.slugs import SlugRegistry, is_slug
from quizapp.core.errors import ErrorCode

__all__ = ["parse_moodle_xml"]

# The root of a course backup's question file (``questions.xml`` inside an ``.mbz``) and of the
# backup's own description: not an export of questions, though both are Moodle XML.
_BACKUP_ROOTS = {"question_categories", "moodle_backup"}
# The back of an essay imported without a model answer (no grader info, no general feedback).


_SUPPORTED = {
    "multichoice", "truefalse", "shortanswer", "numerical", "essay", "calculated",
    "calculatedsimple", "cloze", "multianswer",
}  # fmt: skip
_TYPE_NAMES = {
    "ddmatch": gettext_lazy("сопоставление с перетаскиванием"),
    "matching": gettext_lazy("на соответствие"),
    "randomsamatch": gettext_lazy("случайный вопрос на соответствие"),
    "description": gettext_lazy("описание (без ответа)"),
    "calculatedmulti": gettext_lazy("вычисляемый с выбором ответа"),
    "ddwtos": gettext_lazy("перетаскивание в текст"),
    "gapselect": gettext_lazy("выбор пропущенных слов"),
    "ddimageortext": gettext_lazy("перетаскивание на изображение"),
    "ddmarker": gettext_lazy("перетаскивание маркеров"),
    "random": gettext_lazy("случайный вопрос"),
    "ordering": gettext_lazy("упорядочивание"),
}


def parse_moodle_xml(data: bytes, filename: str) -> ImportResult:
    """A Moodle XML question export → the native bank structure and every problem found."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        return too_large(filename, len(data), MAX_BYTES, _("байт"))
    root, problem = read_xml(data, filename)
    if problem is not None:
        return ImportResult(None, [problem])
    if root is not None and root.tag in _BACKUP_ROOTS:
        return refused(filename, backup_message(), "moodle_backup", line=root.line)
    if root is None or root.tag != "quiz":
        return refused(
            filename,
            _("корневой элемент должен быть <quiz> (экспорт вопросов Moodle XML)"),
            ErrorCode.NOT_MOODLE_XML,
            line=root.line if root is not None else None,
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
        ctx = Context(filename, problems, element.line, name)
        # Names the question in every report when it is left out (lenient mode skips by it).
        ref = QuestionRef(
            name=name or clip(element.value("questiontext"), 60) or _("без названия"),
            type=qtype or _("без типа"),
            line=element.line,
        )
        if qtype not in _SUPPORTED:
            described = _TYPE_NAMES.get(qtype, qtype or _("без типа"))
            if described != qtype:
                described = f"{qtype} — {described}"
            message = _("тип «%(described)s» не поддерживается, вопрос пропущен") % {
                "described": described
            }
            ctx.report(message, "unsupported_type", "warning", question=ref)
            continue
        tags = [t.value("text") for t in _tags(element)]
        try:
            entry = _import_question(element, qtype, ctx, tags)
        except QuestionError as exc:
            ctx.report(exc.message, exc.code, "error", question=ref)
            continue
        except (GraderError, ArithmeticError, ValueError, RecursionError) as exc:
            # odd numbers in a hostile or damaged file: report the question, keep the others
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            ctx.report(message, "invalid", "error", question=ref)
            continue
        # An idnumber that is already a slug is kept: our export writes the slug there, so a
        # round trip keeps it.
        idnumber = element.value("idnumber")
        meta = question_meta(
            entry,
            slugs,
            slug=idnumber if is_slug(idnumber) else None,
            name=name,
            topic=current_topic,
            tags=[t for t in tags if not is_machine_tag(t)],
        )
        questions.append({**meta, **entry})

    return build_bank(filename, topics, questions, problems, source="Moodle XML")


def _tags(element: Element) -> list[Element]:
    holder = element.find("tags")
    return holder.findall("tag") if holder is not None else []


def _import_question(element: Element, qtype: str, ctx: Context, tags: list[str]) -> dict:
    if qtype in ("cloze", "multianswer"):
        return import_cloze(element, ctx, tags)
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
    return import_calculated(element, ctx)


def _import_multichoice(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    answers = element.findall("answer")
    if len(answers) < 2:
        raise QuestionError(_("нужно не меньше двух вариантов ответа"), "too_few_options")
    single = is_true(element.value("single"), True)
    fractions = [answer_fraction(a) for a in answers]
    options = []
    for answer in answers:
        text = ctx.text(answer)
        if not text:
            raise QuestionError(
                _("пустой вариант ответа (строка %(line)s)") % {"line": answer.line}, "empty_option"
            )
        option = {"text": text, "correct": False}
        feedback = ctx.text(answer.find("feedback"))
        if feedback:
            option["feedback"] = feedback
        options.append(option)
    positive = [i for i, f in enumerate(fractions) if f > 0]
    if not positive:
        raise QuestionError(_("нет ни одного верного варианта (с баллом больше 0)"), "no_correct")
    if single:
        best = max(positive, key=lambda i: fractions[i])
        options[best]["correct"] = True
        if len(positive) > 1:
            ctx.warn(
                _(
                    "баллы получали несколько вариантов; верным оставлен вариант с наибольшим "
                    "баллом («%(clip)s»), частичные баллы не переносятся"
                )
                % {"clip": clip(options[best]["text"], 40)}
            )
        kind = "single_choice"
    else:
        for i in positive:
            options[i]["correct"] = True
        if max(fractions[i] for i in positive) - min(fractions[i] for i in positive) > 1e-6:
            ctx.warn(
                _(
                    "у верных вариантов разные веса; в Нейрозачёте каждый верный вариант даёт "
                    "равную долю балла"
                )
            )
        kind = "multiple_choice"
    entry.update(options=options, shuffle=is_true(element.value("shuffleanswers"), True))
    return with_solution({"kind": kind, **entry}, solution(element, ctx))


def _import_truefalse(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    by_value: dict[bool, tuple[float, str]] = {}
    for answer in element.findall("answer"):
        raw = answer.value("text").lower()
        if raw not in ("true", "false"):
            raise QuestionError(
                _("ответ «%(raw)s» вместо true/false") % {"raw": raw}, "bad_truefalse"
            )
        by_value[raw == "true"] = (answer_fraction(answer), ctx.text(answer.find("feedback")))
    if set(by_value) != {True, False}:
        raise QuestionError(_("нужны оба ответа: true и false"), "bad_truefalse")
    key = by_value[True][0] >= by_value[False][0]
    if by_value[True][0] == by_value[False][0]:
        raise QuestionError(_("у ответов true и false одинаковый балл"), "bad_truefalse")
    options = []
    for value, label in ((True, "Верно"), (False, "Неверно")):
        option = {"text": label, "correct": value == key}
        if by_value[value][1]:
            option["feedback"] = by_value[value][1]
        options.append(option)
    entry.update(options=options, shuffle=False)
    return with_solution({"kind": "single_choice", **entry}, solution(element, ctx))


def _import_shortanswer(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    if is_true(element.value("usecase"), False):
        ctx.warn(_("регистр букв в Нейрозачёте не учитывается (в Moodle учитывался)"), "usecase")
    accepted, mistakes = [], []
    for answer in element.findall("answer"):
        fraction = answer_fraction(answer)
        raw = answer.value("text")
        if "*" in raw.replace("\\*", ""):
            ctx.warn(
                _(
                    "ответ «%(clip)s» с подстановочным знаком * не переносится: перечислите "
                    "варианты написания"
                )
                % {"clip": clip(raw, 40)},
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
            ctx.warn(
                _("частичный балл ответа «%(clip)s» не переносится") % {"clip": clip(text, 40)},
                "partial",
            )
        if feedback or fraction > 0:
            mistakes.append((text, feedback))
    if not accepted:
        raise QuestionError(_("нет ни одного ответа с баллом 100 %"), "no_correct")
    entry = {"kind": "short_text", **entry, "answers": accepted}
    if kept := short_text_mistakes(mistakes, accepted, prefix="moodle"):
        entry["mistakes"] = kept
    return with_solution(entry, solution(element, ctx))


def _import_numerical(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    key = None
    others = []
    for answer in element.findall("answer"):
        fraction = answer_fraction(answer)
        raw = answer.value("text")
        feedback = ctx.text(answer.find("feedback"))
        if raw == "*":
            if feedback:
                ctx.warn(_("отзыв на «любой другой ответ» (*) не переносится"), "catch_all")
            continue
        value = read_number(raw, _("ответ"))
        tolerance = abs(read_number(answer.value("tolerance", "0") or "0", _("допуск")))
        if fraction >= 100 - 1e-6:
            if key is None:
                key = (value, tolerance)
            else:
                ctx.warn(
                    _("второй верный ответ %(raw)s не переносится: верный ответ один")
                    % {"raw": raw}
                )
            continue
        if fraction > 0:
            ctx.warn(_("частичный балл ответа %(raw)s не переносится") % {"raw": raw}, "partial")
        if feedback or fraction > 0:
            others.append((value, feedback, answer.line))
    if key is None:
        raise QuestionError(_("нет ответа с баллом 100 %"), "no_correct")
    units_warning(element, ctx)
    value, tolerance = key
    entry = {"kind": "numeric", **entry}
    entry.update(answer={"value": value}, tolerance={"abs": float(tolerance)})
    if mistakes := numeric_mistakes(others, value, tolerance, prefix="moodle", warn=ctx.warn):
        entry["mistakes"] = mistakes
    return with_solution(entry, solution(element, ctx))


def _import_essay(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    front = entry.pop("text")
    back = ctx.text(element.find("graderinfo")) or solution(element, ctx)
    if not back:
        # A plain essay (Moodle grades it by hand): a self-check card like any other essay,
        # with a back that says there is no model answer, rather than a refused file.
        ctx.warn(
            _(
                "у эссе нет ни информации для оценивающего (graderinfo), ни общего отзыва: "
                "импортировано как карточка для самопроверки без образца ответа — допишите "
                "оборот карточки"
            ),
            "essay_no_back",
        )
        back = str(ESSAY_NO_BACK)
    return {"kind": "flashcard", "front": front, "back": back, **entry}
