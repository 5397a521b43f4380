"""Celery tasks of the question bank: thin adapters that take an upload's id and call a service.

Checking a large bank takes minutes, far beyond the grading tasks' limits; the hard limit stays
under the broker's visibility timeout (600 s), or a running check would be delivered twice.
"""

from celery import Task, shared_task
from django.utils.translation import gettext as _

from question_bank import services
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
