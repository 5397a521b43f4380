"""Quizzes, attempts and responses.

An attempt fixes, for every item, the question version and a seed; a response stores the raw
answer first (status ``pending``) and is graded afterwards, in a worker, from that version and seed.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from question_bank.models import Question, QuestionVersion


class Quiz(models.Model):
    class Solutions(models.TextChoices):
        AFTER_ANSWER = "after_answer", _("сразу после ответа")
        AFTER_FINISH = "after_finish", _("после завершения попытки")
        NEVER = "never", _("никогда")

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
    shuffle_items = models.BooleanField(_("перемешивать вопросы"), default=False)
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
    is_published = models.BooleanField(_("опубликован"), default=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("тест")
        verbose_name_plural = _("тесты")
        ordering = ["title"]

    def __str__(self):
        return self.title


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


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("идёт")
        FINISHED = "finished", _("завершена")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    number = models.PositiveIntegerField(_("номер попытки"), default=1)
    started_at = models.DateTimeField(_("начата"), auto_now_add=True)
    # When answers stop being accepted: the time limit or the quiz's close date, whichever is first.
    deadline = models.DateTimeField(_("срок"), null=True, blank=True)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)
    score = models.DecimalField(_("баллы"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("максимум"), max_digits=8, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("попытка")
        verbose_name_plural = _("попытки")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.quiz} — {self.user}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("attempt", kwargs={"attempt_uuid": self.uuid})


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

    item = models.ForeignKey(AttemptItem, on_delete=models.CASCADE, related_name="responses")
    raw = models.TextField(_("ответ"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    score = models.FloatField(_("доля верного"), null=True, blank=True)
    result = models.JSONField(_("результат проверки"), default=dict, blank=True)
    created_at = models.DateTimeField(_("отправлен"), auto_now_add=True)
    graded_at = models.DateTimeField(_("проверен"), null=True, blank=True)

    class Meta:
        verbose_name = _("ответ")
        verbose_name_plural = _("ответы")
        ordering = ["item", "-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="response_status_idx")]

    def __str__(self):
        return f"{self.raw[:40]} ({self.get_status_display()})"


# --- Flashcards -------------------------------------------------------------------------------
# A student studies whole banks or single topics; a card's spaced-repetition state is created
# lazily, the first time the student acts on the card, and follows the FSRS scheduler.


class StudyProfile(models.Model):
    """Per-student study settings; a student without a row gets the defaults."""

    DEFAULT_NEW_CARDS_PER_DAY = 20

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_profile"
    )
    new_cards_per_day = models.PositiveSmallIntegerField(
        _("новых карточек в день"), default=DEFAULT_NEW_CARDS_PER_DAY
    )
    # Where the student's "today" begins (cards, the forecast, times on pages); empty: the site's.
    time_zone = models.CharField(_("часовой пояс"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("настройки карточек")
        verbose_name_plural = _("настройки карточек")

    def __str__(self):
        return str(self.user)


class StudyDeck(models.Model):
    """A bank (topic empty) or one topic of it that the student chose to study."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_decks"
    )
    bank = models.ForeignKey("question_bank.Bank", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        "question_bank.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("добавлена"), auto_now_add=True)

    class Meta:
        verbose_name = _("колода")
        verbose_name_plural = _("колоды")
        # By id, not by bank: ordering by a foreign key would join Bank into every read.
        ordering = ["id"]
        constraints = [
            # Two partial constraints: NULL topics are distinct in a plain unique constraint.
            models.UniqueConstraint(
                fields=["user", "bank"],
                condition=models.Q(topic__isnull=True),
                name="studydeck_unique_bank",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=models.Q(topic__isnull=False),
                name="studydeck_unique_topic",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.topic or self.bank}"


class FlashcardState(models.Model):
    """One student's FSRS state of one question; the fields mirror ``fsrs.Card`` (UTC times)."""

    class State(models.IntegerChoices):
        # The values are fsrs.State's.
        LEARNING = 1, _("изучение")
        REVIEW = 2, _("повторение")
        RELEARNING = 3, _("переучивание")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flashcards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="flashcards")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(_("к повторению"), null=True, blank=True)
    last_review = models.DateTimeField(_("последнее повторение"), null=True, blank=True)
    reps = models.PositiveIntegerField(_("повторений"), default=0)
    # Counts the variants ever drawn; unlike ``reps`` an undo does not lower it, so a numeric card
    # re-reviewed after an undo still gets numbers the student has not seen.
    variants = models.PositiveIntegerField(default=0)
    suspended = models.BooleanField(_("приостановлена"), default=False)
    buried_until = models.DateTimeField(_("отложена до"), null=True, blank=True)
    introduced_at = models.DateTimeField(_("первое повторение"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("карточка")
        verbose_name_plural = _("карточки")
        ordering = ["user", "due"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="flashcard_unique_question")
        ]
        indexes = [models.Index(fields=["user", "due"], name="flashcard_user_due_idx")]

    def __str__(self):
        return f"{self.user}: {self.question}"

    @property
    def is_new(self) -> bool:
        return self.reps == 0


class FlashcardReview(models.Model):
    """One rating of a card, with the card's state before it so that the rating can be undone."""

    class Rating(models.IntegerChoices):
        # The values are fsrs.Rating's.
        AGAIN = 1, _("снова")
        HARD = 2, _("трудно")
        GOOD = 3, _("хорошо")
        EASY = 4, _("легко")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flashcard_reviews"
    )
    card = models.ForeignKey(FlashcardState, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(
        QuestionVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("оценка"), choices=Rating.choices)
    reviewed_at = models.DateTimeField(_("время"))
    previous_state = models.JSONField(_("состояние до оценки"))
    seed = models.BigIntegerField(null=True, blank=True)
    raw = models.TextField(_("ответ"), blank=True)
    score = models.FloatField(_("доля верного"), null=True, blank=True)

    class Meta:
        verbose_name = _("повторение карточки")
        verbose_name_plural = _("повторения карточек")
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="flashcardreview_user_time_idx")
        ]

    def __str__(self):
        return f"{self.card}: {self.get_rating_display()}"


class PracticeAnswer(models.Model):
    """An answer given in free practice: saved first, graded by a worker like quiz responses."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_answers"
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

    class Meta:
        verbose_name = _("ответ в тренировке")
        verbose_name_plural = _("ответы в тренировке")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="practice_user_recent_idx")]

    def __str__(self):
        return f"{self.user} — {self.raw[:40]}"


from quizapp.api.models import ApiKey, IdempotencyRecord, WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
from quizapp.course_models import Course, CourseQuiz, Enrollment  # noqa: E402, F401
from quizapp.gradebook_models import RegradeRun, ResponseRegrade, ScoreOverride  # noqa: E402, F401
from quizapp.lti.models import LtiCourseLink, LtiQuizLink, LtiScorePassback  # noqa: E402, F401
