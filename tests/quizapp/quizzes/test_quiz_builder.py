"""The quiz builder: an instructor's own quizzes, settings, fixed questions and topic rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from question_bank.models import Bank, Question, Topic
from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.courses import services as courses
from quizapp.models import Quiz, QuizItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(owner, demo_quiz):
    return Quiz.objects.create(slug="owned", title="Контрольная 1", owner=owner)


def _topic(slug):
    return Topic.objects.get(bank__slug="demo", slug=slug)


def test_create_quiz_with_settings(client, owner, demo_quiz):
    client.force_login(owner)
    page = client.post(
        reverse("teach-quiz-new"),
        {
            "title": "Контрольная по Dropout",
            "slug": "",
            "time_limit_minutes": "20",
            "max_attempts": "2",
            "show_solutions": "after_finish",
            "shuffle_items": "on",
            "is_published": "on",
            "opens_at": "2026-12-01T10:00",
            "closes_at": "2026-12-01T12:00",
        },
    )
    quiz = Quiz.objects.get(title="Контрольная по Dropout")
    assert page.status_code == 302 and page["Location"].endswith(f"/teach/quizzes/{quiz.pk}/")
    assert quiz.owner == owner and quiz.slug.startswith("quiz-")
    assert (quiz.time_limit_minutes, quiz.max_attempts, quiz.shuffle_items) == (20, 2, True)
    assert quiz.closes_at > quiz.opens_at


def test_close_before_open_is_refused_in_russian(client, owner, quiz):
    client.force_login(owner)
    page = client.post(
        reverse("teach-quiz-edit", args=[quiz.pk]),
        {
            "title": "X",
            "slug": "owned",
            "show_solutions": "after_finish",
            "opens_at": "2026-12-01T10:00",
            "closes_at": "2026-12-01T09:00",
        },
    )
    assert page.status_code == 200
    assert "закрываться позже" in page.content.decode()
    quiz.refresh_from_db()
    assert quiz.title == "Контрольная 1"


def test_build_rules_and_questions_then_a_student_takes_it(client, owner, quiz, student):
    client.force_login(owner)
    rule = client.post(
        reverse("teach-item-add-rule", args=[quiz.pk]),
        {"topic": _topic("regularization").pk, "count": "2", "points": "1,5"},
    )
    assert rule.status_code == 302
    dense = Question.objects.get(bank__slug="demo", slug="dense-params")
    client.post(reverse("teach-item-add-question", args=[quiz.pk]), {"question": dense.pk})
    # The same question twice is refused.
    again = client.post(
        reverse("teach-item-add-question", args=[quiz.pk]), {"question": dense.pk}, follow=True
    )
    assert "уже есть в тесте" in again.content.decode()
    items = list(quiz.items.order_by("position"))
    assert [(i.position, i.topic_id is not None, i.count, str(i.points)) for i in items] == [
        (1, True, 2, "1.50"),
        (2, False, 1, "1.00"),
    ]
    # A new quiz is a draft: nobody but its owner sees it until published and assigned.
    with pytest.raises(ServiceError) as refused:
        services.attempt_start(user=student, quiz=quiz)
    assert refused.value.code == "quiz_not_visible"
    published = client.post(reverse("teach-quiz-publish", args=[quiz.pk]), {"publish": "1"})
    assert published.status_code == 302
    quiz.refresh_from_db()
    assert quiz.is_published
    course = courses.course_create(owner=owner, title="Курс", code="builder")
    courses.course_join(user=student, code=course.join_code)
    courses.course_quiz_assign(course=course, quiz=quiz, by=owner)
    attempt = services.attempt_start(user=student, quiz=quiz)
    assert attempt.items.count() == 3 and attempt.max_score == 4


def test_a_new_quiz_is_a_draft_until_published(client, owner, demo_quiz):
    client.force_login(owner)
    client.post(reverse("teach-quiz-new"), {"title": "Черновая", "show_solutions": "never"})
    quiz = Quiz.objects.get(title="Черновая")
    assert (quiz.is_published, quiz.is_open) == (False, False)
    page = client.get(reverse("teach-quiz-edit", args=[quiz.pk])).content.decode()
    assert "Черновик" in page and "Опубликовать" in page
    assert "Открытый тест: виден всем вошедшим, даже без курса" in page  # the form explains it
    client.post(reverse("teach-quiz-publish", args=[quiz.pk]), {"publish": "1"})
    quiz.refresh_from_db()
    assert quiz.is_published
    page = client.get(reverse("teach-quiz-edit", args=[quiz.pk])).content.decode()
    assert "Снять с публикации" in page
    client.post(reverse("teach-quiz-publish", args=[quiz.pk]), {"publish": "0"})
    quiz.refresh_from_db()
    assert not quiz.is_published


def test_rule_asking_too_many_is_refused(client, owner, quiz):
    client.force_login(owner)
    page = client.post(
        reverse("teach-item-add-rule", args=[quiz.pk]),
        {"topic": _topic("rnn").pk, "count": "3"},
        follow=True,
    )
    assert "только 1 вопросов" in page.content.decode()
    assert not quiz.items.exists()


def test_move_update_and_remove_keep_positions_dense(client, owner, quiz):
    client.force_login(owner)
    for slug in ("dense-params", "cafe-network", "lstm-gates"):
        question = Question.objects.get(bank__slug="demo", slug=slug)
        client.post(reverse("teach-item-add-question", args=[quiz.pk]), {"question": question.pk})
    first, second, third = quiz.items.order_by("position")
    client.post(reverse("teach-item-move", args=[quiz.pk, third.pk]), {"dir": "up"})
    assert list(quiz.items.order_by("position").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    client.post(reverse("teach-item-update", args=[quiz.pk, first.pk]), {"points": "2"})
    bad = client.post(
        reverse("teach-item-update", args=[quiz.pk, first.pk]), {"points": "-1"}, follow=True
    )
    assert "больше 0" in bad.content.decode()
    client.post(reverse("teach-item-remove", args=[quiz.pk, third.pk]))
    rows = list(quiz.items.order_by("position").values_list("pk", "position", "points"))
    assert [(pk, pos, str(points)) for pk, pos, points in rows] == [
        (first.pk, 1, "2.00"),
        (second.pk, 2, "1.00"),
    ]


def test_questions_of_another_instructors_bank_cannot_be_added(
    client, owner, other_instructor, quiz
):
    private = Bank.objects.create(slug="private", title="Чужой банк", owner=other_instructor)
    question = Question.objects.create(bank=private, slug="q", title="Чужой", kind="numeric")
    client.force_login(owner)
    page = client.post(
        reverse("teach-item-add-question", args=[quiz.pk]), {"question": question.pk}
    )
    assert page.status_code == 404
    search = client.get(reverse("teach-quiz-edit", args=[quiz.pk]), {"q": "Чужой"})
    assert "Ничего не найдено" in search.content.decode()
    assert not quiz.items.exists()


@pytest.mark.parametrize(
    "who, status",
    [("owner", 200), ("admin", 200), ("other_instructor", 404), ("student", 403), (None, 302)],
)
def test_permissions_of_every_page(client, request, quiz, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    item = QuizItem.objects.create(quiz=quiz, topic=_topic("regularization"), count=1, position=1)
    gets = [reverse("teach-quiz-edit", args=[quiz.pk])]
    posts = [
        (reverse("teach-item-add-rule", args=[quiz.pk]), {"topic": item.topic_id, "count": 1}),
        (reverse("teach-item-update", args=[quiz.pk, item.pk]), {"points": "3"}),
        (reverse("teach-item-move", args=[quiz.pk, item.pk]), {"dir": "down"}),
        (reverse("teach-item-remove", args=[quiz.pk, item.pk]), {}),
    ]
    for url in gets:
        assert client.get(url).status_code == status, url
    if status != 200:
        for url, data in posts:
            assert client.post(url, data).status_code == status, url
        assert list(quiz.items.values_list("pk", "points")) == [(item.pk, item.points)]
    list_status = {"other_instructor": 200}.get(who, status)
    assert client.get(reverse("teach-quizzes")).status_code == list_status


def test_list_shows_only_own_quizzes(client, owner, other_instructor, quiz):
    Quiz.objects.create(slug="theirs", title="Чужая контрольная", owner=other_instructor)
    client.force_login(owner)
    html = client.get(reverse("teach-quizzes")).content.decode()
    assert "Контрольная 1" in html and "Чужая контрольная" not in html


def test_a_student_is_told_in_russian_why_not(client, student, demo_quiz):
    client.force_login(student)
    page = client.get(reverse("teach-quizzes"))
    assert page.status_code == 403
    assert "доступна только преподавателям" in page.content.decode()
    assert "Журнал" not in page.content.decode()  # instructor links stay hidden
