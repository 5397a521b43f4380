# ruff: noqa: F811  (fixtures imported from test_gradebook are parameters here)
"""Item analysis: the statistics against hand-computed numbers, and a quiz with known answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

import grader
from quizapp.gradebook.item_analysis import item_statistics, quiz_item_analysis
from tests.quizapp.gradebook.test_gradebook import (  # noqa: F401 (fixtures)
    fast_passwords,
    quiz,
    take,
)

pytestmark = pytest.mark.django_db


def test_statistics_by_hand():
    # p = 3/6; rest means: right 0.6667, wrong 0.3; population sd of rest 0.302306;
    # r_pb = (0.6667 − 0.3) / 0.302306 · √(0.5 · 0.5) = 0.60645.
    # 27 % of 6 → 2 attempts: the two lowest rest scores got it wrong, the two highest right.
    s = item_statistics([1, 1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.6, 0.2, 0.1])
    assert s.n == 6
    assert s.p == pytest.approx(0.5)
    assert s.r_pb == pytest.approx(0.60645, abs=1e-4)
    assert s.d27 == pytest.approx(1.0)


def test_statistics_negative_and_degenerate():
    s = item_statistics([0, 0, 1, 1, 1], [0.9, 0.8, 0.5, 0.2, 0.1])
    assert s.r_pb < 0 and s.d27 == pytest.approx(-1.0)  # k = round(1.35) = 1
    none_right = item_statistics([0, 0, 0], [0.1, 0.5, 0.9])
    assert (none_right.p, none_right.r_pb, none_right.d27) == (0.0, None, 0.0)
    assert item_statistics([], []).p is None


def _right(item) -> str:
    """The correct answer to a numeric item, from the grader's own key for its seed."""
    expected = grader.grade(item.version.spec, item.seed, "0").expected
    return str(int(expected)) if float(expected).is_integer() else str(expected)


@pytest.fixture
def six_attempts(quiz, django_user_model):
    """s0–s2 are strong (three right), s3–s5 weak; only the weak get «lstm-gates» right, and
    nobody gets «sigmoid-derivative» right. s3 makes the «no bias» mistake on «dense-params»."""
    from grader.engines import compute
    from quizapp.attempts import services

    for k in range(6):
        user = django_user_model.objects.create_user(f"s{k}")
        attempt = services.attempt_start(user=user, quiz=quiz)
        strong = k < 3
        for item in attempt.items.select_related("version__question"):
            slug = item.version.question.slug
            raw = "1"
            if slug in ("dense-params", "cafe-network") and strong:
                raw = _right(item)
            elif slug == "dense-params" and k == 3:
                params = grader.variant(item.version.spec, item.seed).params
                sizes = [params[n] for n in ("n_in", "h1", "h2", "h3")] + [1]
                raw = str(compute("dense_params", sizes=sizes, bias=False))
            elif slug == "dropout-name":
                raw = "dropout" if strong else "maxpool"
            elif slug == "lstm-gates":
                raw = "0" if strong else "1"
            response = services.response_submit(item=item, raw=raw)
            services.response_grade(response_id=response.pk)
        services.attempt_finish(attempt=attempt)


def test_quiz_analysis_numbers_and_flags(quiz, six_attempts):
    analysis = quiz_item_analysis(quiz=quiz)
    assert analysis.attempts == 6
    by_slug = {q.title: q for q in analysis.questions}
    assert len(analysis.questions) == 9

    lstm = next(q for q in analysis.questions if "LSTM" in q.title or "вентил" in q.title.lower())
    assert (lstm.stats.n, lstm.stats.p, lstm.n_correct) == (6, 0.5, 3)
    # Rest scores: strong 3/8, weak 0/8 — the item is right exactly for the weak ones.
    assert lstm.stats.r_pb == pytest.approx(-1.0)
    assert lstm.stats.d27 == pytest.approx(-1.0)
    assert "negative_discrimination" in [code for code, _ in lstm.flags]

    name = next(
        q for q in analysis.questions if q.answers and q.answers[0].label in ("dropout", "maxpool")
    )
    assert name.stats.r_pb == pytest.approx(1.0)
    assert {(a.label, a.count, a.correct) for a in name.answers} == {
        ("dropout", 3, True),
        ("maxpool", 3, False),
    }
    assert name.flags == []

    nobody = [q for q in analysis.questions if "nobody_right" in [c for c, _ in q.flags]]
    assert len(nobody) == 5  # sigmoid, dropout-vector, conv, bounded, flashcard: all answered «1»
    for q in nobody:
        assert q.stats.p == 0.0 and q.stats.r_pb is None

    dense = next(q for q in analysis.questions if any(m[0] == "no_bias" for m in q.mistakes))
    assert dict((m[0], m[2]) for m in dense.mistakes)["no_bias"] == 1
    assert dense.stats.p == 0.5
    assert by_slug  # titles are unique in the demo bank


def test_analysis_page_draws_chart(client, owner, quiz, six_attempts):
    client.force_login(owner)
    page = client.get(reverse("analysis-quiz", args=[quiz.pk])).content.decode()
    assert "<svg" in page and 'class="bar-neg"' in page
    assert "сильные студенты ошибаются чаще слабых" in page
    # SVG numbers with a decimal point, never the Russian comma.
    import re

    widths = re.findall(r'class="bar-p"|width="([^"]*)"', page)
    assert not [w for w in widths if "," in w]


def test_the_page_is_cached_until_an_attempt_changes(
    client, owner, quiz, six_attempts, django_user_model, django_capture_on_commit_callbacks
):
    """The analysis is computed once; a finished attempt, a late grade or a regrade (announced
    by ``attempt_graded``) renews it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quizapp.attempts import services
    from quizapp.models import Response

    client.force_login(owner)
    url = reverse("analysis-quiz", args=[quiz.pk])

    def view():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        reads = [q for q in ctx.captured_queries if "quizapp_attemptitem" in q["sql"]]
        return page.context["analysis"], len(reads)

    first, computed = view()
    again, cached = view()
    assert (first.attempts, again.attempts) == (6, 6) and computed >= 1 and cached == 0

    user = django_user_model.objects.create_user("late")
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.attempt_start(user=user, quiz=quiz)
        item = attempt.items.first()
        response = services.response_submit(item=item, raw="1")
        services.attempt_finish(attempt=attempt)
    # As if the worker had not graded it yet when the attempt finished (no signal either).
    Response.objects.filter(pk=response.pk).update(status=Response.Status.PENDING, score=None)
    analysis, _ = view()
    assert analysis.attempts == 7
    blank_before = sum(q.n_blank for q in analysis.questions)
    answered_before = sum(sum(a.count for a in q.answers) for q in analysis.questions)

    # The worker grades the pending answer after the finish: one UPDATE, then the announcement.
    with django_capture_on_commit_callbacks(execute=True):
        services.responses_grade_batch(first_id=response.pk, limit=1)
    analysis, reads = view()
    assert reads >= 1
    assert sum(sum(a.count for a in q.answers) for q in analysis.questions) == answered_before + 1
    assert sum(q.n_blank for q in analysis.questions) == blank_before
