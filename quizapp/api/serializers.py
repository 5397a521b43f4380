"""Input and output serializers, one explicit pair per operation (``…In`` / ``…Out``).

Outputs are read-only descriptions of plain data; inputs validate and hand the services typed
values. Neither saves anything: the services do.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from question_bank.models import Question, Topic
from quizapp.api import fields
from quizapp.api.selectors import (
    attempt_reveal,
    presented_for_client,
    result_for_client,
    variant_for_client,
)
from quizapp.api.webhooks import literal_address_refusal
from quizapp.attempts.grading import MAX_RAW_LENGTH
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.roles import is_instructor
from quizapp.gradebook.manual import MAX_CRITERIA
from quizapp.models import Attempt, QuestionReport, Quiz, Response
from quizapp.models.api import ApiKey, WebhookEndpoint
from quizapp.models.courses import Course
from quizapp.models.reports import MESSAGE_MAX_LENGTH, REPLY_MAX_LENGTH
from quizapp.quizzes.services import quiz_dates_check, quiz_reveal_check

# --- errors (documentation only: errors.py builds them) --------------------------------------


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("Машиночитаемый код ошибки."))
    message = serializers.CharField(help_text=gettext_lazy("Сообщение по-русски."))
    message_en = serializers.CharField(help_text="The message in English.")
    fields = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        required=False,
        help_text=gettext_lazy("Ошибки по полям: «items.0.question» → список {code, message}."),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- banks, topics, questions -----------------------------------------------------------------


class BankOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    language = serializers.CharField()
    version = serializers.CharField()
    topics_count = serializers.IntegerField()
    questions_count = serializers.IntegerField()
    is_archived = serializers.BooleanField(
        help_text=gettext_lazy(
            "В архиве: не для тренировки и новых тестов; попытки и история сохраняются."
        )
    )


class BankPatchInSerializer(fields.BodySerializer):
    is_archived = fields.StrictBooleanField(
        required=False,
        help_text=gettext_lazy("true — отправить банк в архив, false — вернуть из архива."),
    )


class TopicOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bank = serializers.IntegerField(source="bank_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    slug = serializers.CharField()
    title = serializers.CharField()
    questions_count = serializers.IntegerField()


class TopicFilterSerializer(serializers.Serializer):
    bank = fields.IdField(required=False)


class OptionSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        help_text=gettext_lazy("Номер варианта, который отправляется в ответе.")
    )
    text = serializers.CharField()


class StemSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        help_text=gettext_lazy(
            "Номер элемента вопроса на соответствие: ключ в ответе "
            '{"номер элемента": "номер варианта"}.'
        )
    )
    text = serializers.CharField()


class VariantPartSerializer(serializers.Serializer):
    """One answer field of a multipart question."""

    name = serializers.CharField(
        help_text=gettext_lazy("Имя поля: ключ в объекте JSON, который отправляется в ответе.")
    )
    number = serializers.IntegerField(help_text=gettext_lazy("Номер (1), (2)… в тексте."))
    kind = serializers.ChoiceField(
        choices=[
            c
            for c in Question.Kind.choices
            if c[0] not in ("flashcard", "multipart", "matching", "description", "essay")
        ]
    )
    label = serializers.CharField()
    input_hint = serializers.CharField()
    options = OptionSerializer(many=True)
    answer_shape = serializers.ListField(child=serializers.IntegerField(), allow_null=True)


class VariantSerializer(serializers.Serializer):
    """A rendered question: text and options, never the key."""

    kind = serializers.CharField()
    text = serializers.CharField()
    options = OptionSerializer(many=True)
    hints = serializers.ListField(child=serializers.CharField())
    input_hint = serializers.CharField()
    answer_shape = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    stems = StemSerializer(
        many=True,
        help_text=gettext_lazy(
            "Вопрос на соответствие (matching): элементы в порядке показа; варианты ответа — "
            "в options."
        ),
    )
    parts = VariantPartSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy(
            "Только у вопроса из нескольких полей (multipart): его поля по порядку. Ответ — "
            'объект JSON «имя поля → ответ», например {"h": "5", "p": "0"}.'
        ),
    )


class QuestionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bank = serializers.IntegerField(source="bank_id")
    topic = serializers.IntegerField(source="topic_id", allow_null=True)
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    latest_version = serializers.IntegerField(allow_null=True)


class QuestionDetailOutSerializer(QuestionOutSerializer):
    preview = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Вариант по умолчанию (без ключа); null, если вопрос в банке неисправен."
        )
    )

    @extend_schema_field(VariantSerializer(allow_null=True))
    def get_preview(self, question):
        version = self.context.get("version")
        return None if version is None else variant_for_client(version, None)


class QuestionFilterSerializer(serializers.Serializer):
    bank = fields.IdField(required=False)
    topic = fields.IdField(required=False)
    kind = serializers.ChoiceField(choices=Question.Kind.choices, required=False)


# --- quizzes ----------------------------------------------------------------------------------


class QuizItemOutSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    question = serializers.IntegerField(source="question_id", allow_null=True)
    version = serializers.SerializerMethodField()
    topic = serializers.IntegerField(source="topic_id", allow_null=True)
    count = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_version(self, item):
        return item.version.number if item.version_id else None


ANSWER_POLICY_HELP = gettext_lazy(
    "Как засчитываются ответы на вопрос: last (по умолчанию) — ответ можно менять до "
    "завершения, засчитывается последний; tries — каждый ответ проверяется сразу, до max_tries "
    "попыток, за каждую попытку после первой штраф penalty, засчитывается лучшая; once — первый "
    "отправленный ответ окончательный. Нераспознанный ответ попыткой не считается."
)


class QuizOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    time_limit_minutes = serializers.IntegerField(allow_null=True)
    max_attempts = serializers.IntegerField(allow_null=True)
    show_verdicts = serializers.ChoiceField(
        choices=Quiz.Verdicts.choices,
        help_text=gettext_lazy(
            "Когда студент видит, верен ли каждый ответ: during — сразу (ответ проверяется по "
            "отправке), after_finish, after_close — после своей даты закрытия (с продлением), "
            "never."
        ),
    )
    show_score = serializers.ChoiceField(
        choices=Quiz.Score.choices,
        help_text=gettext_lazy("Когда студент видит балл попытки; LMS получает его тогда же."),
    )
    show_solutions = serializers.ChoiceField(choices=Quiz.Solutions.choices)
    shuffle_items = serializers.BooleanField()
    unreadable_policy = serializers.ChoiceField(
        choices=Quiz.Unreadable.choices,
        help_text=gettext_lazy(
            "Нераспознанный ответ (например, число вместо вектора): review — ждёт решения "
            "преподавателя, балл попытки предварительный; wrong — 0 баллов."
        ),
    )
    answer_policy = serializers.ChoiceField(
        choices=Quiz.AnswerPolicy.choices, help_text=ANSWER_POLICY_HELP
    )
    max_tries = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy(
            "Попыток на вопрос при answer_policy=tries; null — без ограничения."
        ),
    )
    penalty = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        help_text=gettext_lazy(
            "Штраф за каждую попытку после первой при answer_policy=tries: доля баллов вопроса "
            "(0.100 — 10 %)."
        ),
    )
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    is_published = serializers.BooleanField(
        help_text=gettext_lazy("Опубликован; черновик видят только автор и администраторы.")
    )
    is_open = serializers.BooleanField(
        help_text=gettext_lazy(
            "Открытый тест: виден всем вошедшим, даже без курса (если опубликован)."
        )
    )
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    created_at = serializers.DateTimeField()


class QuizDetailOutSerializer(QuizOutSerializer):
    items = serializers.SerializerMethodField(
        help_text=gettext_lazy("Вопросы теста; видны только автору теста и администратору.")
    )

    @extend_schema_field(QuizItemOutSerializer(many=True, allow_null=True))
    def get_items(self, quiz):
        if not self.context.get("manager"):
            return None
        items = quiz.items.select_related("version").order_by("position")
        return QuizItemOutSerializer(items, many=True).data


class QuizItemInSerializer(fields.BodySerializer):
    """A fixed question (its newest version at each attempt's start), or a topic rule."""

    question = fields.IdRelatedField(
        queryset=Question.objects.all(), required=False, allow_null=True
    )
    topic = fields.IdRelatedField(queryset=Topic.objects.all(), required=False, allow_null=True)
    count = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        default=1,
        help_text=gettext_lazy("Для правила по теме."),
    )
    points = fields.PointsField(required=False, default=Decimal(1))

    def validate(self, data):
        if (data.get("question") is None) == (data.get("topic") is None):
            raise serializers.ValidationError(
                {"question": _("Укажите либо вопрос (question), либо тему (topic).")},
                code=ErrorCode.XOR,
            )
        return data


