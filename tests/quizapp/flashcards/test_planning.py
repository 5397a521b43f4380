"""Planning toward a target (issue 17, point 2): the desired retention, the exam date that no
interval passes, load balancing within FSRS's fuzz range, the course's defaults, the forecast."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from fsrs import Card, Rating, Scheduler

from question_bank.models import Bank, Question, QuestionVersion
from quizapp.core.errors import ServiceError
from quizapp.courses import services as courses
from quizapp.dashboard.selectors import dashboard
from quizapp.flashcards import planning, selectors, services
from quizapp.flashcards.personal import DEFAULT_PARAMETERS
from quizapp.models import Course, Enrollment, FlashcardState, StudyProfile

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)  # 12:30 in Moscow


def _no_load(first, last):
    return {}


# --- The rule, without a database ------------------------------------------------------------


@pytest.mark.parametrize("interval", [3, 5, 8, 15, 30, 100, 365])
def test_the_fuzz_range_is_py_fsrs_own(interval):
    scheduler = Scheduler()
    rng_state = random.getstate()
    random.seed(interval)
    seen = {
        scheduler._get_fuzzed_interval(interval=dt.timedelta(days=interval)).days
        for _ in range(400)
    }
    random.setstate(rng_state)
    low, high = planning.fuzz_range(interval)
    # py-fsrs draws round(U·(max − min + 1) + min), which reaches max + 1 now and then; the
    # range it states (and we choose from) is [min, max].
    assert (min(seen), max(seen)) == (low, high + 1)


def test_no_interval_passes_the_day_before_the_exam():
    rng = random.Random(17)
    for _ in range(5000):
        now = NOW + dt.timedelta(hours=rng.randrange(0, 24 * 60))
        today = now.astimezone(MOSCOW).date()
        exam = today + dt.timedelta(days=rng.randrange(1, 90))
        interval = rng.randrange(1, 400)
        due = planning.plan_due(
            now=now,
            due=now + dt.timedelta(days=interval),
            zone=MOSCOW,
            exam_date=exam,
            load=lambda first, last: {first + dt.timedelta(days=rng.randrange(0, 3)): 5},
        )
        day = due.astimezone(MOSCOW).date()
        last = max(today + dt.timedelta(days=1), exam - dt.timedelta(days=1))
        assert today < day <= last, (now, exam, interval, due)
        if interval > (last - today).days:  # cut short: on one of the last days before the exam
            assert day >= last - dt.timedelta(days=planning.LAST_DAYS - 1)


def test_the_lightest_day_of_the_fuzz_range_wins_and_a_tie_goes_to_fsrs_own_day():
    today = NOW.astimezone(MOSCOW).date()
    low, high = planning.fuzz_range(30)
    assert (low, high) == (27, 33)  # 30 ± (1 + 0.15·4.5 + 0.1·13 + 0.05·10)
    busy = {today + dt.timedelta(days=d): 10 for d in range(low, high + 1)}
    busy[today + dt.timedelta(days=32)] = 3
    due = planning.plan_due(
        now=NOW,
        due=NOW + dt.timedelta(days=30),
        zone=MOSCOW,
        exam_date=None,
        load=lambda a, b: busy,
    )
    assert due == NOW + dt.timedelta(days=32)  # same time of day, lightest day
    due = planning.plan_due(
        now=NOW, due=NOW + dt.timedelta(days=30), zone=MOSCOW, exam_date=None, load=_no_load
    )
    assert due == NOW + dt.timedelta(days=30)
    # A learning step (minutes) and a short interval are left alone.
    step = NOW + dt.timedelta(minutes=10)
    assert planning.plan_due(now=NOW, due=step, zone=MOSCOW, exam_date=None, load=_no_load) == step


def test_an_exam_that_is_over_or_today_plans_nothing():
    today = NOW.astimezone(MOSCOW).date()
    for exam in (today, today - dt.timedelta(days=3)):
        due = planning.plan_due(
            now=NOW, due=NOW + dt.timedelta(days=40), zone=MOSCOW, exam_date=exam, load=_no_load
        )
        assert planning.fuzz_range(40)[0] <= (due - NOW).days <= planning.fuzz_range(40)[1]


@pytest.mark.parametrize("stability, days", [(0.5, 1), (5.0, 23), (40.0, 3), (120.0, 400)])
def test_recall_is_fsrs_retrievability(stability, days):
    parameters = [w * 1.1 for w in DEFAULT_PARAMETERS[:20]] + [0.3]  # another decay too
    for weights in (list(DEFAULT_PARAMETERS), parameters):
        scheduler = Scheduler(parameters=weights)
        last = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        card = Card(state=Card().state.Review, stability=stability, difficulty=5.0,
                    last_review=last, due=last)  # fmt: skip
        expected = scheduler.get_card_retrievability(card, last + dt.timedelta(days=days))
        assert planning.recall(stability, days, weights[20]) == pytest.approx(expected, rel=1e-9)


def test_expected_recall_rises_with_a_review_before_the_exam():
    today = dt.date(2026, 12, 4)
    exam = today + dt.timedelta(days=20)
    reviewed = dt.date(2026, 12, 1)
    alone = planning.expected_recall(
        [(5.0, 5.0, reviewed, exam + dt.timedelta(days=5))],
        exam_date=exam, today=today, parameters=DEFAULT_PARAMETERS, retention=0.9,
    )  # fmt: skip
    assert alone == pytest.approx(planning.recall(5.0, 23, DEFAULT_PARAMETERS[20]))
    again = planning.expected_recall(
        [(5.0, 5.0, reviewed, today + dt.timedelta(days=5))],
        exam_date=exam, today=today, parameters=DEFAULT_PARAMETERS, retention=0.9,
    )  # fmt: skip
    assert 0 < alone < again < 1
    assert planning.expected_recall([], exam_date=exam, today=today, parameters=DEFAULT_PARAMETERS,
                                    retention=0.9) is None  # fmt: skip


# --- The student's and the course's targets ---------------------------------------------------


@pytest.fixture
def course(owner):
    course = courses.course_create(owner=owner, title="Глубокое обучение", code="dl")
    return course


@pytest.mark.django_db
def test_own_targets_win_over_the_courses_which_win_over_the_defaults(student, course, owner):
    today = dt.date(2026, 12, 4)
    assert selectors.study_targets(user=student, today=today) == planning.StudyTargets(
        0.9, None, "default"
    )
    Enrollment.objects.create(course=course, user=student)
    courses.course_update(
        course=course, title=course.title, code=course.code, description="",
        join_enabled=True, is_archived=False, exam_date=dt.date(2027, 1, 20), study_retention=0.85,
    )  # fmt: skip
    other = courses.course_create(
        owner=owner, title="Другой", code="other", exam_date=dt.date(2027, 1, 10)
    )
    Enrollment.objects.create(course=other, user=student)
    targets = selectors.study_targets(user=student, today=today)
    assert (targets.exam_date, targets.retention, targets.source) == (
        dt.date(2027, 1, 10),
        0.9,
        "course",
    )  # fmt: skip  (the earliest exam ahead, with that course's retention: none, so 0.9)
    Course.objects.filter(pk=other.pk).update(exam_date=dt.date(2026, 11, 1))  # over
    targets = selectors.study_targets(user=student, today=today)
    assert (targets.exam_date, targets.retention) == (dt.date(2027, 1, 20), 0.85)
    services.study_profile_update(
        user=student, new_cards_per_day=20, desired_retention=0.95, today=today
    )
    targets = selectors.study_targets(user=student, today=today)
    assert (targets.exam_date, targets.retention, targets.source) == (
        dt.date(2027, 1, 20), 0.95, "own",
    )  # fmt: skip


@pytest.mark.django_db
def test_targets_out_of_bounds_are_refused(student, owner):
    today = dt.date(2026, 12, 4)
    for value in (0.5, 0.99, True, "0.9"):
        with pytest.raises(ServiceError) as err:
            services.study_profile_update(
                user=student, new_cards_per_day=20, desired_retention=value
            )
        assert err.value.code == "bad_retention"
    for value in (today - dt.timedelta(days=1), dt.date(2040, 1, 1)):
        with pytest.raises(ServiceError) as err:
            services.study_profile_update(
                user=student, new_cards_per_day=20, exam_date=value, today=today
            )
        assert err.value.code == "bad_exam_date"
    with pytest.raises(ServiceError):
        courses.course_create(owner=owner, title="К", code="k", study_retention=1.2)


# --- Ratings, the pages -----------------------------------------------------------------------


def _cards(user, n: int) -> list[Question]:
    bank = Bank.objects.create(slug=f"plan-{n}", title="Планирование")
    questions = []
    for i in range(n):
        q = Question.objects.create(
            bank=bank, slug=f"p{i}", title=f"Карточка {i}", kind=Question.Kind.FLASHCARD
        )
        QuestionVersion.objects.create(
            question=q, number=1, spec={"kind": "flashcard", "front": f"{i}?", "back": "!"}
        )
        questions.append(q)
    services.deck_add(user=user, bank=bank)
    return questions


def _review(user, question, rating, now):
    state = services.flashcard_state_ensure(user=user, question=question)
    return services.flashcard_rate(
        user=user, state=state, rating=rating, now=now, expected_reps=state.reps
    )


@pytest.mark.django_db
def test_ratings_never_schedule_past_the_exam_and_spread_the_load(student, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    exam = dt.date(2026, 12, 20)
    services.study_profile_update(
        user=student, new_cards_per_day=100, exam_date=exam, today=dt.date(2026, 12, 4)
    )
    questions = _cards(student, 30)
    rng = random.Random(3)
    now = NOW
    for _round in range(4):  # four sessions of the whole deck, a few days apart
        for q in questions:
            _review(student, q, rng.choice([Rating.Good, Rating.Good, Rating.Easy]), now)
        now += dt.timedelta(days=3)
    dues = [
        s.due.astimezone(MOSCOW).date()
        for s in FlashcardState.objects.filter(user=student, state=Card().state.Review)
    ]
    assert dues and max(dues) <= exam - dt.timedelta(days=1)
    # Thirty cards learnt together do not all come back on one day.
    assert max(dues.count(day) for day in set(dues)) < len(dues)
    assert len(set(dues)) >= 3


@pytest.mark.django_db
def test_settings_form_and_dashboard_show_the_exam(student_client, student, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    exam = timezone.localdate() + dt.timedelta(days=30)  # Moscow's today, as the pages count
    response = student_client.post(
        reverse("flashcard-settings"),
        {"new_cards_per_day": "20", "retention_percent": "92,5", "exam_date": exam.isoformat()},
        follow=True,
    )
    assert "Настройки сохранены." in response.content.decode()
    profile = StudyProfile.objects.get(user=student)
    assert (profile.desired_retention, profile.exam_date) == (0.925, exam)
    page = student_client.get(reverse("flashcard-decks")).content.decode()
    assert 'value="92,5"' in page and f'value="{exam.isoformat()}"' in page
    response = student_client.post(
        reverse("flashcard-settings"),
        {"new_cards_per_day": "20", "retention_percent": "99", "exam_date": ""},
        follow=True,
    )
    assert "от 0,7 до 0,97" in response.content.decode()
    assert StudyProfile.objects.get(user=student).exam_date == exam  # nothing saved

    questions = _cards(student, 5)
    for q in questions:
        _review(student, q, Rating.Good, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    board = dashboard(user=student, now=dt.datetime.now(dt.UTC))
    assert board.exam.date == exam and board.exam.days_left == 30 and board.exam.cards == 5
    assert 0 < board.exam.expected_recall < 1 and len(board.forecast) == 30
    home = student_client.get("/").content.decode()
    assert "Прогноз повторений до экзамена" in home and "До экзамена 30 дн." in home
    assert "вы вспомните примерно" in home
