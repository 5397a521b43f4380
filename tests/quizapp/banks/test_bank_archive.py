"""A bank students worked with is archived, never deleted; an unused bank can be deleted.

Counted before and after (attempts, responses, practice, flashcard states and reviews, versions).
Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from rest_framework.test import APIClient

from question_bank.models import Bank, Question
from quizapp.models import Quiz, QuizItem
from tests.quizapp.studentwork import build_student_work, counts, import_bank

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def work(student, owner):
    return build_student_work(student=student, owner=owner)


def _api(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def test_a_used_bank_is_not_deleted_from_the_page(client, owner, work):
    before = counts()
    client.force_login(owner)
    page = client.post(reverse("banks:delete", args=[work.bank.pk]), follow=True)
    text = page.content.decode()
    assert "Банк используется в 1 попытке, 1 карточке и 1 ответе тренировки" in text
    assert "его можно только отправить в архив" in text
    assert Bank.objects.filter(pk=work.bank.pk).exists() and counts() == before


def test_the_message_names_attempts_and_cards(owner, student, work):
    from quizapp.banks.services import bank_delete
    from quizapp.core.errors import ServiceError
    from quizapp.models import PracticeAnswer

    PracticeAnswer.objects.all().delete()  # only attempts and flashcards left
    with pytest.raises(ServiceError) as refused:
        bank_delete(bank=work.bank)
    assert refused.value.code == "bank_in_use"
    assert refused.value.message == (
        "Банк используется в 1 попытке и 1 карточке: его можно только отправить в архив"
    )


def test_a_used_bank_is_not_deleted_through_the_api(owner, work):
    before = counts()
    answer = _api(owner).delete(f"/api/v1/banks/{work.bank.pk}/")
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "bank_in_use"
    assert "только отправить в архив" in error["message"] and error["message_en"]
    assert Bank.objects.filter(pk=work.bank.pk).exists() and counts() == before


def test_a_hard_delete_of_a_bank_with_flashcards_only_is_protected(student, owner):
    """The FSRS history of a bank used only for flashcards is protected by the database layer."""
    from quizapp.flashcards import services as flashcards

    bank, _versions = import_bank(owner=owner, slug="cards-only")
    flashcards.deck_add(user=student, bank=bank)
    card = Question.objects.filter(bank=bank, kind="flashcard").first()
    flashcards.flashcard_state_ensure(user=student, question=card)
    before = counts()
    with pytest.raises(ProtectedError):
        Bank.objects.filter(pk=bank.pk).delete()
    assert counts() == before


def test_archive_hides_the_bank_and_keeps_history(client, owner, student, work):
    before = counts()
    client.force_login(owner)
    client.post(reverse("banks:archive", args=[work.bank.pk]), {"archived": "1"})
    work.bank.refresh_from_db()
    assert work.bank.is_archived and counts() == before
    title = work.bank.title

    # Gone from the student's practice and flashcard decks and from new quizzes' pickers.
    client.force_login(student)
    assert title not in client.get(reverse("practice")).content.decode()
    assert title not in client.get(reverse("flashcard-decks")).content.decode()
    listed = _api(student).get("/api/v1/banks/").json()["results"]
    assert work.bank.pk not in [b["id"] for b in listed]
    client.force_login(owner)
    spare = Quiz.objects.create(slug="spare", title="Новый", owner=owner)
    builder = client.get(reverse("teach-quiz-edit", args=[spare.pk]), {"q": "LSTM"})
    assert title not in builder.content.decode()
    question = Question.objects.filter(bank=work.bank).first()
    added = client.post(
        reverse("teach-item-add-question", args=[spare.pk]), {"question": question.pk}
    )
    assert added.status_code == 404 and not QuizItem.objects.filter(quiz=spare).exists()

    # Still readable by its owner (with the badge), and every history page still works.
    page = client.get(reverse("banks:detail", args=[work.bank.pk])).content.decode()
    assert "в архиве" in page and "Вернуть из архива" in page
    assert client.get(reverse("gradebook-attempt", args=[work.attempt.uuid])).status_code == 200
    client.force_login(student)
    result = client.get(reverse("attempt", args=[work.attempt.uuid]))
    assert result.status_code == 200 and "Вентили LSTM" in result.content.decode()
    assert client.get(reverse("home")).status_code == 200

    # Back from the archive through the API.
    back = _api(owner).patch(
        f"/api/v1/banks/{work.bank.pk}/", {"is_archived": False}, format="json"
    )
    assert back.status_code == 200 and back.json()["is_archived"] is False
    client.force_login(student)
    assert title in client.get(reverse("practice")).content.decode()
    assert counts() == before


def test_only_the_owner_archives(other_instructor, work):
    answer = _api(other_instructor).patch(
        f"/api/v1/banks/{work.bank.pk}/", {"is_archived": True}, format="json"
    )
    assert answer.status_code == 404  # somebody else's bank is not even seen
    work.bank.refresh_from_db()
    assert not work.bank.is_archived


def test_an_unused_bank_is_deleted_from_the_page(client, owner):
    bank, _versions = import_bank(owner=owner, slug="unused")
    client.force_login(owner)
    page = client.post(reverse("banks:delete", args=[bank.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("banks:list")
    assert not Bank.objects.filter(pk=bank.pk).exists()


def test_an_unused_bank_is_deleted_through_the_api(owner):
    bank, _versions = import_bank(owner=owner, slug="unused-api")
    assert _api(owner).delete(f"/api/v1/banks/{bank.pk}/").status_code == 204
    assert not Bank.objects.filter(pk=bank.pk).exists()


def test_a_bank_in_a_quiz_without_attempts_is_refused_with_its_own_message(owner):
    bank, versions = import_bank(owner=owner, slug="in-quiz")
    quiz = Quiz.objects.create(slug="uses-it", title="Тест", owner=owner)
    QuizItem.objects.create(quiz=quiz, position=1, question=versions[0].question)
    answer = _api(owner).delete(f"/api/v1/banks/{bank.pk}/")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "bank_in_quizzes"
    assert Bank.objects.filter(pk=bank.pk).exists()