class QuizInSerializer(fields.BodySerializer):
    slug = serializers.SlugField(max_length=100)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    time_limit_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=10000
    )
    max_attempts = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1000
    )
    show_verdicts = serializers.ChoiceField(choices=Quiz.Verdicts.choices, required=False)
    show_score = serializers.ChoiceField(choices=Quiz.Score.choices, required=False)
    show_solutions = serializers.ChoiceField(
        choices=Quiz.Solutions.choices,
        required=False,
        help_text=gettext_lazy("Не раньше show_verdicts: решение выдаёт ответ."),
    )
    shuffle_items = fields.StrictBooleanField(required=False)
    unreadable_policy = serializers.ChoiceField(
        choices=Quiz.Unreadable.choices,
        required=False,
        help_text=gettext_lazy(
            "review (по умолчанию) — нераспознанный ответ ждёт решения преподавателя; "
            "wrong — приносит 0 баллов."
        ),
    )
    answer_policy = serializers.ChoiceField(
        choices=Quiz.AnswerPolicy.choices, required=False, help_text=ANSWER_POLICY_HELP
    )
    max_tries = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100,
        help_text=gettext_lazy(
            "Попыток на вопрос при answer_policy=tries; null — без ограничения."
        ),
    )
    penalty = fields.PenaltyField(
        required=False,
        help_text=gettext_lazy(
            "Штраф за каждую попытку после первой при answer_policy=tries: доля баллов вопроса "
            'от 0 до 1 ("0.1" — 10 %).'
        ),
    )
    opens_at = fields.DateTimeField(required=False, allow_null=True)
    closes_at = fields.DateTimeField(required=False, allow_null=True)
    is_published = fields.StrictBooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy(
            "По умолчанию false: новый тест — черновик, виден только автору и администраторам; "
            "студентам — после публикации и назначения курсу (или с is_open)."
        ),
    )
    is_open = fields.StrictBooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy(
            "Открытый тест: виден всем вошедшим, даже без курса — для свободной тренировки."
        ),
    )
    items = QuizItemInSerializer(many=True, max_length=200)

    def validate_slug(self, slug):
        taken = Quiz.objects.filter(slug=slug)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(
                _("Тест с таким кодом уже есть."), code=ErrorCode.UNIQUE
            )
        return slug

    def validate(self, data):
        try:
            quiz_dates_check(
                opens_at=data.get("opens_at", getattr(self.instance, "opens_at", None)),
                closes_at=data.get("closes_at", getattr(self.instance, "closes_at", None)),
            )
            quiz_reveal_check(
                show_verdicts=data.get(
                    "show_verdicts", getattr(self.instance, "show_verdicts", "during")
                ),
                show_solutions=data.get(
                    "show_solutions", getattr(self.instance, "show_solutions", "after_answer")
                ),
                answer_policy=data.get(
                    "answer_policy", getattr(self.instance, "answer_policy", "last")
                ),
            )
        except ServiceError as exc:
            raise serializers.ValidationError({exc.field: exc.message}, code=exc.code) from exc
        return data


