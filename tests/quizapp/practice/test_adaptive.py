"""Knowledge with uncertainty and «Подобрать задачи» (issue 17, point 5): question difficulty
fitted from all students' answers (Rasch), a Gaussian belief per topic whose range narrows with
answers, and a pick where the student is least sure, interleaving topics."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from question_bank.models import Bank, Question, QuestionVersion, Topic
from quizapp.models import PracticeAnswer, QuestionDifficulty
from quizapp.practice import adaptive, knowledge

# --- The model --------------------------------------------------------------------------------


def test_the_range_narrows_with_answers_and_widens_with_time():
    belief = knowledge.Belief()
    low, _estimate, high = belief.chance()
    first_width, sds = high - low, [belief.sd]
    for i in range(30):
        belief = knowledge.update(belief, 1.0 if i % 4 else 0.0, 0.0)
        sds.append(belief.sd)
    # Every answer narrows the belief; the range of the chance (a sigmoid of it) with it.
    assert all(b < a for a, b in zip(sds, sds[1:], strict=False))
    low, _estimate, high = belief.chance()
    assert high - low < first_width / 2
    assert belief.answers == 30 and 0.6 < belief.chance()[1] < 0.85  # 3 of 4 right
    later = knowledge.update(belief, 1.0, 0.0, days=365)
    assert later.var > belief.var * 0.9  # a year away: most of the certainty is gone again
    assert knowledge.update(belief, 1.0, 0.0).mean > belief.mean
    assert knowledge.update(belief, 0.0, 0.0).mean < belief.mean


def test_a_right_answer_to_a_hard_question_says_more_than_to_an_easy_one():
    start = knowledge.Belief()
    hard = knowledge.update(start, 1.0, difficulty=2.0)
    easy = knowledge.update(start, 1.0, difficulty=-2.0)
    assert hard.mean > easy.mean > start.mean


def test_rasch_fit_recovers_difficulties_from_simulated_answers():
    rng = np.random.default_rng(7)
    theta, b = rng.normal(0, 1, 400), rng.normal(0, 1, 30)
    students = np.repeat(np.arange(400), 30)
    questions = np.tile(np.arange(30), 400)
    p = 1 / (1 + np.exp(-(theta[students] - b[questions])))
    scores = (rng.random(p.size) < p).astype(float)
    _theta, fitted = knowledge.fit_rasch(students, questions, scores)
    assert np.corrcoef(fitted, b)[0, 1] > 0.97
    assert np.mean(np.abs(fitted - b)) < 0.2  # 400 answers each; the N(0, 1) prior shrinks a bit


# --- In the app -------------------------------------------------------------------------------


@pytest.fixture
def two_topics():
    bank = Bank.objects.create(slug="ad", title="Подбор")
    topics = []
    for t, title in enumerate(["Свёртки", "Нормализация"]):
        topic = Topic.objects.create(bank=bank, slug=f"t{t}", title=title)
        topics.append(topic)
        for i in range(3):
            question = Question.objects.create(
                bank=bank, topic=topic, slug=f"q{t}{i}", title=f"Задача {t}{i}",
                kind=Question.Kind.NUMERIC,
            )  # fmt: skip
            QuestionVersion.objects.create(
                question=question, number=1,
                spec={"kind": "numeric", "text": f"{t}+{i}=?", "answer": {"value": t + i}},
            )  # fmt: skip
    return topics


def _answered(user, topic, score, n, *, hours_ago=5):
    from django.utils import timezone

    version = QuestionVersion.objects.filter(question__topic=topic).first()
    for _ in range(n):
        answer = PracticeAnswer.objects.create(
            user=user, topic=topic, version=version, seed=1, raw="1", status="graded",
            score=score, result={},
        )  # fmt: skip
        PracticeAnswer.objects.filter(pk=answer.pk).update(
            created_at=timezone.now() - timezone.timedelta(hours=hours_ago)
        )


@pytest.mark.django_db
def test_difficulties_are_fitted_from_everybodys_answers(two_topics, django_user_model):
    for i in range(6):
        user = django_user_model.objects.create_user(f"u{i}")
        _answered(user, two_topics[0], 1.0, 3)  # the first topic's question: always right
        _answered(user, two_topics[1], 0.0, 3)  # the second's: always wrong
    assert adaptive.difficulty_fit() == 2
    easy, hard = (
        QuestionDifficulty.objects.get(question__topic=t, question__slug=f"q{n}0")
        for n, t in enumerate(two_topics)
    )
    assert easy.difficulty < -1 < 1 < hard.difficulty and easy.answers == 18
    assert adaptive.difficulty_fit() == 2 and QuestionDifficulty.objects.count() == 2  # updated


@pytest.mark.django_db
def test_the_pick_goes_where_the_student_is_least_sure_and_interleaves(two_topics, student):
    convolutions, normalisation = two_topics
    _answered(student, convolutions, 1.0, 15)  # known well: its outcome is predictable
    for _ in range(10):
        version, _seed = adaptive.adaptive_pick(user=student)
        assert version.question.topic == normalisation
    version, _seed = adaptive.adaptive_pick(user=student, last_topic_id=normalisation.pk)
    assert version.question.topic == convolutions  # never the same topic twice in a row
    beliefs = adaptive.topic_beliefs(user=student, topics=two_topics)
    assert beliefs[convolutions.pk].answers == 15 and beliefs[normalisation.pk].answers == 0
    assert beliefs[convolutions.pk].sd < beliefs[normalisation.pk].sd


@pytest.mark.django_db
def test_the_pick_page_shows_the_question_with_the_range(student_client, student, two_topics):
    _answered(student, two_topics[0], 1.0, 15)
    response = student_client.get(reverse("practice-adaptive"))
    assert response.status_code == 302
    assert response["Location"] == f"/practice/topic/{two_topics[1].pk}/"
    page = student_client.get(response["Location"]).content.decode()
    assert "Задача подобрана там, где исход для вас менее всего предсказуем" in page
    assert "Следующая подобранная задача" in page
    index = student_client.get(reverse("practice")).content.decode()
    assert "Подобрать задачи" in index
