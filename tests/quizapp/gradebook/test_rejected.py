# ruff: noqa: F811  (fixtures imported from test_gradebook are parameters here)
"""Rejected text answers: grouped as the grader compares them, accepted for everyone with a new
version and a regrade; practice answers upgraded; access and double clicks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

import grader
from question_bank.models import Question, QuestionVersion
from quizapp.core import versions
from quizapp.core.errors import ServiceError
from quizapp.gradebook import rejected
from quizapp.models import PracticeAnswer, QuizItem, RegradeRun, Response
from quizapp.practice import services as practice
from tests.conftest import make_user
from tests.quizapp.concurrency import in_threads
from tests.quizapp.gradebook.test_gradebook import (  # noqa: F401 (fixtures)
    PEOPLE,
    _login,
    fast_passwords,
    quiz,
    take,
)

pytestmark = pytest.mark.django_db

SLUG = "dropout-name"  # the demo bank's short text question: answers dropout, дропаут, …


@pytest.fixture
def question(quiz) -> Question:
    return Question.objects.get(slug=SLUG)


@pytest.fixture
def own_bank(question, owner):
    """The demo bank made the owner's own (as if they had uploaded it): they may change it."""
    bank = question.bank
    bank.owner = owner
    bank.save(update_fields=["owner"])
    return bank


def _students(django_user_model, n: int) -> list:
    return [make_user(django_user_model, f"s{k}") for k in range(n)]


def _short_answer(attempt) -> Response:
    return Response.objects.get(item__attempt=attempt, item__version__question__slug=SLUG)


# --- The selector ---------------------------------------------------------------------------


def test_selector_groups_spellings_as_the_grader_compares_them(
    django_user_model, quiz, owner, question
):
    a, b, c, d, e = _students(django_user_model, 5)
    take(a, quiz, {SLUG: "ReLU"})
    take(b, quiz, {SLUG: "relu"})
    take(c, quiz, {SLUG: " ReLU."})
    take(c, quiz, {SLUG: "relu"})  # a retake: the same student counts once
    take(d, quiz, {SLUG: "сигмоида"})
    take(e, quiz, {SLUG: "Dropout"})  # accepted: not listed

    (entry,) = rejected.quiz_rejected_answers(quiz=quiz, user=owner)
    assert entry.question == question
    assert entry.accepted == ["dropout", "дропаут", "дропаут (dropout)"]
    assert [(g.key, g.students, g.answers) for g in entry.groups] == [
        ("relu", 3, 4),
        ("сигмоида", 1, 1),
    ]
    # The spelling typed most often («relu» twice) stands for the group.
    assert entry.groups[0].example == "relu"
    assert entry.total_groups == 2 and not entry.groups[0].accepted_now
    assert entry.can_accept is False and "встроенного банка" in entry.refusal  # bundled


def test_selector_is_bounded_and_pages_one_question(client, django_user_model, quiz, owner):
    people = _students(django_user_model, rejected.TOP_REJECTED + 3)
    for k, student in enumerate(people):
        take(student, quiz, {SLUG: f"ответ {k}"})
    (entry,) = rejected.quiz_rejected_answers(quiz=quiz, user=owner)
    assert len(entry.groups) == rejected.TOP_REJECTED and entry.total_groups == len(people)

    client.force_login(owner)
    page = client.get(reverse("rejected-quiz", args=[quiz.pk])).content.decode()
    assert f"Все отклонённые ответы ({len(people)})" in page
    one = client.get(reverse("rejected-quiz", args=[quiz.pk]), {"question": entry.question.pk})
    assert one.content.decode().count('name="text"') == 0  # bundled bank: no buttons
    assert one.content.decode().count("<code>ответ ") == len(people)