class QuizPatchInSerializer(QuizInSerializer):
    """Every field optional; ``items``, when given, replaces the whole list."""

    items = QuizItemInSerializer(many=True, max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class QuizFilterSerializer(serializers.Serializer):
    mine = fields.QueryBooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Только тесты, которыми управляет вызывающий."),
    )
    is_published = fields.QueryBooleanField(required=False, allow_null=True, default=None)
    ordering = serializers.ChoiceField(
        choices=["title", "-title", "created_at", "-created_at"], required=False
    )


# --- attempts, responses, results -------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class QuizRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class QuestionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


def visible_to_caller(serializer, attempt: Attempt):
    """What the request's user may see of ``attempt`` (``context["visible"]`` when the view
    already knows; without a request, a student's view: nothing leaks by default)."""
    visible = serializer.context.get("visible")
    if visible is not None:
        return visible
    # A list asks for each attempt's score and visibility: each is worked out once, and each
    # student's terms for a quiz once (the context is the list's, shared by its items).
    seen = serializer.context.setdefault("_visible", {})
    if attempt.pk not in seen:
        request = serializer.context.get("request")
        seen[attempt.pk] = attempt_reveal(
            attempt,
            user=getattr(request, "user", None),
            terms_memo=serializer.context.setdefault("_terms", {}),
        )
    return seen[attempt.pk]


