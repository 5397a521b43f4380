"""Courses: an instructor's group of students and the quizzes assigned to them.

A quiz is seen by its owner and admins; once published, by the members and owners of the courses
it is assigned to, or by everybody logged in when it is marked open (``quizzes_visible_to``).

Quizzes are assigned through :class:`CourseQuiz`, which may override the quiz's dates for the
course's students (two groups write the same test on different days). A student's dates, time
limit and attempts come from one function, :func:`quizapp.courses.accommodations.quiz_terms`,
which the attempt service, the pages, the API and the beat task all use.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quizapp.models.flashcards import retention_validators

# No 0/O, 1/I/L: a code read aloud in a lecture or copied from a slide survives.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(code: str) -> str:
    """What a student typed, as stored: case and spaces/dashes do not matter."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


class Course(models.Model):
    title = models.CharField(_("название"), max_length=200)
    code = models.SlugField(
        _("код курса"),
        max_length=50,
        unique=True,
        help_text=_("Латиницей, цифрами и дефисами, например dl-2026."),
    )
    description = models.TextField(_("описание"), blank=True)
    # PROTECT: an instructor's account cannot vanish with their students' course; an admin hands
    # the course to someone else first.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="courses_owned",
        verbose_name=_("преподаватель"),
    )
    join_code = models.CharField(
        _("код приглашения"), max_length=16, unique=True, default=new_join_code, editable=False
    )
    join_enabled = models.BooleanField(_("запись по коду открыта"), default=True)
    is_archived = models.BooleanField(
        _("в архиве"),
        default=False,
        help_text=_("Курс в архиве виден участникам, но запись и изменения закрыты."),
    )

    class DecimalMark(models.TextChoices):
        SITE = "", _("как на сайте")
        COMMA = ",", _("запятая: 0,5")
        POINT = ".", _("точка: 0.5")

    # How the course's students read numbers (texts, solutions, keys, gradebook, exports);
    # empty: the site's NZ_DECIMAL_MARK. Input accepts both marks either way.
    decimal_mark = models.CharField(
        _("десятичный разделитель"),
        max_length=1,
        choices=DecimalMark.choices,
        default=DecimalMark.SITE,
        blank=True,
        help_text=_(
            "Как студенты курса видят числа в условиях, решениях, ответах, журнале и CSV. "
            "Ответы принимаются с любым разделителем."
        ),
    )
    # Defaults for the flashcards of the course's students (each may set their own): the exam
    # day their reviews are planned toward and the share of cards they aim to recall.
    exam_date = models.DateField(
        _("дата экзамена"),
        null=True,
        blank=True,
        help_text=_("Повторения карточек студентов курса планируются так, чтобы успеть к ней."),
    )
    study_retention = models.FloatField(
        _("целевая доля вспоминаемых карточек"),
        null=True,
        blank=True,
        validators=retention_validators(),
        help_text=_("От 0,7 до 0,97; пусто — 0,9. Выше — чаще повторения."),
    )
    quizzes = models.ManyToManyField(
        "quizapp.Quiz",
        through="CourseQuiz",
        related_name="courses",
        blank=True,
        verbose_name=_("тесты"),
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("курс")
        verbose_name_plural = _("курсы")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("course", kwargs={"course_id": self.pk})

    def get_join_url(self):
        from django.urls import reverse

        return reverse("course-join-link", kwargs={"code": self.join_code})


class Enrollment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", _("студент")
        # Sees the roster, changes nothing; set by an admin (there is no page for it yet).
        ASSISTANT = "assistant", _("ассистент")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # kept for the gradebook when an account is closed
        related_name="enrollments",
        verbose_name=_("участник"),
    )
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices, default=Role.STUDENT)
    joined_at = models.DateTimeField(_("записан"), auto_now_add=True)
    # The learner's id in an LMS (LTI ``sub``, a Moodle user id) once the course is mapped to one.
    external_id = models.CharField(_("внешний идентификатор"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("участник курса")
        verbose_name_plural = _("участники курсов")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="enrollment_unique_user")
        ]

    def __str__(self):
        return f"{self.user} — {self.course}"


class CourseQuiz(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="course_quizzes")
    quiz = models.ForeignKey("quizapp.Quiz", on_delete=models.CASCADE, related_name="course_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("назначил"),
    )
    added_at = models.DateTimeField(_("назначен"), auto_now_add=True)
    # The course's own dates for the quiz; empty: the quiz's.
    opens_at = models.DateTimeField(_("открыт с (для курса)"), null=True, blank=True)
    closes_at = models.DateTimeField(_("открыт до (для курса)"), null=True, blank=True)

    class Meta:
        verbose_name = _("тест курса")
        verbose_name_plural = _("тесты курсов")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "quiz"], name="coursequiz_unique_quiz"),
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="coursequiz_closes_after_opens",
            ),
        ]

    def __str__(self):
        return f"{self.course}: {self.quiz}"
