"""Answers given in free practice (no quiz, no attempt): they feed the mastery of a topic."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from question_bank.models import QuestionVersion
from quizapp.models.attempts import Response


class PracticeAnswer(models.Model):
    """An answer given in free practice: saved first, graded by a worker like quiz responses."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practice_answers"
    )
    topic = models.ForeignKey(
        "question_bank.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    seed = models.BigIntegerField()
    raw = models.TextField(_("ответ"))
    status = models.CharField(
        max_length=20, choices=Response.Status.choices, default=Response.Status.PENDING
    )
    score = models.FloatField(_("доля верного"), null=True, blank=True)
    result = models.JSONField(_("результат проверки"), default=dict, blank=True)
    created_at = models.DateTimeField(_("отправлен"), auto_now_add=True)
    graded_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    # One submit's token (see Response.client_token): a repeated POST stores nothing new.
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ответ в тренировке")
        verbose_name_plural = _("ответы в тренировке")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_token"],
                condition=models.Q(client_token__isnull=False),
                name="practiceanswer_unique_client_token",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="practice_user_recent_idx"),
            models.Index(
                fields=["id"], condition=models.Q(status="pending"), name="practice_pending_idx"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.raw[:40]}"


class QuestionDifficulty(models.Model):
    """A question's difficulty fitted from every student's answers (practice.knowledge, Rasch):
    0 is average, +1 means a student of average ability solves it with probability σ(−1) ≈ 27 %."""

    question = models.OneToOneField(
        "question_bank.Question", on_delete=models.CASCADE, related_name="difficulty"
    )
    difficulty = models.FloatField(_("сложность"))
    answers = models.PositiveIntegerField(_("ответов"))
    fitted_at = models.DateTimeField(_("подобрана"))

    class Meta:
        verbose_name = _("сложность вопроса")
        verbose_name_plural = _("сложность вопросов")

    def __str__(self):
        return f"{self.question}: {self.difficulty:+.2f}"
