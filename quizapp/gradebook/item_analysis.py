"""Item analysis of a quiz: how hard each question is, whether it separates strong students from
weak ones, what students answered and which typical mistakes they made.

Conventions (classical test theory):
- Observations are the quiz's finished attempts (a retake is another observation). A question is
  taken across all its versions; topic rules make each question appear in only some attempts, so
  each question's numbers come from the attempts that contained it.
- The item score ``x`` is the newest response's score in [0, 1]; no answer or an unparsable one
  counts 0; a response still pending or failed by the grader is left out of that question.
- Difficulty ``p`` is the mean item score (for right/wrong questions: the share answered right).
- The rest score of an attempt is its computed score without this item, as a share of the rest's
  maximum (overrides are not used: they are about attempts, not items).
- Discrimination: the point-biserial correlation between ``x`` and the rest score (the
  "corrected item–total" correlation), and the upper/lower 27 % index: mean ``x`` of the 27 %
  attempts with the highest rest score minus that of the 27 % with the lowest.
- Flags, from ``MIN_N`` observations: nobody answered right; negative discrimination (the better
  students got it wrong more often); and, at any n, answers the grader failed on.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from django.core.cache import cache
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import get_language, gettext

from question_bank.models import QuestionVersion
from quizapp.core import versions
from quizapp.models import Attempt, AttemptItem, Quiz, Response

MIN_N = 5
TOP_ANSWERS = 5
GROUP_SHARE = 0.27

# Chart geometry (SVG user units): difficulty bars from x=BAR_X, discrimination around DISC_X.
ROW_H = 24
BAR_X, BAR_W = 40, 200
DISC_X, DISC_HALF = 360, 90


@dataclass
class ItemStats:
    n: int
    p: float | None
    r_pb: float | None
    d27: float | None


def item_statistics(x, rest) -> ItemStats:
    """Difficulty and discrimination of one item.

    ``x``: item scores in [0, 1]; ``rest``: the same attempts' rest scores.

    >>> s = item_statistics([1, 1, 0, 0], [0.9, 0.7, 0.4, 0.1])
    >>> (s.n, s.p, round(s.r_pb, 3), s.d27)
    (4, 0.5, 0.907, 1.0)
    """
    x = np.asarray(x, dtype=float)
    rest = np.asarray(rest, dtype=float)
    n = int(x.size)
    if n == 0:
        return ItemStats(0, None, None, None)
    p = float(x.mean())
    r_pb = None
    if n >= 2 and x.std() > 0 and rest.std() > 0:
        r_pb = float(np.corrcoef(x, rest)[0, 1])
    d27 = None
    if n >= 2:
        k = max(1, int(round(GROUP_SHARE * n)))
        order = np.argsort(rest, kind="stable")
        d27 = float(x[order[-k:]].mean() - x[order[:k]].mean())
    return ItemStats(n, p, r_pb, d27)


@dataclass
class Answer:
    label: str
    count: int
    correct: bool
    share: float = 0.0


@dataclass
class QuestionAnalysis:
    question_id: int
    title: str
    number: int
    versions: list[int]
    stats: ItemStats
    n_correct: int
    n_blank: int
    n_failed: int
    answers: list[Answer] = field(default_factory=list)
    other_answers: int = 0
    mistakes: list[tuple[str, str, int]] = field(default_factory=list)  # id, feedback, hits
    flags: list[tuple[str, str]] = field(default_factory=list)  # code, Russian text
    chart: dict = field(default_factory=dict)
    kind: str = ""  # of the newest version the quiz drew (short_text links to rejected answers)


@dataclass
class QuizAnalysis:
    quiz: Quiz
    attempts: int
    questions: list[QuestionAnalysis]
    chart_height: int = 0

    @property
    def flagged(self) -> list[QuestionAnalysis]:
        return [q for q in self.questions if q.flags]


# The analysis changes only when an attempt of the quiz changes (finished, rescored after a late
# grade or a regrade): it is cached under the quiz's token, which those writes renew
# (quizapp/gradebook/invalidation.py). The TTL only bounds what a missed change could cost.
CACHE_SECONDS = 3600
# Cached analyses are pickled objects of this module's classes: a release that changes them must
# not read the previous release's (the shared cache outlives a deploy).
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def quiz_item_analysis_cached(*, quiz: Quiz) -> QuizAnalysis:
    """:func:`quiz_item_analysis`, computed once per change of the quiz's attempts."""
    (token,) = versions.tokens((versions.ANALYSIS, quiz.pk))
    # created_at: a database rebuilt or restored elsewhere may give this id to another quiz.
    born = int(quiz.created_at.timestamp() * 1_000_000) if quiz.created_at else 0
    key = f"nz:analysis:{_CODE}:{quiz.pk}:{born}:{token}:{get_language()}"
    analysis = cache.get(key)
    if analysis is None:
        analysis = quiz_item_analysis(quiz=quiz)
        cache.set(key, replace(analysis, quiz=None), CACHE_SECONDS)
    else:
        analysis.quiz = quiz
    return analysis


