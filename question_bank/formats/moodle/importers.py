"""Moodle XML question export → the native bank structure and every problem found.

A broken question is reported (severity ``error``, with the line of its ``<question>``) and
skipped, the others are still imported; unsupported types and dropped images are warnings.
``bank`` is ``None`` only when nothing could be imported.

Mapping (docs/import-export.md has the full table):

* ``category`` → topics: ``$course$/top/A/B`` becomes the topic tree A → B, and every question
  goes into the last category seen before it;
* ``multichoice`` → ``single_choice`` (``<single>true</single>``) or ``multiple_choice``, each
  answer's grade kept as the option's ``fraction`` (:func:`~question_bank.formats.fractions.
  graded_options`: scored as Moodle scores it, negative grades included); per-answer
  ``<feedback>`` is the option's feedback;
* ``truefalse`` → ``single_choice`` with «Верно»/«Неверно»;
* ``shortanswer`` → ``short_text``: answers with a positive grade are accepted answers worth
  their fraction (with their feedback), others with feedback become typical mistakes;
  ``usecase`` cannot be kept: our comparison ignores case;
* ``numerical`` → ``numeric`` with ``answer: {value}`` and ``tolerance: {abs}``, other graded
  answers as ``alternatives`` worth their fraction, answers graded 0 with feedback as
  ``mistakes``; ``<units>`` with their multipliers, ``<unitgradingtype>`` (0 → ``none``, 1 →
  ``required`` with ``unit_penalty_of: response``, 2 → ``question``) and ``<unitpenalty>``;
  ``<showunits>`` 3 (no units at all) drops the units, 1–2 (a unit menu) are read as typed
  units; ``<unitsleft>`` (unit before the number) is reported, units are read after it;
* ``essay`` → ``essay`` graded by the instructor (``graderinfo`` → ``rubric``, general feedback →
  ``solution``); with ``essays_as_cards`` (the lecturer's choice at import) → ``flashcard``
  (front: the question, back: ``graderinfo`` or general feedback; a plain essay with neither gets
  a back saying there is no model answer, and a warning);
* a course backup's ``questions.xml`` (root ``<question_categories>``) is read by
  :mod:`~question_bank.formats.moodle.backup`, which rewrites its questions as this export writes
  them and hands them to :func:`import_quiz`; the backup's description ``moodle_backup.xml``
  alone is refused, saying where the questions are;
* ``calculated``/``calculatedsimple`` → a numeric template, ``calculatedmulti`` →
  ``single_choice``/``multiple_choice`` whose options are templates (``{=formula}`` →
  ``{{ expr : .Nf }}``, ``{a}`` → ``{{ a }}``) graded as multichoice
  (:mod:`question_bank.formats.moodle.calculated`);
* ``gapselect`` and ``ddwtos`` → ``multipart``: each gap ``[[n]]`` a ``single_choice`` part
  ``g1``, ``g2``… offering the choices of its right choice's group, weight 1 each (Moodle's
  share of gaps right) (:mod:`question_bank.formats.moodle.gaps`);
* ``matching`` and ``ddmatch`` → ``matching`` (stems and answers; a subquestion without a stem
  is an extra wrong answer), ``description`` → ``description``
  (:mod:`question_bank.formats.moodle.matching`).
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
    ImportResult,
    Problem,
    QuestionRef,
    TopicTree,
    build_bank,
    category_segments,
    clip,
    question_meta,
    refused,
    too_large,
)
from question_bank.formats.fractions import graded_options, numeric_answers, short_text_answers
from question_bank.formats.moodle.calculated import import_calculated, import_calculated_multi
from question_bank.formats.moodle.cloze import (
    import_cloze,
    is_machine_tag,
    machine_tags,
    tolerance_of_tag,
)
from question_bank.formats.moodle.exporter import BANK_MARK, TOPIC_MARK
from question_bank.formats.moodle.gaps import GAP_TYPES, import_gaps
from question_bank.formats.moodle.matching import import_description, import_matching
from question_bank.formats.moodle.question import (
    Context,
    QuestionError,
    answer_fraction,
    common_fields,
    is_true,
    read_number,
    read_units,
    solution,
    with_solution,
)
from question_bank.formats.moodle.reader import MAX_BYTES, Element, read_xml
from question_bank.formats.slugs import SlugRegistry, is_slug
from quizapp.core.errors import ErrorCode

__all__ = ["parse_moodle_xml", "import_quiz", "describe_type"]

# The root of a course backup's question file (``questions.xml`` inside an ``.mbz``) and of the
# backup's own description: not exports of questions; moodle/backup.py reads them.
_BACKUP_ROOTS = {"question_categories", "moodle_backup"}
# The back of an essay imported without a model answer (no grader info, no general feedback).


_SUPPORTED = {
    "multichoice", "truefalse", "shortanswer", "numerical", "essay", "calculated",
    "calculatedsimple", "calculatedmulti", "matching", "ddmatch", "description", "cloze",
    "multianswer", "gapselect", "ddwtos",
}  # fmt: skip
_TYPE_NAMES = {
    "randomsamatch": gettext_lazy("случайный вопрос на соответствие"),
    "calculatedmulti": gettext_lazy("вычисляемый с выбором ответа"),
    "ddwtos": gettext_lazy("перетаскивание в текст"),
    "gapselect": gettext_lazy("выбор пропущенных слов"),
    "ddimageortext": gettext_lazy("перетаскивание на изображение"),
    "ddmarker": gettext_lazy("перетаскивание маркеров"),
    "random": gettext_lazy("случайный вопрос"),
    "ordering": gettext_lazy("упорядочивание"),
}


def parse_moodle_xml(data: bytes, filename: str, *, essays_as_cards: bool = False) -> ImportResult:
    """A Moodle XML question export → the native bank structure and every problem found.

    ``essays_as_cards``: the lecturer chose self-check flashcards for the essays instead of
    essays graded by the instructor."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        return too_large(filename, len(data), MAX_BYTES, _("байт"))
    root, problem = read_xml(data, filename)
    if problem is not None:
        return ImportResult(None, [problem])
    if root is not None and root.tag in _BACKUP_ROOTS:
        # A course backup's questions.xml is read (categories and the supported types), its
        # description moodle_backup.xml alone is refused saying where the questions are.
        from question_bank.formats.moodle.backup import import_backup_root

        return import_backup_root(root, filename, essays_as_cards=essays_as_cards)
    if root is None or root.tag != "quiz":
        return refused(
            filename,
            _("корневой элемент должен быть <quiz> (экспорт вопросов Moodle XML)"),
            ErrorCode.NOT_MOODLE_XML,
            line=root.line if root is not None else None,
        )
    return import_quiz(root, filename, essays_as_cards=essays_as_cards)


