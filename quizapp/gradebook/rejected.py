"""Rejected text answers: which short answers were refused most often, and accepting one for all.

A short text question accepts the spellings listed in its spec's ``answers``; a student who typed
a right answer in a spelling nobody listed was marked wrong. The instructor sees the refused
answers grouped by the grader's own normalisation (``grader.kinds.short_text.normalize``: «ReLU»,
«relu» and « ReLU.» are one group), and accepts one with a click: a new version of the question
whose ``answers`` has the text appended is published (a version is never edited), and a regrade
(:mod:`quizapp.gradebook.regrade`) moves the affected attempts to it, so the students' scores
change. Practice answers are graded again too (see :func:`practice_regrade_accepted`).

Who may accept: the bank's owner or an admin (a new version changes the bank for everyone who
uses it), for quizzes they manage. A bundled bank (no owner) is shared material: only an admin
changes it; an instructor gets ``bank_not_yours`` with the way out (an own copy of the bank).
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

import grader
from grader.errors import GraderError
from grader.kinds.short_text import normalize
from question_bank.access import can_manage_bank
from question_bank.models import Question, QuestionVersion
from question_bank.services import question_publish
from quizapp.attempts.grading import save_grades, store_grade
from quizapp.core import versions
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.tasks import enqueue_on_commit
from quizapp.gradebook.regrade import regrade_start
from quizapp.models import AttemptItem, PracticeAnswer, Quiz, QuizItem, RegradeRun, Response
from quizapp.quizzes.selectors import can_manage_quiz, managed_quizzes

SHORT_TEXT = Question.Kind.SHORT_TEXT
# The overview shows this many groups per question; the page of one question pages through all.
TOP_REJECTED = 10
GROUPS_PER_PAGE = 50
PRACTICE_TASK = "quizapp.gradebook.tasks.regrade_accepted_practice"
PRACTICE_BATCH = 200


# --- Selectors ------------------------------------------------------------------------------


@dataclass
class RejectedGroup:
    """Refused answers that normalise to one text."""

    key: str  # the normalised text
    example: str  # the spelling typed most often (ties: the first in alphabetical order)
    students: int  # distinct students who gave it
    answers: int  # how many answers
    accepted_now: bool = False  # the newest version accepts it (a regrade has not reached them)


@dataclass
class TextQuestion:
    question: Question
    newest: QuestionVersion
    accepted: list[str]
    groups: list[RejectedGroup] = field(default_factory=list)
    total_groups: int = 0
    can_accept: bool = False
    refusal: str = ""  # why the instructor may not accept answers here


def accepted_texts(spec: dict) -> list[str]:
    """The spec's accepted answers as texts: each a string or a mapping with ``text``."""
    texts = []
    for answer in spec.get("answers") or []:
        texts.append(str(answer.get("text", "")) if isinstance(answer, Mapping) else str(answer))
    return texts


def _accepts(spec: dict, text: str) -> bool:
    """Whether the spec already lists the text for the full mark (as the grader normalises
    both): an answer worth a part (``fraction`` < 1) may still be accepted for everyone, which
    appends it as a plain string, worth 1."""
    full = []
    for answer in spec.get("answers") or []:
        if not isinstance(answer, Mapping):
            full.append(str(answer))
        elif (answer.get("fraction") or 1) >= 1:
            full.append(str(answer.get("text", "")))
    return normalize(text) in {normalize(a) for a in full}


def _rejected_responses(*, quizzes, question_ids):
    return Response.objects.filter(
        item__attempt__quiz__in=quizzes,
        item__version__question_id__in=question_ids,
        status=Response.Status.GRADED,
        score__lt=1,
    ).values_list("item__version__question_id", "item__attempt__user_id", "raw")


def _rejected_practice(*, question_ids):
    return PracticeAnswer.objects.filter(
        version__question_id__in=question_ids, status=Response.Status.GRADED, score__lt=1
    ).values_list("version__question_id", "user_id", "raw")


def _group(rows) -> dict[int, list[RejectedGroup]]:
    """Question id → its refused answers grouped by normalised text, most students first.

    Rows are (question id, student id, raw answer); ties are broken by the text, so the order
    never depends on the database's.
    """
    students: dict[tuple, set] = defaultdict(set)
    spellings: dict[tuple, Counter] = defaultdict(Counter)
    for question_id, user_id, raw in rows:
        key = normalize(raw or "")
        if not key:
            continue
        students[question_id, key].add(user_id)
        spellings[question_id, key][" ".join(raw.split())] += 1
    grouped: dict[int, list[RejectedGroup]] = defaultdict(list)
    for (question_id, key), who in students.items():
        counts = spellings[question_id, key]
        example = min(counts, key=lambda text: (-counts[text], text))
        grouped[question_id].append(
            RejectedGroup(key=key, example=example, students=len(who), answers=counts.total())
        )
    for groups in grouped.values():
        groups.sort(key=lambda g: (-g.students, -g.answers, g.key))
    return grouped


