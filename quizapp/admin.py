"""The Django admin, for admins only: instructors and students use the pages.

Audit fields (times, scores, seeds, anything a worker or the scheduler writes) are read-only, so
that an edit here cannot contradict the record it summarises.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizapp.accounts.services import account_close
from quizapp.core.errors import ServiceError
from quizapp.courses import services as courses
from quizapp.models import (
    Accommodation,
    Attempt,
    AttemptItem,
    Course,
    CourseQuiz,
    Enrollment,
    FlashcardReview,
    FlashcardState,
    FsrsFit,
    ManualGrade,
    MistakeNote,
    PracticeAnswer,
    QuestionDifficulty,
    Quiz,
    QuizItem,
    RegradeRun,
    Response,
    ResponseRegrade,
    ScoreOverride,
    StudyDeck,
    StudyProfile,
)


class KeepsStudentWork:
    """A student's work is never deleted from the admin (nor by anybody else's action)."""

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ClosingUserAdmin(UserAdmin):
    """Users are closed, not deleted: «Удалить (обезличить)» deactivates and anonymises them and
    keeps their attempts, answers and reviews (quizapp.accounts.services.account_close)."""

    actions = ["close_accounts"]

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        account_close(user=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            account_close(user=user, by=request.user)

    @admin.action(description=_("Удалить (обезличить)"), permissions=["change"])
    def close_accounts(self, request, queryset):
        closed = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(
                    request, _("Свою учётную запись закрыть отсюда нельзя."), messages.ERROR
                )
                continue
            account_close(user=user, by=request.user)
            closed += 1
        if closed:
            self.message_user(
                request,
                ngettext(
                    "Обезличена %(n)d учётная запись; её попытки и ответы сохранены.",
                    "Обезличено учётных записей: %(n)d; их попытки и ответы сохранены.",
                    closed,
                )
                % {"n": closed},
                messages.SUCCESS,
            )


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0
    autocomplete_fields = ["question", "topic"]
    raw_id_fields = ["version"]


class CourseQuizInline(admin.TabularInline):
    model = CourseQuiz
    extra = 0
    autocomplete_fields = ["course", "quiz"]
    readonly_fields = ["added_by", "added_at"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "owner",
        "is_published",
        "is_open",
        "opens_at",
        "closes_at",
        "time_limit_minutes",
        "max_attempts",
    ]
    list_filter = [
        "is_published",
        "is_open",
        "show_verdicts",
        "show_score",
        "show_solutions",
        "shuffle_items",
    ]
    list_select_related = ["owner"]
    search_fields = ["title", "slug", "owner__username"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
    inlines = [QuizItemInline, CourseQuizInline]


@admin.register(Accommodation)
class AccommodationAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "course",
        "quiz",
        "time_factor",
        "extra_minutes",
        "closes_at",
        "extra_attempts",
    ]
    list_select_related = ["course", "quiz"]
    search_fields = ["label", "course__title", "students__username"]
    autocomplete_fields = ["course", "quiz", "students"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(QuizItem)
class QuizItemAdmin(admin.ModelAdmin):
    list_display = ["quiz", "position", "question", "topic", "count", "points"]
    list_filter = ["quiz"]
    list_select_related = ["quiz", "question", "topic"]
    search_fields = ["quiz__title", "quiz__slug", "question__title", "question__slug"]
    autocomplete_fields = ["quiz", "question", "topic"]
    raw_id_fields = ["version"]


class AttemptItemInline(admin.TabularInline):
    model = AttemptItem
    extra = 0
    fields = ["position", "version", "seed", "points", "draft_saved_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(KeepsStudentWork, admin.ModelAdmin):
    list_display = [
        "quiz",
        "user",
        "number",
        "status",
        "score",
        "max_score",
        "started_at",
        "deadline",
        "finished_at",
    ]
    list_filter = ["status", "quiz"]
    list_select_related = ["quiz", "user"]
    search_fields = ["user__username", "quiz__title", "quiz__slug"]
    raw_id_fields = ["quiz", "user"]
    # The deadline stays editable: an admin may extend it for one student.
    readonly_fields = ["uuid", "number", "started_at", "finished_at", "score", "max_score"]
    date_hierarchy = "started_at"
    inlines = [AttemptItemInline]


@admin.register(AttemptItem)
class AttemptItemAdmin(KeepsStudentWork, admin.ModelAdmin):
    list_display = ["attempt", "position", "version", "seed", "points", "draft_saved_at"]
    list_select_related = ["attempt__quiz", "attempt__user", "version__question"]
    search_fields = ["attempt__user__username", "version__question__slug"]
    # An item is the variant the student saw: (version, seed) must never change under them.
    readonly_fields = [
        "attempt",
        "quiz_item",
        "version",
        "position",
        "seed",
        "points",
        "draft",
        "draft_rev",
        "draft_saved_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Response)
class ResponseAdmin(KeepsStudentWork, admin.ModelAdmin):
    list_display = ["item", "status", "score", "created_at", "graded_at"]
    list_filter = ["status"]
    search_fields = ["raw", "item__attempt__user__username"]
    readonly_fields = ["item", "raw", "status", "score", "result", "created_at", "graded_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(PracticeAnswer)
class PracticeAnswerAdmin(KeepsStudentWork, admin.ModelAdmin):
    list_display = ["user", "topic", "status", "score", "created_at", "graded_at"]
    list_filter = ["status"]
    list_select_related = ["user", "topic"]
    search_fields = ["user__username", "raw", "topic__title"]
    readonly_fields = [
        "user",
        "topic",
        "version",
        "seed",
        "raw",
        "status",
        "score",
        "result",
        "created_at",
        "graded_at",
    ]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(StudyDeck)
class StudyDeckAdmin(admin.ModelAdmin):
    list_display = ["user", "bank", "topic", "created_at"]
    list_filter = ["bank"]
    list_select_related = ["user", "bank", "topic"]
    search_fields = ["user__username", "bank__title", "topic__title"]
    raw_id_fields = ["user", "bank", "topic"]
    readonly_fields = ["created_at"]


@admin.register(StudyProfile)
class StudyProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "new_cards_per_day"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(MistakeNote)
class MistakeNoteAdmin(admin.ModelAdmin):
    """The typical mistakes that turned into a student's cards (flashcards.mistakes)."""

    list_display = ["user", "question", "mistake_id", "source", "created_at"]
    list_filter = ["source"]
    list_select_related = ["user", "question"]
    search_fields = ["user__username", "question__slug", "mistake_id"]
    raw_id_fields = ["user", "question"]
    readonly_fields = ["created_at"]


