"""Answer policies through the API: the quiz's fields, the item's tries, the refusals' codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

import grader
from quizapp.models import Attempt, Quiz

from .conftest import error_code, post_json

pytestmark = pytest.mark.django_db

QUIZZES = "/api/v1/quizzes/"
ATTEMPTS = "/api/v1/attempts/"
SLUG = "dense-params"


def _policy(quiz, policy, max_tries=None, penalty="0"):
    Quiz.objects.filter(pk=quiz.pk).update(
        answer_policy=policy, max_tries=max_tries, penalty=Decimal(penalty)
    )


def _start(client, quiz):
    data = post_json(client, ATTEMPTS, {"quiz": quiz.pk}).json()
    item = Attempt.objects.get(uuid=data["uuid"]).items.get(version__question__slug=SLUG)
    return data, item


def _answer(client, data, item, raw):
    url = f"{ATTEMPTS}{data['uuid']}/items/{item.position}/responses/"
    return post_json(client, url, {"answer": raw})


def _item_json(client, data, item):
    return client.get(f"{ATTEMPTS}{data['uuid']}/items/{item.position}/").json()


def test_instructor_sets_the_policy_and_reads_it_back(instructor_api, quiz):
    response = instructor_api.patch(
        f"{QUIZZES}{quiz.pk}/",
        {"answer_policy": "tries", "max_tries": 3, "penalty": "0.1"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["answer_policy"], body["max_tries"], body["penalty"]) == ("tries", 3, "0.100")
    quiz.refresh_from_db()
    assert (quiz.answer_policy, quiz.max_tries, quiz.penalty) == ("tries", 3, Decimal("0.1"))


@pytest.mark.parametrize(
    "bad", [{"penalty": "1.5"}, {"penalty": "-0.1"}, {"max_tries": 0}, {"answer_policy": "best"}]
)
def test_a_policy_out_of_bounds_is_refused(instructor_api, quiz, bad):
    response = instructor_api.patch(f"{QUIZZES}{quiz.pk}/", bad, format="json")
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert set(response.json()["error"]["fields"]) == set(bad)


def test_item_shows_tries_and_a_try_beyond_the_limit_is_409(student_api, quiz):
    _policy(quiz, "tries", max_tries=2, penalty="0.25")
    data, item = _start(student_api, quiz)
    assert (data["answer_policy"], data["max_tries"], data["penalty"]) == ("tries", 2, "0.250")
    before = _item_json(student_api, data, item)
    assert (before["tries_used"], before["tries_left"], before["answer_closed"]) == (0, 2, "")
    assert _answer(student_api, data, item, "1").status_code == 202
    assert _answer(student_api, data, item, "2").status_code == 202
    after = _item_json(student_api, data, item)
    assert (after["tries_used"], after["tries_left"], after["answer_closed"]) == (2, 0, "exhausted")
    assert after["response"]["try_number"] == 2
    refused = _answer(student_api, data, item, "3")
    assert refused.status_code == 409 and error_code(refused) == "no_tries_left"


def test_once_refuses_a_second_answer_with_answer_final(student_api, quiz):
    _policy(quiz, "once")
    data, item = _start(student_api, quiz)
    right = str(int(grader.grade(item.version.spec, item.seed, "0").expected))
    assert _answer(student_api, data, item, right).status_code == 202
    refused = _answer(student_api, data, item, "7")
    assert refused.status_code == 409 and error_code(refused) == "answer_final"
    assert "изменить его нельзя" in refused.json()["error"]["message"]
    draft = student_api.put(
        f"{ATTEMPTS}{data['uuid']}/items/{item.position}/draft/",
        {"answer": "7", "rev": 5},
        format="json",
    )
    assert draft.status_code == 409 and error_code(draft) == "answer_final"
