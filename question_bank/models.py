"""Banks, topics, questions and their immutable versions.

A question's content lives in :class:`QuestionVersion.spec` (plain JSON, the grader's spec). A
version is never edited: a bank fix creates a new version, and attempts keep the version they
were taken with, so a (version, seed) pair always reproduces the same variant and key.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bank(models.Model):
    """A bank of questions.

    ``owner`` is the instructor who published it from the browser; bundled banks (imported by
    ``import_bank``) have none. Who may see and change which bank: :mod:`question_bank.access`.
    """

    slug = models.SlugField(_("код"), max_length=100, unique=True)
    title = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    language = models.CharField(_("язык"), max_length=10, default="ru")
    version = models.CharField(_("версия"), max_length=50, blank=True)
    authors = models.JSONField(_("авторы"), default=list, blank=True)
    license = models.CharField(_("лицензия"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="banks_owned",
        verbose_name=_("владелец"),
    )
    # A bank students have worked with (attempts, practice, flashcards) is never deleted, only
    # archived: it leaves the lists for study and for new quizzes, while every attempt, result and
    # review keeps pointing at its versions (question_bank.services.bank_delete/bank_archive).
    is_archived = models.BooleanField(_("в архиве"), default=False)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("банк вопросов")
        verbose_name_plural = _("банки вопросов")
        ordering = ["title"]

    def __str__(self):
        return self.title


class Topic(models.Model):
    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="topics")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    slug = models.SlugField(_("код"), max_length=100)
    title = models.CharField(_("название"), max_length=200)

    class Meta:
        verbose_name = _("тема")
        verbose_name_plural = _("темы")
        constraints = [models.UniqueConstraint(fields=["bank", "slug"], name="topic_unique_slug")]
        ordering = ["bank", "title"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        NUMERIC = "numeric", _("число")
        VECTOR = "vector", _("вектор")
        MATRIX = "matrix", _("матрица")
        EXPRESSION = "expression", _("выражение")
        SINGLE_CHOICE = "single_choice", _("один вариант")
        MULTIPLE_CHOICE = "multiple_choice", _("несколько вариантов")
        SHORT_TEXT = "short_text", _("короткий ответ")
        FLASHCARD = "flashcard", _("карточка")
        MATCHING = "matching", _("на соответствие")
        DESCRIPTION = "description", _("описание (без ответа)")
        MULTIPART = "multipart", _("несколько полей")
        ESSAY = "essay", _("эссе (проверяет преподаватель)")

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="questions")
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    slug = models.SlugField(_("код"), max_length=150)
    title = models.CharField(_("название"), max_length=300)
    kind = models.CharField(_("тип"), max_length=20, choices=Kind.choices)
    # archived: its bank file no longer has it (a duplicate removed, a question withdrawn). It is
    # drawn no more for new quizzes, practice or flashcards, while every attempt keeps pointing at
    # its versions (they are protected); a file that has it again brings it back.
    is_archived = models.BooleanField(_("в архиве"), default=False)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("вопрос")
        verbose_name_plural = _("вопросы")
        constraints = [
            models.UniqueConstraint(fields=["bank", "slug"], name="question_unique_slug")
        ]
        ordering = ["bank", "slug"]

    def __str__(self):
        return self.title


class OrderedJSONField(models.JSONField):
    """A JSON value that comes back with its objects' keys in the order they were written.

    A spec's order means something: parameters are drawn in the listed order (it defines every
    variant's numbers) and the author lists derived values in the order they read best.
    PostgreSQL's ``jsonb`` — a plain JSONField there — reorders keys (shorter first), so the
    value is kept as its JSON text instead: ``text`` on PostgreSQL, what JSONField already is on
    SQLite. Decoding the text keeps the order on every database.

    There are no lookups inside the value (``spec__kind``, ``has_key``…): on a text column they
    would mean something else than on jsonb, so only ``exact`` and ``isnull`` are offered.
    """

    ALLOWED_LOOKUPS = frozenset({"exact", "isnull"})

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "text"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return json.dumps(value, cls=self.encoder, ensure_ascii=False)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name in self.ALLOWED_LOOKUPS else None

    def get_transform(self, name):
        return None


def spec_hash(spec: dict) -> str:
    canonical = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class QuestionVersion(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("номер версии"))
    spec = OrderedJSONField(_("спецификация"))  # keys in the author's order: see the field
    spec_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("версия вопроса")
        verbose_name_plural = _("версии вопросов")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="version_unique_number")
        ]
        ordering = ["question", "-number"]
        get_latest_by = "number"

    def __str__(self):
        return f"{self.question} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("question versions are immutable; create a new version instead")
        self.spec_hash = spec_hash(self.spec)
        super().save(*args, **kwargs)


class BankUpload(models.Model):
    """A bank file uploaded in the browser, its validation report, and its publication.

    Nothing of the file enters Bank/Topic/Question until the owner publishes a valid upload; the
    file's bytes stay here so that publishing (and a redelivered task) reads exactly what was
    validated.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди на проверку")
        VALIDATING = "validating", _("проверяется")
        VALID = "valid", _("проверен, ошибок нет")
        INVALID = "invalid", _("есть ошибки")
        IMPORTING = "importing", _("публикуется")
        IMPORTED = "imported", _("опубликован")
        FAILED = "failed", _("сбой")

    # A task is still working on these: the report page polls for progress.
    ACTIVE = (Status.QUEUED, Status.VALIDATING, Status.IMPORTING)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bank_uploads",
        verbose_name=_("загрузил"),
    )
    # The bank this file is a new version of (chosen on the bank's page), if any.
    target = models.ForeignKey(
        Bank,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("обновляемый банк"),
    )
    filename = models.CharField(_("имя файла"), max_length=255)
    data = models.BinaryField(_("содержимое файла"))
    size = models.PositiveIntegerField(_("размер, байт"))
    format = models.CharField(_("формат"), max_length=20, blank=True)
    status = models.CharField(
        _("состояние"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Problems (file, line, column, Russian message), warnings and the per-question summary.
    report = models.JSONField(_("отчёт"), default=dict, blank=True)
    # The file as the native bank structure, kept for previews once it parsed without errors
    # (specs inside: their key order is kept).
    parsed = OrderedJSONField(null=True, blank=True, editable=False)
    bank = models.ForeignKey(
        Bank,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name=_("опубликован в банк"),
    )
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    validated_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    published_at = models.DateTimeField(_("опубликован"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка банка")
        verbose_name_plural = _("загрузки банков")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="bankupload_owner_recent_idx")
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