class ResultsVisibleSerializer(serializers.Serializer):
    verdicts = serializers.BooleanField(help_text=gettext_lazy("Виден ли верно/неверно."))
    score = serializers.BooleanField(help_text=gettext_lazy("Виден ли балл попытки."))
    solutions = serializers.BooleanField(help_text=gettext_lazy("Видны ли ключи и решения."))
    closes_at = serializers.DateTimeField(
        allow_null=True,
        help_text=gettext_lazy(
            "Дата закрытия теста для этого студента (с учётом продления): результаты, "
            "которые тест показывает «после закрытия», откроются тогда."
        ),
    )


class AttemptOutSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    quiz = QuizRefSerializer()
    user = UserRefSerializer()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Attempt.Status.choices)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    score = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Балл; null у незавершённой попытки и пока тест скрывает балл от студента "
            "(show_score: после закрытия теста или никогда). Преподаватель видит всегда."
        )
    )
    max_score = serializers.DecimalField(max_digits=8, decimal_places=2)
    results_visible = serializers.SerializerMethodField(
        help_text=gettext_lazy("Что из результатов видит вызывающий сейчас.")
    )

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True))
    def get_score(self, attempt):
        if attempt.score is None or not visible_to_caller(self, attempt).score:
            return None
        return f"{attempt.score:.2f}"

    @extend_schema_field(ResultsVisibleSerializer)
    def get_results_visible(self, attempt):
        visible = visible_to_caller(self, attempt)
        return {
            "verdicts": visible.verdicts,
            "score": visible.score,
            "solutions": visible.solutions,
            "closes_at": visible.closes_at,
        }

    graded = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Попытка завершена, и ни один ответ не ждёт проверки — ни сервером, ни "
            "преподавателем (эссе): балл окончательный."
        )
    )

    unreadable_count = serializers.IntegerField(
        help_text=gettext_lazy(
            "Сколько ответов система не смогла прочитать (например, число вместо вектора). "
            "Такой ответ не засчитывается как неверный; в подробностях попытки считается и до "
            "завершения, по сохранённым черновикам."
        )
    )
    answer_policy = serializers.ChoiceField(
        choices=Quiz.AnswerPolicy.choices,
        help_text=gettext_lazy(
            "Правило ответов, действовавшее при начале попытки (копия настроек теста): по нему "
            "считается балл и при перепроверке, даже если тест потом изменили."
        ),
    )
    max_tries = serializers.IntegerField(allow_null=True)
    penalty = serializers.DecimalField(max_digits=4, decimal_places=3)
    awaits_review = serializers.BooleanField(
        help_text=gettext_lazy(
            "Завершена с нераспознанными ответами, а тест оставляет их преподавателю "
            "(unreadable_policy=review), или с эссе, которые преподаватель ещё не оценил: "
            "балл предварительный до ручной оценки."
        )
    )

    @extend_schema_field(serializers.BooleanField())
    def get_graded(self, attempt):
        pending = getattr(attempt, "pending", None)
        if pending is None:
            pending = attempt.items.filter(responses__status="pending").exists()
        finished = attempt.status == Attempt.Status.FINISHED
        return finished and not pending and attempt.manual_count == 0


class AppliedCriterionSerializer(serializers.Serializer):
    text = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)


class ManualResultSerializer(serializers.Serializer):
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    max_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    comment = serializers.CharField(help_text=gettext_lazy("Замечание преподавателя."))
    criteria = AppliedCriterionSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy(
            "Критерии, отмеченные при оценке, — как они были в тот момент (позднейшая правка "
            "критерия оценку не меняет)."
        ),
    )


class GradeResultSerializer(serializers.Serializer):
    """What of the grade a caller may see; the key fields only after a finished attempt."""

    score = serializers.FloatField(required=False)
    correct = serializers.BooleanField(required=False)
    parsed_display = serializers.CharField(required=False)
    feedback = serializers.CharField(required=False)
    parts = serializers.ListField(
        child=serializers.JSONField(),
        required=False,
        help_text=gettext_lazy(
            "По элементам вектора или вариантам — true/false; у вопроса из нескольких полей — "
            "объект на каждое поле: name, number, status (graded, invalid, empty), score, "
            "correct, parsed_display, feedback; после завершения ещё expected_display и mistake."
        ),
    )
    error = FieldErrorSerializer(required=False)
    manual = ManualResultSerializer(
        required=False, help_text=gettext_lazy("Эссе, оцененное преподавателем: баллы и отзыв.")
    )
    expected = serializers.JSONField(
        required=False, help_text=gettext_lazy("Только после завершения.")
    )
    expected_display = serializers.CharField(
        required=False, help_text=gettext_lazy("Только после завершения.")
    )
    solution = serializers.CharField(
        required=False, help_text=gettext_lazy("Только после завершения.")
    )
    mistake = serializers.JSONField(
        required=False, help_text=gettext_lazy("Только после завершения.")
    )


class ResponseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(source="item.position")
    raw = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Response.Status.choices,
        help_text=gettext_lazy(
            "invalid — ответ не распознан (формат, а не ошибка: score null), "
            "graded — проверен (score от 0 до 1)."
        ),
    )
    score = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Доля верного; null, пока тест скрывает от студента, верен ли ответ (show_verdicts)."
        )
    )
    try_number = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy(
            "Номер попытки ответа на вопрос (при answer_policy=tries штраф — penalty × "
            "(try_number − 1)); нераспознанный ответ и его повтор — одна попытка."
        ),
    )
    created_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)
    result = serializers.SerializerMethodField()

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_score(self, response):
        return response.score if visible_to_caller(self, response.item.attempt).verdicts else None

    @extend_schema_field(GradeResultSerializer)
    def get_result(self, response):
        visible = visible_to_caller(self, response.item.attempt)
        return result_for_client(response, visible=visible)


class AttemptItemOutSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="item.position")
    points = serializers.DecimalField(max_digits=6, decimal_places=2, source="item.points")
    question = serializers.SerializerMethodField()
    variant = serializers.SerializerMethodField()
    draft = serializers.CharField(source="item.draft", default="")
    response = serializers.SerializerMethodField(help_text=gettext_lazy("Новейший ответ или null."))
    unreadable = FieldErrorSerializer(
        allow_null=True,
        help_text=gettext_lazy(
            "Почему текущий ответ (черновик до завершения, последний ответ после) не "
            "распознан, или null."
        ),
    )
    tries_used = serializers.IntegerField(
        source="tries.used",
        help_text=gettext_lazy(
            "Сколько ответов на вопрос засчитано попытками (нераспознанные и сбои проверки — нет)."
        ),
    )
    tries_left = serializers.IntegerField(
        source="tries.left",
        allow_null=True,
        help_text=gettext_lazy(
            "Сколько попыток осталось: при answer_policy=tries — до max_tries (null — без "
            "ограничения), при once — 1 или 0; при last — null."
        ),
    )
    answer_closed = serializers.ChoiceField(
        source="tries.closed",
        choices=["", "solved", "exhausted", "final"],
        help_text=gettext_lazy(
            "Почему вопрос больше не принимает ответов: solved — дан верный ответ (tries), "
            "exhausted — попытки кончились (tries), final — ответ отправлен (once); пусто — "
            "принимает. Ответ на закрытый вопрос — 409 item_solved, no_tries_left или "
            "answer_final."
        ),
    )

    @extend_schema_field(QuestionRefSerializer)
    def get_question(self, view):
        # No slug: authors name questions after their answers ("dropout-name").
        question = view.item.version.question
        return {"id": question.pk, "title": question.title}

    @extend_schema_field(VariantSerializer(allow_null=True))
    def get_variant(self, view):
        return presented_for_client(view.presented.as_dict())

    @extend_schema_field(ResponseOutSerializer(allow_null=True))
    def get_response(self, view):
        if view.response is None:
            return None
        return ResponseOutSerializer(view.response, context=self.context).data


class AttemptDetailOutSerializer(AttemptOutSerializer):
    items = serializers.SerializerMethodField()
    unreadable_count = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Сколько текущих ответов не распознано: до завершения — по сохранённым черновикам."
        )
    )

    @extend_schema_field(serializers.IntegerField())
    def get_unreadable_count(self, attempt):
        return sum(1 for view in self.context["items"] if view.unreadable is not None)

    @extend_schema_field(AttemptItemOutSerializer(many=True))
    def get_items(self, attempt):
        return AttemptItemOutSerializer(self.context["items"], many=True, context=self.context).data


class AttemptStartInSerializer(fields.BodySerializer):
    quiz = fields.IdField()
    user = fields.IdField(
        required=False,
        help_text=gettext_lazy("Только по ключу API: студент, за которого LMS начинает попытку."),
    )


