"""Issue 12 §2: an unreadable answer is not a wrong answer.

``42`` typed into the vector question (demo «dropout-vector», a fixed question) is marked
unreadable before the finish (the page, its navigation, the confirmation), and after it the quiz's
``unreadable_policy`` decides: «review» leaves it to the instructor (provisional score, flagged
in the gradebook until an override), «wrong» counts 0. Never «Неверно»."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from quizapp.attempts import selectors, services
from quizapp.gradebook import selectors as gradebook_selectors
from quizapp.gradebook import services as gradebook_services
from quizapp.models import Attempt, Quiz, Response

pytestmark = pytest.mark.django_db


def _item(attempt, slug):
    return attempt.items.get(version__question__slug=slug)


def _draft(attempt, slug, raw, rev=1):
    assert services.draft_save(item=_item(attempt, slug), raw=raw, rev=rev)


def _finish(attempt, django_capture_on_commit_callbacks) -> Attempt:
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_finish(attempt=attempt)
    return Attempt.objects.select_related("quiz").get(pk=attempt.pk)


def _latest(attempt, slug) -> Response:
    return Response.objects.filter(item=_item(attempt, slug)).latest("id")


# --- services ----------------------------------------------------------------------------------


def test_finish_with_an_unreadable_draft_under_review_is_not_counted_wrong(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    assert demo_quiz.unreadable_policy == Quiz.Unreadable.REVIEW  # the default
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    _draft(attempt, "lstm-gates", "0")  # a chosen option: readable, graded
    finished = _finish(attempt, django_capture_on_commit_callbacks)

    response = _latest(attempt, "dropout-vector")
    assert response.status == Response.Status.INVALID and response.score is None
    assert response.result["error"]["code"] == "wrong_shape"
    assert "Неверно" not in response.result["feedback"]
    assert finished.unreadable_count == 1
    assert finished.awaits_review
    view = selectors.attempt_view(attempt=finished)
    assert view.provisional and view.unreadable == 1
    assert [v.item.version.question.slug for v in view.unreadable_items] == ["dropout-vector"]


def test_the_wrong_policy_counts_an_unreadable_answer_as_zero(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    demo_quiz.unreadable_policy = Quiz.Unreadable.WRONG
    demo_quiz.save(update_fields=["unreadable_policy"])
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    finished = _finish(attempt, django_capture_on_commit_callbacks)
    assert finished.unreadable_count == 1
    assert finished.score == Decimal("0.00")
    assert not finished.awaits_review
    assert not selectors.attempt_view(attempt=finished).provisional


def test_a_readable_answer_after_an_unreadable_one_clears_the_count(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt, "dropout-vector")
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(item=item, raw="42")
        services.response_submit(item=item, raw="[0; 0; 0]")
    finished = _finish(attempt, django_capture_on_commit_callbacks)
    assert finished.unreadable_count == 0 and not finished.awaits_review


def test_before_the_finish_the_view_marks_unreadable_drafts_only(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    _draft(attempt, "dense-params", "12 штук")
    _draft(attempt, "conv-small", "[1 2; 3 4]")  # a readable (if wrong) 2×2 answer
    _draft(attempt, "lstm-gates", "0")
    view = selectors.attempt_view(attempt=attempt)
    marked = {v.item.version.question.slug: v.unreadable for v in view.unreadable_items}
    assert set(marked) == {"dropout-vector", "dense-params"}
    assert marked["dropout-vector"]["code"] == "wrong_shape"
    assert marked["dropout-vector"]["message"].startswith(
        "Ожидался вектор из 3 элементов, получен 1."
    )
    assert view.unreadable_text == "2 ответа не распознаны"
    assert view.unanswered == 5


def test_percent_in_a_vector_draft_is_readable(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    _draft(attempt, "dropout-vector", "5% 0 0")
    assert selectors.attempt_view(attempt=attempt).unreadable == 0


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1 ответ не распознан"),
        (2, "2 ответа не распознаны"),
        (4, "4 ответа не распознаны"),
        (5, "5 ответов не распознаны"),
        (11, "11 ответов не распознаны"),
        (21, "21 ответ не распознан"),
        (22, "22 ответа не распознаны"),
    ],
)
def test_the_count_has_russian_plural_forms(n, text):
    assert selectors.unreadable_label(n) == text


def test_an_override_settles_the_review(
    student, owner, demo_quiz, django_capture_on_commit_callbacks
):
    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    finished = _finish(attempt, django_capture_on_commit_callbacks)
    [cell] = gradebook_selectors.gradebook(quiz=demo_quiz).rows[0].cells
    assert cell.best.awaits_review
    gradebook_services.score_override(
        attempt=finished, new_score=Decimal("1"), reason="Вектор 42 — засчитан", by=owner
    )
    [cell] = gradebook_selectors.gradebook(quiz=demo_quiz).rows[0].cells
    assert not cell.best.awaits_review
    assert not selectors.attempt_view(attempt=finished).provisional


# --- pages -------------------------------------------------------------------------------------


def _start(client, quiz) -> Attempt:
    assert client.post(reverse("attempt-start", args=[quiz.slug])).status_code == 302
    return Attempt.objects.get()


def test_the_question_and_its_chip_show_an_unreadable_draft(student_client, demo_quiz):
    attempt = _start(student_client, demo_quiz)
    position = _item(attempt, "dropout-vector").position
    _draft(attempt, "dropout-vector", "42")
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    chip = re.search(rf'<a href="#item-{position}" id="nav-{position}"[^>]*>', html).group(0)
    assert 'class="unreadable"' in chip and "ответ не распознан" in chip
    badge = re.search(
        rf'<span class="badge badge-unreadable" id="unreadable-{position}"[^>]*>', html
    )
    assert "hidden" not in badge.group(0)
    assert "Ответ не распознан: Ожидался вектор из 3 элементов, получен 1." in html
    assert "1 ответ не распознан." in html  # beside «Завершить попытку»


def test_the_finish_confirmation_counts_and_links_unreadable_and_unanswered(
    student_client, demo_quiz
):
    attempt = _start(student_client, demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    _draft(attempt, "dense-params", "12 штук")
    page = student_client.get(reverse("attempt-finish", args=[attempt.uuid]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 ответа не распознаны." in html
    for slug in ("dropout-vector", "dense-params"):
        position = _item(attempt, slug).position
        assert f'{attempt.get_absolute_url()}#item-{position}"' in html
    assert "Без ответа вопросов: 7." in html
    assert "ждёт решения" not in html and "оценит преподаватель" in html
    # Nothing is finished by looking at the confirmation; the button posts.
    assert Attempt.objects.get().status == Attempt.Status.IN_PROGRESS
    assert f'<form method="post" action="{reverse("attempt-finish", args=[attempt.uuid])}"' in html


def test_the_attempt_page_asks_before_finishing_but_the_timer_does_not(student_client, demo_quiz):
    attempt = _start(student_client, demo_quiz)
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    url = reverse("attempt-finish", args=[attempt.uuid])
    assert f'<form method="get" action="{url}" id="finish-form"' in html
    assert f'<form method="post" action="{url}" id="finish-now"' in html
    # The post (the timer's, or the confirmation's button) finishes at once.
    assert student_client.post(url).status_code == 302
    assert Attempt.objects.get().status == Attempt.Status.FINISHED
    # The confirmation of a finished attempt is its result.
    assert student_client.get(url)["Location"] == attempt.get_absolute_url()


def test_the_result_never_says_wrong_for_an_unreadable_answer(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    attempt = _start(student_client, demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("attempt-finish", args=[attempt.uuid]))
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    section = html.split(f'id="item-{_item(attempt, "dropout-vector").position}"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "Не распознан — ждёт решения преподавателя" in section
    assert "Неверно" not in section
    assert "Балл предварительный." in html and "1 ответ не распознан:" in html


def test_the_result_under_the_wrong_policy_says_zero_by_the_rules(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    demo_quiz.unreadable_policy = Quiz.Unreadable.WRONG
    demo_quiz.save(update_fields=["unreadable_policy"])
    attempt = _start(student_client, demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("attempt-finish", args=[attempt.uuid]))
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "Не распознан (0 баллов по правилам теста)" in html
    assert "Балл предварительный" not in html
    section = html.split(f'id="item-{_item(attempt, "dropout-vector").position}"', 1)[1]
    assert "Неверно" not in section.split("</section>", 1)[0]


# --- the instructor's side ---------------------------------------------------------------------


def test_the_gradebook_flags_an_attempt_that_awaits_review_until_an_override(
    client, student, owner, demo_quiz, django_capture_on_commit_callbacks
):
    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    _draft(attempt, "dropout-vector", "42")
    finished = _finish(attempt, django_capture_on_commit_callbacks)
    client.force_login(owner)
    book = client.get(reverse("gradebook-quiz", args=[demo_quiz.pk])).content.decode()
    assert '<span class="badge badge-unreadable">ждёт решения</span>' in book
    detail = client.get(reverse("gradebook-attempt", args=[attempt.uuid])).content.decode()
    assert "Нераспознанных ответов: 1." in detail and "Оценка предварительная" in detail
    assert '<tr class="unreadable">' in detail
    gradebook_services.score_override(
        attempt=finished, new_score=Decimal("1"), reason="42 — засчитан", by=owner
    )
    book = client.get(reverse("gradebook-quiz", args=[demo_quiz.pk])).content.decode()
    assert '<span class="badge badge-unreadable">ждёт решения</span>' not in book
    detail = client.get(reverse("gradebook-attempt", args=[attempt.uuid])).content.decode()
    assert "Оценка предварительная" not in detail


def test_the_quiz_form_sets_the_rule_and_an_older_form_keeps_it(client, owner, demo_quiz):
    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])
    client.force_login(owner)
    url = reverse("teach-quiz-edit", args=[demo_quiz.pk])
    page = client.get(url).content.decode()
    assert 'name="unreadable_policy"' in page and "0 баллов" in page
    fields = {"title": demo_quiz.title, "slug": demo_quiz.slug, "show_solutions": "after_finish"}
    assert client.post(url, {**fields, "unreadable_policy": "wrong"}).status_code == 302
    demo_quiz.refresh_from_db()
    assert demo_quiz.unreadable_policy == Quiz.Unreadable.WRONG
    assert client.post(url, fields).status_code == 302  # a form without the field
    demo_quiz.refresh_from_db()
    assert demo_quiz.unreadable_policy == Quiz.Unreadable.WRONG
