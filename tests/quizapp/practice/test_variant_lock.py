"""One answer per variant: once the key is shown (or the answer is being graded) the variant is
closed, on the page and in the service; «Ещё вариант» is the way on (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from question_bank.models import QuestionVersion, Topic
from quizapp.core.errors import ServiceError
from quizapp.models import PracticeAnswer
from quizapp.practice import services as practice
from tests.quizapp.concurrency import in_threads

LOCKED_MESSAGE = "Ключ этого варианта уже показан: возьмите ещё вариант."


@pytest.fixture
def cnn(demo_quiz):
    # One question only (a 3x3 convolution, a 2×2 matrix answer). A graded wrong answer is a
    # 2×2 matrix: another shape is unreadable, not wrong (issue 12).
    return Topic.objects.get(bank__slug="demo", slug="cnn")


def _variant(topic, seed=12345):
    return QuestionVersion.objects.filter(question__topic=topic).first(), seed


def _submit(student, topic, version, seed, raw, token=None):
    return practice.practice_submit(
        user=student, topic=topic, version=version, seed=seed, raw=raw, client_token=token
    )


@pytest.mark.django_db
def test_graded_answer_closes_the_variant_but_its_replay_still_answers(
    student, cnn, django_capture_on_commit_callbacks
):
    version, seed = _variant(cnn)
    token = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = _submit(student, cnn, version, seed, "[1 1; 1 1]", token)
    first.refresh_from_db()
    assert first.status == "graded"
    for other_token in (uuid.uuid4(), None):
        with pytest.raises(ServiceError) as exc:
            _submit(student, cnn, version, seed, "[2 2; 2 2]", other_token)
        assert exc.value.code == "variant_locked" and exc.value.message == LOCKED_MESSAGE
        assert exc.value.status == 409
    assert PracticeAnswer.objects.count() == 1
    replay = _submit(student, cnn, version, seed, "[1 1; 1 1]", token)
    assert replay.replayed and replay.pk == first.pk
    # Another variant (the next one «Ещё вариант» gives) is open.
    with django_capture_on_commit_callbacks(execute=True):
        _submit(student, cnn, version, seed + 1, "[2 2; 2 2]", uuid.uuid4())
    assert PracticeAnswer.objects.count() == 2


@pytest.mark.django_db
def test_pending_answer_closes_the_variant_too(student, cnn):
    version, seed = _variant(cnn)
    pending = _submit(
        student, cnn, version, seed, "[1 1; 1 1]", uuid.uuid4()
    )  # no commit: not graded
    assert PracticeAnswer.objects.get(pk=pending.pk).status == "pending"
    with pytest.raises(ServiceError) as exc:
        _submit(student, cnn, version, seed, "[2 2; 2 2]", uuid.uuid4())
    assert exc.value.code == "variant_locked"
    assert PracticeAnswer.objects.count() == 1


@pytest.mark.django_db
def test_answer_not_understood_leaves_the_variant_open(
    student, cnn, django_capture_on_commit_callbacks
):
    version, seed = _variant(cnn)
    with django_capture_on_commit_callbacks(execute=True):
        bad = _submit(student, cnn, version, seed, "[1 2; 3", uuid.uuid4())
    bad.refresh_from_db()
    assert bad.status == "invalid"  # no key shown: the student may fix the format
    with django_capture_on_commit_callbacks(execute=True):
        _submit(student, cnn, version, seed, "[1 1; 1 1]", uuid.uuid4())
    assert PracticeAnswer.objects.count() == 2
    with pytest.raises(ServiceError):
        _submit(student, cnn, version, seed, "[2 2; 2 2]", uuid.uuid4())


def _token(html):
    return re.search(r'name="submit_token" value="([0-9a-f-]{36})"', html).group(1)


def _buttons(html):
    return re.findall(r"<button[^>]*>[^<]*</button>", html)


@pytest.mark.django_db
def test_page_after_the_verdict_offers_only_the_next_variant(
    client, student, cnn, django_capture_on_commit_callbacks
):
    client.force_login(student)
    url = reverse("practice-topic", args=[cnn.pk])
    answer_url = reverse("practice-answer", args=[cnn.pk])
    html = client.get(url).content.decode()
    assert any(">Ответить<" in b for b in _buttons(html))
    assert re.search(r'<input id="answer"[^>]*\bautofocus\b', html)
    token = _token(html)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url, {"answer": "[1 1; 1 1]", "submit_token": token})
    page = client.get(url)
    html = page.content.decode()
    assert page.context["answer"].status == "graded" and "Решение" in html
    assert not [b for b in _buttons(html) if "Ответить" in b]
    assert re.search(r'<input id="answer"[^>]*\bdisabled\b', html)
    assert not re.search(r'<input id="answer"[^>]*\bautofocus\b', html)
    (next_button,) = [b for b in _buttons(html) if "Ещё вариант" in b]
    assert 'class="primary"' in next_button and "autofocus" in next_button

    # Another answer posted anyway (an old tab, a hand-made request): refused, nothing stored.
    refused = client.post(
        answer_url, {"answer": "[2 2; 2 2]", "submit_token": _token(html)}, follow=True
    )
    assert PracticeAnswer.objects.count() == 1
    assert [str(m) for m in refused.context["messages"]] == [LOCKED_MESSAGE]
    # The first submit repeated (a lost response retried): still the stored answer, no error.
    replayed = client.post(answer_url, {"answer": "[1 1; 1 1]", "submit_token": token}, follow=True)
    assert PracticeAnswer.objects.count() == 1
    assert not list(replayed.context["messages"])

    # «Ещё вариант»: a new variant, open for an answer.
    client.post(reverse("practice-next", args=[cnn.pk]))
    html = client.get(url).content.decode()
    assert any(">Ответить<" in b for b in _buttons(html))
    assert not re.search(r'<input id="answer"[^>]*\bdisabled\b', html)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url, {"answer": "[2 2; 2 2]", "submit_token": _token(html)})
    assert PracticeAnswer.objects.count() == 2


@pytest.mark.django_db
def test_page_with_a_pending_answer_is_closed_too(client, student, cnn):
    client.force_login(student)
    url = reverse("practice-topic", args=[cnn.pk])
    html = client.get(url).content.decode()
    posted = {"answer": "[1 1; 1 1]", "submit_token": _token(html)}
    client.post(reverse("practice-answer", args=[cnn.pk]), posted)
    page = client.get(url)
    html = page.content.decode()
    assert page.context["pending"]
    assert not [b for b in _buttons(html) if "Ответить" in b]
    assert re.search(r'<input id="answer"[^>]*\bdisabled\b', html)


@pytest.mark.django_db
def test_closed_choice_form_shows_the_ticked_option(
    client, student, demo_quiz, django_capture_on_commit_callbacks
):
    rnn = Topic.objects.get(bank__slug="demo", slug="rnn")  # one single-choice question
    client.force_login(student)
    url = reverse("practice-topic", args=[rnn.pk])
    html = client.get(url).content.decode()
    posted = {"choice": ["1"], "submit_token": _token(html)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practice-answer", args=[rnn.pk]), posted)
    html = client.get(url).content.decode()
    options = re.findall(r'<input type="radio" name="choice" value="(\d+)"([^>]*)>', html)
    assert len(options) > 1 and all("disabled" in attrs for _, attrs in options)
    assert [value for value, attrs in options if "checked" in attrs] == ["1"]
    assert not [b for b in _buttons(html) if "Ответить" in b]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_to_one_variant_store_one(student, cnn):
    # Two tabs (or a script) answering one variant at once with different tokens: the lock on
    # the student lets one answer through; the others find it and are refused.
    version, seed = _variant(cnn)
    stored, refused = [], []

    def submit(raw):
        try:
            stored.append(_submit(student, cnn, version, seed, raw, uuid.uuid4()).pk)
        except ServiceError as exc:
            refused.append(exc.code)

    assert in_threads([lambda raw=f"[{i} {i}; {i} {i}]": submit(raw) for i in range(4)]) == []
    assert len(stored) == 1 and refused == ["variant_locked"] * 3
    assert PracticeAnswer.objects.count() == 1