def import_quiz(
    root: Element,
    filename: str,
    *,
    problems: list[Problem] | None = None,
    source: str = "",
    essays_as_cards: bool = False,
) -> ImportResult:
    """The questions of a ``<quiz>`` element → the bank structure (``problems`` extended).

    Also the reader of a course backup (:mod:`~question_bank.formats.moodle.backup`), which
    rewrites its questions as a Moodle XML export would write them; ``source`` names the file's
    kind in the bank's description.
    """
    problems = [] if problems is None else problems
    topics = TopicTree()
    slugs = SlugRegistry()
    questions: list[dict] = []
    current_topic: str | None = None
    root_path: list[str] = []  # the bank's own category in our export (nz-bank: idnumber)
    own: dict = {}
    for element in root.children:
        if element.tag != "question":
            continue
        qtype = element.attrs.get("type", "")
        if qtype == "category":
            segments = category_segments(element.value("category"))
            idnumber = element.value("idnumber")
            if idnumber.startswith(BANK_MARK):
                # our own export: this category is the bank itself, not a topic
                root_path = segments
                own = {
                    "slug": idnumber[len(BANK_MARK) :],
                    "title": segments[-1] if segments else "",
                }
                if not is_slug(own["slug"]):
                    own.pop("slug")
                current_topic = None
                continue
            if root_path and segments[: len(root_path)] == root_path:
                segments = segments[len(root_path) :]
            hint = idnumber[len(TOPIC_MARK) :] if idnumber.startswith(TOPIC_MARK) else None
            current_topic = topics.topic_for(
                segments, slug=hint if hint and is_slug(hint) else None
            )
            continue
        name = element.value("name")
        ctx = Context(filename, problems, element.line, name)
        ctx.essays_as_cards = essays_as_cards
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

    return build_bank(filename, topics, questions, problems, source=source or "Moodle XML", own=own)


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
        entry = _import_shortanswer(element, ctx)
        marks = machine_tags(tags)
        return _as_expression(entry, marks) if marks.get("kind") == "expression" else entry
    if qtype == "numerical":
        return _own_tolerance(_import_numerical(element, ctx), tags)
    if qtype == "essay":
        card = machine_tags(tags).get("kind") == "flashcard"  # our export of a flashcard
        return _import_essay(element, ctx, as_card=card)
    if qtype in ("matching", "ddmatch"):
        return import_matching(element, ctx)
    if qtype == "description":
        return import_description(element, ctx)
    if qtype in GAP_TYPES:
        return import_gaps(element, ctx, qtype)
    if qtype == "calculatedmulti":
        return import_calculated_multi(element, ctx)
    return _own_tolerance(import_calculated(element, ctx), tags)