class AttemptFilterSerializer(serializers.Serializer):
    course = fields.IdField(
        required=False, help_text=gettext_lazy("Тесты курса, попытки его студентов.")
    )
    quiz = fields.IdField(required=False)
    user = fields.IdField(required=False)
    status = serializers.ChoiceField(choices=Attempt.Status.choices, required=False)
    started_after = fields.DateTimeField(required=False)
    started_before = fields.DateTimeField(required=False)
    finished_after = fields.DateTimeField(required=False)
    finished_before = fields.DateTimeField(required=False)
    ordering = serializers.ChoiceField(
        choices=[
            "started_at",
            "-started_at",
            "finished_at",
            "-finished_at",
            "score",
            "-score",
        ],
        required=False,
        help_text=gettext_lazy(
            "score — только преподавателю (вызывающему с правом управлять тестами): студенту "
            "порядок по баллам выдал бы баллы, которые тест ещё скрывает (400)."
        ),
    )

    def validate_ordering(self, ordering):
        request = self.context.get("request")
        if ordering.lstrip("-") == "score" and not (request and is_instructor(request.user)):
            raise serializers.ValidationError(
                _("Сортировать по баллам может только преподаватель."), code=ErrorCode.INVALID
            )
        return ordering


class AnswerInSerializer(fields.BodySerializer):
    # The schema's bound is every kind's (an essay longer than this is answered in the browser):
    # a per-question bound cannot be said in the schema, and a schema-valid answer is accepted.
    answer = serializers.CharField(
        max_length=MAX_RAW_LENGTH,
        allow_blank=True,
        trim_whitespace=False,
        help_text=gettext_lazy(
            "Ответ как его набрал студент; для выбора — номера вариантов через запятую."
        ),
    )
    submit_token = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "UUID одной отправки (новый для каждого нового ответа, тот же при повторе). "
            "Повтор с тем же submit_token возвращает уже сохранённый ответ (200, заголовок "
            "Idempotent-Replayed: true) и ничего не проверяет заново; тот же submit_token с "
            "другим ответом — 409 submit_token_reused. Без него и без Idempotency-Key каждый "
            "запрос — новый ответ на вопрос."
        ),
    )


class SubmitAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_url = serializers.CharField(help_text=gettext_lazy("Где узнать результат проверки."))


class DraftInSerializer(fields.BodySerializer):
    # The schema's bound is every kind's (an essay longer than this is answered in the browser):
    # a per-question bound cannot be said in the schema, and a schema-valid answer is accepted.
    answer = serializers.CharField(
        max_length=MAX_RAW_LENGTH, allow_blank=True, trim_whitespace=False
    )
    rev = serializers.IntegerField(min_value=0, max_value=2**62)


class DraftOutSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    draft = serializers.CharField()
    draft_rev = serializers.IntegerField()
    draft_saved_at = serializers.DateTimeField(allow_null=True)


class GradebookRowSerializer(serializers.Serializer):
    """One student of a quiz's gradebook (``quizapp.gradebook.services``): the best finished
    attempt by the score shown, where a manual override counts."""

    user = serializers.SerializerMethodField()
    attempts = serializers.SerializerMethodField()
    in_progress = serializers.SerializerMethodField()
    best_attempt = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField(
        help_text=gettext_lazy("Балл лучшей попытки (с учётом правки).")
    )
    overridden = serializers.SerializerMethodField(
        help_text=gettext_lazy("Балл изменён преподавателем.")
    )
    max_score = serializers.SerializerMethodField()
    finished_at = serializers.SerializerMethodField()

    def _cell(self, row):
        return row.cells[0]

    @extend_schema_field(UserRefSerializer)
    def get_user(self, row):
        return {"id": row.student.pk, "username": row.student.get_username()}

    @extend_schema_field(serializers.IntegerField())
    def get_attempts(self, row):
        return self._cell(row).attempts

    @extend_schema_field(serializers.IntegerField())
    def get_in_progress(self, row):
        return self._cell(row).in_progress

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_best_attempt(self, row):
        best = self._cell(row).best
        return None if best is None else str(best.uuid)

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True))
    def get_score(self, row):
        score = self._cell(row).score
        return None if score is None else f"{score:.2f}"

    @extend_schema_field(serializers.BooleanField())
    def get_overridden(self, row):
        return self._cell(row).overridden

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True))
    def get_max_score(self, row):
        best = self._cell(row).best
        return None if best is None else f"{best.max_score:.2f}"

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_finished_at(self, row):
        best = self._cell(row).best
        return (
            None
            if best is None
            else serializers.DateTimeField().to_representation(best.finished_at)
        )