@admin.register(QuestionDifficulty)
class QuestionDifficultyAdmin(admin.ModelAdmin):
    """Difficulties fitted by the periodic task (practice.adaptive): read, not edited."""

    list_display = ["question", "difficulty", "answers", "fitted_at"]
    list_select_related = ["question"]
    search_fields = ["question__slug", "question__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FsrsFit)
class FsrsFitAdmin(admin.ModelAdmin):
    """Every fit of a student's FSRS parameters: written by the fitting task, only read here."""

    list_display = ["user", "fitted_at", "reviews", "log_loss_before", "log_loss_after", "accepted"]
    list_filter = ["accepted"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "fitted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FlashcardReviewInline(admin.TabularInline):
    model = FlashcardReview
    extra = 0
    fields = ["reviewed_at", "rating", "score", "seed", "raw"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FlashcardState)
class FlashcardStateAdmin(KeepsStudentWork, admin.ModelAdmin):
    list_display = ["user", "question", "state", "due", "reps", "suspended", "buried_until"]
    list_filter = ["state", "suspended"]
    list_select_related = ["user", "question"]
    search_fields = ["user__username", "question__title", "question__slug"]
    raw_id_fields = ["user", "question"]
    # FSRS owns these; editing them by hand would desynchronise the review log.
    readonly_fields = [*FlashcardState.SCHEDULE_FIELDS, "created_at"]
    inlines = [FlashcardReviewInline]


@admin.register(FlashcardReview)
class FlashcardReviewAdmin(KeepsStudentWork, admin.ModelAdmin):
    list_display = ["user", "card", "rating", "score", "reviewed_at"]
    list_filter = ["rating"]
    list_select_related = ["user", "card__user", "card__question"]
    search_fields = ["user__username", "card__question__title", "card__question__slug"]
    # The review log is history: undo works from ``previous_state``, so nothing here is edited.
    readonly_fields = [
        "user",
        "card",
        "version",
        "rating",
        "reviewed_at",
        "previous_state",
        "seed",
        "raw",
        "score",
    ]
    date_hierarchy = "reviewed_at"

    def has_add_permission(self, request):
        return False


# --- Courses --------------------------------------------------------------------------------


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "owner", "join_enabled", "is_archived", "created_at"]
    list_filter = ["is_archived", "join_enabled"]
    list_select_related = ["owner"]
    search_fields = ["title", "code", "join_code", "owner__username"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["join_code", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [EnrollmentInline, CourseQuizInline]
    actions = ["regenerate_join_codes"]

    @admin.action(description=_("Выпустить новые коды приглашения"))
    def regenerate_join_codes(self, request, queryset):
        done = 0
        for course in queryset:
            try:
                courses.join_code_regenerate(course=course)
            except ServiceError as exc:
                self.message_user(request, f"{course}: {exc.message}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, _("Новых кодов: %d.") % done, messages.SUCCESS)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "role", "joined_at", "external_id"]
    list_filter = ["role", "course"]
    list_select_related = ["user", "course"]
    search_fields = [
        "user__username",
        "user__email",
        "course__title",
        "course__code",
        "external_id",
    ]
    autocomplete_fields = ["course", "user"]
    readonly_fields = ["joined_at"]
    date_hierarchy = "joined_at"


@admin.register(CourseQuiz)
class CourseQuizAdmin(admin.ModelAdmin):
    list_display = ["course", "quiz", "added_by", "added_at"]
    list_filter = ["course"]
    list_select_related = ["course", "quiz", "added_by"]
    search_fields = ["course__title", "course__code", "quiz__title", "quiz__slug"]
    autocomplete_fields = ["course", "quiz"]
    readonly_fields = ["added_by", "added_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


# --- Gradebook records: audit logs, written by the gradebook and regrade services only --------


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreOverride)
class ScoreOverrideAdmin(ViewOnlyAdmin):
    list_display = ["attempt", "old_score", "new_score", "by", "created_at"]
    list_select_related = ["attempt__quiz", "attempt__user", "by"]
    search_fields = ["attempt__user__username", "attempt__quiz__title", "reason"]
    readonly_fields = ["attempt", "old_score", "new_score", "reason", "by", "created_at"]
    date_hierarchy = "created_at"


@admin.register(ManualGrade)
class ManualGradeAdmin(ViewOnlyAdmin):
    # Graded on the manual-grading page only: it rescores the attempt and tells the LMS.
    list_display = ["response", "score", "by", "graded_at"]
    list_select_related = ["response__item__attempt__user", "by"]
    search_fields = ["response__item__attempt__user__username", "comment"]
    readonly_fields = ["response", "score", "comment", "by", "graded_at"]


@admin.register(RegradeRun)
class RegradeRunAdmin(ViewOnlyAdmin):
    list_display = ["question", "quiz", "to_version", "status", "created_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["question", "quiz", "to_version", "created_by"]
    search_fields = ["question__title", "question__slug", "quiz__title"]
    readonly_fields = [
        "question",
        "quiz",
        "from_version",
        "to_version",
        "status",
        "progress_done",
        "progress_total",
        "error",
        "created_by",
        "created_at",
        "finished_at",
    ]
    date_hierarchy = "created_at"


@admin.register(ResponseRegrade)
class ResponseRegradeAdmin(ViewOnlyAdmin):
    list_display = ["response", "run", "old_status", "old_score", "new_status", "new_score"]
    list_filter = ["new_status"]
    list_select_related = ["response", "run__question", "run__to_version"]
    search_fields = ["response__item__attempt__user__username", "run__question__slug"]
    readonly_fields = [
        "run",
        "response",
        "old_version",
        "new_version",
        "old_status",
        "old_score",
        "old_result",
        "new_status",
        "new_score",
        "new_result",
        "created_at",
    ]


# --- REST API: keys, idempotency records, webhooks (quizapp/api) ------------------------------

from quizapp.api import admin as _api_admin  # noqa: E402, F401
from quizapp.lti import admin as _lti_admin  # noqa: E402, F401  (not an app: no autodiscovery)
