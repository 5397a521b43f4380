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

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import gettext

from question_bank.models import QuestionVersion
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


@dataclass
class QuizAnalysis:
    quiz: Quiz
    attempts: int
    questions: list[QuestionAnalysis]
    chart_height: int = 0

    @property
    def flagged(self) -> list[QuestionAnalysis]:
        return [q for q in self.questions if q.flags]


def quiz_item_analysis(*, quiz: Quiz) -> QuizAnalysis:
    """Every question of the quiz's finished attempts: two queries whatever the size.

    One pass over the finished items joined with their responses (none, one, or a few when an
    item allows several tries), in (item, response id) order so that an item's newest response
    comes last and wins. No id list travels to the database and back (45,000 items at 5,000
    attempts of nine questions), rows stay tuples, and the statistics are NumPy over arrays.
    """
    rows = (
        AttemptItem.objects.filter(attempt__quiz=quiz, attempt__status=Attempt.Status.FINISHED)
        .order_by("attempt_id", "position", "pk", "responses__id")
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
        latest[row[0]] = row
    versions = {
        v["pk"]: v
        for v in QuestionVersion.objects.filter(pk__in={row[4] for row in latest.values()})
        .order_by()
        .values("pk", "number", "question_id", "question__title", "spec")
    }

    n = len(latest)
    attempt_of = np.empty(n, dtype=np.int64)
    points = np.empty(n, dtype=float)
    x = np.empty(n, dtype=float)  # NaN: left out (pending or failed by the grader)
    groups: dict[int, _Question] = {}
    for k, (
        _,
        attempt_id,
        pts,
        position,
        version_id,
        rid,
        raw,
        status,
        score,
        parsed,
        mistake,
    ) in enumerate(latest.values()):
        version = versions[version_id]
        group = groups.get(version["question_id"])
        if group is None:
            group = groups[version["question_id"]] = _Question(title=version["question__title"])
        group.add(k, position, version)
        attempt_of[k] = attempt_id
        points[k] = pts
        if rid is None:
            x[k] = 0.0
            group.blank += 1
            continue
        if status in _LEFT_OUT:
            x[k] = np.nan
            group.failed += status == Response.Status.FAILED
        elif status == Response.Status.INVALID:
            x[k] = 0.0
            group.answer(gettext("%(value)s (не распознан)") % {"value": raw.strip()}, False)
        else:
            x[k] = score if score is not None else 0.0
            group.answer((parsed or raw or "").strip() or "—", x[k] >= 1.0 - 1e-9)
        if mistake:
            group.mistakes[mistake] += 1

    # Attempt totals and maxima over all their items; each item's rest score leaves it out.
    attempts, slot = np.unique(attempt_of, return_inverse=True)
    earned = np.where(np.isnan(x), 0.0, x) * points
    totals = np.bincount(slot, weights=earned, minlength=attempts.size)[slot]
    maxima = np.bincount(slot, weights=points, minlength=attempts.size)[slot]
    rest_max = maxima - points
    with np.errstate(divide="ignore", invalid="ignore"):
        rest = np.where(rest_max > 0, (totals - earned) / rest_max, 0.0)

    order = sorted(groups, key=lambda q: (groups[q].first_position, groups[q].title))
    questions = []
    for number, question_id in enumerate(order, start=1):
        group = groups[question_id]
        index = np.asarray(group.index, dtype=np.int64)
        counted = index[~np.isnan(x[index])]
        analysis = QuestionAnalysis(
            question_id=question_id,
            title=group.title,
            number=number,
            versions=sorted(group.versions),
            stats=item_statistics(x[counted], rest[counted]),
            n_correct=int(np.count_nonzero(x[counted] >= 1.0 - 1e-9)),
            n_blank=group.blank,
            n_failed=group.failed,
        )
        _answers(analysis, group)
        _mistakes(analysis, group, versions)
        _flags(analysis)
        questions.append(analysis)
    _layout_chart(questions)
    return QuizAnalysis(
        quiz=quiz,
        attempts=int(attempts.size),
        questions=questions,
        chart_height=ROW_H * len(questions) + 30,
    )


_LEFT_OUT = (Response.Status.PENDING, Response.Status.FAILED)


@dataclass
class _Question:
    """What one pass over the rows gathers about one question."""

    title: str
    first_position: int = 1 << 30
    index: list[int] = field(default_factory=list)  # the rows of its items
    versions: dict[int, int] = field(default_factory=dict)  # number → version id
    blank: int = 0
    failed: int = 0
    labels: Counter = field(default_factory=Counter)
    correct: dict[str, bool] = field(default_factory=dict)
    mistakes: Counter = field(default_factory=Counter)

    def add(self, row: int, position: int, version: dict) -> None:
        self.index.append(row)
        self.first_position = min(self.first_position, position)
        self.versions[version["number"]] = version["pk"]

    def answer(self, label: str, correct: bool) -> None:
        self.labels[label] += 1
        self.correct[label] = self.correct.get(label, False) or bool(correct)


def _answers(analysis: QuestionAnalysis, group: _Question) -> None:
    answered = sum(group.labels.values())
    for label, count in group.labels.most_common(TOP_ANSWERS):
        analysis.answers.append(
            Answer(label=label, count=count, correct=group.correct[label], share=count / answered)
        )
    analysis.other_answers = answered - sum(a.count for a in analysis.answers)


def _mistakes(analysis: QuestionAnalysis, group: _Question, versions: dict) -> None:
    """The typical mistakes of the newest version the quiz drew, with how often each was hit."""
    newest = versions[group.versions[max(group.versions)]]
    known = [
        (m.get("id") or f"mistake_{k}", m.get("feedback", ""))
        for k, m in enumerate((newest["spec"] or {}).get("mistakes") or [])
    ]
    seen = {mid for mid, _ in known}
    hits = group.mistakes
    analysis.mistakes = [(mid, text, hits.get(mid, 0)) for mid, text in known]
    analysis.mistakes += [(mid, "", n) for mid, n in hits.items() if mid not in seen]


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
