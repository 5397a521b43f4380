"""A student's study settings and flashcards: decks, each card's FSRS state, the review log."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from question_bank.models import Question, QuestionVersion

# The desired retention a student or a course may set (FSRS's: the share of cards recalled when
# a card comes back); below 0.7 reviews come too late to help, above 0.97 too often to keep up.
RETENTION_RANGE = (0.70, 0.97)
DEFAULT_RETENTION = 0.9


def retention_validators():
    return [MinValueValidator(RETENTION_RANGE[0]), MaxValueValidator(RETENTION_RANGE[1])]


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
    # The share of cards the student aims to recall when a card comes back (FSRS's desired
    # retention) and the exam day their reviews are planned toward; empty: their course's, or
    # 0.9 and no date.
    desired_retention = models.FloatField(
        _("целевая доля вспоминаемых"), null=True, blank=True, validators=retention_validators()
    )
    exam_date = models.DateField(_("дата экзамена"), null=True, blank=True)
    # A recognised typical mistake in a quiz or in practice adds a card of that question
    # (flashcards.mistakes); the student may turn it off.
    mistake_cards = models.BooleanField(_("карточки из ошибок"), default=True)
    # The student's own FSRS weights, fitted from their review log (flashcards.personal) and
    # kept only when they predict held-out reviews better; empty: the library's defaults.
    fsrs_parameters = models.JSONField(_("параметры FSRS"), null=True, blank=True)
    # When the student's log was last taken up for a fit, whatever came of it (FsrsFit records
    # the fits themselves): the next is due FSRS_REFIT_AFTER_REVIEWS reviews after it.
    fsrs_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

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

    # What a rating writes: the FSRS card and our counters; the admin shows them read-only
    # (editing one by hand would contradict the review log). Undo puts back all but
    # ``variants`` (flashcards.fsrs_cards.snapshot): an undone numeric card still gets new numbers.
    SCHEDULE_FIELDS = (
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reps",
        "variants",
        "introduced_at",
    )

    class State(models.IntegerChoices):
        # The values are fsrs.State's.
        LEARNING = 1, _("изучение")
        REVIEW = 2, _("повторение")
        RELEARNING = 3, _("переучивание")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flashcards"
    )
    # PROTECT: a student's FSRS history must not vanish with a question or bank; a bank in use is
    # archived instead (question_bank.services.bank_delete refuses with a message).
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="flashcards")
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
        indexes = [
            models.Index(fields=["user", "due"], name="flashcard_user_due_idx"),
            # «new cards introduced today», counted on every queue page
            models.Index(fields=["user", "introduced_at"], name="flashcard_user_intro_idx"),
        ]

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
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flashcard_reviews"
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
    # One rating submit's token (see Response.client_token): a repeated POST rates once.
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("повторение карточки")
        verbose_name_plural = _("повторения карточек")
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_token"],
                condition=models.Q(client_token__isnull=False),
                name="flashcardreview_unique_client_token",
            )
        ]
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="flashcardreview_user_time_idx")
        ]

    def __str__(self):
        return f"{self.card}: {self.get_rating_display()}"


class FsrsFit(models.Model):
    """One fit of a student's FSRS parameters to their review log, kept whatever its outcome.

    The reviews are split by time: the parameters are fitted on the older 80 % and both sets —
    the ones in use before and the fitted ones — are scored on the newest 20 % (log loss and
    RMSE over bins, as the FSRS benchmark scores them). ``accepted`` says whether the fitted
    parameters predicted the held-out reviews better and replaced the old ones.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fsrs_fits"
    )
    fitted_at = models.DateTimeField(_("время подбора"))
    reviews = models.PositiveIntegerField(_("повторений в истории"))
    train_items = models.PositiveIntegerField(_("повторений для подбора"))
    test_items = models.PositiveIntegerField(_("отложенных повторений"))
    log_loss_before = models.FloatField(_("log loss прежних параметров"))
    log_loss_after = models.FloatField(_("log loss подобранных параметров"))
    rmse_before = models.FloatField(_("RMSE прежних параметров"))
    rmse_after = models.FloatField(_("RMSE подобранных параметров"))
    parameters = models.JSONField(_("подобранные параметры"))
    accepted = models.BooleanField(_("приняты"))
    seconds = models.FloatField(_("длительность, с"), default=0)

    class Meta:
        verbose_name = _("подбор параметров FSRS")
        verbose_name_plural = _("подборы параметров FSRS")
        ordering = ["-fitted_at", "-id"]
        indexes = [models.Index(fields=["user", "fitted_at"], name="fsrsfit_user_time_idx")]

    def __str__(self):
        return f"{self.user}: {self.fitted_at:%Y-%m-%d}"

    @property
    def improvement(self) -> float:
        """How much lower the fitted log loss is, as a share of the old one (0.05 = 5 %)."""
        if self.log_loss_before <= 0:
            return 0.0
        return (self.log_loss_before - self.log_loss_after) / self.log_loss_before


class MistakeNote(models.Model):
    """A typical mistake a student made on a question, noted once. Its question is one of the
    student's cards whatever their decks, and the card's back explains the mistake."""

    class Source(models.TextChoices):
        QUIZ = "quiz", _("тест")
        PRACTICE = "practice", _("тренировка")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mistake_notes"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The mistake's id in the question's spec ("unbiased_variance"; a part's: "first:clip").
    mistake_id = models.CharField(_("ошибка"), max_length=200)
    feedback = models.TextField(_("объяснение"), blank=True)  # as the student saw it
    source = models.CharField(_("где"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("ошибка, ставшая карточкой")
        verbose_name_plural = _("ошибки, ставшие карточками")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question", "mistake_id"], name="mistakenote_unique"
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.question} — {self.mistake_id}"
