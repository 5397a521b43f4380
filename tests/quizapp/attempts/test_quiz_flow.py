"""Quizzes as exams: topic rules, shuffling, deadlines, autosaved drafts, the results page."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from question_bank.models import Question, Topic
from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.models import Attempt, AttemptItem, Quiz, QuizItem, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(demo_quiz):
    """The demo exam: 15 minutes, 3 attempts, 6 questions drawn from 5 topics, shuffled."""
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    return Quiz.objects.get(slug="demo-exam")


def _topic_of(item: AttemptItem) -> str:
    return item.version.question.topic.slug


def test_rules_draw_distinct_questions_from_their_topics(student, exam):
    attempt = services.attempt_start(user=student, quiz=exam)
    items = list(attempt.items.select_related("version__question__topic"))
    assert len(items) == 6
    assert sorted(i.position for i in items) == [1, 2, 3, 4, 5, 6]
    topics = sorted(_topic_of(i) for i in items)
    assert topics == ["activations", "cnn", "mlp", "regularization", "regularization", "rnn"]
    assert len({i.version.question_id for i in items}) == 6
    # Flashcards are self-rated: never drawn into an exam.
    assert all(i.version.question.kind != Question.Kind.FLASHCARD for i in items)
    assert attempt.max_score == 6
    assert attempt.deadline == attempt.started_at + timedelta(minutes=15)


def test_retakes_and_other_students_get_own_questions_and_numbers(student, outsider, exam):
    seen_orders, seen_seeds = set(), set()
    for user in (student, outsider):
        for _ in range(3):
            attempt = services.attempt_start(user=user, quiz=exam)
            items = list(attempt.items.order_by("position"))
            seen_orders.add(tuple(i.version.question_id for i in items))
            seen_seeds.update(i.seed for i in items)
            services.attempt_finish(attempt=attempt)
    assert len(seen_seeds) == 36  # every item of every attempt has its own numbers
    assert len(seen_orders) > 1  # shuffled and drawn anew


def test_attempt_limit_counts_finished_attempts(student, exam):
    for _ in range(3):
        services.attempt_finish(attempt=services.attempt_start(user=student, quiz=exam))
    with pytest.raises(ServiceError) as err:
        services.attempt_start(user=student, quiz=exam)
    assert err.value.code == "no_attempts_left"
    assert list(Attempt.objects.values_list("number", flat=True).order_by("number")) == [1, 2, 3]


def test_rule_asking_more_than_the_topic_has_is_refused(student, exam):
    rnn = Topic.objects.get(slug="rnn", bank__slug="demo")
    QuizItem.objects.filter(quiz=exam, topic=rnn).update(count=5)
    with pytest.raises(ServiceError) as err:
        services.attempt_start(user=student, quiz=exam)
    assert err.value.code == "rule_too_few"
    assert not Attempt.objects.exists()  # nothing half-created


def test_open_and_close_dates(student, exam):
    now = timezone.now()
    exam.opens_at = now + timedelta(hours=1)
    exam.save()
    with pytest.raises(ServiceError) as err:
        services.attempt_start(user=student, quiz=exam)
    assert err.value.code == "quiz_not_open"
    exam.opens_at, exam.closes_at = None, now - timedelta(minutes=1)
    exam.save()
    with pytest.raises(ServiceError) as err:
        services.attempt_start(user=student, quiz=exam)
    assert err.value.code == "quiz_closed"
    # Closing in 5 minutes cuts a 15-minute limit short.
    exam.closes_at = now + timedelta(minutes=5)
    exam.save()
    attempt = services.attempt_start(user=student, quiz=exam)
    assert attempt.deadline == exam.closes_at


def test_drafts_keep_the_newest_revision(student, exam):
    attempt = services.attempt_start(user=student, quiz=exam)
    item = attempt.items.get(position=1)
    assert services.draft_save(item=item, raw="0,5", rev=200) is True
    # An older autosave arriving late is ignored.
    assert services.draft_save(item=item, raw="0,", rev=100) is False
    item.refresh_from_db()
    assert (item.draft, item.draft_rev) == ("0,5", 200)
    assert not Response.objects.exists()  # drafts are not graded


def test_finish_turns_drafts_into_graded_responses(
    student, exam, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=exam)
    items = {i.version.question.slug: i for i in attempt.items.select_related("version__question")}
    gates = items["lstm-gates"]
    services.draft_save(item=gates, raw="1", rev=1)  # the right option
    with django_capture_on_commit_callbacks(execute=True):
        finished = services.attempt_finish(attempt=attempt)
    assert Response.objects.count() == 1
    response = Response.objects.get()
    assert (response.item_id, response.raw, response.status) == (gates.pk, "1", "graded")
    finished.refresh_from_db()
    assert finished.score == 1 and finished.max_score == 6


def test_submitted_answer_is_not_resubmitted_at_finish(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(position=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(item=item, raw="84301")
        services.attempt_finish(attempt=attempt)
    assert Response.objects.count() == 1
    item.refresh_from_db()
    assert item.draft == "84301"


def test_late_drafts_are_refused_and_expired_attempts_close_at_deadline(student, exam):
    attempt = services.attempt_start(user=student, quiz=exam)
    item = attempt.items.get(position=1)
    services.draft_save(item=item, raw="1", rev=1)
    deadline = timezone.now() - timedelta(minutes=2)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    with pytest.raises(ServiceError) as err:
        services.draft_save(item=item, raw="2", rev=2)
    assert err.value.code == "time_over"
    assert services.attempts_close_expired() == 1
    assert services.attempts_close_expired() == 0
    attempt.refresh_from_db()
    assert attempt.status == "finished" and attempt.finished_at == deadline
    assert list(Response.objects.values_list("raw", flat=True)) == ["1"]


def test_answer_in_the_grace_period_still_counts(student, exam):
    attempt = services.attempt_start(user=student, quiz=exam)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=5))
    assert services.draft_save(item=attempt.items.first(), raw="1", rev=1) is True


def test_start_continues_the_open_attempt_and_closes_an_expired_one(student, exam):
    first = services.attempt_start(user=student, quiz=exam)
    assert services.attempt_start(user=student, quiz=exam) == first
    Attempt.objects.filter(pk=first.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    second = services.attempt_start(user=student, quiz=exam)
    assert second != first and second.number == 2
    first.refresh_from_db()
    assert first.status == "finished"


# --- pages -------------------------------------------------------------------------------------


def test_quiz_page_shows_rules_attempts_and_continue(student_client, exam):
    url = reverse("quiz", args=[exam.slug])
    html = student_client.get(url).content.decode()
    assert "15 мин" in html and "осталось 3" in html and "Начать попытку" in html
    student_client.post(reverse("attempt-start", args=[exam.slug]))
    html = student_client.get(url).content.decode()
    assert "Продолжить попытку 1" in html and "осталось 2" in html


def test_draft_endpoint_json_and_errors(student_client, student, exam):
    student_client.post(reverse("attempt-start", args=[exam.slug]))
    attempt = Attempt.objects.get()
    url = reverse("draft-save", args=[attempt.uuid, 1])
    ok = student_client.post(url, {"answer": "0,95", "rev": "5"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json() == {"ok": True, "saved": True, "rev": 5}
    stale = student_client.post(url, {"answer": "x", "rev": "4"}, HTTP_ACCEPT="application/json")
    assert stale.json()["saved"] is False
    assert attempt.items.get(position=1).draft == "0,95"
    too_long = student_client.post(
        url, {"answer": "1" * 3000, "rev": "6"}, HTTP_ACCEPT="application/json"
    )
    assert too_long.status_code == 409 and too_long.json()["code"] == "too_long"
    services.attempt_finish(attempt=attempt)
    closed = student_client.post(url, {"answer": "2", "rev": "7"}, HTTP_ACCEPT="application/json")
    assert closed.status_code == 409 and closed.json()["code"] == "attempt_finished"
    assert attempt.items.get(position=1).draft == "0,95"


def test_draft_form_without_js_saves_and_redirects(student_client, exam):
    student_client.post(reverse("attempt-start", args=[exam.slug]))
    attempt = Attempt.objects.get()
    page = student_client.post(reverse("draft-save", args=[attempt.uuid, 2]), {"answer": "7"})
    assert page.status_code == 302 and page["Location"].endswith("#item-2")
    assert attempt.items.get(position=2).draft == "7"


def test_other_students_cannot_touch_an_attempt(client, student, outsider, exam):
    attempt = services.attempt_start(user=student, quiz=exam)
    client.force_login(outsider)
    url = reverse("draft-save", args=[attempt.uuid, 1])
    assert client.post(url, {"answer": "1", "rev": "1"}).status_code == 404
    assert client.get(attempt.get_absolute_url()).status_code == 404
    assert attempt.items.get(position=1).draft == ""


def test_attempt_page_shows_timer_progress_and_restored_answers(student_client, exam):
    student_client.post(reverse("attempt-start", args=[exam.slug]))
    attempt = Attempt.objects.get()
    item = attempt.items.exclude(version__question__kind__endswith="choice").first()
    services.draft_save(item=item, raw="0,25", rev=3)
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert 'id="timer"' in html and "data-deadline=" in html
    assert '<progress id="answered-progress" max="6" value="1">' in html
    assert 'value="0,25"' in html
    assert "Сохранить" in html  # exam mode: no per-question grading


def test_expired_attempt_page_shows_results(
    student_client, exam, django_capture_on_commit_callbacks
):
    student_client.post(reverse("attempt-start", args=[exam.slug]))
    attempt = Attempt.objects.get()
    services.draft_save(item=attempt.items.get(position=1), raw="1", rev=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "Результат попытки 1" in html
    attempt.refresh_from_db()
    assert attempt.status == "finished"


def test_results_page_respects_show_solutions(
    student_client, exam, django_capture_on_commit_callbacks
):
    student_client.post(reverse("attempt-start", args=[exam.slug]))
    attempt = Attempt.objects.get()
    for item in attempt.items.all():
        services.draft_save(item=item, raw="1", rev=1)
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("attempt-finish", args=[attempt.uuid]))
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert html.count("<h3>Решение</h3>") == 6 and "Правильный ответ" in html
    # Unanswered questions get their solution too, once the attempt is over.
    assert "Ответа нет" not in html
    exam.show_solutions = Quiz.Solutions.NEVER
    exam.save()
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "Решение</h3>" not in html and "Правильный ответ" not in html
    assert "Решения: не показываются в этом тесте." in html


def test_unanswered_questions_get_their_solution_after_finishing(student_client, exam):
    student_client.post(reverse("attempt-start", args=[exam.slug]))
    attempt = Attempt.objects.get()
    student_client.post(reverse("attempt-finish", args=[attempt.uuid]))
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert html.count("Ответа нет.") == 6
    assert html.count("<h3>Решение</h3>") == 6
    Quiz.objects.filter(pk=exam.pk).update(show_solutions=Quiz.Solutions.NEVER)
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "<h3>Решение</h3>" not in html
