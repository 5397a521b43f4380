"""Quizzes and their items: fixed questions (a version or the newest) or rules over a topic."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from question_bank.models import Question, QuestionVersion


def policy_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The answer policy's bounds, on the quiz and on the attempt that copies it.

    The services check them first (``quizzes.services.quiz_policy_check``, with a message); these
    keep any other writer (the admin, a shell, a migration) from storing a penalty above the
    item's points or a limit of no tries at all.
    """
    return [
        models.CheckConstraint(
            condition=models.Q(penalty__gte=0) & models.Q(penalty__lte=1),
            name=f"{prefix}_penalty_share",
        ),
        models.CheckConstraint(
            condition=models.Q(max_tries__isnull=True) | models.Q(max_tries__gte=1),
            name=f"{prefix}_max_tries_min",
        ),
    ]


class Quiz(models.Model):
    class Solutions(models.TextChoices):
        AFTER_ANSWER = "after_answer", _("сразу после ответа")
        AFTER_FINISH = "after_finish", _("после завершения попытки")
        AFTER_CLOSE = "after_close", _("после закрытия теста")
        NEVER = "never", _("никогда")

    class Verdicts(models.TextChoices):
        """When a student sees whether each answer was right (and its feedback)."""

        DURING = "during", _("сразу после ответа")
        AFTER_FINISH = "after_finish", _("после завершения попытки")
        AFTER_CLOSE = "after_close", _("после закрытия теста")
        NEVER = "never", _("никогда")

    class Score(models.TextChoices):
        """When a student sees the attempt's score. «После закрытия» counts each student's own
        close date (an extension moves it)."""

        AFTER_FINISH = "after_finish", _("после завершения попытки")
        AFTER_CLOSE = "after_close", _("после закрытия теста")
        NEVER = "never", _("никогда")

    class Unreadable(models.TextChoices):
        """What an answer the grader cannot read (``42`` for a vector) is worth at the finish.

        It is a format error, not a wrong answer: by default an instructor decides (the score
        stays provisional until the attempt's score is overridden); a quiz may say that it
        counts 0 under its rules.
        """

        REVIEW = "review", _("ждёт решения преподавателя")
        WRONG = "wrong", _("0 баллов")

    class AnswerPolicy(models.TextChoices):
        """How answers to one question count (``quizapp.attempts.policies``).

        ``last``: the answer may be changed until the finish, the newest counts, no penalty;
        ``tries``: every submit is a try graded at once, each try after the first costs
        ``penalty`` of the item's points, the best try counts; ``once``: the first submitted
        answer is final (exam-style).
        """

        LAST = "last", _("последний ответ")
        TRIES = "tries", _("попытки с проверкой")
        ONCE = "once", _("один ответ")

    slug = models.SlugField(_("код"), max_length=100, unique=True)
    title = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("ограничение времени, мин"), null=True, blank=True
    )
    max_attempts = models.PositiveIntegerField(_("число попыток"), null=True, blank=True)
    show_solutions = models.CharField(
        _("показывать решения"),
        max_length=20,
        choices=Solutions.choices,
        default=Solutions.AFTER_ANSWER,
    )
    show_verdicts = models.CharField(
        _("показывать верно/неверно"),
        max_length=20,
        choices=Verdicts.choices,
        default=Verdicts.DURING,
    )
    show_score = models.CharField(
        _("показывать баллы"),
        max_length=20,
        choices=Score.choices,
        default=Score.AFTER_FINISH,
    )
    shuffle_items = models.BooleanField(_("перемешивать вопросы"), default=False)
    unreadable_policy = models.CharField(
        _("нераспознанный ответ"),
        max_length=10,
        choices=Unreadable.choices,
        default=Unreadable.REVIEW,
        help_text=_(
            "Ответ, который система не смогла прочитать (например, число вместо вектора): "
            "решает преподаватель или он приносит 0 баллов."
        ),
    )
    answer_policy = models.CharField(
        _("ответы на вопрос"),
        max_length=10,
        choices=AnswerPolicy.choices,
        default=AnswerPolicy.LAST,
        help_text=_(
            "«Последний ответ»: ответ можно менять до завершения, засчитывается последний. "
            "«Попытки с проверкой»: каждый ответ проверяется сразу, за каждую следующую "
            "попытку — штраф, засчитывается лучшая. «Один ответ»: первый отправленный ответ "
            "окончательный, как на экзамене."
        ),
    )
    max_tries = models.PositiveSmallIntegerField(
        _("попыток на вопрос"),
        null=True,
        blank=True,
        help_text=_("Только для «попыток с проверкой»; пусто — без ограничения."),
    )
    penalty = models.DecimalField(
        _("штраф за попытку"),
        max_digits=4,
        decimal_places=3,
        default=0,
        help_text=_(
            "Доля баллов вопроса, которую стоит каждая попытка после первой: 0.1 — это 10 %. "
            "Только для «попыток с проверкой»."
        ),
    )
    opens_at = models.DateTimeField(_("открыт с"), null=True, blank=True)
    closes_at = models.DateTimeField(_("открыт до"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quizzes_owned",
        verbose_name=_("автор"),
    )
    # Private by default: a new quiz is a draft its owner (and admins) alone see; students see it
    # once it is published and assigned to their course, or published and open to everyone.
    is_published = models.BooleanField(_("опубликован"), default=False)
    is_open = models.BooleanField(
        _("открытый тест"),
        default=False,
        help_text=_(
            "Открытый тест: виден всем вошедшим, даже без курса — для свободной тренировки."
        ),
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("тест")
        verbose_name_plural = _("тесты")
        ordering = ["title"]
        constraints = [
            # The services check it first (quizzes.services.quiz_dates_check, with a message);
            # this keeps any other writer (the admin, a shell, a migration) from breaking it.
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="quiz_closes_after_opens",
            ),
            *policy_constraints("quiz"),
        ]

    def __str__(self):
        return self.title

    @property
    def penalty_percent(self) -> str:
        """The penalty per extra try in percent for people: «10», «12,5»."""
        return f"{(Decimal(str(self.penalty)) * 100).normalize():f}".replace(".", ",")

    @property
    def holds_results(self) -> bool:
        """Something of a finished attempt waits for the close date: the LMS's copy of the score
        waits with the score, the student's mistakes notebook (its cards show worked solutions)
        with the verdicts and the solutions."""
        return "after_close" in (self.show_verdicts, self.show_score, self.show_solutions)


class QuizItem(models.Model):
    """A fixed question, or a rule: ``count`` random questions of a topic (and its subtopics).

    A rule is drawn anew for every attempt, so each student and each retake gets own questions.
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="quiz_items", null=True, blank=True
    )
    topic = models.ForeignKey(
        "question_bank.Topic",
        on_delete=models.PROTECT,
        related_name="quiz_rules",
        null=True,
        blank=True,
        verbose_name=_("тема (случайные вопросы)"),
    )
    count = models.PositiveSmallIntegerField(_("сколько вопросов из темы"), default=1)
    # Pinned version; empty means "the newest version when the attempt starts".
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, null=True, blank=True)
    position = models.PositiveIntegerField(_("позиция"))
    points = models.DecimalField(_("баллы"), max_digits=6, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("вопрос теста")
        verbose_name_plural = _("вопросы теста")
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quizitem_unique_position"),
            models.CheckConstraint(
                condition=(models.Q(question__isnull=False) & models.Q(topic__isnull=True))
                | (models.Q(question__isnull=True) & models.Q(topic__isnull=False)),
                name="quizitem_question_xor_topic",
            ),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="quizitem_count_min"),
        ]

    def __str__(self):
        what = self.question or f"{self.count} × {self.topic}"
        return f"{self.quiz}: {self.position}. {what}"
