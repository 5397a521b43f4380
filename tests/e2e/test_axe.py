"""Every page of the students' and the instructors' journeys under axe-core (WCAG 2.1 A and AA)
at 1280 and 360 px, and the reflow rule (WCAG 1.4.10) at 360 and 320 px: no page scrolls
sideways, a wide table scrolls inside its own box.

One browser page and one login per role walks the pages; each is checked where it stands (a
question, then the same question answered with its solution; a card, then the card answered).
The violations of all pages are gathered and reported together, and a summary (pages, widths,
violations by rule) is written to artifacts/axe/<role>.json.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from question_bank.models import Bank, Question, Topic
from quizapp.core.roles import INSTRUCTOR_GROUP
from quizapp.courses import services as course_services
from quizapp.courses.accommodations import accommodation_save
from quizapp.models import Attempt, Quiz, StudyDeck
from tests.conftest import make_user
from tests.e2e.axe import axe_source, axe_violations, describe
from tests.e2e.conftest import SHOTS, instructor_bank_file, start_attempt
from tests.quizapp.gradebook.test_gradebook import take

pytestmark = pytest.mark.django_db(transaction=True)

AXE_WIDTHS = (1280, 360)
REFLOW_WIDTHS = (360, 320)


class Tour:
    """Checks pages one after another and keeps what it found."""

    def __init__(self, page):
        self.page = page
        self.pages: list[str] = []
        self.violations: list[tuple[str, int, dict]] = []
        self.wide: list[str] = []

    def check(self, name: str, url: str | None = None, *, shot: str = "") -> None:
        """Open ``url`` (or stay on the page as it is) and check it at every width; ``shot``:
        also save it as artifacts/screenshots/axe-<shot>-<width>.png at 1280 and 360 px."""
        page = self.page
        if url is not None:
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(url)
        page.wait_for_load_state()
        self.pages.append(name)
        for width in AXE_WIDTHS:
            _resize(page, width)
            for violation in axe_violations(page):
                self.violations.append((name, width, violation))
            if shot:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"axe-{shot}-{width}.png"), full_page=True)
        for width in REFLOW_WIDTHS:
            _resize(page, width)
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            if scroll > width:
                self.wide.append(f"{name} ({page.url}): {scroll} px при ширине {width}")
        page.set_viewport_size({"width": 1280, "height": 900})

    def report(self, role: str) -> dict:
        by_rule = Counter(v["id"] for _name, _width, v in self.violations)
        nodes = Counter()
        for _name, _width, v in self.violations:
            nodes[v["id"]] += len(v["nodes"])
        summary = {
            "pages": len(self.pages),
            "widths": list(AXE_WIDTHS),
            "checks": len(self.pages) * len(AXE_WIDTHS),
            "violations": sum(by_rule.values()),
            "by_rule": dict(sorted(by_rule.items())),
            "nodes_by_rule": dict(sorted(nodes.items())),
            "pages_checked": self.pages,
            "reflow_failures": self.wide,
        }
        out = SHOTS.parent / "axe"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{role}.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return summary

    def assert_clean(self, role: str) -> None:
        summary = self.report(role)
        found = "\n".join(
            describe([v], where=f"{name} @ {width}px: ") for name, width, v in self.violations
        )
        assert not self.violations, (
            f"axe: {summary['violations']} нарушений на {summary['pages']} страницах "
            f"({summary['by_rule']})\n{found}"
        )
        assert not self.wide, "страница шире экрана:\n" + "\n".join(self.wide)


def _resize(page, width: int) -> None:
    """A new width, and two frames for the page's own scripts to adjust to it (the scroll boxes
    of static/js/scroll-boxes.js become Tab stops only when they scroll)."""
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")


def test_student_pages_pass_axe_and_reflow(page, django_user_model):
    axe_source()  # skips (or fails in CI) before any setup when axe-core is not installed
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    tour = Tour(page)
    student = make_user(django_user_model, "anna", email="anna@example.org")

    # Before logging in: the pages of an anonymous visitor.
    tour.check("вход", "/login/")
    tour.check("регистрация", "/register/")
    tour.check("сброс пароля", "/password/reset/")
    tour.check("сброс пароля: письмо отправлено", "/password/reset/sent/")
    uid = urlsafe_base64_encode(force_bytes(student.pk))
    token = default_token_generator.make_token(student)
    tour.check("сброс пароля: новый пароль", f"/password/reset/{uid}/{token}/")
    tour.check("сброс пароля: готово", "/password/reset/complete/")
    tour.check("сброс пароля: ссылка устарела", f"/password/reset/{uid}/set-password-x/")

    # A finished attempt of the demo quiz: the dashboard shows the table of attempts.
    take(student, Quiz.objects.get(slug="demo"))
    StudyDeck.objects.create(user=student, bank=Bank.objects.get(slug="demo"))
    _log_in(page, "anna", "pw-anna-1")
    tour.check("главная (с попытками)", "/", shot="dashboard")
    tour.check("тренировка", "/practice/")
    mlp = Topic.objects.get(bank__slug="demo", slug="mlp")
    tour.check("тренировка: вопрос", f"/practice/topic/{mlp.pk}/")
    page.get_by_label(re.compile("Ваш ответ")).first.fill("1")
    page.get_by_role("button", name="Ответить").click()
    page.wait_for_selector(".solution")
    tour.check("тренировка: ответ и решение", shot="practice-solution")

    tour.check("тест", "/quiz/demo-exam/")
    attempt = start_attempt(page, "demo-exam")
    tour.check("попытка", shot="attempt")
    page.locator("input[name=answer]").first.fill("0,5")
    tour.check("завершение попытки: подтверждение", f"/attempt/{attempt.uuid}/finish/")
    page.get_by_role("button", name="Завершить", exact=True).click()
    page.wait_for_selector("text=Результат попытки 1")
    tour.check("результат попытки")

    tour.check("карточки: карточка", "/cards/")
    _answer_card(page)
    tour.check("карточки: после ответа", shot="flashcards-answered")
    tour.check("колоды", "/cards/decks/")
    tour.check("статистика карточек", "/cards/stats/", shot="flashcard-stats")
    tour.check("профиль", "/account/")
    teacher = make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    course = course_services.course_create(owner=teacher, title="Глубокое обучение", code="dl")
    tour.check("приглашение в курс", f"/courses/join/{course.join_code}/")
    page.get_by_role("button", name="Записаться").click()
    page.wait_for_url(f"**/courses/{course.pk}/")
    tour.check("курс (студент)")
    tour.check("курсы (студент)", "/courses/")
    tour.assert_clean("student")


def _answer_card(page) -> None:
    """Answer the card on the screen the way it asks: type, choose, or reveal the back."""
    if page.locator("#fc-answer").count():
        page.fill("#fc-answer", "1")
        page.get_by_role("button", name="Проверить").click()
        page.wait_for_selector(".fc-card .solution")
    elif page.locator("input[name=choice]").count():
        page.locator("input[name=choice]").first.check()
        page.get_by_role("button", name="Проверить").click()
        page.wait_for_selector(".fc-card .solution")
    else:
        page.get_by_role("button", name=re.compile("Показать ответ")).click()
        page.wait_for_selector("#fc-back", state="visible")


def _lti_link_and_failed_score(teacher, attempt) -> int:
    """An LMS course where ``teacher`` teaches, a link in it without a quiz yet (the page to pick
    one), and a score the LMS refused (a row of «Оценки в LMS» with its retry button). Returns the
    resource link's id."""
    from lti_tool.models import LtiContext, LtiLineItem, LtiMembership, LtiResourceLink, LtiUser

    from quizapp.lti.services import lti_platform_register
    from quizapp.models.lti import LtiScorePassback

    registration = lti_platform_register(
        name="Moodle факультета",
        issuer="https://lms.example",
        client_id="tool-1",
        auth_url="https://lms.example/auth",
        token_url="https://lms.example/token",
        keyset_url="https://lms.example/jwks",
        deployment_ids=["d-1"],
    )
    context = LtiContext.objects.create(
        deployment=registration.deployments.get(), id_on_platform="course-42", title="ГО"
    )
    link = LtiResourceLink.objects.create(context=context, id_on_platform="rl-1", title="Тест 1")
    lti_teacher = LtiUser.objects.create(registration=registration, sub="t-1", auth_user=teacher)
    LtiMembership.objects.create(user=lti_teacher, context=context, is_instructor=True)
    learner = LtiUser.objects.create(registration=registration, sub="s-1", auth_user=attempt.user)
    line_item = LtiLineItem.objects.create(
        context=context,
        url="https://lms.example/lineitems/1",
        label="Демо-тест",
        maximum_score=9,
    )
    LtiScorePassback.objects.create(
        attempt=attempt,
        line_item=line_item,
        lti_user=learner,
        status=LtiScorePassback.Status.FAILED,
        score_given=1,
        score_maximum=9,
        tries=3,
        last_status_code=503,
        last_error="Service Unavailable",
    )
    return link.pk


