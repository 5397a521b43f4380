"""Accommodations («особые условия»): extra time, a later close date and extra attempts granted
to one student or a group of students of a course, for one of its quizzes or for all of them.

A student's terms for a quiz (:func:`quizapp.courses.accommodations.quiz_terms`) combine the
quiz's own rules, the course's override of its dates (:class:`~quizapp.models.CourseQuiz`) and
every accommodation that names the student; where several apply, each is the most generous.
The attempt keeps the deadline computed from them; granting or withdrawing one recomputes the
deadlines of the attempts still in progress.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TIME_FACTOR = Decimal("5")
MAX_EXTRA_MINUTES = 24 * 60
MAX_EXTRA_ATTEMPTS = 50


class Accommodation(models.Model):
    course = models.ForeignKey(
        "quizapp.Course", on_delete=models.CASCADE, related_name="accommodations"
    )
    # Empty: every quiz of the course (a student with a medical certificate gets the same extra
    # time everywhere); else one quiz assigned to the course.
    quiz = models.ForeignKey(
        "quizapp.Quiz",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accommodations",
        verbose_name=_("тест"),
    )
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="accommodations", verbose_name=_("студенты")
    )
    label = models.CharField(
        _("название"),
        max_length=100,
        help_text=_("Например: «ОВЗ, +50 % времени» или «Болел, пересдача до 20.12»."),
    )
    time_factor = models.DecimalField(
        _("множитель времени"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(MAX_TIME_FACTOR)],
        help_text=_("1 — без изменений, 1,5 — на 50 % больше времени."),
    )
    extra_minutes = models.PositiveIntegerField(
        _("дополнительные минуты"),
        default=0,
        validators=[MaxValueValidator(MAX_EXTRA_MINUTES)],
    )
    closes_at = models.DateTimeField(
        _("сдать до (продление)"),
        null=True,
        blank=True,
        help_text=_("Позже даты закрытия теста; пусто — как у всех."),
    )
    extra_attempts = models.PositiveIntegerField(
        _("дополнительные попытки"),
        default=0,
        validators=[MaxValueValidator(MAX_EXTRA_ATTEMPTS)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("назначил"),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("особые условия")
        verbose_name_plural = _("особые условия")
        ordering = ["course", "label", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_factor__gte=1) & models.Q(time_factor__lte=MAX_TIME_FACTOR),
                name="accommodation_time_factor_range",
            )
        ]

    def __str__(self):
        return f"{self.course}: {self.label}"
