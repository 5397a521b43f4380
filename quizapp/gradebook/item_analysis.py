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

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Max
from django.db.models.fields.json import KT
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
    """Every question of the quiz's finished attempts (four queries whatever the size)."""
    finished = {"attempt__quiz": quiz, "attempt__status": Attempt.Status.FINISHED}
    items = list(
        AttemptItem.objects.filter(**finished).values(
            "pk",
            "attempt_id",
            "points",
            "position",
            "version_id",
            "version__number",
            "version__question_id",
            "version__question__title",
        )
    )
    newest = Response.objects.filter(item__in=[i["pk"] for i in items]).values("item_id")
    newest = newest.annotate(last=Max("id")).values("last")
    responses = {
        r["item_id"]: r
        for r in Response.objects.filter(id__in=newest).values(
            "item_id",
            "raw",
            "status",
            "score",
            parsed=KT("result__parsed_display"),
            mistake=KT("result__mistake__id"),
        )
    }
    specs = dict(
        QuestionVersion.objects.filter(pk__in={i["version_id"] for i in items}).values_list(
            "pk", "spec"
        )
    )

    # Item scores and attempt totals.
    totals: dict[int, float] = defaultdict(float)
    maxima: dict[int, float] = defaultdict(float)
    for item in items:
        r = responses.get(item["pk"])
        item["response"] = r
        pts = float(item["points"])
        score = r["score"] if r and r["score"] is not None else 0.0
        if r and r["status"] == Response.Status.INVALID:
            score = 0.0
        item["x"] = None if r and r["status"] in _LEFT_OUT else float(score)
        totals[item["attempt_id"]] += pts * (item["x"] or 0.0)
        maxima[item["attempt_id"]] += pts

    by_question: dict[int, list[dict]] = defaultdict(list)
    for item in items:
        by_question[item["version__question_id"]].append(item)
    order = sorted(
        by_question,
        key=lambda q: (
            min(i["position"] for i in by_question[q]),
            by_question[q][0]["version__question__title"],
        ),
    )
    questions = []
    for number, question_id in enumerate(order, start=1):
        qitems = by_question[question_id]
        questions.append(_analyse_question(number, question_id, qitems, totals, maxima, specs))
    _layout_chart(questions)
    return QuizAnalysis(
        quiz=quiz,
        attempts=len(totals),
        questions=questions,
        chart_height=ROW_H * len(questions) + 30,
    )


_LEFT_OUT = (Response.Status.PENDING, Response.Status.FAILED)


def _analyse_question(number, question_id, qitems, totals, maxima, specs) -> QuestionAnalysis:
    counted = [i for i in qitems if i["x"] is not None]
    x = np.array([i["x"] for i in counted], dtype=float)
    rest = np.array(
        [
            _rest_share(
                totals[i["attempt_id"]], maxima[i["attempt_id"]], float(i["points"]), i["x"]
            )
            for i in counted
        ],
        dtype=float,
    )
    stats = item_statistics(x, rest)
    n_correct = int(np.count_nonzero(x >= 1.0 - 1e-9))
    n_blank = sum(1 for i in counted if i["response"] is None)
    n_failed = sum(
        1 for i in qitems if i["response"] and i["response"]["status"] == Response.Status.FAILED
    )
    analysis = QuestionAnalysis(
        question_id=question_id,
        title=qitems[0]["version__question__title"],
        number=number,
        versions=sorted({i["version__number"] for i in qitems}),
        stats=stats,
        n_correct=n_correct,
        n_blank=n_blank,
        n_failed=n_failed,
    )
    _answers(analysis, counted)
    _mistakes(analysis, qitems, specs)
    _flags(analysis)
    return analysis


def _rest_share(total: float, maximum: float, points: float, x: float) -> float:
    rest_max = maximum - points
    return (total - points * x) / rest_max if rest_max > 0 else 0.0


def _answers(analysis: QuestionAnalysis, counted: list[dict]) -> None:
    labels: Counter = Counter()
    correct: dict[str, bool] = {}
    for item in counted:
        r = item["response"]
        if r is None:
            continue
        label = (r["parsed"] or r["raw"] or "").strip() or "—"
        if r["status"] == Response.Status.INVALID:
            label = gettext("%(value)s (не распознан)") % {"value": r["raw"].strip()}
        labels[label] += 1
        correct[label] = correct.get(label, False) or item["x"] >= 1.0 - 1e-9
    answered = sum(labels.values())
    for label, count in labels.most_common(TOP_ANSWERS):
        analysis.answers.append(
            Answer(label=label, count=count, correct=correct[label], share=count / answered)
        )
    analysis.other_answers = answered - sum(a.count for a in analysis.answers)


def _mistakes(analysis: QuestionAnalysis, qitems: list[dict], specs: dict) -> None:
    hits = Counter(
        i["response"]["mistake"] for i in qitems if i["response"] and i["response"]["mistake"]
    )
    newest = max(qitems, key=lambda i: i["version__number"])
    known = [
        (m.get("id") or f"mistake_{k}", m.get("feedback", ""))
        for k, m in enumerate(specs.get(newest["version_id"], {}).get("mistakes") or [])
    ]
    seen = {mid for mid, _ in known}
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
