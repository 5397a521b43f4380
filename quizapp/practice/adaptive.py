"""«Подобрать задачи»: practice that goes where the student is least sure (issue 17, point 5).

Difficulties are fitted from everybody's graded answers (:func:`difficulty_fit`, a periodic
task); each student's knowledge of a topic is a belief with a range (:func:`topic_beliefs`,
see practice.knowledge). The next question (:func:`adaptive_pick`) is drawn from the topics of
the banks the student studies (their courses' and the bundled ones): the one whose outcome is
the least certain — expected success p closest to ½, counted as p(1 − p) and weighed up by the
topic's own uncertainty — never from the topic of the previous pick (interleaving), and never a
question answered in the last hour.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict

import numpy as np
from django.db import transaction
from django.utils import timezone

from question_bank.models import Question, QuestionVersion, Topic
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.courses.selectors import banks_for_study
from quizapp.models import PracticeAnswer, QuestionDifficulty, Response
from quizapp.practice.knowledge import DRIFT, Belief, fit_rasch, success, update
from quizapp.practice.selectors import PRACTICE_KINDS

__all__ = ["adaptive_pick", "difficulty_fit", "topic_beliefs"]

GRADED = Response.Status.GRADED
RECENT = dt.timedelta(hours=1)
TOP = 3  # the pick is drawn among the best few, so two tabs do not get the very same question


def difficulty_fit(*, now: dt.datetime | None = None) -> int:
    """Fit every answered question's difficulty; how many were stored."""
    now = now or timezone.now()
    rows = [
        *PracticeAnswer.objects.filter(status=GRADED, score__isnull=False).values_list(
            "user_id", "version__question_id", "score"
        ),
        *Response.objects.filter(status=GRADED, score__isnull=False).values_list(
            "item__attempt__user_id", "item__version__question_id", "score"
        ),
    ]
    if not rows:
        return 0
    users, questions, scores = zip(*rows, strict=True)
    user_index = {u: i for i, u in enumerate(sorted(set(users)))}
    question_ids = sorted(set(questions))
    question_index = {q: i for i, q in enumerate(question_ids)}
    _theta, difficulty = fit_rasch(
        np.array([user_index[u] for u in users]),
        np.array([question_index[q] for q in questions]),
        np.clip(np.array(scores, dtype=float), 0.0, 1.0),
    )
    counts = np.bincount([question_index[q] for q in questions], minlength=len(question_ids))
    with transaction.atomic():
        QuestionDifficulty.objects.bulk_create(
            [
                QuestionDifficulty(
                    question_id=q,
                    difficulty=float(difficulty[i]),
                    answers=int(counts[i]),
                    fitted_at=now,
                )  # fmt: skip
                for i, q in enumerate(question_ids)
            ],
            update_conflicts=True,
            unique_fields=["question"],
            update_fields=["difficulty", "answers", "fitted_at"],
        )
    return len(question_ids)


def _difficulties(question_ids) -> dict[int, float]:
    rows = QuestionDifficulty.objects.filter(question_id__in=question_ids)
    return dict(rows.values_list("question_id", "difficulty"))


def topic_beliefs(*, user, topics) -> dict[int, Belief]:
    """The student's belief about each topic (subtopics count towards their parents), from
    their graded practice answers in time order."""
    topics = list(topics)
    parent_of = dict(
        Topic.objects.filter(bank__in={t.bank_id for t in topics}).values_list("id", "parent_id")
    )
    answers = list(
        PracticeAnswer.objects.filter(
            user=user, status=GRADED, topic__isnull=False, score__isnull=False
        )
        .order_by("created_at", "id")
        .values_list("topic_id", "version__question_id", "score", "created_at")
    )
    difficulty = _difficulties({q for _t, q, _s, _a in answers})
    beliefs: dict[int, Belief] = defaultdict(Belief)
    last: dict[int, dt.datetime] = {}
    for topic_id, question_id, score, at in answers:
        node = topic_id
        while node is not None:
            days = (at - last[node]).total_seconds() / 86400 if node in last else 0.0
            beliefs[node] = update(beliefs[node], score, difficulty.get(question_id, 0.0), days)
            last[node] = at
            node = parent_of.get(node)
    now = timezone.now()
    return {
        t.pk: _widened(beliefs[t.pk], (now - last[t.pk]).days if t.pk in last else 0)
        for t in topics
    }


def _widened(belief: Belief, days: float) -> Belief:
    return Belief(belief.mean, belief.var + DRIFT * days, belief.answers)


def adaptive_pick(*, user, last_topic_id: int | None = None) -> tuple[QuestionVersion, int]:
    """The next question for «Подобрать задачи» and a fresh seed (see the module docstring)."""
    candidates = list(
        Question.objects.filter(
            bank__in=banks_for_study(user),
            topic__isnull=False,
            kind__in=PRACTICE_KINDS,
            is_archived=False,
        ).values_list("pk", "topic_id")
    )
    if not candidates:
        raise ServiceError(code=ErrorCode.EMPTY_TOPIC)
    recent = set(
        PracticeAnswer.objects.filter(
            user=user, created_at__gte=timezone.now() - RECENT
        ).values_list("version__question_id", flat=True)
    )
    fresh = [(q, t) for q, t in candidates if q not in recent] or candidates
    other = [(q, t) for q, t in fresh if t != last_topic_id] or fresh
    topics = Topic.objects.filter(pk__in={t for _q, t in other})
    beliefs = topic_beliefs(user=user, topics=topics)
    difficulty = _difficulties([q for q, _t in other])
    scored = []
    for question_id, topic_id in other:
        belief = beliefs[topic_id]
        p = success(belief, difficulty.get(question_id, 0.0))
        scored.append((p * (1 - p) * (1 + belief.sd), question_id))
    scored.sort(reverse=True)
    question_id = secrets.choice([q for _score, q in scored[:TOP]])
    version = QuestionVersion.objects.filter(question_id=question_id).order_by("-number").first()
    return version, secrets.randbits(62)
