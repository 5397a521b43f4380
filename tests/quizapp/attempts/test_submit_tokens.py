"""Double submits of quiz answers: one token, one response, one grading (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.models import Attempt, Quiz, Response
from tests.quizapp.concurrency import in_threads
from tests.quizapp.spies import spy_on_grading


@pytest.fixture
def after_answer_quiz(demo_quiz):
    # The quiz that grades each answer at once, with «Ответить» on every question.
    Quiz.objects.filter(pk=demo_quiz.pk).update(show_solutions=Quiz.Solutions.AFTER_ANSWER)
    demo_quiz.refresh_from_db()
    return demo_quiz


@pytest.fixture
def gradings(monkeypatch):
    """The answers the grader was run on (the rows of every grading batch)."""
    from quizapp.attempts import services as attempt_services

    return spy_on_grading(monkeypatch, attempt_services)


def _item(attempt):
    return attempt.items.get(version__question__slug="dense-params")


def _token_in(html: str, position: int) -> str:
    form = re.search(
        rf'<form[^>]*action="[^"]*/item/{position}/answer/"[^>]*>.*?</form>', html, re.S
    )
    assert form, "the «Ответить» form is on the page"
    return re.search(r'name="submit_token" value="([0-9a-f-]{36})"', form.group(0)).group(1)


@pytest.mark.django_db
def test_same_token_twice_stores_and_grades_one_response(
    student, after_answer_quiz, gradings, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=after_answer_quiz)
    item = _item(attempt)
    token = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True) as first_calls:
        first = services.response_submit(item=item, raw="42", client_token=token)
    with django_capture_on_commit_callbacks(execute=True) as second_calls:
        second = services.response_submit(item=item, raw="42", client_token=token)
    assert (first.replayed, second.replayed) == (False, True)
    assert second.pk == first.pk
    assert Response.objects.filter(item=item).count() == 1
    assert len(first_calls) == 1 and len(second_calls) == 0, "one grading task, not two"
    assert gradings == [first.pk]
    assert Response.objects.get().status == Response.Status.GRADED


@pytest.mark.django_db
def test_a_new_token_is_a_second_try_and_no_token_keeps_the_old_behaviour(
    student, after_answer_quiz, gradings, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=after_answer_quiz)
    item = _item(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(item=item, raw="42", client_token=uuid.uuid4())
        services.response_submit(item=item, raw="43", client_token=uuid.uuid4())
        # Without a token every submit is a try of its own: a quiz item may be answered again.
        services.response_submit(item=item, raw="43")
        services.response_submit(item=item, raw="43")
    assert Response.objects.filter(item=item).count() == 4
    assert len(gradings) == 4


@pytest.mark.django_db
def test_same_token_with_another_answer_is_refused(student, after_answer_quiz):
    attempt = services.attempt_start(user=student, quiz=after_answer_quiz)
    item = _item(attempt)
    token = uuid.uuid4()
    services.response_submit(item=item, raw="42", client_token=token)
    with pytest.raises(ServiceError) as exc:
        services.response_submit(item=item, raw="43", client_token=token)
    assert exc.value.code == "submit_token_reused"
    assert list(Response.objects.values_list("raw", flat=True)) == ["42"]


@pytest.mark.django_db
def test_a_replay_after_the_attempt_closed_answers_as_the_first_did(student, after_answer_quiz):
    attempt = services.attempt_start(user=student, quiz=after_answer_quiz)
    item = _item(attempt)
    token = uuid.uuid4()
    first = services.response_submit(item=item, raw="42", client_token=token)
    services.attempt_finish(attempt=attempt)
    assert services.response_submit(item=item, raw="42", client_token=token).pk == first.pk
    with pytest.raises(ServiceError) as exc:
        services.response_submit(item=item, raw="42", client_token=uuid.uuid4())
    assert exc.value.code == "attempt_finished"


@pytest.mark.django_db
def test_page_form_carries_a_fresh_token_and_a_double_post_stores_one_response(
    client, student, after_answer_quiz, gradings, django_capture_on_commit_callbacks
):
    client.force_login(student)
    client.post(reverse("attempt-start", args=[after_answer_quiz.slug]))
    attempt = Attempt.objects.get()
    item = _item(attempt)
    html = client.get(attempt.get_absolute_url()).content.decode()
    token = _token_in(html, item.position)
    assert 'src="/static/js/submit-once.js"' in html
    assert _token_in(client.get(attempt.get_absolute_url()).content.decode(), item.position) != (
        token
    ), "every rendering is a new submit"
    url = reverse("response-submit", args=[attempt.uuid, item.position])
    posted = {"answer": "42", "submit_token": token}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, posted)
        second = client.post(url, posted)
    # The same redirect, not an error: the page then shows the one stored verdict.
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Response.objects.filter(item=item).count() == 1 and len(gradings) == 1
    page = client.get(second["Location"])
    assert page.status_code == 200
    assert not [m for m in page.context["messages"] if m.level_tag == "error"]


@pytest.mark.django_db
def test_page_post_reusing_a_token_with_another_answer_says_so(client, student, after_answer_quiz):
    client.force_login(student)
    client.post(reverse("attempt-start", args=[after_answer_quiz.slug]))
    attempt = Attempt.objects.get()
    item = _item(attempt)
    url = reverse("response-submit", args=[attempt.uuid, item.position])
    token = str(uuid.uuid4())
    client.post(url, {"answer": "42", "submit_token": token})
    page = client.post(url, {"answer": "43", "submit_token": token}, follow=True)
    assert "уже отправлена с другим ответом" in page.content.decode()
    assert Response.objects.filter(item=item).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_with_one_token_store_one_response(student, after_answer_quiz):
    attempt = services.attempt_start(user=student, quiz=after_answer_quiz)
    item = _item(attempt)
    token = uuid.uuid4()
    ids = []

    def submit():
        ids.append(services.response_submit(item=item, raw="42", client_token=token).pk)

    assert in_threads([submit] * 4) == []
    assert Response.objects.filter(item=item).count() == 1
    assert len(ids) == 4 and len(set(ids)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_a_second_row_with_one_token(student, after_answer_quiz):
    from django.db import IntegrityError

    attempt = services.attempt_start(user=student, quiz=after_answer_quiz)
    item = _item(attempt)
    token = uuid.uuid4()
    Response.objects.create(item=item, raw="42", client_token=token)
    with pytest.raises(IntegrityError):
        Response.objects.create(item=item, raw="42", client_token=token)
    # NULL tokens (the API without a key, old pages) are not constrained.
    Response.objects.create(item=item, raw="1")
    Response.objects.create(item=item, raw="1")
