"""Celery tasks of the question bank: thin adapters that take an upload's id and call a service.

Checking a large bank takes minutes, far beyond the grading tasks' limits; the hard limit stays
under the broker's visibility timeout (600 s), or a running check would be delivered twice.
"""

from celery import Task, shared_task

from grader.tasks import GRADING_TASK

BANK_TASK = {**GRADING_TASK, "soft_time_limit": 300, "time_limit": 330}


class BankUploadTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted (the database stayed away): let the upload's page stop waiting.
        from question_bank.services import bank_upload_fail

        upload_id = args[0] if args else kwargs.get("upload_id")
        try:
            bank_upload_fail(
                upload_id=upload_id,
                message="Сбой обработки файла: база данных недоступна. Загрузите файл ещё раз.",
            )
        except Exception:  # the database may still be down; the page then keeps waiting
            pass


@shared_task(base=BankUploadTask, **BANK_TASK)
def validate_bank_upload(self, upload_id: int) -> str | None:
    from question_bank.services import bank_upload_validate

    upload = bank_upload_validate(upload_id=upload_id)
    return None if upload is None else upload.status


@shared_task(base=BankUploadTask, **BANK_TASK)
def import_bank_upload(self, upload_id: int) -> str | None:
    from question_bank.services import bank_upload_import

    upload = bank_upload_import(upload_id=upload_id)
    return None if upload is None else upload.status