def test_the_pager_of_one_question_keeps_the_question(
    client, django_user_model, quiz, owner, monkeypatch
):
    monkeypatch.setattr(rejected, "GROUPS_PER_PAGE", 2)
    for k, student in enumerate(_students(django_user_model, 5)):
        take(student, quiz, {SLUG: f"ответ {k}"})
    question = Question.objects.get(slug=SLUG)
    client.force_login(owner)
    url = reverse("rejected-quiz", args=[quiz.pk])
    second = client.get(url, {"question": question.pk, "page": 2}).content.decode()
    assert "Страница 2 из 3" in second and second.count("<code>ответ ") == 2
    assert f'href="?question={question.pk}&amp;page=1" rel="prev"' in second
    assert f'href="?question={question.pk}&amp;page=3" rel="next"' in second


def test_accepted_texts_reads_strings_and_mappings():
    spec = {"answers": ["ReLU", {"text": "выпрямитель", "feedback": "да"}]}
    assert rejected.accepted_texts(spec) == ["ReLU", "выпрямитель"]
    assert rejected._accepts(spec, " Выпрямитель.") and not rejected._accepts(spec, "сигмоида")


def test_an_answer_worth_a_part_may_still_be_accepted_for_the_full_mark():
    """A Moodle short answer graded 50 % is listed but not accepted: «Принять для всех» appends
    it as a plain string, worth 1, and the grader takes the best matching answer."""
    spec = {
        "kind": "short_text",
        "text": "?",
        "answers": ["ReLU", {"text": "выпрямитель", "fraction": 0.5}],
    }
    assert not rejected._accepts(spec, "выпрямитель") and rejected._accepts(spec, "relu")
    assert grader.grade(spec, None, "выпрямитель").score == 0.5
    spec["answers"].append("выпрямитель")
    assert rejected._accepts(spec, "выпрямитель")
    assert grader.grade(spec, None, "выпрямитель").score == 1.0


# --- Accepting ------------------------------------------------------------------------------


def test_accept_publishes_a_version_and_regrades_the_quiz(
    django_user_model, quiz, owner, question, own_bank, django_capture_on_commit_callbacks
):
    a, b, c = _students(django_user_model, 3)
    first = take(a, quiz, {SLUG: "Прореживание"})
    second = take(b, quiz, {SLUG: " прореживание."})
    other = take(c, quiz, {SLUG: "сигмоида"})
    before = question.versions.order_by("-number").first()
    assert _short_answer(first).score == 0.0
    scores = {t.pk: t.score for t in (first, second, other)}

    with django_capture_on_commit_callbacks(execute=True):
        accepted = rejected.text_answer_accept(
            question=question, text="Прореживание", by=owner, quiz=quiz
        )

    version = accepted.version
    assert accepted.created and version.number == before.number + 1
    assert version.spec["answers"] == [*before.spec["answers"], "Прореживание"]
    assert QuestionVersion.objects.get(pk=before.pk).spec == before.spec  # never edited
    (run,) = accepted.runs
    run.refresh_from_db()
    assert run.status == RegradeRun.Status.DONE and run.to_version == version
    for attempt in (first, second):
        response = _short_answer(attempt)
        assert response.score == 1.0 and response.item.version == version
        attempt.refresh_from_db()
        assert attempt.score == scores[attempt.pk] + Decimal("1.00")
    other.refresh_from_db()
    assert _short_answer(other).score == 0.0 and other.score == scores[other.pk]
    # The page now lists the text among the accepted, and no longer among the rejected.
    (entry,) = rejected.quiz_rejected_answers(quiz=quiz, user=owner)
    assert "Прореживание" in entry.accepted and [g.key for g in entry.groups] == ["сигмоида"]


