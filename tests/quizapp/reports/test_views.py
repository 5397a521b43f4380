"""Error report pages: the student's form on each kind of page, the owner's queue and its access,
resolving, the student's list and the dashboard notice, item analysis's counts, the rate limit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quizapp.attempts import services as attempts
from quizapp.models import QuestionReport, StudyDeck
from quizapp.reports import services

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _post_quiz_report(client, item, message="Ключ неверен: забыты смещения."):
    url = reverse("report-quiz-item", args=[item.attempt.uuid, item.position])
    return client.post(url, {"message": message})


def test_the_attempt_page_has_the_form_and_a_report_comes_back_to_the_question(
    client, student, item
):
    _login(client, student)
    page = client.get(reverse("attempt", args=[item.attempt.uuid]))
    action = reverse("report-quiz-item", args=[item.attempt.uuid, 1])
    assert "Сообщить об ошибке в вопросе" in page.text and action in page.text
    attempts.response_submit(item=item, raw="447")
    response = _post_quiz_report(client, item)
    assert response.status_code == 302
    assert response.url == reverse("attempt", args=[item.attempt.uuid]) + "#item-1"
    report = QuestionReport.objects.get()
    assert (report.user, report.seed, report.answer) == (student, item.seed, "447")
    page = client.get(response.url)
    assert "Сообщение об ошибке отправлено" in page.text


def test_the_result_page_has_the_form_too(client, student, item):
    attempts.attempt_finish(attempt=item.attempt)
    page = _login(client, student).get(reverse("attempt", args=[item.attempt.uuid]))
    assert reverse("report-quiz-item", args=[item.attempt.uuid, 1]) in page.text


def test_an_empty_message_is_refused_in_russian(client, student, item):
    response = _post_quiz_report(_login(client, student), item, "   ")
    assert response.status_code == 302 and not QuestionReport.objects.exists()
    page = client.get(response.url)
    assert "Напишите, что не так с вопросом." in page.text


def test_a_second_submit_says_the_report_was_updated(client, student, item):
    _login(client, student)
    _post_quiz_report(client, item)
    page = client.get(_post_quiz_report(client, item, "Уточняю").url)
    assert "сообщение обновлено" in page.text
    assert QuestionReport.objects.get().message == "Уточняю"


def test_another_students_item_is_not_found(client, outsider, item):
    response = _post_quiz_report(_login(client, outsider), item)
    assert response.status_code == 404 and not QuestionReport.objects.exists()


def test_reports_are_limited_per_user(client, student, item, settings):
    settings.QUESTION_REPORT_RATE = "2/h"
    _login(client, student)
    for n in range(2):
        _post_quiz_report(client, item, f"Сообщение {n}")
    page = client.get(_post_quiz_report(client, item, "третье").url)
    assert "Слишком много сообщений об ошибках" in page.text
    assert QuestionReport.objects.get().message == "Сообщение 1"


def test_practice_reports_the_variant_the_session_shows(client, student, course, numeric):
    _login(client, student)
    topic = numeric.topic
    page = client.get(reverse("practice-topic", args=[topic.pk]))
    assert reverse("report-practice", args=[topic.pk]) in page.text
    shown = client.session[f"practice:{topic.pk}"]
    response = client.post(reverse("report-practice", args=[topic.pk]), {"message": "Опечатка"})
    assert response.url == reverse("practice-topic", args=[topic.pk]) + "#question"
    report = QuestionReport.objects.get()
    assert (report.version_id, report.seed, report.source) == (
        shown["version"],
        shown["seed"],
        "practice",
    )


def test_practice_without_a_variant_shown_is_not_found(client, student, course, numeric):
    response = _login(client, student).post(
        reverse("report-practice", args=[numeric.topic_id]), {"message": "x", "seed": "5"}
    )
    assert response.status_code == 404 and not QuestionReport.objects.exists()


def test_the_flashcard_page_reports_the_card_on_screen(client, student, course, numeric):
    StudyDeck.objects.create(user=student, bank=numeric.bank, topic=numeric.topic)
    _login(client, student)
    page = client.get(reverse("flashcards"))
    assert 'id="card"' in page.text
    question_id = page.context["card"].question.pk
    assert reverse("report-flashcard", args=[question_id]) in page.text
    response = client.post(reverse("report-flashcard", args=[question_id]), {"message": "Ошибка"})
    assert response.status_code == 302
    report = QuestionReport.objects.get()
    assert report.seed == page.context["card"].seed and report.source == "flashcard"


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_only_the_owner_sees_the_queue(client, request, who, item, student):
    services.report_for_attempt_item(user=student, attempt_item=item, message="Ошибка")
    _login(client, request.getfixturevalue(who))
    question_id = item.version.question_id
    queue = client.get(reverse("reports-question", args=[question_id]))
    report = QuestionReport.objects.get()
    resolve = client.post(reverse("report-resolve", args=[report.pk]), {"outcome": "no_error"})
    assert queue.status_code == resolve.status_code == (403 if who == "student" else 404)
    index = client.get(reverse("reports"))
    if who == "student":
        assert index.status_code == 403
    else:
        assert index.status_code == 200 and "Открытых сообщений нет." in index.text
    report.refresh_from_db()
    assert report.status == "open"


def test_the_owner_resolves_and_the_student_is_told(client, owner, student, item):
    attempts.response_submit(item=item, raw="447")
    services.report_for_attempt_item(user=student, attempt_item=item, message="Ключ 447?")
    report = QuestionReport.objects.get()
    _login(client, owner)
    index = client.get(reverse("reports"))
    assert reverse("reports-question", args=[item.version.question_id]) in index.text
    queue = client.get(reverse("reports-question", args=[item.version.question_id]))
    assert queue.status_code == 200
    assert "Ключ 447?" in queue.text and f"seed {item.seed}" in queue.text
    assert "447" in queue.text and "Проверка сейчас:" in queue.text
    assert reverse("regrade", args=[item.attempt.quiz_id]) in queue.text
    response = client.post(
        reverse("report-resolve", args=[report.pk]),
        {"outcome": "key_fixed", "reply": "Спасибо, ключ исправлен."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolved_by == owner

    _login(client, student)
    home = client.get(reverse("home"))
    assert "пришёл ответ" in home.text and reverse("reports-mine") in home.text
    mine = client.get(reverse("reports-mine"))
    assert "Спасибо, ключ исправлен." in mine.text and "новый ответ" in mine.text
    report.refresh_from_db()
    assert report.outcome_seen
    assert "пришёл ответ" not in client.get(reverse("home")).text
    assert "новый ответ" not in client.get(reverse("reports-mine")).text


def test_resolve_without_an_outcome_is_refused(client, owner, student, item):
    report, _ = services.report_for_attempt_item(user=student, attempt_item=item, message="x")
    response = _login(client, owner).post(reverse("report-resolve", args=[report.pk]), {})
    page = client.get(response.url)
    assert "Выберите итог" in page.text
    report.refresh_from_db()
    assert report.status == "open"


def test_item_analysis_shows_the_reports(client, owner, student, item):
    attempts.response_submit(item=item, raw="1")
    attempts.attempt_finish(attempt=item.attempt)
    services.report_for_attempt_item(user=student, attempt_item=item, message="x")
    page = _login(client, owner).get(reverse("analysis-quiz", args=[item.attempt.quiz_id]))
    assert "Сообщения об ошибках: открыто 1 из 1" in page.text
    assert reverse("reports-question", args=[item.version.question_id]) in page.text


def test_after_a_fix_the_queue_starts_the_regrade(client, owner, student, item):
    from question_bank.models import QuestionVersion

    services.report_for_attempt_item(user=student, attempt_item=item, message="Ключ неверен")
    question = item.version.question
    _login(client, owner)
    url = reverse("reports-question", args=[question.pk])
    assert "все ответы уже по версии v1" in client.get(url).text
    QuestionVersion.objects.create(question=question, number=2, spec=item.version.spec)
    page = client.get(url)
    assert "по версии v2" in page.text and "По новой версии v2:" in page.text
    regrade = reverse("regrade", args=[item.attempt.quiz_id])
    assert f'action="{regrade}"' in page.text
    response = client.post(regrade, {"question": question.pk})
    assert response.status_code == 302 and "/regrade/run/" in response.url


def test_one_answer_to_all_open_reports_from_the_page(client, owner, student, outsider, quiz, item):
    other = attempts.attempt_start(user=outsider, quiz=quiz).items.get(position=1)
    report, _ = services.report_for_attempt_item(user=student, attempt_item=item, message="a")
    services.report_for_attempt_item(user=outsider, attempt_item=other, message="b")
    _login(client, owner)
    page = client.get(reverse("reports-question", args=[item.version.question_id]))
    assert 'name="everyone"' in page.text
    response = client.post(
        reverse("report-resolve", args=[report.pk]),
        {"outcome": "key_fixed", "reply": "Исправлено", "everyone": "on"},
    )
    assert "Разобрано сообщений: 2" in client.get(response.url).text
    assert set(QuestionReport.objects.values_list("status", flat=True)) == {"resolved"}


def test_the_queue_shows_the_oldest_open_reports_and_counts_the_rest(
    client, monkeypatch, owner, student, item
):
    """Each open report costs grader calls: the page shows the oldest OPEN_SHOWN of them and says
    how many more wait (here 2 of 3; three seeds of one item stand for three variants)."""
    from quizapp.reports import selectors

    monkeypatch.setattr(selectors, "OPEN_SHOWN", 2)
    for n, seed in enumerate((101, 102, 103)):
        item.seed = seed
        item.save(update_fields=["seed"])
        services.report_for_attempt_item(user=student, attempt_item=item, message=f"Ошибка {n}")
    _login(client, owner)
    page = client.get(reverse("reports-question", args=[item.version.question_id])).text
    assert "Открыто сообщений: 3" in page and "ещё 1" in page
    assert "Ошибка 0" in page and "Ошибка 1" in page and "Ошибка 2" not in page