# Version numbers are 32-bit columns.
MAX_VERSION = 2**31 - 1


class ManualGradeInSerializer(fields.BodySerializer):
    points = fields.GradePointsField(
        required=False,
        help_text=gettext_lazy(
            "Баллы за ответ: от 0 до баллов вопроса в тесте. Без них — сумма баллов отмеченных "
            "критериев (criteria), не меньше 0 и не больше баллов вопроса."
        ),
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text=gettext_lazy(
            "Комментарий студенту (виден на странице результата после текстов критериев)."
        ),
    )
    criteria = serializers.ListField(
        child=fields.IdField(),
        required=False,
        default=list,
        max_length=MAX_CRITERIA,
        help_text=gettext_lazy(
            "id критериев оценки вопроса, которые применяются к ответу; оценка сохраняет их "
            "тексты и баллы на момент проверки."
        ),
    )


class RubricCriterionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    points = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy("Баллы со знаком: прибавляются к оценке или вычитаются из неё."),
    )
    text = serializers.CharField()


class WaitingEssayOutSerializer(serializers.Serializer):
    response = serializers.IntegerField(source="response.pk")
    attempt = serializers.UUIDField(source="item.attempt.uuid")
    user = UserRefSerializer(source="item.attempt.user")
    position = serializers.IntegerField(source="item.position")
    points = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        source="item.points",
        help_text=gettext_lazy("Баллы вопроса в тесте: оценка от 0 до них."),
    )
    question = QuestionRefSerializer(source="item.version.question")
    text = serializers.CharField(help_text=gettext_lazy("Вопрос, как его видел студент."))
    raw = serializers.CharField(source="response.raw", help_text=gettext_lazy("Ответ студента."))
    created_at = serializers.DateTimeField(source="response.created_at")
    criteria = RubricCriterionOutSerializer(
        many=True, help_text=gettext_lazy("Критерии оценки вопроса, по порядку.")
    )


class RegradeInSerializer(fields.BodySerializer):
    question = fields.IdField()
    to_version = serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, help_text=gettext_lazy("Номер новой версии вопроса.")
    )
    from_version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=False,
        help_text=gettext_lazy("Только ответы этой версии (пусто — всех прочих)."),
    )


class RegradeRunOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = serializers.IntegerField(source="quiz_id", allow_null=True)
    question = serializers.IntegerField(source="question_id")
    from_version = serializers.SerializerMethodField()
    to_version = serializers.IntegerField(source="to_version.number")
    status = serializers.CharField()
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    status_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_from_version(self, run):
        return run.from_version.number if run.from_version_id else None

    @extend_schema_field(serializers.CharField())
    def get_status_url(self, run):
        from django.urls import reverse

        return reverse("api:regrade-detail", args=[run.pk])


# --- error reports in questions ----------------------------------------------------------------


class ReportInSerializer(fields.BodySerializer):
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH,
        help_text=gettext_lazy(
            "Что не так с вопросом, словами студента. Вариант (версия и seed) и последний ответ "
            "студента на этот вопрос попытки прикладываются сервером."
        ),
    )


class ReportFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=QuestionReport.Status.choices, required=False)
    question = fields.IdField(required=False)


class ReportResolveInSerializer(fields.BodySerializer):
    outcome = serializers.ChoiceField(choices=QuestionReport.Outcome.choices)
    reply = serializers.CharField(
        max_length=REPLY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Ответ студенту; он увидит его вместе с итогом."),
    )


class ReportOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    question = serializers.IntegerField(source="question_id")
    version = serializers.IntegerField(
        source="version.number", help_text=gettext_lazy("Номер версии вопроса у студента.")
    )
    seed = serializers.SerializerMethodField()
    source = serializers.ChoiceField(choices=QuestionReport.Source.choices)
    attempt_uuid = serializers.SerializerMethodField()
    position = serializers.SerializerMethodField()
    answer = serializers.CharField()
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=QuestionReport.Status.choices)
    outcome = serializers.CharField(help_text=gettext_lazy("Пусто, пока сообщение не разобрано."))
    reply = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    outcome_seen = serializers.BooleanField()

    @extend_schema_field(
        serializers.CharField(help_text=gettext_lazy("seed варианта (строкой: 64-битное число)."))
    )
    def get_seed(self, report):
        return str(report.seed)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_attempt_uuid(self, report):
        item = report.attempt_item
        return str(item.attempt.uuid) if item is not None else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_position(self, report):
        return report.attempt_item.position if report.attempt_item is not None else None


