"""Celery tasks of the question bank: thin adapters that take an upload's id and call a service.

Checking a large bank takes minutes, far beyond the grading tasks' limits; the hard limit stays
under the broker's visibility timeout (600 s), or a running check would be delivered twice.
"""

from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from question_bank import services
from question_bank.models import BankUpload
from quizapp.core import waiting
from quizapp.core.tasks import DURABLE_TASK

BANK_TASK = {**DURABLE_TASK, "soft_time_limit": 300, "time_limit": 330}


class BankUploadTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted (the database stayed away): let the upload's page stop waiting.
        upload_id = args[0] if args else kwargs.get("upload_id")
        try:
            services.bank_upload_fail(
                upload_id=upload_id,
                message=_("Сбой обработки файла: база данных недоступна. Загрузите файл ещё раз."),
            )
        except Exception:  # the database may still be down; the page then keeps waiting
            pass


@shared_task(name=services.VALIDATE_UPLOAD_TASK, base=BankUploadTask, **BANK_TASK)
def validate_bank_upload(self, upload_id: int) -> str | None:
    upload = services.bank_upload_validate(upload_id=upload_id)
    return None if upload is None else upload.status


@shared_task(name=services.IMPORT_UPLOAD_TASK, base=BankUploadTask, **BANK_TASK)
def import_bank_upload(self, upload_id: int) -> str | None:
    upload = services.bank_upload_import(upload_id=upload_id)
    return None if upload is None else upload.status


# A check or an import longer than the hard time limit is dead; only then is it sent again.
STALE = timedelta(seconds=BANK_TASK["time_limit"] + 70)


def _sweep_uploads(now) -> int:
    Status = BankUpload.Status
    stale = BankUpload.objects.filter(created_at__lt=now - STALE)
    sent = waiting.resend_rows(
        "uploads",
        stale.filter(status__in=[Status.QUEUED, Status.VALIDATING]),
        services.VALIDATE_UPLOAD_TASK,
        hold=STALE,
    )
    return sent + waiting.resend_rows(
        "uploads-import",
        stale.filter(status=Status.IMPORTING, published_at__lt=now - STALE),
        services.IMPORT_UPLOAD_TASK,
        hold=STALE,
    )


waiting.register(
    waiting.WaitingWork(
        key="uploads",
        label=gettext_lazy("Загрузки банков"),
        model=BankUpload,
        waiting=(
            BankUpload.Status.QUEUED,
            BankUpload.Status.VALIDATING,
            BankUpload.Status.IMPORTING,
        ),
        since="created_at",
        queue=settings.CELERY_BANKS_QUEUE,
        sweep=_sweep_uploads,
    )
)
