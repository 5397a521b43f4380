"""What students see and when (issue 16, point 3): verdicts, score and solutions each shown
during the attempt / after the finish / after the close date / never, the close date counted per
student when they have an extension; the LMS and the mistakes notebook wait with them.

The demo quiz (every kind of question) is assigned to a course of ``member`` and ``peer``;
``member`` has an extension a day past the quiz's close.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

import grader
from grader import kinds
from grader.grading import mistake_value
from quizapp.attempts import services as attempts
from quizapp.attempts import visibility
from quizapp.attempts.visibility import attempt_visibility
from quizapp.core import signals
from quizapp.courses import accommodations as acc
from quizapp.courses import services as courses
from quizapp.models import Attempt, MistakeNote, Quiz
from tests.quizapp.attempts import stack

pytestmark = pytest.mark.django_db
SLUG = "dense-params"  # a numeric question with the typical mistake «no_bias»


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def quiz(demo_quiz, owner, member, peer):
    """Closes in an hour; verdicts, score and solutions after the close; ``member`` may write a
    day longer."""
    closes = timezone.now() + timedelta(hours=1)
    Quiz.objects.filter(pk=demo_quiz.pk).update(
        owner=owner,
        is_open=False,
        closes_at=closes,
        show_verdicts="after_close",
        show_score="after_close",
        show_solutions="after_close",
    )
    demo_quiz.refresh_from_db()
    course = courses.course_create(owner=owner, title="Глубокое обучение", code="dl-2026")
    for user in (member, peer):
        courses.course_join(user=user, code=course.join_code)
    courses.course_quiz_assign(course=course, quiz=demo_quiz, by=owner)
    acc.accommodation_save(
        course=course,
        by=owner,
        label="Болел",
        student_ids=[member.pk],
        quiz=demo_quiz,
        closes_at=closes + timedelta(days=1),
    )
    return demo_quiz


def _mistaken(item) -> str:
    spec = item.version.spec
    index = [m["id"] for m in spec["mistakes"]].index("no_bias")
    values = grader.variant(spec, item.seed).values
    return str(mistake_value(kinds.get(spec["kind"]), spec, index, values))


def _finish(user, quiz, capture) -> Attempt:
    """An attempt with one typical mistake, finished (graded at once, as in the embedded mode)."""
    attempt = attempts.attempt_start(user=user, quiz=quiz)
    item = attempt.items.get(version__question__slug=SLUG)
    with capture(execute=True):
        attempts.response_submit(item=item, raw=_mistaken(item))
    with capture(execute=True):
        attempts.attempt_finish(attempt=attempt)
    attempt.refresh_from_db()
    return attempt


def _close_quiz(quiz, *, ago=timedelta(minutes=1)):
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - ago)
    quiz.refresh_from_db()


@pytest.fixture
def announced():
    """The attempts announced as graded (what the LMS passback and webhooks listen to)."""
    seen = []

    @receiver(signals.attempt_graded, dispatch_uid="test-visibility-spy")
    def spy(sender, attempt_id, **kwargs):
        seen.append(attempt_id)

    yield seen
    signals.attempt_graded.disconnect(dispatch_uid="test-visibility-spy")


def test_results_after_the_close_wait_for_each_students_own_close(
    client, quiz, member, peer, django_capture_on_commit_callbacks
):
    mine = _finish(member, quiz, django_capture_on_commit_callbacks)
    theirs = _finish(peer, quiz, django_capture_on_commit_callbacks)
    for attempt, user in ((mine, member), (theirs, peer)):
        seen = attempt_visibility(attempt)
        assert (seen.verdicts, seen.score, seen.solutions) == (False, False, False)
        client.force_login(user)
        page = client.get(attempt.get_absolute_url()).content.decode()
        assert (
            "Баллы, верно или нет и решения: после закрытия теста" in page and "Решение" not in page
        )
        assert "status-graded" not in page and 'class="verdict' not in page
        listing = client.get(reverse("quiz", args=[quiz.slug])).content.decode()
        assert "баллы — после закрытия" in listing
    _close_quiz(quiz)
    # The quiz closed for everybody but ``member``, whose extension runs a day more.
    theirs_now = attempt_visibility(Attempt.objects.get(pk=theirs.pk))
    assert (theirs_now.verdicts, theirs_now.score, theirs_now.solutions) == (True, True, True)
    mine_now = attempt_visibility(Attempt.objects.get(pk=mine.pk))
    assert (mine_now.verdicts, mine_now.score) == (False, False)
    client.force_login(peer)
    page = client.get(theirs.get_absolute_url()).content.decode()
    assert "после закрытия теста" not in page and 'class="verdict' in page and "Решение" in page
    client.force_login(member)
    page = client.get(mine.get_absolute_url()).content.decode()
    assert (
        "Баллы, верно или нет и решения: после закрытия теста" in page
        and 'class="verdict' not in page
    )


def test_the_api_hides_from_the_student_what_the_page_hides_but_not_from_the_instructor(
    quiz, member, owner, django_capture_on_commit_callbacks
):
    attempt = _finish(member, quiz, django_capture_on_commit_callbacks)
    student = APIClient()
    student.force_login(member)
    url = reverse("api:attempt-detail", args=[attempt.uuid])
    body = student.get(url).json()
    assert body["score"] is None
    assert body["results_visible"]["score"] is False
    assert body["results_visible"]["closes_at"] is not None
    graded = [i["response"] for i in body["items"] if i["response"]]
    assert graded and all(r["score"] is None and r["result"] == {} for r in graded)
    teacher = APIClient()
    teacher.force_login(owner)
    body = teacher.get(url).json()
    assert body["score"] == f"{attempt.score:.2f}" and body["results_visible"]["verdicts"] is True
    graded = [i["response"] for i in body["items"] if i["response"]]
    assert any(r["score"] is not None and "expected_display" in r["result"] for r in graded)


def test_verdicts_never_keeps_them_from_pages_api_and_the_mistakes_notebook(
    client, quiz, peer, django_capture_on_commit_callbacks
):
    Quiz.objects.filter(pk=quiz.pk).update(
        show_verdicts="never", show_score="after_finish", show_solutions="never"
    )
    quiz.refresh_from_db()
    attempt = _finish(peer, quiz, django_capture_on_commit_callbacks)
    assert not attempt.results_held  # nothing waits for a date: «never» is not «later»
    client.force_login(peer)
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "Результат попытки" in page and 'class="verdict' not in page
    # the score is shown (after the finish): «0 из 9 баллов», the attempt's own figures
    assert re.search(rf"<strong>[\d,]+ из {attempt.max_score:.0f}</strong> баллов", page), page
    assert not MistakeNote.objects.exists()


def test_a_held_attempt_is_announced_again_when_its_students_close_passes(
    quiz, member, peer, announced, django_capture_on_commit_callbacks
):
    mine = _finish(member, quiz, django_capture_on_commit_callbacks)
    theirs = _finish(peer, quiz, django_capture_on_commit_callbacks)
    assert mine.results_held and theirs.results_held
    assert not MistakeNote.objects.exists()  # the notebook would tell what was wrong
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert visibility.held_results_release() == 0  # nobody's close has come
    assert announced == []
    _close_quiz(quiz)
    with django_capture_on_commit_callbacks(execute=True):
        assert visibility.held_results_release() == 1
    assert announced == [theirs.pk]
    assert MistakeNote.objects.filter(user=peer).exists()
    assert not MistakeNote.objects.filter(user=member).exists()
    # A second run releases nothing twice; ``member`` goes when the extension ends.
    with django_capture_on_commit_callbacks(execute=True):
        assert visibility.held_results_release() == 0
        later = timezone.now() + timedelta(days=2)
        assert visibility.held_results_release(now=later) == 1
    assert announced == [theirs.pk, mine.pk]
    assert not Attempt.objects.filter(results_held=True).exists()


def test_opening_the_attempt_releases_it_without_a_beat(
    client, quiz, peer, announced, django_capture_on_commit_callbacks
):
    attempt = _finish(peer, quiz, django_capture_on_commit_callbacks)
    _close_quiz(quiz)
    client.force_login(peer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(attempt.get_absolute_url())
    assert not Attempt.objects.get(pk=attempt.pk).results_held
    assert announced[-1] == attempt.pk


def test_showing_results_earlier_releases_the_held_ones(
    quiz, peer, announced, django_capture_on_commit_callbacks
):
    attempt = _finish(peer, quiz, django_capture_on_commit_callbacks)
    Quiz.objects.filter(pk=quiz.pk).update(
        show_verdicts="after_finish", show_score="after_finish", show_solutions="after_finish"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert visibility.held_results_release() == 1
    assert announced[-1] == attempt.pk


@pytest.mark.parametrize(
    ("verdicts", "live"), [("during", True), ("after_finish", False), ("never", False)]
)
def test_answers_are_checked_live_only_when_verdicts_are_shown_during(
    client, quiz, peer, verdicts, live
):
    Quiz.objects.filter(pk=quiz.pk).update(show_verdicts=verdicts, show_solutions="never")
    client.force_login(peer)
    client.post(reverse("attempt-start", args=[quiz.slug]))
    page = client.get(Attempt.objects.get().get_absolute_url()).content.decode()
    assert (">Ответить<" in page) is live
    assert (">Сохранить<" in page) is not live


def test_solutions_may_not_come_before_the_verdicts(client, quiz, owner):
    client.force_login(owner)
    url = reverse("teach-quiz-edit", args=[quiz.pk])
    fields = {"title": quiz.title, "slug": quiz.slug, "unreadable_policy": "review"}
    page = client.post(
        url, {**fields, "show_verdicts": "after_close", "show_solutions": "after_finish"}
    ).content.decode()
    assert "Решения нельзя показывать раньше" in page
    api = APIClient()
    api.force_login(owner)
    answer = api.patch(
        reverse("api:quiz-detail", args=[quiz.pk]),
        {"show_verdicts": "never", "show_solutions": "after_answer"},
        format="json",
    )
    assert answer.status_code == 400
    assert "show_solutions" in str(answer.json())
    quiz.refresh_from_db()
    assert quiz.show_verdicts == "after_close"


def test_the_api_list_reads_a_students_terms_once_per_quiz(
    quiz, member, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Quiz.objects.filter(pk=quiz.pk).update(max_attempts=None)
    quiz.refresh_from_db()
    api = APIClient()
    api.force_login(member)
    url = reverse("api:attempt-list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            body = api.get(url).json()
        assert all(row["score"] is None for row in body["results"])  # hidden until the close
        return len(queries)

    _finish(member, quiz, django_capture_on_commit_callbacks)
    two = (_finish(member, quiz, django_capture_on_commit_callbacks), count())[1]
    for _ in range(3):
        _finish(member, quiz, django_capture_on_commit_callbacks)
    assert count() == two


def test_solutions_after_the_close_hold_the_notebook_but_not_the_lms_score(
    quiz, peer, announced, django_capture_on_commit_callbacks
):
    """Verdicts and score after the finish, solutions after the close: a mistake card shows a
    worked solution, so the notebook waits for the close; the score does not."""
    Quiz.objects.filter(pk=quiz.pk).update(show_verdicts="after_finish", show_score="after_finish")
    quiz.refresh_from_db()
    attempt = _finish(peer, quiz, django_capture_on_commit_callbacks)
    seen = attempt_visibility(attempt)
    assert (seen.verdicts, seen.score, seen.solutions) == (True, True, False)
    assert attempt.results_held and not MistakeNote.objects.exists()
    _close_quiz(quiz)
    with django_capture_on_commit_callbacks(execute=True):
        assert visibility.held_results_release() == 1
    assert MistakeNote.objects.filter(user=peer).exists()


def test_a_student_may_not_order_their_attempts_by_a_hidden_score(quiz, member, owner):
    student = APIClient()
    student.force_login(member)
    url = reverse("api:attempt-list")
    answer = student.get(url, {"ordering": "-score"})
    assert answer.status_code == 400 and "ordering" in answer.json()["error"]["fields"]
    assert student.get(url, {"ordering": "-started_at"}).status_code == 200
    teacher = APIClient()
    teacher.force_login(owner)
    assert teacher.get(url, {"ordering": "-score"}).status_code == 200


@pytest.fixture
def broker():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    saved = stack.use_broker(url)
    stack.clear_queue(url)
    yield url
    stack.switch_broker(**saved)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_grades_holds_and_then_releases_the_results(broker, quiz, peer):
    """As in production: a Celery worker on Redis grades the answer (PostgreSQL), the finished
    attempt is held until the close, and the release task, run by the worker once the close has
    passed, lets it go — the mistakes notebook, written in the worker's process, gets its card."""
    from django.db import transaction

    from quizapp.attempts.services import RELEASE_RESULTS_TASK
    from quizapp.core.tasks import enqueue_on_commit

    worker = stack.start_worker(broker)
    try:
        attempt = attempts.attempt_start(user=peer, quiz=quiz)
        item = attempt.items.get(version__question__slug=SLUG)
        attempts.response_submit(item=item, raw=_mistaken(item))
        stack.wait_until(
            lambda: not attempt.items.filter(responses__status="pending").exists(),
            timeout=60, workers=[worker], what="answer graded",
        )  # fmt: skip
        attempts.attempt_finish(attempt=attempt)
        assert Attempt.objects.get(pk=attempt.pk).results_held
        _close_quiz(quiz)
        with transaction.atomic():
            enqueue_on_commit(RELEASE_RESULTS_TASK)
        stack.wait_until(
            lambda: MistakeNote.objects.filter(user=peer, source="quiz").exists(),
            timeout=60, workers=[worker], what="released and noted",
        )  # fmt: skip
    finally:
        stack.stop(worker)
    assert not Attempt.objects.get(pk=attempt.pk).results_held
