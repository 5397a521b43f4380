"""Attempts and responses.

An attempt fixes, for every item, the question version and a seed; a response stores the raw
answer first (status ``pending``) and is graded afterwards, in a worker, from that version and seed.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from question_bank.models import QuestionVersion
from quizapp.models.quizzes import Quiz, QuizItem, policy_constraints


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("идёт")
        FINISHED = "finished", _("завершена")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        # PROTECT: a student's work outlives their account; accounts are closed (anonymised) by
        # quizapp.accounts.services.account_close, never deleted with their attempts.
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    number = models.PositiveIntegerField(_("номер попытки"), default=1)
    started_at = models.DateTimeField(_("начата"), auto_now_add=True)
    # When answers stop being accepted: the time limit or the quiz's close date, whichever is first.
    deadline = models.DateTimeField(_("срок"), null=True, blank=True)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)
    score = models.DecimalField(_("баллы"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("максимум"), max_digits=8, decimal_places=2, default=0)
    # Items whose newest answer the grader could not read (``invalid``), counted with the score
    # by ``attempts.services.attempt_rescore``: the gradebook flags the attempts that wait for an
    # instructor's decision without reading every answer.
    unreadable_count = models.PositiveIntegerField(_("нераспознанных ответов"), default=0)
    # Items whose newest answer is an essay waiting for the instructor (``manual``), counted by
    # the same rescore: the score is provisional until the last one is graded by hand.
    manual_count = models.PositiveIntegerField(_("ждут проверки преподавателем"), default=0)
    # The quiz's answer policy in force when the attempt started, copied by attempt_start: the
    # score and every regrade apply this one, so an instructor who changes the quiz's penalty
    # later does not change what old attempts earned.
    answer_policy = models.CharField(
        _("ответы на вопрос"),
        max_length=10,
        choices=Quiz.AnswerPolicy.choices,
        default=Quiz.AnswerPolicy.LAST,
    )
    max_tries = models.PositiveSmallIntegerField(_("попыток на вопрос"), null=True, blank=True)
    penalty = models.DecimalField(_("штраф за попытку"), max_digits=4, decimal_places=3, default=0)
    # Finished while the quiz shows its results «after the close date» and this student's close
    # date (an extension moves it) had not come: the LMS's copy of the score and the mistakes
    # notebook wait too, until ``attempts.visibility.results_release`` lets them go.
    results_held = models.BooleanField(_("результаты до закрытия скрыты"), default=False)

    class Meta:
        verbose_name = _("попытка")
        verbose_name_plural = _("попытки")
        ordering = ["-started_at"]
        constraints = policy_constraints("attempt")

    def __str__(self):
        return f"{self.quiz} — {self.user}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("attempt", kwargs={"attempt_uuid": self.uuid})

    @property
    def awaits_review(self) -> bool:
        """Finished with answers the instructor still has to settle: unreadable ones the quiz
        leaves to its instructor (an override settles them) or essays not graded yet (the
        manual-grading queue settles them). The computed score is provisional meanwhile."""
        return self.awaits_manual or (
            self.status == self.Status.FINISHED
            and self.unreadable_count > 0
            and self.quiz.unreadable_policy == Quiz.Unreadable.REVIEW
        )

    @property
    def penalty_percent(self) -> str:
        """The penalty per extra try in force, in percent for people: «10», «12,5»."""
        return Quiz.penalty_percent.fget(self)

    @property
    def submits_answers(self) -> bool:
        """Whether the page's «Ответить»/«Проверить» sends an answer for grading at once (not
        only saves a draft): the quiz shows verdicts during the attempt, or the attempt's policy
        makes each submit a try (``tries``) or the final answer (``once``)."""
        return (
            self.answer_policy != Quiz.AnswerPolicy.LAST
            or self.quiz.show_verdicts == Quiz.Verdicts.DURING
        )

    @property
    def awaits_manual(self) -> bool:
        """Finished with essays that wait for the instructor's grade."""
        return self.status == self.Status.FINISHED and self.manual_count > 0


def item_seed(attempt_uuid, position: int) -> int:
    """Deterministic seed of an item: the same attempt and position always give the same variant."""
    digest = hashlib.sha256(f"{attempt_uuid}:{position}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # fits a signed 64-bit column


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    quiz_item = models.ForeignKey(QuizItem, on_delete=models.SET_NULL, null=True, blank=True)
    version = models.ForeignKey(
        QuestionVersion, on_delete=models.PROTECT, related_name="attempt_items"
    )
    position = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    points = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    # The answer as typed, autosaved; becomes a response when submitted or when the attempt ends.
    # ``draft_rev`` is the client's counter: a late, older autosave never overwrites a newer one.
    draft = models.TextField(_("черновик ответа"), blank=True)
    draft_rev = models.BigIntegerField(default=0)
    draft_saved_at = models.DateTimeField(_("черновик сохранён"), null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="attemptitem_unique_position"
            )
        ]

    def __str__(self):
        return f"{self.attempt_id}: {self.position}"


class Response(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("проверяется")
        GRADED = "graded", _("проверен")
        INVALID = "invalid", _("не распознан")
        FAILED = "failed", _("ошибка проверки")
        MANUAL = "manual", _("ждёт проверки преподавателем")

    item = models.ForeignKey(AttemptItem, on_delete=models.CASCADE, related_name="responses")
    raw = models.TextField(_("ответ"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    score = models.FloatField(_("доля верного"), null=True, blank=True)
    result = models.JSONField(_("результат проверки"), default=dict, blank=True)
    created_at = models.DateTimeField(_("отправлен"), auto_now_add=True)
    graded_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    # The page's (or the API client's) token of one submit: a double click or a retried POST
    # carries the same token and gets this response back instead of a second graded one.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    # Which try of the item this answer is, fixed when it is submitted: one more than the earlier
    # answers that counted then (unreadable and failed ones do not). A regrade never renumbers,
    # so it can never add a penalty the student did not have (``attempts.policies``).
    try_number = models.PositiveSmallIntegerField(_("номер попытки ответа"), null=True, blank=True)

    class Meta:
        verbose_name = _("ответ")
        verbose_name_plural = _("ответы")
        ordering = ["item", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "client_token"],
                condition=models.Q(client_token__isnull=False),
                name="response_unique_client_token",
            )
        ]
        indexes = [
            models.Index(fields=["status"], name="response_status_idx"),
            # The grading queue: the oldest waiting answers, found without scanning graded ones.
            models.Index(
                fields=["id"], condition=models.Q(status="pending"), name="response_pending_idx"
            ),
        ]

    def __str__(self):
        return f"{self.raw[:40]} ({self.get_status_display()})"


# --- Flashcards -------------------------------------------------------------------------------
# A student studies whole banks or single topics; a card's spaced-repetition state is created
# lazily, the first time the student acts on the card, and follows the FSRS scheduler.