def test_accept_repins_quiz_items_so_later_attempts_accept_it_too(
    student, quiz, owner, question, own_bank, django_capture_on_commit_callbacks
):
    pinned = question.versions.order_by("-number").first()
    QuizItem.objects.filter(quiz=quiz, question=question).update(version=pinned)
    take(student, quiz, {SLUG: "Прореживание"})
    with django_capture_on_commit_callbacks(execute=True):
        accepted = rejected.text_answer_accept(
            question=question, text="Прореживание", by=owner, quiz=quiz
        )
    assert QuizItem.objects.get(quiz=quiz, question=question).version == accepted.version
    later = take(student, quiz, {SLUG: "прореживание"})
    assert _short_answer(later).score == 1.0


def test_double_submit_publishes_one_version(
    student, quiz, owner, question, own_bank, django_capture_on_commit_callbacks
):
    take(student, quiz, {SLUG: "Прореживание"})
    count = question.versions.count()
    with django_capture_on_commit_callbacks(execute=True):
        rejected.text_answer_accept(question=question, text="Прореживание", by=owner, quiz=quiz)
    with pytest.raises(ServiceError) as exc:
        rejected.text_answer_accept(question=question, text="прореживание ", by=owner, quiz=quiz)
    assert exc.value.code == "answer_already_accepted"
    assert question.versions.count() == count + 1
    assert RegradeRun.objects.filter(question=question).count() == 1


def test_double_post_of_the_page_publishes_one_version(
    client, student, quiz, owner, question, own_bank, django_capture_on_commit_callbacks
):
    take(student, quiz, {SLUG: "Прореживание"})
    count = question.versions.count()
    client.force_login(owner)
    url = reverse("rejected-quiz-accept", args=[quiz.pk])
    data = {"question": question.pk, "text": "Прореживание"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)
    assert "Ответ «Прореживание» принят: опубликована версия" in first.content.decode()
    assert "Этот ответ уже принимается" in second.content.decode()
    assert question.versions.count() == count + 1


def test_an_older_text_accepted_in_the_newest_version_is_only_regraded(
    student, quiz, owner, question, own_bank, django_capture_on_commit_callbacks
):
    """The newest version lists the text (a bank fix without regrade): no new version, but
    the attempts still on the old one are regraded."""
    attempt = take(student, quiz, {SLUG: "Прореживание"})
    newest = question.versions.order_by("-number").first()
    with django_capture_on_commit_callbacks(execute=True):
        answer = practice.practice_submit(
            user=student, topic=None, version=newest, seed=0, raw="прореживание"
        )
    spec = {**newest.spec, "answers": [*newest.spec["answers"], "прореживание"]}
    fixed = QuestionVersion.objects.create(question=question, number=newest.number + 1, spec=spec)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = rejected.text_answer_accept(
            question=question, text="Прореживание", by=owner, quiz=quiz
        )
    assert not accepted.created and accepted.version == fixed and len(accepted.runs) == 1
    assert _short_answer(attempt).score == 1.0
    answer.refresh_from_db()
    assert answer.score == 1.0 and answer.result["regraded_version_id"] == fixed.pk


def test_accept_from_the_bank_regrades_own_quizzes_and_practice(
    django_user_model,
    student,
    quiz,
    owner,
    question,
    own_bank,
    django_capture_on_commit_callbacks,
):
    take(student, quiz, {SLUG: "Прореживание"})
    version = question.versions.order_by("-number").first()
    learner = make_user(django_user_model, "learner")
    with django_capture_on_commit_callbacks(execute=True):
        answer = practice.practice_submit(
            user=learner, topic=question.topic, version=version, seed=0, raw="прореживание"
        )
        kept = practice.practice_submit(
            user=learner, topic=question.topic, version=version, seed=1, raw="сигмоида"
        )
    answer.refresh_from_db()
    assert answer.score == 0.0
    entry = rejected.question_rejected_answers(question=question, user=owner)
    assert [(g.key, g.students) for g in entry.groups] == [("прореживание", 2), ("сигмоида", 1)]

    (study_before,) = versions.tokens((versions.STUDY, learner.pk))
    with django_capture_on_commit_callbacks(execute=True):
        accepted = rejected.text_answer_accept(question=question, text="Прореживание", by=owner)
    assert [run.quiz for run in accepted.runs] == [quiz]
    # Saved with one UPDATE (no signal): the learner's cached dashboard is renewed explicitly.
    assert versions.tokens((versions.STUDY, learner.pk)) != [study_before]
    answer.refresh_from_db()
    assert (answer.status, answer.score) == (Response.Status.GRADED, 1.0)
    assert answer.version == version  # the variant's page still finds its answer
    previous = answer.result["regraded_from"]
    assert previous["score"] == 0.0 and previous["result"]["correct"] is False
    assert answer.result["regraded_version_id"] == accepted.version.pk
    kept.refresh_from_db()
    assert kept.score == 0.0 and "regraded_from" not in kept.result