def _text_questions(questions, grouped, *, user, limit: int | None) -> list[TextQuestion]:
    newest = {}
    for version in QuestionVersion.objects.filter(question__in=questions).order_by("number"):
        newest[version.question_id] = version
    result = []
    for question in questions:
        version = newest[question.pk]
        groups = grouped.get(question.pk, [])
        for group in groups:
            group.accepted_now = _accepts(version.spec, group.key)
        entry = TextQuestion(
            question=question,
            newest=version,
            accepted=accepted_texts(version.spec),
            groups=groups[:limit] if limit else groups,
            total_groups=len(groups),
            can_accept=can_manage_bank(user, question.bank),
        )
        if not entry.can_accept:
            entry.refusal = _bundled_refusal(question)
        result.append(entry)
    return result


def quiz_rejected_answers(
    *, quiz: Quiz, user, question_id: int | None = None, limit: int | None = TOP_REJECTED
) -> list[TextQuestion]:
    """The short text questions of the quiz's attempts (or only ``question_id``), each with its
    accepted answers and the refused ones of this quiz's students, top ``limit`` groups."""
    questions = Question.objects.filter(
        kind=SHORT_TEXT, versions__attempt_items__attempt__quiz=quiz
    ).distinct()
    if question_id is not None:
        questions = questions.filter(pk=question_id)
    questions = list(questions.select_related("bank").order_by("title", "pk"))
    ids = [q.pk for q in questions]
    grouped = _group(_rejected_responses(quizzes=[quiz], question_ids=ids).iterator())
    return _text_questions(questions, grouped, user=user, limit=limit)


def question_rejected_answers(
    *, question: Question, user, limit: int | None = TOP_REJECTED
) -> TextQuestion:
    """A bank question's refused answers: in the quizzes ``user`` manages, and in free practice
    when ``user`` may change the bank (practice belongs to the bank, whoever's students answered;
    a bundled bank's practice answers are every student's, not an instructor's to read)."""
    if question.kind != SHORT_TEXT:
        raise ServiceError(code=ErrorCode.NOT_SHORT_TEXT)
    rows = list(
        _rejected_responses(quizzes=managed_quizzes(user), question_ids=[question.pk]).iterator()
    )
    if can_manage_bank(user, question.bank):
        rows += _rejected_practice(question_ids=[question.pk]).iterator()
    return _text_questions([question], _group(rows), user=user, limit=limit)[0]


def _bundled_refusal(question: Question) -> str:
    if question.bank.owner_id is None:
        return _(
            "Вопрос из встроенного банка: принимаемые ответы в нём меняет только администратор. "
            "Чтобы изменить вопрос под свой курс, загрузите копию банка со своим кодом bank.slug "
            "и соберите тест из неё."
        )
    return str(ErrorCode.BANK_NOT_YOURS.message_ru)


# --- Service --------------------------------------------------------------------------------


@dataclass
class Accepted:
    version: QuestionVersion
    created: bool  # False: the newest version accepted the text already (only regraded)
    runs: list[RegradeRun]


def _quizzes_using(question: Question, by) -> list[Quiz]:
    """The quizzes ``by`` manages whose attempts or fixed items use the question."""
    used = Q(attempts__items__version__question=question) | Q(items__question=question)
    return list(managed_quizzes(by).filter(used).distinct().order_by("pk"))