def test_instructor_pages_pass_axe_and_reflow(browser, live_server, django_user_model):
    axe_source()
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    teacher = make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    demo = Bank.objects.get(slug="demo")
    Bank.objects.filter(pk=demo.pk).update(owner=teacher)
    Quiz.objects.filter(slug__in=["demo", "demo-exam"]).update(owner=teacher, max_attempts=None)
    quiz = Quiz.objects.get(slug="demo")
    course = course_services.course_create(owner=teacher, title="Глубокое обучение", code="dl-2026")
    course_services.course_quiz_assign(course=course, quiz=quiz, by=teacher)
    # Students with right, wrong and unrecognised answers: the gradebook, the item analysis
    # (its chart needs data) and the rejected text answers all have rows.
    for n, raw in enumerate(["1", "2", "0,5", "Прореживание"]):
        student = make_user(django_user_model, f"s{n}")
        course_services.course_join(user=student, code=course.join_code)
        take(student, quiz, {"dropout-name": raw}, default=raw)
    attempt = Attempt.objects.filter(quiz=quiz).first()
    lti_link = _lti_link_and_failed_score(teacher, attempt)
    # One student writes with extra time: the gradebook marks the cell, the course has the page.
    granted = accommodation_save(
        course=course,
        by=teacher,
        label="ОВЗ",
        student_ids=[django_user_model.objects.get(username="s0").pk],
        time_factor=Decimal("1.5"),
    )
    cafe = Question.objects.get(bank=demo, slug="cafe-network")
    dropout_name = Question.objects.get(bank=demo, slug="dropout-name")

    # A context of its own: the LTI error page answers 400 on purpose, which the «page» fixture
    # would count as a console error; every other console error still fails the tour.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="ru-RU"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"{page.url}: {msg.text}"))
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    tour = Tour(page)
    _log_in(page, "teacher", "pw-teacher-1")
    tour.check("банки", "/banks/")
    tour.check("банк", f"/banks/{demo.pk}/")
    tour.check("загрузка банка", "/banks/upload/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "kurs.yaml", "mimeType": "text/yaml", "buffer": instructor_bank_file()}],
    )
    page.get_by_role("button", name="Загрузить и проверить").click()
    page.get_by_role("button", name="Опубликовать").wait_for()
    tour.check("отчёт о загрузке")
    tour.check("предпросмотр вопроса", f"/banks/{demo.pk}/questions/{cafe.pk}/preview/")
    tour.check(
        "отклонённые ответы вопроса", f"/banks/{demo.pk}/questions/{dropout_name.pk}/rejected/"
    )
    tour.check("тесты", "/teach/quizzes/", shot="quiz-list")
    tour.check("новый тест", "/teach/quizzes/new/")
    tour.check("тест: правка", f"/teach/quizzes/{quiz.pk}/")
    tour.check("журнал", "/teach/gradebook/")
    tour.check("журнал курса", f"/teach/gradebook/course/{course.pk}/")
    tour.check("типичные ошибки курса", f"/teach/mistakes/course/{course.pk}/", shot="mistakes")
    tour.check("журнал теста", f"/teach/gradebook/quiz/{quiz.pk}/")
    tour.check("попытка в журнале", f"/teach/gradebook/attempt/{attempt.uuid}/")
    tour.check("анализ заданий", f"/teach/analysis/quiz/{quiz.pk}/", shot="item-analysis")
    tour.check("отклонённые ответы теста", f"/teach/rejected/quiz/{quiz.pk}/")
    tour.check("перепроверка", f"/teach/regrade/quiz/{quiz.pk}/")
    tour.check("курсы", "/courses/")
    tour.check("курс", f"/courses/{course.pk}/")
    tour.check("новый курс", "/courses/new/")
    tour.check("курс: настройки", f"/courses/{course.pk}/edit/")
    tour.check(
        "особые условия и даты", f"/courses/{course.pk}/accommodations/", shot="accommodations"
    )
    tour.check("особые условия: правка", f"/courses/{course.pk}/accommodations/{granted.pk}/")
    page.goto("/teach/integrations/")
    page.fill("#key-name", "Moodle факультета")
    page.get_by_role("button", name="Создать ключ").click()
    page.wait_for_selector("#token")
    tour.check("интеграции (ключ создан)")
    tour.check("интеграции", "/teach/integrations/", shot="integrations")
    tour.check("LTI: оценки (отказ LMS)", "/lti/scores/")
    tour.check("LTI: выбор теста для ссылки", f"/lti/link/{lti_link}/")
    tour.check("LTI: ошибка входа", "/lti/login/")
    context.close()
    assert [e for e in errors if "/lti/login/" not in e] == []
    tour.assert_clean("instructor")