def _own_tolerance(entry: dict, tags: list[str]) -> dict:
    """Our export writes Moodle's absolute bound and our own tolerance as a machine tag
    (``nz-tolerance:rel=0.005``; ``none``: the default one): the tag wins on the way back."""
    own = machine_tags(tags).get("tolerance")
    if own == "none":
        entry.pop("tolerance", None)
    elif own and (tolerance := tolerance_of_tag(own)):
        entry["tolerance"] = tolerance
    return entry


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
    if not any(f > 0 for f in fractions):
        raise QuestionError(_("нет ни одного верного варианта (с баллом больше 0)"), "no_correct")
    options = graded_options(
        options, fractions, single=single, warn=lambda m, c, w: ctx.warn(m, c, w)
    )
    kind = "single_choice" if single else "multiple_choice"
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
    graded = []
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
        if text:
            graded.append((fraction, text, ctx.text(answer.find("feedback"))))
    accepted, mistakes = short_text_answers(graded, prefix="moodle")
    if not any(isinstance(a, str) or "fraction" not in a for a in accepted):
        raise QuestionError(_("нет ни одного ответа с баллом 100 %"), "no_correct")
    entry = {"kind": "short_text", **entry, "answers": accepted}
    if mistakes:
        entry["mistakes"] = mistakes
    return with_solution(entry, solution(element, ctx))


def _as_expression(entry: dict, marks: dict) -> dict:
    """Our own export of an expression question (a short answer tagged ``nz-kind:expression``)
    → the expression again: the first accepted spelling is the key, the 0 % answers with
    feedback its typical mistakes, the variables and functions from the tags."""
    answers = entry.pop("answers")
    first = answers[0]
    entry["kind"] = "expression"
    entry["answer"] = {"expr": first if isinstance(first, str) else first["text"]}
    entry["variables"] = [v for v in marks.get("variables", "").split(",") if v]
    functions = dict(
        pair.split("=", 1) for pair in marks.get("functions", "").split(",") if "=" in pair
    )
    if functions:
        entry["functions"] = functions
    for mistake in entry.get("mistakes") or []:
        written = mistake["answer"].get("value")
        if isinstance(written, str):
            mistake["answer"] = {"expr": written}
    return entry


def _import_numerical(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    answers = []
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
        answers.append((fraction, value, tolerance, feedback, answer.line))
    fields = numeric_answers(answers, prefix="moodle", warn=lambda m, c, w: ctx.warn(m, c, w))
    if fields is None:
        raise QuestionError(_("нет ответа с баллом 100 %"), "no_correct")
    entry = {"kind": "numeric", **entry, **fields, **read_units(element, ctx)}
    return with_solution(entry, solution(element, ctx))


def _import_essay(element: Element, ctx: Context, *, as_card: bool = False) -> dict:
    entry = common_fields(element, ctx)
    if not (as_card or getattr(ctx, "essays_as_cards", False)):
        # An essay graded by the instructor: the grader info is the rubric beside each answer,
        # the general feedback the model answer shown to the student after grading.
        rubric = ctx.text(element.find("graderinfo"))
        essay = {"kind": "essay", **entry, **({"rubric": rubric} if rubric else {})}
        return with_solution(essay, solution(element, ctx))
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


def describe_type(qtype: str) -> str:
    """A Moodle type as the reports name it: ``multianswer — вложенные ответы (cloze)``."""
    described = _TYPE_NAMES.get(qtype, qtype or _("без типа"))
    return f"{qtype} — {described}" if described != qtype else str(described)
