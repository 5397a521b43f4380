"""Reports of errors in questions: a student says a variant they were shown is wrong; the bank's
owner answers, fixes the bank if needed, and the student is told the outcome.

A report pins the variant exactly (question version and seed), so the owner sees the very numbers
the student saw, and carries the student's answer as it was when they wrote.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from question_bank.models import Question, QuestionVersion
from quizapp.models.attempts import AttemptItem
from quizapp.models.practice import PracticeAnswer

MESSAGE_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 2000


class QuestionReport(models.Model):
    class Source(models.TextChoices):
        QUIZ = "quiz", _("тест")
        PRACTICE = "practice", _("тренировка")
        FLASHCARD = "flashcard", _("карточки")

    class Status(models.TextChoices):
        OPEN = "open", _("открыто")
        RESOLVED = "resolved", _("разобрано")

    class Outcome(models.TextChoices):
        KEY_FIXED = "key_fixed", _("ключ был неверен — исправлено, ответы перепроверены")
        QUESTION_FIXED = "question_fixed", _("вопрос исправлен")
        NO_ERROR = "no_error", _("ошибки нет")

    # ``user`` (not ``reporter``): the dashboard's invalidation bumps ``instance.user_id``'s token
    # on every save (quizapp/dashboard/invalidation.py), and a resolved report shows there.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="question_reports",
        verbose_name=_("автор сообщения"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="reports", verbose_name=_("вопрос")
    )
    # CASCADE, like ``question``: a bank nobody studied may be deleted (quizapp.banks.services.
    # bank_delete), and the reports of its questions go with it; student work keeps a bank alive
    # through its own PROTECT keys.
    version = models.ForeignKey(
        QuestionVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("версия")
    )
    seed = models.BigIntegerField(_("seed варианта"))
    source = models.CharField(_("где"), max_length=20, choices=Source.choices)
    attempt_item = models.ForeignKey(
        AttemptItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    practice_answer = models.ForeignKey(
        PracticeAnswer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(
        _("ответ студента"),
        blank=True,
        validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)],
    )
    message = models.TextField(_("сообщение"), validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)])
    status = models.CharField(
        _("состояние"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("итог"), max_length=20, choices=Outcome.choices, blank=True)
    reply = models.TextField(
        _("ответ автора банка"), blank=True, validators=[MaxLengthValidator(REPLY_MAX_LENGTH)]
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("разобрал"),
    )
    resolved_at = models.DateTimeField(_("разобрано"), null=True, blank=True)
    created_at = models.DateTimeField(_("отправлено"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)
    # The student has seen the outcome (their list of reports marks it): until then the
    # dashboard tells them an answer has come.
    outcome_seen = models.BooleanField(_("итог прочитан"), default=False)

    class Meta:
        verbose_name = _("сообщение об ошибке в вопросе")
        verbose_name_plural = _("сообщения об ошибках в вопросах")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open report per variant and student: a second submit updates the message.
            models.UniqueConstraint(
                fields=["user", "question", "seed"],
                condition=models.Q(status="open"),
                name="questionreport_one_open_per_variant",
            )
        ]
        indexes = [
            # The owner's queue: the open reports, per question.
            models.Index(fields=["status", "question"], name="questionreport_queue_idx"),
            models.Index(fields=["user", "-created_at"], name="questionreport_user_idx"),
        ]

    def __str__(self):
        return f"{self.question} — {self.user}: {self.message[:40]}"