def test_practice_regrade_goes_in_batches(
    django_user_model, quiz, owner, question, own_bank, django_capture_on_commit_callbacks
):
    version = question.versions.order_by("-number").first()
    people = _students(django_user_model, 3)
    with django_capture_on_commit_callbacks(execute=True):
        for student in people:
            practice.practice_submit(
                user=student, topic=None, version=version, seed=0, raw="прореживание"
            )
    new = rejected._publish_with(question, version, "прореживание")
    after = rejected.practice_regrade_accepted(version_id=new.pk, batch=2)
    assert after is not None
    assert PracticeAnswer.objects.filter(score=1.0).count() == 2
    assert rejected.practice_regrade_accepted(version_id=new.pk, after_id=after, batch=2) is None
    assert PracticeAnswer.objects.filter(score=1.0).count() == 3


def test_bundled_bank_is_refused_for_an_instructor_and_allowed_for_an_admin(
    student, quiz, owner, admin, question, django_capture_on_commit_callbacks
):
    take(student, quiz, {SLUG: "Прореживание"})
    count = question.versions.count()
    with pytest.raises(ServiceError) as exc:
        rejected.text_answer_accept(question=question, text="Прореживание", by=owner, quiz=quiz)
    assert exc.value.code == "bank_not_yours" and "встроенного банка" in exc.value.message
    assert question.versions.count() == count
    with django_capture_on_commit_callbacks(execute=True):
        accepted = rejected.text_answer_accept(question=question, text="Прореживание", by=admin)
    assert accepted.created and [run.quiz for run in accepted.runs] == [quiz]


@pytest.mark.parametrize(
    ("slug", "text", "code"),
    [
        ("lstm-gates", "3", "not_short_text"),
        (SLUG, "   ", "answer_not_acceptable"),
        (SLUG, "я" * 400, "answer_not_acceptable"),
    ],
)
def test_refusals_publish_nothing(student, quiz, owner, own_bank, slug, text, code):
    take(student, quiz, {SLUG: "Прореживание"})
    target = Question.objects.get(slug=slug)
    count = QuestionVersion.objects.count()
    with pytest.raises(ServiceError) as exc:
        rejected.text_answer_accept(question=target, text=text, by=owner, quiz=quiz)
    assert exc.value.code == code
    assert QuestionVersion.objects.count() == count


def test_other_instructor_and_unused_question_are_refused(
    student, quiz, owner, other_instructor, question, own_bank
):
    take(student, quiz, {SLUG: "Прореживание"})
    with pytest.raises(ServiceError) as exc:
        rejected.text_answer_accept(
            question=question, text="Прореживание", by=other_instructor, quiz=quiz
        )
    assert exc.value.code == "quiz_owner_only"
    with pytest.raises(ServiceError) as exc:  # no attempt of the quiz has met it yet
        rejected.text_answer_accept(
            question=Question.objects.create(bank=own_bank, slug="x", title="x", kind="short_text"),
            text="Прореживание",
            by=owner,
            quiz=quiz,
        )
    assert exc.value.code == "question_not_in_quiz"