def quiz_item_analysis(*, quiz: Quiz) -> QuizAnalysis:
    """Every question of the quiz's finished attempts: two queries whatever the size.

    One pass over the finished items joined with their responses (none, one, or a few when an
    item allows several tries; the highest response id is the newest). No id list travels to the
    database and back (45,000 items at 5,000 attempts of nine questions), nothing is sorted
    there, rows stay tuples and become NumPy columns; counting answers and mistakes is done by
    ``Counter`` over pairs. Ties are broken by ids, so the result never depends on row order.
    """
    rows = (
        AttemptItem.objects.filter(attempt__quiz=quiz, attempt__status=Attempt.Status.FINISHED)
        .order_by()
        .values_list(
            "pk",
            "attempt_id",
            "points",
            "position",
            "version_id",
            "responses__id",
            "responses__raw",
            "responses__status",
            "responses__score",
            # KT() would read "responses" as the JSON field; the transforms name it whole.
            KeyTextTransform("parsed_display", "responses__result"),
            KeyTextTransform("id", KeyTransform("mistake", "responses__result")),
        )
    )
    latest: dict[int, tuple] = {}
    for row in rows:
        seen = latest.get(row[0])
        if seen is None or (row[5] or 0) > (seen[5] or 0):
            latest[row[0]] = row
    if not latest:
        return QuizAnalysis(quiz=quiz, attempts=0, questions=[], chart_height=30)
    (
        pks,
        attempt_ids,
        pts,
        positions,
        version_ids,
        rids,
        raws,
        statuses,
        scores,
        parsed,
        mistakes,
    ) = zip(*latest.values(), strict=True)
    versions = {
        v["pk"]: v
        for v in QuestionVersion.objects.filter(pk__in=set(version_ids))
        .order_by()
        .values("pk", "number", "question_id", "question__title", "spec")
    }

    question = np.array([versions[v]["question_id"] for v in version_ids], dtype=np.int64)
    status = np.array(statuses, dtype=object)
    answered = np.array([r is not None for r in rids])
    left_out = (
        (status == Response.Status.PENDING)
        | (status == Response.Status.FAILED)
        | (status == Response.Status.MANUAL)  # an essay not graded yet: no score to analyse
    )
    invalid = status == Response.Status.INVALID
    score = np.array([0.0 if v is None else v for v in scores], dtype=float)
    # x: the item score; NaN leaves the item out (pending, failed by the grader, an essay waiting).
    x = np.where(~answered | invalid, 0.0, np.where(left_out, np.nan, score))
    points = np.array(pts, dtype=float)

    # Attempt totals and maxima over all their items; each item's rest score leaves it out.
    attempts, slot = np.unique(np.array(attempt_ids, dtype=np.int64), return_inverse=True)
    earned = np.where(np.isnan(x), 0.0, x) * points
    totals = np.bincount(slot, weights=earned, minlength=attempts.size)[slot]
    maxima = np.bincount(slot, weights=points, minlength=attempts.size)[slot]
    rest_max = maxima - points
    with np.errstate(divide="ignore", invalid="ignore"):
        rest = np.where(rest_max > 0, (totals - earned) / rest_max, 0.0)

    # The answers given (what the grader understood), per question, and which were right.
    shown = np.nonzero(answered & ~left_out)[0]
    unreadable = gettext("%(value)s (не распознан)")
    labels = [
        unreadable % {"value": raws[k].strip()}
        if statuses[k] == Response.Status.INVALID
        else (parsed[k] or raws[k] or "").strip() or "—"
        for k in shown.tolist()
    ]
    shown_question = question[shown].tolist()
    label_counts = Counter(zip(shown_question, labels, strict=True))
    right = x[shown] >= 1.0 - 1e-9
    right_labels = {
        pair for pair, ok in zip(zip(shown_question, labels, strict=True), right, strict=True) if ok
    }
    mistake_counts = Counter((q, m) for q, m in zip(question.tolist(), mistakes, strict=True) if m)

    pk = np.array(pks, dtype=np.int64)
    position = np.array(positions, dtype=np.int64)
    version_number = np.array([versions[v]["number"] for v in version_ids], dtype=np.int64)
    number_to_version = {(v["question_id"], v["number"]): v for v in versions.values()}
    groups = []
    for question_id in np.unique(question).tolist():
        index = np.nonzero(question == question_id)[0]
        first = index[np.argmin(position[index])]
        groups.append(
            (
                int(position[first]),
                versions[version_ids[first]]["question__title"],
                question_id,
                index,
            )
        )
    groups.sort(key=lambda g: (g[0], g[1]))

    questions = []
    for number, (_, title, question_id, index) in enumerate(groups, start=1):
        counted = index[~np.isnan(x[index])]
        counted = counted[np.argsort(pk[counted], kind="stable")]  # ties: item order
        numbers = sorted(set(version_number[index].tolist()))
        analysis = QuestionAnalysis(
            question_id=question_id,
            title=title,
            number=number,
            versions=numbers,
            stats=item_statistics(x[counted], rest[counted]),
            n_correct=int(np.count_nonzero(x[counted] >= 1.0 - 1e-9)),
            n_blank=int(np.count_nonzero(~answered[index])),
            n_failed=int(np.count_nonzero(status[index] == Response.Status.FAILED)),
        )
        _answers(analysis, question_id, label_counts, right_labels)
        newest = number_to_version[(question_id, numbers[-1])]
        analysis.kind = (newest["spec"] or {}).get("kind", "")
        _mistakes(analysis, question_id, mistake_counts, newest)
        _flags(analysis)
        questions.append(analysis)
    _layout_chart(questions)
    return QuizAnalysis(
        quiz=quiz,
        attempts=int(attempts.size),
        questions=questions,
        chart_height=ROW_H * len(questions) + 30,
    )


