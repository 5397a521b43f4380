"""Answer policies on the pages: the quiz's rules, the attempt page's tries and notes, the quiz
form, and the instructor's view of every try."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

import grader
from quizapp.models import Attempt, Quiz, Response

pytestmark = pytest.mark.django_db

SLUG = "dense-params"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _policy(quiz, policy, max_tries=None, penalty="0"):
    Quiz.objects.filter(pk=quiz.pk).update(
        answer_policy=policy, max_tries=max_tries, penalty=Decimal(penalty)
    )


def _start(client, quiz):
    assert client.post(reverse("attempt-start", args=[quiz.slug])).status_code == 302
    attempt = Attempt.objects.get()
    return attempt, attempt.items.select_related("version").get(version__question__slug=SLUG)


def _section(html, position) -> str:
    match = re.search(rf'<section class="question" id="item-{position}".*?</section>', html, re.S)
    assert match, f"item {position} not on the page"
    return match.group(0)


def _answer(client, attempt, item, raw, capture=None):
    url = reverse("response-submit", args=[attempt.uuid, item.position])
    if capture is None:
        return client.post(url, {"answer": raw}, follow=True)
    with capture(execute=True):
        client.post(url, {"answer": raw})
    return client.get(attempt.get_absolute_url())


def _right(item) -> str:
    return str(int(grader.grade(item.version.spec, item.seed, "0").expected))


def test_quiz_page_states_the_policy(student_client, demo_quiz):
    _policy(demo_quiz, "tries", max_tries=3, penalty="0.1")
    html = student_client.get(reverse("quiz", args=[demo_quiz.slug])).content.decode()
    rule = re.search(r'<li id="answer-policy">(.*?)</li>', html, re.S).group(1)
    assert "попытки с проверкой" in rule and "до 3 попыток" in rule and "10\u00a0%" in rule
    _policy(demo_quiz, "once")
    html = student_client.get(reverse("quiz", args=[demo_quiz.slug])).content.decode()
    assert "окончательный, изменить его нельзя" in html


def test_tries_page_counts_tries_and_closes_after_a_right_answer(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _policy(demo_quiz, "tries", max_tries=3, penalty="0.1")
    attempt, item = _start(student_client, demo_quiz)
    section = _section(
        student_client.get(attempt.get_absolute_url()).content.decode(), item.position
    )
    assert "Попытка 1 из 3, штраф за каждую следующую — 10\u00a0%." in section
    assert "Осталось попыток: 3" in section and ">Проверить</button>" in section
    assert reverse("response-submit", args=[attempt.uuid, item.position]) in section
    page = _answer(student_client, attempt, item, "1", capture)
    section = _section(page.content.decode(), item.position)
    assert "Попытка 2 из 3" in section and "(за эту — 10\u00a0%)" in section
    assert "Осталось попыток: 2" in section and "closed-answer" not in section
    assert "Решение" not in section  # the worked solution would give the next try away
    page = _answer(student_client, attempt, item, _right(item), capture)
    section = _section(page.content.decode(), item.position)
    assert '<fieldset class="closed-answer" disabled>' in section
    assert "Верный ответ засчитан" in section and "Осталось попыток" not in section
    page = _answer(student_client, attempt, item, "5")
    assert "больше попыток не нужно" in page.content.decode()
    assert Response.objects.filter(item=item).count() == 2


def test_tries_page_says_an_unreadable_answer_is_not_a_try(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    _policy(demo_quiz, "tries", max_tries=2, penalty="0.5")
    attempt, item = _start(student_client, demo_quiz)
    page = _answer(student_client, attempt, item, "сорок", django_capture_on_commit_callbacks)
    section = _section(page.content.decode(), item.position)
    assert "это не попытка и штрафа не стоит" in section and "Попытка 1 из 2" in section


def test_once_page_warns_then_shows_the_answer_as_final(student_client, demo_quiz):
    _policy(demo_quiz, "once")
    attempt, item = _start(student_client, demo_quiz)
    section = _section(
        student_client.get(attempt.get_absolute_url()).content.decode(), item.position
    )
    assert "только один раз" in section and ">Ответить</button>" in section
    _answer(student_client, attempt, item, "12")
    page = _answer(student_client, attempt, item, "13")
    html = page.content.decode()
    assert "изменить его нельзя" in html  # the refusal, as a message
    section = _section(html, item.position)
    assert "засчитан как окончательный" in section and "closed-answer" in section
    assert list(Response.objects.filter(item=item).values_list("raw", flat=True)) == ["12"]


def test_quiz_form_saves_the_policy_and_refuses_a_penalty_above_one(client, owner, demo_quiz):
    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])
    client.force_login(owner)
    url = reverse("teach-quiz-edit", args=[demo_quiz.pk])
    settings = {"title": "Демо", "slug": "demo", "show_solutions": "after_answer"}
    page = client.post(url, {**settings, "answer_policy": "tries", "penalty": "1.5"})
    assert page.status_code == 200
    assert "от 0 до 1" in page.content.decode()
    page = client.post(
        url, {**settings, "answer_policy": "tries", "max_tries": "3", "penalty": "0.25"}
    )
    assert page.status_code == 302
    demo_quiz.refresh_from_db()
    assert (demo_quiz.answer_policy, demo_quiz.max_tries, demo_quiz.penalty) == (
        "tries",
        3,
        Decimal("0.25"),
    )
    html = client.get(url).content.decode()
    assert 'name="answer_policy"' in html and "каждая попытка после первой" in html


def test_gradebook_shows_every_try_with_its_penalty(client, owner, student, demo_quiz):
    from quizapp.attempts import services

    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])
    _policy(demo_quiz, "tries", max_tries=3, penalty="0.25")
    demo_quiz.refresh_from_db()
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.select_related("version").get(version__question__slug=SLUG)
    for raw in ("1", "сорок", "2", _right(item)):
        response = services.response_submit(item=item, raw=raw)
        services.response_grade(response_id=response.pk)
    services.attempt_finish(attempt=attempt)
    client.force_login(owner)
    html = client.get(reverse("gradebook-attempt", args=[attempt.uuid])).content.decode()
    assert "Ответы в этой попытке: попытки с проверкой, до 3 попыток" in html
    tries = re.search(r'<ol class="tries-list"[^>]*>(.*?)</ol>', html, re.S).group(1)
    lines = [
        re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in tries.split("</li>")
    ]
    assert lines[0] == "попытка 1: 1 — проверен, верно на 0\u00a0% → 0\u00a0% баллов"
    assert lines[1] == "не попытка: сорок — не распознан"
    assert (
        lines[2] == "попытка 2: 2 — проверен, верно на 0\u00a0%, штраф −25\u00a0% → 0\u00a0% баллов"
    )
    assert lines[3] == (
        f"попытка 3: {_right(item)} — проверен, верно на 100\u00a0%, "
        "штраф −50\u00a0% → 50\u00a0% баллов"
    )
    row = re.search(rf"<tr[^>]*>\s*<td>{item.position}</td>.*?</tr>", html, re.S).group(0)
    assert re.search(r"0,50 / 1(,00)?", row)


def test_tries_with_hidden_verdicts_are_refused_by_the_quiz_form(client, owner, demo_quiz):
    """A try is for learning whether it was right: the quiz's settings cannot hide that."""
    Quiz.objects.filter(pk=demo_quiz.pk).update(owner=owner)
    client.force_login(owner)
    page = client.post(
        reverse("teach-quiz-edit", args=[demo_quiz.pk]),
        {
            "title": demo_quiz.title,
            "slug": demo_quiz.slug,
            "answer_policy": "tries",
            "max_tries": "2",
            "penalty": "0.1",
            "show_verdicts": "after_finish",
            "show_solutions": "after_finish",
        },
    ).content.decode()
    assert "Попытки с проверкой показывают" in page
    demo_quiz.refresh_from_db()
    assert demo_quiz.answer_policy == "last"


def test_the_result_shows_the_try_that_counts_not_a_later_unreadable_one(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    """Tries: a wrong try, then an answer that cannot be read (no try at all). The result shows
    the wrong try's verdict beside its points, not «не распознан» for an item already decided."""
    from quizapp.attempts import services

    capture = django_capture_on_commit_callbacks
    _policy(demo_quiz, "tries", max_tries=3, penalty="0.25")
    attempt, item = _start(student_client, demo_quiz)
    wrong = str(int(_right(item)) + 1)
    _answer(student_client, attempt, item, wrong, capture)
    _answer(student_client, attempt, item, "сорок", capture)  # unreadable: not a try
    with capture(execute=True):
        services.attempt_finish(attempt=attempt)
    section = _section(
        student_client.get(attempt.get_absolute_url()).content.decode(), item.position
    )
    assert 'class="verdict wrong"' in section
    assert "сорок" not in section and "не распознан" not in section
