"""An instructor's own bank is for their students: others neither practise nor study it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from question_bank.models import Bank, Question, QuestionVersion, Topic
from quizapp.core.roles import INSTRUCTOR_GROUP
from quizapp.courses import services as courses
from quizapp.models import StudyDeck

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(django_user_model):
    user = django_user_model.objects.create_user("teacher", password="pw-teacher")
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    return user


@pytest.fixture
def private_topic(teacher, demo_quiz):
    """The teacher's bank: a copy of the demo bank's Dropout question under their ownership."""
    bank = Bank.objects.create(slug="teacher-bank", title="Банк преподавателя", owner=teacher)
    topic = Topic.objects.create(bank=bank, slug="t", title="Закрытая тема")
    source = QuestionVersion.objects.get(question__slug="dense-params")
    question = Question.objects.create(
        bank=bank, topic=topic, slug="q", title="Закрытый вопрос", kind="numeric"
    )
    QuestionVersion.objects.create(question=question, number=1, spec=source.spec)
    return topic


def _pages(client, topic):
    practice = client.get(reverse("practice")).content.decode()
    decks = client.get(reverse("flashcard-decks")).content.decode()
    page = client.get(reverse("practice-topic", args=[topic.pk]))
    return "Банк преподавателя" in practice, "Банк преподавателя" in decks, page.status_code


def test_outsider_student_does_not_see_an_instructors_bank(client, student, private_topic):
    client.force_login(student)
    assert _pages(client, private_topic) == (False, False, 404)
    add = client.post(reverse("flashcard-deck-add"), {"bank": private_topic.bank_id})
    assert add.status_code == 404
    assert not StudyDeck.objects.exists()
    # The bundled demo bank is for everybody.
    assert "Демо" in client.get(reverse("practice")).content.decode()


def test_enrolled_student_and_the_owner_do(client, student, teacher, private_topic):
    course = courses.course_create(owner=teacher, title="Глубокое обучение", code="dl-2026")
    courses.course_join(user=student, code=course.join_code)
    client.force_login(student)
    assert _pages(client, private_topic) == (True, True, 200)
    client.force_login(teacher)
    assert _pages(client, private_topic) == (True, True, 200)
