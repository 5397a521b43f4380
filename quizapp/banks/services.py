"""Writes on whole banks: archive, restore, delete.

A bank students have worked with (attempts, practice answers, flashcard states) is never deleted:
its versions are what every result page, gradebook and review history shows. It can only be
archived, which takes it out of the lists for study, practice, flashcard decks and new quizzes.
A bank nobody used can still be deleted.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext, ngettext

from question_bank.models import Bank
from quizapp.banks.selectors import BankUsage, bank_usage
from quizapp.core.errors import ErrorCode, ServiceError


@transaction.atomic
def bank_archive(*, bank: Bank, archived: bool = True) -> Bank:
    bank = Bank.objects.select_for_update().get(pk=bank.pk)
    if bank.is_archived != archived:
        bank.is_archived = archived
        bank.save(update_fields=["is_archived", "updated_at"])
    return bank


def bank_in_use_message(usage: BankUsage) -> str:
    attempts = ngettext("%(n)d попытке", "%(n)d попытках", usage.attempts) % {"n": usage.attempts}
    cards = ngettext("%(n)d карточке", "%(n)d карточках", usage.cards) % {"n": usage.cards}
    if usage.practice:
        practice = ngettext(
            "%(n)d ответе тренировки", "%(n)d ответах тренировки", usage.practice
        ) % {"n": usage.practice}
        return gettext(
            "Банк используется в %(attempts)s, %(cards)s и %(practice)s: "
            "его можно только отправить в архив"
        ) % {"attempts": attempts, "cards": cards, "practice": practice}
    return gettext(
        "Банк используется в %(attempts)s и %(cards)s: его можно только отправить в архив"
    ) % {"attempts": attempts, "cards": cards}


@transaction.atomic
def bank_delete(*, bank: Bank) -> None:
    """Delete a bank nobody used; refuse (409) one with students' work or in a quiz.

    Race: an attempt or a flashcard created between the count and the delete; the bank row is
    locked, and PROTECT foreign keys (versions → attempt items, practice; questions → flashcard
    states) refuse whatever slipped through, so student work is never cascaded away.
    """
    bank = Bank.objects.select_for_update().get(pk=bank.pk)
    usage = bank_usage(bank=bank)
    if usage.has_student_work:
        raise ServiceError(bank_in_use_message(usage), code=ErrorCode.BANK_IN_USE)
    if usage.quizzes:
        raise ServiceError(code=ErrorCode.BANK_IN_QUIZZES)
    try:
        with transaction.atomic():
            bank.delete()
    except ProtectedError as exc:
        raise ServiceError(code=ErrorCode.BANK_IN_USE) from exc
