"""Banks, topics, questions and their immutable versions.

A question's content lives in :class:`QuestionVersion.spec` (plain JSON, the grader's spec). A
version is never edited: a bank fix creates a new version, and attempts keep the version they
were taken with, so a (version, seed) pair always reproduces the same variant and key.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class Bank(models.Model):
    slug = models.SlugField(_("код"), max_length=100, unique=True)
    title = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    language = models.CharField(_("язык"), max_length=10, default="ru")
    version = models.CharField(_("версия"), max_length=50, blank=True)
    authors = models.JSONField(_("авторы"), default=list, blank=True)
    license = models.CharField(_("лицензия"), max_length=100, blank=True)
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

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="questions")
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    slug = models.SlugField(_("код"), max_length=150)
    title = models.CharField(_("название"), max_length=300)
    kind = models.CharField(_("тип"), max_length=20, choices=Kind.choices)
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


def spec_hash(spec: dict) -> str:
    canonical = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class QuestionVersion(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("номер версии"))
    spec = models.JSONField(_("спецификация"))
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
