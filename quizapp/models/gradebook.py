"""Instructor records: manual score overrides (an audit log) and regrades after a bank fix.

How an override is used: ``Attempt.score`` always stays the score computed from the responses
(``attempts.services.attempt_rescore``), so a late grading or a regrade keeps it right. The score
shown and exported is the newest override's ``new_score`` when there is one, else ``Attempt.score``;
an override whose ``new_score`` is empty returns the attempt to its computed score. Overrides are
only ever added, never edited or deleted by the services: the rows are the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoreOverride(models.Model):
    attempt = models.ForeignKey(
        "quizapp.Attempt", on_delete=models.CASCADE, related_name="score_overrides"
    )
    # The score shown before this override (computed or the previous override), for the log.
    old_score = models.DecimalField(
        _("было"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    # Empty: back to the computed score.
    new_score = models.DecimalField(
        _("стало"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("причина"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто изменил"),
    )
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("ручная оценка")
        verbose_name_plural = _("ручные оценки")
        ordering = ["attempt", "-id"]

    def __str__(self):
        return f"{self.attempt_id}: {self.old_score} → {self.new_score}"


class RegradeRun(models.Model):
    """Move the attempt items of one question (in one quiz, or everywhere) to another version."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("идёт")
        DONE = "done", _("завершена")
        FAILED = "failed", _("сбой")

    question = models.ForeignKey(
        "question_bank.Question", on_delete=models.PROTECT, related_name="regrade_runs"
    )
    # Empty: every quiz that used the question.
    quiz = models.ForeignKey(
        "quizapp.Quiz", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Empty: every version other than ``to_version``.
    from_version = models.ForeignKey(
        "question_bank.QuestionVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_version = models.ForeignKey(
        "question_bank.QuestionVersion", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("запущена"), auto_now_add=True)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        verbose_name = _("перепроверка")
        verbose_name_plural = _("перепроверки")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.question} → v{self.to_version.number}"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ResponseRegrade(models.Model):
    """One response before and after a regrade; the response row itself holds the new grading."""

    run = models.ForeignKey(RegradeRun, on_delete=models.CASCADE, related_name="responses")
    response = models.ForeignKey(
        "quizapp.Response", on_delete=models.CASCADE, related_name="regrades"
    )
    old_version = models.ForeignKey(
        "question_bank.QuestionVersion", on_delete=models.PROTECT, related_name="+"
    )
    new_version = models.ForeignKey(
        "question_bank.QuestionVersion", on_delete=models.PROTECT, related_name="+"
    )
    old_status = models.CharField(max_length=20)
    old_score = models.FloatField(null=True, blank=True)
    old_result = models.JSONField(default=dict, blank=True)
    new_status = models.CharField(max_length=20)
    new_score = models.FloatField(null=True, blank=True)
    new_result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("перепроверенный ответ")
        verbose_name_plural = _("перепроверенные ответы")
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "response"], name="responseregrade_unique")
        ]

    def __str__(self):
        return f"{self.response_id}: {self.old_score} → {self.new_score}"


class ManualGrade(models.Model):
    """The instructor's grade of one essay answer (gradebook.manual).

    One row per response: saving again changes it (the newest word counts), a regrade never
    touches it — ``attempts.grading`` only claims ``pending`` answers, and a regrade to a new
    version keeps the response's grade as long as this row exists (gradebook.regrade).
    """

    response = models.OneToOneField(
        "quizapp.Response", on_delete=models.CASCADE, related_name="manual_grade"
    )
    # The share of the item's points, 0…1 (the page asks for points and divides).
    score = models.FloatField(_("доля баллов"))
    # The instructor's own remark; the applied criteria's texts are in ``criteria``.
    comment = models.TextField(_("комментарий"), blank=True)
    # The rubric criteria ticked for this answer, as they were when it was graded:
    # ``[{"id": 3, "text": "Нет вывода", "points": "-1.00"}, …]``. A snapshot, not a foreign
    # key: editing or removing a criterion later never changes a grade already given.
    criteria = models.JSONField(_("применённые критерии"), default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто оценил"),
    )
    graded_at = models.DateTimeField(_("когда"), auto_now=True)

    class Meta:
        verbose_name = _("оценка эссе")
        verbose_name_plural = _("оценки эссе")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=1), name="manualgrade_score_0_1"
            )
        ]

    def __str__(self):
        return f"{self.response_id}: {self.score}"


class RubricCriterion(models.Model):
    """One reusable criterion of an essay question's rubric (gradebook.manual): points to add
    (or, when negative, to take off) and the comment the student reads.

    Kept on the bank's question, not on a quiz, so every quiz that uses the question grades
    with the same list. A grade copies what it applied (``ManualGrade.criteria``).
    """

    question = models.ForeignKey(
        "question_bank.Question", on_delete=models.CASCADE, related_name="rubric_criteria"
    )
    position = models.PositiveIntegerField(_("порядок"), default=0)
    points = models.DecimalField(_("баллы"), max_digits=6, decimal_places=2)
    text = models.CharField(_("комментарий"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("автор"),
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("критерий оценки")
        verbose_name_plural = _("критерии оценки")
        ordering = ["question", "position", "id"]

    def __str__(self):
        return f"{self.points:+} {self.text}"
