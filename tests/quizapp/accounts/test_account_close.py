"""Deleting a user closes the account: deactivated and anonymised, every piece of work kept.

Counted before and after (users, attempts, responses, practice, flashcard states and reviews,
enrolments); a hard delete of a user with work is refused by the database layer (PROTECT).
Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.http import HttpRequest
from django.urls import reverse

from quizapp.accounts.services import account_close
from quizapp.api.keys import api_key_create
from quizapp.models import Attempt, FlashcardReview, PracticeAnswer
from quizapp.models.api import ApiKey
from tests.quizapp.studentwork import build_student_work, counts

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def student(django_user_model):
    return django_user_model.objects.create_user(
        "ivanova",
        password="pw-ivanova-1",
        first_name="Анна",
        last_name="Иванова",
        email="anna@example.org",
    )


@pytest.fixture
def work(student, owner):
    return build_student_work(student=student, owner=owner)


def _assert_closed(user_id: int):
    user = User.objects.get(pk=user_id)
    assert user.username == f"deleted-{user_id}"
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not user.is_active and not user.has_usable_password()
    # The work is still theirs (the gradebook and statistics keep it).
    assert Attempt.objects.filter(user_id=user_id).count() == 1
    assert PracticeAnswer.objects.filter(user_id=user_id).count() == 1
    assert FlashcardReview.objects.filter(user_id=user_id).count() == 2
    assert user.enrollments.count() == 1


def test_the_service_anonymises_and_keeps_every_count(work, student, owner, client):
    client.force_login(student)
    before = counts()
    assert before["Attempt"] == 1 and before["Response"] == 2 and before["FlashcardReview"] == 2
    account_close(user=student, by=owner)
    assert counts() == before
    _assert_closed(student.pk)
    # The open session is dead and the old password no longer works.
    assert client.get(reverse("flashcards")).status_code == 302
    assert not client.login(request=HttpRequest(), username="ivanova", password="pw-ivanova-1")
    # Closing twice is harmless.
    account_close(user=student, by=owner)
    assert counts() == before
    _assert_closed(student.pk)


def test_the_gradebook_still_shows_the_closed_accounts_attempt(work, student, owner, client):
    account_close(user=student, by=owner)
    client.force_login(owner)
    page = client.get(reverse("gradebook-attempt", args=[work.attempt.uuid]))
    assert page.status_code == 200
    assert f"deleted-{student.pk}" in page.content.decode()


def test_the_admin_action_closes_instead_of_deleting(work, student, admin_client):
    before = counts()
    changelist = reverse("admin:auth_user_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "Удалить (обезличить)" in page and "delete_selected" not in page
    done = admin_client.post(
        changelist, {"action": "close_accounts", "_selected_action": [student.pk]}, follow=True
    )
    assert done.status_code == 200 and "попытки и ответы сохранены" in done.content.decode()
    assert counts() == before
    _assert_closed(student.pk)


def test_the_admin_delete_page_is_refused(work, student, admin_client):
    before = counts()
    page = admin_client.post(reverse("admin:auth_user_delete", args=[student.pk]), {"post": "yes"})
    assert page.status_code == 403
    assert counts() == before and User.objects.get(pk=student.pk).is_active


def test_a_hard_delete_of_a_user_with_work_is_protected(work, student):
    before = counts()
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=student.pk).delete()
    assert counts() == before


def test_a_user_without_work_can_still_be_deleted_by_code(django_user_model):
    user = django_user_model.objects.create_user("ghost")
    User.objects.filter(pk=user.pk).delete()
    assert not User.objects.filter(pk=user.pk).exists()


def test_closing_revokes_api_keys(owner, student):
    key, _secret = api_key_create(owner=owner, name="LMS", scopes=["read"])
    account_close(user=owner, by=None)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert not ApiKey.objects.filter(owner=owner, revoked_at__isnull=True).exists()


def test_a_taken_closed_name_stays_unique(django_user_model, student):
    django_user_model.objects.create_user(f"deleted-{student.pk}")
    account_close(user=student, by=None)
    student.refresh_from_db()
    assert student.username.startswith(f"deleted-{student.pk}-")


def test_unenrolling_through_the_api_keeps_the_work(work, student, owner):
    from rest_framework.test import APIClient

    before = counts()
    api = APIClient()
    api.force_login(owner)
    enrollment = work.course.enrollments.get(user=student)
    answer = api.delete(f"/api/v1/courses/{work.course.pk}/enrollments/{enrollment.pk}/")
    assert answer.status_code == 204
    after = counts()
    assert after.pop("Enrollment") == before.pop("Enrollment") - 1
    assert after == before  # attempts, answers, practice and reviews stay