def test_a_running_regrade_to_an_older_version_refuses_and_publishes_nothing(
    student, quiz, owner, question, own_bank
):
    take(student, quiz, {SLUG: "Прореживание"})
    newest = question.versions.order_by("-number").first()
    RegradeRun.objects.create(question=question, quiz=quiz, to_version=newest, created_by=owner)
    count = question.versions.count()
    with pytest.raises(ServiceError) as exc:
        rejected.text_answer_accept(question=question, text="Прореживание", by=owner, quiz=quiz)
    assert exc.value.code == "regrade_running"
    assert question.versions.count() == count


# --- Pages ----------------------------------------------------------------------------------

EXPECTED = {"owner": 200, "admin": 200, "other_instructor": 404, "student": 403, "anonymous": 302}


@pytest.mark.parametrize("who", PEOPLE)
def test_pages_for_every_visitor(client, request, who, student, quiz, question, own_bank):
    take(student, quiz, {SLUG: "Прореживание"})
    _login(client, request, who)
    pages = [
        reverse("rejected-quiz", args=[quiz.pk]),
        reverse("banks:rejected", args=[own_bank.pk, question.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == EXPECTED[who], (url, who)
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))
    if EXPECTED[who] == 200:
        assert "Принять для всех" in response.content.decode()


@pytest.mark.parametrize("who", ["other_instructor", "student", "anonymous"])
def test_accept_posts_of_others_change_nothing(
    client, request, who, student, quiz, question, own_bank
):
    take(student, quiz, {SLUG: "Прореживание"})
    count = QuestionVersion.objects.count()
    _login(client, request, who)
    data = {"question": question.pk, "text": "Прореживание"}
    quiz_post = client.post(reverse("rejected-quiz-accept", args=[quiz.pk]), data)
    bank_post = client.post(reverse("banks:rejected-accept", args=[own_bank.pk, question.pk]), data)
    assert quiz_post.status_code == bank_post.status_code == EXPECTED[who]
    assert QuestionVersion.objects.count() == count


def test_bank_page_of_a_bundled_bank_shows_why_there_is_no_button(client, owner, quiz, question):
    client.force_login(owner)
    page = client.get(reverse("banks:rejected", args=[question.bank_id, question.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "встроенного банка" in text
    assert "Принять для всех</button>" not in text


def test_links_from_the_quiz_pages_and_the_bank(client, student, owner, quiz, question):
    take(student, quiz, {SLUG: "Прореживание"})
    client.force_login(owner)
    target = reverse("rejected-quiz", args=[quiz.pk])
    analysis = client.get(reverse("analysis-quiz", args=[quiz.pk])).content.decode()
    assert f'href="{target}#q-{question.pk}"' in analysis  # the short text question's own link
    assert analysis.count(f'href="{target}#q-') == 1  # and no other question's
    assert target in client.get(reverse("gradebook-quiz", args=[quiz.pk])).content.decode()
    bank = client.get(reverse("banks:detail", args=[question.bank_id])).content.decode()
    assert reverse("banks:rejected", args=[question.bank_id, question.pk]) in bank


def test_a_question_that_is_not_short_text_has_no_page(client, owner, quiz):
    client.force_login(owner)
    other = Question.objects.get(slug="lstm-gates")
    response = client.get(reverse("banks:rejected", args=[other.bank_id, other.pk]))
    assert response.status_code == 404


# --- PostgreSQL: the race of a double click -------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_click_publishes_one_version(student, quiz, owner, question, own_bank):
    take(student, quiz, {SLUG: "Прореживание"})
    count = question.versions.count()

    def accept():
        rejected.text_answer_accept(question=question, text="Прореживание", by=owner, quiz=quiz)

    errors = in_threads([accept] * 3)
    assert sorted(e.code for e in errors) == ["answer_already_accepted"] * 2
    assert question.versions.count() == count + 1
    assert RegradeRun.objects.filter(question=question).count() == 1
    assert _short_answer(quiz.attempts.get()).score == 1.0
