"""The Django admin: every model of the two apps is registered, and every page of it renders."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from quizapp.attempts import services
from quizapp.courses import services as courses
from quizapp.models import (
    Attempt,
    Course,
    CourseQuiz,
    FlashcardReview,
    FlashcardState,
    PracticeAnswer,
    RegradeRun,
    Response,
    ResponseRegrade,
    ScoreOverride,
    StudyDeck,
    StudyProfile,
)

pytestmark = pytest.mark.django_db

APPS = ("quizapp", "question_bank")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def one_of_everything(demo_quiz, admin_user, student):
    """At least one row of each model, so that every change page has something to show."""
    from django.utils import timezone

    from question_bank.models import Question

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.first()
    response = Response.objects.create(item=item, raw="42")
    ScoreOverride.objects.create(attempt=attempt, new_score=1, reason="апелляция", by=admin_user)
    run = RegradeRun.objects.create(
        question=item.version.question, to_version=item.version, created_by=admin_user
    )
    ResponseRegrade.objects.create(
        run=run,
        response=response,
        old_version=item.version,
        new_version=item.version,
        old_status="graded",
        new_status="graded",
    )
    question = Question.objects.filter(kind="flashcard").first() or Question.objects.first()
    StudyProfile.objects.create(user=student)
    StudyDeck.objects.create(user=student, bank=question.bank)
    card = FlashcardState.objects.create(user=student, question=question, due=timezone.now())
    FlashcardReview.objects.create(
        user=student,
        card=card,
        rating=FlashcardReview.Rating.GOOD,
        reviewed_at=timezone.now(),
        previous_state={},
    )
    PracticeAnswer.objects.create(user=student, version=item.version, seed=1, raw="1")
    course = courses.course_create(owner=admin_user, title="Курс", code="course")
    courses.course_join(user=student, code=course.join_code)
    courses.course_quiz_assign(course=course, quiz=demo_quiz, by=admin_user)


def _registered():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in APPS
    ]


def test_every_model_is_registered():
    missing = [
        model.__name__
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


def test_every_admin_page_renders(admin_client, one_of_everything):
    shown = set()
    for model, _model_admin in _registered():
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{base}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        # A search exercises search_fields; a bad lookup there is a 500 only when used.
        assert admin_client.get(changelist, {"q": "а"}).status_code == 200, changelist
        add = admin_client.get(reverse(f"{base}_add"))
        assert add.status_code in (200, 403), f"{base}_add"  # 403: rows made by services only
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            change = reverse(f"{base}_change", args=[obj.pk])
            assert admin_client.get(change).status_code == 200, change
            shown.add(model)
    assert {
        Attempt,
        Response,
        FlashcardReview,
        PracticeAnswer,
        Course,
        CourseQuiz,
        ScoreOverride,
        RegradeRun,
        ResponseRegrade,
    } <= shown


AUDIT_FIELDS = {
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
    "graded_at",
    "validated_at",
    "published_at",
    "spec_hash",
    "joined_at",
    "added_at",
    "added_by",
}


def test_audit_fields_are_shown_read_only():
    for model, model_admin in _registered():
        fields = {f.name for f in model._meta.get_fields()}
        readonly = set(model_admin.get_readonly_fields(request=None))
        missing = (AUDIT_FIELDS & fields) - readonly
        assert not missing, f"{model.__name__}: {sorted(missing)}"


def test_regenerate_action_changes_codes(admin_client, admin_user):
    course = courses.course_create(owner=admin_user, title="Курс", code="course")
    old = course.join_code
    url = reverse("admin:quizapp_course_changelist")
    response = admin_client.post(
        url, {"action": "regenerate_join_codes", "_selected_action": [course.pk]}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.join_code != old


def test_instructors_do_not_get_the_admin(client, django_user_model):
    from django.contrib.auth.models import Group

    teacher = django_user_model.objects.create_user("teacher", password="pw-teacher-1")
    teacher.groups.add(Group.objects.get(name="instructor"))
    client.force_login(teacher)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
