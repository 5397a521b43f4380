"""The learning pages of issue 17 in Chromium, on a desktop and on a 360 px phone: personal FSRS
parameters, the exam date, statistics, mistake cards and the course's typical mistakes."""

from __future__ import annotations

import datetime as dt

import pytest

from quizapp.flashcards import personal
from quizapp.models import FsrsFit, StudyProfile

pytestmark = pytest.mark.django_db(transaction=True)


def test_decks_page_reports_the_personal_fit(page, login, shot):
    student = login(page)
    page.goto("/cards/decks/")
    section = page.locator("section.fc-fsrs")
    assert "по стандартным параметрам FSRS" in section.inner_text()
    shot(page, "fsrs-default-360", width=360)

    fitted = [round(w * 1.05, 4) for w in personal.DEFAULT_PARAMETERS]
    FsrsFit.objects.create(
        user=student, fitted_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), reviews=1264,
        train_items=960, test_items=231, log_loss_before=0.4127, log_loss_after=0.3871,
        rmse_before=0.0642, rmse_after=0.0315, parameters=fitted, accepted=True,
    )  # fmt: skip
    StudyProfile.objects.update_or_create(user=student, defaults={"fsrs_parameters": fitted})
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/cards/decks/")
    text = section.inner_text()
    assert "по вашим собственным параметрам FSRS" in text
    assert "1 декабря 2026" in text and "повторений в истории: 1264" in text
    assert "на 6,2 % точнее прежних" in text and "0,413 → 0,387" in text
    shot(page, "fsrs-personal-desktop")
    shot(page, "fsrs-personal-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_exam_date_and_retention_plan_the_reviews(page, login, shot):
    """The student sets a target and an exam date on «Колоды»; the dashboard forecasts the load
    until the exam and the recall on the day."""
    from django.utils import timezone

    from question_bank.models import Bank, Question, QuestionVersion
    from quizapp.flashcards import services

    student = login(page)
    bank = Bank.objects.create(slug="plan", title="Планирование")
    for i in range(40):
        q = Question.objects.create(
            bank=bank, slug=f"p{i}", title=f"Карточка {i}", kind=Question.Kind.FLASHCARD
        )
        QuestionVersion.objects.create(
            question=q, number=1, spec={"kind": "flashcard", "front": f"{i}?", "back": "!"}
        )
    services.deck_add(user=student, bank=bank)
    # «Today» of the pages is the student's (the zone their browser reported, else the site's).
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from quizapp.models import StudyProfile

    zone = StudyProfile.objects.filter(user=student).values_list("time_zone", flat=True).first()
    exam = timezone.localdate(timezone=ZoneInfo(zone or settings.TIME_ZONE)) + dt.timedelta(days=24)
    page.goto("/cards/decks/")
    page.get_by_label("Целевая доля вспоминаемых карточек, %").fill("92")
    page.get_by_label("Дата экзамена").fill(exam.isoformat())
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url("**/cards/decks/")
    assert "Настройки сохранены." in page.content()
    assert "Сейчас действует цель 92 %" in page.locator("#targets-source").inner_text()
    shot(page, "plan-settings-desktop")
    shot(page, "plan-settings-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    past = timezone.now() - dt.timedelta(days=2)
    for i, q in enumerate(Question.objects.filter(bank=bank)):
        state = services.flashcard_state_ensure(user=student, question=q)
        services.flashcard_rate(user=student, state=state, rating=3 + i % 2, now=past,
                                expected_reps=0)  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    text = page.locator("main").inner_text()
    assert "Прогноз повторений до экзамена" in text and "До экзамена 24 дн." in text
    assert "вы вспомните примерно" in text and "цель — 92 %" in text
    shot(page, "plan-dashboard-desktop")
    shot(page, "plan-dashboard-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_statistics_page_on_desktop_and_phone(page, login, shot):
    """A year of reviews as a heatmap, retention against the target, time and the forecast."""
    import random

    from django.utils import timezone

    from question_bank.models import Bank, Question, Topic
    from quizapp.models import FlashcardReview, FlashcardState

    student = login(page)
    bank = Bank.objects.create(slug="st", title="Статистика")
    rng = random.Random(5)
    cards = []
    for i, title in enumerate(["Свёртки", "Рекуррентные сети", "Оптимизация и расписания"]):
        topic = Topic.objects.create(bank=bank, slug=f"t{i}", title=title)
        for j in range(4):
            question = Question.objects.create(
                bank=bank, topic=topic, slug=f"q{i}{j}", title=f"Карточка {i}{j}",
                kind=Question.Kind.FLASHCARD,
            )  # fmt: skip
            cards.append(FlashcardState.objects.create(
                user=student, question=question, reps=3, state=2, stability=10.0,
                difficulty=5.0, due=timezone.now() + dt.timedelta(days=rng.randrange(0, 25)),
                last_review=timezone.now() - dt.timedelta(days=3),
            ))  # fmt: skip
    now = timezone.now()
    reviews = []
    for day in range(300):
        if rng.random() < 0.55:
            for k in range(rng.randrange(1, 25)):
                at = now - dt.timedelta(days=day, minutes=30 - k)
                before = at - dt.timedelta(days=rng.randrange(1, 60))
                reviews.append(FlashcardReview(
                    user=student, card=rng.choice(cards), rating=rng.choice([1, 3, 3, 3, 4]),
                    reviewed_at=at, previous_state={"state": 2, "last_review": before.isoformat()},
                ))  # fmt: skip
    FlashcardReview.objects.bulk_create(reviews)
    page.goto("/cards/")
    page.get_by_role("link", name="Статистика").click()
    page.wait_for_url("**/cards/stats/")
    assert "Повторения за год" in page.content()
    shot(page, "stats-desktop")
    shot(page, "stats-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_mistake_card_explains_the_mistake(page, login, shot):
    """A typical mistake made in practice comes back as a card that explains it."""
    import os

    from django.core.management import call_command

    import grader
    from grader import kinds
    from grader.grading import mistake_value
    from question_bank.models import Question
    from quizapp.flashcards import mistakes

    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    student = login(page)
    question = Question.objects.get(bank__slug="demo", slug="dense-params")
    version = question.versions.order_by("-number").first()
    feedback = grader.grade(
        version.spec, 5, str(mistake_value(kinds.get("numeric"), version.spec, 0,
                                           grader.variant(version.spec, 5).values))
    ).mistake["feedback"]  # fmt: skip
    assert mistakes.mistake_note(
        user=student, question=question, mistake_id="no_bias", feedback=feedback,
        source="practice",
    )  # fmt: skip
    page.goto("/cards/")
    page.get_by_label("Ваш ответ").fill("1")
    page.get_by_role("button", name="Проверить").click()
    page.wait_for_selector(".fc-mistakes")
    assert "Эта карточка — из вашей ошибки" in page.locator(".fc-mistakes").inner_text()
    shot(page, "mistake-card-desktop")
    shot(page, "mistake-card-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_course_mistakes_page_with_data(browser, live_server, django_user_model, shot):
    import os

    from django.core.management import call_command
    from django.utils import timezone

    from question_bank.models import Question
    from quizapp.core.roles import INSTRUCTOR_GROUP
    from quizapp.courses import services as courses
    from quizapp.models import Enrollment, PracticeAnswer
    from tests.conftest import make_user

    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    teacher = make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    course = courses.course_create(owner=teacher, title="Глубокое обучение", code="dl")
    versions = {
        slug: Question.objects.get(bank__slug="demo", slug=slug).versions.first()
        for slug in ("dense-params", "dropout-vector")
    }
    mistakes = {"dense-params": ["no_bias"], "dropout-vector": ["no_rescale", "scaled_by_keep"]}
    for i in range(6):
        user = django_user_model.objects.create_user(f"s{i}")
        Enrollment.objects.create(course=course, user=user)
        for slug, version in versions.items():
            for week in range(i % 4 + 1):
                mistake = mistakes[slug][(i + week) % len(mistakes[slug])]
                answer = PracticeAnswer.objects.create(
                    user=user, version=version, seed=week, raw="1", status="graded", score=0.0,
                    result={"mistake": {"id": mistake, "feedback": f"Разбор ошибки {mistake}: "
                                        "$\\frac{a}{b}$ вместо $a \\cdot b$"}},
                )  # fmt: skip
                PracticeAnswer.objects.filter(pk=answer.pk).update(
                    created_at=timezone.now() - dt.timedelta(weeks=week * 2, days=i)
                )
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="ru-RU"
    )
    page = context.new_page()
    try:
        page.goto("/login/")
        page.get_by_label("Имя пользователя").fill("teacher")
        page.get_by_label("Пароль").fill("pw-teacher-1")
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/")
        page.goto(f"/courses/{course.pk}/")
        page.get_by_role("link", name="Типичные ошибки").click()
        page.wait_for_selector("table.mistakes-table")
        assert page.locator("table.mistakes-table tbody tr").count() == 3
        shot(page, "course-mistakes-desktop")
        shot(page, "course-mistakes-360", width=360)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_practice_pick_page(page, login, shot):
    """«Подобрать задачи» from the practice index opens a question with the knowledge range."""
    import os

    from django.core.management import call_command

    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    login(page)
    page.goto("/practice/")
    shot(page, "practice-index-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Подобрать задачи").click()
    page.wait_for_selector(".adaptive-line")
    assert "менее всего предсказуем" in page.locator(".adaptive-line").inner_text()
    shot(page, "practice-pick-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "practice-pick-desktop")
