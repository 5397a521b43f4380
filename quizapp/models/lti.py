"""What the LTI integration adds to django-lti's own models (``lti_tool``).

django-lti keeps the platform side: registrations (issuer + client id), deployments, keys, the
platform's users (``LtiUser``: registration + ``sub`` → ``auth_user``), contexts, resource links
and line items. Here live the links into this app: which quiz a resource link opens, which course
an LMS context is, and the log of every score sent back to the platform.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LtiQuizLink(models.Model):
    """A resource link placed in an LMS course, and the quiz it opens."""

    resource_link = models.OneToOneField(
        "lti_tool.LtiResourceLink",
        on_delete=models.CASCADE,
        related_name="quiz_link",
        verbose_name=_("ссылка в LMS"),
    )
    quiz = models.ForeignKey(
        "quizapp.Quiz", on_delete=models.CASCADE, related_name="lti_links", verbose_name=_("тест")
    )
    # The platform's gradebook column (AGS); none when the platform offers no grade service.
    line_item = models.ForeignKey(
        "lti_tool.LtiLineItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quiz_links",
        verbose_name=_("столбец оценок"),
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("LTI: ссылка на тест")
        verbose_name_plural = _("LTI: ссылки на тесты")
        ordering = ["id"]

    def __str__(self):
        return f"{self.resource_link} → {self.quiz}"


class LtiCourseLink(models.Model):
    """An LMS context (a Moodle/Canvas course) and the local course its learners are enrolled in."""

    context = models.OneToOneField(
        "lti_tool.LtiContext",
        on_delete=models.CASCADE,
        related_name="course_link",
        verbose_name=_("курс в LMS"),
    )
    course = models.ForeignKey(
        "quizapp.Course", on_delete=models.CASCADE, related_name="lti_links", verbose_name=_("курс")
    )
    roster_synced_at = models.DateTimeField(_("список синхронизирован"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("LTI: курс")
        verbose_name_plural = _("LTI: курсы")
        ordering = ["id"]

    def __str__(self):
        return f"{self.context} → {self.course}"


class LtiScorePassback(models.Model):
    """One attempt's score for one line item: what was asked to be sent, what was sent, and how."""

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает отправки")
        SENT = "sent", _("отправлена")
        FAILED = "failed", _("не удалось отправить")

    attempt = models.ForeignKey(
        "quizapp.Attempt",
        on_delete=models.CASCADE,
        related_name="lti_passbacks",
        verbose_name=_("попытка"),
    )
    line_item = models.ForeignKey(
        "lti_tool.LtiLineItem",
        on_delete=models.CASCADE,
        related_name="score_passbacks",
        verbose_name=_("столбец оценок"),
    )
    lti_user = models.ForeignKey(
        "lti_tool.LtiUser",
        on_delete=models.CASCADE,
        related_name="score_passbacks",
        verbose_name=_("пользователь LMS"),
    )
    status = models.CharField(
        _("состояние"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    score_given = models.DecimalField(_("баллы"), max_digits=8, decimal_places=2)
    # AGS gradingProgress: «PendingManual» while essays of the attempt wait for the instructor
    # (the score so far is provisional), «FullyGraded» once they are graded.
    grading_progress = models.CharField(
        _("проверка"), max_length=20, default="FullyGraded", editable=False
    )
    score_maximum = models.DecimalField(_("максимум"), max_digits=8, decimal_places=2)
    # What the platform last accepted: a redelivered task or a second "graded" signal with the
    # same score sends nothing.
    sent_score = models.DecimalField(
        _("отправлено баллов"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    tries = models.PositiveIntegerField(_("попыток отправки"), default=0)
    last_status_code = models.PositiveIntegerField(_("ответ LMS"), null=True, blank=True)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    last_tried_at = models.DateTimeField(_("последняя отправка"), null=True, blank=True)
    sent_at = models.DateTimeField(_("принята LMS"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("LTI: отправка оценки")
        verbose_name_plural = _("LTI: отправки оценок")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "line_item"], name="lti_passback_unique_attempt_line_item"
            )
        ]

    def __str__(self):
        return f"{self.attempt} → {self.line_item}: {self.get_status_display()}"