# --- courses and enrolments ------------------------------------------------------------------


class CourseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    owner = UserRefSerializer()
    join_enabled = serializers.BooleanField()
    is_archived = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CourseInSerializer(fields.BodySerializer):
    code = serializers.SlugField(max_length=50)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    join_enabled = fields.StrictBooleanField(required=False, default=True)


class EnrollmentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    user = UserRefSerializer()
    role = serializers.CharField()
    external_id = serializers.CharField()
    joined_at = serializers.DateTimeField()


class EnrollmentInSerializer(fields.BodySerializer):
    external_id = serializers.CharField(
        max_length=255,
        help_text=gettext_lazy("Идентификатор студента в LMS (LTI sub, id пользователя Moodle)."),
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")


class EnrollmentFilterSerializer(serializers.Serializer):
    external_id = serializers.CharField(required=False, max_length=255)


# --- accommodations and course dates ----------------------------------------------------------


class AccommodationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    quiz = serializers.IntegerField(
        source="quiz_id",
        allow_null=True,
        help_text=gettext_lazy("null — все тесты курса."),
    )
    label = serializers.CharField()
    students = serializers.SerializerMethodField(help_text=gettext_lazy("id студентов."))
    time_factor = serializers.DecimalField(max_digits=4, decimal_places=2)
    extra_minutes = serializers.IntegerField()
    closes_at = serializers.DateTimeField(allow_null=True)
    extra_attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_students(self, accommodation):
        return sorted(student.pk for student in accommodation.students.all())


class AccommodationInSerializer(fields.BodySerializer):
    label = serializers.CharField(max_length=100)
    students = serializers.ListField(
        child=fields.IdField(),
        min_length=1,
        max_length=2000,
        help_text=gettext_lazy("id студентов курса (см. участников курса)."),
    )
    quiz = fields.IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Тест курса; null — все тесты курса."),
    )
    time_factor = fields.TimeFactorField(
        required=False,
        default=Decimal(1),
        help_text=gettext_lazy("Множитель времени: «1.5» — на 50 % больше."),
    )
    extra_minutes = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=24 * 60
    )
    closes_at = fields.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Продление: позже закрытия теста."),
    )
    extra_attempts = serializers.IntegerField(required=False, default=0, min_value=0, max_value=50)


class AccommodationPatchInSerializer(AccommodationInSerializer):
    """Every field optional: the ones sent replace the accommodation's."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class CourseQuizDatesSerializer(fields.BodySerializer):
    opens_at = fields.DateTimeField(allow_null=True)
    closes_at = fields.DateTimeField(allow_null=True)


class CourseQuizDatesOutSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="course_id")
    quiz = serializers.IntegerField(source="quiz_id")
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)


# --- keys and webhooks ------------------------------------------------------------------------


class ApiKeyInSerializer(fields.BodySerializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiKey.Scope.choices),
        min_length=1,
        max_length=2,
        required=False,
        default=lambda: [ApiKey.Scope.READ, ApiKey.Scope.WRITE],
    )
    rate_per_minute = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100000
    )
    courses = fields.IdRelatedField(
        queryset=Course.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy(
            "Ограничить ключ этими своими курсами (пусто — все курсы владельца)."
        ),
    )


class ApiKeyOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    rate_per_minute = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    courses = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_courses(self, key):
        return sorted(key.courses.values_list("pk", flat=True))


class ApiKeyCreatedOutSerializer(ApiKeyOutSerializer):
    key = serializers.CharField(
        help_text=gettext_lazy("Ключ целиком. Показывается один раз: сохраните его.")
    )


class WebhookInSerializer(fields.BodySerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices),
        required=False,
        default=lambda: [WebhookEndpoint.Event.ATTEMPT_GRADED],
        max_length=10,
    )

    def validate_url(self, url):
        if not url.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError(
                _("Нужен адрес http:// или https://."), code=ErrorCode.SCHEME
            )
        if literal_address_refusal(url):
            raise serializers.ValidationError(
                _("Адрес во внутренней сети: вебхук должен вести на внешний сервер."),
                code=ErrorCode.PRIVATE_ADDRESS,
            )
        return url


class WebhookOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookCreatedOutSerializer(WebhookOutSerializer):
    secret = serializers.CharField(help_text=gettext_lazy("Секрет подписи. Показывается один раз."))


class WebhookDeliveryOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    event_key = serializers.CharField()
    status = serializers.CharField()
    tries = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_tried_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