def _answers(analysis: QuestionAnalysis, question_id: int, counts: Counter, right: set) -> None:
    """The most frequent answers (ties by text), with the share of the answered and whether
    the grader accepted them."""
    mine = sorted(
        ((label, n) for (q, label), n in counts.items() if q == question_id),
        key=lambda pair: (-pair[1], pair[0]),
    )
    answered = sum(n for _, n in mine)
    for label, count in mine[:TOP_ANSWERS]:
        analysis.answers.append(
            Answer(
                label=label,
                count=count,
                correct=(question_id, label) in right,
                share=count / answered,
            )
        )
    analysis.other_answers = answered - sum(a.count for a in analysis.answers)


def _mistakes(analysis: QuestionAnalysis, question_id: int, counts: Counter, newest: dict):
    """The typical mistakes of the newest version the quiz drew, with how often each was hit;
    then mistakes of older versions that the newest no longer lists."""
    spec = newest["spec"] or {}
    known = [
        (m.get("id") or f"mistake_{k}", m.get("feedback", ""))
        for k, m in enumerate(spec.get("mistakes") or [])
    ]
    # A multipart question's mistakes live in its fields; a graded answer names the first one
    # it made as «field:id» (grader/grading.py).
    known += [
        (f"{part.get('name')}:{m.get('id') or f'mistake_{k}'}", m.get("feedback", ""))
        for part in spec.get("parts") or []
        for k, m in enumerate(part.get("mistakes") or [])
    ]
    seen = {mid for mid, _ in known}
    hits = {m: n for (q, m), n in counts.items() if q == question_id}
    analysis.mistakes = [(mid, text, hits.get(mid, 0)) for mid, text in known]
    analysis.mistakes += [(mid, "", hits[mid]) for mid in sorted(hits) if mid not in seen]


def _flags(analysis: QuestionAnalysis) -> None:
    s = analysis.stats
    if s.n >= MIN_N and analysis.n_correct == 0:
        analysis.flags.append(("nobody_right", gettext("никто не ответил верно — проверьте ключ")))
    negative = (s.r_pb is not None and s.r_pb < 0) or (s.d27 is not None and s.d27 < 0)
    if s.n >= MIN_N and negative:
        analysis.flags.append(
            (
                "negative_discrimination",
                gettext("сильные студенты ошибаются чаще слабых — проверьте ключ"),
            )
        )
    if analysis.n_failed:
        analysis.flags.append(
            ("grading_failed", gettext("ошибки проверки: вопрос нужно исправить"))
        )


def _layout_chart(questions: list[QuestionAnalysis]) -> None:
    for k, q in enumerate(questions):
        y = 20 + k * ROW_H
        p = q.stats.p or 0.0
        r = q.stats.r_pb
        q.chart = {
            "y": y,
            "text_y": y + 13,
            "p_width": round(BAR_W * p, 1),
            "p_label_x": BAR_X + round(BAR_W * p, 1) + 4,
            "d_x": round(DISC_X + min(0.0, (r or 0.0)) * DISC_HALF, 1),
            "d_width": round(abs(r or 0.0) * DISC_HALF, 1),
            "d_negative": r is not None and r < 0,
            "d_missing": r is None,
        }
