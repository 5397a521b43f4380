"""Practice by topic: fresh variants, graded answers with solutions, mastery per topic."""

from __future__ import annotations

import pytest
from django.urls import reverse

import grader
from question_bank.models import Topic
from quizapp.models import PracticeAnswer
from quizapp.practice import selectors
from quizapp.practice import services as practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def regularization(demo_quiz):
    return Topic.objects.get(bank__slug="demo", slug="regularization")


@pytest.fixture
def cnn(demo_quiz):
    # One question only (a 3x3 convolution, a matrix answer): the variant's kind is known.
    return Topic.objects.get(bank__slug="demo", slug="cnn")


def _current(client, topic):
    saved = client.session[f"practice:{topic.pk}"]
    return saved["version"], saved["seed"]


def test_topic_page_shows_a_variant_and_keeps_it_on_reload(student_client, regularization):
    url = reverse("practice-topic", args=[regularization.pk])
    first = student_client.get(url)
    assert first.status_code == 200 and "Ещё вариант" in first.content.decode()
    assert _current(student_client, regularization) == _current(student_client, regularization)
    again = student_client.get(url)
    assert again.context["presented"] == first.context["presented"]


def test_answer_with_decimal_comma_is_graded_with_a_solution(
    student_client, student, cnn, django_capture_on_commit_callbacks
):
    from question_bank.models import QuestionVersion

    url = reverse("practice-topic", args=[cnn.pk])
    student_client.get(url)
    version_id, seed = _current(student_client, cnn)
    key = grader.grade(QuestionVersion.objects.get(pk=version_id).spec, seed, "0").expected
    raw = "[" + "; ".join(" ".join(f"{x:.1f}".replace(".", ",") for x in row) for row in key) + "]"
    with django_capture_on_commit_callbacks(execute=True):
        posted = student_client.post(reverse("practice-answer", args=[cnn.pk]), {"answer": raw})
    assert posted.status_code == 302
    answer = PracticeAnswer.objects.get()
    assert (answer.user, answer.status, answer.score, answer.seed) == (student, "graded", 1.0, seed)
    html = student_client.get(url).content.decode()
    assert "Верно." in html and "Решение" in html


def test_next_variant_changes_the_seed(student_client, regularization):
    student_client.get(reverse("practice-topic", args=[regularization.pk]))
    before = _current(student_client, regularization)
    student_client.post(reverse("practice-next", args=[regularization.pk]))
    assert _current(student_client, regularization) != before


def test_preview_follows_the_variant_on_screen(student_client, cnn):
    student_client.get(reverse("practice-topic", args=[cnn.pk]))
    data = student_client.get(reverse("practice-preview", args=[cnn.pk]), {"raw": "[1 2; 3"}).json()
    assert data["ok"] is False and data["message"]
    assert not PracticeAnswer.objects.exists()


def test_grading_twice_is_a_no_op(student, regularization, django_capture_on_commit_callbacks):
    version, seed = selectors.practice_pick(topic=regularization)
    with django_capture_on_commit_callbacks(execute=True):
        answer = practice.practice_submit(
            user=student, topic=regularization, version=version, seed=seed, raw="1"
        )
    answer.refresh_from_db()
    first = (answer.status, answer.score, answer.graded_at)
    practice.practice_grade(answer_id=answer.pk)
    answer.refresh_from_db()
    assert (answer.status, answer.score, answer.graded_at) == first


def test_mastery_weighs_recent_answers_more(student, regularization):
    version, _ = selectors.practice_pick(topic=regularization)
    for score in [1.0, 1.0, 0.0]:  # oldest first: two right, then the newest wrong
        PracticeAnswer.objects.create(
            user=student,
            topic=regularization,
            version=version,
            seed=1,
            raw="x",
            status="graded",
            score=score,
        )
    mastery = selectors.topic_mastery(user=student, topics=[regularization])[regularization.pk]
    assert mastery.answers == 3
    # The posterior mean under Beta(1, 1): weighted right answers + 1 over weights + 2.
    assert mastery.share == pytest.approx((0.9 + 0.81 + 1) / (1 + 0.9 + 0.81 + 2))


def test_index_lists_topics_with_mastery(
    student_client, regularization, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        html = student_client.get(reverse("practice")).content.decode()
    assert "Регуляризация и Dropout" in html and "ещё не решали" not in html


def test_practice_needs_login(client, regularization):
    response = client.get(reverse("practice-topic", args=[regularization.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