def text_answer_accept(*, question: Question, text: str, by, quiz: Quiz | None = None) -> Accepted:
    """Accept ``text`` for everyone: a new version with it appended to ``answers``, then regrade.

    ``quiz``: the quiz page's action, regrading that quiz; without it (the bank page) every quiz
    ``by`` manages that uses the question is regraded. Quiz items that pin a version of the
    question are pinned to the new one, so later attempts accept the text too. Refused with a
    code: ``quiz_owner_only``, ``question_not_in_quiz``, ``bank_not_yours`` (a bundled bank for a
    non-admin), ``not_short_text``, ``answer_not_acceptable``, ``regrade_running`` (a regrade of
    the question in one of the quizzes is still going: nothing is published), and
    ``answer_already_accepted``.

    Race: a double click on «Принять для всех». The question row is locked first, so the second
    click waits for the first one's commit, then finds the text in the newest version and the
    first click's regrade queued or done: it publishes nothing and is refused with
    ``answer_already_accepted``.
    """
    if quiz is not None and not can_manage_quiz(by, quiz):
        raise ServiceError(code=ErrorCode.QUIZ_OWNER_ONLY)
    text = " ".join((text or "").split())
    with transaction.atomic():
        question = (
            Question.objects.select_for_update(of=("self",))
            .select_related("bank", "topic")
            .get(pk=question.pk)
        )
        if not can_manage_bank(by, question.bank):
            raise ServiceError(_bundled_refusal(question), code=ErrorCode.BANK_NOT_YOURS)
        if question.kind != SHORT_TEXT:
            raise ServiceError(code=ErrorCode.NOT_SHORT_TEXT)
        if quiz is not None:
            used = AttemptItem.objects.filter(attempt__quiz=quiz, version__question=question)
            if not used.exists():
                raise ServiceError(code=ErrorCode.QUESTION_NOT_IN_QUIZ)
        quizzes = [quiz] if quiz is not None else _quizzes_using(question, by)
        newest = question.versions.order_by("-number").first()
        created = not _accepts(newest.spec, text)
        version = _publish_with(question, newest, text) if created else newest
        QuizItem.objects.filter(quiz__in=quizzes, question=question, version__isnull=False).exclude(
            version=version
        ).update(version=version)
        runs = []
        for each in quizzes:
            try:
                runs.append(regrade_start(question=question, to_version=version, by=by, quiz=each))
            except ServiceError as exc:
                if exc.code == ErrorCode.NOTHING_TO_REGRADE:
                    continue
                if exc.code == ErrorCode.REGRADE_RUNNING and not created:
                    continue  # the first click's regrade (or another one) to this version
                raise  # a run to an older version is going: publish nothing, say so
        if not created and not runs:
            raise ServiceError(code=ErrorCode.ANSWER_ALREADY_ACCEPTED)
        enqueue_on_commit(PRACTICE_TASK, version.pk, 0)
    return Accepted(version=version, created=created, runs=runs)


def _publish_with(question: Question, newest: QuestionVersion, text: str) -> QuestionVersion:
    spec = copy.deepcopy(newest.spec)
    spec["answers"] = [*(spec.get("answers") or []), text]
    # What counts is the grader's verdict, not our guess of its matching: the new version must
    # accept the text (an empty or over-long one it refuses as unreadable).
    try:
        accepted = bool(text) and (grader.grade(spec, None, text).score or 0.0) >= 1
    except GraderError:  # the spec itself is broken: not the place to repair it
        accepted = False
    if not accepted:
        raise ServiceError(code=ErrorCode.ANSWER_NOT_ACCEPTABLE, field="text")
    return question_publish(
        bank=question.bank,
        slug=question.slug,
        title=question.title,
        spec=spec,
        topic=question.topic,
    )


def practice_regrade_accepted(
    *, version_id: int, after_id: int = 0, batch: int = PRACTICE_BATCH
) -> int | None:
    """Grade the question's refused practice answers again with ``version_id``; only a better
    score is written. The id to continue after, or None when done.

    Free practice has no regrade runs: a student's history showing «Неверно» for an answer the
    bank now accepts would mislead them and lower their topic mastery. An answer keeps its
    version (its page's variant), and its previous grading is kept in ``result["regraded_from"]``,
    so nothing is lost. Only upgrades: the new version may differ from an answer's own in more
    than this text, and practice is not where a student loses what they were given.
    Each batch is one transaction over locked rows, in id order: a redelivered task repeats
    nothing (an upgraded answer is no longer refused).
    """
    version = QuestionVersion.objects.filter(pk=version_id).first()
    if version is None:
        return None
    with transaction.atomic():
        rows = list(
            PracticeAnswer.objects.select_for_update()
            .filter(
                version__question_id=version.question_id,
                status=Response.Status.GRADED,
                score__lt=1,
                pk__gt=after_id,
            )
            .order_by("pk")[:batch]
        )
        results = grader.grade_many([(version.spec, row.seed, row.raw) for row in rows])
        better = []
        for row, result in zip(rows, results, strict=True):
            if result["status"] != "graded" or result["score"] <= (row.score or 0.0):
                continue
            previous = {
                "version_id": row.version_id,
                "status": row.status,
                "score": row.score,
                "result": row.result,
            }
            store_grade(row, result)
            row.result = {
                **row.result,
                "regraded_from": previous,
                "regraded_version_id": version.pk,
            }
            better.append(row)
        save_grades(better)
        if better:
            versions.bump(versions.STUDY, *{row.user_id for row in better})
    return rows[-1].pk if len(rows) == batch else None
