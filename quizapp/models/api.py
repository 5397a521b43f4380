"""API keys, idempotency records and webhooks: the state the REST API keeps for integrations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key of one integration (an LMS server), acting as its owner, an instructor.

    Only the SHA-256 of the secret is stored; the whole key is shown once, when it is created.
    The public ``prefix`` finds the row, the secret is compared in constant time.
    """

    class Scope(models.TextChoices):
        READ = "read", _("чтение")
        WRITE = "write", _("запись")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("владелец"),
    )
    name = models.CharField(_("название"), max_length=100)
    prefix = models.CharField(_("префикс"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("права"), default=list)
    # Empty: every course of the owner. Otherwise the key sees and enrols only in these courses,
    # and starts attempts only for their students.
    courses = models.ManyToManyField(
        "quizapp.Course", blank=True, related_name="api_keys", verbose_name=_("курсы")
    )
    # Empty: the default rate of the settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"]).
    rate_per_minute = models.PositiveIntegerField(_("запросов в минуту"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("ключ API")
        verbose_name_plural = _("ключи API")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """The stored answer to a request sent with an ``Idempotency-Key`` header.

    ``principal`` is who sent it ("key:<id>" or "user:<id>"): two integrations never share keys.
    ``fingerprint`` is the SHA-256 of method, path and body, so that the same key with another
    request is refused instead of answered with the first request's response.
    """

    principal = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("идемпотентный запрос")
        verbose_name_plural = _("идемпотентные запросы")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_unique_key")
        ]

    def __str__(self):
        return f"{self.principal}: {self.key}"


class WebhookEndpoint(models.Model):
    """Where an instructor's integration wants graded attempts announced.

    The secret signs every delivery (HMAC-SHA256); it must be kept in clear to sign, so it is
    shown once on creation and never returned by the API afterwards.
    """

    class Event(models.TextChoices):
        ATTEMPT_GRADED = "attempt.graded", _("попытка проверена")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("владелец"),
    )
    url = models.URLField(_("адрес"), max_length=500)
    secret = models.CharField(max_length=100, editable=False)
    events = models.JSONField(_("события"), default=list)
    is_active = models.BooleanField(_("включён"), default=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("вебхук")
        verbose_name_plural = _("вебхуки")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("ждёт отправки")
        SUCCEEDED = "succeeded", _("доставлено")
        FAILED = "failed", _("не доставлено")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    # One delivery per event and endpoint: "attempt.graded:<uuid>". Two workers noticing the same
    # graded attempt at once create one row, and so one announcement.
    event_key = models.CharField(max_length=120)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("отправка вебхука")
        verbose_name_plural = _("отправки вебхуков")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_key"], name="webhookdelivery_unique_event"
            )
        ]

    def __str__(self):
        return f"{self.event_key} → {self.endpoint}"
