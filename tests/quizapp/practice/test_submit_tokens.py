"""Double submits in practice: one token, one answer, one grading (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from question_bank.models import QuestionVersion, Topic
from quizapp.core.errors import ServiceError
from quizapp.core.tasks import Dispatch
from quizapp.models import PracticeAnswer
from quizapp.practice import services as practice
from tests.quizapp.concurrency import in_threads
from tests.quizapp.spies import spy_on_grading


@pytest.fixture
def cnn(demo_quiz):
    return Topic.objects.get(bank__slug="demo", slug="cnn")


@pytest.fixture
def gradings(monkeypatch):
    return spy_on_grading(monkeypatch, practice)


def _variant(topic):
    version = QuestionVersion.objects.filter(question__topic=topic).first()
    return version, 12345


@pytest.mark.django_db
def test_same_token_twice_stores_and_grades_one_answer(
    student, cnn, gradings, django_capture_on_commit_callbacks
):
    version, seed = _variant(cnn)
    token = uuid.uuid4()
    kwargs = {"user": student, "topic": cnn, "version": version, "seed": seed, "raw": "[1]"}
    with django_capture_on_commit_callbacks(execute=True) as calls:
        first = practice.practice_submit(**kwargs, client_token=token)
        second = practice.practice_submit(**kwargs, client_token=token)
    assert (first.replayed, second.replayed) == (False, True) and first.pk == second.pk
    assert PracticeAnswer.objects.count() == 1
    # One grading sent (the other callbacks renew the dashboard's cache tokens).
    sends = [c for c in calls if isinstance(getattr(c, "__self__", None), Dispatch)]
    assert len(sends) == 1 and gradings == [first.pk]
    # A new token (the next deliberate answer) is a new answer, to the next variant: this one's
    # key is shown now (see test_variant_lock.py).
    with django_capture_on_commit_callbacks(execute=True):
        practice.practice_submit(**{**kwargs, "seed": seed + 1}, client_token=uuid.uuid4())
    assert PracticeAnswer.objects.count() == 2 and len(gradings) == 2


@pytest.mark.django_db
def test_same_token_for_another_answer_or_variant_is_refused(student, cnn):
    version, seed = _variant(cnn)
    token = uuid.uuid4()
    practice.practice_submit(
        user=student, topic=cnn, version=version, seed=seed, raw="[1]", client_token=token
    )
    for raw, other_seed in (("[2]", seed), ("[1]", seed + 1)):
        with pytest.raises(ServiceError) as exc:
            practice.practice_submit(
                user=student,
                topic=cnn,
                version=version,
                seed=other_seed,
                raw=raw,
                client_token=token,
            )
        assert exc.value.code == "submit_token_reused"
    assert PracticeAnswer.objects.count() == 1


@pytest.mark.django_db
def test_page_double_post_stores_one_answer(
    client, student, cnn, gradings, django_capture_on_commit_callbacks
):
    client.force_login(student)
    url = reverse("practice-topic", args=[cnn.pk])
    html = client.get(url).content.decode()
    token = re.search(r'name="submit_token" value="([0-9a-f-]{36})"', html).group(1)
    assert re.search(r'data-submit-key="practice:\d+:\d+"', html)
    assert 'src="/static/js/submit-once.js"' in html
    posted = {"answer": "[[1, 2], [3, 4]]", "submit_token": token}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("practice-answer", args=[cnn.pk]), posted)
        second = client.post(reverse("practice-answer", args=[cnn.pk]), posted)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url
    assert PracticeAnswer.objects.count() == 1 and len(gradings) == 1
    page = client.get(url)
    assert page.context["answer"].pk == PracticeAnswer.objects.get().pk
    assert not [m for m in page.context["messages"] if m.level_tag == "error"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_with_one_token_store_one_answer(student, cnn):
    # The lock on the student serialises them: one inserts, the others find its token and
    # replay it (the partial unique index stays as the last guard).
    version, seed = _variant(cnn)
    token = uuid.uuid4()
    ids = []

    def submit():
        answer = practice.practice_submit(
            user=student, topic=cnn, version=version, seed=seed, raw="[1]", client_token=token
        )
        ids.append(answer.pk)

    assert in_threads([submit] * 4) == []
    assert PracticeAnswer.objects.count() == 1
    assert len(ids) == 4 and len(set(ids)) == 1
